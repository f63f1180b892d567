"""On PostgreSQL, with real threads: the offer's handlers (the steps before the start
and the webhook deliveries) running while the job starts never deadlock.

The issue's symptom: job starts hitting PostgreSQL's deadlock detector (1 s) between
the offer handler and `placement_start`. Every path takes the one lock order of
docs/events.md (job seeker, placement, plan, tasks/steps, then the employer)."""

import re
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from crm import events
from crm.access import PartnerScope
from crm.models import EventHandling, OutboxEvent
from integrations.api.models import ApiKey
from integrations.webhooks import services as webhook_services
from placements.models import Placement
from tests.factories import JobSeekerFactory, PartnerFactory, SharingConsentFactory
from tests.placements.conftest import offer, start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROUNDS = 3


@pytest.fixture(autouse=True)
def postgresql_only(request, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's: run with DATABASE_URL=postgres://...")
    request.getfixturevalue("taxonomies")
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True


def deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def run_together(calls) -> list[BaseException]:
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

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a call is stuck"
    return errors


def pausing_after_first_row_lock(locked: threading.Event, seconds: float):
    """A connection wrapper: after the call's first statement that locks rows, tell
    `locked` and linger (holding that lock), so the other side runs into it."""

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not locked.is_set() and re.search(r"FOR (NO KEY )?UPDATE", sql):
            locked.set()
            time.sleep(seconds)
        return result

    return wrapper


def test_offer_handlers_and_the_job_start_queue_instead_of_deadlocking(specialist_sam, bakery):
    """The start takes its first lock and lingers; meanwhile the offer's handlers run
    (their inserts take key-share locks on the job seeker and the placement). In the one
    lock order the handler queues behind the start; with the placement locked before
    the job seeker (the start) and rows inserted before any lock (the handler), each
    waits for the other and PostgreSQL kills one after deadlock_timeout."""
    today = timezone.localdate()
    partner = PartnerFactory(organisation=specialist_sam.organisation)
    key, _plaintext = ApiKey.issue(
        partner=partner, name="chaos", grants=["placements:read", "support:read", "benefits:read", "webhooks:manage"]
    )
    key.save()
    webhook_services.subscription_create(
        scope=PartnerScope(partner, grants=frozenset(key.grants)),
        url="http://127.0.0.1:9/hooks",
        topics=["placement.offer_accepted", "placement.started", "benefits.step_changed"],
    )
    before = deadlocks()
    failures = []
    for _round in range(ROUNDS):
        job_seeker = JobSeekerFactory(specialist=specialist_sam, receives_benefits="yes")
        SharingConsentFactory(job_seeker=job_seeker, partner=partner, shares_progress=True, shares_benefits=True)
        placement = offer(specialist_sam, job_seeker, bakery, on=today)
        offered = OutboxEvent.objects.get(topic="placement.offer_accepted", aggregate_id=placement.pk).pk
        start_locked = threading.Event()

        def starting(placement=placement, start_locked=start_locked):
            with connection.execute_wrapper(pausing_after_first_row_lock(start_locked, 0.4)):
                start(specialist_sam, placement, today)

        def handling(offered=offered, start_locked=start_locked):
            start_locked.wait(timeout=10)
            events.dispatch(offered)

        failures += run_together([starting, handling])
    assert failures == []
    assert deadlocks() - before == 0
    not_first_time = EventHandling.objects.exclude(status="succeeded", attempts=1)
    assert list(not_first_time.values_list("handler", "last_error")) == []
    assert Placement.objects.filter(status=Placement.Status.ACTIVE).count() == ROUNDS
