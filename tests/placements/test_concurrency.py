"""On PostgreSQL, with real threads: services and handlers take their row locks in the
one documented order (job seeker, placement, follow-along plan, then tasks,
adjustments and benefits steps), so they queue instead of deadlocking, and a handler
decides on state no other writer can change under it.

Run with `make test-services` (or DATABASE_URL=postgres://... REDIS_URL=...)."""

import datetime
import re
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm import events
from crm.access import access_scope
from crm.models import EventHandling, OutboxEvent
from placements import services
from placements.models import FollowAlongPlan, Placement
from tests.factories import JobSeekerFactory
from tests.placements.conftest import end, offer, start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

#: Rank of each table in the lock order (docs/events.md). The employer comes after
#: (placement_start moves its relationship stage last).
LOCK_RANK = {
    "crm_jobseeker": 0,
    "placements_placement": 1,
    "placements_followalongplan": 2,
    "placements_supporttask": 3,
    "placements_accommodation": 3,
    "placements_benefitsstep": 3,
    "placements_placementmilestone": 3,
    "placements_jobendreport": 3,
    "employers_employer": 4,
}


@pytest.fixture(autouse=True)
def postgresql_only(request):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's: run `make test-services`")
    request.getfixturevalue("taxonomies")  # a transactional test starts from an empty database


def locked_tables(queries) -> list[str]:
    """The table of each statement that locks rows (SELECT ... FOR [NO KEY] UPDATE,
    UPDATE), in the order they ran."""
    tables = []
    for query in queries:
        sql = query["sql"]
        updated = re.match(r'\s*UPDATE "(\w+)"', sql)
        if updated:
            tables.append(updated.group(1))
        elif re.search(r"FOR (NO KEY )?UPDATE", sql):
            locked = re.search(r'FOR (?:NO KEY )?UPDATE OF "(\w+)"', sql) or re.search(r'FROM "(\w+)"', sql)
            tables.append(locked.group(1))
    return [table for table in tables if table in LOCK_RANK]


def assert_lock_order(tables: list[str]) -> None:
    highest, held = -1, set()
    for table in tables:
        if table in held:  # the same rows again: already held, waits for nobody
            continue
        assert LOCK_RANK[table] >= highest, f"{table} locked after a later table: {tables}"
        highest = max(highest, LOCK_RANK[table])
        held.add(table)


def captured(action) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        action()
    return locked_tables(context.captured_queries)


def only_event(topic: str, placement) -> OutboxEvent:
    return OutboxEvent.objects.get(topic=topic, aggregate_id=placement.pk)


def test_services_and_handlers_lock_in_the_documented_order(specialist_sam, nadia, bakery):
    today = timezone.localdate()
    scope = access_scope(specialist_sam)
    placement = offer(specialist_sam, nadia, bakery, on=today)
    runs = {
        "offer handler": lambda: events.dispatch(only_event("placement.offer_accepted", placement).pk),
        "placement_start": lambda: start(specialist_sam, placement, today),
        "start handler": lambda: events.dispatch(only_event("placement.started", placement).pk),
        "support_task_complete": lambda: services.support_task_complete(
            scope=scope,
            task_id=placement.support_tasks.get(kind="follow_along", status="open").pk,
            completed_on=today,
            mode="phone",
            support_type="on_the_job",
        ),
        "accommodation_add": lambda: services.accommodation_add(
            scope=scope, placement_id=placement.pk, description="Quiet desk", consents=True
        ),
        "accommodation handler": lambda: events.dispatch(
            OutboxEvent.objects.get(topic="accommodation.status_changed").pk
        ),
        "follow_along_plan_change": lambda: services.follow_along_plan_change(
            scope=scope, placement_id=placement.pk, action="frequency", frequency="weekly"
        ),
        "placement_end": lambda: end(specialist_sam, placement, today),
        "end handler": lambda: events.dispatch(only_event("placement.ended", placement).pk),
    }
    for name, action in runs.items():
        tables = captured(action)
        assert tables, name
        assert tables[0] == "crm_jobseeker", (name, tables)
        assert_lock_order(tables)
    assert not EventHandling.objects.exclude(status="succeeded").exists()


def test_offer_handlers_and_job_starts_running_together_never_deadlock(specialist_sam, bakery):
    """(c) The offer's handler inserts rows pointing at the job seeker and the placement
    while placement_start changes both: in one lock order they queue."""
    today = timezone.localdate()
    placements = [
        offer(specialist_sam, JobSeekerFactory(specialist=specialist_sam, receives_benefits="yes"), bakery, on=today)
        for _ in range(8)
    ]
    calls = []
    for placement in placements:
        offered = only_event("placement.offer_accepted", placement).pk
        calls.append(lambda offered=offered: events.dispatch(offered))
        calls.append(lambda placement=placement: start(specialist_sam, placement, today))
    errors = run_together(calls)
    assert errors == []
    handlings = EventHandling.objects.filter(
        event__topic="placement.offer_accepted", handler="placements.plan_steps_before_the_start"
    )
    assert handlings.count() == len(placements)
    assert list(handlings.exclude(status="succeeded", attempts=1).values_list("last_error", flat=True)) == []
    for event in OutboxEvent.objects.filter(topic="placement.started"):
        events.dispatch(event.pk)
    for placement in placements:
        placement.refresh_from_db()
        assert placement.status == Placement.Status.ACTIVE and placement.job_seeker.status == "working"
        # Disclosure was discussed at enrolment (the factory's people): no talk at the
        # offer; the adjustments talk and the benefits planning once each.
        assert placement.support_tasks.filter(kind="disclosure_conversation").count() == 0
        assert placement.support_tasks.filter(kind="accommodation").count() == 1
        assert placement.support_tasks.filter(kind="benefits_planning").count() == 1
        contacts = placement.support_tasks.filter(kind="follow_along", status="open")
        assert [task.due_date for task in contacts] == [today + datetime.timedelta(days=3)]


def test_an_end_committed_while_the_start_handler_runs_waits_for_it(specialist_sam, nadia, bakery, monkeypatch):
    """(a) The start's handler has read the placement (working) when the end comes: the
    end waits for the handler's locks, so its own handler then finds the plan and the
    contact to close. Without the locks, the start's handler would create an active plan
    and a contact for a job that has already ended."""
    today = timezone.localdate()
    placement = start(specialist_sam, offer(specialist_sam, nadia, bakery, on=today), today)
    handler_has_read, end_handled = threading.Event(), threading.Event()
    real_plan_lock = services._plan_lock

    def read_then_linger(placement):
        plan = real_plan_lock(placement)  # the placement (working) and its plan (none yet) are read
        if threading.current_thread().name == "start-handler":
            handler_has_read.set()
            end_handled.wait(timeout=2)  # the end gets every chance to slip in here
        return plan

    monkeypatch.setattr(services, "_plan_lock", read_then_linger)

    def start_handler():
        events.dispatch(only_event("placement.started", placement).pk)

    def end_and_its_handler():
        assert handler_has_read.wait(timeout=10)
        end(specialist_sam, placement, today)
        events.dispatch(only_event("placement.ended", placement).pk)
        end_handled.set()

    errors = run_together([start_handler, end_and_its_handler], names=["start-handler", "ender"])
    assert errors == []
    assert not EventHandling.objects.exclude(status="succeeded").exists()
    assert FollowAlongPlan.objects.get(placement=placement).status == FollowAlongPlan.Status.ENDED
    assert not placement.support_tasks.filter(kind="follow_along", status="open").exists()


def run_together(calls, names=None) -> list[BaseException]:
    """Run each call in its own thread (its own database connection), all released at
    once; returns the exceptions raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait(timeout=30)
            call()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(call,), name=(names[i] if names else f"call-{i}"))
        for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a call is stuck"
    return errors
