"""The plan demo/story.py plays, as plain data: people, employers, contacts, openings
and the support around each job, with the small calendar and drawing helpers both
sides use."""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from crm.models import JobSeeker
from jobdev.models import EmployerContact
from placements.models import Placement

SPECIALISTS = ("specialist1", "specialist2", "specialist3")
LEADER = "leader"


def weighted(rng: random.Random, choices: list[tuple]):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def ascii_slug(text: str, separator: str = ".") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return separator.join("".join(c if c.isalnum() else " " for c in plain).split())


def weekday_on_or_before(day: date) -> date:
    """Move a Saturday or Sunday back to the Friday: nobody plans a visit at the weekend."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def weekday_on_or_after(day: date) -> date:
    """Move a Saturday or Sunday on to the Monday."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def of_job(title: str) -> str:
    """ "de serveur", "d'agent d'entretien": a job title after "de", elided before a vowel or a mute h."""
    title = lower_first(title)
    return ("d'" if title[:1] in "aâeéèêiîoôuyh" else "de ") + title


@dataclass
class SitePlan:
    name: str
    address: str
    postcode: str
    town: str
    latitude: Decimal
    longitude: Decimal
    precision: str  # crm.models.LocationPrecision

    def details(self) -> dict:
        return {"name": self.name, "address": self.address, "postcode": self.postcode, "town": self.town}

    def location(self) -> dict:
        return {"latitude": self.latitude, "longitude": self.longitude, "precision": self.precision}


@dataclass
class PersonPlan:
    name: str
    role: str
    site: int  # index in the employer's sites
    has_hiring_authority: bool
    preferred_channel: str
    phone: str
    email: str

    def details(self) -> dict:
        return {
            "name": self.name,
            "role": self.role,
            "has_hiring_authority": self.has_hiring_authority,
            "preferred_channel": self.preferred_channel,
            "phone": self.phone,
            "email": self.email,
        }


@dataclass
class EmployerPlan:
    index: int
    name: str
    industry: str
    size: str
    postcode: str
    description: str
    jobs: list[tuple[str, str]]  # (title, job type code)
    sheltered: bool
    nace_code: str = ""  # NACE Rev. 2 division, group or class (French NAF without its letter)
    sites: list[SitePlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    created_by: str = ""
    created_on: date | None = None

    @property
    def job_type_codes(self) -> set[str]:
        return {code for _title, code in self.jobs}

    def details(self) -> dict:
        return {
            "name": self.name,
            "industry": self.industry,
            "nace_code": self.nace_code,
            "size": self.size,
            "description": self.description,
        }


@dataclass
class BenefitsPlan:
    """Work-incentives planning after an offer: (status, day) reached in order, with notes."""

    steps: list[tuple[str, date]] = field(default_factory=list)


@dataclass
class AdjustmentPlan:
    description: str
    consents: bool
    path: list[tuple[str, date]]  # (status, day), the first one "identified" (added)
    note: str


@dataclass
class PlacementPlan:
    job_seeker: int  # index
    employer_index: int
    job_title: str
    job_type_code: str
    offer_date: date
    start_date: date | None = None
    end_date: date | None = None
    end_reason: str = ""
    expected_start_date: date | None = None
    hours_per_week: Decimal | None = None
    hourly_pay: Decimal | None = None
    is_competitive: bool = True
    term: str = Placement.Term.PERMANENT
    report_on: date | None = None  # the job-end report written (None: not yet)
    contact_after_end_on: date | None = None
    benefits: BenefitsPlan | None = None
    adjustments: list[AdjustmentPlan] = field(default_factory=list)
    # Changes to follow-along: (day, action, {arguments}).
    follow_along_changes: list[tuple[date, str, dict]] = field(default_factory=list)
    terms_change: tuple[date, date, Decimal] | None = None  # (recorded on, effective on, new hours)
    recheck: list[tuple[str, date]] = field(default_factory=list)  # the benefits re-check after it: (status, day)
    placement_id: int | None = None  # set once the offer is recorded

    def status(self, today: date) -> str:
        if self.end_date is not None and self.end_date < today:
            return Placement.Status.ENDED
        if self.start_date is not None and self.start_date < today:
            return Placement.Status.ACTIVE
        return Placement.Status.OFFER_ACCEPTED


@dataclass
class JobSeekerPlan:
    index: int
    first_name: str
    last_name: str
    female: bool
    town: dict
    referral_date: date
    enrolment_date: date
    archetype: dict
    specialist: str = ""  # username, once enrolled
    referred_by: str = ""  # who recorded the referral (another specialist if reassigned)
    story: str = ""
    on_benefits: bool = False
    placements: list[PlacementPlan] = field(default_factory=list)
    # (date, status, note, by hand?), oldest first; the first entry is the initial status.
    # Those not by hand are what the services and handlers do (job start, job end).
    status_changes: list[tuple[date, str, str, bool]] = field(default_factory=list)
    wanted_job_types: list[str] = field(default_factory=list)
    wanted_industries: list[str] = field(default_factory=list)
    avoided_job_types: list[str] = field(default_factory=list)
    disclosure: str = JobSeeker.Disclosure.UNDECIDED  # the preference now
    # Disclosure talked over at intake (the preference recorded at enrolment), or later:
    # the enrolment's "talk about disclosure" task done on `disclosure_talk_on`, the
    # preference recorded then (None: at intake, or not yet).
    disclosure_at_enrolment: str = JobSeeker.Disclosure.UNDECIDED
    disclosure_talk_on: date | None = None
    in_education: date | None = None  # studying alongside (a course, a diploma) from this day
    waiting: bool = False  # in job search with no face-to-face employer contact yet
    first_visits: dict[date, date] = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    location: dict = field(default_factory=dict)  # latitude, longitude, precision of the home address
    profile: dict = field(default_factory=dict)
    preference: dict = field(default_factory=dict)
    # Tasks written by hand: (created on, title key in the data file, due, done on or None).
    own_tasks: list[tuple[date, str, date, date | None]] = field(default_factory=list)
    # Work-incentives planning while searching: (offered on, [(status, day)]).
    benefits_without_job: tuple[date, list[tuple[str, date]]] | None = None
    job_seeker_id: int | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def status(self) -> str:
        return self.status_changes[-1][1]

    @property
    def job_search_since(self) -> date:
        since = self.enrolment_date
        for day, status, _note, _by_hand in self.status_changes[1:]:
            if status == JobSeeker.Status.JOB_SEARCH:
                since = day
        return since

    def search_periods(self) -> list[tuple[date, date | None]]:
        """(start, left): each time in job search, and the day the person left it (None: still searching)."""
        periods = []
        for position, (day, status, _note, _by_hand) in enumerate(self.status_changes):
            if status == JobSeeker.Status.JOB_SEARCH:
                later = self.status_changes[position + 1 :]
                periods.append((day, later[0][0] if later else None))
        return periods

    def search_stretches(self) -> list[tuple[date, date | None]]:
        """(start, until): the job-search periods, each until the first offer accepted in it
        or the day the person left job search (None: still looking)."""
        stretches = []
        for start, left in self.search_periods():
            offers = [
                placement.offer_date
                for placement in self.placements
                if start <= placement.offer_date and (left is None or placement.offer_date < left)
            ]
            ends = [day for day in [left, *offers] if day is not None]
            stretches.append((start, min(ends) if ends else None))
        return stretches


@dataclass
class OpeningPlan:
    employer_index: int
    specialist: str
    title: str
    code: str
    hours: int
    shifts: list[str]
    pay: Decimal
    source: str
    learned_on: date
    note: str
    later: tuple[date, str, str] | None = None  # (day, status, note): filled or closed since
    placement: PlacementPlan | None = None  # the job one of our job seekers got
    opening_id: int | None = None


@dataclass
class ContactPlan:
    specialist: str
    employer_index: int
    site: int | None  # index in the employer's sites
    person: int | None  # index in the employer's people
    starts_at: datetime
    ends_at: datetime
    mode: str = EmployerContact.Mode.IN_PERSON
    purpose: str = EmployerContact.Purpose.ON_BEHALF
    status: str = EmployerContact.Status.HELD
    job_seekers: list[int] = field(default_factory=list)
    placement: PlacementPlan | None = None  # a visit that led to this job
    offer_coming: bool = False  # the last visit before the offer
    cancel_reason: str = ""
    opening: OpeningPlan | None = None  # learned of at this contact
    outcome: dict = field(default_factory=dict)
    aim: str = ""  # the aim of a planned visit (its next step)
    # When it is written: planned (None: logged after the fact), moved, cancelled, recorded.
    planned_at: datetime | None = None
    first_starts_at: datetime | None = None  # planned first at this time, then moved
    rescheduled_at: datetime | None = None
    cancelled_at: datetime | None = None
    recorded_at: datetime | None = None
    confirmed: bool = False
    # Planned before disclosure was talked over with a person it is for: the specialist
    # confirms going ahead (jobdev.services.employer_contact_plan).
    disclosure_confirmed: bool = False
    contact_id: int | None = None

    @property
    def day(self) -> date:
        return self.starts_at.date()  # starts_at is in the program's time zone

    @property
    def counts_for_rapid_search(self) -> bool:
        """Held, face to face, on behalf of job seekers: what starts the rapid-search clock."""
        return (
            self.status == EmployerContact.Status.HELD
            and self.mode in EmployerContact.FACE_TO_FACE_MODES
            and self.purpose == EmployerContact.Purpose.ON_BEHALF
        )

    @property
    def logged(self) -> bool:
        """Recorded after the fact: calls, emails and the job seeker's own visits."""
        return self.planned_at is None


@dataclass
class ReviewPlan:
    """A fidelity review of the whole program by the program admin on `review_date`, of
    the period `period_from` to `period_to`: the data-answerable items come from the
    records (jobdev.fidelity), the reviewers score the others (`items`: item number ->
    (score, notes))."""

    review_date: date
    period_from: date
    period_to: date
    reviewers: str
    notes: str
    items: dict[int, tuple[int, str]]


@dataclass
class Plan:
    today: date
    start: date  # the first day of the story
    zone: ZoneInfo
    job_seekers: list[JobSeekerPlan]
    employers: list[EmployerPlan]
    contacts: list[ContactPlan]
    openings: list[OpeningPlan]
    reassignments: list[tuple[int, str, str]]  # (job seeker index, from, to)
    reviews: list[ReviewPlan] = field(default_factory=list)
