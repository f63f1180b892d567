"""Background work counts in the program's dates. The server runs in UTC here; the
program is in Paris, where 23:30 UTC on 31 March 2026 is already 01:30 on 1 April."""

import datetime

import pytest
import time_machine

from crm.access import ProgramScope, access_scope
from jobdev.nudges import rapid_search_nudge
from placements import services
from placements.models import PlacementMilestone, SupportTask
from tests.factories import JobSeekerFactory
from tests.placements.conftest import offer, start

MARCH_31 = datetime.date(2026, 3, 31)
APRIL_1 = datetime.date(2026, 4, 1)
LATE_EVENING_UTC = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def server_in_utc(settings, organisation):
    settings.TIME_ZONE = "UTC"
    assert organisation.time_zone == "Europe/Paris"


@pytest.fixture
def working(specialist_sam, nadia, bakery):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        placement = offer(specialist_sam, nadia, bakery, on=datetime.date(2026, 3, 2))
        return start(specialist_sam, placement, datetime.date(2026, 3, 2))


def test_an_event_handled_late_in_the_utc_evening_is_dated_in_paris(
    specialist_sam, working, handle_events, time_machine
):
    time_machine.move_to(LATE_EVENING_UTC, tick=False)
    accommodation = services.accommodation_add(
        scope=access_scope(specialist_sam), placement_id=working.pk, description="Quiet desk", consents=True
    )
    handle_events()
    follow_up = accommodation.support_tasks.get(status="open")
    assert follow_up.due_date == APRIL_1 + datetime.timedelta(days=7)
    step = working.benefits_steps.get()
    for _ in range(3):  # referred, session held, plan in place
        services.benefits_step_change_status(scope=access_scope(specialist_sam), step_id=step.pk)
    handle_events()
    closed = step.support_tasks.get(title_key="benefits_before_start")
    assert (closed.status, closed.completed_on) == ("done", APRIL_1)


def test_the_nudge_job_counts_days_in_the_programs_dates(specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, job_search_since=datetime.date(2026, 3, 18))
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        assert rapid_search_nudge() == 1  # day 14 in Paris (day 13 in UTC)
    nudge = SupportTask.objects.get(job_seeker=job_seeker)
    assert (nudge.due_date, nudge.title_params) == (APRIL_1, {"day": 14})


def test_milestones_fall_due_on_the_programs_date(working):
    PlacementMilestone.objects.filter(placement=working, name="day_30").update(due_date=APRIL_1)
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        services.milestones_emit_due()
    assert PlacementMilestone.objects.get(placement=working, name="day_30").reached_at is not None


def test_a_contact_due_yesterday_in_paris_gets_its_successor(working, handle_events):
    handle_events()
    contact = working.support_tasks.get(kind="follow_along", status="open")
    SupportTask.objects.filter(pk=contact.pk).update(due_date=MARCH_31)
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        assert services.follow_along_ensure_next() == 1
    assert working.support_tasks.filter(kind="follow_along", status="open", due_date__gte=APRIL_1).exists()


def test_a_task_done_today_in_paris_is_not_in_the_future(organisation, specialist_sam, nadia):
    task = services.support_task_create(
        scope=ProgramScope(organisation), job_seeker_id=nadia.pk, kind="retention_check", due_date=MARCH_31
    )
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        done = services.support_task_complete(
            scope=access_scope(specialist_sam), task_id=task.pk, completed_on=APRIL_1, mode="phone"
        )
    assert done.completed_on == APRIL_1
