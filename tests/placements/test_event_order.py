"""Events of one placement handled in any order give the same end state: the handlers
decide from the records' current state (read under their locks), never from a payload
that may be out of date. PostgreSQL with real threads: test_concurrency.py."""

import datetime
import itertools

import pytest
import time_machine

from crm import events
from crm.access import access_scope
from crm.models import EventHandling, OutboxEvent
from placements import services
from placements.models import FollowAlongPlan, SupportTask
from tests.placements.conftest import end, offer, start

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def dispatch_in(order: list[OutboxEvent]) -> None:
    for event in order:
        events.dispatch(event.pk)
    assert not EventHandling.objects.exclude(status="succeeded").exists()


def placement_events(placement) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(aggregate_type="placement", aggregate_id=placement.pk).order_by("pk"))


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_job_started_and_ended_at_once_leaves_no_active_follow_along(specialist_sam, nadia, bakery, order):
    """(a) offer, start and end within moments; the three handlers in every order."""
    placement = offer(specialist_sam, nadia, bakery, on=TODAY)
    start(specialist_sam, placement, TODAY)
    end(specialist_sam, placement, TODAY, reason="quit_health")
    emitted = placement_events(placement)
    dispatch_in([emitted[i] for i in order])
    assert FollowAlongPlan.objects.get(placement=placement).status == FollowAlongPlan.Status.ENDED
    assert not placement.support_tasks.filter(kind="follow_along", status="open").exists()
    assert placement.support_tasks.filter(kind="job_end_contact", status="open").count() == 1
    # The steps of the job (disclosure, adjustments, benefits before the start) close
    # with it, whichever handler came first.
    assert set(placement.support_tasks.filter(status="open").values_list("kind", flat=True)) == {
        "job_end_contact",
        "job_end_report",
    }
    nadia.refresh_from_db()
    assert nadia.status == "job_search"


def test_a_closed_file_is_not_put_back_into_job_search_by_a_late_job_end(specialist_sam, nadia, bakery):
    placement = offer(specialist_sam, nadia, bakery, on=TODAY)
    start(specialist_sam, placement, TODAY)
    end(specialist_sam, placement, TODAY, reason="quit_other")
    from crm import services as crm_services

    crm_services.job_seeker_change_status(scope=access_scope(specialist_sam), job_seeker_id=nadia.pk, status="closed")
    dispatch_in(placement_events(placement))
    nadia.refresh_from_db()
    assert nadia.status == "closed"


@pytest.mark.parametrize("started_first", [True, False])
def test_the_offer_handled_around_the_start_leaves_one_upcoming_contact(specialist_sam, nadia, bakery, started_first):
    """(c) on SQLite: the offer's handler before or after the start (and its handler).
    Disclosure never discussed: the offer plans the talk, once."""
    nadia.disclosure_preference, nadia.disclosure_discussed_on = "undecided", None
    nadia.save()
    placement = offer(specialist_sam, nadia, bakery, on=TODAY)
    offered = placement_events(placement)[0]
    if started_first:
        start(specialist_sam, placement, TODAY)
        dispatch_in(placement_events(placement)[::-1])
    else:
        events.dispatch(offered.pk)
        start(specialist_sam, placement, TODAY)
        dispatch_in(placement_events(placement)[1:])
    contacts = placement.support_tasks.filter(kind="follow_along", status="open")
    assert [task.due_date for task in contacts] == [TODAY + datetime.timedelta(days=3)]
    assert placement.support_tasks.filter(kind="disclosure_conversation").count() == 1


@pytest.fixture
def working(specialist_sam, nadia, bakery):
    placement = offer(specialist_sam, nadia, bakery, on=TODAY)
    start(specialist_sam, placement, TODAY)
    for event in placement_events(placement):
        events.dispatch(event.pk)
    return placement


def accommodation_events(accommodation) -> list[OutboxEvent]:
    return [
        event
        for event in OutboxEvent.objects.filter(topic="accommodation.status_changed").order_by("pk")
        if event.payload["accommodation_id"] == accommodation.pk
    ]


@pytest.mark.parametrize("reverse", [False, True])
def test_an_adjustment_moved_on_at_once_keeps_no_task_of_its_earlier_step(specialist_sam, working, reverse):
    """(b) identified, then discussed right away: the handler of the first change may run
    after the second; nothing is left to discuss."""
    scope = access_scope(specialist_sam)
    accommodation = services.accommodation_add(
        scope=scope, placement_id=working.pk, description="Quiet desk", consents=True
    )
    services.accommodation_change_status(scope=scope, accommodation_id=accommodation.pk, status="discussed")
    emitted = accommodation_events(accommodation)
    dispatch_in(emitted[::-1] if reverse else emitted)
    assert not accommodation.support_tasks.filter(status="open").exists()


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_current_step_has_exactly_one_follow_up_whatever_the_order(specialist_sam, working, order):
    scope = access_scope(specialist_sam)
    accommodation = services.accommodation_add(
        scope=scope, placement_id=working.pk, description="Quiet desk", consents=True
    )
    services.accommodation_change_status(scope=scope, accommodation_id=accommodation.pk, status="discussed")
    services.accommodation_change_status(scope=scope, accommodation_id=accommodation.pk, status="requested")
    emitted = accommodation_events(accommodation)
    dispatch_in([emitted[i] for i in order])
    open_tasks = accommodation.support_tasks.filter(status="open")
    assert [task.title_key for task in open_tasks] == ["accommodation_check_answer"]
    requested_at = emitted[2].occurred_at
    assert open_tasks[0].due_date == requested_at.date() + datetime.timedelta(days=7)


@pytest.mark.parametrize("reverse", [False, True])
def test_a_benefits_session_held_at_once_needs_no_check_that_it_took_place(specialist_sam, working, reverse):
    step = working.benefits_steps.get()
    scope = access_scope(specialist_sam)
    services.benefits_step_change_status(scope=scope, step_id=step.pk, status="referred")
    services.benefits_step_change_status(scope=scope, step_id=step.pk, status="session_held")
    emitted = list(OutboxEvent.objects.filter(topic="benefits.step_changed").order_by("pk"))
    dispatch_in(emitted[::-1] if reverse else emitted)
    assert not step.support_tasks.filter(title_key="benefits_session_check").exists()


def test_a_redelivered_late_event_creates_nothing_twice(specialist_sam, working):
    scope = access_scope(specialist_sam)
    accommodation = services.accommodation_add(
        scope=scope, placement_id=working.pk, description="Quiet desk", consents=True
    )
    (identified,) = accommodation_events(accommodation)
    events.dispatch(identified.pk)
    EventHandling.objects.filter(event=identified).delete()  # as if the success was never recorded
    OutboxEvent.objects.filter(pk=identified.pk).update(status="pending")
    events.dispatch(identified.pk)
    assert SupportTask.objects.filter(accommodation=accommodation, status="open").count() == 1
