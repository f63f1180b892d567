"""Nudges before a fidelity threshold is missed (jobdev.nudges), with a frozen clock.

The server runs in UTC here; the programs live in their own time zones (Paris unless
said otherwise). Every contact is planned and recorded through jobdev.services at the
moment a specialist would, the clock frozen there.

Job development pace (fidelity item 17), the rule worked out by hand for each case:
the week's target is 6 in-person contacts on behalf of job seekers (the program's
`weekly_in_person_employer_contacts`), or 2 per person looking for work when fewer than
3 are (the scale's small-caseload rule); "expected by Thursday" is half the target,
rounded down (3 of 6, 2 of 4). On the program's Thursday or Friday a specialist is
nudged when held < expected AND held + planned < target. Only the specialist's own
in-person on-behalf contacts count (not the job seeker's alone, not calls, not
relationship visits, not no-shows)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError

from crm.access import access_scope
from crm.models import JobSeeker, Organisation, User
from jobdev import nudges, services
from jobdev.models import EmployerContact, PaceNudge
from placements.models import SupportTask
from placements.selectors import my_tasks
from tests.factories import EmployerFactory, JobSeekerFactory, OrganisationFactory, TeamFactory, UserFactory
from tests.placements.conftest import offer, start

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC

# An ordinary week (no clock change): Monday 4 to Sunday 10 May 2026.
MONDAY = datetime.date(2026, 5, 4)
JANUARY_5 = datetime.date(2026, 1, 5)
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = (MONDAY + datetime.timedelta(days=n) for n in range(1, 6))


@pytest.fixture(autouse=True)
def server_in_utc(settings, organisation):
    settings.TIME_ZONE = "UTC"
    assert organisation.time_zone == "Europe/Paris"


def at(day: datetime.date, hour: int, minute: int = 0, zone=PARIS) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def frozen(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def looking(specialist, count: int = 3) -> list[JobSeeker]:
    """`count` people looking for work on `specialist`'s caseload (disclosure discussed)."""
    return [
        JobSeekerFactory(specialist=specialist, referral_date=JANUARY_5, enrolment_date=JANUARY_5) for _ in range(count)
    ]


def plan_visit(specialist, job_seeker, starts_at, *, mode="in_person", purpose="on_behalf") -> EmployerContact:
    """Planned the day before, as a specialist plans their week."""
    employer = EmployerFactory(organisation=specialist.organisation)
    with frozen(starts_at - datetime.timedelta(days=1)):
        return services.employer_contact_plan(
            scope=access_scope(specialist),
            employer_id=employer.pk,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1),
            mode=mode,
            purpose=purpose,
            job_seeker_ids=[job_seeker.pk] if purpose == "on_behalf" else [],
        )


def hold_visit(specialist, job_seeker, starts_at, *, no_show=False, **kinds) -> EmployerContact:
    """Planned the day before, recorded an hour after it began."""
    contact = plan_visit(specialist, job_seeker, starts_at, **kinds)
    with frozen(starts_at + datetime.timedelta(hours=1)):
        return services.employer_contact_hold(
            scope=access_scope(specialist), contact_id=contact.pk, outcome={}, no_show=no_show
        )


def log_call(specialist, job_seeker, occurred_at) -> EmployerContact:
    employer = EmployerFactory(organisation=specialist.organisation)
    with frozen(occurred_at + datetime.timedelta(minutes=30)):
        return services.employer_contact_log(
            scope=access_scope(specialist),
            employer_id=employer.pk,
            occurred_at=occurred_at,
            mode="phone",
            purpose="on_behalf",
            job_seeker_ids=[job_seeker.pk],
        )


def run_pace_nudge(moment: datetime.datetime) -> int:
    with frozen(moment):
        return nudges.pace_nudge()


# -- Job development pace: the rule --------------------------------------------------------


def test_a_specialist_behind_by_thursday_is_nudged_once_that_week(specialist_sam):
    people = looking(specialist_sam)
    hold_visit(specialist_sam, people[0], at(MONDAY, 10))
    hold_visit(specialist_sam, people[1], at(TUESDAY, 14))
    plan_visit(specialist_sam, people[2], at(FRIDAY, 10))
    # By hand: target 6, expected 3; held 2 < 3 and 2 + 1 planned = 3 < 6: behind.

    assert run_pace_nudge(at(THURSDAY, 0, 41)) == 1
    assert run_pace_nudge(at(THURSDAY, 9, 41)) == 0  # the next hourly run
    assert run_pace_nudge(at(FRIDAY, 9, 41)) == 0  # Friday: already nudged this week

    nudge = PaceNudge.objects.get()
    assert (nudge.specialist, nudge.week) == (specialist_sam, MONDAY)
    assert (nudge.held, nudge.planned, nudge.expected, nudge.target) == (2, 1, 3, 6)


def test_the_pace_is_checked_on_thursday_and_friday_only(specialist_sam):
    looking(specialist_sam)  # nothing held, nothing planned: behind all week

    assert run_pace_nudge(at(WEDNESDAY, 23, 41)) == 0
    assert run_pace_nudge(at(SATURDAY, 9, 41)) == 0
    assert run_pace_nudge(at(MONDAY + datetime.timedelta(days=6), 9, 41)) == 0  # Sunday
    assert not PaceNudge.objects.exists()
    assert run_pace_nudge(at(FRIDAY, 9, 41)) == 1  # a Thursday the scheduler missed is caught up


@pytest.mark.parametrize(
    ("held_days", "planned_days", "nudged"),
    [
        # 3 held by Thursday: the expected 3 reached, not behind whatever is planned.
        ([MONDAY, TUESDAY, WEDNESDAY], [], False),
        # 1 held, 5 planned: 1 + 5 = 6 reaches the target, the week can still be made.
        ([MONDAY], [THURSDAY, THURSDAY, FRIDAY, FRIDAY, FRIDAY], False),
        # 1 held, 4 planned: 5 < 6 and 1 < 3: behind.
        ([MONDAY], [THURSDAY, FRIDAY, FRIDAY, FRIDAY], True),
    ],
)
def test_no_nudge_when_on_pace_or_enough_is_planned(specialist_sam, held_days, planned_days, nudged):
    people = looking(specialist_sam)
    for number, day in enumerate(held_days):
        hold_visit(specialist_sam, people[number % 3], at(day, 9 + 2 * number))
    for number, day in enumerate(planned_days):
        plan_visit(specialist_sam, people[number % 3], at(day, 9 + 2 * number))

    assert run_pace_nudge(at(THURSDAY, 7, 41)) == int(nudged)


def test_only_the_specialists_own_in_person_contacts_on_behalf_count(specialist_sam):
    people = looking(specialist_sam)
    hold_visit(specialist_sam, people[0], at(MONDAY, 10))  # counts
    hold_visit(specialist_sam, people[1], at(MONDAY, 15))  # counts
    hold_visit(specialist_sam, people[2], at(TUESDAY, 10), mode="job_seeker")  # the job seeker's alone
    hold_visit(specialist_sam, people[0], at(TUESDAY, 15), purpose="relationship")  # not on behalf
    hold_visit(specialist_sam, people[1], at(WEDNESDAY, 10), no_show=True)  # the employer did not come
    log_call(specialist_sam, people[2], at(WEDNESDAY, 15))  # a call
    # By hand: held 2 < 3, nothing planned: behind.

    assert run_pace_nudge(at(THURSDAY, 8, 41)) == 1
    assert PaceNudge.objects.get().held == 2


def test_team_leaders_and_specialists_with_nobody_looking_are_not_nudged(
    specialist_sam, specialist_sofia, leader_a, handle_events
):
    looking(specialist_sam)
    looking(leader_a, 2)  # a team leader carrying people develops jobs for them: nudged like a specialist
    JobSeekerFactory(
        specialist=specialist_sofia, status=JobSeeker.Status.WORKING, referral_date=JANUARY_5, enrolment_date=JANUARY_5
    )
    inactive = UserFactory(organisation=specialist_sam.organisation, team=specialist_sam.team, is_active=False)
    looking(inactive)

    assert run_pace_nudge(at(THURSDAY, 8, 41)) == 2
    assert sorted(PaceNudge.objects.values_list("specialist__username", flat=True)) == sorted(
        [specialist_sam.username, leader_a.username]
    )


@pytest.mark.parametrize(("held", "nudged"), [(1, True), (2, False)])
def test_small_caseloads_follow_the_scales_rule(specialist_sam, held, nudged):
    people = looking(specialist_sam, 2)
    JobSeekerFactory(
        specialist=specialist_sam, status=JobSeeker.Status.WORKING, referral_date=JANUARY_5, enrolment_date=JANUARY_5
    )
    for number in range(held):
        hold_visit(specialist_sam, people[number], at(TUESDAY, 10 + 3 * number))
    # By hand: 2 people looking (fewer than 3): target 2 x 2 = 4, expected 2.

    assert run_pace_nudge(at(THURSDAY, 8, 41)) == int(nudged)
    assert nudges.pace_count(specialist_sam.organisation, specialist_sam, MONDAY).target == 4


def test_thursday_is_the_programs_own(specialist_sam):
    """Wednesday 13:00 UTC is Thursday 01:00 in Auckland (UTC+12), still Wednesday 15:00
    in Paris: only the Auckland specialist is nudged."""
    looking(specialist_sam)
    auckland = OrganisationFactory(slug="ips-auckland", time_zone="Pacific/Auckland")
    kiri = UserFactory(username="kiri", organisation=auckland, team=TeamFactory(organisation=auckland))
    looking(kiri)

    assert run_pace_nudge(datetime.datetime(2026, 5, 6, 13, 0, tzinfo=UTC)) == 1
    assert list(PaceNudge.objects.values_list("specialist__username", "week")) == [("kiri", MONDAY)]
    assert run_pace_nudge(datetime.datetime(2026, 5, 6, 22, 30, tzinfo=UTC)) == 1  # 00:30 on Thursday in Paris
    assert PaceNudge.objects.get(specialist=specialist_sam).week == MONDAY


def test_a_run_that_loses_the_race_creates_nothing(specialist_sam, monkeypatch):
    """Two scheduler runs at once: the other one nudges between this run's check and its
    insert; the unique constraint refuses the second row, which is not an error."""
    looking(specialist_sam)
    counted = nudges.pace_count

    def other_run_first(organisation, specialist, monday, now=None):
        count = counted(organisation, specialist, monday, now=now)
        PaceNudge.objects.create(
            organisation=organisation, specialist=specialist, week=monday, held=0, planned=0, expected=3, target=6
        )
        return count

    monkeypatch.setattr(nudges, "pace_count", other_run_first)

    assert run_pace_nudge(at(THURSDAY, 8, 41)) == 0
    assert PaceNudge.objects.count() == 1
    with pytest.raises(IntegrityError):
        PaceNudge.objects.create(
            organisation=specialist_sam.organisation,
            specialist=specialist_sam,
            week=MONDAY,
            held=0,
            planned=0,
            expected=3,
            target=6,
        )


# -- Job development pace: the weeks the clocks change -------------------------------------


def test_spring_forward_week_ends_at_local_midnight(specialist_sam):
    """Paris goes from UTC+1 to UTC+2 on Sunday 29 March 2026 at 02:00: that ISO week
    (23 to 29 March) is 167 hours long. A visit planned at 00:30 on Monday 30 March
    (Sunday 22:30 UTC) belongs to the next week. 7 x 24 hours from Monday 23 00:00 would
    end at 01:00 on the 30th and wrongly count it."""
    monday = datetime.date(2026, 3, 23)
    people = looking(specialist_sam)
    hold_visit(specialist_sam, people[0], at(monday, 10))
    hold_visit(specialist_sam, people[1], at(monday + datetime.timedelta(days=1), 10))
    for day in (3, 3, 4):  # Thursday, Thursday, Friday
        plan_visit(specialist_sam, people[2], at(monday + datetime.timedelta(days=day), 9 + len(people)))
        people.append(people.pop(0))
    plan_visit(specialist_sam, people[0], at(datetime.date(2026, 3, 30), 0, 30))  # next week
    # By hand: held 2, planned 3 in the week: 5 < 6 and 2 < 3, behind.

    count = nudges.pace_count(specialist_sam.organisation, specialist_sam, monday, now=at(monday, 0, 1))
    assert (count.held, count.planned) == (2, 3)
    assert run_pace_nudge(at(monday + datetime.timedelta(days=3), 0, 41)) == 1  # Wednesday 23:41 UTC


def test_fall_back_week_ends_at_local_midnight(specialist_sam):
    """Paris goes from UTC+2 to UTC+1 on Sunday 25 October 2026 at 03:00: that ISO week
    (19 to 25 October) is 169 hours long. A visit planned at 23:30 on Sunday 25 October
    (22:30 UTC) belongs to it; 7 x 24 hours from Monday 19 00:00 (18 October 22:00 UTC)
    would end at 23:00 that Sunday and miss it."""
    monday = datetime.date(2026, 10, 19)
    people = looking(specialist_sam)
    hold_visit(specialist_sam, people[0], at(monday, 10))
    hold_visit(specialist_sam, people[1], at(monday + datetime.timedelta(days=2), 10))
    plan_visit(specialist_sam, people[2], at(monday + datetime.timedelta(days=3), 10))
    plan_visit(specialist_sam, people[0], at(monday + datetime.timedelta(days=4), 10))
    plan_visit(specialist_sam, people[1], at(monday + datetime.timedelta(days=4), 14))
    plan_visit(specialist_sam, people[2], at(datetime.date(2026, 10, 25), 23, 30))  # a night-shift employer
    # By hand: held 2, planned 4: 2 + 4 = 6 reaches the target, no nudge.

    count = nudges.pace_count(specialist_sam.organisation, specialist_sam, monday, now=at(monday, 0, 1))
    assert (count.held, count.planned) == (2, 4)
    assert run_pace_nudge(at(monday + datetime.timedelta(days=3), 8, 41)) == 0


def test_the_week_after_fall_back_starts_at_local_midnight(specialist_sam):
    """Monday 26 October 2026 00:30 in Paris is Sunday 23:30 UTC: that visit is the new
    week's; the one at 23:30 on Sunday 25 October (22:30 UTC) is not. The job runs at
    00:41 on Thursday 29 October in Paris, Wednesday 23:41 UTC."""
    monday = datetime.date(2026, 10, 26)
    people = looking(specialist_sam)
    hold_visit(specialist_sam, people[0], at(datetime.date(2026, 10, 25), 23, 30))  # last week
    hold_visit(specialist_sam, people[1], at(monday, 0, 30))
    hold_visit(specialist_sam, people[2], at(monday + datetime.timedelta(days=1), 10))
    # By hand: held 2 this week, nothing planned: behind.

    assert run_pace_nudge(datetime.datetime(2026, 10, 28, 23, 41, tzinfo=UTC)) == 1
    nudge = PaceNudge.objects.get()
    assert (nudge.week, nudge.held, nudge.planned) == (monday, 2, 0)


# -- What the specialist reads -------------------------------------------------------------


def test_the_specialist_reads_the_nudge_until_the_week_can_be_made(specialist_sam, specialist_sofia):
    people = looking(specialist_sam)
    looking(specialist_sofia)
    hold_visit(specialist_sam, people[0], at(MONDAY, 10))
    run_pace_nudge(at(THURSDAY, 0, 41))  # both behind: Sam held 1, Sofia 0

    with frozen(at(THURSDAY, 9)):
        note = nudges.pace_nudge_for(access_scope(specialist_sam))
        assert (note.nudge.held, note.now.held, note.now.planned, note.missing) == (1, 1, 0, 5)
        assert "Plan 5 more visits" in note.message
        assert nudges.pace_nudge_for(access_scope(specialist_sofia)).nudge.specialist == specialist_sofia
    for hour in (10, 14):  # Sam plans 2 more: 1 held + 2 planned, 3 still missing
        plan_visit(specialist_sam, people[1], at(FRIDAY, hour))
    with frozen(at(THURSDAY, 18)):
        assert nudges.pace_nudge_for(access_scope(specialist_sam)).missing == 3
    for hour in (9, 11, 16):  # and 3 more: the target can be reached, the note goes
        plan_visit(specialist_sam, people[2], at(FRIDAY, hour, 30))
    with frozen(at(THURSDAY, 19)):
        assert nudges.pace_nudge_for(access_scope(specialist_sam)) is None
    with frozen(at(MONDAY + datetime.timedelta(days=7), 9)):  # a new week: last week's nudge is gone
        assert nudges.pace_nudge_for(access_scope(specialist_sofia)) is None


def test_a_program_admin_without_a_nudge_reads_none(program_admin):
    with frozen(at(THURSDAY, 9)):
        assert nudges.pace_nudge_for(access_scope(program_admin)) is None


# -- Rapid job search: day 21 --------------------------------------------------------------


def test_day_21_is_a_default_nudge_day():
    assert Organisation().nudge_days == [14, 21]


# -- Follow-along contact due tomorrow (My tasks, placements.selectors.my_tasks) -------------


@pytest.fixture
def worker(specialist_sam):
    return JobSeekerFactory(
        specialist=specialist_sam,
        first_name="Nadia",
        receives_benefits="no",
        referral_date=JANUARY_5,
        enrolment_date=JANUARY_5,
    )


def first_follow_along(specialist, worker, start_on: datetime.date, handle_events) -> SupportTask:
    """A job offered a week before `start_on` and started then: the handler plans the
    first follow-along contact within 3 days (Organisation.follow_along_first_contact_days)."""
    employer = EmployerFactory(organisation=specialist.organisation)
    with frozen(at(start_on - datetime.timedelta(days=7), 11)):
        placement = offer(specialist, worker, employer, on=start_on - datetime.timedelta(days=7))
        handle_events()
    with frozen(at(start_on, 9)):
        start(specialist, placement, start_on)
        handle_events()
    return SupportTask.objects.get(placement=placement, kind=SupportTask.Kind.FOLLOW_ALONG, status="open")


def groups_at(specialist, moment: datetime.datetime) -> dict[str, list[int]]:
    with frozen(moment):
        return {name: [task.pk for task in tasks] for name, tasks in my_tasks(access_scope(specialist)).items()}


@pytest.mark.parametrize(
    ("start_on", "sunday_evening", "monday_night"),
    [
        # Spring forward (29 March 2026): Sunday 23:30 in Paris is 21:30 UTC, Monday 00:30 is 22:30 UTC.
        (
            datetime.date(2026, 3, 27),
            datetime.datetime(2026, 3, 29, 21, 30, tzinfo=UTC),
            datetime.datetime(2026, 3, 29, 22, 30, tzinfo=UTC),
        ),
        # Fall back (25 October 2026): Sunday 23:30 in Paris is 22:30 UTC, Monday 00:30 is 23:30 UTC.
        (
            datetime.date(2026, 10, 23),
            datetime.datetime(2026, 10, 25, 22, 30, tzinfo=UTC),
            datetime.datetime(2026, 10, 25, 23, 30, tzinfo=UTC),
        ),
    ],
)
def test_a_follow_along_contact_shows_as_due_tomorrow_on_the_programs_eve(
    specialist_sam, worker, handle_events, start_on, sunday_evening, monday_night
):
    """A job started on a Friday: its first contact is due 3 days later, the Monday after
    the clocks change. On Sunday evening in Paris it is due tomorrow; half an hour after
    Paris midnight (still Sunday in UTC) it is due today."""
    contact = first_follow_along(specialist_sam, worker, start_on, handle_events)
    assert contact.due_date == start_on + datetime.timedelta(days=3)

    assert contact.pk in groups_at(specialist_sam, sunday_evening)["tomorrow"]
    on_the_day = groups_at(specialist_sam, monday_night)
    assert contact.pk in on_the_day["today"] and contact.pk not in on_the_day["tomorrow"]


def test_due_tomorrow_is_the_owners_only(specialist_sam, specialist_sofia, worker, handle_events):
    contact = first_follow_along(specialist_sam, worker, datetime.date(2026, 5, 8), handle_events)  # due Monday 11

    sunday = at(datetime.date(2026, 5, 10), 18)
    assert contact.pk in groups_at(specialist_sam, sunday)["tomorrow"]
    assert contact.pk not in sum(groups_at(specialist_sofia, sunday).values(), [])
    with frozen(sunday):
        assert my_tasks(access_scope(User.objects.get(username="sofia"))) == {
            "overdue": [],
            "today": [],
            "tomorrow": [],
            "this_week": [],
        }


def test_a_visit_planned_for_a_day_gone_does_not_hide_the_delay(specialist_sam):
    """Finding 13 of the review: six visits planned for Monday and Tuesday, never
    recorded, will not be held now. By hand on Thursday: held 0 < 3, planned from now 0:
    behind, nudged."""
    people = looking(specialist_sam)
    for number in range(6):
        plan_visit(specialist_sam, people[number % 3], at(MONDAY + datetime.timedelta(days=number % 2), 9 + number))

    assert nudges.pace_count(specialist_sam.organisation, specialist_sam, MONDAY, now=at(THURSDAY, 8)).planned == 0
    assert run_pace_nudge(at(THURSDAY, 8, 41)) == 1
