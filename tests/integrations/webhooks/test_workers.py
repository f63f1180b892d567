"""Through the broker and real worker threads: sent after the commit, lost messages
queued again by the sweep, and two workers on one delivery send it once."""

import datetime
import threading
from decimal import Decimal

import dramatiq
import pytest
from django.db import connection
from django.utils import timezone

from crm.access import access_scope
from integrations.webhooks import sending
from integrations.webhooks.models import WebhookDelivery
from integrations.webhooks.tasks import send_delivery
from placements import services as placements
from tests.integrations.webhooks.conftest import dispatch_pending

pytestmark = pytest.mark.django_db(transaction=True)


def offer(specialist, job_seeker, employer):
    return placements.placement_offer_accept(
        scope=access_scope(specialist),
        job_seeker_id=job_seeker.pk,
        employer_id=employer.pk,
        offer={
            "job_title": "Vendeuse",
            "is_competitive": True,
            "term": "permanent",
            "hours_per_week": Decimal("20"),
            "offer_date": timezone.localdate(),
        },
    )


def run_worker(broker):
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=1)
    worker.start()
    try:
        broker.join(send_delivery.queue_name, timeout=20_000)
        worker.join()
    finally:
        worker.stop()


def test_sent_by_the_worker_after_the_commit_and_requeued_by_the_sweep_when_lost(
    taxonomies, broker, subscription, receiver, specialist_sam, nadia, bakery
):
    offer(specialist_sam, nadia, bakery)
    broker.flush_all()  # the events' own messages: dispatched here instead
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    assert delivery.queued_at is not None  # queued on the handler's commit
    run_worker(broker)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert len(receiver.requests) == 1

    # A second event whose message is lost (Redis flushed): the sweep queues it again.
    placements.placement_start(
        scope=access_scope(specialist_sam), placement_id=delivery.payload["data"]["placement_id"],
        start_date=timezone.localdate(),
    )  # fmt: skip
    broker.flush_all()
    dispatch_pending()
    broker.flush_all()
    started = WebhookDelivery.objects.get(topic="placement.started")
    assert sending.queue_due() == 0  # queued a moment ago
    assert sending.queue_due(now=timezone.now() + datetime.timedelta(minutes=6)) == 1
    run_worker(broker)
    started.refresh_from_db()
    assert started.status == WebhookDelivery.Status.SUCCEEDED
    assert len(receiver.requests) == 2


def test_two_workers_on_one_delivery_send_it_once(
    taxonomies, broker, subscription, receiver, specialist_sam, nadia, bakery
):
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    barrier = threading.Barrier(2)
    errors = []

    def work():
        try:
            barrier.wait(timeout=10)
            sending.deliver(delivery.pk)
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
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 1
    assert delivery.attempt_log.count() == 1
