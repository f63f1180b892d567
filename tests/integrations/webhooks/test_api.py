"""/api/v1/webhooks/: subscriptions (CRUD, rotate, enable with replay, disable) and the
delivery log, for a partner key, another partner, a key without the grant, program
admins and other staff."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from integrations.api.models import ApiKey, PersonalToken
from integrations.webhooks import sending
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.factories import OrganisationFactory, PartnerFactory
from tests.integrations.webhooks.conftest import ALL_READ, dispatch_pending
from tests.integrations.webhooks.test_delivery import offer

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/api/v1/webhooks/subscriptions/"
DELIVERIES = "/api/v1/webhooks/deliveries/"


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def client_with_key(partner, grants=ALL_READ):
    key, plaintext = ApiKey.issue(partner=partner, name="test", grants=list(grants))
    key.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def client_with_token(user):
    token, plaintext = PersonalToken.issue(user=user, name="test")
    token.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def partner_api(partner, consent):
    return client_with_key(partner)


def subscribe(client, url, topics=("placement.started", "placement.offer_accepted"), **extra):
    return client.post(SUBSCRIPTIONS, {"url": url, "topics": list(topics), **extra}, format="json")


def test_a_partner_subscribes_and_sees_the_secret_once(partner_api, receiver, partner):
    created = subscribe(partner_api, receiver.url, description="CMS")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["partner_id"] == partner.pk
    assert created["Location"].endswith(f"{SUBSCRIPTIONS}{body['id']}/")
    read = partner_api.get(f"{SUBSCRIPTIONS}{body['id']}/")
    assert read.status_code == 200 and "secret" not in read.json() and read.has_header("ETag")
    listed = partner_api.get(SUBSCRIPTIONS).json()
    assert [s["id"] for s in listed["results"]] == [body["id"]]
    assert "whsec_" not in str(listed) and "secret" not in listed["results"][0]


def test_topics_are_limited_by_the_keys_grants(partner, receiver):
    client = client_with_key(partner, grants=["webhooks:manage", "placements:read"])
    refused = subscribe(client, receiver.url, topics=["placement.started", "benefits.step_changed"])
    assert refused.status_code == 403
    assert "benefits:read" in str(refused.json())
    assert subscribe(client, receiver.url, topics=["placement.started"]).status_code == 201
    unknown = subscribe(client, receiver.url, topics=["employer_contact.held"])
    assert unknown.status_code == 400


def test_without_the_grant_403_and_another_partners_subscription_404(partner, partner_api, receiver, organisation):
    mine = subscribe(partner_api, receiver.url).json()
    no_grant = client_with_key(partner, grants=["placements:read"])
    assert no_grant.get(SUBSCRIPTIONS).status_code == 403
    assert no_grant.get(DELIVERIES).status_code == 403
    other = client_with_key(PartnerFactory(organisation=organisation))
    assert other.get(f"{SUBSCRIPTIONS}{mine['id']}/").status_code == 404
    assert other.patch(f"{SUBSCRIPTIONS}{mine['id']}/", {"description": "x"}, format="json").status_code == 404
    assert other.post(f"{SUBSCRIPTIONS}{mine['id']}/rotate-secret/").status_code == 404
    assert other.delete(f"{SUBSCRIPTIONS}{mine['id']}/").status_code == 404
    assert other.get(SUBSCRIPTIONS).json()["results"] == []
    assert APIClient().get(SUBSCRIPTIONS).status_code == 401


def test_an_http_or_private_url_is_refused_outside_development(partner_api, settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    for url in ("http://hooks.example.org/", "https://10.0.0.1/", "https://[::1]/x"):
        response = subscribe(partner_api, url)
        assert response.status_code == 400, url
        assert response["Content-Type"].startswith("application/problem+json")


def test_update_with_if_match_rotate_disable_enable_and_delete(partner_api, receiver):
    created = subscribe(partner_api, receiver.url).json()
    url = f"{SUBSCRIPTIONS}{created['id']}/"
    etag = partner_api.get(url)["ETag"]
    stale = partner_api.patch(url, {"topics": ["placement.ended"]}, format="json", HTTP_IF_MATCH='"stale"')
    assert stale.status_code == 412
    changed = partner_api.patch(url, {"topics": ["placement.ended"]}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["topics"] == ["placement.ended"]
    rotated = partner_api.post(f"{url}rotate-secret/").json()
    assert rotated["secret"] != created["secret"] and rotated["secret_rotation_ends_at"]
    subscription = WebhookSubscription.objects.get()
    assert subscription.signing_secrets() == [rotated["secret"], created["secret"]]
    paused = partner_api.post(f"{url}disable/").json()
    assert paused["is_active"] is False and paused["disabled_reason"] == "by_partner"
    enabled = partner_api.post(f"{url}enable/").json()
    assert enabled["subscription"]["is_active"] is True and enabled["replayed"] == 0
    assert partner_api.delete(url).status_code == 204
    assert not WebhookSubscription.objects.exists()


def test_the_delivery_log_with_attempts_filters_and_no_payload(
    partner_api, receiver, specialist_sam, nadia, bakery, organisation
):
    subscription_id = subscribe(partner_api, receiver.url).json()["id"]
    receiver.script(503)
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    sending.deliver(delivery.pk)
    log = partner_api.get(DELIVERIES, {"subscription": subscription_id}).json()["results"]
    assert len(log) == 1
    entry = log[0]
    assert entry["webhook_id"] == delivery.webhook_id and entry["status"] == "failed"
    assert entry["attempt_log"][0]["status_code"] == 503
    assert "payload" not in entry and "job_seeker_id" not in entry
    assert partner_api.get(DELIVERIES, {"status": "succeeded"}).json()["results"] == []
    assert partner_api.get(f"{DELIVERIES}{delivery.pk}/").status_code == 200
    other = client_with_key(PartnerFactory(organisation=organisation))
    assert other.get(f"{DELIVERIES}{delivery.pk}/").status_code == 404
    assert other.get(DELIVERIES).json()["results"] == []


def test_program_admins_see_and_manage_every_partners_subscriptions(
    partner_api, partner, receiver, program_admin, specialist_sam, specialist_louis
):
    subscribe(partner_api, receiver.url)
    admin = client_with_token(program_admin)
    assert len(admin.get(SUBSCRIPTIONS).json()["results"]) == 1
    # For a partner: limited by what the partner's keys grant.
    created = subscribe(admin, receiver.url, topics=["benefits.step_changed"], partner_id=partner.pk)
    assert created.status_code == 201 and created.json()["partner_id"] == partner.pk
    assert subscribe(admin, receiver.url).status_code == 403  # staff own none: for which partner?
    assert subscribe(admin, receiver.url, partner_id="1").status_code == 400  # a string is not an id
    # A specialist sees no subscription and may not create one; another program's admin neither.
    specialist = client_with_token(specialist_sam)
    assert specialist.get(SUBSCRIPTIONS).json()["results"] == []
    assert subscribe(specialist, receiver.url, partner_id=partner.pk).status_code == 403
    lyon = client_with_token(specialist_louis)
    assert lyon.get(SUBSCRIPTIONS).json()["results"] == []


def test_a_partner_named_in_the_body_must_be_the_callers_own(partner_api, partner, receiver, organisation):
    from crm.models import User
    from tests.factories import UserFactory

    other = PartnerFactory(organisation=organisation)
    assert subscribe(partner_api, receiver.url, partner_id=other.pk).status_code == 404
    assert subscribe(partner_api, receiver.url, partner_id=partner.pk).status_code == 201
    lyon_admin = UserFactory(organisation=OrganisationFactory(slug="lyon-h3"), role=User.Role.PROGRAM_ADMIN)
    refused = subscribe(client_with_token(lyon_admin), receiver.url, partner_id=partner.pk)
    assert refused.status_code == 400 and "partner_id" in refused.json()["errors"]


def test_the_schema_describes_the_webhook_endpoints(partner_api):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code in (401, 403):
        schema = partner_api.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/v1/webhooks/subscriptions/",
        "/api/v1/webhooks/subscriptions/{id}/rotate-secret/",
        "/api/v1/webhooks/subscriptions/{id}/enable/",
        "/api/v1/webhooks/deliveries/",
    ):
        assert path in text, path


def test_list_endpoints_use_a_constant_number_of_queries(partner_api, receiver, specialist_sam, bakery, partner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import JobSeekerFactory, SharingConsentFactory

    def counts():
        partner_api.get(SUBSCRIPTIONS)  # warm the key's last-used time and the throttle
        result = []
        for url in (SUBSCRIPTIONS, DELIVERIES):
            with CaptureQueriesContext(connection) as queries:
                assert partner_api.get(url).status_code == 200
            result.append(len(queries))
        return result

    def one_more():
        subscribe(partner_api, receiver.url)
        person = JobSeekerFactory(specialist=specialist_sam)
        SharingConsentFactory(job_seeker=person, partner=partner)
        offer(specialist_sam, person, bakery)
        dispatch_pending()
        for delivery in WebhookDelivery.objects.filter(attempts=0):
            sending.deliver(delivery.pk)

    one_more()
    few = counts()
    one_more()
    one_more()
    assert counts() == few


def test_input_types_are_strict(partner_api, receiver):
    for body in (
        {"url": receiver.url, "topics": ["placement.started"], "description": 0},
        {"url": 5, "topics": ["placement.started"]},
        {"url": receiver.url, "topics": "placement.started"},
        {"url": receiver.url, "topics": []},
    ):
        assert partner_api.post(SUBSCRIPTIONS, body, format="json").status_code == 400, body
