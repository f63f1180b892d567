"""The outcomes programs report (docs/outcomes.md): the standard outcome measures of
IPS research (Bond, Drake & Becker 2012), the supervisor's monthly view and the job
ends, for the job seekers and staff the dashboard's scope allows (jobdev.dashboard.scope:
a program admin the program or one team, a team leader their team, a specialist their
own caseload), over a period of local dates, both included.

Every figure is read from what the services record:

- who is on the caseload on a day: enrolled (`JobSeeker.enrolment_date`) on or before
  that day and not closed at its end, from the status changes the services write
  (`JobSeekerStatusChange`: one at creation, one at each change);
- "in education" on a day: the job seeker's history (`JobSeeker.history`) at its end;
- jobs: placements with a start date (`Placement.start_date`, `end_date`); the hours and
  pay in force on a day: those recorded at the offer, then each change of terms from
  its effective date (the `placement.terms_changed` events, as the placement's
  timeline reads them);
- employer contacts: held ones, placed in a month by their start in the program's
  time zone; those the job seeker made alone (mode "job seeker") apart from the staff's;
- who counts as a specialist in a month (the divisor of "employer contacts per
  specialist"): the dashboard's rule (`jobdev.dashboard.team.counts_as_specialist`: an active
  specialist, or anyone with people on their caseload) applied to the people on their
  caseload on at least one day of that month;
- job ends: `Placement.end_date` and `end_reason`, the job-end contact task done in
  person, the job-end report (`JobEndReport.face_to_face_contact_on`, `written_on`).

Days after today have not happened: the period's figures stop at today (`last_day`),
and a date after today in a record (a contact or a report dated ahead) is not counted.
A job seeker's figures are credited to their current specialist, as on the dashboard.

The number of queries is fixed (one per block below, whatever the number of job
seekers, jobs or contacts): what is counted per day is counted in Python over rows
read once.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crm.access import AccessScope, OutOfScope
from crm.clock import program_zone
from crm.models import JobSeeker, JobSeekerStatusChange, Organisation, OutboxEvent, User
from jobdev.dashboard.figures import Share
from jobdev.dashboard.periods import months
from jobdev.dashboard.scope import (
    DashboardFilters,
    always_listed,
    dashboard_available_to,
    employer_contacts_in_scope,
    job_seekers_in_scope,
    placements_in_scope,
    staff_in_scope,
)
from jobdev.dashboard.tables import DATE, DECIMAL, MONTH, NUMBER, STATUS, Column, HtmlCell, Status, Table
from jobdev.dashboard.team import counts_as_specialist
from jobdev.models import EmployerContact
from placements.models import Placement, SupportTask
from placements.selectors import placements_reaching_day_90, retained_at_day_90

# The job-end report is due a week after the end (placements.handlers plans its task
# for end_date + 7 days).
JOB_END_REPORT_DAYS = 7
# Bond, Drake & Becker 2012: "working 20 hours or more a week".
TWENTY_HOURS = Decimal(20)
# IPS Works' employment rate of a caseload (shared reference, "Outcome measures and
# benchmarks"), highest first: the level reached is the first at or under the rate.
IPS_WORKS_LEVELS = ((50, "excellent"), (41, "average"), (31, "minimal"))

ACTIVE_STATUSES = (JobSeeker.Status.JOB_SEARCH, JobSeeker.Status.WORKING, JobSeeker.Status.FOLLOW_ALONG)
TERMS_CHANGED = "placement.terms_changed"
# An employer contact the job seeker made alone: not the staff's (shown apart).
JOB_SEEKER_ALONE = Q(mode=EmployerContact.Mode.JOB_SEEKER)


def _round(value: float | Decimal | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def _decimal(text) -> Decimal | None:
    """A value from an event payload (placements.services writes str(Decimal) or None)."""
    if text is None or text == "":
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def _days(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


# Jobs and the people who held them ---------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """Hours per week and hourly pay (euros) in force from `since` (None: from the start)."""

    since: datetime.date | None
    hours: Decimal | None
    pay: Decimal | None


@dataclass
class Job:
    """A placement that started, with its terms over time (`terms`, oldest first)."""

    placement: Placement
    terms: list[Terms]

    @property
    def start(self) -> datetime.date:
        return self.placement.start_date

    @property
    def end(self) -> datetime.date | None:
        return self.placement.end_date

    @property
    def specialist_id(self) -> int:
        """The job seeker's specialist (read with the placement)."""
        return self.placement.specialist_id

    def terms_on(self, day: datetime.date) -> Terms:
        current = self.terms[0]
        for terms in self.terms[1:]:
            if terms.since is not None and terms.since <= day:
                current = terms
        return current

    def days_between(self, first: datetime.date, last: datetime.date) -> tuple[datetime.date, datetime.date] | None:
        """The days of [first, last] the job was held (both included), or None."""
        low = max(self.start, first)
        high = last if self.end is None else min(self.end, last)
        return (low, high) if low <= high else None

    def held_on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


def job_terms(placement: Placement, changes: list[dict]) -> list[Terms]:
    """The terms of `placement` over time, from its recorded hours and pay and its
    `placement.terms_changed` payloads (`changes`, in the order they were recorded:
    {"old": {...}, "new": {...}, "effective_on": "YYYY-MM-DD"}). The offer's terms are the
    first change's "old" values (the placement holds the latest); each change applies
    from its effective date, changes with the same date in the order recorded."""
    if not changes:
        return [Terms(None, placement.hours_per_week, placement.hourly_pay)]
    first = changes[0].get("old") or {}
    terms = [Terms(None, _decimal(first.get("hours_per_week")), _decimal(first.get("hourly_pay")))]
    dated = []
    for position, change in enumerate(changes):
        try:
            since = datetime.date.fromisoformat(change.get("effective_on") or "")
        except ValueError:
            continue
        new = change.get("new") or {}
        dated.append(
            (since, position, Terms(since, _decimal(new.get("hours_per_week")), _decimal(new.get("hourly_pay"))))
        )
    terms += [entry[2] for entry in sorted(dated, key=lambda entry: entry[:2])]
    return terms


@dataclass
class Worker:
    """A job seeker who held a job on at least one day of the period, and what that
    work adds up to over the period's days (up to today)."""

    person: JobSeeker
    jobs: list[Job] = field(default_factory=list)
    days_worked: int = 0  # days with at least one job
    longest_job_days: int = 0  # the longest job held in the period, from its start to its end or the period's last day
    hour_days: Decimal | None = None  # sum over days of the weekly hours in force (None: no hours recorded)
    wage_days: Decimal | None = None  # sum over days of weekly hours x hourly pay
    twenty_hours: bool | None = None  # on some day, 20+ hours a week in all (None: no hours recorded)

    @property
    def weeks_worked(self) -> float:
        return self.days_worked / 7

    @property
    def longest_job_weeks(self) -> float:
        return self.longest_job_days / 7

    @property
    def hours_worked(self) -> Decimal | None:
        return None if self.hour_days is None else self.hour_days / 7

    @property
    def wages(self) -> Decimal | None:
        return None if self.wage_days is None else _money(self.wage_days / 7)


@dataclass
class JobHours:
    """One job's hours over its days in the period."""

    job: Job
    days_with_hours: int = 0
    hour_days: Decimal = Decimal(0)

    @property
    def hours_per_week(self) -> Decimal | None:
        return self.hour_days / self.days_with_hours if self.days_with_hours else None


# The measures ----------------------------------------------------------------------------


@dataclass
class Measure:
    """One outcome measure: its value on `unit` ("percent", "days", "weeks", "hours",
    "hours_per_week", "euros"), what it counts, and the benchmark beside it."""

    key: str
    section: str  # "standard" or "job_ends"
    label: str
    unit: str
    value: float | Decimal | None
    definition: str
    benchmark: str = ""
    share: Share | None = None
    meets: bool | None = None  # against the benchmark or target; None: none, or no data
    second_label: str = ""  # a second figure (median, mean per worker)
    second_value: float | Decimal | None = None
    level: str = ""  # IPS Works' level, for the employment rate

    @property
    def status(self) -> str:
        if self.meets is None:
            return "info" if self.value is not None else "no_data"
        return "meets" if self.meets else "below"

    @property
    def status_label(self) -> str:
        return {
            "meets": _("Meets the benchmark"),
            "below": _("Below the benchmark"),
            "info": _("For information"),
            "no_data": _("No data in this period"),
        }[self.status]


# The supervisor's monthly view ---------------------------------------------------------


@dataclass
class MonthRow:
    """A calendar month of the period (`first` to `last`, the part inside the period), for
    one specialist or (specialist None) for everyone in scope. Counts of events are over
    the month's days up to today; the caseload figures are read at the end of `on`, the
    month's last day in the period or today if earlier (None: the month has not begun).

    Employer contacts: `contacts` are those the staff held (every mode but the job
    seeker's alone), `contacts_in_person` those of them in person, and
    `contacts_by_job_seeker` those the job seeker made alone (mode "job seeker"), kept
    apart: they are not the specialist's job development. In the rows for everyone,
    `specialists` is the number of staff counted as specialists that month and
    `per_specialist` their contacts divided by that number (`Outcomes.monthly`). In a
    person's row, `caseload_during` is the number of people on their caseload on at
    least one day of the month (up to today), which decides whether they count as a
    specialist that month (`counted_as_specialist`)."""

    month: datetime.date
    first: datetime.date
    last: datetime.date
    on: datetime.date | None
    specialist: User | None = None
    contacts: int = 0
    contacts_in_person: int = 0
    contacts_by_job_seeker: int = 0
    specialists: int | None = None
    per_specialist: float | None = None
    caseload_during: int = 0
    counted_as_specialist: bool | None = None
    starts: int = 0
    caseload: int | None = None
    working: int | None = None
    in_education: int | None = None
    retention_due: int = 0
    retained: int = 0
    ends: dict[str, int] = field(default_factory=dict)
    leavers: int = 0

    @property
    def ends_total(self) -> int:
        return sum(self.ends.values())

    @property
    def working_share(self) -> Share | None:
        return None if self.caseload is None else Share(self.working or 0, self.caseload)

    @property
    def education_share(self) -> Share | None:
        return None if self.caseload is None else Share(self.in_education or 0, self.caseload)

    @property
    def retention(self) -> Share:
        return Share(self.retained, self.retention_due)

    def has_activity(self) -> bool:
        return bool(
            self.contacts
            or self.contacts_by_job_seeker
            or self.starts
            or self.caseload
            or self.caseload_during
            or self.retention_due
            or self.ends_total
            or self.leavers
        )


# Job ends ------------------------------------------------------------------------------------


@dataclass
class JobEnd:
    """A job that ended in the period, with the face-to-face contact after it and the
    job-end report. `contact_within` / `report_within`: True or False once known, None
    while the deadline has not passed and nothing is recorded yet."""

    placement: Placement
    contact_on: datetime.date | None
    contact_days: int | None
    contact_within: bool | None
    report_on: datetime.date | None
    report_days: int | None
    report_within: bool | None


def _within(days: int | None, limit: int, *, elapsed: int) -> bool | None:
    if days is not None:
        return days <= limit
    return False if elapsed > limit else None


class Outcomes:
    """The outcomes for a scope, its filters (the dashboard's: period, team, specialist)
    and today (the program's). Each block is read once, when first asked for.

    Raises OutOfScope for a scope outside any program (answered 404)."""

    def __init__(self, scope: AccessScope, filters: DashboardFilters, *, today: datetime.date | None = None):
        if not dashboard_available_to(scope):
            raise OutOfScope
        self.scope = scope
        self.organisation: Organisation = scope.organisation
        self.filters = filters
        self.tz = program_zone(self.organisation)
        self.today = today or timezone.localdate(timezone=self.tz)
        self.date_from, self.date_to = filters.date_from, filters.date_to
        # The period's figures stop at today: later days have not happened.
        self.last_day = min(self.date_to, self.today)
        self.started = self.last_day >= self.date_from
        self.months = months(self.date_from, self.date_to)

    def _midnight(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=self.tz)

    def _end_of(self, day: datetime.date) -> datetime.datetime:
        """The first instant after `day` in the program's zone."""
        return self._midnight(day + datetime.timedelta(days=1))

    def _local_date(self, value) -> datetime.date:
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value, self.tz).date() if timezone.is_aware(value) else value.date()
        return value

    # Scope ------------------------------------------------------------------------------

    @cached_property
    def staff_queryset(self) -> QuerySet[User]:
        return staff_in_scope(self.scope, self.filters)

    @cached_property
    def staff(self) -> list[User]:
        return list(self.staff_queryset.select_related("team"))

    @cached_property
    def staff_names(self) -> dict[int, str]:
        return {person.pk: str(person) for person in self.staff}

    def _job_seekers(self) -> QuerySet[JobSeeker]:
        return job_seekers_in_scope(self.scope, self.staff_queryset)

    def _placements(self) -> QuerySet[Placement]:
        return placements_in_scope(self.scope, self.staff_queryset)

    @cached_property
    def month_spans(self) -> list[tuple[datetime.date, datetime.date, datetime.date, datetime.date | None]]:
        """Each month: (month, first day in the period, last day in the period, the day
        its caseload is read: that last day or today if earlier, None if not begun)."""
        spans = []
        for month in self.months:
            first, last = max(month, self.date_from), min(_month_end(month), self.date_to)
            on = min(last, self.today) if first <= self.today else None
            spans.append((month, first, last, on))
        return spans

    # The caseload --------------------------------------------------------------------

    @cached_property
    def people(self) -> list[JobSeeker]:
        """Job seekers on the caseload during the period: enrolled on or before its last
        day and not closed all through it (closed at its start and not reopened in it).
        Each carries `first_job_on` (the start of their first job since enrolment),
        for each month i of the period `status_i` and `education_i` at the end of
        the month's reading day, and `reopened_i`: a change to a status other than
        closed recorded between the month's first day and the end of its reading day
        (with the status at the month's start, whether they were on the caseload on a
        day of the month: `on_caseload_in_month`)."""
        if not self.started:
            return []
        changes = JobSeekerStatusChange.objects.filter(job_seeker=OuterRef("pk")).order_by("-changed_at", "-pk")
        history = JobSeeker.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
        first_job = Placement.objects.filter(
            job_seeker=OuterRef("pk"), start_date__isnull=False, start_date__gte=OuterRef("enrolment_date")
        ).order_by("start_date", "pk")
        start, end = self._midnight(self.date_from), self._end_of(self.last_day)
        annotations = {
            "status_at_start": Subquery(changes.filter(changed_at__lt=start).values("to_status")[:1]),
            "reopened": Exists(
                changes.filter(changed_at__gte=start, changed_at__lt=end).exclude(to_status=JobSeeker.Status.CLOSED)
            ),
            "first_job_on": Subquery(first_job.values("start_date")[:1]),
        }
        for index, (_month, first, _last, on) in enumerate(self.month_spans):
            if on is None:
                continue
            moment = self._end_of(on)
            annotations[f"status_{index}"] = Subquery(changes.filter(changed_at__lt=moment).values("to_status")[:1])
            annotations[f"reopened_{index}"] = Exists(
                changes.filter(changed_at__gte=self._midnight(first), changed_at__lt=moment).exclude(
                    to_status=JobSeeker.Status.CLOSED
                )
            )
            annotations[f"education_{index}"] = Subquery(
                history.filter(history_date__lt=moment).values("in_education")[:1]
            )
        return list(
            self._job_seekers()
            .filter(enrolment_date__isnull=False, enrolment_date__lte=self.last_day)
            .select_related(None)
            .annotate(**annotations)
            .filter(Q(status_at_start__in=ACTIVE_STATUSES) | Q(reopened=True))
            .order_by("last_name", "first_name", "pk")
        )

    @cached_property
    def people_by_id(self) -> dict[int, JobSeeker]:
        return {person.pk: person for person in self.people}

    def on_caseload_in_month(self, person: JobSeeker, index: int) -> bool:
        """Whether `person` (from `people`) was on the caseload on at least one day of
        month `index` of the period, up to today: enrolled by the month's reading day,
        and either on the caseload as the month began or put back on it (any status but
        closed recorded) during the month. The status as the month began is the one read
        at the end of the month before (its reading day is its last day, the day before
        this month's first, since this month has begun), or, for the period's first
        month, the status when the period began."""
        on = self.month_spans[index][3]
        if on is None or person.enrolment_date > on:
            return False
        at_start = person.status_at_start if index == 0 else getattr(person, f"status_{index - 1}")
        return at_start in ACTIVE_STATUSES or getattr(person, f"reopened_{index}")

    # Jobs ------------------------------------------------------------------------------

    @cached_property
    def jobs(self) -> list[Job]:
        """Jobs held on at least one day of the period (up to today), by anyone in scope."""
        if not self.started:
            return []
        placements = list(
            self._placements()
            .filter(start_date__isnull=False, start_date__lte=self.last_day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=self.date_from))
            .select_related(None)
            .annotate(specialist_id=F("job_seeker__specialist_id"))
            .order_by("start_date", "pk")
        )
        changes: dict[int, list[dict]] = defaultdict(list)
        events = (
            OutboxEvent.objects.filter(
                organisation_id=self.organisation.pk,
                topic=TERMS_CHANGED,
                aggregate_type="placement",
                aggregate_id__in=[placement.pk for placement in placements],
            )
            .order_by("occurred_at", "pk")
            .values_list("aggregate_id", "payload")
        )
        if placements:
            for placement_id, payload in events:
                changes[placement_id].append(payload or {})
        return [Job(placement, job_terms(placement, changes.get(placement.pk, []))) for placement in placements]

    @cached_property
    def job_hours(self) -> list[JobHours]:
        """Jobs of people on the caseload, with their hours over the period's days."""
        result = []
        for job in self.jobs:
            if job.placement.job_seeker_id not in self.people_by_id:
                continue
            span = job.days_between(self.date_from, self.last_day)
            hours = JobHours(job)
            if span is not None:
                for day in _days(*span):
                    terms = job.terms_on(day)
                    if terms.hours is not None:
                        hours.days_with_hours += 1
                        hours.hour_days += terms.hours
            result.append(hours)
        return result

    @cached_property
    def workers(self) -> list[Worker]:
        """People on the caseload who held a job on a day of the period (up to today)."""
        jobs_by_person: dict[int, list[Job]] = defaultdict(list)
        for job in self.jobs:
            if job.placement.job_seeker_id in self.people_by_id:
                jobs_by_person[job.placement.job_seeker_id].append(job)
        workers = []
        for person in self.people:
            jobs = jobs_by_person.get(person.pk)
            if not jobs:
                continue
            worker = Worker(person, jobs)
            daily_hours: dict[datetime.date, Decimal] = defaultdict(Decimal)
            worked: set[datetime.date] = set()
            for job in jobs:
                span = job.days_between(self.date_from, self.last_day)
                tenure = job.days_between(job.start, self.last_day)
                if tenure is not None:
                    worker.longest_job_days = max(worker.longest_job_days, (tenure[1] - tenure[0]).days + 1)
                for day in _days(*span):
                    worked.add(day)
                    terms = job.terms_on(day)
                    if terms.hours is None:
                        continue
                    daily_hours[day] += terms.hours
                    worker.hour_days = (worker.hour_days or Decimal(0)) + terms.hours
                    if terms.pay is not None:
                        worker.wage_days = (worker.wage_days or Decimal(0)) + terms.hours * terms.pay
            worker.days_worked = len(worked)
            if daily_hours:
                worker.twenty_hours = max(daily_hours.values()) >= TWENTY_HOURS
            workers.append(worker)
        return workers

    @cached_property
    def first_jobs(self) -> list[JobSeeker]:
        """People on the caseload whose first job since enrolment started in the period
        (up to today), with `days_to_first_job` (from enrolment to that start)."""
        cohort = [
            person
            for person in self.people
            if person.first_job_on is not None and self.date_from <= person.first_job_on <= self.last_day
        ]
        for person in cohort:
            person.days_to_first_job = (person.first_job_on - person.enrolment_date).days
        return sorted(cohort, key=lambda person: (person.first_job_on, person.last_name, person.first_name, person.pk))

    # 13-week retention ----------------------------------------------------------------

    @cached_property
    def retention_jobs(self) -> list[dict]:
        """Jobs whose day 90 (start + 90 days) fell in the period, up to today, with
        `retained`: not ended before day 90."""
        if not self.started:
            return []
        rows = (
            placements_reaching_day_90(self._placements(), first=self.date_from, last=self.last_day)
            .order_by()
            .values("pk", "job_seeker__specialist_id", "start_date", "end_date")
        )
        result = []
        for row in rows:
            row["day_90"], row["retained"] = retained_at_day_90(row["start_date"], row["end_date"])
            result.append(row)
        return result

    # Job ends ----------------------------------------------------------------------------

    @cached_property
    def job_ends(self) -> list[JobEnd]:
        """Jobs that ended in the period (up to today), with the face-to-face contact
        after the end (the earliest of the job-end contact task done in person and the
        date the job-end report gives, on or after the end) and the report's date.

        A date after today has not happened and is not counted (review of issue 11,
        finding 12): a face-to-face date the report gives ahead of time (a meeting
        planned for Thursday is not a contact made; the service now refuses such a
        date, the figure ignores one all the same), a task completion dated ahead, or a
        report written after the `today` the figures are read on."""
        if not self.started:
            return []
        in_person = (
            SupportTask.objects.filter(
                placement=OuterRef("pk"),
                kind=SupportTask.Kind.JOB_END_CONTACT,
                status=SupportTask.Status.DONE,
                completion_mode__in=SupportTask.FACE_TO_FACE_MODES,
                completed_on__gte=OuterRef("end_date"),
                completed_on__lte=self.today,
            )
            .order_by("completed_on", "pk")
            .values("completed_on")[:1]
        )
        placements = (
            self._placements()
            .filter(end_date__gte=self.date_from, end_date__lte=self.last_day)
            .select_related("job_seeker__specialist__team", "employer", "job_end_report")
            .annotate(task_contact_on=Subquery(in_person))
            .order_by("end_date", "pk")
        )
        contact_limit = self.organisation.job_end_contact_days
        ends = []
        for placement in placements:
            report = getattr(placement, "job_end_report", None)
            dates = [placement.task_contact_on]
            if report is not None:
                dates.append(report.face_to_face_contact_on)
            dates = [day for day in dates if day is not None and placement.end_date <= day <= self.today]
            contact_on = min(dates) if dates else None
            report_on = report.written_on if report is not None and report.written_on <= self.today else None
            contact_days = (contact_on - placement.end_date).days if contact_on else None
            report_days = (report_on - placement.end_date).days if report_on else None
            elapsed = (self.today - placement.end_date).days
            ends.append(
                JobEnd(
                    placement=placement,
                    contact_on=contact_on,
                    contact_days=contact_days,
                    contact_within=_within(contact_days, contact_limit, elapsed=elapsed),
                    report_on=report_on,
                    report_days=report_days,
                    report_within=_within(report_days, JOB_END_REPORT_DAYS, elapsed=elapsed),
                )
            )
        return ends

    # The monthly view ----------------------------------------------------------------------

    @cached_property
    def _contacts(self) -> dict[tuple[int, datetime.date], dict]:
        """Held employer contacts per (specialist id, month): `by_staff` (every mode but
        the job seeker's alone), `in_person` (of those, mode in person) and `by_job_seeker`
        (mode "job seeker": the job seeker met the employer alone)."""
        if not self.started:
            return {}
        rows = (
            employer_contacts_in_scope(self.scope, self.staff_queryset)
            .filter(
                status=EmployerContact.Status.HELD,
                starts_at__gte=self._midnight(self.date_from),
                starts_at__lt=self._end_of(self.last_day),
            )
            .select_related(None)
            .order_by()
            .annotate(month=TruncMonth("starts_at", tzinfo=self.tz))
            .values("specialist_id", "month")
            .annotate(
                by_staff=Count("id", filter=~JOB_SEEKER_ALONE),
                in_person=Count("id", filter=Q(mode=EmployerContact.Mode.IN_PERSON)),
                by_job_seeker=Count("id", filter=JOB_SEEKER_ALONE),
            )
        )
        return {(row["specialist_id"], self._local_date(row["month"])): row for row in rows}

    @cached_property
    def _leavers(self) -> dict[tuple[int, datetime.date], set[int]]:
        """Enrolled people of the scope closed in the period (up to today), per their
        specialist and month: each person once a month however often closed."""
        if not self.started:
            return {}
        rows = (
            JobSeekerStatusChange.objects.filter(
                job_seeker__in=self._job_seekers().filter(enrolment_date__isnull=False).values("pk"),
                to_status=JobSeeker.Status.CLOSED,
                changed_at__gte=self._midnight(self.date_from),
                changed_at__lt=self._end_of(self.last_day),
            )
            .order_by()
            .values_list("job_seeker_id", "job_seeker__specialist_id", "changed_at")
        )
        leavers: dict[tuple[int, datetime.date], set[int]] = defaultdict(set)
        for job_seeker_id, specialist_id, changed_at in rows:
            leavers[(specialist_id, self._local_date(changed_at).replace(day=1))].add(job_seeker_id)
        return leavers

    @cached_property
    def _month_cells(self) -> dict[tuple[int, int], MonthRow]:
        """The monthly view per (specialist id, month index): one pass over the rows read
        above. A job seeker's figures go to their current specialist."""
        cells: dict[tuple[int, int], MonthRow] = {}

        def cell(specialist_id: int, index: int) -> MonthRow:
            if (specialist_id, index) not in cells:
                month, first, last, on = self.month_spans[index]
                cells[(specialist_id, index)] = MonthRow(month=month, first=first, last=last, on=on)
            return cells[(specialist_id, index)]

        def month_of(day: datetime.date) -> int | None:
            """The index of the month holding `day`, if it is in the period up to today."""
            if not (self.date_from <= day <= self.last_day):
                return None
            return self.month_index.get(day.replace(day=1))

        for (specialist_id, month), counts in self._contacts.items():
            index = self.month_index.get(month)
            if index is not None:
                row = cell(specialist_id, index)
                row.contacts += counts["by_staff"]
                row.contacts_in_person += counts["in_person"]
                row.contacts_by_job_seeker += counts["by_job_seeker"]
        for job in self.jobs:
            index = month_of(job.start)
            if index is not None:
                cell(job.specialist_id, index).starts += 1
            index = month_of(job.end) if job.end is not None else None
            if index is not None:
                ends = cell(job.specialist_id, index).ends
                ends[job.placement.end_reason] = ends.get(job.placement.end_reason, 0) + 1
        for retention in self.retention_jobs:
            index = month_of(retention["day_90"])
            if index is not None:
                row = cell(retention["job_seeker__specialist_id"], index)
                row.retention_due += 1
                row.retained += retention["retained"]
        for (specialist_id, month), people in self._leavers.items():
            index = self.month_index.get(month)
            if index is not None:
                cell(specialist_id, index).leavers += len(people)
        for index, (_month, _first, _last, on) in enumerate(self.month_spans):
            if on is None:
                continue
            working_ids = {job.placement.job_seeker_id for job in self.jobs if job.held_on(on)}
            for person in self.people:
                row = cell(person.specialist_id, index)
                row.caseload = row.caseload or 0
                row.working = row.working or 0
                row.in_education = row.in_education or 0
                row.caseload_during += self.on_caseload_in_month(person, index)
                if person.enrolment_date > on or getattr(person, f"status_{index}") not in ACTIVE_STATUSES:
                    continue
                row.caseload += 1
                row.working += person.pk in working_ids
                row.in_education += bool(getattr(person, f"education_{index}"))
        return cells

    @cached_property
    def month_index(self) -> dict[datetime.date, int]:
        return {month: index for index, month in enumerate(self.months)}

    def _month_row(self, specialist: User, index: int) -> MonthRow:
        month, first, last, on = self.month_spans[index]
        row = self._month_cells.get((specialist.pk, index)) or MonthRow(month=month, first=first, last=last, on=on)
        row.specialist = specialist
        if on is not None and row.caseload is None:
            row.caseload = row.working = row.in_education = 0
        row.counted_as_specialist = specialist.pk in self.month_specialists[index]
        return row

    @cached_property
    def month_specialists(self) -> list[set[int]]:
        """For each month of the period, the ids of the staff shown who count as
        specialists that month: the dashboard's rule (`jobdev.dashboard.team.counts_as_specialist`)
        with, as their caseload, the people on it on at least one day of the month (up
        to today; `MonthRow.caseload_during`, each person with their current specialist).
        So an active specialist always counts (a new one with no caseload yet too); a
        team leader or a program admin counts in a month when they carried job seekers
        in it, and a deactivated specialist only when people were still on their
        caseload in it. Empty for a month that has not begun."""
        result = []
        for index, (_month, _first, _last, on) in enumerate(self.month_spans):
            if on is None:
                result.append(set())
                continue
            cells = {person.pk: self._month_cells.get((person.pk, index)) for person in self.staff}
            result.append(
                {
                    person.pk
                    for person in self.staff
                    if counts_as_specialist(person, getattr(cells[person.pk], "caseload_during", 0))
                }
            )
        return result

    @cached_property
    def monthly(self) -> list[MonthRow]:
        """Month after month, for everyone in scope. Employer contacts per specialist:
        the contacts the month's specialists held (`month_specialists`; not the job
        seeker's alone), divided by their number (`specialists`); None for a month
        that has not begun or without a specialist."""
        rows = []
        for index, (month, first, last, on) in enumerate(self.month_spans):
            specialist_ids = self.month_specialists[index]
            total = MonthRow(month=month, first=first, last=last, on=on)
            if on is not None:
                total.caseload = total.working = total.in_education = 0
                total.specialists = len(specialist_ids)
            by_specialists = 0
            for (specialist_id, cell_index), row in self._month_cells.items():
                if cell_index != index:
                    continue
                total.contacts += row.contacts
                total.contacts_in_person += row.contacts_in_person
                total.contacts_by_job_seeker += row.contacts_by_job_seeker
                by_specialists += row.contacts if specialist_id in specialist_ids else 0
                total.starts += row.starts
                total.retention_due += row.retention_due
                total.retained += row.retained
                total.leavers += row.leavers
                for reason, n in row.ends.items():
                    total.ends[reason] = total.ends.get(reason, 0) + n
                if on is not None:
                    total.caseload += row.caseload or 0
                    total.working += row.working or 0
                    total.in_education += row.in_education or 0
            total.per_specialist = by_specialists / len(specialist_ids) if specialist_ids else None
            rows.append(total)
        return rows

    @cached_property
    def monthly_by_specialist(self) -> list[MonthRow]:
        """Month after month, one row per specialist in scope (team leaders and former
        staff only when they have figures that month)."""
        rows = []
        for index in range(len(self.month_spans)):
            for person in self.staff:
                row = self._month_row(person, index)
                if always_listed(person) or row.has_activity() or self.filters.specialist is not None:
                    rows.append(row)
        return rows

    @cached_property
    def monthly_total(self) -> MonthRow | None:
        """The whole period's counts of events (the caseload figures are per month)."""
        if not self.monthly:
            return None
        total = MonthRow(month=self.date_from, first=self.date_from, last=self.date_to, on=None)
        for row in self.monthly:
            total.contacts += row.contacts
            total.contacts_in_person += row.contacts_in_person
            total.contacts_by_job_seeker += row.contacts_by_job_seeker
            total.starts += row.starts
            total.retention_due += row.retention_due
            total.retained += row.retained
            total.leavers += row.leavers
            for reason, n in row.ends.items():
                total.ends[reason] = total.ends.get(reason, 0) + n
        return total

    # The measures ----------------------------------------------------------------------

    @cached_property
    def measures(self) -> list[Measure]:
        return outcome_measures(self)

    def measures_in(self, section: str) -> list[Measure]:
        return [measure for measure in self.measures if measure.section == section]


def ips_works_level(percent: float | None) -> str:
    """IPS Works' level of an employment rate: "excellent", "average", "minimal",
    "below" ("" without a rate)."""
    if percent is None:
        return ""
    for threshold, level in IPS_WORKS_LEVELS:
        if percent >= threshold:
            return level
    return "below"


def _mean(values: list) -> float | None:
    return statistics.fmean(values) if values else None


def _median(values: list) -> float | None:
    return statistics.median(values) if values else None


def outcome_measures(outcomes: Outcomes) -> list[Measure]:
    """The measures of `outcomes`, in the page's order (definitions in docs/outcomes.md)."""
    org = outcomes.organisation
    people, workers = outcomes.people, outcomes.workers
    employed = Share(len(workers), len(people))
    days_to_job = [person.days_to_first_job for person in outcomes.first_jobs]
    tenures = [worker.longest_job_weeks for worker in workers]
    total_weeks = sum(worker.days_worked for worker in workers) / 7 if workers else None
    with_hours = [hours.hours_per_week for hours in outcomes.job_hours if hours.hours_per_week is not None]
    hours_workers = [worker for worker in workers if worker.hour_days is not None]
    total_hours = sum((worker.hours_worked for worker in hours_workers), Decimal(0)) if hours_workers else None
    wage_workers = [worker for worker in workers if worker.wage_days is not None]
    total_wages = _money(sum((worker.wage_days for worker in wage_workers), Decimal(0)) / 7) if wage_workers else None
    twenty = Share(sum(1 for worker in hours_workers if worker.twenty_hours), len(hours_workers))
    retention = Share(sum(1 for row in outcomes.retention_jobs if row["retained"]), len(outcomes.retention_jobs))
    decided_contacts = [end for end in outcomes.job_ends if end.contact_within is not None]
    contacts = Share(sum(1 for end in decided_contacts if end.contact_within), len(decided_contacts))
    decided_reports = [end for end in outcomes.job_ends if end.report_within is not None]
    reports = Share(sum(1 for end in decided_reports if end.report_within), len(decided_reports))
    employment_rate = employed.percent
    no_benchmark = ""
    every_job_end = _("Every job end (100%)")

    def every(share: Share) -> bool | None:
        return None if not share.denominator else share.numerator == share.denominator

    return [
        Measure(
            key="employed",
            section="standard",
            label=_("Employed at any time in the period"),
            unit="percent",
            value=_round(employment_rate),
            share=employed,
            definition=_(
                "People on the caseload during the period (enrolled, not closed all through it) who held a job "
                "on at least one day of it, up to today."
            ),
            benchmark=_(
                "IPS Works: %(minimal)s%% minimal, %(average)s%% average, %(excellent)s%% excellent. "
                "IPS Grow: at least %(target)s%% into work (the program's target)."
            )
            % {**{level: rate for rate, level in IPS_WORKS_LEVELS}, "target": org.employment_rate_target_percent},
            meets=employed.at_least(org.employment_rate_target_percent),
            level=ips_works_level(employment_rate),
        ),
        Measure(
            key="days_to_first_job",
            section="standard",
            label=_("Days to first job"),
            unit="days",
            value=_round(_mean(days_to_job)),
            second_label=_("Median"),
            second_value=_round(_median(days_to_job)),
            share=None,
            definition=_(
                "For people whose first job since enrolment started in the period: days from enrolment to that "
                "job's start. Mean, and median beside it (%(count)s people)."
            )
            % {"count": len(days_to_job)},
            benchmark=no_benchmark,
        ),
        Measure(
            key="weeks_worked",
            section="standard",
            label=_("Total weeks worked"),
            unit="weeks",
            value=_round(total_weeks),
            second_label=_("Mean per person employed"),
            second_value=_round(total_weeks / len(workers)) if workers else None,
            definition=_(
                "Days of the period (up to today) on which each person held at least one job, added up over "
                "the people employed, divided by 7."
            ),
            benchmark=no_benchmark,
        ),
        Measure(
            key="longest_job_tenure",
            section="standard",
            label=_("Tenure in the longest job"),
            unit="weeks",
            value=_round(_mean(tenures)),
            second_label=_("Median"),
            second_value=_round(_median(tenures)),
            definition=_(
                "For each person employed in the period, the longest of their jobs held in it, in weeks from its "
                "start to its end (or to the period's last day, or today, if it goes on). Mean over the people "
                "employed, median beside it."
            ),
            benchmark=no_benchmark,
        ),
        Measure(
            key="hours_per_week",
            section="standard",
            label=_("Hours per week"),
            unit="hours_per_week",
            value=_round(_mean(with_hours)),
            definition=_(
                "Mean over the jobs held in the period with hours recorded (%(count)s jobs) of each job's weekly "
                "hours over its days in the period (a change of hours counts from its effective date)."
            )
            % {"count": len(with_hours)},
            benchmark=no_benchmark,
        ),
        Measure(
            key="hours_worked",
            section="standard",
            label=_("Total hours worked"),
            unit="hours",
            value=_round(total_hours),
            second_label=_("Mean per person employed"),
            second_value=_round(total_hours / len(hours_workers)) if hours_workers else None,
            definition=_(
                "Weekly hours recorded on each job, times the weeks it was held in the period (up to today), "
                "added up (people with hours recorded: %(count)s)."
            )
            % {"count": len(hours_workers)},
            benchmark=no_benchmark,
        ),
        Measure(
            key="wages",
            section="standard",
            label=_("Total wages (estimate)"),
            unit="euros",
            value=total_wages,
            second_label=_("Mean per person employed"),
            second_value=_money(total_wages / len(wage_workers)) if wage_workers else None,
            definition=_(
                "An estimate from the hours and pay recorded, not from payslips: weekly hours times hourly pay "
                "times the weeks each job was held in the period (up to today), in euros, before tax. Jobs "
                "without hours or pay recorded are left out (people counted: %(count)s)."
            )
            % {"count": len(wage_workers)},
            benchmark=no_benchmark,
        ),
        Measure(
            key="twenty_hours",
            section="standard",
            label=_("Working 20 hours a week or more"),
            unit="percent",
            value=_round(twenty.percent),
            share=twenty,
            definition=_(
                "People employed in the period whose jobs added up to 20 hours a week or more on at least one "
                "day of it, of the people employed with hours recorded."
            ),
            benchmark=no_benchmark,
        ),
        Measure(
            key="retention_90_days",
            section="standard",
            label=_("Still working after 13 weeks"),
            unit="percent",
            value=_round(retention.percent),
            share=retention,
            definition=_(
                "Jobs whose day 90 (13 weeks after the start) fell in the period, up to today: those not ended "
                "before day 90, of all of them. A job that ended before day 90 counts as not retained."
            ),
            benchmark=_("IPS Grow: at least %(target)s%% still working after 13 weeks (the program's target).")
            % {"target": org.retention_13_weeks_target_percent},
            meets=retention.at_least(org.retention_13_weeks_target_percent),
        ),
        Measure(
            key="job_end_face_to_face",
            section="job_ends",
            label=_("Seen face to face within %(days)s days of a job end") % {"days": org.job_end_contact_days},
            unit="percent",
            value=_round(contacts.percent),
            share=contacts,
            definition=_(
                "Jobs that ended in the period: the face-to-face contact after the end (the job-end contact done "
                "in person, or the date the job-end report gives) within %(days)s days of the end. Ends whose "
                "deadline has not passed without a contact are not counted yet."
            )
            % {"days": org.job_end_contact_days},
            benchmark=every_job_end,
            meets=every(contacts),
        ),
        Measure(
            key="job_end_report",
            section="job_ends",
            label=_("Job-end report written within %(days)s days") % {"days": JOB_END_REPORT_DAYS},
            unit="percent",
            value=_round(reports.percent),
            share=reports,
            definition=_(
                "Jobs that ended in the period: the job-end report first written within %(days)s days of the "
                "end. Ends whose deadline has not passed without a report are not counted yet."
            )
            % {"days": JOB_END_REPORT_DAYS},
            benchmark=every_job_end,
            meets=every(reports),
        ),
    ]


# The tables, each defined once (drawn on the page and as CSV, as the dashboard's) ---------


def _answer(value: bool | None) -> Status:
    if value is None:
        return Status("info", _("Not yet"))
    return Status("meets", _("Yes")) if value else Status("below", _("No"))


def _job_seeker_column(person_of: Callable) -> Column:
    return Column(
        _("Job seeker"),
        lambda row: person_of(row).full_name,
        link=lambda row: reverse("job_seeker_detail", args=[person_of(row).pk]),
    )


def _percent(share: Share | None) -> float | None:
    return None if share is None else _round(share.percent)


def _measures_table(outcomes: Outcomes) -> Table:
    return Table(
        "measures",
        _("All outcome measures in one table"),
        [
            Column(_("Measure"), lambda measure: measure.label),
            Column(_("Value"), lambda measure: measure.value, NUMBER),
            Column(_("Unit"), lambda measure: _unit_labels()[measure.unit]),
            Column(_("Numerator"), lambda measure: measure.share.numerator if measure.share else None, NUMBER),
            Column(_("Denominator"), lambda measure: measure.share.denominator if measure.share else None, NUMBER),
            Column(_("Second figure"), lambda measure: measure.second_label or None),
            Column(_("Second value"), lambda measure: measure.second_value, NUMBER),
            Column(_("Benchmark"), lambda measure: measure.benchmark or None),
            Column(_("Status"), lambda measure: Status(measure.status, measure.status_label), STATUS),
            Column(_("Definition"), lambda measure: measure.definition),
        ],
        outcomes.measures,
    )


def _unit_labels() -> dict[str, str]:
    """The units' names in the reader's language."""
    return {
        "percent": _("percent"),
        "days": _("days"),
        "weeks": _("weeks"),
        "hours": _("hours"),
        "hours_per_week": _("hours a week"),
        "euros": _("euros"),
    }


def _workers_table(outcomes: Outcomes) -> Table:
    return Table(
        "workers",
        _("People employed in the period"),
        [
            _job_seeker_column(lambda worker: worker.person),
            Column(_("Specialist"), lambda worker: str(outcomes.staff_names.get(worker.person.specialist_id, ""))),
            Column(_("Jobs held in the period"), lambda worker: len(worker.jobs), NUMBER),
            Column(_("Weeks worked"), lambda worker: _round(worker.weeks_worked), DECIMAL),
            Column(_("Longest job (weeks)"), lambda worker: _round(worker.longest_job_weeks), DECIMAL),
            Column(_("Hours worked"), lambda worker: _round(worker.hours_worked), DECIMAL),
            Column(_("Wages, estimate (euros)"), lambda worker: worker.wages, NUMBER),
            Column(
                _("20 hours a week or more"),
                lambda worker: None if worker.twenty_hours is None else (_("Yes") if worker.twenty_hours else _("No")),
            ),
        ],
        outcomes.workers,
        empty=_("Nobody on the caseload held a job in the period."),
        count=len(outcomes.workers),
    )


def _first_jobs_table(outcomes: Outcomes) -> Table:
    return Table(
        "first-jobs",
        _("First jobs started in the period"),
        [
            _job_seeker_column(lambda person: person),
            Column(_("Specialist"), lambda person: str(outcomes.staff_names.get(person.specialist_id, ""))),
            Column(_("Enrolment"), lambda person: person.enrolment_date, DATE),
            Column(_("First job started"), lambda person: person.first_job_on, DATE),
            Column(_("Days to first job"), lambda person: person.days_to_first_job, NUMBER),
        ],
        outcomes.first_jobs,
        empty=_("Nobody started a first job in the period."),
        count=len(outcomes.first_jobs),
    )


@dataclass(frozen=True)
class _MonthColumn(Column):
    """A month, or the words of a footer row ("Whole period") in the same column."""

    def csv(self, value):
        return value if isinstance(value, str) else super().csv(value)

    def html(self, value, row=None, *, header: bool = False, marks: bool = True) -> HtmlCell:
        if isinstance(value, str):
            return HtmlCell(value, header=header)
        return super().html(value, row, header=header, marks=marks)


def _month_columns(*, totals: bool) -> list[tuple[Column, bool]]:
    """The monthly view's columns, each with whether the whole period has a value
    (counts of events and the retention over them do; figures read at a month's end
    do not)."""
    columns = [
        (Column(_("Employer contacts held by staff"), lambda row: row.contacts, NUMBER), True),
        (Column(_("Of which in person"), lambda row: row.contacts_in_person, NUMBER), True),
        (Column(_("Made by the job seeker alone"), lambda row: row.contacts_by_job_seeker, NUMBER), True),
    ]
    if totals:
        columns += [
            (Column(_("Specialists that month"), lambda row: row.specialists, NUMBER), False),
            (Column(_("Employer contacts per specialist"), lambda row: _round(row.per_specialist), DECIMAL), False),
        ]
    columns += [
        (Column(_("Job starts"), lambda row: row.starts, NUMBER), True),
        (Column(_("Caseload at the month's end"), lambda row: row.caseload, NUMBER), False),
        (Column(_("Working at the month's end"), lambda row: row.working, NUMBER), False),
        (Column(_("Working (%)"), lambda row: _percent(row.working_share), DECIMAL), False),
        (Column(_("In education at the month's end"), lambda row: row.in_education, NUMBER), False),
        (Column(_("In education (%)"), lambda row: _percent(row.education_share), DECIMAL), False),
        (Column(_("Jobs at day 90"), lambda row: row.retention_due, NUMBER), True),
        (Column(_("Still working at day 90"), lambda row: row.retained, NUMBER), True),
        (Column(_("90-day retention (%)"), lambda row: _percent(row.retention), DECIMAL), True),
        (Column(_("Job ends"), lambda row: row.ends_total, NUMBER), True),
    ]
    for reason, label in Placement.EndReason.choices:
        column = Column(
            _("Job ends: %(reason)s") % {"reason": label}, lambda row, reason=reason: row.ends.get(reason, 0), NUMBER
        )
        columns.append((column, True))
    columns.append((Column(_("Left the service"), lambda row: row.leavers, NUMBER), True))
    return columns


def _monthly_table(outcomes: Outcomes) -> Table:
    month_columns = _month_columns(totals=True)
    columns = [
        _MonthColumn(_("Month"), lambda row: row.month, MONTH),
        Column(_("From"), lambda row: row.first, DATE),
        Column(_("To"), lambda row: row.last, DATE),
        *(column for column, _summed in month_columns),
    ]
    footer = []
    total = outcomes.monthly_total
    if total is not None:
        footer.append(
            [
                _("Whole period"),
                total.first,
                total.last,
                *(column.value(total) if whole_period else None for column, whole_period in month_columns),
            ]
        )
    return Table("monthly", _("The supervisor's monthly view"), columns, outcomes.monthly, footer=footer)


def _monthly_specialists_table(outcomes: Outcomes) -> Table:
    return Table(
        "monthly-specialists",
        _("The supervisor's monthly view, per specialist"),
        [
            Column(_("Month"), lambda row: row.month, MONTH),
            Column(_("Specialist"), lambda row: str(row.specialist)),
            Column(_("Team"), lambda row: row.specialist.team.name if row.specialist.team else None),
            Column(
                _("Counted as a specialist that month"),
                lambda row: None if row.on is None else (_("Yes") if row.counted_as_specialist else _("No")),
            ),
            *(column for column, _summed in _month_columns(totals=False)),
        ],
        outcomes.monthly_by_specialist,
        empty=_("No specialist in this selection."),
        css_class="monthly",
    )


def _job_ends_table(outcomes: Outcomes) -> Table:
    days = outcomes.organisation.job_end_contact_days
    return Table(
        "job-ends",
        _("Job ends in the period"),
        [
            _job_seeker_column(lambda end: end.placement.job_seeker),
            Column(_("Specialist"), lambda end: str(end.placement.job_seeker.specialist)),
            Column(_("Employer"), lambda end: end.placement.employer.name),
            Column(_("Job"), lambda end: end.placement.job_title),
            Column(_("Start"), lambda end: end.placement.start_date, DATE),
            Column(_("End"), lambda end: end.placement.end_date, DATE),
            Column(_("Reason"), lambda end: end.placement.get_end_reason_display()),
            Column(_("Face-to-face contact after the end"), lambda end: end.contact_on, DATE, blank=_("none yet")),
            Column(_("Days to that contact"), lambda end: end.contact_days, NUMBER),
            Column(_("Within %(days)s days") % {"days": days}, lambda end: _answer(end.contact_within), STATUS),
            Column(_("Job-end report written on"), lambda end: end.report_on, DATE, blank=_("none yet")),
            Column(_("Days to the report"), lambda end: end.report_days, NUMBER),
            Column(
                _("Within %(days)s days") % {"days": JOB_END_REPORT_DAYS},
                lambda end: _answer(end.report_within),
                STATUS,
            ),
        ],
        outcomes.job_ends,
        empty=_("No job ended in the period."),
        count=len(outcomes.job_ends),
    )


_TABLES: dict[str, Callable[[Outcomes], Table]] = {
    "measures": _measures_table,
    "workers": _workers_table,
    "first-jobs": _first_jobs_table,
    "monthly": _monthly_table,
    "monthly-specialists": _monthly_specialists_table,
    "job-ends": _job_ends_table,
}
TABLES = tuple(_TABLES)

# The tables' CSV file names, in the reader's language (ASCII).
TABLE_FILE_NAMES = {
    "measures": lambda: pgettext("file name", "measures"),
    "workers": lambda: pgettext("file name", "people-employed"),
    "first-jobs": lambda: pgettext("file name", "first-jobs"),
    "monthly": lambda: pgettext("file name", "monthly"),
    "monthly-specialists": lambda: pgettext("file name", "monthly-per-specialist"),
    "job-ends": lambda: pgettext("file name", "job-ends"),
}


def outcomes_table(outcomes: Outcomes, slug: str) -> Table:
    """One table of `outcomes` (KeyError for an unknown slug); its queries run now."""
    return _TABLES[slug](outcomes)


def outcomes_tables(outcomes: Outcomes) -> dict[str, Table]:
    """Every table, by a name a template can read (`job_ends`)."""
    return {slug.replace("-", "_"): build(outcomes) for slug, build in _TABLES.items()}
