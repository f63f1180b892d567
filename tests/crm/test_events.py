"""The event backbone loses nothing and repeats nothing."""

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from crm import events
from crm.access import access_scope
from crm.models import EventHandling, OutboxEvent
from placements import services
from placements.models import SupportTask
from tests.factories import EmployerFactory, JobSeekerFactory

# Benefits planning, the adjustments talk and a follow-along contact before the start
# (the job seeker receives benefits; disclosure was discussed at enrolment, so no
# disclosure talk at the offer).
STEPS_BEFORE_THE_START = 3


def offer(actor, **fields):
    job_seeker = JobSeekerFactory(specialist=actor, receives_benefits="yes")
    employer = EmployerFactory(organisation=actor.organisation)
    defaults = {
        "job_title": "Serveur",
        "is_competitive": True,
        "term": "permanent",
        "hours_per_week": Decimal("20"),
        "offer_date": timezone.localdate(),
        "expected_start_date": timezone.localdate() + datetime.timedelta(days=10),
    }
    defaults.update(fields)
    return services.placement_offer_accept(
        scope=access_scope(actor), job_seeker_id=job_seeker.pk, employer_id=employer.pk, offer=defaults
    )


@pytest.fixture
def flaky_handler():
    """A handler on placement.offer_accepted that writes, then fails the first `n` times."""
    state = {"failures_left": 1, "calls": 0}

    def flaky(event):
        state["calls"] += 1
        placement_id = event.payload["placement_id"]
        from placements.models import Placement

        placement = Placement.objects.select_related("job_seeker").get(pk=placement_id)
        SupportTask.objects.create(
            organisation_id=placement.organisation_id,
            job_seeker=placement.job_seeker,
            placement=placement,
            kind="other",
            title="written by the flaky handler",
            due_date=timezone.localdate(),
            owner_id=placement.job_seeker.specialist_id,
            source_event=event,
        )
        if state["failures_left"] > 0:
            state["failures_left"] -= 1
            raise RuntimeError("employer system unavailable")

    events.handles("placement.offer_accepted", name="tests.flaky")(flaky)
    yield state
    events.unregister("tests.flaky")


def dispatch_when_due(event):
    """Dispatch the event again at the time its failed handlers' next attempt is due."""
    due = EventHandling.objects.filter(event=event, status="retrying").order_by("next_attempt_at")[0].next_attempt_at
    with time_machine.travel(due, tick=False):
        return events.dispatch(event.pk)


def test_event_written_in_the_same_transaction(specialist_sam):
    placement = offer(specialist_sam)
    event = OutboxEvent.objects.get()
    assert (event.topic, event.aggregate_type, event.aggregate_id) == (
        "placement.offer_accepted",
        "placement",
        placement.pk,
    )
    assert event.payload["placement_id"] == placement.pk and event.actor == specialist_sam


def test_a_rolled_back_change_leaves_no_event(specialist_sam):
    with pytest.raises(RuntimeError), transaction.atomic():
        offer(specialist_sam)
        raise RuntimeError("something later in the request failed")
    assert not OutboxEvent.objects.exists()


def test_emit_outside_a_transaction_is_a_programming_error(specialist_sam, django_db_blocker):
    with pytest.raises(RuntimeError, match="inside"):
        # pytest-django wraps each test in a transaction; leave it to see the guard.
        connection.in_atomic_block, saved = False, connection.in_atomic_block
        try:
            events.emit(topic="x", organisation_id=1, aggregate_type="x", aggregate_id=1, payload={})
        finally:
            connection.in_atomic_block = saved


def test_same_dedup_key_is_one_event(specialist_sam):
    payload = {"job_seeker_id": 1, "job_search_since": None, "reentry": False}
    with transaction.atomic():
        first = events.emit(
            topic="jobseeker.enrolled",
            organisation_id=specialist_sam.organisation_id,
            aggregate_type="x",
            aggregate_id=1,
            payload=payload,
            dedup_key="once",
        )
        second = events.emit(
            topic="jobseeker.enrolled",
            organisation_id=specialist_sam.organisation_id,
            aggregate_type="x",
            aggregate_id=1,
            payload=payload,
            dedup_key="once",
        )
    assert first is not None and second is None
    assert OutboxEvent.objects.count() == 1


def test_delivered_three_times_creates_tasks_once(specialist_sam):
    placement = offer(specialist_sam)
    event = OutboxEvent.objects.get()
    for _ in range(3):
        events.dispatch(event.pk)
    assert placement.support_tasks.count() == STEPS_BEFORE_THE_START
    event.refresh_from_db()
    assert event.status == "handled" and event.handled_at is not None


def test_partial_work_of_a_failing_handler_is_undone_and_retried(specialist_sam, flaky_handler):
    placement = offer(specialist_sam)
    event = OutboxEvent.objects.get()
    report = events.dispatch(event.pk)
    assert list(report.retrying) == ["tests.flaky"]  # was: raised HandlersFailed for dramatiq to retry
    assert not placement.support_tasks.filter(kind="other").exists()
    # The other handler of the event was not blocked by the failure.
    assert placement.support_tasks.filter(kind="follow_along").count() == 1
    failing = EventHandling.objects.get(handler__endswith="flaky")
    assert (failing.status, failing.attempts) == ("retrying", 1)
    assert "employer system unavailable" in failing.last_error

    dispatch_when_due(event)
    assert placement.support_tasks.filter(kind="other").count() == 1
    assert placement.support_tasks.filter(kind="follow_along").count() == 1
    event.refresh_from_db()
    assert event.status == "handled"
    assert flaky_handler["calls"] == 2


def test_exhausted_handler_is_shown_to_program_admins_and_can_be_retried(
    specialist_sam, program_admin, client_for, flaky_handler, settings
):
    flaky_handler["failures_left"] = settings.EVENT_HANDLER_MAX_ATTEMPTS
    placement = offer(specialist_sam)
    event = OutboxEvent.objects.get()
    assert list(events.dispatch(event.pk).retrying) == ["tests.flaky"]
    for _ in range(settings.EVENT_HANDLER_MAX_ATTEMPTS - 2):
        assert list(dispatch_when_due(event).retrying) == ["tests.flaky"]
    # the last attempt fails for good: nothing more to retry
    assert dispatch_when_due(event).failed == ["tests.flaky"]
    event.refresh_from_db()
    assert event.status == "failed"
    assert events.resend_pending(now=timezone.now() + datetime.timedelta(days=1)) == 0

    client = client_for(program_admin)
    listing = client.get(reverse("admin:crm_outboxevent_changelist"), {"status": "failed"}).content.decode()
    assert "placement.offer_accepted" in listing
    detail = client.get(reverse("admin:crm_outboxevent_change", args=[event.pk])).content.decode()
    assert "employer system unavailable" in detail

    flaky_handler["failures_left"] = 0
    with django_capture(execute=True):
        response = client.post(
            reverse("admin:crm_outboxevent_changelist"),
            {"action": "retry_failed_handlers", "_selected_action": [event.pk]},
        )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "pending"
    events.dispatch(event.pk)
    event.refresh_from_db()
    assert event.status == "handled"
    assert placement.support_tasks.filter(kind="other").count() == 1


def django_capture(execute):
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=execute)


def test_other_programs_events_are_404_in_admin(specialist_louis, program_admin, client_for):
    offer(specialist_louis)
    event = OutboxEvent.objects.get()
    client = client_for(program_admin)
    assert client.get(reverse("admin:crm_outboxevent_change", args=[event.pk])).status_code == 404
    assert "placement.offer_accepted" not in client.get(reverse("admin:crm_outboxevent_changelist")).content.decode()


def test_sweep_resends_only_pending_events_past_the_grace_period(specialist_sam, broker, settings):
    offer(specialist_sam)
    event = OutboxEvent.objects.get()
    assert events.resend_pending() == 0  # too recent
    later = timezone.now() + datetime.timedelta(seconds=settings.EVENT_RESEND_GRACE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert events.resend_pending() == 1
        assert events.resend_pending() == 0  # just sent: wait for the grace period again
    event.refresh_from_db()
    assert event.send_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_message_is_resent_by_the_sweep_and_handled(specialist_sam, broker, taxonomies, settings):
    placement = offer(specialist_sam)  # committed: on_commit sent the event id to the broker
    event = OutboxEvent.objects.get()
    assert event.send_count == 1
    broker.flush_all()  # the message is lost (Redis flushed, or restarted)
    later = timezone.now() + datetime.timedelta(seconds=settings.EVENT_RESEND_GRACE_SECONDS + 1)
    with time_machine.travel(later, tick=True):
        assert events.resend_pending() == 1
    import dramatiq

    from crm.tasks import dispatch_event

    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=2)
    worker.start()
    try:
        broker.join(dispatch_event.queue_name, timeout=20_000)
        worker.join()
    finally:
        worker.stop()
    event.refresh_from_db()
    assert event.status == "handled"
    assert placement.support_tasks.count() == STEPS_BEFORE_THE_START


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_event_create_its_tasks_once(specialist_sam, taxonomies):
    placement = offer(specialist_sam)
    event = OutboxEvent.objects.get()
    barrier = threading.Barrier(2)
    errors = []

    def work():
        try:
            barrier.wait(timeout=10)
            events.dispatch(event.pk)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert placement.support_tasks.count() == STEPS_BEFORE_THE_START
    assert EventHandling.objects.filter(event=event, status="succeeded").count() == len(
        events.handlers_for("placement.offer_accepted")
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_a_failing_handler_count_one_attempt(specialist_sam, taxonomies, flaky_handler):
    flaky_handler["failures_left"] = 10
    offer(specialist_sam)
    event = OutboxEvent.objects.get()
    barrier = threading.Barrier(2)
    errors = []

    def work():
        try:
            barrier.wait(timeout=10)
            events.dispatch(event.pk)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    # The second worker saw the first one's failure and its next attempt, not yet due.
    assert flaky_handler["calls"] == 1
    assert EventHandling.objects.get(event=event, handler="tests.flaky").attempts == 1
