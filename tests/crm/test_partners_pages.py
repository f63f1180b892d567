"""The Partners pages (crm.partner_views): program admins list, add and change their
program's partner organisations; anyone else gets 404, as for every page not meant for
their role; another program's partner answers 404."""

import pytest
from django.urls import reverse

from crm.models import Partner
from tests.factories import JobSeekerFactory, PartnerFactory, SharingConsentFactory, UserFactory


@pytest.fixture
def partner(organisation, specialist_sam):
    return PartnerFactory(organisation=organisation, name="Centre médico-psychologique", referrals_to=specialist_sam)


@pytest.fixture
def other_partner(other_organisation, specialist_louis):
    return PartnerFactory(organisation=other_organisation, name="CMP de Lyon", referrals_to=specialist_louis)


@pytest.fixture
def other_admin(other_organisation):
    return UserFactory(username="olga", organisation=other_organisation, role="program_admin", is_staff=True)


def partner_data(**overrides):
    data = {"name": "Cap Emploi", "kind": "benefits_counselling", "referrals_to": "", "is_active": "on"}
    data.update(overrides)
    return data


class TestWhoSeesThePages:
    def test_program_admin_sees_the_program_s_partners_only(self, client_for, program_admin, partner, other_partner):
        page = client_for(program_admin).get(reverse("partner_list")).content.decode()
        assert "Centre médico-psychologique" in page
        assert "CMP de Lyon" not in page
        assert reverse("partner_api_keys", args=[partner.pk]) in page

    @pytest.mark.parametrize("who", ["specialist_sam", "leader_a"])
    @pytest.mark.parametrize("url", ["partner_list", "partner_create"])
    def test_others_get_404(self, client_for, request, partner, who, url):
        assert client_for(request.getfixturevalue(who)).get(reverse(url)).status_code == 404

    @pytest.mark.parametrize("who", ["specialist_sam", "leader_a", "other_admin"])
    def test_editing_is_404_but_for_the_program_admin(self, client_for, request, partner, who):
        client = client_for(request.getfixturevalue(who))
        assert client.get(reverse("partner_edit", args=[partner.pk])).status_code == 404
        response = client.post(reverse("partner_edit", args=[partner.pk]), partner_data(name="Renamed"))
        assert response.status_code == 404
        partner.refresh_from_db()
        assert partner.name == "Centre médico-psychologique"

    def test_a_specialist_cannot_add_a_partner(self, client_for, specialist_sam):
        assert client_for(specialist_sam).post(reverse("partner_create"), partner_data()).status_code == 404
        assert not Partner.objects.exists()

    def test_the_nav_link_is_for_program_admins(self, client_for, program_admin, specialist_sam, leader_a):
        url = reverse("partner_list")
        assert f'href="{url}"' in client_for(program_admin).get(reverse("job_seeker_list")).content.decode()
        for user in (specialist_sam, leader_a):
            assert f'href="{url}"' not in client_for(user).get(reverse("job_seeker_list")).content.decode()

    def test_the_list_counts_referred_and_shared(self, client_for, program_admin, partner, specialist_sam):
        JobSeekerFactory(specialist=specialist_sam, referred_by_partner=partner)
        shared = JobSeekerFactory(specialist=specialist_sam)
        SharingConsentFactory(job_seeker=shared, partner=partner)
        SharingConsentFactory(job_seeker=shared, partner=partner, shares_support=True)  # the same person once
        page = client_for(program_admin).get(reverse("partner_list"))
        row = next(p for p in page.context["partners"] if p.pk == partner.pk)
        assert (row.referred, row.shared) == (1, 1)

    def test_list_query_count_is_bounded(self, client_for, program_admin, organisation, django_assert_max_num_queries):
        for _ in range(15):
            PartnerFactory(organisation=organisation)
        client = client_for(program_admin)
        with django_assert_max_num_queries(10):
            assert client.get(reverse("partner_list")).status_code == 200


class TestAddAndChange:
    def test_add_a_partner(self, client_for, program_admin, specialist_sam):
        response = client_for(program_admin).post(
            reverse("partner_create"), partner_data(referrals_to=specialist_sam.pk)
        )
        assert response.status_code == 302
        partner = Partner.objects.get()
        assert (partner.name, partner.kind, partner.referrals_to, partner.is_active) == (
            "Cap Emploi",
            "benefits_counselling",
            specialist_sam,
            True,
        )
        assert partner.organisation_id == program_admin.organisation_id

    def test_referrals_cannot_go_to_another_program(self, client_for, program_admin, specialist_louis):
        response = client_for(program_admin).post(
            reverse("partner_create"), partner_data(referrals_to=specialist_louis.pk)
        )
        assert response.status_code == 200 and response.context["form"].errors["referrals_to"]
        assert not Partner.objects.exists()

    def test_a_name_is_used_once_in_a_program(self, client_for, program_admin, partner):
        response = client_for(program_admin).post(
            reverse("partner_create"), partner_data(name="centre médico-psychologique")
        )
        assert response.status_code == 200
        assert "already has a partner organisation of this name" in response.content.decode()
        assert Partner.objects.count() == 1

    def test_another_program_may_use_the_same_name(self, client_for, other_admin, partner):
        response = client_for(other_admin).post(reverse("partner_create"), partner_data(name=partner.name))
        assert response.status_code == 302
        assert Partner.objects.filter(name=partner.name).count() == 2

    @pytest.mark.parametrize(
        "bad", [{"name": ""}, {"kind": "hospital"}, {"referrals_to": "2" * 30}, {"name": "x" * 201}, {"name": "a\x00b"}]
    )
    def test_bad_input_changes_nothing(self, client_for, program_admin, partner, bad):
        response = client_for(program_admin).post(reverse("partner_edit", args=[partner.pk]), partner_data(**bad))
        assert response.status_code == 200 and response.context["form"].errors
        partner.refresh_from_db()
        assert (partner.name, partner.kind, partner.is_active) == (
            "Centre médico-psychologique",
            "mental_health_team",
            True,
        )

    def test_change_and_deactivate(self, client_for, program_admin, partner, leader_a):
        response = client_for(program_admin).post(
            reverse("partner_edit", args=[partner.pk]),
            {"name": "CMP Nord", "kind": "mental_health_team", "referrals_to": leader_a.pk},
        )
        assert response.status_code == 302
        partner.refresh_from_db()
        assert (partner.name, partner.referrals_to, partner.is_active) == ("CMP Nord", leader_a, False)

    def test_the_form_offers_the_program_s_specialists(
        self, client_for, program_admin, specialist_sam, specialist_louis
    ):
        form = client_for(program_admin).get(reverse("partner_create")).context["form"]
        offered = set(form.fields["referrals_to"].queryset)
        assert specialist_sam in offered and specialist_louis not in offered


def test_the_partners_page_renders_in_french(client_for, program_admin, partner):
    client = client_for(program_admin)
    client.cookies["django_language"] = "fr"
    response = client.get(reverse("partner_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in page and "Demandeurs d'emploi" in page
    assert "Centre médico-psychologique" in page
    assert client.get(reverse("partner_edit", args=[partner.pk])).status_code == 200
