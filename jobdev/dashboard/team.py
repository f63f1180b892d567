"""The team leader's fidelity dashboard: the counts behind the figures and the tables,
for a team or a specialist and a period.

Every count comes from SQL aggregation, or from one list query per table, over the
records in scope (`scope`): the number of queries is fixed, whatever the number of job
seekers, contacts, placements or tasks (pinned in tests/jobdev/test_dashboard.py).

Dates: a period is a pair of local dates, both included. Employer contacts are
placed in the period (and in ISO weeks) by their start in the program's time zone.
"Today" is the program's today, or the day given (a fidelity review reads the records
as of its review date): every "as of today" figure uses it, never the clock.

The definitions are in docs/fidelity.md; each block below names the item of the IPS
Supported Employment Fidelity Scale it answers (jobdev.fidelity.scale).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from crm.access import AccessScope, OutOfScope
from crm.clock import program_zone
from crm.models import JobSeeker, JobSeekerStatusChange, Organisation, User
from employers.selectors import employers_visible
from jobdev.dashboard.figures import Figure, Share, dashboard_figures
from jobdev.dashboard.periods import iso_monday, iso_week_label, iso_weeks, months, year_ending
from jobdev.dashboard.scope import (
    DashboardFilters,
    always_listed,
    benefits_steps_in_scope,
    dashboard_available_to,
    employer_contacts_in_scope,
    job_seekers_in_scope,
    placements_in_scope,
    staff_in_scope,
    tasks_in_scope,
)
from jobdev.fidelity import scale
from jobdev.matching.query import employer_candidates_among
from jobdev.matching.wishes import _preference_sets, _wishes
from jobdev.models import EmployerContact
from jobdev.selectors import (
    contacts_without_recent_activity,
    with_rapid_search_clock,
    without_first_face_to_face_contact,
)
from placements.models import BenefitsStep, FollowAlongPlan, Placement, SupportTask, TaskTitle
from placements.selectors import placements_reaching_day_90, retained_at_day_90

CHART_WEEKS = 12
# 13-week retention (IPS Grow): a job's day 90.
# Item 23: the face-to-face contact before a job starts is within the week before it.
BEFORE_START_DAYS = 7
# Individualized job search: the people whose preferences are compared in one query.
PEOPLE_PER_MATCH_QUERY = 100

# The fields of a follow-along task (and of its person, placement and owner) that
# `follow_along_due` and its table read (tests pin the page's query count, which a
# deferred field read per row would raise).
FOLLOW_ALONG_FIELDS = (
    "organisation_id",
    "job_seeker_id",
    "placement_id",
    "owner_id",
    "kind",
    "title_key",
    "title_params",
    "custom_title",
    "status",
    "due_date",
    "due_by",
    "completed_on",
    "completion_mode",
    "given_by",
    "cancelled_on",
    "job_seeker__first_name",
    "job_seeker__last_name",
    "placement__start_date",
    "placement__end_date",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)

ACTIVE_STATUSES = (JobSeeker.Status.JOB_SEARCH, JobSeeker.Status.WORKING, JobSeeker.Status.FOLLOW_ALONG)
WORKING_STATUSES = (JobSeeker.Status.WORKING, JobSeeker.Status.FOLLOW_ALONG)
HELD = Q(status=EmployerContact.Status.HELD)
ON_BEHALF = Q(purpose=EmployerContact.Purpose.ON_BEHALF)
# Item 17 "job development, frequent employer contact": the specialist's OWN
# face-to-face contacts, so in person; the job seeker meeting an employer alone is a
# face-to-face contact for rapid job search, not the specialist's job development.
SPECIALIST_IN_PERSON_ON_BEHALF = Q(mode=EmployerContact.Mode.IN_PERSON) & ON_BEHALF
JOB_SEEKER_ALONE_ON_BEHALF = Q(mode=EmployerContact.Mode.JOB_SEEKER) & ON_BEHALF
IN_PERSON = SupportTask.Mode.IN_PERSON
COMMUNITY_PLACES = (SupportTask.Place.WORKPLACE, SupportTask.Place.COMMUNITY)
# Item 24: the contacts whose place counts (follow-along and the contact after a job end).
COMMUNITY_TASK_KINDS = (SupportTask.Kind.FOLLOW_ALONG, SupportTask.Kind.JOB_END_CONTACT)
# Items 23 and 24: support given by the specialist (blank is the specialist).
BY_SPECIALIST = ("", SupportTask.GivenBy.SPECIALIST)


def counts_as_specialist(person: User, caseload: int) -> bool:
    """An employment specialist for the fidelity items: an active specialist, or anyone
    (a team leader) who carries job seekers on an active caseload. A team leader without
    a caseload is not one: their contacts and their FTE are not the team's job
    development (item 1's ratio, item 17's average)."""
    return always_listed(person) or caseload > 0


def still_due(tasks: QuerySet[SupportTask]) -> QuerySet[SupportTask]:
    """Tasks that stay due: a task cancelled BEFORE its due date is no longer due (a job
    that ended, a pause, a step-down); one cancelled on or after it was missed, and
    stays missed (a cancellation of an old row without its date is left out, as before
    the date was kept)."""
    cancelled_before_due = Q(status=SupportTask.Status.CANCELLED) & (
        Q(cancelled_on__isnull=True) | Q(cancelled_on__lt=F("due_on"))
    )
    return as_scheduled(tasks).exclude(cancelled_before_due)


def as_scheduled(tasks: QuerySet[SupportTask]) -> QuerySet[SupportTask]:
    """The tasks with `due_on`: the day each was first due (`due_by`), which booking the
    appointment on another day does not move, so a missed contact stays missed (rows
    from before the date was kept: their due date)."""
    return tasks.annotate(due_on=Coalesce("due_by", "due_date"))


def by_the_specialist(task: SupportTask) -> bool:
    """Given by the employment specialist (`given_by` blank or "specialist"), not by the
    family, the health team, co-workers or anyone else."""
    return task.given_by in BY_SPECIALIST


def done_in_person_on_time(task: SupportTask) -> bool:
    """Item 23's schedule is the specialist's face-to-face contact with the worker:
    done, in person, by the specialist, on or before its due date. A contact given by
    someone else (the family, the health team, co-workers...) is support (item 22), but
    the specialist's contact due that day was not made: it counts as not on time, and
    stays due (review 11, finding 9)."""
    return (
        task.status == SupportTask.Status.DONE
        and task.completion_mode == IN_PERSON
        and by_the_specialist(task)
        and task.completed_on is not None
        and task.completed_on <= getattr(task, "due_on", task.due_date)
    )


@dataclass
class SpecialistRow:
    specialist: User
    weeks: list[int] = field(default_factory=list)  # own in-person on-behalf contacts per ISO week
    in_person: int = 0  # own in-person contacts on behalf of job seekers, in the period
    job_seeker_alone: int = 0  # on-behalf contacts the job seeker made alone
    other_contacts: int = 0
    held_by_specialist: int = 0  # every held contact but the job seeker's alone
    employers: int = 0
    new_employers: int = 0
    complete_weeks_contacts: int = 0
    average_per_week: float | None = None  # over the period's complete ISO weeks
    current_week: int | None = None  # this unfinished week, apart
    meets_weekly_target: bool = False
    caseload: int = 0
    active_caseload: int = 0
    job_search: int = 0
    working: int = 0
    fte: float = 1.0
    specialist_role: bool = False
    job_starts: int = 0
    employer_contact_gap: int = 0
    no_first_contact: int = 0
    follow_along: Share = field(default_factory=lambda: Share(0, 0))
    overdue_tasks: int = 0
    community: Share = field(default_factory=lambda: Share(0, 0))

    @property
    def working_share(self) -> Share:
        return Share(self.working, self.caseload)

    @property
    def caseload_ratio(self) -> float | None:
        return self.active_caseload / self.fte if self.fte else None

    def has_activity(self) -> bool:
        return bool(
            self.in_person
            or self.job_seeker_alone
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
    #: The current, unfinished week: shown apart, never "below" before it ends.
    in_progress: bool = False

    @property
    def label(self) -> str:
        return iso_week_label(self.monday)

    @property
    def meets(self) -> bool:
        return self.count >= self.target

    @property
    def below(self) -> bool:
        return not self.in_progress and not self.meets


@dataclass
class ContactForPerson:
    """One held on-behalf employer contact for one person named on it (item 16)."""

    contact_id: int
    held_on: datetime.date
    specialist: str
    employer: str
    job_seeker: JobSeeker
    fits: bool | None  # None: no preferences and no address recorded, nothing to compare


@dataclass
class EmployerVisits:
    """Item 18: one employer's held in-person visits in the period (by one specialist,
    or by all of them): `repeat` when met more than once (two visits or more, or a
    visit recorded as a second or ongoing meeting)."""

    employer_id: int
    name: str
    visits: int
    met_hiring_authority: int
    needs_learned: int
    later_meetings: int

    @property
    def repeat(self) -> bool:
        return self.visits >= 2 or self.later_meetings > 0


@dataclass
class FollowAlongSupport:
    """Item 22: one worker's follow-along contacts done in the period."""

    job_seeker: JobSeeker
    contacts: int
    types: int
    givers: int
    type_labels: str
    giver_labels: str


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
        # Item 17 averages over the ISO weeks wholly in the period and over before today;
        # the current, unfinished week is shown apart (never averaged as a short week).
        self.complete_weeks = [
            monday
            for monday in self.weeks
            if monday >= self.date_from
            and monday + datetime.timedelta(days=6) <= self.date_to
            and monday + datetime.timedelta(days=6) < self.today
        ]
        this_week = iso_monday(self.today)
        self.current_week = this_week if this_week in self.weeks and this_week not in self.complete_weeks else None
        # The last day a task due in the period can have been missed: yesterday.
        self.last_due = min(self.date_to, self.today - datetime.timedelta(days=1))
        # Items 19-21: jobs started in the 12 months ending at the period's end.
        self.year_from, self.year_to = year_ending(self.date_to)

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
                in_person=Count("id", filter=SPECIALIST_IN_PERSON_ON_BEHALF),
                job_seeker_alone=Count("id", filter=JOB_SEEKER_ALONE_ON_BEHALF),
                other=Count("id", filter=~SPECIALIST_IN_PERSON_ON_BEHALF & ~JOB_SEEKER_ALONE_ON_BEHALF),
                employers=Count("employer_id", distinct=True),
                # Item 24: every contact by the specialist (not the job seeker's alone),
                # and those in the community (in person, at the employer's).
                by_specialist=Count("id", filter=~Q(mode=EmployerContact.Mode.JOB_SEEKER)),
                in_community=Count("id", filter=Q(mode=EmployerContact.Mode.IN_PERSON)),
            )
        )
        return {row["specialist_id"]: row for row in rows}

    @cached_property
    def _weekly_by_specialist(self) -> dict[tuple[int, datetime.date], int]:
        rows = (
            self._held_contacts(self.start, self.end)
            .filter(SPECIALIST_IN_PERSON_ON_BEHALF)
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
        """The 12 ISO weeks ending with the period's last week: the specialists' own
        in-person contacts on behalf of job seekers, against the team's target (the
        weekly target times the number of specialists shown)."""
        last_monday = iso_monday(self.date_to)
        first_monday = last_monday - datetime.timedelta(weeks=CHART_WEEKS - 1)
        specialist_ids = [row.specialist.pk for row in self.specialist_rows]
        rows = (
            self._held_contacts(self._midnight(first_monday), self._midnight(last_monday + datetime.timedelta(days=7)))
            .filter(SPECIALIST_IN_PERSON_ON_BEHALF, specialist_id__in=specialist_ids)
            .annotate(week=TruncWeek("starts_at", tzinfo=self.tz))
            .values("week")
            .annotate(n=Count("id"))
        )
        counts = {self._local_date(row["week"]): row["n"] for row in rows}
        target = self.team_weekly_target
        this_week = iso_monday(self.today)
        return [
            WeekPoint(
                monday,
                counts.get(monday, 0),
                target,
                in_progress=monday == this_week and not counts.get(monday, 0) >= target,
            )
            for monday in (first_monday + datetime.timedelta(weeks=i) for i in range(CHART_WEEKS))
        ]

    @property
    def team_weekly_target(self) -> int:
        return self.target_per_week * max(len(self.specialist_rows), 1)

    @cached_property
    def weekly_totals(self) -> list[int]:
        return [sum(row.weeks[i] for row in self.specialist_rows) for i in range(len(self.weeks))]

    # Item 16: individualized job search ----------------------------------------

    @cached_property
    def contacts_for_people(self) -> list[ContactForPerson]:
        """Each held on-behalf contact in the period, once per person named on it (whom
        the reader may see), and whether the employer fits that person's preferences by
        the matching rules: the employer is among those `jobdev.matching.rank_employers`
        ranks for the person (a site close to home, or a wanted industry or job type
        within reach, less the employers the person avoids). `fits` is None for a person
        with nothing to compare (no preferences, no address).

        Queries: the pairs, the people with their preferences (two), then one query per
        PEOPLE_PER_MATCH_QUERY people asking which of their contacted employers fit."""
        on_behalf_of = EmployerContact.job_seekers.through
        contacts = self._held_contacts(self.start, self.end).filter(ON_BEHALF)
        pairs = list(
            on_behalf_of.objects.filter(
                employercontact__in=contacts.values("pk"), jobseeker__in=self.scope.job_seekers().values("pk")
            )
            .order_by("employercontact__starts_at", "employercontact_id", "jobseeker_id")
            .values_list(
                "pk",
                "employercontact_id",
                "employercontact__starts_at",
                "employercontact__employer_id",
                "employercontact__employer__name",
                "employercontact__specialist__first_name",
                "employercontact__specialist__last_name",
                "employercontact__specialist__username",
                "jobseeker_id",
            )
        )
        if not pairs:
            return []
        people = {
            person.pk: person
            for person in JobSeeker.objects.filter(pk__in={pair[8] for pair in pairs}).select_related(
                "job_preference", "specialist"
            )
        }
        preferences = {
            person.job_preference.pk: person
            for person in people.values()
            if getattr(person, "job_preference", None) is not None
        }
        sets = _preference_sets(preferences)
        wishes = {}
        for person in people.values():
            preference = getattr(person, "job_preference", None)
            wishes[person.pk] = _wishes(person, preference, sets[preference.pk] if preference is not None else None)
        fitting = self._fitting_pairs(pairs, wishes)
        result = []
        for pk, contact_id, starts_at, _employer_id, employer, first, last, username, person_id in pairs:
            fits = (pk in fitting) if wishes[person_id].has_anything_to_match else None
            result.append(
                ContactForPerson(
                    contact_id=contact_id,
                    held_on=self._local_date(starts_at),
                    specialist=f"{first} {last}".strip() or username,
                    employer=employer,
                    job_seeker=people[person_id],
                    fits=fits,
                )
            )
        return result

    def _fitting_pairs(self, pairs: list[tuple], wishes: dict) -> set[int]:
        """The ids of the (contact, person) pairs whose employer fits the person: in
        `rank_employers(self.scope, wishes)`, that is visible to the scope and among the
        matching's candidates for the wishes (`jobdev.matching.query`, the one home of
        the rule; ranking adds only a score and an order, which do not
        change who is in).

        Only membership matters, so the candidate sets are asked for without the
        scoring expressions (building 100 of them took Django ~25 s, and made the query
        ~400 KB of SQL), and the visibility test is written once per query rather than
        once per person. Only the employers contacted on the person's behalf can matter,
        so the person's candidate set is asked among them only
        (`employer_candidates_among`): an index probe per branch instead of the whole candidate
        set (~1,000 employers, 15-40 ms, per person at regional scale). One query per
        PEOPLE_PER_MATCH_QUERY comparable people."""
        comparable = {pk for pk, wish in wishes.items() if wish.has_anything_to_match}
        by_person = defaultdict(list)
        employers_of = defaultdict(set)
        for pair in pairs:
            if pair[8] in comparable:
                by_person[pair[8]].append(pair[0])
                employers_of[pair[8]].add(pair[3])
        quote = connection.ops.quote_name
        pairs_table = quote(EmployerContact.job_seekers.through._meta.db_table)
        contacts_table = quote(EmployerContact._meta.db_table)
        visible_sql, visible_params = employers_visible(self.scope).order_by().values("pk").query.sql_with_params()
        fitting: set[int] = set()
        people = list(by_person)
        for index in range(0, len(people), PEOPLE_PER_MATCH_QUERY):
            # Each person's candidate query is compiled on its own and the batch written
            # around them as SQL: OR-ing 100 subquery conditions in the ORM cost ~20 ms
            # a person in cloning and resolving them, more than the query itself.
            conditions, params, pair_ids = [], [], []
            for pk in people[index : index + PEOPLE_PER_MATCH_QUERY]:
                candidates = employer_candidates_among(wishes[pk], sorted(employers_of[pk]))
                if candidates is None:  # nothing ranked: rank_employers is empty
                    continue
                candidates_sql, candidates_params = candidates.query.sql_with_params()
                conditions.append(f"(p.jobseeker_id = %s AND c.employer_id IN ({candidates_sql}))")
                params += [pk, *candidates_params]
                pair_ids += by_person[pk]
            if not pair_ids:
                continue
            # Table names from the models, SQL compiled by Django, values as parameters.
            placeholders = ", ".join(["%s"] * len(pair_ids))
            sql = f"SELECT p.id FROM {pairs_table} p JOIN {contacts_table} c ON c.id = p.employercontact_id"  # noqa: S608
            sql += f" WHERE p.id IN ({placeholders}) AND c.employer_id IN ({visible_sql})"
            sql += f" AND ({' OR '.join(conditions)})"
            with connection.cursor() as cursor:
                cursor.execute(sql, [*pair_ids, *visible_params, *params])
                fitting.update(row[0] for row in cursor.fetchall())
        return fitting

    # Item 18: job development quality -------------------------------------------

    @cached_property
    def visits_by_specialist(self) -> dict[int, list[EmployerVisits]]:
        """Employers visited in person (held, mode in person, any purpose) in the period,
        per specialist: visits, how many met someone with hiring authority, how many
        learned hiring needs (needs written or job types learned), how many were
        recorded as a second or ongoing meeting."""
        learned_types = EmployerContact.learned_job_types.through.objects.filter(employercontact_id=OuterRef("pk"))
        rows = (
            self._held_contacts(self.start, self.end)
            .filter(mode=EmployerContact.Mode.IN_PERSON)
            .values("specialist_id", "employer_id", "employer__name")
            .annotate(
                visits=Count("id"),
                met=Count("id", filter=Q(met_hiring_authority=True)),
                needs=Count("id", filter=~Q(learned_hiring_needs="") | Q(Exists(learned_types))),
                later=Count("id", filter=~Q(nature=EmployerContact.Nature.FIRST)),
            )
            .order_by("employer__name", "employer_id")
        )
        result: dict[int, list[EmployerVisits]] = defaultdict(list)
        for row in rows:
            result[row["specialist_id"]].append(
                EmployerVisits(
                    row["employer_id"], row["employer__name"], row["visits"], row["met"], row["needs"], row["later"]
                )
            )
        return result

    @cached_property
    def employer_visits(self) -> list[EmployerVisits]:
        """Item 18's evidence: each employer visited in person by the specialists in
        scope in the period, all specialists together. Most visited first."""
        totals: dict[int, EmployerVisits] = {}
        for specialist_id in self._specialist_ids:
            for visit in self.visits_by_specialist.get(specialist_id, []):
                total = totals.setdefault(visit.employer_id, EmployerVisits(visit.employer_id, visit.name, 0, 0, 0, 0))
                total.visits += visit.visits
                total.met_hiring_authority += visit.met_hiring_authority
                total.needs_learned += visit.needs_learned
                total.later_meetings += visit.later_meetings
        return sorted(totals.values(), key=lambda visit: (-visit.visits, visit.name, visit.employer_id))

    # Caseloads (item 1) --------------------------------------------------------

    @property
    def active_since(self) -> datetime.date:
        """Item 1: a person is active with a recorded contact on or after this day."""
        return self.today - datetime.timedelta(days=self.organisation.active_contact_days)

    def _recent_contact(self) -> Q:
        """A recorded contact since `active_since`, up to today: a held employer contact
        naming them, a task of theirs done, or their enrolment or re-entry."""
        since = self.active_since
        held = EmployerContact.objects.filter(
            HELD,
            job_seekers=OuterRef("pk"),
            starts_at__gte=self._midnight(since),
            starts_at__lt=self._midnight(self.today + datetime.timedelta(days=1)),
        )
        done = SupportTask.objects.filter(
            job_seeker=OuterRef("pk"),
            status=SupportTask.Status.DONE,
            completed_on__gte=since,
            completed_on__lte=self.today,
        )
        return (
            Q(Exists(held))
            | Q(Exists(done))
            | Q(enrolment_date__gte=since, enrolment_date__lte=self.today)
            | Q(job_search_since__gte=since, job_search_since__lte=self.today)
        )

    @cached_property
    def _caseload_by_specialist(self) -> dict[int, dict]:
        rows = (
            self._job_seekers()
            .filter(status__in=ACTIVE_STATUSES)
            .order_by()
            .values("specialist_id")
            .annotate(
                caseload=Count("id"),
                active=Count("id", filter=self._recent_contact()),
                job_search=Count("id", filter=Q(status=JobSeeker.Status.JOB_SEARCH)),
                working=Count("id", filter=Q(status__in=WORKING_STATUSES)),
            )
        )
        return {row["specialist_id"]: row for row in rows}

    @cached_property
    def inactive_caseload(self) -> list[JobSeeker]:
        """On a caseload (job search, working, follow-along) but without a recorded
        contact since `active_since`: not counted in item 1's active caseload."""
        return list(
            self._job_seekers()
            .filter(status__in=ACTIVE_STATUSES)
            .exclude(self._recent_contact())
            .order_by("specialist__first_name", "specialist__last_name", "last_name", "first_name", "pk")
        )

    @cached_property
    def employer_contact_gap(self) -> list[JobSeeker]:
        """In job search for longer than N days (N = employer_contact_gap_days), with no
        held employer contact on their behalf (any mode) in the last N days. Longest
        without one first."""
        days = self.organisation.employer_contact_gap_days
        since_day = self.today - datetime.timedelta(days=days)
        last_contact = (
            EmployerContact.objects.filter(HELD, job_seekers=OuterRef("pk"))
            .order_by()
            .values("job_seekers")
            .annotate(last=Max("starts_at"))
            .values("last")[:1]
        )
        job_seekers = contacts_without_recent_activity(
            self._job_seekers().filter(status=JobSeeker.Status.JOB_SEARCH, job_search_since__lt=since_day),
            since=self._midnight(since_day),
        )
        people = list(
            job_seekers.annotate(last_contact_at=Subquery(last_contact)).order_by(
                F("last_contact_at").asc(nulls_first=True), F("job_search_since").asc(nulls_first=True), "pk"
            )
        )
        for person in people:
            person.last_contact_on = self._local_date(person.last_contact_at) if person.last_contact_at else None
            person.days_in_search = (self.today - person.job_search_since).days
        return people

    # Rapid job search -----------------------------------------------------------

    @property
    def first_contact_days(self) -> int:
        return self.organisation.days_to_first_employer_contact

    def _with_first_contact(self, people: list[JobSeeker], since: str) -> list[JobSeeker]:
        for person in people:
            start = getattr(person, since)
            person.first_contact_on = (
                self._local_date(person.first_face_to_face_at) if person.first_face_to_face_at else None
            )
            person.clock_start = start
            if person.first_contact_on is not None:
                person.days_to_first_contact = (person.first_contact_on - start).days
                person.within_limit = person.days_to_first_contact <= self.first_contact_days
            else:
                person.days_to_first_contact = None
                # Still on the clock: neither within nor late yet.
                late = (self.today - start).days > self.first_contact_days
                person.within_limit = False if late else None
        return people

    @cached_property
    def enrolment_cohort(self) -> list[JobSeeker]:
        """Item 15: everyone enrolled in the period, whatever happened after (a re-entry
        into job search never changes it), with their first held face-to-face employer
        contact on their behalf on or after the enrolment date, and:

        - `days_so_far` (no contact yet): the days from the enrolment to today, or to
          the day they first left job search (closed, or a job) when that came first;
          `clock_stopped_on` that day (None: still running);
        - `counted_days`: the days item 15 counts for them: their days to the first
          contact; without one, their days so far once past N days
          (days_to_first_employer_contact), a lower bound of their days to a first
          contact (review 11, finding 4: people never contacted used to vanish from
          the mean); None while still within N days without one ("not yet")."""
        left_search = (
            JobSeekerStatusChange.objects.filter(
                job_seeker_id=OuterRef("pk"),
                from_status=JobSeeker.Status.JOB_SEARCH,
                changed_at__date__gte=OuterRef("enrolment_date"),
            )
            .order_by("changed_at", "pk")
            .values("changed_at")[:1]
        )
        with timezone.override(self.tz):
            people = list(
                with_rapid_search_clock(
                    self._job_seekers().filter(enrolment_date__gte=self.date_from, enrolment_date__lte=self.date_to),
                    since="enrolment_date",
                )
                .annotate(left_search_at=Subquery(left_search))
                .order_by("enrolment_date", "last_name", "first_name", "pk")
            )
        people = self._with_first_contact(people, "enrolment_date")
        for person in people:
            person.days_so_far = person.clock_stopped_on = None
            person.counted_days = person.days_to_first_contact
            if person.first_contact_on is not None:
                continue
            end = self.today
            if person.left_search_at is not None:
                person.clock_stopped_on = min(self._local_date(person.left_search_at), self.today)
                end = person.clock_stopped_on
            person.days_so_far = max((end - person.enrolment_date).days, 0)
            late = person.days_so_far > self.first_contact_days
            person.within_limit = False if late else None
            person.counted_days = person.days_so_far if late else None
        return people

    @cached_property
    def first_contact_cohort(self) -> list[JobSeeker]:
        """The operational clock: everyone whose job search began (job_search_since:
        enrolment, or re-entry after a job end) in the period, with their first held
        face-to-face contact on their behalf since."""
        with timezone.override(self.tz):
            people = list(
                with_rapid_search_clock(
                    self._job_seekers().filter(job_search_since__gte=self.date_from, job_search_since__lte=self.date_to)
                ).order_by("job_search_since", "last_name", "first_name", "pk")
            )
        return self._with_first_contact(people, "job_search_since")

    @cached_property
    def no_first_contact(self) -> list[JobSeeker]:
        """In job search today, past day N (N = days_to_first_employer_contact) since
        job_search_since, and no held face-to-face contact on their behalf since."""
        cutoff = self.today - datetime.timedelta(days=self.first_contact_days)
        with timezone.override(self.tz):
            people = list(
                without_first_face_to_face_contact(
                    self._job_seekers().filter(status=JobSeeker.Status.JOB_SEARCH, job_search_since__lt=cutoff)
                ).order_by("job_search_since", "last_name", "first_name", "pk")
            )
        for person in people:
            person.days_in_search = (self.today - person.job_search_since).days
        return people

    # Item 13: disclosure --------------------------------------------------------

    @cached_property
    def disclosure_cohort(self) -> list[JobSeeker]:
        """Everyone whose first held employer contact on their behalf (any mode, any
        specialist, ever) falls in the period, with `discussed_before`: their disclosure
        preference was first recorded (disclosure_discussed_on) on or before that
        contact's local date."""
        first = (
            EmployerContact.objects.filter(HELD, ON_BEHALF, job_seekers=OuterRef("pk"))
            .order_by()
            .values("job_seekers")
            .annotate(first=Min("starts_at"))
            .values("first")[:1]
        )
        people = list(
            self._job_seekers()
            .annotate(first_on_behalf_at=Subquery(first))
            .filter(first_on_behalf_at__gte=self.start, first_on_behalf_at__lt=self.end)
            .order_by("first_on_behalf_at", "last_name", "first_name", "pk")
        )
        for person in people:
            person.first_on_behalf_on = self._local_date(person.first_on_behalf_at)
            discussed = person.disclosure_discussed_on
            person.discussed_before = discussed is not None and discussed <= person.first_on_behalf_on
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
    def jobs_of_the_year(self) -> list[Placement]:
        """Items 19-21: placements started in the 12 months ending at the period's end,
        with their job seeker, employer and job type."""
        return list(
            self._placements()
            .filter(start_date__gte=self.year_from, start_date__lte=self.year_to)
            .select_related("job_seeker", "employer", "job_type")
            .order_by("start_date", "pk")
        )

    @cached_property
    def retention(self) -> list[Placement]:
        """13-week retention (IPS Grow): every placement whose day 90 (start + 90 days)
        falls in the period and not after today, with `retained`: the job had not ended
        before day 90. From the placement's dates, not from milestone rows (a job that
        ended early never reaches its milestone)."""
        placements = list(
            placements_reaching_day_90(self._placements(), first=self.date_from, last=min(self.date_to, self.today))
            .select_related("job_seeker", "employer")
            .order_by("start_date", "pk")
        )
        for placement in placements:
            placement.day_90, placement.retained = retained_at_day_90(placement.start_date, placement.end_date)
        return placements

    # Item 12: work incentives planning ------------------------------------------

    @cached_property
    def benefits_planning(self) -> list[Placement]:
        """Placements started in the period of people on benefits for that job: a
        before-start BenefitsStep exists for the placement (the offer handler opens one
        when the person is on benefits or not known at the offer), or the person is not
        recorded as off benefits now (receives_benefits yes or unknown). Who counts is
        fixed at the offer: coming off benefits after the start (a common result of
        work) never takes the start and its missing planning out of the denominator
        (review 11, finding 5). With the before-start step: `delivered` (a plan in
        place, completed on or before the start date), `declined` (the worker declined
        on or before the start), and the step's status and completion date as
        recorded."""
        steps = BenefitsStep.objects.filter(
            placement_id=OuterRef("pk"),
            job_seeker_id=OuterRef("job_seeker_id"),
            reason=BenefitsStep.Reason.BEFORE_START,
        )
        finished_by_start = steps.filter(completed_on__lte=OuterRef("start_date"))
        first_step = steps.order_by("pk")
        placements = list(
            self._started_in_period()
            .filter(Q(Exists(steps)) | ~Q(job_seeker__receives_benefits=JobSeeker.Benefits.NO))
            .annotate(
                delivered=Exists(finished_by_start.filter(status=BenefitsStep.Status.PLAN_IN_PLACE)),
                declined=Exists(finished_by_start.filter(status=BenefitsStep.Status.DECLINED)),
                step_status=Subquery(first_step.values("status")[:1]),
                step_completed_on=Subquery(first_step.values("completed_on")[:1]),
            )
            .select_related("job_seeker", "employer")
            .order_by("start_date", "pk")
        )
        for placement in placements:
            placement.declined = placement.declined and not placement.delivered
        return placements

    @cached_property
    def benefits_rechecks(self) -> list[BenefitsStep]:
        """Re-checks after a change of hours or pay (reason terms_changed) offered in the
        period, with `pending`: still open and its task not yet due (not counted yet)."""
        open_task_not_due = SupportTask.objects.filter(
            benefits_step_id=OuterRef("pk"), status=SupportTask.Status.OPEN, due_date__gte=self.today
        )
        steps = list(
            benefits_steps_in_scope(self.scope, self.staff_queryset)
            .filter(
                reason=BenefitsStep.Reason.TERMS_CHANGED,
                offered_on__gte=self.date_from,
                offered_on__lte=self.date_to,
            )
            .annotate(task_not_due=Exists(open_task_not_due))
            .select_related("job_seeker", "placement__employer")
            .order_by("offered_on", "pk")
        )
        for step in steps:
            step.pending = not step.is_finished and step.task_not_due
        return steps

    # Follow-along ---------------------------------------------------------------

    def _follow_along_due(self) -> QuerySet[SupportTask]:
        """Follow-along contacts due in the period and before today, still due
        (`still_due`), less those that were never due whatever day their cancellation
        was recorded (review 11, findings 6 and 7):

        - due after the job ended (after `Placement.end_date`) or after a completed
          step-down (after `FollowAlongPlan.stepped_down_on`);
        - the contact of the week before the start (title FOLLOW_ALONG_BEFORE_START)
          due on or after the day the job started (an offer and a start on the same
          day, or a start earlier than expected), unless it was done before the start."""
        before_start_overtaken = Q(
            title_key=TaskTitle.FOLLOW_ALONG_BEFORE_START, placement__start_date__lte=F("due_on")
        ) & ~Q(status=SupportTask.Status.DONE, completed_on__lt=F("placement__start_date"))
        return (
            still_due(self._tasks().filter(kind=SupportTask.Kind.FOLLOW_ALONG))
            .filter(due_on__gte=self.date_from, due_on__lte=self.last_due)
            .exclude(
                Q(placement__end_date__lt=F("due_on"))
                | Q(placement__follow_along_plan__stepped_down_on__lt=F("due_on"))
                | before_start_overtaken
            )
        )

    @cached_property
    def _follow_along_by_owner(self) -> dict[int, Share]:
        """Follow-along contacts due in the period and before today (still due, see
        `still_due`): on time (`follow_along_due`), of all due, per owner."""
        due: dict[int, list[SupportTask]] = defaultdict(list)
        for task in self.follow_along_due:
            due[task.owner_id].append(task)
        return {owner: Share(sum(1 for task in tasks if task.on_time), len(tasks)) for owner, tasks in due.items()}

    @cached_property
    def follow_along_due(self) -> list[SupportTask]:
        """The follow-along contacts behind item 23, each with its `phase` and `on_time`
        (done in person by the specialist on or before the due date,
        `done_in_person_on_time`), following the scale's schedule:

        - "before_start": the contact of the week before the start (its title), or one
          due before the start (or before a start not yet recorded); on time only if
          also done within the 7 days before the start;
        - "first_contact": the first after the start, within follow_along_first_contact_days;
        - "first_month": the weekly ones, up to 7 x follow_along_weekly_weeks days;
        - "after_first_month": the monthly ones."""
        tasks = list(
            self._follow_along_due()
            .select_related("job_seeker", "placement", "owner")
            # What the schedule, the figures and the table read: a programme's 12 weeks
            # are tens of thousands of tasks, and building four whole rows each (dates
            # parsed, every field set) was most of the programme overview's time.
            .only(*FOLLOW_ALONG_FIELDS)
            .order_by("due_on", "job_seeker__last_name", "pk")
        )
        first_contact = self.organisation.follow_along_first_contact_days
        month_one = 7 * self.organisation.follow_along_weekly_weeks
        for task in tasks:
            task.on_time = done_in_person_on_time(task)
            start = task.placement.start_date if task.placement is not None else None
            if task.title_key == TaskTitle.FOLLOW_ALONG_BEFORE_START or start is None or task.due_on < start:
                task.phase = "before_start"
                if task.on_time and start is not None:
                    task.on_time = task.completed_on >= start - datetime.timedelta(days=BEFORE_START_DAYS)
            elif (task.due_on - start).days <= first_contact:
                task.phase = "first_contact"
            elif (task.due_on - start).days <= month_one:
                task.phase = "first_month"
            else:
                task.phase = "after_first_month"
        return tasks

    @cached_property
    def job_end_contacts(self) -> list[SupportTask]:
        """Item 23, after a job loss: the face-to-face contacts planned within
        job_end_contact_days of a job end (JOB_END_CONTACT tasks), due in the period and
        before today, still due; `on_time`: done in person by the due date."""
        tasks = list(
            still_due(self._tasks().filter(kind=SupportTask.Kind.JOB_END_CONTACT))
            .filter(due_on__gte=self.date_from, due_on__lte=self.last_due)
            .select_related("job_seeker", "placement__employer", "owner")
            .order_by("due_on", "pk")
        )
        for task in tasks:
            task.on_time = done_in_person_on_time(task)
        return tasks

    @cached_property
    def step_downs(self) -> list[FollowAlongPlan]:
        """Follow-along stepped down (completed, agreed with the worker) in the period."""
        return list(
            FollowAlongPlan.objects.filter(
                placement__in=self._placements(),
                status=FollowAlongPlan.Status.STEPPED_DOWN,
                stepped_down_on__gte=self.date_from,
                stepped_down_on__lte=self.date_to,
            )
            .select_related("placement__job_seeker", "placement__employer")
            .order_by("stepped_down_on", "pk")
        )

    @cached_property
    def follow_along_supports(self) -> list[FollowAlongSupport]:
        """Item 22: each worker with follow-along in the period (a job under way in the
        period with a follow-along plan not declined nor stepped down before it, or a
        follow-along contact done in the period): how many contacts were done in the
        period, the distinct types of support recorded on them and the distinct people
        who gave it (blank: the specialist). A worker without any counts 0."""
        tasks = (
            self._tasks()
            .filter(
                kind=SupportTask.Kind.FOLLOW_ALONG,
                status=SupportTask.Status.DONE,
                completed_on__gte=self.date_from,
                completed_on__lte=self.date_to,
            )
            .order_by()
            .values_list("job_seeker_id", "support_type", "given_by")
        )
        by_person: dict[int, list] = defaultdict(list)
        for job_seeker_id, support_type, given_by in tasks:
            by_person[job_seeker_id].append((support_type, given_by or SupportTask.GivenBy.SPECIALIST))
        followed = (
            self._placements()
            .filter(
                Q(end_date__isnull=True) | Q(end_date__gte=self.date_from),
                start_date__lte=min(self.date_to, self.today),
                follow_along_plan__isnull=False,
            )
            .exclude(follow_along_plan__status=FollowAlongPlan.Status.DECLINED)
            .exclude(follow_along_plan__stepped_down_on__lt=self.date_from)
            .values("job_seeker_id")
        )
        people = list(
            JobSeeker.objects.filter(Q(pk__in=list(by_person)) | Q(pk__in=followed))
            .select_related("specialist")
            .order_by("last_name", "first_name", "pk")
        )
        type_labels = dict(SupportTask.SupportType.choices)
        giver_labels = dict(SupportTask.GivenBy.choices)
        result = []
        for person in people:
            rows = by_person.get(person.pk, [])
            types = sorted({support_type for support_type, _giver in rows if support_type})
            givers = sorted({giver for _type, giver in rows})
            result.append(
                FollowAlongSupport(
                    job_seeker=person,
                    contacts=len(rows),
                    types=len(types),
                    givers=len(givers),
                    type_labels=", ".join(str(type_labels.get(value, value)) for value in types),
                    giver_labels=", ".join(str(giver_labels.get(value, value)) for value in givers),
                )
            )
        return result

    @cached_property
    def _overdue_by_owner(self) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for task in self.overdue_tasks:
            counts[task.owner_id] += 1
        return counts

    @cached_property
    def overdue_tasks(self) -> list[SupportTask]:
        """The rows behind the "Overdue tasks" figure: open tasks of every kind, of the
        staff in scope, past their due date today. Longest overdue first."""
        return list(
            self._tasks()
            .filter(status=SupportTask.Status.OPEN, due_date__lt=self.today)
            .select_related("job_seeker", "owner", "placement")
            .order_by("due_date", "pk")
        )

    # Item 24: community-based services -------------------------------------------

    @cached_property
    def _community_tasks_by_owner(self) -> dict[int, dict]:
        """Item 24, per task owner: their follow-along and job-end contacts done in the
        period, given by the specialist (`BY_SPECIALIST`; one given by the family, the
        health team or co-workers is not the specialist's working time, review 11,
        finding 9), and how many were in person in the community, at the office, or in
        person without a place recorded."""
        in_person = Q(completion_mode=IN_PERSON)
        rows = (
            self._tasks()
            .filter(
                kind__in=COMMUNITY_TASK_KINDS,
                status=SupportTask.Status.DONE,
                given_by__in=BY_SPECIALIST,
                completed_on__gte=self.date_from,
                completed_on__lte=self.date_to,
            )
            .order_by()
            .values("owner_id")
            .annotate(
                done=Count("id"),
                in_community=Count("id", filter=in_person & Q(place__in=COMMUNITY_PLACES)),
                at_office=Count("id", filter=in_person & Q(place=SupportTask.Place.OFFICE)),
                place_unknown=Count("id", filter=in_person & Q(place="")),
            )
        )
        return {row["owner_id"]: row for row in rows}

    # Rows per specialist -------------------------------------------------------

    @cached_property
    def rows(self) -> list[SpecialistRow]:
        """One row per person in scope; team leaders, and people no longer active, only
        when they have figures (a caseload, contacts, tasks)."""
        gap: dict[int, int] = defaultdict(int)
        for person in self.employer_contact_gap:
            gap[person.specialist_id] += 1
        no_first: dict[int, int] = defaultdict(int)
        for person in self.no_first_contact:
            no_first[person.specialist_id] += 1
        starts: dict[int, int] = defaultdict(int)
        for (specialist_id, _month), n in self._starts.items():
            starts[specialist_id] += n
        complete = [self.weeks.index(monday) for monday in self.complete_weeks]
        current = self.weeks.index(self.current_week) if self.current_week is not None else None
        rows = []
        for person in self.staff:
            contacts = self._contacts_by_specialist.get(person.pk, {})
            caseload = self._caseload_by_specialist.get(person.pk, {})
            tasks = self._community_tasks_by_owner.get(person.pk, {})
            weeks = [self._weekly_by_specialist.get((person.pk, monday), 0) for monday in self.weeks]
            row = SpecialistRow(
                specialist=person,
                weeks=weeks,
                in_person=contacts.get("in_person", 0),
                job_seeker_alone=contacts.get("job_seeker_alone", 0),
                other_contacts=contacts.get("other", 0),
                held_by_specialist=contacts.get("by_specialist", 0),
                employers=contacts.get("employers", 0),
                new_employers=self._new_employers_by_specialist.get(person.pk, 0),
                complete_weeks_contacts=sum(weeks[index] for index in complete),
                current_week=weeks[current] if current is not None else None,
                caseload=caseload.get("caseload", 0),
                active_caseload=caseload.get("active", 0),
                job_search=caseload.get("job_search", 0),
                working=caseload.get("working", 0),
                fte=float(person.fte),
                job_starts=starts.get(person.pk, 0),
                employer_contact_gap=gap.get(person.pk, 0),
                no_first_contact=no_first.get(person.pk, 0),
                follow_along=self._follow_along_by_owner.get(person.pk, Share(0, 0)),
                overdue_tasks=self._overdue_by_owner.get(person.pk, 0),
                community=Share(
                    contacts.get("in_community", 0) + tasks.get("in_community", 0),
                    contacts.get("by_specialist", 0) + tasks.get("done", 0),
                ),
            )
            row.specialist_role = counts_as_specialist(person, row.caseload)
            if complete:
                row.average_per_week = row.complete_weeks_contacts / len(complete)
                # The scale's small-caseload rule: two a week per person looking counts as the pace.
                pace = scale.frequency_equivalent(row.average_per_week, row.job_search)
                row.meets_weekly_target = pace is not None and pace >= self.target_per_week
            shown = always_listed(person) or row.has_activity()
            if shown or self.filters.specialist is not None:
                rows.append(row)
        return rows

    @cached_property
    def specialist_rows(self) -> list[SpecialistRow]:
        """The rows of the employment specialists (`counts_as_specialist`): items 1, 17, 24."""
        return [row for row in self.rows if row.specialist_role]

    @property
    def _specialist_ids(self) -> list[int]:
        return [row.specialist.pk for row in self.specialist_rows]

    @cached_property
    def community_tasks(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for owner_id, row in self._community_tasks_by_owner.items():
            if owner_id in self._specialist_ids:
                for name in ("done", "in_community", "at_office", "place_unknown"):
                    totals[name] += row[name]
        return totals

    # Summary -------------------------------------------------------------------

    @cached_property
    def figures(self) -> list[Figure]:
        return dashboard_figures(self)

    def figures_in(self, section: str) -> list[Figure]:
        return [figure for figure in self.figures if figure.section == section]

    @property
    def figures_by_key(self) -> dict[str, Figure]:
        return {figure.key: figure for figure in self.figures}

    @property
    def item_figures(self) -> list[Figure]:
        """The figure of each data-answerable item of the scale, in the scale's order."""
        return sorted((figure for figure in self.figures if figure.item_key), key=lambda figure: figure.item_number)
