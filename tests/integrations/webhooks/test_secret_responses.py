"""The signing secret is shown on creation and rotation only: those responses are not
cached (Cache-Control: no-store) and the Idempotency-Key record does not keep the
secret (a replay answers the subscription without it)."""

import pytest
from django.core.cache import cache

from integrations.api.models import IdempotencyRecord
from integrations.webhooks.models import WebhookSubscription
from tests.integrations.webhooks.test_api import SUBSCRIPTIONS, client_with_key, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_api(partner, consent):
    return client_with_key(partner)


def body(receiver):
    return {"url": receiver.url, "topics": ["placement.started"]}


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_create_shows_the_secret_once_not_cached_nor_kept_for_a_replay(partner_api, receiver):
    created = partner_api.post(SUBSCRIPTIONS, body(receiver), format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"
    secret = created.json()["secret"]
    assert secret == WebhookSubscription.objects.get().secret
    record = IdempotencyRecord.objects.get(key="create-1")
    assert secret not in record.response_body and '"secret"' not in record.response_body
    replayed = partner_api.post(SUBSCRIPTIONS, body(receiver), format="json", HTTP_IDEMPOTENCY_KEY="create-1")
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    assert "secret" not in replayed.json() and replayed.json()["id"] == created.json()["id"]
    assert replayed["Location"] == created["Location"]
    assert WebhookSubscription.objects.count() == 1


def test_rotate_shows_the_new_secret_not_cached_nor_kept(partner_api, receiver):
    created = subscribe(partner_api, receiver.url).json()
    rotated = partner_api.post(f"{SUBSCRIPTIONS}{created['id']}/rotate-secret/", HTTP_IDEMPOTENCY_KEY="rotate-1")
    assert rotated.status_code == 200 and rotated["Cache-Control"] == "no-store"
    secret = rotated.json()["secret"]
    assert secret not in IdempotencyRecord.objects.get(key="rotate-1").response_body
    again = partner_api.post(f"{SUBSCRIPTIONS}{created['id']}/rotate-secret/", HTTP_IDEMPOTENCY_KEY="rotate-1")
    assert again["Idempotent-Replayed"] == "true" and "secret" not in again.json()
    assert WebhookSubscription.objects.get().secret == secret  # not rotated twice


def test_reading_a_subscription_shows_no_secret(partner_api, receiver):
    created = subscribe(partner_api, receiver.url).json()
    read = partner_api.get(f"{SUBSCRIPTIONS}{created['id']}/")
    assert "secret" not in read.json()


def test_the_etag_of_a_creation_or_rotation_serves_as_if_match_for_the_next_change(partner_api, receiver):
    """The ETag is the subscription's as a GET shows it (no secret), not a hash of the
    one-time body (found by the new-user trial: a PATCH with it was a 412)."""
    created = subscribe(partner_api, receiver.url)
    url = f"{SUBSCRIPTIONS}{created.json()['id']}/"
    assert created["ETag"] == partner_api.get(url)["ETag"]
    changed = partner_api.patch(url, {"description": "v2"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert changed.status_code == 200, changed.content
    rotated = partner_api.post(f"{url}rotate-secret/")
    assert rotated["ETag"] == partner_api.get(url)["ETag"]
