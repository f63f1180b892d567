"""The "Sharing with partners" section of a job seeker's page (crm.consent_views) and
the benefits counsellor on the placement page: who reads, who records and withdraws,
refusals that change nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import SharingConsent
from placements.models import BenefitsStep
from tests.factories import JobSeekerFactory, PartnerFactory, PlacementFactory, SharingConsentFactory


@pytest.fixture
def nadia(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, first_name="Nadia")


@pytest.fixture
def cmp(organisation, specialist_sam):
    return PartnerFactory(organisation=organisation, name="Centre médico-psychologique", referrals_to=specialist_sam)


@pytest.fixture
def lyon_partner(other_organisation, specialist_louis):
    return PartnerFactory(organisation=other_organisation, name="CMP de Lyon", referrals_to=specialist_louis)


def consent_data(partner, **overrides):
    today = timezone.localdate()
    data = {
        "consent-partner": partner.pk,
        "consent-shares_progress": "on",
        "consent-consented_by": "Nadia herself",
        "consent-consented_on": today.isoformat(),
        "consent-valid_until": (today + datetime.timedelta(days=365)).isoformat(),
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def section(client, job_seeker):
    return client.get(reverse("job_seeker_sharing", args=[job_seeker.pk]), HTTP_HX_REQUEST="true")


class TestTheSection:
    def test_the_job_seeker_page_loads_it_in_place(self, client_for, specialist_sam, nadia):
        page = client_for(specialist_sam).get(reverse("job_seeker_detail", args=[nadia.pk])).content.decode()
        assert f'hx-get="{reverse("job_seeker_sharing", args=[nadia.pk])}"' in page

    @pytest.mark.parametrize("who", ["specialist_sam", "leader_a", "program_admin"])
    def test_editors_see_the_list_and_the_form(self, client_for, request, nadia, cmp, who):
        SharingConsentFactory(job_seeker=nadia, partner=cmp, consented_by="Nadia herself", shares_benefits=True)
        response = section(client_for(request.getfixturevalue(who)), nadia)
        page = response.content.decode()
        assert response.status_code == 200 and "<html" not in page
        assert "Centre médico-psychologique" in page and "Nadia herself" in page
        assert "Job search and jobs, benefits counselling" in page
        assert response.context["consent_form"] is not None
        assert reverse("sharing_withdraw", args=[nadia.pk, nadia.sharing_consents.get().pk]) in page

    def test_a_reader_sees_the_list_only(self, client_for, specialist_sofia, nadia, cmp):
        consent = SharingConsentFactory(job_seeker=nadia, partner=cmp)
        response = section(client_for(specialist_sofia), nadia)
        page = response.content.decode()
        assert response.status_code == 200 and "Centre médico-psychologique" in page
        assert response.context["consent_form"] is None and 'method="post"' not in page.split("</table>")[-1]
        assert reverse("sharing_withdraw", args=[nadia.pk, consent.pk]) not in page

    @pytest.mark.parametrize("who", ["specialist_bob", "specialist_louis"])
    def test_outside_the_caseload_it_is_404(self, client_for, request, nadia, cmp, who):
        SharingConsentFactory(job_seeker=nadia, partner=cmp)
        assert section(client_for(request.getfixturevalue(who)), nadia).status_code == 404

    def test_without_htmx_it_is_a_page(self, client_for, specialist_sam, nadia, cmp):
        page = client_for(specialist_sam).get(reverse("job_seeker_sharing", args=[nadia.pk])).content.decode()
        assert "<html" in page and "Sharing with partners" in page

    def test_the_referring_partner_is_named(self, client_for, specialist_sam, cmp, specialist_sofia):
        referred = JobSeekerFactory(specialist=specialist_sam, referred_by_partner=cmp)
        for user in (specialist_sam, specialist_sofia):
            assert "Referred by Centre médico-psychologique" in section(client_for(user), referred).content.decode()

    def test_states_in_words(self, client_for, specialist_sam, nadia, cmp, program_admin):
        today = timezone.localdate()
        SharingConsentFactory(
            job_seeker=nadia,
            partner=cmp,
            consented_on=today - datetime.timedelta(days=60),
            valid_until=today - datetime.timedelta(days=1),
        )
        SharingConsentFactory(job_seeker=nadia, partner=cmp, withdrawn_at=timezone.now(), withdrawn_by=program_admin)
        page = section(client_for(specialist_sam), nadia).content.decode()
        assert "Expired" in page and "Withdrawn on" in page and "Ada" in page

    def test_only_the_program_s_active_partners_are_offered(self, client_for, specialist_sam, nadia, cmp, lyon_partner):
        retired = PartnerFactory(organisation=cmp.organisation, name="Ancien partenaire", is_active=False)
        form = section(client_for(specialist_sam), nadia).context["consent_form"]
        assert list(form.fields["partner"].queryset) == [cmp]
        assert retired not in form.fields["partner"].queryset


def test_the_section_query_count_is_bounded(
    client_for, specialist_sam, nadia, organisation, django_assert_max_num_queries
):
    for number in range(10):
        SharingConsentFactory(job_seeker=nadia, partner=PartnerFactory(organisation=organisation, name=f"P{number}"))
    client = client_for(specialist_sam)
    with django_assert_max_num_queries(12):
        assert section(client, nadia).status_code == 200


class TestRecording:
    def test_record_a_consent(self, client_for, specialist_sam, nadia, cmp):
        response = client_for(specialist_sam).post(reverse("job_seeker_sharing", args=[nadia.pk]), consent_data(cmp))
        assert response.status_code == 302 and response.url.endswith("#sharing")
        consent = SharingConsent.objects.get()
        assert (consent.partner, consent.job_seeker, consent.recorded_by, consent.consented_by) == (
            cmp,
            nadia,
            specialist_sam,
            "Nadia herself",
        )
        assert (consent.shares_progress, consent.shares_support, consent.shares_benefits) == (True, False, False)

    @pytest.mark.parametrize(
        ("bad", "message"),
        [
            ({"consent-shares_progress": None}, "Choose at least one thing the person agrees to share."),
            ({"consent-valid_until": "2020-01-01"}, "The end date is before the date consent was given."),
            ({"consent-consented_on": "9999-12-31"}, ""),
            ({"consent-consented_by": ""}, ""),
            ({"consent-partner": "2" * 30}, ""),
        ],
    )
    def test_refusals_show_why_and_save_nothing(self, client_for, specialist_sam, nadia, cmp, bad, message):
        response = client_for(specialist_sam).post(
            reverse("job_seeker_sharing", args=[nadia.pk]), consent_data(cmp, **bad)
        )
        assert response.status_code == 200
        assert response.context["consent_form"].errors
        assert message in response.content.decode()
        assert not SharingConsent.objects.exists()

    def test_another_program_s_partner_is_refused(self, client_for, specialist_sam, nadia, lyon_partner):
        response = client_for(specialist_sam).post(
            reverse("job_seeker_sharing", args=[nadia.pk]), consent_data(lyon_partner)
        )
        assert response.status_code == 200 and response.context["consent_form"].errors["partner"]
        assert not SharingConsent.objects.exists()

    def test_an_inactive_partner_is_refused(self, client_for, specialist_sam, nadia, cmp):
        cmp.is_active = False
        cmp.save()
        response = client_for(specialist_sam).post(reverse("job_seeker_sharing", args=[nadia.pk]), consent_data(cmp))
        assert response.status_code == 200 and response.context["consent_form"].errors["partner"]
        assert not SharingConsent.objects.exists()

    @pytest.mark.parametrize("who", ["specialist_sofia", "specialist_bob", "specialist_louis"])
    def test_those_who_may_not_edit_get_404(self, client_for, request, nadia, cmp, who):
        client = client_for(request.getfixturevalue(who))
        response = client.post(reverse("job_seeker_sharing", args=[nadia.pk]), consent_data(cmp))
        assert response.status_code == 404
        assert not SharingConsent.objects.exists()


class TestWithdrawing:
    def test_confirm_then_withdraw(self, client_for, specialist_sam, nadia, cmp):
        consent = SharingConsentFactory(job_seeker=nadia, partner=cmp)
        client = client_for(specialist_sam)
        url = reverse("sharing_withdraw", args=[nadia.pk, consent.pk])
        confirm = client.get(url)
        assert confirm.status_code == 200 and "Withdraw the consent" in confirm.content.decode()
        consent.refresh_from_db()
        assert consent.withdrawn_at is None  # asking is not withdrawing
        response = client.post(url)
        assert response.status_code == 302
        consent.refresh_from_db()
        assert consent.withdrawn_at is not None and consent.withdrawn_by == specialist_sam

    def test_withdrawing_twice_changes_nothing(self, client_for, specialist_sam, nadia, cmp, leader_a):
        when = timezone.now() - datetime.timedelta(days=3)
        consent = SharingConsentFactory(job_seeker=nadia, partner=cmp, withdrawn_at=when, withdrawn_by=leader_a)
        assert (
            client_for(specialist_sam).post(reverse("sharing_withdraw", args=[nadia.pk, consent.pk])).status_code == 302
        )
        consent.refresh_from_db()
        assert (consent.withdrawn_at, consent.withdrawn_by) == (when, leader_a)

    @pytest.mark.parametrize("who", ["specialist_sofia", "specialist_bob", "specialist_louis"])
    def test_those_who_may_not_edit_get_404(self, client_for, request, nadia, cmp, who):
        consent = SharingConsentFactory(job_seeker=nadia, partner=cmp)
        client = client_for(request.getfixturevalue(who))
        url = reverse("sharing_withdraw", args=[nadia.pk, consent.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        consent.refresh_from_db()
        assert consent.withdrawn_at is None

    def test_a_consent_of_another_person_is_404(self, client_for, specialist_sam, nadia, cmp):
        other = SharingConsentFactory(job_seeker=JobSeekerFactory(specialist=specialist_sam), partner=cmp)
        assert (
            client_for(specialist_sam).post(reverse("sharing_withdraw", args=[nadia.pk, other.pk])).status_code == 404
        )
        other.refresh_from_db()
        assert other.withdrawn_at is None


def test_the_section_renders_in_french(client_for, specialist_sam, nadia, cmp):
    SharingConsentFactory(job_seeker=nadia, partner=cmp)
    client = client_for(specialist_sam)
    client.cookies["django_language"] = "fr"
    response = client.get(reverse("job_seeker_sharing", args=[nadia.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and '<html lang="fr">' in page and "Centre médico-psychologique" in page
    consent = nadia.sharing_consents.get()
    assert client.get(reverse("sharing_withdraw", args=[nadia.pk, consent.pk])).status_code == 200


# The benefits counsellor on the placement page ----------------------------------------


@pytest.fixture
def step(nadia):
    placement = PlacementFactory(job_seeker=nadia)
    return BenefitsStep.objects.create(
        organisation=nadia.organisation,
        job_seeker=nadia,
        placement=placement,
        reason="before_start",
        offered_on=timezone.localdate(),
    )


@pytest.fixture
def counselling(organisation):
    return PartnerFactory(organisation=organisation, name="Conseil Prestations", kind="benefits_counselling")


class TestBenefitsCounsellor:
    def url(self, step):
        return reverse("benefits_counsellor", args=[step.placement_id, step.pk])

    def test_the_page_shows_the_counsellor_and_offers_the_choice(self, client_for, specialist_sam, step, counselling):
        step.counsellor = counselling
        step.save()
        response = client_for(specialist_sam).get(reverse("placement_detail", args=[step.placement_id]))
        page = response.content.decode()
        assert "Benefits counsellor: Conseil Prestations" in page
        assert f'action="{self.url(step)}"' in page

    def test_a_reader_sees_it_without_the_form(self, client_for, specialist_sofia, step, counselling):
        page = client_for(specialist_sofia).get(reverse("placement_detail", args=[step.placement_id])).content.decode()
        assert "Benefits counsellor: nobody outside the team" in page
        assert self.url(step) not in page

    def test_assign_then_unassign(self, client_for, specialist_sam, step, counselling):
        client = client_for(specialist_sam)
        assert client.post(self.url(step), {f"benc{step.pk}-counsellor": counselling.pk}).status_code == 302
        step.refresh_from_db()
        assert step.counsellor == counselling
        assert client.post(self.url(step), {f"benc{step.pk}-counsellor": ""}).status_code == 302
        step.refresh_from_db()
        assert step.counsellor is None

    @pytest.mark.parametrize("value", ["lyon", "2" * 30, "²"])
    def test_a_partner_not_offered_is_refused(self, client_for, specialist_sam, step, lyon_partner, value):
        value = lyon_partner.pk if value == "lyon" else value
        response = client_for(specialist_sam).post(self.url(step), {f"benc{step.pk}-counsellor": value})
        assert response.status_code == 200 and response.context["benefits_counsellor_form"].errors
        step.refresh_from_db()
        assert step.counsellor is None

    @pytest.mark.parametrize("who", ["specialist_sofia", "specialist_louis"])
    def test_those_who_may_not_edit_get_404(self, client_for, request, step, counselling, who):
        response = client_for(request.getfixturevalue(who)).post(
            self.url(step), {f"benc{step.pk}-counsellor": counselling.pk}
        )
        assert response.status_code == 404
        step.refresh_from_db()
        assert step.counsellor is None
