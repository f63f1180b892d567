"""Deliveries from the outbox: who gets a row, what it carries, sending once, retries
against a real receiver, consent checked again at send time, disabling and replay."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from crm import events
from crm import services as crm_services
from crm.access import PartnerScope, access_scope
from crm.models import OutboxEvent
from integrations.webhooks import sending, services
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from placements import services as placements
from placements.models import BenefitsStep
from tests.factories import JobSeekerFactory, PartnerFactory, SharingConsentFactory
from tests.integrations.webhooks.conftest import DAY, dispatch_pending, make_key

pytestmark = pytest.mark.django_db


def offer(specialist, job_seeker, employer, on=None):
    on = on or timezone.localdate()
    return placements.placement_offer_accept(
        scope=access_scope(specialist),
        job_seeker_id=job_seeker.pk,
        employer_id=employer.pk,
        offer={
            "job_title": "Vendeuse",
            "is_competitive": True,
            "term": "permanent",
            "hours_per_week": Decimal("20"),
            "hourly_pay": Decimal("12.02"),
            "offer_date": on,
            "expected_start_date": on + datetime.timedelta(days=7),
        },
    )


def started_and_ended(specialist, job_seeker, employer, reason="quit_health", adjustment=""):
    placement = offer(specialist, job_seeker, employer, on=timezone.localdate() - datetime.timedelta(days=10))
    scope = access_scope(specialist)
    placements.placement_start(scope=scope, placement_id=placement.pk, start_date=placement.offer_date)
    if adjustment:
        placements.accommodation_add(scope=scope, placement_id=placement.pk, description=adjustment, consents=True)
    placements.placement_end(scope=scope, placement_id=placement.pk, end_date=timezone.localdate(), end_reason=reason)
    return placement


# Who gets a delivery ---------------------------------------------------------------


def test_a_consented_partner_gets_one_delivery_per_event_due_now(subscription, specialist_sam, nadia, bakery):
    placement = offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    offer_delivery = WebhookDelivery.objects.get(topic="placement.offer_accepted")
    assert offer_delivery.subscription == subscription
    assert offer_delivery.status == WebhookDelivery.Status.PENDING
    assert offer_delivery.next_attempt_at <= timezone.now()
    assert offer_delivery.payload["data"]["placement_id"] == placement.pk
    # The offer handler opened a benefits step (Nadia receives benefits): no event yet.
    assert set(WebhookDelivery.objects.values_list("topic", flat=True)) == {"placement.offer_accepted"}


def test_a_partner_without_consent_gets_no_delivery_row(partner_scope, receiver, specialist_sam, bakery, partner):
    # Referred by the partner, which sees the person's own record, but no consent covers jobs.
    referred = JobSeekerFactory(specialist=specialist_sam, referred_by_partner=partner)
    services.subscription_create(scope=partner_scope, url=receiver.url, topics=["placement.offer_accepted"])
    offer(specialist_sam, referred, bakery)
    dispatch_pending()
    assert not WebhookDelivery.objects.exists()


def test_a_consent_not_covering_the_area_gives_no_delivery(
    partner, partner_scope, receiver, specialist_sam, bakery, nadia
):
    SharingConsentFactory(job_seeker=nadia, partner=partner, shares_progress=False, shares_support=True)
    services.subscription_create(
        scope=partner_scope, url=receiver.url, topics=["placement.offer_accepted", "accommodation.status_changed"]
    )
    placement = offer(specialist_sam, nadia, bakery)
    placements.accommodation_add(
        scope=access_scope(specialist_sam), placement_id=placement.pk, description="Quiet desk", consents=True
    )
    dispatch_pending()
    assert list(WebhookDelivery.objects.values_list("topic", flat=True)) == ["accommodation.status_changed"]


def test_only_subscribed_topics_and_only_this_programs_partners(
    subscription, specialist_sam, specialist_louis, nadia, bakery, receiver
):
    lyon_partner = PartnerFactory(organisation=specialist_louis.organisation)
    lyon_key = make_key(lyon_partner)
    services.subscription_create(
        scope=PartnerScope(lyon_partner, grants=frozenset(lyon_key.grants)),
        url=receiver.url,
        topics=["placement.offer_accepted"],
    )
    subscription.topics = ["placement.ended"]
    subscription.save()
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    assert not WebhookDelivery.objects.exists()


def test_a_partner_whose_keys_are_all_revoked_gets_nothing(subscription, partner_key, specialist_sam, nadia, bakery):
    partner_key.revoked_at = timezone.now()
    partner_key.save()
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    assert not WebhookDelivery.objects.exists()


def test_a_disabled_subscription_records_held_deliveries(subscription, partner_scope, specialist_sam, nadia, bakery):
    services.subscription_disable(scope=partner_scope, subscription_id=subscription.pk)
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    held = WebhookDelivery.objects.get()
    assert held.status == WebhookDelivery.Status.PENDING and held.next_attempt_at is None
    assert sending.deliver(held.pk) is None
    assert sending.queue_due() == 0


# What it carries -------------------------------------------------------------------


def test_the_payload_is_the_external_one_without_notes_health_pay_or_employer(
    subscription, specialist_sam, nadia, bakery
):
    placement = started_and_ended(
        specialist_sam, nadia, bakery, reason="quit_health", adjustment="Breaks for medication (schizophrenia)"
    )
    dispatch_pending()
    ended = WebhookDelivery.objects.get(topic="placement.ended").payload
    assert ended["type"] == "placement.ended"
    assert ended["timestamp"].endswith("Z")
    assert ended["data"] == {
        "version": 1,
        "placement_id": placement.pk,
        "job_seeker_id": nadia.pk,
        "status": "ended",
        "end_date": timezone.localdate().isoformat(),
        "end_kind": "quit",
    }
    everything = str(list(WebhookDelivery.objects.values_list("payload", flat=True)))
    for secret in ("health", "medication", "schizophrenia", "Breaks", "12.02", "Boulangerie", "employer", "note"):
        assert secret not in everything
    adjustment = WebhookDelivery.objects.get(topic="accommodation.status_changed").payload["data"]
    assert set(adjustment) == {
        "version",
        "placement_id",
        "job_seeker_id",
        "accommodation_id",
        "from_status",
        "to_status",
    }
    assert adjustment["job_seeker_id"] == nadia.pk and adjustment["to_status"] == "identified"


def test_benefits_step_changes_are_delivered_under_a_consent_covering_benefits(
    subscription, specialist_sam, nadia, bakery
):
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    step = BenefitsStep.objects.get(job_seeker=nadia)
    placements.benefits_step_change_status(scope=access_scope(specialist_sam), step_id=step.pk, note="Private note")
    dispatch_pending()
    data = WebhookDelivery.objects.get(topic="benefits.step_changed").payload["data"]
    assert data["benefits_step_id"] == step.pk and data["to_status"] == "referred"
    assert "Private note" not in str(data)


# Sending once -----------------------------------------------------------------------


def test_a_redelivered_dispatcher_message_and_a_second_worker_send_once(
    subscription, receiver, specialist_sam, nadia, bakery
):
    offer(specialist_sam, nadia, bakery)
    [event] = [e for e in dispatch_pending() if e.topic == "placement.offer_accepted"]
    OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxEvent.Status.PENDING)  # as if redelivered early
    events.dispatch(event.pk)
    events.dispatch(event.pk)
    delivery = WebhookDelivery.objects.get()
    assert sending.deliver(delivery.pk).succeeded
    assert sending.deliver(delivery.pk) is None  # the message delivered twice: nothing left to do
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 1


# Retries -----------------------------------------------------------------------------


def test_fails_then_times_out_then_succeeds_one_delivery_three_attempts(
    subscription, receiver, specialist_sam, nadia, bakery
):
    receiver.script(500, ("sleep", 1.5, 200), 200)
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    first = sending.deliver(delivery.pk, now=now)
    assert first.status_code == 500
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.last_status_code == 500
    # Not due yet: nothing is sent.
    assert sending.deliver(delivery.pk, now=now + datetime.timedelta(seconds=30)) is None
    second = sending.deliver(delivery.pk, now=delivery.next_attempt_at)
    assert second.status_code is None and "time" in second.error
    delivery.refresh_from_db()
    third = sending.deliver(delivery.pk, now=delivery.next_attempt_at)
    assert third.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 3
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    log = list(delivery.attempt_log.order_by("attempted_at"))
    assert [a.status_code for a in log] == [500, None, 200]
    assert log[2].response_body == '{"ok": true}' and all(a.duration_ms >= 0 for a in log)
    assert log[1].duration_ms >= 400  # waited for the 0.5 s read time-out
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    subscription.refresh_from_db()
    assert subscription.failing_since is None


def test_the_retry_schedule_spans_more_than_three_days_with_jitter():
    delays = [sending.retry_delay(n) for n in range(1, sending.max_attempts())]
    assert delays[0] < datetime.timedelta(minutes=2)
    assert sum(delays, datetime.timedelta()) > datetime.timedelta(days=3)
    # Jitter: the same step differs between deliveries.
    assert len({sending.retry_delay(3) for _ in range(20)}) > 1


def test_the_response_kept_is_one_kilobyte(subscription, receiver, specialist_sam, nadia, bakery):
    receiver.script(("body", 400, b"x" * 100_000))
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    attempt = sending.deliver(WebhookDelivery.objects.get().pk)
    assert attempt.status_code == 400 and len(attempt.response_body) == 1024


def test_a_delivery_gives_up_after_the_last_attempt(subscription, receiver, specialist_sam, nadia, bakery, settings):
    settings.WEBHOOKS_RETRY_DELAYS_MINUTES = [1, 1]
    receiver.script(500, 500, 500)
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    for _ in range(3):
        delivery.refresh_from_db()
        assert sending.deliver(delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.GAVE_UP and delivery.next_attempt_at is None
    assert delivery.attempt_log.count() == 3


# Consent at send time -------------------------------------------------------------------


def test_consent_withdrawn_between_write_and_send_cancels_the_delivery(
    subscription, receiver, consent, program_admin, specialist_sam, nadia, bakery
):
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    crm_services.sharing_consent_withdraw(scope=access_scope(program_admin), consent_id=consent.pk)
    assert sending.deliver(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.CANCELLED and "consent" in delivery.cancel_reason
    assert receiver.requests == []


def test_consent_expired_before_a_retry_cancels_it(subscription, receiver, consent, specialist_sam, nadia, bakery):
    receiver.script(500)
    consent.valid_until = timezone.localdate() + DAY
    consent.save()
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    sending.deliver(delivery.pk)
    with time_machine.travel(timezone.now() + 3 * DAY, tick=False):
        assert sending.deliver(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.CANCELLED
    assert len(receiver.requests) == 1


# Disabling and replay -------------------------------------------------------------------


def test_a_subscription_failing_for_three_days_is_disabled_and_replays_on_enable(
    subscription, partner_scope, receiver, specialist_sam, nadia, bakery
):
    receiver.script(*([503] * 20))
    placement = offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    start = timezone.now()
    while True:
        delivery.refresh_from_db()
        if delivery.next_attempt_at is None:
            break
        with time_machine.travel(delivery.next_attempt_at, tick=False):
            sending.deliver(delivery.pk)
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert subscription.disabled_reason == WebhookSubscription.DisabledReason.FAILING
    assert subscription.disabled_at - start >= datetime.timedelta(days=3)
    # Held (disabled before its last attempt) or given up (at it), replayed either way.
    assert delivery.status in (WebhookDelivery.Status.FAILED, WebhookDelivery.Status.GAVE_UP)
    attempts_before = delivery.attempt_log.count()
    # While disabled: the next event is recorded, held.
    with time_machine.travel(subscription.disabled_at + DAY, tick=False):
        placements.placement_start(
            scope=access_scope(specialist_sam), placement_id=placement.pk, start_date=timezone.localdate()
        )
        dispatch_pending()
        missed = WebhookDelivery.objects.get(topic="placement.started")
        assert missed.next_attempt_at is None
        assert sending.queue_due() == 0
        # The receiver is fixed; the partner enables the subscription: both are replayed.
        receiver.answers.queue.clear()
        _subscription, replayed = services.subscription_enable(scope=partner_scope, subscription_id=subscription.pk)
        assert replayed == 2
        for pk in (delivery.pk, missed.pk):
            assert sending.deliver(pk).succeeded
    delivery.refresh_from_db()
    missed.refresh_from_db()
    assert delivery.status == missed.status == WebhookDelivery.Status.SUCCEEDED
    assert delivery.attempt_log.count() == attempts_before + 1
    assert [r.headers["webhook-id"] for r in receiver.requests[-2:]] == [delivery.webhook_id, missed.webhook_id]


def test_deliveries_given_up_in_a_row_disable_the_subscription(
    subscription, receiver, specialist_sam, nadia, bakery, settings
):
    settings.WEBHOOKS_RETRY_DELAYS_MINUTES = [1]
    settings.WEBHOOKS_DISABLE_AFTER_GIVEN_UP = 2
    receiver.script(*([500] * 10))
    placement = offer(specialist_sam, nadia, bakery)
    placements.placement_start(
        scope=access_scope(specialist_sam), placement_id=placement.pk, start_date=timezone.localdate()
    )
    dispatch_pending()
    for delivery in WebhookDelivery.objects.order_by("pk"):
        for _ in range(2):
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                sending.deliver(delivery.pk, now=delivery.next_attempt_at)
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.given_up_in_a_row == 2
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDelivery.Status.GAVE_UP}


def test_replay_rechecks_consent_at_send_time(
    subscription, partner_scope, receiver, consent, program_admin, specialist_sam, nadia, bakery
):
    services.subscription_disable(scope=partner_scope, subscription_id=subscription.pk)
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    crm_services.sharing_consent_withdraw(scope=access_scope(program_admin), consent_id=consent.pk)
    services.subscription_enable(scope=partner_scope, subscription_id=subscription.pk)
    delivery = WebhookDelivery.objects.get()
    assert sending.deliver(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.CANCELLED and receiver.requests == []


def test_an_attempt_is_logged(subscription, receiver, specialist_sam, nadia, bakery):
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    sending.deliver(WebhookDelivery.objects.get().pk)
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 200 and attempt.error == ""


# Housekeeping ---------------------------------------------------------------------------


def test_finished_deliveries_are_purged_after_the_log_period(subscription, receiver, specialist_sam, nadia, bakery):
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    sending.deliver(delivery.pk)
    assert sending.purge_finished() == 0
    assert sending.purge_finished(now=timezone.now() + 91 * DAY) == 1
    assert not WebhookDelivery.objects.exists() and not WebhookAttempt.objects.exists()


def test_a_pending_delivery_is_never_purged(subscription, specialist_sam, nadia, bakery):
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    assert sending.purge_finished(now=timezone.now() + 365 * DAY) == 0
    assert WebhookDelivery.objects.exists()


def test_an_unknown_internal_payload_version_fails_the_handler_visibly(subscription, specialist_sam, nadia, bakery):
    offer(specialist_sam, nadia, bakery)
    OutboxEvent.objects.filter(topic="placement.offer_accepted").update(payload_version=2)
    [event] = [e for e in dispatch_pending() if e.topic == "placement.offer_accepted"]
    handling = event.handlings.get(handler="webhooks.record_deliveries")
    assert handling.status == "retrying" and "InternalVersionUnknown" in handling.last_error
    assert not WebhookDelivery.objects.exists()


def test_the_periodic_jobs_are_registered_with_the_scheduler():
    from dramatiq_crontab import scheduler

    jobs = {job.name for job in scheduler.get_jobs()}
    assert {"send_due_webhooks", "purge_webhook_log"} <= jobs
