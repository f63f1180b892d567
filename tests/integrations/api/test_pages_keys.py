"""The partner keys pages (integrations.api.views): program admins create a key, see it
once, list and revoke keys; anyone else gets 404, another program's partner 404."""

import datetime

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape

from integrations.api.grants import GRANTS
from integrations.api.models import ApiKey
from tests.factories import PartnerFactory, UserFactory


@pytest.fixture
def partner(organisation, specialist_sam):
    return PartnerFactory(organisation=organisation, name="Centre médico-psychologique", referrals_to=specialist_sam)


@pytest.fixture
def other_admin(other_organisation):
    return UserFactory(username="olga", organisation=other_organisation, role="program_admin", is_staff=True)


def key_data(**overrides):
    expires = timezone.localdate() + datetime.timedelta(days=90)
    data = {
        "name": "Referral system",
        "expires_on": expires.isoformat(),
        "grants": ["referrals:write", "jobseekers:read"],
    }
    data.update(overrides)
    return data


def create_key(client, partner, **overrides):
    return client.post(reverse("partner_api_key_create", args=[partner.pk]), key_data(**overrides))


class TestWhoManagesKeys:
    @pytest.mark.parametrize("who", ["specialist_sam", "leader_a", "other_admin"])
    def test_others_get_404(self, client_for, request, partner, who):
        client = client_for(request.getfixturevalue(who))
        assert client.get(reverse("partner_api_keys", args=[partner.pk])).status_code == 404
        assert client.get(reverse("partner_api_key_create", args=[partner.pk])).status_code == 404
        assert create_key(client, partner).status_code == 404
        assert not ApiKey.objects.exists()

    @pytest.mark.parametrize("who", ["specialist_sam", "leader_a", "other_admin"])
    def test_others_cannot_revoke(self, client_for, request, program_admin, partner, who):
        create_key(client_for(program_admin), partner)
        key = ApiKey.objects.get()
        client = client_for(request.getfixturevalue(who))
        url = reverse("partner_api_key_revoke", args=[partner.pk, key.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        key.refresh_from_db()
        assert key.revoked_at is None

    def test_the_form_offers_every_grant_with_its_description(self, client_for, program_admin, partner):
        page = client_for(program_admin).get(reverse("partner_api_key_create", args=[partner.pk])).content.decode()
        for grant, description in GRANTS.items():
            assert f'value="{grant}"' in page
            assert escape(str(description)) in page


class TestShownOnce:
    def test_the_key_is_shown_once_and_stored_hashed(self, client_for, program_admin, partner):
        client = client_for(program_admin)
        response = create_key(client, partner)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        plaintext = response.context["plaintext"]
        assert plaintext.startswith("ipsk_") and plaintext in response.content.decode()
        assert "shown only once" in response.content.decode()
        key = ApiKey.objects.get()
        assert (key.partner, key.name, sorted(key.grants), key.created_by) == (
            partner,
            "Referral system",
            ["jobseekers:read", "referrals:write"],
            program_admin,
        )
        # The database holds no plaintext, nor its secret part.
        secret = plaintext.split("_", 2)[2]  # the secret itself may hold "_"
        for value in ApiKey.objects.values().get().values():
            assert plaintext not in str(value) and secret not in str(value)
        # Never again.
        for url in (
            reverse("partner_api_keys", args=[partner.pk]),
            reverse("partner_api_key_create", args=[partner.pk]),
            reverse("partner_list"),
        ):
            again = client.get(url).content.decode()
            assert secret not in again
        assert key.masked in client.get(reverse("partner_api_keys", args=[partner.pk])).content.decode()

    def test_it_expires_at_the_end_of_the_chosen_day(self, client_for, program_admin, partner):
        day = timezone.localdate() + datetime.timedelta(days=10)
        create_key(client_for(program_admin), partner, expires_on=day.isoformat())
        key = ApiKey.objects.get()
        local = timezone.localtime(key.expires_at)
        assert (local.date(), local.time()) == (day + datetime.timedelta(days=1), datetime.time(0, 0))

    @pytest.mark.parametrize(
        "bad",
        [
            {"grants": []},
            {"grants": ["everything:write"]},
            {"name": ""},
            {"expires_on": "2001-01-01"},
            {"expires_on": "9999-12-31"},
            {"name": "x" * 121},
        ],
    )
    def test_refusals_create_nothing(self, client_for, program_admin, partner, bad):
        response = create_key(client_for(program_admin), partner, **bad)
        assert response.status_code == 200 and response.context["form"].errors
        assert "ipsk_" not in response.content.decode()
        assert not ApiKey.objects.exists()

    def test_an_inactive_partner_gets_no_key(self, client_for, program_admin, partner):
        partner.is_active = False
        partner.save()
        client = client_for(program_admin)
        assert (
            reverse("partner_api_key_create", args=[partner.pk])
            not in client.get(reverse("partner_api_keys", args=[partner.pk])).content.decode()
        )
        response = create_key(client, partner)
        assert response.status_code == 200 and "inactive" in response.content.decode()
        assert not ApiKey.objects.exists()

    def test_another_program_s_partner_is_404(self, client_for, other_admin, partner):
        assert create_key(client_for(other_admin), partner).status_code == 404


class TestList:
    def test_the_list_shows_each_key(self, client_for, program_admin, partner):
        client = client_for(program_admin)
        create_key(client, partner)
        key = ApiKey.objects.get()
        page = client.get(reverse("partner_api_keys", args=[partner.pk])).content.decode()
        assert "Referral system" in page and key.masked in page
        assert "referrals:write" in page and "jobseekers:read" in page
        assert reverse("partner_api_key_revoke", args=[partner.pk, key.pk]) in page

    def test_another_partner_s_keys_are_not_listed(self, client_for, program_admin, partner, organisation):
        other = PartnerFactory(organisation=organisation, name="Cap Emploi")
        client = client_for(program_admin)
        create_key(client, other, name="Cap's key")
        page = client.get(reverse("partner_api_keys", args=[partner.pk])).content.decode()
        assert "Cap&#x27;s key" not in page and "Cap's key" not in page

    def test_the_list_query_count_is_bounded(self, client_for, program_admin, partner, django_assert_max_num_queries):
        client = client_for(program_admin)
        for number in range(8):
            create_key(client, partner, name=f"key {number}")
        with django_assert_max_num_queries(10):
            assert client.get(reverse("partner_api_keys", args=[partner.pk])).status_code == 200


class TestRevoke:
    def test_confirm_then_revoke(self, client_for, program_admin, partner):
        admin = client_for(program_admin)
        plaintext = create_key(admin, partner).context["plaintext"]
        key = ApiKey.objects.get()
        api = Client()
        assert api_answer(api, plaintext) == 200
        client = admin
        url = reverse("partner_api_key_revoke", args=[partner.pk, key.pk])
        assert "Revoke the key" in client.get(url).content.decode()
        key.refresh_from_db()
        assert key.revoked_at is None
        assert client.post(url).status_code == 302
        key.refresh_from_db()
        assert key.revoked_at is not None
        page = client.get(reverse("partner_api_keys", args=[partner.pk])).content.decode()
        assert url not in page
        assert api_answer(api, plaintext) == 401

    def test_a_key_of_another_partner_is_404(self, client_for, program_admin, partner, organisation):
        other = PartnerFactory(organisation=organisation, name="Cap Emploi")
        client = client_for(program_admin)
        create_key(client, other)
        key = ApiKey.objects.get()
        assert client.post(reverse("partner_api_key_revoke", args=[partner.pk, key.pk])).status_code == 404
        key.refresh_from_db()
        assert key.revoked_at is None


def api_answer(api, plaintext) -> int:
    """The status of /api/v1/ asked with `plaintext` (skipped while the API does not exist)."""
    try:
        url = reverse("api:api-root")
    except NoReverseMatch:
        pytest.skip("/api/v1/ is not there yet")
    return api.get(url, HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code


def test_the_keys_pages_render_in_french(client_for, program_admin, partner):
    client = client_for(program_admin)
    client.cookies["django_language"] = "fr"
    for url in (reverse("partner_api_keys", args=[partner.pk]), reverse("partner_api_key_create", args=[partner.pk])):
        response = client.get(url)
        assert response.status_code == 200 and '<html lang="fr">' in response.content.decode()
    response = create_key(client, partner)
    assert response.status_code == 200 and response.context["plaintext"] in response.content.decode()
