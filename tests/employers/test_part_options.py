"""The <option>s of a form's Site and Contact person lists for one employer (issue 12),
and the employer list answering a boosted request (the import's confirmation) with
the whole page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from employers.models import Employer
from tests.factories import ContactPersonFactory, EmployerFactory, EmployerSiteFactory

HUGE = 2**63


@pytest.fixture
def employer(specialist_sam):
    return EmployerFactory(organisation=specialist_sam.organisation, name="Hôtel Belle-Vue")


@pytest.fixture
def sam(client_for, specialist_sam):
    return client_for(specialist_sam)


def options(client, part, **params):
    return client.get(reverse("employer_part_options", args=[part]), params)


class TestPartOptions:
    def test_the_employers_sites_in_name_order_after_a_none_option(self, sam, specialist_sam, employer):
        gare = EmployerSiteFactory(employer=employer, name="Gare", address="2 rue de la Gare")
        plage = EmployerSiteFactory(employer=employer, name="Plage", address="5 plage des Catalans")
        EmployerSiteFactory(employer=EmployerFactory(organisation=specialist_sam.organisation), name="Ailleurs")
        response = options(sam, "site", employer=employer.pk)
        assert response.status_code == 200
        assert response.content.decode() == (
            '<option value="">—</option>'
            f'<option value="{gare.pk}">Gare, 2 rue de la Gare, 13002 Marseille</option>'
            f'<option value="{plage.pk}">Plage, 5 plage des Catalans, 13002 Marseille</option>'
        )

    def test_the_employers_people_and_the_current_choice_kept(self, sam, specialist_sam, employer):
        claire = ContactPersonFactory(employer=employer, name="Claire Martin", role="Gérante")
        ContactPersonFactory(employer=EmployerFactory(organisation=specialist_sam.organisation), name="Louis Garnier")
        response = options(sam, "contact_person", employer=employer.pk, contact_person=claire.pk)
        assert response.content.decode() == (
            f'<option value="">—</option><option value="{claire.pk}" selected>Claire Martin (Gérante)</option>'
        )

    def test_names_are_escaped(self, sam, employer):
        EmployerSiteFactory(employer=employer, name="<b>Quai</b>", address="1 quai")
        assert "&lt;b&gt;Quai&lt;/b&gt;" in options(sam, "site", employer=employer.pk).content.decode()

    @pytest.mark.parametrize("params", [{}, {"employer": ""}, {"employer": "  "}])
    def test_no_employer_asks_for_one(self, sam, params):
        response = options(sam, "site", **params)
        assert response.status_code == 200
        assert response.content.decode() == '<option value="">Choose the employer first</option>'

    def test_another_programs_employer_answers_404(self, sam, specialist_louis):
        foreign = EmployerFactory(organisation=specialist_louis.organisation)
        EmployerSiteFactory(employer=foreign)
        assert options(sam, "site", employer=foreign.pk).status_code == 404
        assert options(sam, "contact_person", employer=foreign.pk).status_code == 404

    def test_an_unknown_employer_answers_404(self, sam):
        assert options(sam, "site", employer=987654).status_code == 404

    @pytest.mark.parametrize("bad", ["abc", "1.5", "-3", "0", str(HUGE), "²", "1e3"])
    def test_an_employer_that_is_no_id_answers_400(self, sam, bad):
        assert options(sam, "site", employer=bad).status_code == 400

    def test_a_selected_value_that_is_no_id_is_ignored(self, sam, employer):
        site = EmployerSiteFactory(employer=employer)
        response = options(sam, "site", employer=employer.pk, site=str(HUGE))
        assert response.status_code == 200 and f'value="{site.pk}">' in response.content.decode()

    def test_an_unknown_part_answers_404(self, sam, employer):
        assert options(sam, "job_openings", employer=employer.pk).status_code == 404

    def test_only_get(self, sam, employer):
        assert sam.post(reverse("employer_part_options", args=["site"]), {"employer": employer.pk}).status_code == 405

    def test_outside_a_session_it_asks_to_log_in(self, client, employer):
        response = options(client, "site", employer=employer.pk)
        assert response.status_code == 302 and "/login/" in response.url

    def test_query_count_does_not_grow_with_the_sites(self, sam, employer, django_assert_max_num_queries):
        for number in range(30):
            EmployerSiteFactory(employer=employer, name=f"Site {number}")
        with django_assert_max_num_queries(6):
            response = options(sam, "site", employer=employer.pk)
        assert response.content.decode().count("<option") == 31


class TestEmployerListAfterABoostedForm:
    def test_the_filters_htmx_request_gets_the_rows(self, sam, employer):
        response = sam.get(reverse("employer_list"), HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "<html" not in response.content.decode()

    def test_a_boosted_request_gets_the_whole_page(self, sam, employer):
        response = sam.get(reverse("employer_list"), HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
        content = response.content.decode()
        assert "<html" in content and 'aria-label="Main"' in content

    @pytest.mark.parametrize("htmx", [False, True], ids=["plain", "boosted"])
    def test_the_import_confirmation_lands_on_the_whole_list_with_its_message(self, sam, htmx):
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_BOOSTED": "true"} if htmx else {}
        content = b"name,address,postcode,town\r\nBoulangerie du Port,1 quai du Port,13002,Marseille\r\n"
        preview = sam.post(
            reverse("employer_import"),
            {"file": SimpleUploadedFile("employers.csv", content, "text/csv")},
            **headers,
        )
        plan = preview.context["plan"]
        # The browser follows the redirect with the same htmx headers.
        response = sam.post(reverse("employer_import_confirm", args=[plan.pk]), follow=True, **headers)
        page = response.content.decode()
        assert response.redirect_chain == [(reverse("employer_list"), 302)]
        assert "<html" in page and 'aria-label="Main"' in page and "<h1>" in page
        assert "1 employer imported, with 1 site and 0 contact persons." in page
        assert Employer.objects.get().name == "Boulangerie du Port"
