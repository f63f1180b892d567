"""The outbox owns retries: a failed handler is tried again on the documented schedule
(1, 5, 15, 60 minutes), by the minute sweep, never by dramatiq; and nothing that runs
on commit can fail the user's request."""

import datetime
import re
from pathlib import Path

import dramatiq
import pytest
import time_machine
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from crm import events, tasks
from crm.models import EventHandling, OutboxEvent
from tests.crm.test_events import offer
from tests.factories import JobSeekerFactory, UserFactory

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def failing_handler():
    """A handler of jobseeker.enrolled that fails `failures_left` times (all, by default)."""
    state = {"failures_left": 1000, "calls": []}

    def fail(event):
        state["calls"].append(timezone.now())
        if state["failures_left"] > 0:
            state["failures_left"] -= 1
            raise RuntimeError("partner system unavailable")

    events.handles("jobseeker.enrolled", name="tests.failing")(fail)
    yield state
    events.unregister("tests.failing")


def enrol(organisation, key="enrolled"):
    """An enrolment event of a real job seeker: the app's own handler of the topic (the
    disclosure talk at enrolment) runs beside the failing one, and has nothing to do
    (the person's disclosure preference is recorded)."""
    job_seeker = JobSeekerFactory(specialist=UserFactory(organisation=organisation))
    with transaction.atomic():
        return events.emit(
            topic="jobseeker.enrolled",
            organisation_id=organisation.pk,
            aggregate_type="jobseeker",
            aggregate_id=job_seeker.pk,
            payload={"job_seeker_id": job_seeker.pk, "job_search_since": None, "reentry": False},
            dedup_key=key,
        )


def handling(event) -> EventHandling:
    return EventHandling.objects.get(event=event, handler="tests.failing")


def test_the_documented_schedule_is_the_configured_one(settings):
    assert settings.EVENT_RETRY_DELAYS_MINUTES == [1, 5, 15, 60]
    assert settings.EVENT_HANDLER_MAX_ATTEMPTS == 5
    assert "1, 5, 15 and 60 minutes" in DOCS.read_text()
    assert [events.retry_delay(n) for n in (1, 2, 3, 4, 5, 9)] == [
        datetime.timedelta(minutes=m) for m in (1, 5, 15, 60, 60, 60)
    ]


def test_attempts_happen_exactly_on_schedule_then_the_handler_fails_for_good(organisation, failing_handler):
    with time_machine.travel(T0, tick=False):
        event = enrol(organisation)
        assert events.dispatch(event.pk).retrying == {"tests.failing": T0 + MINUTE}
    attempt_at = T0
    for delay_minutes in (1, 5, 15, 60):
        due = attempt_at + delay_minutes * MINUTE
        assert handling(event).next_attempt_at == due
        with time_machine.travel(due - SECOND, tick=False):  # not a second earlier
            assert events.resend_pending() == 0
            assert events.dispatch(event.pk).not_due == ["tests.failing"]
        with time_machine.travel(due, tick=False):
            assert events.resend_pending() == 1  # the sweep sends the due retry
            events.dispatch(event.pk)
        attempt_at = due
    assert failing_handler["calls"] == [
        T0,
        T0 + 1 * MINUTE,
        T0 + 6 * MINUTE,
        T0 + 21 * MINUTE,
        T0 + 81 * MINUTE,
    ]
    exhausted = handling(event)
    assert (exhausted.status, exhausted.attempts, exhausted.next_attempt_at) == ("failed", 5, None)
    assert "partner system unavailable" in exhausted.last_error
    event.refresh_from_db()
    assert event.status == "failed"
    with time_machine.travel(T0 + datetime.timedelta(days=2), tick=False):
        assert events.resend_pending() == 0
        events.dispatch(event.pk)
    assert len(failing_handler["calls"]) == 5


@pytest.mark.django_db(transaction=True)
def test_a_handler_that_stops_its_worker_counts_as_failed_attempts(organisation):
    """A time limit (dramatiq's TimeLimitExceeded is a BaseException) or a killed worker
    ends the handler before it can record anything: the attempt was claimed before it
    ran, so it counts, is retried on schedule, and the last one is shown as failed."""
    from dramatiq.middleware.time_limit import TimeLimitExceeded

    calls = []

    def too_slow(event):
        calls.append(timezone.now())
        raise TimeLimitExceeded

    events.handles("jobseeker.enrolled", name="tests.too_slow")(too_slow)
    try:
        with time_machine.travel(T0, tick=False):
            event = enrol(organisation)
        attempt_at = T0
        for attempt, delay_minutes in enumerate((1, 5, 15, 60, 60), start=1):
            with time_machine.travel(attempt_at, tick=False), pytest.raises(TimeLimitExceeded):
                events.dispatch(event.pk)
            recorded = EventHandling.objects.get(event=event, handler="tests.too_slow")
            assert (recorded.status, recorded.attempts) == ("retrying", attempt)
            assert "did not finish" in recorded.last_error
            attempt_at += delay_minutes * MINUTE
            assert recorded.next_attempt_at == attempt_at
        with time_machine.travel(attempt_at, tick=False):
            assert events.dispatch(event.pk).failed == ["tests.too_slow"]
        recorded.refresh_from_db()
        assert (recorded.status, recorded.attempts, len(calls)) == ("failed", 5, 5)
        event.refresh_from_db()
        assert event.status == "failed"
    finally:
        events.unregister("tests.too_slow")


def test_the_schedule_follows_the_settings(organisation, failing_handler, settings):
    settings.EVENT_RETRY_DELAYS_MINUTES = [2]
    settings.EVENT_HANDLER_MAX_ATTEMPTS = 3
    with time_machine.travel(T0, tick=False):
        event = enrol(organisation)
        events.dispatch(event.pk)
    for due in (T0 + 2 * MINUTE, T0 + 4 * MINUTE):
        assert handling(event).next_attempt_at == due
        with time_machine.travel(due, tick=False):
            events.dispatch(event.pk)
    assert (handling(event).status, handling(event).attempts) == ("failed", 3)


def test_a_retry_that_succeeds_settles_the_event(organisation, failing_handler):
    failing_handler["failures_left"] = 2
    with time_machine.travel(T0, tick=False):
        event = enrol(organisation)
        events.dispatch(event.pk)
    with time_machine.travel(T0 + MINUTE, tick=False):
        events.dispatch(event.pk)
    with time_machine.travel(T0 + 6 * MINUTE, tick=False):
        assert events.dispatch(event.pk).succeeded == ["tests.failing"]
    event.refresh_from_db()
    assert event.status == "handled"
    assert (handling(event).status, handling(event).attempts, handling(event).next_attempt_at) == ("succeeded", 3, None)


def test_a_due_retry_is_sent_once_then_again_only_after_the_grace_period(organisation, failing_handler, settings):
    with time_machine.travel(T0, tick=False):
        event = enrol(organisation)
        events.dispatch(event.pk)
    due = T0 + MINUTE
    with time_machine.travel(due, tick=False):
        assert events.resend_pending() == 1
        assert events.resend_pending() == 0  # on its way: no duplicate every minute
    with time_machine.travel(due + datetime.timedelta(seconds=settings.EVENT_RESEND_GRACE_SECONDS + 1), tick=False):
        assert events.resend_pending() == 1  # that message was lost too


def test_the_admins_retry_gives_a_fresh_set_of_attempts_starting_now(
    organisation, failing_handler, django_capture_on_commit_callbacks, settings
):
    settings.EVENT_HANDLER_MAX_ATTEMPTS = 1
    with time_machine.travel(T0, tick=False):
        event = enrol(organisation)
        assert events.dispatch(event.pk).failed == ["tests.failing"]
    later = T0 + datetime.timedelta(days=1)
    settings.EVENT_HANDLER_MAX_ATTEMPTS = 5
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            events.retry_failed(OutboxEvent.objects.get(pk=event.pk))
        assert len(callbacks) == 1  # sent on commit
        reset = handling(event)
        assert (reset.status, reset.attempts, reset.next_attempt_at) == ("retrying", 0, None)
        assert OutboxEvent.objects.get(pk=event.pk).status == "pending"
        assert events.dispatch(event.pk).retrying == {"tests.failing": later + MINUTE}  # ran at once
    assert failing_handler["calls"] == [T0, later]
    assert handling(event).attempts == 1


def test_dispatch_event_is_never_retried_by_dramatiq():
    assert tasks.dispatch_event.options["max_retries"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_failing_handler_runs_once_per_delivery_through_the_broker(organisation, failing_handler, broker):
    event = enrol(organisation)  # committed: sent on commit
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=1)
    worker.start()
    try:
        broker.join(tasks.dispatch_event.queue_name, timeout=20_000)
        worker.join()
    finally:
        worker.stop()
    assert len(failing_handler["calls"]) == 1  # no dramatiq backoff retries on top of the outbox's
    assert (handling(event).status, handling(event).attempts) == ("retrying", 1)
    assert getattr(broker, "dead_letters", []) == []


# On commit ------------------------------------------------------------------------------


def _lose_the_connection_when_recording_the_send(execute, sql, params, many, context):
    if re.search(r'UPDATE\s+"crm_outboxevent"\s+SET\s+"last_sent_at"', sql):
        raise OperationalError("server closed the connection unexpectedly")
    return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_a_lost_connection_after_commit_does_not_fail_the_service(specialist_sam, taxonomies, broker, caplog):
    with connection.execute_wrapper(_lose_the_connection_when_recording_the_send):
        placement = offer(specialist_sam)  # the service returns normally: the change is stored
    assert placement.pk is not None
    event = OutboxEvent.objects.get(topic="placement.offer_accepted")
    assert (event.status, event.last_sent_at, event.send_count) == ("pending", None, 0)
    assert "was sent but its sending could not be recorded" in caplog.text

    broker.flush_all()  # say that message was lost too: the sweep sends the event again
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert events.resend_pending(now=later) == 1
    event.refresh_from_db()
    assert event.send_count == 1


@pytest.mark.django_db(transaction=True)
def test_any_error_on_commit_stays_out_of_the_request(organisation, monkeypatch, caplog):
    """Even an error send() does not foresee is caught: the callback is registered robust."""

    def broken_send(event_id):
        raise OperationalError("connection lost")

    monkeypatch.setattr(events, "send", broken_send)
    event = enrol(organisation)
    assert OutboxEvent.objects.filter(pk=event.pk, status="pending").exists()
    assert "connection lost" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_on_commit_leaves_the_event_to_the_sweep(organisation, monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.dispatch_event, "send", broker_down)
    event = enrol(organisation)
    event.refresh_from_db()
    assert (event.last_sent_at, event.send_count) == (None, 0)
    assert "the sweep will retry" in caplog.text
