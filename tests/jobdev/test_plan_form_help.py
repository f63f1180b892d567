"""The plan-a-visit form helps instead of defaulting wrong (issue 12): the nature of
the contact (first, second meeting, ongoing relationship) is suggested from the
employer's history and confirmed by the specialist, never preselected as a first
meeting; the site and person lists hold the chosen employer's only."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.access import access_scope
from jobdev import services
from jobdev.models import EmployerContact
from jobdev.selectors import nature_suggestion
from tests.factories import (
    ContactPersonFactory,
    EmployerContactFactory,
    EmployerFactory,
    EmployerSiteFactory,
    JobSeekerFactory,
)

DAY = "2026-03-04"


@pytest.fixture
def employer(specialist_sam):
    return EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")


@pytest.fixture
def other_employer(specialist_sam):
    return EmployerFactory(organisation=specialist_sam.organisation, name="Hôtel Belle-Vue")


@pytest.fixture
def job_seeker(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")


def held(employer, specialist, count):
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    for days_ago in range(1, count + 1):
        EmployerContactFactory(
            specialist=specialist,
            employer=employer,
            starts_at=start - datetime.timedelta(days=days_ago * 7),
            status="held",
        )


def plan_data(employer, job_seeker, **overrides):
    data = {
        "employer": employer.pk,
        "day": DAY,
        "start_time": "10:00",
        "end_time": "11:00",
        "mode": "in_person",
        "purpose": "on_behalf",
        "job_seekers": [job_seeker.pk],
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def selected_nature(response) -> str:
    return response.context["form"]["nature"].value() or ""


def hint(response) -> str:
    return str(response.context["form"].fields["nature"].help_text)


class TestTheSuggestion:
    @pytest.mark.parametrize("count, nature", [(0, "first"), (1, "second"), (2, "ongoing"), (20, "ongoing")], ids=str)
    def test_from_the_programs_held_contacts(self, specialist_sam, employer, count, nature):
        held(employer, specialist_sam, count)
        suggestion = nature_suggestion(access_scope(specialist_sam), employer.pk)
        assert (suggestion.nature, suggestion.held_contacts) == (nature, count)

    def test_planned_cancelled_and_no_show_contacts_do_not_count(self, specialist_sam, employer):
        for status in ("planned", "no_show"):
            EmployerContactFactory(specialist=specialist_sam, employer=employer, status=status)
        suggestion = nature_suggestion(access_scope(specialist_sam), employer.pk)
        assert (suggestion.nature, suggestion.held_contacts) == ("first", 0)

    def test_another_programs_employer_has_no_suggestion(self, specialist_sam, specialist_louis):
        foreign = EmployerFactory(organisation=specialist_louis.organisation)
        held(foreign, specialist_louis, 3)
        assert nature_suggestion(access_scope(specialist_sam), foreign.pk) is None

    def test_the_service_and_so_the_api_apply_it_when_no_nature_is_given(self, specialist_sam, employer):
        held(employer, specialist_sam, 1)
        start = timezone.now() + datetime.timedelta(days=2)
        common = {
            "scope": access_scope(specialist_sam),
            "employer_id": employer.pk,
            "ends_at": start + datetime.timedelta(hours=1),
            "purpose": "relationship",
        }
        assert services.employer_contact_plan(starts_at=start, **common).nature == "second"
        # An explicit value is kept, whatever the history says.
        later = start + datetime.timedelta(days=1)
        assert (
            services.employer_contact_plan(
                starts_at=later, **{**common, "ends_at": later + datetime.timedelta(hours=1)}, nature="first"
            ).nature
            == "first"
        )


class TestThePlanForm:
    def test_nothing_is_preselected_before_the_employer_is_known(self, client_for, specialist_sam, employer):
        response = client_for(specialist_sam).get(reverse("contact_plan"))
        assert response.status_code == 200
        assert selected_nature(response) == ""
        assert response.context["form"].fields["nature"].required
        assert "once you choose it" in hint(response)
        content = response.content.decode()
        assert 'id="nature-choice"' in content and 'hx-select="#nature-choice &gt; .field"' in content
        assert '<option value="first" selected>' not in content

    def test_an_employer_known_at_render_time_preselects_the_suggestion_with_its_reason(
        self, client_for, specialist_sam, employer
    ):
        held(employer, specialist_sam, 2)
        response = client_for(specialist_sam).get(reverse("contact_plan"), {"employer": employer.pk})
        assert selected_nature(response) == "ongoing"
        assert hint(response) == "Suggested from 2 earlier contacts with this employer: ongoing relationship."
        assert "Suggested from 2 earlier contacts with this employer: ongoing relationship." in html.unescape(
            response.content.decode()
        )

    def test_one_earlier_contact_reads_in_the_singular(self, client_for, specialist_sam, employer):
        held(employer, specialist_sam, 1)
        response = client_for(specialist_sam).get(reverse("contact_plan"), {"employer": employer.pk})
        assert (selected_nature(response), hint(response)) == (
            "second",
            "Suggested from 1 earlier contact with this employer: second meeting.",
        )

    def test_an_employer_never_met_suggests_a_first_meeting(self, client_for, specialist_sam, employer):
        response = client_for(specialist_sam).get(reverse("contact_plan"), {"employer": employer.pk})
        assert (selected_nature(response), hint(response)) == (
            "first",
            "No earlier contact with this employer: suggested first meeting.",
        )

    def test_another_programs_employer_in_the_address_suggests_nothing(
        self, client_for, specialist_sam, specialist_louis
    ):
        foreign = EmployerFactory(organisation=specialist_louis.organisation)
        held(foreign, specialist_louis, 2)
        response = client_for(specialist_sam).get(reverse("contact_plan"), {"employer": foreign.pk})
        assert response.status_code == 200
        assert selected_nature(response) == "" and "once you choose it" in hint(response)

    def test_saving_without_a_nature_asks_for_it_and_offers_the_suggestion(
        self, client_for, specialist_sam, employer, job_seeker
    ):
        held(employer, specialist_sam, 1)
        client = client_for(specialist_sam)
        response = client.post(reverse("contact_plan"), plan_data(employer, job_seeker))
        assert response.status_code == 200
        assert response.context["form"].errors["nature"] == [
            "Say whether this is a first meeting, a second meeting or an ongoing relationship."
        ]
        assert not EmployerContact.objects.filter(status="planned").exists()
        # Shown again with the suggestion selected and why: one more save confirms it.
        assert selected_nature(response) == "second"
        assert "Suggested from 1 earlier contact" in hint(response)
        response = client.post(reverse("contact_plan"), plan_data(employer, job_seeker, nature="second"))
        assert response.status_code == 302
        assert EmployerContact.objects.get(status="planned").nature == "second"

    def test_the_specialists_choice_wins_over_the_suggestion(self, client_for, specialist_sam, employer, job_seeker):
        held(employer, specialist_sam, 5)
        response = client_for(specialist_sam).post(
            reverse("contact_plan"), plan_data(employer, job_seeker, nature="first")
        )
        assert response.status_code == 302
        assert EmployerContact.objects.get(status="planned").nature == "first"

    def test_a_nature_not_in_the_list_is_refused(self, client_for, specialist_sam, employer, job_seeker):
        response = client_for(specialist_sam).post(
            reverse("contact_plan"), plan_data(employer, job_seeker, nature="introduction")
        )
        assert response.status_code == 200 and "nature" in response.context["form"].errors
        assert not EmployerContact.objects.filter(status="planned").exists()


class TestSiteAndPersonLists:
    def test_without_an_employer_the_lists_ask_for_one(self, client_for, specialist_sam, employer):
        EmployerSiteFactory(employer=employer)
        ContactPersonFactory(employer=employer)
        form = client_for(specialist_sam).get(reverse("contact_plan")).context["form"]
        assert list(form.fields["site"].queryset) == [] and list(form.fields["contact_person"].queryset) == []
        assert form.fields["site"].empty_label == "Choose the employer first"
        assert form.fields["site"].widget.attrs["hx-get"] == reverse("employer_part_options", args=["site"])
        assert form.fields["contact_person"].widget.attrs["hx-trigger"] == "change from:#id_employer"

    def test_an_employer_known_at_render_time_lists_its_own(self, client_for, specialist_sam, employer, other_employer):
        site = EmployerSiteFactory(employer=employer, name="Quai")
        person = ContactPersonFactory(employer=employer)
        EmployerSiteFactory(employer=other_employer)
        ContactPersonFactory(employer=other_employer)
        form = client_for(specialist_sam).get(reverse("contact_plan"), {"employer": employer.pk}).context["form"]
        assert list(form.fields["site"].queryset) == [site]
        assert list(form.fields["contact_person"].queryset) == [person]

    def test_shown_again_with_errors_the_lists_are_already_narrowed(
        self, client_for, specialist_sam, employer, other_employer, job_seeker
    ):
        site = EmployerSiteFactory(employer=employer)
        EmployerSiteFactory(employer=other_employer)
        response = client_for(specialist_sam).post(
            reverse("contact_plan"), plan_data(employer, job_seeker, nature="first", end_time="09:00")
        )
        assert response.status_code == 200
        assert list(response.context["form"].fields["site"].queryset) == [site]
        assert not EmployerContact.objects.filter(status="planned").exists()

    @pytest.mark.parametrize("part", ["site", "contact_person"])
    def test_a_site_or_person_of_another_employer_is_refused(
        self, client_for, specialist_sam, employer, other_employer, job_seeker, part
    ):
        factory = EmployerSiteFactory if part == "site" else ContactPersonFactory
        elsewhere = factory(employer=other_employer)
        response = client_for(specialist_sam).post(
            reverse("contact_plan"), plan_data(employer, job_seeker, nature="first", **{part: elsewhere.pk})
        )
        assert response.status_code == 200 and part in response.context["form"].errors
        assert not EmployerContact.objects.filter(status="planned").exists()

    def test_the_service_still_refuses_a_site_of_another_employer(
        self, specialist_sam, employer, other_employer, job_seeker
    ):
        elsewhere = EmployerSiteFactory(employer=other_employer)
        start = timezone.now() + datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as refused:
            services.employer_contact_plan(
                scope=access_scope(specialist_sam),
                employer_id=employer.pk,
                site_id=elsewhere.pk,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
                job_seeker_ids=[job_seeker.pk],
            )
        assert refused.value.message_dict["site"] == ["This site belongs to another employer."]
        assert not EmployerContact.objects.filter(status="planned").exists()

    def test_the_quick_log_form_lists_the_employers_people_only(
        self, client_for, specialist_sam, employer, other_employer
    ):
        ContactPersonFactory(employer=other_employer)
        form = client_for(specialist_sam).get(reverse("contact_log")).context["form"]
        assert list(form.fields["contact_person"].queryset) == []
        person = ContactPersonFactory(employer=employer)
        response = client_for(specialist_sam).post(
            reverse("contact_log"), {"employer": employer.pk, "contact_person": "x"}
        )
        assert list(response.context["form"].fields["contact_person"].queryset) == [person]
