"""The placements admin: rows through the scope, workflow fields read-only, the model's
rules (Placement.clean) applied, task titles rendered for the reader."""

import datetime
import html

import pytest
from django.forms import CheckboxInput
from django.urls import reverse
from django.utils import timezone

from crm.access import ProgramScope, access_scope, has_rows_rule, rows
from placements import services
from placements.models import (
    Accommodation,
    BenefitsStep,
    FollowAlongPlan,
    JobEndReport,
    Placement,
    PlacementMilestone,
    SupportTask,
)
from tests.factories import EmployerFactory, EmployerSiteFactory, PlacementFactory


@pytest.fixture
def admin_client(client, program_admin):
    client.force_login(program_admin, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def placement(nadia, bakery):
    placement = PlacementFactory(job_seeker=nadia, employer=bakery, site=EmployerSiteFactory(employer=bakery))
    FollowAlongPlan.objects.create(placement=placement)
    PlacementMilestone.objects.create(placement=placement, name="day_3", due_date=placement.start_date)
    accommodation = Accommodation.objects.create(
        organisation=placement.organisation, placement=placement, description="Quiet"
    )
    step = BenefitsStep.objects.create(
        organisation=placement.organisation,
        job_seeker=nadia,
        placement=placement,
        reason="before_start",
        offered_on=placement.offer_date,
    )
    JobEndReport.objects.create(placement=placement)
    SupportTask.objects.bulk_create(  # as services.support_task_create would
        [
            SupportTask(
                organisation=placement.organisation,
                job_seeker=nadia,
                placement=placement,
                accommodation=accommodation,
                benefits_step=step,
                owner=nadia.specialist,
                kind="accommodation",
                custom_title="Quiet",
                due_date=placement.start_date,
            )
        ]
    )
    return placement


def form_data(form) -> dict:
    data = {}
    for name, bound in ((name, form[name]) for name in form.fields):
        value = bound.value()
        if isinstance(form.fields[name].widget, CheckboxInput):
            if value:  # a browser posts a ticked box as "on" and leaves an unticked one out
                data[name] = "on"
            continue
        if value is None:
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = str(value) if isinstance(value, bool) else value
    return data


@pytest.mark.parametrize(
    "model", [Placement, SupportTask, Accommodation, BenefitsStep, FollowAlongPlan, PlacementMilestone, JobEndReport]
)
def test_every_placements_model_has_a_rows_rule(model, placement, program_admin, specialist_bob, specialist_louis):
    """The admin walks models generically: a model without a rule would show no rows."""
    assert has_rows_rule(model)
    assert rows(access_scope(program_admin), model).exists()
    for outsider in (specialist_bob, specialist_louis):
        assert not rows(access_scope(outsider), model).exists()


def test_a_site_of_another_employer_of_the_program_is_refused(admin_client, placement, organisation):
    other_site = EmployerSiteFactory(employer=EmployerFactory(organisation=organisation))
    url = reverse("admin:placements_placement_change", args=[placement.pk])
    data = form_data(admin_client.get(url).context["adminform"].form)
    response = admin_client.post(url, {**data, "site": other_site.pk})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["site"] == ["This site belongs to another employer."]
    placement.refresh_from_db()
    assert placement.site.employer_id == placement.employer_id


def test_task_workflow_fields_are_read_only_and_tasks_are_made_in_the_app(admin_client, nadia, organisation):
    task = services.support_task_create(
        scope=ProgramScope(organisation), job_seeker_id=nadia.pk, kind="job_end_report", due_date=timezone.localdate()
    )
    url = reverse("admin:placements_supporttask_change", args=[task.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    assert {"owner", "kind", "status", "completed_on", "job_seeker", "title_key", "title_params"}.isdisjoint(
        form.fields
    )
    assert "Write the job-end report (Nadia Benali)" in html.unescape(page.content.decode())
    assert admin_client.get(reverse("admin:placements_supporttask_add")).status_code == 403


def test_a_task_is_read_in_the_admin_and_moved_in_my_tasks(admin_client, nadia, organisation):
    """Moving a task outside its service would skip its rules (5 minutes to 12 hours)
    and the calendar's SEQUENCE: the admin shows it read-only."""
    task = services.support_task_create(
        scope=ProgramScope(organisation), job_seeker_id=nadia.pk, kind="retention_check", due_date=timezone.localdate()
    )
    url = reverse("admin:placements_supporttask_change", args=[task.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and not page.context["adminform"].form.fields
    later = timezone.localdate() + datetime.timedelta(days=2)
    assert admin_client.post(url, {"due_date": later.isoformat()}).status_code == 403
    task.refresh_from_db()
    assert (task.due_date, task.sequence) == (timezone.localdate(), 0)


def test_the_task_list_shows_titles_in_the_readers_language(admin_client, nadia, organisation):
    services.support_task_create(
        scope=ProgramScope(organisation), job_seeker_id=nadia.pk, kind="job_end_contact", due_date=timezone.localdate()
    )
    admin_client.cookies["django_language"] = "fr"
    page = html.unescape(admin_client.get(reverse("admin:placements_supporttask_changelist")).content.decode())
    assert "Rencontrer Nadia Benali en face à face après la fin de l'emploi" in page


def test_competitive_and_term_are_answered_in_the_admin_too(admin_client, placement):
    """Corrected here, never emptied: the same questions as the offer, nothing assumed."""
    url = reverse("admin:placements_placement_change", args=[placement.pk])
    form = admin_client.get(url).context["adminform"].form
    data = form_data(form)
    assert (data["is_competitive"], data["term"]) == ("True", "permanent")
    for name, message in (
        ("is_competitive", "Say whether the job is competitive."),
        ("term", "Say whether the job is permanent or temporary."),
    ):
        response = admin_client.post(url, {key: value for key, value in data.items() if key != name})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors[name] == [message]
        placement.refresh_from_db()
        assert (placement.is_competitive, placement.term) == (True, "permanent")
    response = admin_client.post(url, {**data, "is_competitive": "False", "term": "temporary"})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert (placement.is_competitive, placement.term) == (False, "temporary")


def test_a_completed_contact_shows_its_support_place_and_giver_read_only(admin_client, nadia, organisation):
    task = services.support_task_create(
        scope=ProgramScope(organisation), job_seeker_id=nadia.pk, kind="follow_along", due_date=timezone.localdate()
    )
    services.support_task_complete(
        scope=ProgramScope(organisation),
        task_id=task.pk,
        completed_on=timezone.localdate(),
        mode="in_person",
        place="workplace",
        support_type="employer",
        given_by="workplace",
    )
    page = html.unescape(
        admin_client.get(reverse("admin:placements_supporttask_change", args=[task.pk])).content.decode()
    )
    assert "At the workplace" in page and "Meeting or call with the employer" in page
    assert "Supervisor or co-workers" in page
