"""Placement forms that help (issue 12): the offer's site list holds the chosen
employer's sites; the start form offers the expected start only once it has come and
shows the refusal of a start still to come next to the date; a task marked done says
so in place."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.models import Placement, SupportTask
from tests.factories import (
    EmployerFactory,
    EmployerSiteFactory,
    JobSeekerFactory,
    PlacementFactory,
    SupportTaskFactory,
)
from tests.placements.test_views import offer_data


@pytest.fixture
def job_seeker(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")


@pytest.fixture
def employer(specialist_sam):
    return EmployerFactory(organisation=specialist_sam.organisation, name="Hôtel Belle-Vue")


@pytest.fixture
def other_employer(specialist_sam):
    return EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")


class TestOfferSiteList:
    def test_before_an_employer_is_chosen_the_list_asks_for_one(self, client_for, specialist_sam, job_seeker, employer):
        EmployerSiteFactory(employer=employer)
        form = client_for(specialist_sam).get(reverse("placement_create", args=[job_seeker.pk])).context["form"]
        assert list(form.fields["site"].queryset) == []
        assert form.fields["site"].empty_label == "Choose the employer first"
        attrs = form.fields["site"].widget.attrs
        assert attrs["hx-get"] == reverse("employer_part_options", args=["site"])
        assert attrs["hx-include"] == "#id_employer"

    def test_shown_again_with_errors_the_list_holds_the_employers_sites(
        self, client_for, specialist_sam, job_seeker, employer, other_employer
    ):
        site = EmployerSiteFactory(employer=employer)
        EmployerSiteFactory(employer=other_employer)
        response = client_for(specialist_sam).post(
            reverse("placement_create", args=[job_seeker.pk]), offer_data(employer, job_title="")
        )
        assert response.status_code == 200
        assert list(response.context["form"].fields["site"].queryset) == [site]
        assert not Placement.objects.exists()

    def test_a_site_of_another_employer_is_refused(
        self, client_for, specialist_sam, job_seeker, employer, other_employer
    ):
        elsewhere = EmployerSiteFactory(employer=other_employer)
        response = client_for(specialist_sam).post(
            reverse("placement_create", args=[job_seeker.pk]), offer_data(employer, site=elsewhere.pk)
        )
        assert response.status_code == 200 and "site" in response.context["form"].errors
        assert not Placement.objects.exists()

    def test_a_site_of_the_employer_is_saved(self, client_for, specialist_sam, job_seeker, employer):
        site = EmployerSiteFactory(employer=employer)
        response = client_for(specialist_sam).post(
            reverse("placement_create", args=[job_seeker.pk]), offer_data(employer, site=site.pk)
        )
        assert response.status_code == 302
        assert Placement.objects.get().site == site

    @pytest.mark.parametrize("bad", ["x", str(2**63), "-1"])
    def test_a_site_that_is_no_id_is_an_error_not_a_crash(self, client_for, specialist_sam, job_seeker, employer, bad):
        response = client_for(specialist_sam).post(
            reverse("placement_create", args=[job_seeker.pk]), offer_data(employer, site=bad)
        )
        assert response.status_code == 200 and "site" in response.context["form"].errors
        assert not Placement.objects.exists()


class TestStartForm:
    def _offer(self, job_seeker, expected_in_days):
        today = timezone.localdate()
        return PlacementFactory(
            job_seeker=job_seeker,
            status="offer_accepted",
            start_date=None,
            offer_date=today - datetime.timedelta(days=10),
            expected_start_date=today + datetime.timedelta(days=expected_in_days),
        )

    def test_an_expected_start_still_to_come_is_not_offered(self, client_for, specialist_sam, job_seeker):
        placement = self._offer(job_seeker, expected_in_days=3)
        response = client_for(specialist_sam).get(reverse("placement_detail", args=[placement.pk]))
        assert response.context["start_form"]["start_date"].value() == timezone.localdate()

    @pytest.mark.parametrize("expected_in_days", [0, -2])
    def test_an_expected_start_that_has_come_is_offered(self, client_for, specialist_sam, job_seeker, expected_in_days):
        placement = self._offer(job_seeker, expected_in_days=expected_in_days)
        response = client_for(specialist_sam).get(reverse("placement_detail", args=[placement.pk]))
        assert response.context["start_form"]["start_date"].value() == placement.expected_start_date

    def test_a_start_in_the_future_is_refused_next_to_the_date(self, client_for, specialist_sam, job_seeker):
        placement = self._offer(job_seeker, expected_in_days=3)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = client_for(specialist_sam).post(
            reverse("placement_start", args=[placement.pk]), {"start-start_date": tomorrow.isoformat()}
        )
        assert response.status_code == 200
        errors = response.context["start_form"].errors
        assert list(errors) == ["start_date"] and "not before" in errors["start_date"][0]
        assert 'id="id_start-start_date_error"' in response.content.decode()
        placement.refresh_from_db()
        assert (placement.status, placement.start_date) == ("offer_accepted", None)


class TestMarkAsDone:
    def _task(self, job_seeker):
        return SupportTaskFactory(job_seeker=job_seeker, kind=SupportTask.Kind.OTHER, title="Call the job centre")

    def _done(self, task, day=None):
        return {
            f"task{task.pk}-completed_on": (day or timezone.localdate()).isoformat(),
            f"task{task.pk}-completion_mode": "phone",
        }

    def test_in_place_the_row_says_it_is_done_with_a_status_message(self, client_for, specialist_sam, job_seeker):
        task = self._task(job_seeker)
        response = client_for(specialist_sam).post(
            reverse("task_complete", args=[task.pk]), self._done(task), HTTP_HX_REQUEST="true"
        )
        fragment = html.unescape(response.content.decode())
        today = timezone.localdate().strftime("%d/%m/%Y")
        assert response.status_code == 200 and "<html" not in fragment
        assert f'<li class="task task-closed" id="task-{task.pk}">' in fragment
        assert f'<p class="notice" role="status">Marked as done: Call the job centre, on {today}.</p>' in fragment
        assert f"Done on {today}" in fragment and "Mark as done" not in fragment
        task.refresh_from_db()
        assert task.status == "done"

    def test_refused_in_place_the_form_comes_back_without_a_status_message(
        self, client_for, specialist_sam, job_seeker
    ):
        task = self._task(job_seeker)
        response = client_for(specialist_sam).post(
            reverse("task_complete", args=[task.pk]),
            {f"task{task.pk}-completed_on": "soon", f"task{task.pk}-completion_mode": "phone"},
            HTTP_HX_REQUEST="true",
        )
        fragment = response.content.decode()
        assert "Enter a valid date." in fragment and 'role="status"' not in fragment and "Mark as done" in fragment
        task.refresh_from_db()
        assert task.status == "open"

    def test_without_javascript_a_redirect_and_a_message(self, client_for, specialist_sam, job_seeker):
        task = self._task(job_seeker)
        response = client_for(specialist_sam).post(
            reverse("task_complete", args=[task.pk]), {**self._done(task), "next": reverse("task_list")}, follow=True
        )
        assert response.redirect_chain == [(reverse("task_list"), 302)]
        assert "Task completed." in response.content.decode()
        task.refresh_from_db()
        assert task.status == "done"

    def test_a_task_id_out_of_range_answers_404(self, client_for, specialist_sam):
        response = client_for(specialist_sam).post(reverse("task_complete", args=[2**63]), {}, HTTP_HX_REQUEST="true")
        assert response.status_code == 404
