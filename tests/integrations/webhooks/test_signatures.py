"""Signatures: the Standard Webhooks verifier accepts them, and so does an HMAC-SHA256
computed here from the spec alone; during a rotation both secrets verify."""

import base64
import datetime
import hashlib
import hmac

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from crm.access import access_scope
from integrations.webhooks import sending, services
from integrations.webhooks.models import WebhookDelivery
from placements import services as placements
from tests.integrations.webhooks.conftest import dispatch_pending
from tests.integrations.webhooks.test_delivery import offer

pytestmark = pytest.mark.django_db


def independent_signatures(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The `v1,<base64>` of HMAC-SHA256 over "{id}.{timestamp}.{body}" with the base64
    key after `whsec_` (standardwebhooks.com), written without the library."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def offer_and_send(specialist, job_seeker, employer, receiver):
    placements.placement_offer_accept(
        scope=access_scope(specialist),
        job_seeker_id=job_seeker.pk,
        employer_id=employer.pk,
        offer={
            "job_title": "Vendeuse",
            "is_competitive": True,
            "term": "permanent",
            "hours_per_week": 20,
            "hourly_pay": "12.02",
            "offer_date": timezone.localdate(),
            "expected_start_date": timezone.localdate() + datetime.timedelta(days=7),
        },
    )
    dispatch_pending()
    delivery = WebhookDelivery.objects.get(topic="placement.offer_accepted")
    attempt = sending.deliver(delivery.pk)
    assert attempt is not None and attempt.succeeded
    return delivery, receiver.requests[-1]


def test_signature_verifies_with_standardwebhooks_and_with_plain_hmac(
    subscription, receiver, specialist_sam, nadia, bakery
):
    delivery, request = offer_and_send(specialist_sam, nadia, bakery, receiver)
    headers = request.headers
    assert headers["webhook-id"] == delivery.webhook_id and headers["webhook-id"].startswith("msg_")
    assert headers["content-type"] == "application/json"
    # The library's verifier (it also checks the timestamp is within 5 minutes).
    assert Webhook(subscription.secret).verify(request.body, headers) == delivery.payload
    # The spec, by hand.
    expected = independent_signatures(
        subscription.secret, headers["webhook-id"], headers["webhook-timestamp"], request.body
    )
    assert headers["webhook-signature"] == expected
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60


def test_a_tampered_body_or_another_secret_does_not_verify(subscription, receiver, specialist_sam, nadia, bakery):
    _delivery, request = offer_and_send(specialist_sam, nadia, bakery, receiver)
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription.secret).verify(request.body.replace(b"offer_accepted", b"started"), request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + base64.b64encode(b"x" * 32).decode()).verify(request.body, request.headers)


def test_during_rotation_both_secrets_verify_then_only_the_new_one(
    subscription, partner_scope, receiver, specialist_sam, nadia, bakery
):
    old_secret = subscription.secret
    rotated = services.subscription_rotate_secret(scope=partner_scope, subscription_id=subscription.pk)
    assert rotated.secret != old_secret and rotated.secret.startswith("whsec_")
    delivery, request = offer_and_send(specialist_sam, nadia, bakery, receiver)
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2
    for secret in (rotated.secret, old_secret):
        assert Webhook(secret).verify(request.body, request.headers) == delivery.payload
        expected = independent_signatures(
            secret, request.headers["webhook-id"], request.headers["webhook-timestamp"], request.body
        )
        assert expected in signatures
    # After the rotation window (24 h) only the new secret signs.
    later = timezone.now() + datetime.timedelta(hours=24, minutes=1)
    headers = sending.signed_headers(rotated, delivery.webhook_id, sending.body_of(delivery), later)
    assert len(headers["webhook-signature"].split(" ")) == 1
    with time_machine.travel(later, tick=False):
        body = sending.body_of(delivery)
        Webhook(rotated.secret).verify(body, headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old_secret).verify(body, headers)


def test_the_webhook_id_is_stable_across_retries(subscription, receiver, specialist_sam, nadia, bakery):
    receiver.script(500)
    placements.placement_offer_accept(
        scope=access_scope(specialist_sam),
        job_seeker_id=nadia.pk,
        employer_id=bakery.pk,
        offer={
            "job_title": "Vendeuse",
            "is_competitive": True,
            "term": "permanent",
            "hours_per_week": 20,
            "hourly_pay": "12.02",
            "offer_date": timezone.localdate(),
        },
    )
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    sending.deliver(delivery.pk)
    sending.deliver(delivery.pk, now=timezone.now() + datetime.timedelta(minutes=2))
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.webhook_id
    assert first.body == second.body


def test_the_webhook_id_is_keyed_with_the_secret_key_and_reveals_no_event_id(settings):
    from integrations.webhooks.models import webhook_id

    unkeyed = hashlib.sha256(b"ips-crm-webhook:123456:7").digest()
    assert webhook_id(123456, 7) != "msg_" + base64.b32encode(unkeyed[:20]).decode("ascii").lower()
    assert webhook_id(123456, 7) == webhook_id(123456, 7)  # stable: the same on every retry
    assert webhook_id(123456, 7) != webhook_id(123457, 7) != webhook_id(123456, 8)
    ours = webhook_id(123456, 7)
    settings.SECRET_KEY = "another-installation-" + "x" * 40
    assert webhook_id(123456, 7) != ours  # who lacks the key cannot test a guess


def test_a_delivery_written_before_keeps_its_webhook_id(subscription, receiver, specialist_sam, nadia, bakery):
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get(topic="placement.offer_accepted")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(webhook_id="msg_written_before_the_change")
    sending.deliver(delivery.pk)
    assert receiver.requests[-1].headers["webhook-id"] == "msg_written_before_the_change"
