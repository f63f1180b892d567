"""What happens in the demo program, decided in memory before anything is written.

One `random.Random(seed)` draws everything, in a fixed order, from the data files
(demo/catalogue.py) and the rhythms below; dates are counted back from `today`. The
result is a `Plan`: the people, the employers, each job seeker's story (enrolment,
jobs, ends, closing), every employer contact with the moments it is planned,
rescheduled, cancelled or recorded, the job openings learned of, and the support work
around each job (benefits steps, workplace adjustments, changes to follow-along).
demo/story.py then plays the plan day by day through the real services.

What the live system derives is not planned here: relationship stages, the
rapid-job-search clock, nudges, milestones and the tasks of the event handlers come
from the application itself as the story is played."""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import zip_longest
from zoneinfo import ZoneInfo

from django.core.management.base import CommandError

from crm.models import JobSeeker
from demo.catalogue import Catalogue
from employers.models import ContactPerson, JobOpening
from jobdev.models import EmployerContact
from placements.models import Accommodation, BenefitsStep, Placement

SPECIALISTS = ("specialist1", "specialist2", "specialist3")
LEADER = "leader"

JOB_SEEKER_COUNT = 40
REFERRAL_WINDOW_DAYS = 300  # about ten months of history
OTHER_EUROPEAN_SHARE = 0.2
SECOND_SITE_SHARE = 0.3
SITE_WITHOUT_COORDINATES_SHARE = 0.15
SECOND_PERSON_SHARE = 0.5  # small and larger employers: a second contact person
# Two job seekers changed specialist (and team) at enrolment: (from, to).
REASSIGNMENTS = [("specialist2", "specialist3"), ("specialist3", "specialist1")]

CONTACT_CHANNELS = [
    (ContactPerson.Channel.IN_PERSON, 40),
    (ContactPerson.Channel.PHONE, 35),
    (ContactPerson.Channel.EMAIL, 20),
    (ContactPerson.Channel.VIDEO, 5),
]
REFERRAL_SOURCES = [
    (JobSeeker.ReferralSource.MENTAL_HEALTH_TEAM, 45),
    (JobSeeker.ReferralSource.SELF, 15),
    (JobSeeker.ReferralSource.FAMILY, 8),
    (JobSeeker.ReferralSource.SOCIAL_SERVICES, 12),
    (JobSeeker.ReferralSource.EMPLOYMENT_SERVICE, 14),
    (JobSeeker.ReferralSource.OTHER, 6),
]
BENEFITS = [(JobSeeker.Benefits.YES, 55), (JobSeeker.Benefits.NO, 25), (JobSeeker.Benefits.UNKNOWN, 20)]
DISCLOSURE = [
    (JobSeeker.Disclosure.UNDECIDED, 25),
    (JobSeeker.Disclosure.NONE, 25),
    (JobSeeker.Disclosure.PARTIAL, 30),
    (JobSeeker.Disclosure.FULL, 20),
]
DAY_CODES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SHIFT_PATTERNS = [
    ["morning"],
    ["morning", "afternoon"],
    ["afternoon"],
    ["afternoon", "evening"],
    ["morning", "afternoon", "evening"],
    ["morning"],
    ["morning", "afternoon"],
    ["evening", "night"],
]
MIN_HOURS_CHOICES = [8, 10, 12, 15, 15, 18, 20, 20, 24, 28]
TRAVEL_MINUTES_CHOICES = [20, 30, 30, 40, 45, 45, 60]
MIN_HOURLY_PAY_CHOICES = ["11.88", "11.88", "11.88", "12.00", "12.50", "13.00", "13.50", "14.00"]

# (story, minimum days since enrolment it needs). The other job seekers are searching.
STORIES = [
    ("ended_closed", 210),
    ("follow_along", 185),
    ("follow_along", 185),
    ("follow_along", 185),
    ("ended_searching", 180),
    ("ended_searching", 180),
    ("sheltered_then_searching", 180),  # left a reserved (non-competitive) job for an ordinary one
    ("better_job", 165),
    ("working", 60),
    ("working", 60),
    ("working", 60),
    ("working", 60),
    ("left_without_job", 60),
    ("left_without_job", 60),
    ("offer_accepted", 25),
    ("offer_accepted", 25),
    ("offer_accepted", 25),
]
FOLLOW_ALONG_AFTER_DAYS = 120  # an active worker moves to follow-along after about four months
END_REASONS_BACK_TO_SEARCH = [
    Placement.EndReason.TEMPORARY_ENDED,
    Placement.EndReason.FIRED,
    Placement.EndReason.LAID_OFF,
    Placement.EndReason.QUIT_HEALTH,
    Placement.EndReason.QUIT_OTHER,
]
HOURS_CHOICES = ["10", "12", "15", "17.5", "20", "20", "24", "25", "28", "30", "35"]

# Job development.
CONTACT_WEEKS = 16  # weeks of employer contacts at the team's full rhythm before the current one
# Face-to-face contacts on behalf of job seekers, drawn for each week (IPS target: 6 a week).
WEEKLY_VISITS = {
    "specialist1": [5, 5, 6, 6, 7, 7],
    "specialist2": [4, 5, 5, 6, 6],
    "specialist3": [3, 3, 4, 4, 5],
}
UPCOMING_VISITS = {"specialist1": 5, "specialist2": 4, "specialist3": 3}  # planned for next week
RELATIONSHIP_VISITS = [(0, 40), (1, 45), (2, 15)]  # a specialist's relationship-building visits a week
LEADER_RELATIONSHIP_VISITS = [(1, 60), (2, 40)]
CALL_MODES = [
    (EmployerContact.Mode.PHONE, 55),
    (EmployerContact.Mode.EMAIL, 35),
    (EmployerContact.Mode.VIDEO, 10),
]
JOB_SEEKER_MADE_CONTACT_SHARE = 0.12  # face-to-face contacts the job seeker made, prepared with the specialist
SECOND_JOB_SEEKER_SHARE = 0.3  # a visit on behalf of two job seekers
NEVER_CONTACTED_EMPLOYERS = 8
RESCHEDULED_SHARE = 0.15  # visits moved once after they were planned
CONFIRMED_SHARE = 0.6  # planned visits confirmed with the employer
# Days in job search of the few with no face-to-face employer contact yet: past the
# day-14 nudge, past the day-21 nudge, past the IPS 30-day mark.
WAITING_BANDS = [(15, 19), (22, 28), (31, 38)]
VISIT_STARTS = [
    time(9, 0),
    time(9, 30),
    time(10, 45),
    time(11, 0),
    time(14, 0),
    time(14, 30),
    time(15, 45),
    time(16, 0),
]
CALL_STARTS = [time(8, 45), time(12, 15), time(13, 30), time(17, 15), time(17, 30)]
VISIT_MINUTES = [30, 45, 45, 60, 60]
LOGGED_CALL_MINUTES = 15  # what the quick log records (jobdev.services.employer_contact_log)
PLANNING_LEAD_DAYS = [0, 1, 1, 2, 3, 3, 5, 7, 10]
PLANNING_TIME = time(16, 30)  # visits are planned at the end of a working day
JOB_OPENINGS = 25
OPENING_HOURS = [10, 15, 20, 20, 24, 28, 30, 35]
OPENING_SHIFTS = [
    ["morning"],
    ["morning"],
    ["afternoon"],
    ["morning", "afternoon"],
    ["evening"],
    ["afternoon", "evening"],
    ["night"],
]
OLDER_OPENING_STATUSES = [
    JobOpening.Status.CLOSED,
    JobOpening.Status.FILLED,
    JobOpening.Status.OPEN,
    JobOpening.Status.CLOSED,
    JobOpening.Status.FILLED,
]
RECENT_OPENING_STATUSES = [
    JobOpening.Status.OPEN,
    JobOpening.Status.OPEN,
    JobOpening.Status.FILLED,
    JobOpening.Status.OPEN,
]
OPENING_SOURCES = [
    (JobOpening.Source.EMPLOYER_CONTACT, 70),
    (JobOpening.Source.NETWORK, 10),
    (JobOpening.Source.JOB_SEEKER, 10),
    (JobOpening.Source.POSTING, 10),
]

# Support around jobs.
ADJUSTMENT_NEEDS_CONSENT = (Accommodation.Status.REQUESTED, Accommodation.Status.AGREED, Accommodation.Status.IN_PLACE)


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


# The plan ---------------------------------------------------------------------------------


@dataclass
class SitePlan:
    name: str
    address: str
    postcode: str
    town: str
    latitude: Decimal | None
    longitude: Decimal | None

    def details(self) -> dict:
        return {
            "name": self.name,
            "address": self.address,
            "postcode": self.postcode,
            "town": self.town,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


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
    sites: list[SitePlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    created_by: str = ""
    created_on: date | None = None

    @property
    def job_type_codes(self) -> set[str]:
        return {code for _title, code in self.jobs}

    def details(self) -> dict:
        return {"name": self.name, "industry": self.industry, "size": self.size, "description": self.description}


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
    report_on: date | None = None  # the job-end report written (None: not yet)
    contact_after_end_on: date | None = None
    benefits: BenefitsPlan | None = None
    adjustments: list[AdjustmentPlan] = field(default_factory=list)
    # Changes to follow-along: (day, action, {arguments}).
    follow_along_changes: list[tuple[date, str, dict]] = field(default_factory=list)
    terms_change: tuple[date, date, Decimal] | None = None  # (recorded on, effective on, new hours)
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
    disclosure: str = JobSeeker.Disclosure.UNDECIDED
    waiting: bool = False  # in job search with no face-to-face employer contact yet
    first_visits: dict[date, date] = field(default_factory=dict)
    details: dict = field(default_factory=dict)
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
class Plan:
    today: date
    start: date  # the first day of the story
    zone: ZoneInfo
    job_seekers: list[JobSeekerPlan]
    employers: list[EmployerPlan]
    contacts: list[ContactPlan]
    openings: list[OpeningPlan]
    reassignments: list[tuple[int, str, str]]  # (job seeker index, from, to)


# Planning ---------------------------------------------------------------------------------


class Planner:
    """Draws the plan. Each method draws from the one Random in a fixed order."""

    def __init__(self, *, seed: int, today: date, zone: ZoneInfo, catalogue: Catalogue):
        self.rng = random.Random(seed)
        self.today = today
        self.zone = zone
        self.data = catalogue
        self.towns = {town["postcode"]: town for town in catalogue.places["towns"]}
        self.used_employers: set[int] = set()
        self.used_names: set[tuple[str, str]] = set()
        self.plans: list[JobSeekerPlan] = []
        self.employers: list[EmployerPlan] = []
        self.contacts: list[ContactPlan] = []
        self.openings: list[OpeningPlan] = []
        self.busy: dict[tuple[str, date], list[tuple[datetime, datetime, bool]]] = {}
        self.contact_counts: dict[int, int] = {}
        self.visited: set[tuple[str, int]] = set()
        self.contact_days: dict[tuple[str, int], list[date]] = {}
        self.contacted: set[int] = set()
        self.prospects: list[int] = []
        self.stretches: list[list[tuple[date, date | None]]] = []
        self.caseloads: dict[str, list[int]] = {}

    def plan(self) -> Plan:
        self.plan_job_seekers()
        self.plan_employers()
        self.plan_employer_contacts()
        self.plan_support()
        self.plan_contact_timing()
        self.plan_employer_creation()
        reassignments = self.plan_reassignments()
        for plan in self.plans:
            self.draw_details(plan)
        start = min(plan.referral_date for plan in self.plans)
        start = min([start, *(employer.created_on for employer in self.employers)])
        return Plan(
            today=self.today,
            start=start,
            zone=self.zone,
            job_seekers=self.plans,
            employers=self.employers,
            contacts=sorted(self.contacts, key=lambda contact: contact.starts_at),
            openings=self.openings,
            reassignments=reassignments,
        )

    # -- small draws -----------------------------------------------------------------------

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def phone(self, prefix: str) -> str:
        return prefix + " " + " ".join(f"{self.rng.randint(0, 99):02d}" for _ in range(4 - prefix.count(" ")))

    def person_name(self) -> tuple[str, str, bool]:
        """A first and last name not used yet, and whether the first name is female."""
        people = self.data.people
        while True:
            female = self.rng.random() < 0.5
            if self.rng.random() < OTHER_EUROPEAN_SHARE:
                names = self.rng.choice(people["other_european"])
            else:
                names = people["french"]
            name = (self.rng.choice(names["female"] if female else names["male"]), self.rng.choice(names["last"]))
            if name not in self.used_names:
                self.used_names.add(name)
                return name[0], name[1], female

    def address(self, town: dict) -> str:
        return f"{self.rng.randint(1, 180)} {self.rng.choice(town['streets'])}"

    def near(self, value: float, spread: float = 0.008) -> Decimal:
        return Decimal(f"{value + self.rng.uniform(-spread, spread):.6f}")

    # -- job seekers and their stories ----------------------------------------------------

    def plan_job_seekers(self) -> None:
        towns = self.data.places["towns"]
        home_towns = [town for town in towns if town["home_weight"]]
        home_weights = [town["home_weight"] for town in home_towns]
        for index in range(JOB_SEEKER_COUNT):
            # Spread referrals evenly over the window so every story finds someone enrolled long enough.
            referred_days_ago = 5 + int((index + self.rng.random()) * REFERRAL_WINDOW_DAYS / JOB_SEEKER_COUNT)
            referral = self.days_ago(referred_days_ago)
            enrolment = referral + timedelta(days=self.rng.randint(0, min(20, referred_days_ago - 1)))
            first_name, last_name, female = self.person_name()
            self.plans.append(
                JobSeekerPlan(
                    index=index,
                    first_name=first_name,
                    last_name=last_name,
                    female=female,
                    town=self.rng.choices(home_towns, weights=home_weights)[0],
                    referral_date=referral,
                    enrolment_date=enrolment,
                    archetype=self.rng.choice(self.data.job_seekers["archetypes"]),
                )
            )
        # Caseloads: shuffle, then deal round-robin (14, 13, 13).
        order = list(range(len(self.plans)))
        self.rng.shuffle(order)
        for position, index in enumerate(order):
            self.plans[index].specialist = self.plans[index].referred_by = SPECIALISTS[position % 3]
        for story, minimum_days in STORIES:
            candidates = [
                plan
                for plan in self.plans
                if not plan.story and (self.today - plan.enrolment_date).days >= minimum_days
            ]
            if not candidates:
                raise CommandError(f"No job seeker has been enrolled long enough for the story {story!r}.")
            self.rng.choice(candidates).story = story
        self.choose_waiting()
        for plan in self.plans:
            plan.status_changes = [(plan.enrolment_date, JobSeeker.Status.JOB_SEARCH, "", False)]
            getattr(self, f"story_{plan.story or 'searching'}")(plan)
        # Two upcoming starts, at least, come with work-incentives planning to show.
        for plan in [plan for plan in self.plans if plan.story == "offer_accepted"][:2]:
            plan.on_benefits = True
        for plan in self.plans:
            self.draw_preferences(plan)
        self.caseloads = {
            username: [plan.index for plan in self.plans if plan.specialist == username] for username in SPECIALISTS
        }

    def choose_waiting(self) -> None:
        """A few searching job seekers with no employer contact yet, one past each
        rapid-search mark: their enrolment is moved into the band if need be."""
        searching = [plan for plan in self.plans if not plan.story]
        for low, high in WAITING_BANDS:
            candidates = [plan for plan in searching if not plan.waiting]
            if not candidates:
                return

            def distance(plan, low=low, high=high):
                days = (self.today - plan.enrolment_date).days
                return max(low - days, days - high, 0)

            plan = min(candidates, key=lambda plan: (distance(plan), plan.enrolment_date))
            plan.waiting = True
            if distance(plan):
                plan.enrolment_date = self.days_ago(self.rng.randint(low, high))
                if plan.referral_date > plan.enrolment_date:
                    plan.referral_date = plan.enrolment_date - timedelta(days=self.rng.randint(0, 10))

    def draw_preferences(self, plan: JobSeekerPlan) -> None:
        """The job wanted and the disclosure preference: job development follows them."""
        plan.disclosure = weighted(self.rng, DISCLOSURE)
        archetype = plan.archetype
        drawn = self.rng.sample(archetype["job_types"], k=self.rng.randint(1, min(3, len(archetype["job_types"]))))
        # The jobs they got are jobs they wanted.
        wanted = list(dict.fromkeys([placement.job_type_code for placement in plan.placements] + drawn))
        plan.wanted_job_types = wanted[:3]
        industry_count = self.rng.randint(0, min(2, len(archetype["industries"])))
        plan.wanted_industries = self.rng.sample(archetype["industries"], k=industry_count)
        if self.rng.random() < 0.5:
            often = self.data.job_seekers["often_avoided_job_types"]
            avoidable = [code for code in often if code not in plan.wanted_job_types]
            plan.avoided_job_types = self.rng.sample(avoidable, k=self.rng.randint(1, 2))

    def pick_job(self, plan: JobSeekerPlan, *, sheltered: bool = False) -> tuple[int, str, str]:
        """An employer (by index) not used yet, preferably with a job the person wants."""
        wanted = plan.archetype["job_types"]
        employers = self.data.employers
        unused = [
            index
            for index, employer in enumerate(employers)
            if index not in self.used_employers and employer["sheltered"] == sheltered
        ]
        matching = [index for index in unused if any(job["job_type"] in wanted for job in employers[index]["jobs"])]
        index = self.rng.choice(matching or unused)
        self.used_employers.add(index)
        jobs = [(job["title"], job["job_type"]) for job in employers[index]["jobs"]]
        title, code = self.rng.choice([job for job in jobs if job[1] in wanted] or jobs)
        return index, title, code

    def new_placement(self, plan: JobSeekerPlan, offer_date: date, start_date: date | None, **extra) -> PlacementPlan:
        employer_index, title, code = self.pick_job(plan, sheltered=not extra.get("is_competitive", True))
        if start_date is not None and "expected_start_date" not in extra:
            # The start date planned at the offer; now and then the start slipped by a few days.
            slipped = self.rng.random() < 0.25
            expected = start_date - timedelta(days=self.rng.randint(1, 4)) if slipped else start_date
            extra["expected_start_date"] = max(offer_date, expected)
        placement = PlacementPlan(
            job_seeker=plan.index,
            employer_index=employer_index,
            job_title=title,
            job_type_code=code,
            offer_date=offer_date,
            start_date=start_date,
            hours_per_week=Decimal(self.rng.choice(HOURS_CHOICES)),
            hourly_pay=Decimal(self.rng.randint(1188, 1500)) / 100,
            **extra,
        )
        plan.placements.append(placement)
        return placement

    def employer_name(self, placement: PlacementPlan) -> str:
        return self.data.employers[placement.employer_index]["name"]

    def start_and_maybe_follow_along(self, plan: JobSeekerPlan, placement: PlacementPlan, note_key: str) -> None:
        plan.status_changes.append((placement.start_date, JobSeeker.Status.WORKING, "", False))
        if (self.today - placement.start_date).days >= FOLLOW_ALONG_AFTER_DAYS:
            moved_on = placement.start_date + timedelta(days=self.rng.randint(90, FOLLOW_ALONG_AFTER_DAYS))
            note = self.data.support[note_key]
            plan.status_changes.append((moved_on, JobSeeker.Status.FOLLOW_ALONG, note, True))

    def ended_job(self, plan: JobSeekerPlan, *, is_competitive: bool = True, reasons=None) -> PlacementPlan:
        offer = plan.enrolment_date + timedelta(days=self.rng.randint(15, 60))
        start = offer + timedelta(days=self.rng.randint(2, 10))
        placement = self.new_placement(
            plan,
            offer,
            start,
            end_date=start + timedelta(days=self.rng.randint(20, 100)),
            end_reason=self.rng.choice(reasons or END_REASONS_BACK_TO_SEARCH),
            is_competitive=is_competitive,
        )
        plan.status_changes.append((start, JobSeeker.Status.WORKING, "", False))
        plan.status_changes.append((placement.end_date, JobSeeker.Status.JOB_SEARCH, "", False))
        return placement

    def story_searching(self, plan: JobSeekerPlan) -> None:
        """Still looking: nothing more to plan."""

    def story_offer_accepted(self, plan: JobSeekerPlan) -> None:
        offer = self.days_ago(self.rng.randint(1, 10))
        # The start agreed with the employer, a few days to two weeks ahead.
        expected = self.today + timedelta(days=self.rng.randint(3, 14))
        self.new_placement(plan, offer, None, expected_start_date=expected)

    def story_working(self, plan: JobSeekerPlan) -> None:
        tenure = (self.today - plan.enrolment_date).days
        start = self.days_ago(self.rng.randint(7, min(110, tenure - 25)))
        offer = start - timedelta(days=self.rng.randint(3, 14))
        self.start_and_maybe_follow_along(plan, self.new_placement(plan, offer, start), "follow_along_status_note")

    def story_follow_along(self, plan: JobSeekerPlan) -> None:
        offer = plan.enrolment_date + timedelta(days=self.rng.randint(20, 45))
        start = offer + timedelta(days=self.rng.randint(3, 14))
        self.start_and_maybe_follow_along(plan, self.new_placement(plan, offer, start), "follow_along_status_note")

    def story_ended_searching(self, plan: JobSeekerPlan) -> None:
        self.ended_job(plan)

    def story_sheltered_then_searching(self, plan: JobSeekerPlan) -> None:
        self.ended_job(plan, is_competitive=False, reasons=[Placement.EndReason.QUIT_OTHER])

    def story_ended_closed(self, plan: JobSeekerPlan) -> None:
        placement = self.ended_job(plan, reasons=[Placement.EndReason.TEMPORARY_ENDED, Placement.EndReason.QUIT_HEALTH])
        closed = placement.end_date + timedelta(days=self.rng.randint(7, 30))
        note = self.rng.choice(self.data.job_seekers["closing_notes"])
        plan.status_changes.append((closed, JobSeeker.Status.CLOSED, note, True))

    def story_better_job(self, plan: JobSeekerPlan) -> None:
        offer = plan.enrolment_date + timedelta(days=self.rng.randint(20, 40))
        start = offer + timedelta(days=self.rng.randint(3, 10))
        first = self.new_placement(
            plan,
            offer,
            start,
            end_date=start + timedelta(days=self.rng.randint(40, 90)),
            end_reason=Placement.EndReason.QUIT_BETTER_JOB,
        )
        # The new offer came before the first job ended; a few days between the jobs.
        second_offer = first.end_date - timedelta(days=self.rng.randint(3, 10))
        second = self.new_placement(plan, second_offer, first.end_date + timedelta(days=self.rng.randint(1, 7)))
        plan.status_changes.append((start, JobSeeker.Status.WORKING, "", False))
        plan.status_changes.append((first.end_date, JobSeeker.Status.JOB_SEARCH, "", False))
        self.start_and_maybe_follow_along(plan, second, "better_job_status_note")

    def story_left_without_job(self, plan: JobSeekerPlan) -> None:
        tenure = (self.today - plan.enrolment_date).days
        closed = plan.enrolment_date + timedelta(days=self.rng.randint(30, tenure - 3))
        note = self.rng.choice(self.data.job_seekers["closing_notes"])
        plan.status_changes.append((closed, JobSeeker.Status.CLOSED, note, True))

    def draw_details(self, plan: JobSeekerPlan) -> None:
        """What the specialist records at referral and enrolment."""
        rng, town, texts = self.rng, plan.town, self.data.job_seekers
        located = rng.random() < 0.6
        email = ""
        if rng.random() < 0.6:
            email = f"{ascii_slug(plan.first_name)}.{ascii_slug(plan.last_name)}{rng.randint(1, 99)}@example.org"
        benefits = weighted(rng, BENEFITS)
        if plan.on_benefits and benefits == JobSeeker.Benefits.NO:
            benefits = JobSeeker.Benefits.YES
        plan.details = {
            "first_name": plan.first_name,
            "last_name": plan.last_name,
            "email": email,
            "phone": self.phone(rng.choice(["06", "07"])),
            "address": self.address(town),
            "postcode": town["postcode"],
            "town": town["town"],
            "latitude": self.near(town["latitude"], 0.01) if located else None,
            "longitude": self.near(town["longitude"], 0.01) if located else None,
            "referral_date": plan.referral_date,
            "referral_source": weighted(rng, REFERRAL_SOURCES),
            "receives_benefits": benefits,
        }
        archetype = plan.archetype
        history = rng.sample(archetype["history"], k=rng.randint(1, 2))
        plan.profile = {
            "work_goal": rng.choice(archetype["goals"]),
            "work_history": "\n".join(history),
            "education": rng.choice(archetype["education"]),
            "interests": rng.choice(texts["interests"]),
            "strengths": " ".join(rng.sample(texts["strengths"], k=rng.randint(2, 3))),
            "skills": rng.choice(archetype["skills"]),
            "coping_strategies": rng.choice(texts["coping_strategies"]) if rng.random() < 0.7 else "",
            "networking_contacts": rng.choice(texts["networking_contacts"]),
        }
        min_hours = rng.choice(MIN_HOURS_CHOICES)
        days = [day for day in DAY_CODES[:5] if rng.random() < 0.85] or ["mon", "tue", "thu"]
        days += [day for day, share in (("sat", 0.3), ("sun", 0.1)) if rng.random() < share]
        plan.preference = {
            "job_types": plan.wanted_job_types,
            "industries": plan.wanted_industries,
            "avoid_job_types": plan.avoided_job_types,
            "min_hours_per_week": min_hours,
            "max_hours_per_week": min(35, min_hours + rng.choice([0, 5, 10, 12, 15])),
            "days": days,
            "shifts": list(rng.choice(SHIFT_PATTERNS)),
            "places": rng.choice(self.data.places["places_wanted"]).format(town=town["town"]),
            "max_travel_minutes": rng.choice(TRAVEL_MINUTES_CHOICES),
            "max_distance_km": rng.choice([None, None, 10, 15, 20, 30]),
            "min_hourly_pay": Decimal(rng.choice(MIN_HOURLY_PAY_CHOICES)),
            "things_to_avoid": rng.choice(texts["things_to_avoid"]) if rng.random() < 0.4 else "",
        }

    def plan_reassignments(self) -> list[tuple[int, str, str]]:
        """A job seeker referred to one specialist and handed to a colleague of the other
        team at enrolment (a move across town): the referral is recorded by the first."""
        reassignments = []
        for source, target in REASSIGNMENTS:
            candidates = [
                plan for plan in self.plans if plan.specialist == target and plan.referred_by == target and plan.story
            ]
            if candidates:
                plan = self.rng.choice(candidates)
                plan.referred_by = source
                reassignments.append((plan.index, source, target))
        return reassignments

    # -- employers ---------------------------------------------------------------------------

    def plan_employers(self) -> None:
        towns = self.data.places["towns"]
        roles = self.data.people["roles"]
        for index, row in enumerate(self.data.employers):
            employer = EmployerPlan(
                index=index,
                name=row["name"],
                industry=row["industry"],
                size=row["size"],
                postcode=row["postcode"],
                description=row["description"],
                jobs=[(job["title"], job["job_type"]) for job in row["jobs"]],
                sheltered=row["sheltered"],
            )
            employer.sites.append(self.site(self.towns[row["postcode"]], main=True))
            if self.rng.random() < SECOND_SITE_SHARE:
                other_town = self.rng.choice([town for town in towns if town["postcode"] != row["postcode"]])
                employer.sites.append(self.site(other_town, main=False))
            micro = employer.size == "micro"
            count = 1 if micro or self.rng.random() >= SECOND_PERSON_SHARE else 2
            domain = ascii_slug(employer.name, "-")
            for position in range(count):
                first_name, last_name, female = self.person_name()
                pool = (roles["hiring_micro"] if micro else roles["hiring_larger"]) if position == 0 else roles["other"]
                role = self.rng.choice(pool)["feminine" if female else "masculine"]
                site = 0 if position == 0 else self.rng.randrange(len(employer.sites))
                email = ""
                if self.rng.random() < 0.7:
                    email = f"{ascii_slug(first_name)}.{ascii_slug(last_name)}@{domain}.example"
                employer.people.append(
                    PersonPlan(
                        name=f"{first_name} {last_name}",
                        role=role,
                        site=site,
                        has_hiring_authority=position == 0 or self.rng.random() < 0.3,
                        preferred_channel=weighted(self.rng, CONTACT_CHANNELS),
                        phone=self.phone("04 91" if employer.sites[site].town == "Marseille" else "04 42"),
                        email=email,
                    )
                )
            self.employers.append(employer)

    def site(self, town: dict, *, main: bool) -> SitePlan:
        located = self.rng.random() >= SITE_WITHOUT_COORDINATES_SHARE
        return SitePlan(
            name="" if main else self.data.job_development["site_name"].format(town=town["town"]),
            address=self.address(town),
            postcode=town["postcode"],
            town=town["town"],
            latitude=self.near(town["latitude"]) if located else None,
            longitude=self.near(town["longitude"]) if located else None,
        )

    def plan_employer_creation(self) -> None:
        """Each employer is added to the program shortly before anyone needs it: the
        first visit planned or logged, the first offer; the others at the start."""
        first_use: dict[int, tuple[date, str]] = {}

        def use(index: int, day: date, username: str) -> None:
            if index not in first_use or day < first_use[index][0]:
                first_use[index] = (day, username)

        for contact in self.contacts:
            moment = contact.planned_at or contact.recorded_at
            use(contact.employer_index, moment.date(), contact.specialist)
        for plan in self.plans:
            for placement in plan.placements:
                use(placement.employer_index, placement.offer_date, plan.specialist)
        for opening in self.openings:
            use(opening.employer_index, opening.learned_on, opening.specialist)
        earliest = min(plan.referral_date for plan in self.plans)
        for employer in self.employers:
            if employer.index in first_use:
                day, username = first_use[employer.index]
                employer.created_on = max(min(earliest, day), day - timedelta(days=self.rng.randint(0, 6)))
                employer.created_by = username
            else:
                employer.created_on = earliest
                employer.created_by = self.rng.choice(SPECIALISTS)

    # -- job development: employer contacts ----------------------------------------------

    def plan_employer_contacts(self) -> None:
        self.stretches = [plan.search_stretches() for plan in self.plans]
        with_placement = {placement.employer_index for plan in self.plans for placement in plan.placements}
        sheltered = {employer.index for employer in self.employers if employer.sheltered}
        others = [employer.index for employer in self.employers if employer.index not in with_placement | sheltered]
        never = set(self.rng.sample(others, k=min(NEVER_CONTACTED_EMPLOYERS, len(others))))
        # Job development looks for ordinary jobs: not the sheltered employer's reserved posts.
        self.prospects = [employer.index for employer in self.employers if employer.index not in never | sheltered]
        for plan in self.plans:
            self.placement_visits(plan.index)
        for plan in self.plans:
            self.first_visits(plan.index)
        self.weekly_contacts()
        self.upcoming_contacts()
        self.contacts.sort(key=lambda contact: contact.starts_at)  # stable: ties keep their planning order
        # Disclosure is discussed before any employer is approached on someone's behalf.
        for contact in self.contacts:
            if contact.status == EmployerContact.Status.PLANNED:
                continue
            for index in contact.job_seekers:
                if self.plans[index].disclosure == JobSeeker.Disclosure.UNDECIDED:
                    self.plans[index].disclosure = JobSeeker.Disclosure.PARTIAL
        self.choose_openings()
        for contact in self.contacts:
            self.fill_outcome(contact)

    def first_face_to_face(self, index: int, since: date) -> ContactPlan | None:
        for contact in self.contacts:  # sorted by start
            if contact.counts_for_rapid_search and index in contact.job_seekers and contact.day >= since:
                return contact
        return None

    @staticmethod
    def weekdays(low: date, high: date) -> list[date]:
        days = (low + timedelta(days=offset) for offset in range((high - low).days + 1))
        return [day for day in days if day.weekday() < 5]

    def this_monday(self) -> date:
        return self.today - timedelta(days=self.today.weekday())

    def is_free(self, user: str, start: datetime, end: datetime, visit: bool) -> bool:
        """No overlap with the user's other contacts that day, with time to travel between visits."""
        for other_start, other_end, other_visit in self.busy.get((user, start.date()), []):
            margin = timedelta(minutes=45 if visit and other_visit else 15)
            if start < other_end + margin and other_start < end + margin:
                return False
        return True

    def reserve(self, user: str, day: date, start_time: time, minutes: int, *, visit: bool):
        start = datetime.combine(day, start_time, self.zone)
        end = start + timedelta(minutes=minutes)
        self.busy.setdefault((user, day), []).append((start, end, visit))
        return start, end

    def book(self, user: str, days: list[date], minutes: int, *, visit: bool, future: bool = False):
        """A free slot on the first of `days` that has one: before today (a past contact)
        or from today on (a planned one)."""
        starts = VISIT_STARTS if visit else CALL_STARTS
        for day in days:
            if (day < self.today) if future else (day >= self.today):
                continue
            for start_time in self.rng.sample(starts, k=len(starts)):
                start = datetime.combine(day, start_time, self.zone)
                end = start + timedelta(minutes=minutes)
                if self.is_free(user, start, end, visit):
                    return self.reserve(user, day, start_time, minutes, visit=visit)
        return None

    @staticmethod
    def nearest_first(days: list[date], day: date) -> list[date]:
        return sorted(days, key=lambda other: (abs((other - day).days), other))

    def fit(self, index: int, employer_index: int) -> int:
        """How well an employer's jobs fit job seeker `index`'s preference: 3 a wanted job
        type, 1 a wanted industry, 0 otherwise or when all its jobs are ones to avoid."""
        plan = self.plans[index]
        employer = self.employers[employer_index]
        codes = employer.job_type_codes
        if codes <= set(plan.avoided_job_types):
            return 0
        if codes & set(plan.wanted_job_types):
            return 3
        return 1 if employer.industry in plan.wanted_industries else 0

    def fitting_employer(self, user: str, indices: list[int], pool: list[int] | None = None, *, around=None) -> int:
        """An employer whose jobs fit the job seekers, preferably one the user already knows,
        and not one the user sees within two days of `around` anyway."""
        pool = pool or self.prospects
        if around is not None:
            pool = [employer for employer in pool if not self.seen_around(user, employer, around)] or pool
        weights = [
            max((self.fit(index, employer) for index in indices), default=0)
            * (2 if (user, employer) in self.visited else 1)
            for employer in pool
        ]
        if not any(weights):
            return self.rng.choice(pool)
        return self.rng.choices(pool, weights=weights)[0]

    def seen_around(self, user: str, employer: int, day: date) -> bool:
        return any(abs((other - day).days) <= 2 for other in self.contact_days.get((user, employer), []))

    def in_job_search(self, index: int, day: date, *, held_visit: bool) -> bool:
        """Whether job development goes on for job seeker `index` on `day`: in job search
        for two days at least, no offer accepted yet. A held visit comes after the first
        visit planned for the stretch, and never for those still waiting for one."""
        plan = self.plans[index]
        if held_visit and plan.waiting:
            return False
        for start, until in self.stretches[index]:
            if start + timedelta(days=2) <= day and (until is None or day < until):
                first = plan.first_visits.get(start)
                return not held_visit or first is None or day > first
        return False

    def face_to_face_mode(self, index: int, *, held: bool = True) -> str:
        """Someone who does not want their condition disclosed meets employers themselves,
        prepared with the specialist; others now and then too."""
        if self.plans[index].disclosure == JobSeeker.Disclosure.NONE and self.rng.random() < 0.8:
            return EmployerContact.Mode.JOB_SEEKER
        if held and self.rng.random() < JOB_SEEKER_MADE_CONTACT_SHARE:
            return EmployerContact.Mode.JOB_SEEKER
        return EmployerContact.Mode.IN_PERSON

    def second_job_seeker(self, candidates: list[int], primary: int, employer: int, share: float) -> list[int]:
        """A visit on behalf of two job seekers whose wishes fit the employer, when both
        agree to the specialist speaking for them."""
        if self.rng.random() >= share:
            return [primary]
        others = [
            index
            for index in candidates
            if index != primary
            and self.fit(index, employer)
            and self.plans[index].disclosure != JobSeeker.Disclosure.NONE
        ]
        if not others or self.plans[primary].disclosure == JobSeeker.Disclosure.NONE:
            return [primary]
        return [primary, self.rng.choice(others)]

    def searching_now(self, index: int) -> bool:
        return self.plans[index].status == JobSeeker.Status.JOB_SEARCH and self.stretches[index][-1][1] is None

    def add_contact(
        self,
        user: str,
        employer_index: int,
        when: tuple[datetime, datetime],
        *,
        mode: str = EmployerContact.Mode.IN_PERSON,
        purpose: str = EmployerContact.Purpose.ON_BEHALF,
        status: str = EmployerContact.Status.HELD,
        job_seekers: list[int] | None = None,
        main_site: bool = False,
        **extra,
    ) -> ContactPlan:
        employer = self.employers[employer_index]
        site = None  # a call or an email has no place
        if mode in EmployerContact.FACE_TO_FACE_MODES:
            site = 0 if main_site or len(employer.sites) == 1 or self.rng.random() < 0.8 else 1
        person = None
        if employer.people and (mode != EmployerContact.Mode.JOB_SEEKER or self.rng.random() < 0.5):
            person = 0 if len(employer.people) == 1 or self.rng.random() < 0.7 else 1
        contact = ContactPlan(
            specialist=user,
            employer_index=employer_index,
            site=site,
            person=person,
            starts_at=when[0],
            ends_at=when[1],
            mode=mode,
            purpose=purpose,
            status=status,
            job_seekers=list(job_seekers or []),
            **extra,
        )
        if status == EmployerContact.Status.CANCELLED and not contact.cancel_reason:
            contact.cancel_reason = self.rng.choice(self.data.job_development["cancel_reasons"])
        self.contacts.append(contact)
        for index in contact.job_seekers:
            self.contact_counts[index] = self.contact_counts.get(index, 0) + 1
        self.visited.add((user, employer_index))
        self.contacted.add(employer_index)
        self.contact_days.setdefault((user, employer_index), []).append(contact.day)
        return contact

    def placement_visits(self, index: int) -> None:
        """One or two visits to the employer on the job seeker's behalf before each offer:
        no job without employer contacts."""
        plan = self.plans[index]
        user = plan.specialist
        yesterday = self.today - timedelta(days=1)
        for placement in plan.placements:
            offer = placement.offer_date
            stretch = next(
                (
                    start
                    for start, until in self.stretches[index]
                    if start <= offer and (until is None or offer <= until)
                ),
                None,
            )
            if stretch is not None:
                low = max(offer - timedelta(days=35), stretch + timedelta(days=1))
            else:  # a better job found while working
                started = [
                    other.start_date for other in plan.placements if other.start_date and other.start_date < offer
                ]
                low = max(offer - timedelta(days=35), max(started, default=offer) + timedelta(days=7))
            high = min(offer - timedelta(days=1), yesterday)
            days = self.weekdays(min(low, high), high) or [weekday_on_or_before(high)]
            count = 2 if len(days) >= 5 and self.rng.random() < 0.65 else 1
            chosen = sorted(self.rng.sample(days, k=count))
            for position, day in enumerate(chosen):
                when = self.book(user, self.nearest_first(days, day), self.rng.choice(VISIT_MINUTES), visit=True)
                if when is None:
                    continue
                self.add_contact(
                    user,
                    placement.employer_index,
                    when,
                    mode=self.face_to_face_mode(index),
                    job_seekers=[index],
                    main_site=True,
                    placement=placement,
                    offer_coming=position == count - 1,
                )

    def first_visits(self, index: int) -> None:
        """The first face-to-face employer contact of each job-search stretch: mostly
        within the IPS 30 days, now and then later for the specialist with less time."""
        plan = self.plans[index]
        if plan.waiting:
            return
        user = plan.specialist
        yesterday = self.today - timedelta(days=1)
        for start, until in self.stretches[index]:
            earlier = [
                contact.day
                for contact in self.contacts
                if index in contact.job_seekers
                and contact.counts_for_rapid_search
                and start <= contact.day
                and (until is None or contact.day < until)
            ]
            last = yesterday if until is None else min(until - timedelta(days=1), yesterday)
            if (last - start).days < 3:
                if earlier:
                    plan.first_visits[start] = min(earlier)
                continue
            late = user == "specialist3" and self.rng.random() < 0.3
            target = start + timedelta(days=self.rng.randint(25, 38) if late else self.rng.randint(4, 20))
            if target > last:
                target = start + timedelta(days=self.rng.randint(3, min(13, (last - start).days)))
            if earlier and min(earlier) <= target:  # a visit towards the job offered came first
                plan.first_visits[start] = min(earlier)
                continue
            days = self.weekdays(start + timedelta(days=2), last)
            when = self.book(user, self.nearest_first(days, target), self.rng.choice(VISIT_MINUTES), visit=True)
            if when is None:
                continue
            employer = self.fitting_employer(user, [index], around=when[0].date())
            contact = self.add_contact(user, employer, when, mode=self.face_to_face_mode(index), job_seekers=[index])
            plan.first_visits[start] = contact.day

    def weekly_contacts(self) -> None:
        """Sixteen weeks and the current one, up to yesterday; everyone takes a week off."""
        weeks = [self.this_monday() - timedelta(weeks=count) for count in range(CONTACT_WEEKS, -1, -1)]
        for user in [*SPECIALISTS, LEADER]:
            week_off = self.rng.choice(weeks[1:-4])
            for monday in weeks:
                if monday == week_off:
                    continue
                days = [monday + timedelta(days=offset) for offset in range(5)]
                if user == LEADER:
                    self.leader_week(user, days)
                else:
                    self.specialist_week(user, days)

    def specialist_week(self, user: str, days: list[date]) -> None:
        target = self.rng.choice(WEEKLY_VISITS[user])
        already = sum(
            1
            for contact in self.contacts
            if contact.specialist == user and contact.counts_for_rapid_search and days[0] <= contact.day <= days[-1]
        )
        for _ in range(target - already):
            self.visit_on_behalf(user, self.rng.choice(days))
        for _ in range(weighted(self.rng, RELATIONSHIP_VISITS)):
            self.relationship_visit(user, self.rng.choice(days))
        for _ in range(self.rng.randint(1, 3)):
            self.call(user, self.rng.choice(days))
        if self.rng.random() < 0.3:
            self.visit_on_behalf(user, self.rng.choice(days), status=EmployerContact.Status.CANCELLED)
        if self.rng.random() < 0.12:
            self.visit_on_behalf(user, self.rng.choice(days), status=EmployerContact.Status.NO_SHOW)

    def leader_week(self, user: str, days: list[date]) -> None:
        """The team leader builds relationships with employers for the team."""
        for _ in range(weighted(self.rng, LEADER_RELATIONSHIP_VISITS)):
            self.relationship_visit(user, self.rng.choice(days))
        if self.rng.random() < 0.5:
            self.call(user, self.rng.choice(days))
        if self.rng.random() < 0.1:
            self.relationship_visit(user, self.rng.choice(days), status=EmployerContact.Status.CANCELLED)

    def visit_on_behalf(self, user: str, day: date, *, status: str = EmployerContact.Status.HELD) -> None:
        if day >= self.today:
            return
        held = status == EmployerContact.Status.HELD
        eligible = [index for index in self.caseloads[user] if self.in_job_search(index, day, held_visit=held)]
        if not eligible:
            return
        weights = [1 / (1 + self.contact_counts.get(index, 0)) for index in eligible]
        primary = self.rng.choices(eligible, weights=weights)[0]
        employer = self.fitting_employer(user, [primary], around=day)
        mode = self.face_to_face_mode(primary, held=held)
        job_seekers = [primary]
        if mode == EmployerContact.Mode.IN_PERSON:
            job_seekers = self.second_job_seeker(eligible, primary, employer, SECOND_JOB_SEEKER_SHARE)
        if not held:
            mode = EmployerContact.Mode.IN_PERSON  # a cancelled or missed visit was the specialist's
        when = self.book(user, [day], self.rng.choice(VISIT_MINUTES), visit=True)
        if when is not None:
            self.add_contact(user, employer, when, mode=mode, status=status, job_seekers=job_seekers)

    def relationship_visit(self, user: str, day: date, *, status: str = EmployerContact.Status.HELD) -> None:
        if day >= self.today:
            return
        new = [employer for employer in self.prospects if employer not in self.contacted]
        pool = new if new and self.rng.random() < 0.5 else self.prospects
        employer = self.rng.choice([other for other in pool if not self.seen_around(user, other, day)] or pool)
        when = self.book(user, [day], self.rng.choice(VISIT_MINUTES[1:]), visit=True)
        if when is None:
            return
        reasons = self.data.job_development["cancel_reasons"]
        reason = self.rng.choice(reasons[:-1]) if status == EmployerContact.Status.CANCELLED else ""
        self.add_contact(
            user, employer, when, purpose=EmployerContact.Purpose.RELATIONSHIP, status=status, cancel_reason=reason
        )

    def call(self, user: str, day: date) -> None:
        """A phone call, email or video call, logged after the fact (15 minutes)."""
        if day >= self.today:
            return
        mode = weighted(self.rng, CALL_MODES)
        job_seekers = []
        if self.rng.random() < 0.55:
            eligible = [
                index
                for index in self.caseloads.get(user, [])
                if self.in_job_search(index, day, held_visit=False)
                and self.plans[index].disclosure != JobSeeker.Disclosure.NONE
            ]
            if eligible:
                job_seekers = [self.rng.choice(eligible)]
        if job_seekers:
            known = [
                employer
                for employer in self.prospects
                if (user, employer) in self.visited and self.fit(job_seekers[0], employer)
            ]
            employer = self.rng.choice(known) if known else self.fitting_employer(user, job_seekers)
        else:
            known = [employer for employer in self.prospects if employer in self.contacted]
            employer = self.rng.choice(known or self.prospects)
        when = self.book(user, [day], LOGGED_CALL_MINUTES, visit=False)
        if when is None:
            return
        purpose = EmployerContact.Purpose.ON_BEHALF if job_seekers else EmployerContact.Purpose.RELATIONSHIP
        self.add_contact(user, employer, when, mode=mode, purpose=purpose, job_seekers=job_seekers)

    def upcoming_contacts(self) -> None:
        """What is planned for the rest of this week and the next: visits on behalf of the
        job seekers searching now (first those still waiting for one), a few
        relationship visits, one visit already cancelled."""
        next_monday = self.this_monday() + timedelta(weeks=1)
        days = self.weekdays(self.today, next_monday + timedelta(days=4))
        this_week = [day for day in days if day < next_monday]
        next_week = [day for day in days if day >= next_monday]
        self.planner_warnings(SPECIALISTS[0], days)
        for position, user in enumerate(SPECIALISTS):
            searching = [index for index in self.caseloads[user] if self.searching_now(index)]
            if not searching:
                continue
            per_day = [(1, 2), (0, 2), (0, 1)][position]
            visit_days = [day for day in this_week for _ in range(self.rng.randint(*per_day))]
            coming = UPCOMING_VISITS[user] + self.rng.randint(-1, 1)
            visit_days += [self.rng.choice(next_week) for _ in range(coming)]
            waiting = [index for index in searching if self.plans[index].waiting]
            for count, day in enumerate(sorted(visit_days)):
                if count < len(waiting):
                    primary = waiting[count]
                else:
                    weights = [1 / (1 + self.contact_counts.get(index, 0)) for index in searching]
                    primary = self.rng.choices(searching, weights=weights)[0]
                employer = self.fitting_employer(user, [primary], around=day)
                mode = self.face_to_face_mode(primary, held=False)
                if mode == EmployerContact.Mode.JOB_SEEKER:
                    mode = EmployerContact.Mode.IN_PERSON  # planned with the specialist, who goes along
                job_seekers = self.second_job_seeker(searching, primary, employer, 0.2)
                minutes = self.rng.choice(VISIT_MINUTES)
                when = self.book(user, self.nearest_first(days, day)[:3], minutes, visit=True, future=True)
                if when is not None:
                    self.add_contact(
                        user, employer, when, mode=mode, status=EmployerContact.Status.PLANNED, job_seekers=job_seekers
                    )
            if self.rng.random() < 0.5:
                self.planned_relationship_visit(user, next_week)
            if position == 1:  # the employer asked to move a visit; a new date is to be found
                weights = [1 / (1 + self.contact_counts.get(index, 0)) for index in searching]
                primary = self.rng.choices(searching, weights=weights)[0]
                when = self.book(user, next_week, 45, visit=True, future=True)
                if when is not None:
                    self.add_contact(
                        user,
                        self.fitting_employer(user, [primary]),
                        when,
                        status=EmployerContact.Status.CANCELLED,
                        job_seekers=[primary],
                        cancel_reason=self.data.job_development["cancel_reasons"][0],
                    )
        for day in this_week:
            if self.rng.random() < 0.3:
                self.planned_relationship_visit(LEADER, [day])
        for _ in range(2):
            self.planned_relationship_visit(LEADER, next_week)

    def planned_relationship_visit(self, user: str, days: list[date]) -> None:
        if not days:
            return
        new = [employer for employer in self.prospects if employer not in self.contacted]
        employer = self.rng.choice(new or self.prospects)
        when = self.book(user, self.rng.sample(days, k=len(days)), 60, visit=True, future=True)
        if when is not None and not self.seen_around(user, employer, when[0].date()):
            self.add_contact(
                user,
                employer,
                when,
                purpose=EmployerContact.Purpose.RELATIONSHIP,
                status=EmployerContact.Status.PLANNED,
            )

    def planner_warnings(self, user: str, days: list[date]) -> None:
        """Specialist 1's coming days show what the week planner warns about: two visits
        in different towns with too little time to travel between them, and an overlap."""
        searching = [
            index
            for index in self.caseloads[user]
            if self.searching_now(index) and self.plans[index].disclosure != JobSeeker.Disclosure.NONE
        ]
        in_town = [index for index in self.prospects if self.employers[index].postcode.startswith("130")]
        out_of_town = [index for index in self.prospects if not self.employers[index].postcode.startswith("130")]

        def visit(day, start, minutes, pool):
            job_seekers = [self.rng.choice(searching)] if searching else []
            employer = self.fitting_employer(user, job_seekers, pool, around=day)
            self.add_contact(
                user,
                employer,
                self.reserve(user, day, start, minutes, visit=True),
                purpose=EmployerContact.Purpose.ON_BEHALF if job_seekers else EmployerContact.Purpose.RELATIONSHIP,
                status=EmployerContact.Status.PLANNED,
                job_seekers=job_seekers,
                main_site=True,
            )

        if not days:
            return
        travel_day = days[0]
        visit(travel_day, time(9, 30), 60, in_town)  # ends 10:30 in Marseille...
        visit(travel_day, time(10, 45), 45, out_of_town)  # ...15 minutes to reach another town
        afternoons = [day for day in days if day > travel_day]
        if not afternoons:
            return
        overlap_day = afternoons[0]
        visit(overlap_day, time(14), 60, self.prospects)
        known = [
            employer
            for employer in self.prospects
            if employer in self.contacted and not self.seen_around(user, employer, overlap_day)
        ]
        self.add_contact(
            user,
            self.rng.choice(known or self.prospects),
            self.reserve(user, overlap_day, time(14, 30), 30, visit=False),
            mode=EmployerContact.Mode.VIDEO,
            purpose=EmployerContact.Purpose.RELATIONSHIP,
            status=EmployerContact.Status.PLANNED,
        )

    # -- what was learned at each contact -----------------------------------------------

    def choose_openings(self) -> None:
        """About 25 job openings, each learned of at or after a held contact with the
        employer in the last sixteen weeks: the jobs our job seekers got (filled when the
        offer was accepted), and others, open, filled or closed."""
        texts = self.data.job_development
        window = self.this_monday() - timedelta(weeks=CONTACT_WEEKS)
        taken: set[int] = set()
        for contact in self.contacts:
            placement = contact.placement
            if (
                placement is None
                or not contact.offer_coming
                or not placement.is_competitive
                or contact.day < window
                or contact.status != EmployerContact.Status.HELD
                or contact.employer_index in taken
            ):
                continue
            taken.add(contact.employer_index)
            person = self.person_named(contact)
            opening = OpeningPlan(
                employer_index=contact.employer_index,
                specialist=contact.specialist,
                title=placement.job_title,
                code=placement.job_type_code,
                hours=int(placement.hours_per_week),
                shifts=self.rng.choice(OPENING_SHIFTS),
                pay=placement.hourly_pay,
                source=JobOpening.Source.EMPLOYER_CONTACT,
                learned_on=contact.day,
                note=self.rng.choice(texts["opening_notes"]["open"]).format(person=person),
                later=(placement.offer_date, JobOpening.Status.FILLED, texts["our_hire_note"]),
                placement=placement,
            )
            contact.opening = opening
            self.openings.append(opening)
        candidates = [
            contact
            for contact in self.contacts
            if contact.status == EmployerContact.Status.HELD
            and contact.mode in EmployerContact.FACE_TO_FACE_MODES
            and contact.day >= window
            and contact.placement is None
        ]
        # Half of them learned of in the last six weeks, most still open.
        recent = [contact for contact in candidates if (self.today - contact.day).days <= 42]
        older = [contact for contact in candidates if (self.today - contact.day).days > 42]
        self.rng.shuffle(recent)
        self.rng.shuffle(older)
        candidates = [contact for pair in zip_longest(recent, older) for contact in pair if contact is not None]
        drawn = {True: 0, False: 0}
        yesterday = self.today - timedelta(days=1)
        for contact in candidates:
            if len(self.openings) >= JOB_OPENINGS:
                break
            if contact.employer_index in taken:
                continue
            taken.add(contact.employer_index)
            jobs = self.employers[contact.employer_index].jobs
            wanted = {code for index in contact.job_seekers for code in self.plans[index].wanted_job_types}
            title, code = self.rng.choice([job for job in jobs if job[1] in wanted] or jobs)
            source = weighted(self.rng, OPENING_SOURCES)
            learned_on = contact.day
            if source != JobOpening.Source.EMPLOYER_CONTACT:  # heard of later, elsewhere
                learned_on = min(yesterday, contact.day + timedelta(days=self.rng.randint(1, 10)))
            is_older = (self.today - learned_on).days > 42
            statuses = OLDER_OPENING_STATUSES if is_older else RECENT_OPENING_STATUSES
            status = statuses[drawn[is_older] % len(statuses)]
            drawn[is_older] += 1
            person = self.person_named(contact)
            later = None
            if status != JobOpening.Status.OPEN:
                since = min(yesterday, learned_on + timedelta(days=self.rng.randint(7, 35)))
                if since > learned_on:
                    later = (since, status, self.rng.choice(texts["opening_notes"][status]))
            opening = OpeningPlan(
                employer_index=contact.employer_index,
                specialist=contact.specialist,
                title=title,
                code=code,
                hours=self.rng.choice(OPENING_HOURS),
                shifts=self.rng.choice(OPENING_SHIFTS),
                pay=Decimal(self.rng.randint(1188, 1450)) / 100,
                source=source,
                learned_on=learned_on,
                note=self.rng.choice(texts["opening_notes"]["open"]).format(person=person),
                later=later,
            )
            if source == JobOpening.Source.EMPLOYER_CONTACT:
                contact.opening = opening
            self.openings.append(opening)

    def person_named(self, contact: ContactPlan) -> str:
        if contact.person is None:
            return "la direction"
        return self.employers[contact.employer_index].people[contact.person].name

    def fill_outcome(self, contact: ContactPlan) -> None:
        """What the specialist records: the outcome of a held contact (hiring needs,
        process, best time to apply, result, next step), a no-show's, or the aim of a
        planned visit."""
        rng, texts = self.rng, self.data.job_development
        names = " et ".join(self.plans[index].first_name for index in contact.job_seekers)
        person = self.person_named(contact)
        employer = self.employers[contact.employer_index]
        de_job = of_job(rng.choice(employer.jobs)[0])
        if contact.job_seekers:
            contact.aim = texts["planned_next_step"].format(names=names)
        outcome = {}
        if contact.status == EmployerContact.Status.NO_SHOW:
            step = texts["no_show_next_step"]
            outcome.update(
                result=rng.choice(texts["no_show_results"]).format(person=person),
                next_step=step["text"],
                next_step_on=weekday_on_or_after(contact.day + timedelta(days=step["days"])),
            )
        elif contact.status == EmployerContact.Status.HELD:
            face_to_face = contact.mode in EmployerContact.FACE_TO_FACE_MODES
            on_behalf = contact.purpose == EmployerContact.Purpose.ON_BEHALF
            if contact.person is not None:
                outcome["met_hiring_authority"] = employer.people[contact.person].has_hiring_authority
            opening = contact.opening
            learned_job_types: list[str] = []
            if opening is not None:
                outcome["learned_hiring_needs"] = texts["opening_needs"].format(
                    de_job=of_job(opening.title),
                    hours=opening.hours,
                    shifts=" et ".join(texts["shift_words"][shift] for shift in opening.shifts),
                )
                learned_job_types = [opening.code]
            elif face_to_face or rng.random() < 0.4:
                outcome["learned_hiring_needs"] = rng.choice(texts["hiring_needs"]).format(de_job=de_job)
            if face_to_face and rng.random() < 0.4:
                codes = list(dict.fromkeys(code for _title, code in employer.jobs))
                extra = rng.sample(codes, k=rng.randint(1, len(codes)))
                learned_job_types = list(dict.fromkeys(learned_job_types + extra))
            if learned_job_types:
                outcome["learned_job_types"] = learned_job_types
            if face_to_face and rng.random() < 0.6:
                role = (
                    lower_first(employer.people[contact.person].role) if contact.person is not None else "la direction"
                )
                outcome["learned_hiring_process"] = rng.choice(texts["hiring_processes"]).format(
                    role=f"{person} ({role})"
                )
            if face_to_face and rng.random() < 0.5:
                outcome["best_time_to_apply"] = rng.choice(texts["best_times"])
            if contact.offer_coming:
                result = texts["offer_coming_result"].format(names=names, de_job=of_job(contact.placement.job_title))
            elif contact.mode == EmployerContact.Mode.JOB_SEEKER:
                result = rng.choice(texts["job_seeker_made_contact_results"])
            elif contact.mode == EmployerContact.Mode.IN_PERSON and on_behalf:
                result = rng.choice(texts["on_behalf_results"])
            elif contact.mode == EmployerContact.Mode.IN_PERSON:
                first = contact.employer_index not in {
                    other.employer_index
                    for other in self.contacts
                    if other.starts_at < contact.starts_at and other.status == EmployerContact.Status.HELD
                }
                result = rng.choice(texts["first_relationship_results"] if first else texts["relationship_results"])
            else:
                pool = texts["call_results"][contact.mode] if on_behalf else texts["relationship_call_results"]
                result = rng.choice(pool)
            outcome["result"] = result.format(names=names, person=person)
            step = None
            if contact.offer_coming:
                step = texts["offer_coming_next_step"]
            elif rng.random() < 0.7:
                step = rng.choice(texts["on_behalf_next_steps"] if on_behalf else texts["relationship_next_steps"])
            if step is not None:
                first_name = self.plans[contact.job_seekers[0]].first_name if contact.job_seekers else ""
                outcome["next_step"] = step["text"].format(person=person, name=first_name)
                outcome["next_step_on"] = weekday_on_or_after(contact.day + timedelta(days=step["days"]))
        contact.outcome = outcome

    def plan_contact_timing(self) -> None:
        """When each contact is written: a visit is planned at the end of an earlier
        working day (or that morning), now and then moved once, cancelled some hours or
        a day before, and its outcome recorded just after it; calls and the job seeker's
        own visits are logged after the fact."""
        for contact in self.contacts:
            past = contact.status != EmployerContact.Status.PLANNED
            by_job_seeker = contact.mode == EmployerContact.Mode.JOB_SEEKER
            if past and (contact.mode not in EmployerContact.FACE_TO_FACE_MODES or by_job_seeker):
                # Logged after the fact: a call when it ends, the job seeker's visit that evening.
                later = timedelta(minutes=5) if contact.mode != EmployerContact.Mode.JOB_SEEKER else timedelta(hours=2)
                contact.recorded_at = contact.ends_at + later
                continue
            earliest = self.earliest_planning(contact)
            if contact.day >= self.today:  # planned (or already cancelled) for the coming days
                lead = self.rng.randint(1, 7)
                day = max(earliest, weekday_on_or_before(self.today - timedelta(days=lead)))
            else:
                day = max(
                    earliest, weekday_on_or_before(contact.day - timedelta(days=self.rng.choice(PLANNING_LEAD_DAYS)))
                )
            day = min(day, contact.day)
            if day < contact.day:
                contact.planned_at = datetime.combine(day, PLANNING_TIME, self.zone)
            else:
                contact.planned_at = contact.starts_at - timedelta(minutes=45)
            contact.confirmed = self.rng.random() < CONFIRMED_SHARE
            if day < contact.day and self.rng.random() < RESCHEDULED_SHARE:
                # First planned a day or two later, then moved (the employer asked for it).
                shift = timedelta(days=1 if contact.starts_at.weekday() < 4 else 3)
                contact.first_starts_at = contact.starts_at + shift
                contact.rescheduled_at = contact.planned_at + timedelta(hours=1)
            if contact.status == EmployerContact.Status.CANCELLED:
                before = contact.starts_at - timedelta(hours=self.rng.choice([2, 3, 18, 20, 26]))
                contact.cancelled_at = max(before, (contact.rescheduled_at or contact.planned_at) + timedelta(hours=1))
                if contact.cancelled_at >= contact.starts_at or contact.starts_at.date() >= self.today:
                    # Cancelled last thing on a past day (planned visits ahead are cancelled before today).
                    contact.cancelled_at = min(
                        contact.starts_at - timedelta(minutes=30),
                        datetime.combine(self.today - timedelta(days=1), time(18, 0), self.zone),
                    )
            elif contact.status in (EmployerContact.Status.HELD, EmployerContact.Status.NO_SHOW):
                contact.recorded_at = contact.ends_at + timedelta(minutes=10)

    def earliest_planning(self, contact: ContactPlan) -> date:
        """Nobody plans a visit for a job seeker before enrolling them."""
        days = [self.plans[index].enrolment_date for index in contact.job_seekers]
        return max(days, default=contact.day - timedelta(days=30))

    # -- support around jobs ---------------------------------------------------------------------

    def plan_support(self) -> None:
        """Job ends and their reports, benefits steps, workplace adjustments, changes to
        follow-along and to the terms of a job, tasks written by hand."""
        yesterday = self.today - timedelta(days=1)
        ended = [placement for plan in self.plans for placement in plan.placements if placement.end_date is not None]
        # The latest job end has no report yet: the task is still to do.
        unreported = max(ended, key=lambda placement: placement.end_date, default=None)
        for placement in ended:
            end = placement.end_date
            placement.contact_after_end_on = min(
                yesterday, weekday_on_or_before(end + timedelta(days=self.rng.randint(1, 3)))
            )
            placement.contact_after_end_on = max(end, placement.contact_after_end_on)
            if placement is not unreported:
                written = weekday_on_or_before(end + timedelta(days=self.rng.randint(4, 9)))
                placement.report_on = min(yesterday, max(placement.contact_after_end_on, written))
        for plan in self.plans:
            for placement in plan.placements:
                self.plan_benefits(plan, placement)
        self.plan_adjustments()
        self.plan_follow_along_changes()
        self.plan_terms_change()
        self.plan_own_tasks()

    def plan_benefits(self, plan: JobSeekerPlan, placement: PlacementPlan) -> None:
        """Work-incentives planning offered with the job (by the offer's handler, for those
        on benefits or not sure): referred, session held, plan in place, before the start."""
        yesterday = self.today - timedelta(days=1)
        offer = placement.offer_date
        referred_on = min(yesterday, weekday_on_or_after(offer + timedelta(days=self.rng.randint(1, 3))))
        session_on = min(yesterday, referred_on + timedelta(days=self.rng.randint(5, 12)))
        plan_on = min(yesterday, session_on + timedelta(days=self.rng.randint(1, 4)))
        steps = []
        if placement.start_date is None:
            if (self.today - offer).days >= 3 and self.rng.random() < 0.6 and referred_on > offer:
                steps = [(BenefitsStep.Status.REFERRED, referred_on)]
        else:
            steps = [(BenefitsStep.Status.REFERRED, referred_on), (BenefitsStep.Status.SESSION_HELD, session_on)]
            if self.rng.random() < 0.8:
                steps.append((BenefitsStep.Status.PLAN_IN_PLACE, plan_on))
        placement.benefits = BenefitsPlan(steps=[(status, day) for status, day in steps if offer < day < self.today])

    def plan_adjustments(self) -> None:
        """A few workplace adjustments at every stage on current jobs; from "requested"
        on, only where the worker consented to disclosure. One for an upcoming start."""
        support = self.data.support
        active = [
            placement
            for plan in self.plans
            for placement in plan.placements
            if placement.status(self.today) == Placement.Status.ACTIVE
            and (self.today - placement.start_date).days >= 14
        ]
        consenting = [
            placement
            for placement in active
            if self.plans[placement.job_seeker].disclosure in (JobSeeker.Disclosure.PARTIAL, JobSeeker.Disclosure.FULL)
        ]
        used: set[int] = set()
        for adjustment in support["accommodations"]:
            final = adjustment["final"]
            needs_consent = final not in (
                Accommodation.Status.IDENTIFIED,
                Accommodation.Status.DISCUSSED,
                Accommodation.Status.DROPPED,
            )
            candidates = [
                placement for placement in (consenting if needs_consent else active) if id(placement) not in used
            ]
            if not candidates:
                continue
            placement = self.rng.choice(candidates)
            used.add(id(placement))
            if final == Accommodation.Status.DROPPED:
                statuses = [Accommodation.Status.IDENTIFIED, Accommodation.Status.DISCUSSED, final]
            else:
                statuses = Accommodation.ORDER[: Accommodation.ORDER.index(final) + 1]
            gaps = [
                self.rng.randint(25, 35) if status == Accommodation.Status.REVIEWED else self.rng.randint(4, 12)
                for status in statuses[1:]
            ]
            last_day = self.today - timedelta(days=self.rng.randint(1, 6))
            day = max(placement.start_date + timedelta(days=1), last_day - timedelta(days=sum(gaps)))
            path = [(statuses[0], day)]
            for status, gap in zip(statuses[1:], gaps, strict=True):
                day = min(self.today - timedelta(days=1), day + timedelta(days=gap))
                path.append((status, day))
            placement.adjustments.append(
                AdjustmentPlan(
                    description=adjustment["description"], consents=needs_consent, path=path, note=adjustment["note"]
                )
            )
        upcoming = [
            placement
            for plan in self.plans
            for placement in plan.placements
            if placement.start_date is None and placement.offer_date < self.today - timedelta(days=1)
        ]
        if upcoming:
            placement = self.rng.choice(upcoming)
            added = placement.offer_date + timedelta(days=1)
            placement.adjustments.append(
                AdjustmentPlan(
                    description=support["upcoming_accommodation"]["description"],
                    consents=False,
                    path=[(Accommodation.Status.IDENTIFIED, added)],
                    note=support["upcoming_accommodation"]["note"],
                )
            )

    def plan_follow_along_changes(self) -> None:
        """Individualized follow-along: one worker chose monthly contacts early on,
        another paused follow-along lately, a long-standing worker agreed to a step-down."""
        support = self.data.support
        active = [
            placement
            for plan in self.plans
            for placement in plan.placements
            if placement.status(self.today) == Placement.Status.ACTIVE
        ]
        used: set[int] = set()
        for change, minimum_days in (("monthly", 45), ("pause", 25), ("step_down", 150)):
            candidates = [
                placement
                for placement in active
                if id(placement) not in used and (self.today - placement.start_date).days >= minimum_days
            ]
            if not candidates:
                continue
            placement = self.rng.choice(candidates)
            used.add(id(placement))
            if change == "monthly":
                day = weekday_on_or_after(placement.start_date + timedelta(days=self.rng.randint(15, 25)))
                arguments = {"frequency": "monthly", "reason": support["monthly_reason_note"]}
                placement.follow_along_changes.append((day, "frequency", arguments))
            elif change == "pause":
                day = weekday_on_or_before(self.today - timedelta(days=self.rng.randint(4, 12)))
                placement.follow_along_changes.append((day, "pause", {"reason": support["pause_reason"]}))
            else:
                day = weekday_on_or_before(self.today - timedelta(days=self.rng.randint(3, 10)))
                step_down = weekday_on_or_after(self.today + timedelta(days=self.rng.randint(21, 35)))
                arguments = {"step_down_date": step_down, "step_down_agreed": True, "reason": support["step_down_note"]}
                placement.follow_along_changes.append((day, "step_down", arguments))

    def plan_terms_change(self) -> None:
        """A worker on benefits got more hours lately: the handler offers a benefits re-check."""
        candidates = [
            placement
            for plan in self.plans
            for placement in plan.placements
            if placement.status(self.today) == Placement.Status.ACTIVE
            and (self.today - placement.start_date).days >= 60
            and not placement.follow_along_changes
        ]
        if not candidates:
            return
        placement = self.rng.choice(candidates)
        recorded = weekday_on_or_before(self.today - timedelta(days=self.rng.randint(8, 14)))
        effective = recorded + timedelta(days=3)
        hours = min(Decimal("35"), (placement.hours_per_week or Decimal("20")) + Decimal("5"))
        if hours == placement.hours_per_week:
            hours -= Decimal("5")
        placement.terms_change = (recorded, effective, hours)
        self.plans[placement.job_seeker].on_benefits = True

    def plan_own_tasks(self) -> None:
        """Tasks written by hand: talk about disclosure with those who have not decided,
        a benefits simulation for some on benefits and searching, an updated CV after a job."""
        yesterday = self.today - timedelta(days=1)
        for plan in self.plans:
            searching_now = plan.status == JobSeeker.Status.JOB_SEARCH
            if plan.disclosure == JobSeeker.Disclosure.UNDECIDED and searching_now:
                created = max(plan.enrolment_date, self.today - timedelta(days=self.rng.randint(3, 20)))
                due = created + timedelta(days=self.rng.randint(5, 15))
                plan.own_tasks.append((created, "disclosure", due, None))
            ended = [
                placement for placement in plan.placements if placement.end_date and placement.end_date < yesterday
            ]
            if ended and searching_now:
                end = ended[-1].end_date
                due = end + timedelta(days=10)
                done = (
                    min(yesterday, due + timedelta(days=self.rng.randint(-3, 2))) if self.rng.random() < 0.7 else None
                )
                plan.own_tasks.append((end + timedelta(days=1), "cv", due, done if done and done > end else None))
            if not (searching_now and not plan.placements and plan.story == "" and self.rng.random() < 0.5):
                continue
            # On benefits (or not sure) and searching: work-incentives planning without a job yet.
            offered = max(
                plan.enrolment_date + timedelta(days=7), self.today - timedelta(days=self.rng.randint(20, 60))
            )
            if offered >= yesterday:
                continue
            steps = []
            referred = offered + timedelta(days=self.rng.randint(2, 6))
            if referred < yesterday and self.rng.random() < 0.7:
                steps.append((BenefitsStep.Status.REFERRED, referred))
                session = referred + timedelta(days=self.rng.randint(7, 14))
                if session < yesterday and self.rng.random() < 0.6:
                    steps.append((BenefitsStep.Status.SESSION_HELD, session))
            plan.benefits_without_job = (offered, steps)
            plan.on_benefits = True


def make_plan(*, seed: int, today: date, zone: ZoneInfo, catalogue: Catalogue) -> Plan:
    return Planner(seed=seed, today=today, zone=zone, catalogue=catalogue).plan()
