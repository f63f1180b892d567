"""The program admins' delivery-log page: every partner's subscriptions and their
state, the notice of a disabled one, recent deliveries with attempts, re-enabling with
replay. Other roles get 404."""

import pytest
from django.urls import reverse

from integrations.webhooks import sending
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.integrations.webhooks.conftest import dispatch_pending
from tests.integrations.webhooks.test_delivery import offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(subscription, receiver, specialist_sam, nadia, bakery):
    receiver.script(500)
    offer(specialist_sam, nadia, bakery)
    dispatch_pending()
    delivery = WebhookDelivery.objects.get()
    sending.deliver(delivery.pk)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        is_active=False, disabled_reason=WebhookSubscription.DisabledReason.FAILING
    )
    sending.hold(subscription)
    return delivery


def test_program_admins_see_subscriptions_the_disabled_notice_and_attempts(client_for, program_admin, failing):
    page = client_for(program_admin).get(reverse("webhook_log"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Disabled because deliveries kept failing" in text
    assert "CMP Marseille Centre" in text
    assert failing.webhook_id in text and "HTTP 500" in text
    filtered = client_for(program_admin).get(reverse("webhook_log"), {"status": "succeeded"})
    assert failing.webhook_id not in filtered.content.decode()


def test_enabling_replays_what_was_missed(client_for, program_admin, failing, receiver):
    response = client_for(program_admin).post(reverse("webhook_enable", args=[failing.subscription_id]), follow=True)
    assert "1 missed delivery is sent again" in response.content.decode()
    failing.refresh_from_db()
    assert failing.status == WebhookDelivery.Status.PENDING and failing.next_attempt_at is not None
    assert sending.deliver(failing.pk).succeeded


def test_pausing(client_for, program_admin, subscription):
    client_for(program_admin).post(reverse("webhook_disable", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_reason == "by_program"


def test_other_roles_get_404(client_for, specialist_sam, leader_a, subscription):
    for user in (specialist_sam, leader_a):
        client = client_for(user)
        assert client.get(reverse("webhook_log")).status_code == 404
        assert client.post(reverse("webhook_enable", args=[subscription.pk])).status_code == 404


def test_another_programs_admin_sees_nothing_of_ours(client_for, subscription, other_organisation):
    from crm.models import User
    from tests.factories import UserFactory

    lyon_admin = UserFactory(organisation=other_organisation, role=User.Role.PROGRAM_ADMIN)
    client = client_for(lyon_admin)
    assert subscription.url not in client.get(reverse("webhook_log")).content.decode()
    assert client.post(reverse("webhook_enable", args=[subscription.pk])).status_code == 404


def test_a_subscription_filter_beyond_any_id_shows_every_delivery(client, program_admin):
    client.force_login(program_admin)
    for value in ("9223372036854775808", "-1", "²", "1e3"):
        assert client.get("/partners/webhooks/", {"subscription": value}).status_code == 200
