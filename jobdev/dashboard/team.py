"""The team leader's fidelity dashboard: the counts behind the figures and the tables,
for a team or a specialist and a period.

Every count comes from SQL aggregation over the records in scope (`scope`): the number
of queries is fixed, whatever the number of job seekers, contacts, placements or tasks.

Dates: a period is a pair of local dates, both included. Employer contacts are
placed in the period (and in ISO weeks) by their start in the program's time zone.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from crm.access import AccessScope, OutOfScope
from crm.clock import program_zone
from crm.models import JobSeeker, Organisation, User
from jobdev.dashboard.figures import Figure, Share, dashboard_figures
from jobdev.dashboard.periods import iso_monday, iso_week_label, iso_weeks, months
from jobdev.dashboard.scope import (
    DashboardFilters,
    always_listed,
    dashboard_available_to,
    employer_contacts_in_scope,
    job_seekers_in_scope,
    placements_in_scope,
    staff_in_scope,
    tasks_in_scope,
)
from jobdev.models import EmployerContact
from jobdev.selectors import contacts_without_recent_activity, with_rapid_search_clock
from placements.models import BenefitsStep, Milestone, Placement, PlacementMilestone, SupportTask

CHART_WEEKS = 12
# "No employer contact in the last 30 days" is a fixed supervision window, not a
# program setting (the rapid-job-search threshold is: days_to_first_employer_contact).
NO_RECENT_CONTACT_DAYS = 30

ACTIVE_STATUSES = (JobSeeker.Status.JOB_SEARCH, JobSeeker.Status.WORKING, JobSeeker.Status.FOLLOW_ALONG)
WORKING_STATUSES = (JobSeeker.Status.WORKING, JobSeeker.Status.FOLLOW_ALONG)
HELD = Q(status=EmployerContact.Status.HELD)
# Fidelity "job development: frequency": a face-to-face contact (the specialist in
# person, or the job seeker meeting the employer) about job seekers, not a call.
FACE_TO_FACE_ON_BEHALF = EmployerContact.face_to_face_on_behalf_q()


@dataclass
class SpecialistRow:
    specialist: User
    weeks: list[int] = field(default_factory=list)
    face_to_face: int = 0
    other_contacts: int = 0
    employers: int = 0
    new_employers: int = 0
    average_per_week: float = 0.0
    meets_weekly_target: bool = False
    caseload: int = 0
    job_search: int = 0
    working: int = 0
    job_starts: int = 0
    no_recent_contact: int = 0
    no_first_contact: int = 0
    follow_along: Share = field(default_factory=lambda: Share(0, 0))
    overdue_tasks: int = 0

    @property
    def working_share(self) -> Share:
        return Share(self.working, self.caseload)

    def has_activity(self) -> bool:
        return bool(
            self.face_to_face
            or self.other_contacts
            or self.caseload
            or self.job_starts
            or self.follow_along.denominator
            or self.overdue_tasks
        )


@dataclass
class WeekPoint:
    monday: datetime.date
    count: int
    target: int

    @property
    def label(self) -> str:
        return iso_week_label(self.monday)

    @property
    def meets(self) -> bool:
        return self.count >= self.target


class TeamDashboard:
    """The figures the access scope may read, lazily (each block is one query or two), so a CSV
    export of one table runs only the queries it needs."""

    def __init__(self, scope: AccessScope, filters: DashboardFilters, *, today: datetime.date | None = None):
        if not dashboard_available_to(scope):
            raise OutOfScope
        self.scope = scope
        self.organisation: Organisation = scope.organisation
        self.filters = filters
        self.tz = program_zone(self.organisation)
        self.today = today or timezone.localdate(timezone=self.tz)
        self.date_from, self.date_to = filters.date_from, filters.date_to
        self.start = self._midnight(self.date_from)
        self.end = self._midnight(self.date_to + datetime.timedelta(days=1))
        self.weeks = iso_weeks(self.date_from, self.date_to)
        self.months = months(self.date_from, self.date_to)
        self.target_per_week = self.organisation.weekly_in_person_employer_contacts

    def _midnight(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=self.tz)

    def _local_date(self, value) -> datetime.date:
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value, self.tz).date() if timezone.is_aware(value) else value.date()
        return value

    # Scope ---------------------------------------------------------------------

    @cached_property
    def staff_queryset(self) -> QuerySet[User]:
        return staff_in_scope(self.scope, self.filters)

    @cached_property
    def staff(self) -> list[User]:
        return list(self.staff_queryset.select_related("team"))

    def _job_seekers(self) -> QuerySet[JobSeeker]:
        return job_seekers_in_scope(self.scope, self.staff_queryset)

    def _placements(self) -> QuerySet[Placement]:
        return placements_in_scope(self.scope, self.staff_queryset)

    def _tasks(self) -> QuerySet[SupportTask]:
        return tasks_in_scope(self.scope, self.staff_queryset)

    def _held_contacts(self, start: datetime.datetime, end: datetime.datetime) -> QuerySet[EmployerContact]:
        return (
            employer_contacts_in_scope(self.scope, self.staff_queryset)
            .filter(HELD, starts_at__gte=start, starts_at__lt=end)
            .select_related(None)
            .order_by()
        )

    # Job development -----------------------------------------------------------

    @cached_property
    def _contacts_by_specialist(self) -> dict[int, dict]:
        rows = (
            self._held_contacts(self.start, self.end)
            .values("specialist_id")
            .annotate(
                face_to_face=Count("id", filter=FACE_TO_FACE_ON_BEHALF),
                other=Count("id", filter=~FACE_TO_FACE_ON_BEHALF),
                employers=Count("employer_id", distinct=True),
            )
        )
        return {row["specialist_id"]: row for row in rows}

    @cached_property
    def _weekly_by_specialist(self) -> dict[tuple[int, datetime.date], int]:
        rows = (
            self._held_contacts(self.start, self.end)
            .filter(FACE_TO_FACE_ON_BEHALF)
            .annotate(week=TruncWeek("starts_at", tzinfo=self.tz))
            .values("specialist_id", "week")
            .annotate(n=Count("id"))
        )
        return {(row["specialist_id"], self._local_date(row["week"])): row["n"] for row in rows}

    @cached_property
    def distinct_employers(self) -> int:
        return self._held_contacts(self.start, self.end).aggregate(n=Count("employer_id", distinct=True))["n"]

    @cached_property
    def _new_employers_by_specialist(self) -> dict[int, int]:
        """Employers whose first held contact in the program (any specialist, any
        time) falls in the period, credited to the specialist who held it."""
        first_held = (
            EmployerContact.objects.filter(HELD, employer_id=OuterRef("employer_id"))
            .order_by("starts_at", "id")
            .values("pk")[:1]
        )
        rows = (
            self._held_contacts(self.start, self.end)
            .filter(pk=Subquery(first_held))
            .values("specialist_id")
            .annotate(n=Count("employer_id", distinct=True))
        )
        return {row["specialist_id"]: row["n"] for row in rows}

    @cached_property
    def chart_weeks(self) -> list[WeekPoint]:
        """The 12 ISO weeks ending with the period's last week: the team's face-to-face
        contacts on behalf of job seekers, against the team's target (the weekly
        target times the number of specialists shown)."""
        last_monday = iso_monday(self.date_to)
        first_monday = last_monday - datetime.timedelta(weeks=CHART_WEEKS - 1)
        rows = (
            self._held_contacts(self._midnight(first_monday), self._midnight(last_monday + datetime.timedelta(days=7)))
            .filter(FACE_TO_FACE_ON_BEHALF)
            .annotate(week=TruncWeek("starts_at", tzinfo=self.tz))
            .values("week")
            .annotate(n=Count("id"))
        )
        counts = {self._local_date(row["week"]): row["n"] for row in rows}
        target = self.team_weekly_target
        return [
            WeekPoint(monday, counts.get(monday, 0), target)
            for monday in (first_monday + datetime.timedelta(weeks=i) for i in range(CHART_WEEKS))
        ]

    @property
    def team_weekly_target(self) -> int:
        return self.target_per_week * max(len(self.rows), 1)

    @cached_property
    def weekly_totals(self) -> list[int]:
        return [sum(row.weeks[i] for row in self.rows) for i in range(len(self.weeks))]

    # Caseloads -----------------------------------------------------------------

    @cached_property
    def _caseload_by_specialist(self) -> dict[int, dict]:
        rows = (
            self._job_seekers()
            .filter(status__in=ACTIVE_STATUSES)
            .order_by()
            .values("specialist_id")
            .annotate(
                caseload=Count("id"),
                job_search=Count("id", filter=Q(status=JobSeeker.Status.JOB_SEARCH)),
                working=Count("id", filter=Q(status__in=WORKING_STATUSES)),
            )
        )
        return {row["specialist_id"]: row for row in rows}

    @cached_property
    def no_recent_contact(self) -> list[JobSeeker]:
        """Job seekers in job search with no held employer contact on their behalf (any
        mode) since the same date 30 days ago, longest without one first."""
        since = self._midnight(self.today - datetime.timedelta(days=NO_RECENT_CONTACT_DAYS))
        last_contact = (
            EmployerContact.objects.filter(HELD, job_seekers=OuterRef("pk"))
            .order_by()
            .values("job_seekers")
            .annotate(last=Max("starts_at"))
            .values("last")[:1]
        )
        job_seekers = contacts_without_recent_activity(
            self._job_seekers().filter(status=JobSeeker.Status.JOB_SEARCH), since=since
        )
        people = list(
            job_seekers.annotate(last_contact_at=Subquery(last_contact)).order_by(
                F("last_contact_at").asc(nulls_first=True), F("job_search_since").asc(nulls_first=True), "pk"
            )
        )
        for person in people:
            person.last_contact_on = self._local_date(person.last_contact_at) if person.last_contact_at else None
            person.days_in_search = (
                (self.today - person.job_search_since).days if person.job_search_since is not None else None
            )
        return people

    # Rapid job search ----------------------------------------------------------

    @property
    def first_contact_days(self) -> int:
        return self.organisation.days_to_first_employer_contact

    @cached_property
    def first_contact_cohort(self) -> list[JobSeeker]:
        """Everyone whose rapid-job-search clock started (job_search_since) in the
        period, with their first held face-to-face contact on their behalf since."""
        # The clock's subquery compares local dates: compile it in the program's zone.
        with timezone.override(self.tz):
            people = list(
                with_rapid_search_clock(
                    self._job_seekers().filter(job_search_since__gte=self.date_from, job_search_since__lte=self.date_to)
                ).order_by("job_search_since", "last_name", "first_name", "pk")
            )
        limit = self.first_contact_days
        for person in people:
            person.first_contact_on = (
                self._local_date(person.first_face_to_face_at) if person.first_face_to_face_at else None
            )
            if person.first_contact_on is not None:
                person.days_to_first_contact = (person.first_contact_on - person.job_search_since).days
                person.within_limit = person.days_to_first_contact <= limit
            else:
                person.days_to_first_contact = None
                # Still on the clock: neither within nor late yet.
                late = (self.today - person.job_search_since).days > limit
                person.within_limit = False if late else None
        return people

    @cached_property
    def no_first_contact(self) -> list[JobSeeker]:
        """In job search today, past day N (N = days_to_first_employer_contact) since
        job_search_since, and no held face-to-face contact on their behalf since."""
        cutoff = self.today - datetime.timedelta(days=self.first_contact_days)
        with timezone.override(self.tz):
            people = list(
                with_rapid_search_clock(
                    self._job_seekers().filter(status=JobSeeker.Status.JOB_SEARCH, job_search_since__lt=cutoff)
                )
                .filter(first_face_to_face_at__isnull=True)
                .order_by("job_search_since", "last_name", "first_name", "pk")
            )
        for person in people:
            person.days_in_search = (self.today - person.job_search_since).days
        return people

    # Jobs ----------------------------------------------------------------------

    def _started_in_period(self) -> QuerySet[Placement]:
        return self._placements().filter(start_date__gte=self.date_from, start_date__lte=self.date_to).order_by()

    @cached_property
    def _starts(self) -> dict[tuple[int, datetime.date], int]:
        rows = (
            self._started_in_period()
            .annotate(month=TruncMonth("start_date"))
            .values("job_seeker__specialist_id", "month")
            .annotate(n=Count("id"))
        )
        return {(row["job_seeker__specialist_id"], self._local_date(row["month"])): row["n"] for row in rows}

    @cached_property
    def starts_by_month(self) -> list[tuple[datetime.date, int]]:
        totals: dict[datetime.date, int] = {}
        for (_specialist, month), n in self._starts.items():
            totals[month] = totals.get(month, 0) + n
        return [(month, totals.get(month, 0)) for month in self.months]

    @cached_property
    def placement_figures(self) -> dict[str, int]:
        offered_before_start = BenefitsStep.objects.filter(
            placement_id=OuterRef("pk"),
            job_seeker_id=OuterRef("job_seeker_id"),
            reason=BenefitsStep.Reason.BEFORE_START,
            offered_on__lte=OuterRef("start_date"),
        )
        # People recorded as not on benefits have nothing to plan: the product creates
        # no step for them (placements.handlers.BENEFITS_NEEDED), so they are left out.
        on_benefits = ~Q(job_seeker__receives_benefits=JobSeeker.Benefits.NO)
        return self._started_in_period().aggregate(
            placements=Count("id"),
            typed=Count("id", filter=Q(job_type__isnull=False)),
            job_types=Count("job_type_id", distinct=True),
            employers=Count("employer_id", distinct=True),
            competitive=Count("id", filter=Q(is_competitive=True)),
            benefits_due=Count("id", filter=on_benefits),
            benefits_offered=Count("id", filter=on_benefits & Q(Exists(offered_before_start))),
        )

    @cached_property
    def retention(self) -> dict[str, int]:
        """Placements whose 13-week (day 90) milestone was reached in the period."""
        return (
            PlacementMilestone.objects.filter(
                placement__in=self._placements(),
                name=Milestone.DAY_90,
                reached_at__gte=self.start,
                reached_at__lt=self.end,
            )
            .order_by()
            .aggregate(
                reached=Count("id"),
                working=Count("id", filter=Q(still_working=True)),
                not_recorded=Count("id", filter=Q(still_working__isnull=True)),
            )
        )

    # Follow-along --------------------------------------------------------------

    @cached_property
    def _follow_along_by_owner(self) -> dict[int, Share]:
        """Follow-along tasks due in the period and before today (cancelled ones are
        no longer due): done on or before their due date, of all due."""
        last_due = min(self.date_to, self.today - datetime.timedelta(days=1))
        rows = (
            self._tasks()
            .filter(kind=SupportTask.Kind.FOLLOW_ALONG, due_date__gte=self.date_from, due_date__lte=last_due)
            .exclude(status=SupportTask.Status.CANCELLED)
            .order_by()
            .values("owner_id")
            .annotate(
                due=Count("id"),
                on_time=Count("id", filter=Q(status=SupportTask.Status.DONE, completed_on__lte=F("due_date"))),
            )
        )
        return {row["owner_id"]: Share(row["on_time"], row["due"]) for row in rows}

    @cached_property
    def _overdue_by_owner(self) -> dict[int, int]:
        rows = (
            self._tasks()
            .filter(status=SupportTask.Status.OPEN, due_date__lt=self.today)
            .order_by()
            .values("owner_id")
            .annotate(n=Count("id"))
        )
        return {row["owner_id"]: row["n"] for row in rows}

    # Rows per specialist -------------------------------------------------------

    @cached_property
    def rows(self) -> list[SpecialistRow]:
        """One row per specialist in scope; team leaders, and people no longer active,
        only when they have figures (a caseload, contacts, tasks)."""
        no_recent: dict[int, int] = {}
        for person in self.no_recent_contact:
            no_recent[person.specialist_id] = no_recent.get(person.specialist_id, 0) + 1
        no_first: dict[int, int] = {}
        for person in self.no_first_contact:
            no_first[person.specialist_id] = no_first.get(person.specialist_id, 0) + 1
        starts: dict[int, int] = {}
        for (specialist_id, _month), n in self._starts.items():
            starts[specialist_id] = starts.get(specialist_id, 0) + n
        weeks = len(self.weeks)
        rows = []
        for person in self.staff:
            contacts = self._contacts_by_specialist.get(person.pk, {})
            caseload = self._caseload_by_specialist.get(person.pk, {})
            row = SpecialistRow(
                specialist=person,
                weeks=[self._weekly_by_specialist.get((person.pk, monday), 0) for monday in self.weeks],
                face_to_face=contacts.get("face_to_face", 0),
                other_contacts=contacts.get("other", 0),
                employers=contacts.get("employers", 0),
                new_employers=self._new_employers_by_specialist.get(person.pk, 0),
                caseload=caseload.get("caseload", 0),
                job_search=caseload.get("job_search", 0),
                working=caseload.get("working", 0),
                job_starts=starts.get(person.pk, 0),
                no_recent_contact=no_recent.get(person.pk, 0),
                no_first_contact=no_first.get(person.pk, 0),
                follow_along=self._follow_along_by_owner.get(person.pk, Share(0, 0)),
                overdue_tasks=self._overdue_by_owner.get(person.pk, 0),
            )
            row.average_per_week = row.face_to_face / weeks if weeks else 0.0
            row.meets_weekly_target = row.face_to_face >= self.target_per_week * weeks
            shown = always_listed(person) or row.has_activity()
            if shown or self.filters.specialist is not None:
                rows.append(row)
        return rows

    # Summary -------------------------------------------------------------------

    @cached_property
    def figures(self) -> list[Figure]:
        return dashboard_figures(self)

    def figures_in(self, section: str) -> list[Figure]:
        return [figure for figure in self.figures if figure.section == section]

    @property
    def figures_by_key(self) -> dict[str, Figure]:
        return {figure.key: figure for figure in self.figures}
