"""The team leader's fidelity dashboard: the figures, for a team or a specialist and a period.

Every figure is read with the access rules of `crm.selectors` (a team leader reads
their team, a program admin the whole program, a specialist their own figures) and
comes from SQL aggregation: the number of queries is fixed, whatever the number of
job seekers, contacts, placements or tasks. Definitions, thresholds and the IPS
fidelity items they answer are in docs/fidelity.md.

Dates: a period is a pair of local dates, both included. Employer contacts are
placed in the period (and in ISO weeks) by their start in the program's time zone.
"""

import datetime
import statistics
import zoneinfo
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import JobSeeker, Organisation, Team, User
from crm.selectors import caseload_filter, job_seekers_visible_to, outside_any_program
from jobdev.models import EmployerContact
from jobdev.selectors import contacts_without_recent_activity, employer_contacts_visible_to, with_rapid_search_clock
from placements.models import BenefitsStep, Milestone, Placement, PlacementMilestone, SupportTask

DEFAULT_WEEKS = 12
CHART_WEEKS = 12
MAX_PERIOD_DAYS = 366
# "No employer contact in the last 30 days" is a fixed supervision window, not a
# program setting (the rapid-job-search threshold is: days_to_first_employer_contact).
NO_RECENT_CONTACT_DAYS = 30
# IPS gives no percentage for these two; the fidelity criterion is "every time":
# every due follow-along contact held, everyone on benefits offered planning.
FOLLOW_ALONG_ON_TIME_TARGET_PERCENT = 100
BENEFITS_PLANNING_TARGET_PERCENT = 100

ACTIVE_STATUSES = (JobSeeker.Status.JOB_SEARCH, JobSeeker.Status.WORKING, JobSeeker.Status.FOLLOW_ALONG)
WORKING_STATUSES = (JobSeeker.Status.WORKING, JobSeeker.Status.FOLLOW_ALONG)
HELD = Q(status=EmployerContact.Status.HELD)
# Fidelity "job development: frequency": a face-to-face contact (the specialist in
# person, or the job seeker meeting the employer) about job seekers, not a call.
FACE_TO_FACE_ON_BEHALF = Q(mode__in=EmployerContact.FACE_TO_FACE_MODES, purpose=EmployerContact.Purpose.ON_BEHALF)

TABLES = (
    "summary",
    "contacts",
    "weekly",
    "chart",
    "caseload",
    "no-recent-contact",
    "first-contact",
    "no-first-contact",
    "starts",
    "follow-along",
)


# Periods and weeks ---------------------------------------------------------------


def iso_monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def iso_week_label(monday: datetime.date) -> str:
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}"


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 12 ISO weeks, this week included: Monday 11 weeks ago to this Sunday."""
    monday = iso_monday(today)
    return monday - datetime.timedelta(weeks=DEFAULT_WEEKS - 1), monday + datetime.timedelta(days=6)


def iso_weeks(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    """The Mondays of every ISO week the period touches."""
    monday, last = iso_monday(date_from), iso_monday(date_to)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += datetime.timedelta(weeks=1)
    return weeks


def months(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    month, last = date_from.replace(day=1), date_to.replace(day=1)
    result = []
    while month <= last:
        result.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return result


def program_time_zone(organisation: Organisation) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(organisation.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


# Who is in scope -----------------------------------------------------------------


def dashboard_available_to(user) -> bool:
    return not outside_any_program(user)


def dashboard_teams(user) -> QuerySet[Team]:
    """Teams a user may pick: program admins only (the whole program)."""
    if outside_any_program(user) or not user.is_program_admin:
        return Team.objects.none()
    return Team.objects.filter(organisation_id=user.organisation_id).order_by("name")


def dashboard_staff(user, *, team: Team | None = None) -> QuerySet[User]:
    """Staff whose figures `user` may read: a program admin, the program's specialists
    and team leaders (or one team's); a team leader, their team's specialists and
    themselves; a specialist, themselves only."""
    if outside_any_program(user):
        return User.objects.none()
    staff = User.objects.filter(
        organisation_id=user.organisation_id, role__in=[User.Role.SPECIALIST, User.Role.TEAM_LEADER]
    )
    if user.is_program_admin:
        if team is not None:
            staff = staff.filter(Q(team=team) | Q(pk=team.leader_id))
    elif user.is_team_leader:
        staff = staff.filter(Q(pk=user.pk) | Q(team__leader_id=user.pk))
    else:
        staff = staff.filter(pk=user.pk)
    return staff.order_by("first_name", "last_name", "pk")


@dataclass(frozen=True)
class DashboardFilters:
    date_from: datetime.date
    date_to: datetime.date
    team: Team | None = None
    specialist: User | None = None


# Results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return 100 * self.numerator / self.denominator

    def at_least(self, percent: int) -> bool | None:
        # Integers, so that 17 of 20 meets 85% exactly, without float rounding.
        if not self.denominator:
            return None
        return self.numerator * 100 >= percent * self.denominator


@dataclass
class Figure:
    key: str
    section: str
    label: str
    unit: str  # "count", "percent", "days", "per_week"
    value: float | int | None
    definition: str
    threshold: str
    item: str
    meets: bool | None = None  # None: for information, or no data
    share: Share | None = None
    note: str = ""
    now: bool = False  # a picture of today, not of the period

    @property
    def status(self) -> str:
        if self.meets is None:
            return "info" if self.value is not None else "no_data"
        return "meets" if self.meets else "below"

    @property
    def status_label(self) -> str:
        return {
            "meets": _("Meets the threshold"),
            "below": _("Does not meet the threshold"),
            "info": _("For information"),
            "no_data": _("No data in this period"),
        }[self.status]


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


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


# The dashboard -------------------------------------------------------------------


class TeamDashboard:
    """The figures for `user`, read lazily (each block is one query or two), so a CSV
    export of one table runs only the queries it needs."""

    def __init__(self, user, filters: DashboardFilters, *, today: datetime.date | None = None):
        if outside_any_program(user):
            raise PermissionError("The dashboard needs a user in a program.")
        self.user = user
        self.organisation: Organisation = user.organisation
        self.filters = filters
        self.tz = program_time_zone(self.organisation)
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
        staff = dashboard_staff(self.user, team=self.filters.team)
        if self.filters.specialist is not None:
            staff = staff.filter(pk=self.filters.specialist.pk)
        return staff

    @cached_property
    def staff(self) -> list[User]:
        return list(self.staff_queryset.select_related("team"))

    def _job_seekers(self) -> QuerySet[JobSeeker]:
        return job_seekers_visible_to(self.user).filter(specialist__in=self.staff_queryset)

    def _placements(self) -> QuerySet[Placement]:
        return Placement.objects.filter(
            caseload_filter(self.user, prefix="job_seeker__"), job_seeker__specialist__in=self.staff_queryset
        )

    def _tasks(self) -> QuerySet[SupportTask]:
        return SupportTask.objects.filter(
            caseload_filter(self.user, prefix="job_seeker__"), owner__in=self.staff_queryset
        )

    def _held_contacts(self, start: datetime.datetime, end: datetime.datetime) -> QuerySet[EmployerContact]:
        return (
            employer_contacts_visible_to(self.user)
            .filter(HELD, specialist__in=self.staff_queryset, starts_at__gte=start, starts_at__lt=end)
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
            shown = (person.role == User.Role.SPECIALIST and person.is_active) or row.has_activity()
            if shown or self.filters.specialist is not None:
                rows.append(row)
        return rows

    # Summary -------------------------------------------------------------------

    @cached_property
    def figures(self) -> list[Figure]:
        org = self.organisation
        rows = self.rows
        weeks = len(self.weeks)
        total_face_to_face = sum(row.face_to_face for row in rows)
        per_specialist_week = total_face_to_face / (len(rows) * weeks) if rows and weeks else None
        meeting = sum(1 for row in rows if row.meets_weekly_target)
        largest = max((row.caseload for row in rows), default=None)
        over_limit = sum(1 for row in rows if row.caseload > org.caseload_limit)
        cohort = self.first_contact_cohort
        days = [person.days_to_first_contact for person in cohort if person.days_to_first_contact is not None]
        median_days = statistics.median(days) if days else None
        decided = [person for person in cohort if person.within_limit is not None]
        within = Share(sum(1 for person in decided if person.within_limit), len(decided))
        working = Share(sum(row.working for row in rows), sum(row.caseload for row in rows))
        retention = Share(self.retention["working"], self.retention["reached"])
        follow_along = Share(
            sum(row.follow_along.numerator for row in rows), sum(row.follow_along.denominator for row in rows)
        )
        overdue = sum(row.overdue_tasks for row in rows)
        placements = self.placement_figures
        job_types = Share(placements["job_types"], placements["typed"])
        employers = Share(placements["employers"], placements["placements"])
        competitive = Share(placements["competitive"], placements["placements"])
        benefits = Share(placements["benefits_offered"], placements["benefits_due"])
        at_least = _("at least %(value)s")
        at_least_percent = _("at least %(value)s%%")
        info = _("for information")
        n = self.first_contact_days

        def percent(share: Share) -> float | None:
            return _round(share.percent)

        return [
            Figure(
                key="contacts_per_week",
                section="job_development",
                label=_("Face-to-face employer contacts on behalf of job seekers, per specialist per week"),
                unit="per_week",
                value=_round(per_specialist_week),
                definition=_(
                    "Held contacts, in person or made by the job seeker, on behalf of job seekers, "
                    "divided by the number of specialists and of ISO weeks in the period."
                ),
                threshold=at_least % {"value": self.target_per_week},
                item=_("Job development: frequency"),
                meets=None if per_specialist_week is None else per_specialist_week >= self.target_per_week,
                note=_("%(meeting)s of %(total)s specialists at or above the target")
                % {"meeting": meeting, "total": len(rows)},
            ),
            Figure(
                key="other_contacts",
                section="job_development",
                label=_("Other employer contacts"),
                unit="count",
                value=sum(row.other_contacts for row in rows),
                definition=_("Held contacts by phone, video or email, and relationship-building visits."),
                threshold=info,
                item=_("Job development: quality"),
            ),
            Figure(
                key="distinct_employers",
                section="job_development",
                label=_("Employers contacted"),
                unit="count",
                value=self.distinct_employers,
                definition=_("Distinct employers with at least one held contact in the period."),
                threshold=info,
                item=_("Job development: quality"),
            ),
            Figure(
                key="new_employers",
                section="job_development",
                label=_("New employers"),
                unit="count",
                value=sum(row.new_employers for row in rows),
                definition=_("Employers whose first held contact in the whole program falls in the period."),
                threshold=info,
                item=_("Job development: quality"),
            ),
            Figure(
                key="largest_caseload",
                section="caseload",
                label=_("Largest caseload"),
                unit="count",
                value=largest,
                definition=_("Job seekers in job search, working or in follow-along, per specialist, today."),
                threshold=_("at most %(value)s per specialist") % {"value": org.caseload_limit},
                item=_("Caseload size"),
                meets=None if largest is None else largest <= org.caseload_limit,
                note=_("%(over)s of %(total)s specialists over the limit") % {"over": over_limit, "total": len(rows)},
                now=True,
            ),
            Figure(
                key="no_recent_contact",
                section="caseload",
                label=_("Job seekers with no employer contact in the last 30 days"),
                unit="count",
                value=len(self.no_recent_contact),
                definition=_(
                    "In job search today, and no held employer contact on their behalf (any mode) in the last 30 days."
                ),
                threshold=_("none"),
                item=_("Individualized job search"),
                meets=not self.no_recent_contact,
                now=True,
            ),
            Figure(
                key="median_days_to_first_contact",
                section="rapid_search",
                label=_("Days to first face-to-face employer contact (median)"),
                unit="days",
                value=median_days,
                definition=_(
                    "For job seekers whose job search began in the period and who had one: days from the start "
                    "of the job search to the first held face-to-face contact with an employer on their behalf."
                ),
                threshold=_("at most %(value)s days") % {"value": n},
                item=_("Rapid job search"),
                meets=None if median_days is None else median_days <= n,
                note=_("%(with)s of %(total)s job seekers had a contact") % {"with": len(days), "total": len(cohort)},
            ),
            Figure(
                key="first_contact_within",
                section="rapid_search",
                label=_("First employer contact within %(days)s days") % {"days": n},
                unit="percent",
                value=percent(within),
                definition=_(
                    "Of job seekers whose job search began in the period, share with a first face-to-face "
                    "contact within %(days)s days; people still within their first %(days)s days without one "
                    "are not counted yet."
                )
                % {"days": n},
                threshold=info,
                item=_("Rapid job search"),
                share=within,
            ),
            Figure(
                key="no_first_contact",
                section="rapid_search",
                label=_("Past day %(days)s without a first employer contact") % {"days": n},
                unit="count",
                value=len(self.no_first_contact),
                definition=_(
                    "In job search today for more than %(days)s days, and no held face-to-face employer "
                    "contact on their behalf since the job search began."
                )
                % {"days": n},
                threshold=_("none"),
                item=_("Rapid job search"),
                meets=not self.no_first_contact,
                now=True,
            ),
            Figure(
                key="job_starts",
                section="outcomes",
                label=_("Job starts"),
                unit="count",
                value=sum(count for _month, count in self.starts_by_month),
                definition=_("Placements whose start date falls in the period."),
                threshold=info,
                item=_("Outcomes"),
            ),
            Figure(
                key="working_share",
                section="outcomes",
                label=_("Share of the caseload working"),
                unit="percent",
                value=percent(working),
                definition=_("Job seekers working or in follow-along, of the active caseload, today."),
                threshold=at_least_percent % {"value": org.employment_rate_target_percent},
                item=_("Outcomes: employment rate"),
                meets=working.at_least(org.employment_rate_target_percent),
                share=working,
                now=True,
            ),
            Figure(
                key="retention_13_weeks",
                section="outcomes",
                label=_("Still working after 13 weeks"),
                unit="percent",
                value=percent(retention),
                definition=_(
                    "Of placements whose 13-week (day 90) milestone was reached in the period, "
                    "share recorded as still working."
                ),
                threshold=at_least_percent % {"value": org.retention_13_weeks_target_percent},
                item=_("Outcomes: 13-week retention"),
                meets=retention.at_least(org.retention_13_weeks_target_percent),
                share=retention,
                note=(
                    _("%(count)s without a recorded answer, counted as not working")
                    % {"count": self.retention["not_recorded"]}
                    if self.retention["not_recorded"]
                    else ""
                ),
            ),
            Figure(
                key="follow_along_on_time",
                section="follow_along",
                label=_("Follow-along contacts done on time"),
                unit="percent",
                value=percent(follow_along),
                definition=_(
                    "Follow-along tasks due in the period (before today), not cancelled: share done "
                    "on or before their due date."
                ),
                threshold=at_least_percent % {"value": FOLLOW_ALONG_ON_TIME_TARGET_PERCENT},
                item=_("Time-unlimited follow-along supports"),
                meets=follow_along.at_least(FOLLOW_ALONG_ON_TIME_TARGET_PERCENT),
                share=follow_along,
            ),
            Figure(
                key="overdue_tasks",
                section="follow_along",
                label=_("Overdue tasks"),
                unit="count",
                value=overdue,
                definition=_("Open tasks of every kind past their due date, today."),
                threshold=_("none"),
                item=_("Time-unlimited follow-along supports"),
                meets=overdue == 0,
                now=True,
            ),
            Figure(
                key="job_type_diversity",
                section="placements",
                label=_("Diversity of job types"),
                unit="percent",
                value=percent(job_types),
                definition=_(
                    "Distinct job types among placements started in the period, of those placements with a "
                    "job type recorded."
                ),
                threshold=at_least_percent % {"value": org.job_type_diversity_percent},
                item=_("Diversity of job types"),
                meets=job_types.at_least(org.job_type_diversity_percent),
                share=job_types,
                note=(
                    _("%(count)s placements without a job type are not counted")
                    % {"count": placements["placements"] - placements["typed"]}
                    if placements["placements"] != placements["typed"]
                    else ""
                ),
            ),
            Figure(
                key="employer_diversity",
                section="placements",
                label=_("Diversity of employers"),
                unit="percent",
                value=percent(employers),
                definition=_("Distinct employers among placements started in the period, of those placements."),
                threshold=at_least_percent % {"value": org.employer_diversity_percent},
                item=_("Diversity of employers"),
                meets=employers.at_least(org.employer_diversity_percent),
                share=employers,
            ),
            Figure(
                key="competitive_share",
                section="placements",
                label=_("Competitive jobs"),
                unit="percent",
                value=percent(competitive),
                definition=_("Placements started in the period that are competitive jobs."),
                threshold=at_least_percent % {"value": org.competitive_jobs_percent},
                item=_("Competitive jobs"),
                meets=competitive.at_least(org.competitive_jobs_percent),
                share=competitive,
            ),
            Figure(
                key="benefits_before_start",
                section="placements",
                label=_("Benefits planning offered before the start"),
                unit="percent",
                value=percent(benefits),
                definition=_(
                    "Placements started in the period, for job seekers not recorded as off benefits, with "
                    "work incentives planning offered for that job on or before its start date."
                ),
                threshold=at_least_percent % {"value": BENEFITS_PLANNING_TARGET_PERCENT},
                item=_("Work incentives planning"),
                meets=benefits.at_least(BENEFITS_PLANNING_TARGET_PERCENT),
                share=benefits,
            ),
        ]

    def figures_in(self, section: str) -> list[Figure]:
        return [figure for figure in self.figures if figure.section == section]

    @property
    def figures_by_key(self) -> dict[str, Figure]:
        return {figure.key: figure for figure in self.figures}

    # Tables, for the CSV export (the page shows the same data) ------------------

    def table(self, name: str) -> tuple[list[str], list[list]]:
        if name not in TABLES:
            raise KeyError(name)
        return getattr(self, "_table_" + name.replace("-", "_"))()

    def _table_summary(self):
        header = [
            _("Figure"),
            _("Value"),
            _("Numerator"),
            _("Denominator"),
            _("Threshold"),
            _("Status"),
            _("Definition"),
            _("IPS fidelity item"),
        ]
        rows = [
            [
                figure.label,
                figure.value,
                figure.share.numerator if figure.share else "",
                figure.share.denominator if figure.share else "",
                figure.threshold,
                figure.status_label,
                figure.definition,
                figure.item,
            ]
            for figure in self.figures
        ]
        return header, rows

    def _specialist_cells(self, row: SpecialistRow) -> list:
        return [str(row.specialist), row.specialist.team.name if row.specialist.team else ""]

    def _table_contacts(self):
        header = [
            _("Specialist"),
            _("Team"),
            _("Face-to-face contacts on behalf of job seekers"),
            _("Average per week"),
            _("Target per week"),
            _("Status"),
            _("Other contacts"),
            _("Employers contacted"),
            _("New employers"),
        ]
        rows = [
            [
                *self._specialist_cells(row),
                row.face_to_face,
                _round(row.average_per_week),
                self.target_per_week,
                _("Meets") if row.meets_weekly_target else _("Below"),
                row.other_contacts,
                row.employers,
                row.new_employers,
            ]
            for row in self.rows
        ]
        return header, rows

    def _table_weekly(self):
        header = [_("Specialist"), _("Team"), *(iso_week_label(monday) for monday in self.weeks)]
        rows = [[*self._specialist_cells(row), *row.weeks] for row in self.rows]
        rows.append([_("Team total"), "", *self.weekly_totals])
        return header, rows

    def _table_chart(self):
        header = [_("ISO week"), _("Week of"), _("Face-to-face contacts on behalf of job seekers"), _("Team target")]
        header.append(_("Status"))
        rows = [
            [
                point.label,
                point.monday.isoformat(),
                point.count,
                point.target,
                _("Meets") if point.meets else _("Below"),
            ]
            for point in self.chart_weeks
        ]
        return header, rows

    def _table_caseload(self):
        header = [
            _("Specialist"),
            _("Team"),
            _("Caseload"),
            _("Caseload limit"),
            _("Status"),
            _("In job search"),
            _("Working or in follow-along"),
            _("Share working (%)"),
            _("Job starts in the period"),
            _("No employer contact in the last 30 days"),
            _("Past day %(days)s without a first employer contact") % {"days": self.first_contact_days},
        ]
        limit = self.organisation.caseload_limit
        rows = [
            [
                *self._specialist_cells(row),
                row.caseload,
                limit,
                _("Meets") if row.caseload <= limit else _("Over the limit"),
                row.job_search,
                row.working,
                _round(row.working_share.percent),
                row.job_starts,
                row.no_recent_contact,
                row.no_first_contact,
            ]
            for row in self.rows
        ]
        return header, rows

    def _table_no_recent_contact(self):
        header = [_("Job seeker"), _("Specialist"), _("In job search since"), _("Last employer contact")]
        rows = [
            [
                person.full_name,
                str(person.specialist),
                person.job_search_since.isoformat() if person.job_search_since else "",
                person.last_contact_on.isoformat() if person.last_contact_on else "",
            ]
            for person in self.no_recent_contact
        ]
        return header, rows

    def _table_first_contact(self):
        header = [
            _("Job seeker"),
            _("Specialist"),
            _("In job search since"),
            _("First face-to-face employer contact"),
            _("Days"),
            _("Within %(days)s days") % {"days": self.first_contact_days},
        ]
        answers = {True: _("Yes"), False: _("No"), None: _("Not yet")}
        rows = [
            [
                person.full_name,
                str(person.specialist),
                person.job_search_since.isoformat(),
                person.first_contact_on.isoformat() if person.first_contact_on else "",
                "" if person.days_to_first_contact is None else person.days_to_first_contact,
                answers[person.within_limit],
            ]
            for person in self.first_contact_cohort
        ]
        return header, rows

    def _table_no_first_contact(self):
        header = [_("Job seeker"), _("Specialist"), _("In job search since"), _("Days in job search")]
        rows = [
            [person.full_name, str(person.specialist), person.job_search_since.isoformat(), person.days_in_search]
            for person in self.no_first_contact
        ]
        return header, rows

    def _table_starts(self):
        header = [_("Month"), _("Job starts")]
        return header, [[month.strftime("%Y-%m"), count] for month, count in self.starts_by_month]

    def _table_follow_along(self):
        header = [
            _("Specialist"),
            _("Team"),
            _("Follow-along contacts due"),
            _("Done on time"),
            _("Share on time (%)"),
            _("Overdue tasks today"),
        ]
        rows = [
            [
                *self._specialist_cells(row),
                row.follow_along.denominator,
                row.follow_along.numerator,
                _round(row.follow_along.percent),
                row.overdue_tasks,
            ]
            for row in self.rows
        ]
        return header, rows
