"""On PostgreSQL, with real threads: the offer's handlers (the steps before the start
and the webhook deliveries) running while the job starts never deadlock.

The issue's symptom: job starts hitting PostgreSQL's deadlock detector (1 s) between
the offer handler and `placement_start`. Every path takes the one lock order of
docs/events.md (job seeker, placement, plan, tasks/steps, then the employer)."""

import threading

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

ROUNDS = 12


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


def test_offer_handlers_and_the_job_start_queue_instead_of_deadlocking(specialist_sam, bakery):
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
        failures += run_together(
            [lambda offered=offered: events.dispatch(offered), lambda p=placement: start(specialist_sam, p, today)]
        )
    assert failures == []
    assert deadlocks() - before == 0
    not_first_time = EventHandling.objects.exclude(status="succeeded", attempts=1)
    assert list(not_first_time.values_list("handler", "last_error")) == []
    assert Placement.objects.filter(status=Placement.Status.ACTIVE).count() == ROUNDS
