"""A key with webhooks:manage manages its partner's subscriptions, but may not take a
stream it could not subscribe to itself: changing the URL (or anything), rotating the
secret and enabling again re-check the subscription's topics against the acting key's
grants (403 naming the missing grant). Pausing and deleting stay open. Program admins
manage as before. Deliveries go when ANY usable key of the partner grants the topic."""

import pytest
from django.core.cache import cache

from integrations.api.grants import WEBHOOKS_MANAGE
from integrations.api.models import ApiKey
from integrations.webhooks import sending
from integrations.webhooks.models import WebhookSubscription
from tests.integrations.webhooks.test_api import SUBSCRIPTIONS, client_with_key, client_with_token

pytestmark = pytest.mark.django_db

EVIL = "https://evil.example.com/x"


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hooks_only(partner):
    return client_with_key(partner, grants=[WEBHOOKS_MANAGE])


def _detail(response):
    return response.json()["detail"]


def test_a_key_with_only_webhooks_manage_cannot_redirect_the_placement_stream(hooks_only, subscription):
    url = f"{SUBSCRIPTIONS}{subscription.pk}/"
    made = hooks_only.post(SUBSCRIPTIONS, {"url": EVIL, "topics": ["placement.started"]}, format="json")
    assert made.status_code == 403
    changed = hooks_only.patch(url, {"url": EVIL}, format="json")
    assert changed.status_code == 403 and "placements:read" in _detail(changed)
    assert changed["Content-Type"].startswith("application/problem+json")
    described = hooks_only.patch(url, {"description": "mine now"}, format="json")
    assert described.status_code == 403
    rotated = hooks_only.post(f"{url}rotate-secret/")
    assert rotated.status_code == 403 and "secret" not in rotated.json()
    assert "placements:read" in _detail(rotated)
    after = WebhookSubscription.objects.get(pk=subscription.pk)
    assert after.url == subscription.url and after.secret == subscription.secret
    assert after.description == subscription.description


def test_it_may_pause_but_not_enable_again(hooks_only, subscription):
    url = f"{SUBSCRIPTIONS}{subscription.pk}/"
    assert hooks_only.post(f"{url}disable/").status_code == 200
    enabled = hooks_only.post(f"{url}enable/")
    assert enabled.status_code == 403 and "placements:read" in _detail(enabled)
    assert WebhookSubscription.objects.get(pk=subscription.pk).is_active is False


def test_the_missing_grant_is_named_for_each_area(partner, subscription):
    # Grants placements and support, not benefits: the subscription carries benefits topics.
    key = client_with_key(partner, grants=[WEBHOOKS_MANAGE, "placements:read", "support:read"])
    assert "benefits.step_changed" in subscription.topics
    changed = key.patch(f"{SUBSCRIPTIONS}{subscription.pk}/", {"url": EVIL}, format="json")
    assert changed.status_code == 403 and "benefits:read" in _detail(changed)
    assert "placements:read" not in _detail(changed)
    # Narrowing the topics to what it grants is allowed (as subscribing to them would be).
    narrowed = key.patch(f"{SUBSCRIPTIONS}{subscription.pk}/", {"topics": ["placement.started"]}, format="json")
    assert narrowed.status_code == 200


def test_a_key_granting_every_topic_still_changes_rotates_and_enables(partner, subscription, receiver):
    key = client_with_key(partner)
    url = f"{SUBSCRIPTIONS}{subscription.pk}/"
    assert key.patch(url, {"url": receiver.url + "v2"}, format="json").status_code == 200
    rotated = key.post(f"{url}rotate-secret/")
    assert rotated.status_code == 200 and rotated.json()["secret"].startswith("whsec_")
    assert key.post(f"{url}disable/").status_code == 200
    assert key.post(f"{url}enable/").status_code == 200


def test_program_admins_manage_as_before(program_admin, subscription, partner_key):
    # Even when no key of the partner grants the topics any more.
    partner_key.revoked_at = partner_key.created_at
    partner_key.save()
    admin = client_with_token(program_admin)
    url = f"{SUBSCRIPTIONS}{subscription.pk}/"
    assert admin.patch(url, {"url": "https://hooks.example.org/ips"}, format="json").status_code == 200
    assert admin.post(f"{url}rotate-secret/").status_code == 200
    assert admin.post(f"{url}disable/").status_code == 200
    assert admin.post(f"{url}enable/").status_code == 200


def test_deliveries_go_while_any_usable_key_of_the_partner_grants_the_topic(subscription, partner, partner_key, nadia):
    # The documented rule: the grant is the partner's (any usable key), not the key's
    # that made the subscription. A second key granting placements keeps the stream going.
    ApiKey.issue(partner=partner, name="hooks", grants=[WEBHOOKS_MANAGE])[0].save()
    second, _plaintext = ApiKey.issue(partner=partner, name="reader", grants=["placements:read"])
    second.save()
    partner_key.revoked_at = partner_key.created_at
    partner_key.save()
    assert sending.may_receive(subscription, "placement.started", nadia.pk)
    assert sending.why_not_received(subscription, "placement.started", nadia.pk) == ""
    second.revoked_at = second.created_at
    second.save()
    assert not sending.may_receive(subscription, "placement.started", nadia.pk)
    assert "placements:read" in sending.why_not_received(subscription, "placement.started", nadia.pk)
