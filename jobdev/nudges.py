"""Nudges before a fidelity threshold is missed (IPS Supported Employment Fidelity Scale).

- Rapid job search (item 15, principle 6): a task to the specialist when a job seeker
  has had no face-to-face employer contact some days into their job search
  (`Organisation.rapid_search_nudge_days`, default day 14 and day 21):
  `rapid_search_nudge`, a daily scheduler job.
- Job development, frequency (item 17): from the program's Thursday, a specialist
  below the weekly pace of in-person employer contacts on behalf of job seekers, with
  too few planned for the rest of the week to reach the target: a `PaceNudge` row,
  shown on the specialist's My week (`pace_nudge` hourly, `pace_nudge_for` to read it).
- Time-unlimited follow-along (item 23): a follow-along contact due tomorrow shows in
  its owner's "Due tomorrow" group on My tasks (placements.selectors.my_tasks); no
  record is needed, the task's due date is stored.

Every job counts days in each program's own dates (its time zone), not the server's,
creates at most one nudge per occasion (a unique constraint decides, so two runs at
once cannot both nudge), and is safe to run as often as the scheduler likes."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import clock
from crm.access import AccessScope, ProgramScope
from crm.models import JobSeeker, Organisation, User
from jobdev.fidelity import scale
from jobdev.models import EmployerContact, JobSearchNudge, PaceNudge
from placements import services as placement_services
from placements.models import SupportTask

# -- Rapid job search (item 15) ------------------------------------------------------------


def rapid_search_nudge(*, today: datetime.date | None = None) -> int:
    """The scheduler's daily job. Creates one task per job seeker and day mark (14, 21
    by default), once, however often it runs. Days are counted in each program's own
    dates (its time zone), not the server's; `today` forces one date for every program.
    Returns how many nudges it created."""
    created = 0
    for organisation in Organisation.objects.all():
        days = organisation.nudge_days
        if not days:
            continue
        program_day = today or clock.program_today(organisation)
        scope = ProgramScope(organisation)
        waiting = JobSeeker.objects.filter(_waiting(program_day, days[0]), organisation=organisation).values_list(
            "pk", flat=True
        )
        for job_seeker_id in waiting:
            try:
                with transaction.atomic():
                    created += _nudge(scope, job_seeker_id, program_day, days)
            except IntegrityError:
                continue  # already nudged for this mark
    return created


def _waiting(today: datetime.date, first_day: int) -> Q:
    return Q(
        status=JobSeeker.Status.JOB_SEARCH,
        job_search_since__isnull=False,
        first_employer_contact_on__isnull=True,
        job_search_since__lte=today - datetime.timedelta(days=first_day),
    )


def _nudge(scope: ProgramScope, job_seeker_id: int, today: datetime.date, days: list[int]) -> bool:
    # Re-read under the job seeker's lock: an employer contact or a job start committed
    # since the list was read stops the nudge.
    job_seeker = placement_services.job_seeker_hold(scope, job_seeker_id)
    if not JobSeeker.objects.filter(_waiting(today, days[0]), pk=job_seeker.pk).exists():
        return False
    elapsed = (today - job_seeker.job_search_since).days
    # Only the latest mark reached: after downtime, one nudge, not a pile.
    day = [mark for mark in days if mark <= elapsed][-1]
    JobSearchNudge.objects.create(job_seeker=job_seeker, job_search_since=job_seeker.job_search_since, day=day)
    placement_services.support_task_create(
        scope=scope,
        job_seeker_id=job_seeker.pk,
        kind=SupportTask.Kind.JOB_SEARCH_NUDGE,
        params={"day": day},
        due_date=today,
    )
    return True


# -- Job development pace (item 17) --------------------------------------------------------

#: The days of the ISO week (Monday = 0) on which the pace is checked: from Thursday, the
#: first check that finds the specialist behind nudges them; Friday catches up a
#: Thursday the scheduler missed, or plans that fell through since. Not at the weekend:
#: no working day would be left to act on it.
PACE_CHECK_DAYS = (3, 4)


def weekly_target(organisation: Organisation, looking_for_work: int) -> int:
    """A specialist's weekly target of in-person employer contacts on behalf of job
    seekers, as fidelity item 17 rates it (jobdev.fidelity.scale): the program's
    `weekly_in_person_employer_contacts` (6 by default, the score-5 anchor), or, for a
    specialist with fewer than SMALL_CASELOAD_LOOKING (3) people looking for work, two
    a week per person looking (the scale's rule for small caseloads), whichever is
    lower. The item does not scale the pace by FTE, so neither does the nudge."""
    target = organisation.weekly_in_person_employer_contacts
    if looking_for_work < scale.SMALL_CASELOAD_LOOKING:
        target = min(target, scale.SMALL_CASELOAD_CONTACTS_PER_PERSON * looking_for_work)
    return target


def expected_by_thursday(target: int) -> int:
    """The contacts due by Thursday: half the week's target, rounded down (3 of 6, 2 of
    4, 1 of 2). Monday to Wednesday are three of five working days, so half is a lenient mark:
    a specialist below it cannot reach the target without a busy end of week."""
    return target // 2


@dataclass(frozen=True)
class PaceCount:
    """One specialist's week so far: `held` in-person on-behalf contacts held this ISO
    week, `planned` ones still planned in it (not yet recorded, whatever their day),
    against `target` a week and `expected` by Thursday."""

    held: int
    planned: int
    target: int
    expected: int

    @property
    def behind(self) -> bool:
        """Below the Thursday mark, and the visits planned would not reach the target."""
        return self.held < self.expected and self.held + self.planned < self.target

    @property
    def missing(self) -> int:
        """Visits still to plan this week to reach the target."""
        return max(0, self.target - self.held - self.planned)


def week_bounds(monday: datetime.date, zone: datetime.tzinfo) -> tuple[datetime.datetime, datetime.datetime]:
    """The ISO week of `monday` as instants: from Monday 00:00 to the next Monday 00:00
    on the program's wall clock (167 or 169 hours in a week the clocks change)."""
    return (
        clock.wall_instant(monday, datetime.time.min, zone),
        clock.wall_instant(monday + datetime.timedelta(days=7), datetime.time.min, zone),
    )


def looking_for_work(specialist: User) -> int:
    """People on `specialist`'s caseload looking for work (status job search) now."""
    return JobSeeker.objects.filter(specialist=specialist, status=JobSeeker.Status.JOB_SEARCH).count()


def pace_count(
    organisation: Organisation, specialist: User, monday: datetime.date, *, now: datetime.datetime | None = None
) -> PaceCount:
    """`specialist`'s in-person employer contacts on behalf of job seekers in the ISO week
    of `monday` (program's dates), against their target (`weekly_target`, from the
    people on their caseload looking for work now). Only mode in person counts: a
    contact the job seeker made alone is not the specialist's (fidelity item 17)."""
    start, end = week_bounds(monday, clock.program_zone(organisation))
    contacts = EmployerContact.objects.filter(
        organisation=organisation,
        specialist=specialist,
        mode=EmployerContact.Mode.IN_PERSON,
        purpose=EmployerContact.Purpose.ON_BEHALF,
        starts_at__gte=start,
        starts_at__lt=end,
    )
    held = contacts.filter(status=EmployerContact.Status.HELD).count()
    # A visit planned for a day already gone and never recorded will not be held now.
    planned = contacts.filter(status=EmployerContact.Status.PLANNED, starts_at__gte=now or timezone.now()).count()
    target = weekly_target(organisation, looking_for_work(specialist))
    return PaceCount(held=held, planned=planned, target=target, expected=expected_by_thursday(target))


def _pace_candidates(organisation: Organisation) -> list[User]:
    """Active staff with someone looking for work on their caseload: there is job
    development to rate (the scale leaves a specialist with nobody looking out). A team
    leader who carries a caseload develops jobs for it like a specialist (the dashboard's
    rule, jobdev.dashboard.team.counts_as_specialist); one without a caseload is not here."""
    searching = JobSeeker.objects.filter(organisation=organisation, status=JobSeeker.Status.JOB_SEARCH)
    staff = User.objects.filter(organisation=organisation, is_active=True, pk__in=searching.values("specialist_id"))
    return list(staff.order_by("pk"))


def pace_nudge(*, now: datetime.datetime | None = None) -> int:
    """The scheduler's hourly job: on the program's Thursday and Friday (its own time
    zone and date), nudge each specialist behind the weekly pace (`PaceCount.behind`),
    once per ISO week. `now` (aware) replaces the clock. Returns the nudges created."""
    now = now or timezone.now()
    created = 0
    for organisation in Organisation.objects.order_by("pk"):
        today = clock.program_today(organisation, at=now)
        if today.weekday() not in PACE_CHECK_DAYS:
            continue
        monday = today - datetime.timedelta(days=today.weekday())
        nudged = set(
            PaceNudge.objects.filter(organisation=organisation, week=monday).values_list("specialist_id", flat=True)
        )
        for specialist in _pace_candidates(organisation):
            if specialist.pk in nudged:
                continue
            count = pace_count(organisation, specialist, monday, now=now)
            if not count.behind:
                continue
            try:
                with transaction.atomic():
                    PaceNudge.objects.create(
                        organisation=organisation,
                        specialist=specialist,
                        week=monday,
                        held=count.held,
                        planned=count.planned,
                        expected=count.expected,
                        target=count.target,
                    )
            except IntegrityError:
                continue  # another run nudged them first
            created += 1
    return created


@dataclass(frozen=True)
class PaceNote:
    """A pace nudge as its specialist reads it: the nudge of this week and the week as
    it stands now (`now`)."""

    nudge: PaceNudge
    now: PaceCount

    @property
    def missing(self) -> int:
        return self.now.missing

    @property
    def message(self) -> str:
        return _(
            "Job development this week: %(held)s in-person employer contacts on behalf of job seekers held by "
            "Thursday, %(expected)s expected by then (%(target)s a week). Held now: %(held_now)s; planned: "
            "%(planned_now)s. Plan %(missing)s more visits to reach the week's target."
        ) % {
            "held": self.nudge.held,
            "expected": self.nudge.expected,
            "target": self.nudge.target,
            "held_now": self.now.held,
            "planned_now": self.now.planned,
            "missing": self.missing,
        }


def pace_nudge_for(scope: AccessScope, *, today: datetime.date | None = None) -> PaceNote | None:
    """The acting user's pace nudge for the ISO week of `today` (default: the program's
    today), with the week as it stands now; None when there is none, or when the visits
    held and planned since reach the target (the nudge has done its work). A scope with
    no user (the program itself) has none."""
    user = scope.user
    if user is None or scope.organisation is None:
        return None
    today = today or clock.program_today(scope.organisation)
    monday = today - datetime.timedelta(days=today.weekday())
    nudge = PaceNudge.objects.filter(organisation=scope.organisation, specialist=user, week=monday).first()
    if nudge is None:
        return None
    now = pace_count(scope.organisation, user, monday)
    if not now.missing:
        return None
    return PaceNote(nudge=nudge, now=now)
