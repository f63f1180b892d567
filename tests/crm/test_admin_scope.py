"""Every registered ModelAdmin goes through the access scope.

Two programs hold one of every record. As the first program's admin, every admin's
changelist, list filters, add form, change form and inlines offer only the
program's rows (or shared classifications), and posting another program's row in any
relation is refused and changes nothing. This is the bug where the ContactPerson add
form listed another program's sites with their addresses, and a Placement could be
saved with another program's site."""

import datetime
import html
import json
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.db import models
from django.forms import CheckboxInput
from django.urls import reverse
from django.utils import timezone

from crm.access import access_scope, has_rows_rule, rows
from crm.admin import ScopedAdmin
from crm.models import CareerProfile, EventHandling, JobPreference, Organisation, OutboxEvent, User
from employers.models import JobOpening
from jobdev.models import JobSearchNudge
from placements.models import (
    Accommodation,
    BenefitsStep,
    FollowAlongPlan,
    JobEndReport,
    Placement,
    PlacementMilestone,
    SupportTask,
)
from tests.factories import (
    ContactPersonFactory,
    EmployerContactFactory,
    EmployerFactory,
    EmployerSiteFactory,
    JobSeekerFactory,
    OrganisationFactory,
    PlacementFactory,
    SupportTaskFactory,
    TeamFactory,
    UserFactory,
)


def _program(slug: str) -> dict:
    """One of every record in a new program; returns its admin and a few of them."""
    organisation = OrganisationFactory(name=f"IPS {slug}", slug=slug)
    team = TeamFactory(organisation=organisation, name=f"Team {slug}")
    leader = UserFactory(organisation=organisation, role=User.Role.TEAM_LEADER, team=team)
    team.leader = leader
    team.save()
    specialist = UserFactory(organisation=organisation, team=team)
    program_admin = UserFactory(organisation=organisation, role=User.Role.PROGRAM_ADMIN, is_staff=True)
    job_seeker = JobSeekerFactory(specialist=specialist, organisation=organisation)
    CareerProfile.objects.create(job_seeker=job_seeker, work_goal="Bakery")
    JobPreference.objects.create(job_seeker=job_seeker)
    employer = EmployerFactory(organisation=organisation, name=f"Employer of {slug}")
    site = EmployerSiteFactory(employer=employer, address=f"1 rue de {slug}")
    ContactPersonFactory(employer=employer, site=site)
    JobOpening.objects.create(
        employer=employer, site=site, title="Cashier", source="employer_contact", learned_on=timezone.localdate()
    )
    placement = PlacementFactory(job_seeker=job_seeker, organisation=organisation, employer=employer, site=site)
    FollowAlongPlan.objects.create(placement=placement)
    PlacementMilestone.objects.create(placement=placement, name="day_3", due_date=placement.start_date)
    accommodation = Accommodation.objects.create(organisation=organisation, placement=placement, description="Quiet")
    step = BenefitsStep.objects.create(
        organisation=organisation,
        job_seeker=job_seeker,
        placement=placement,
        reason="before_start",
        offered_on=placement.offer_date,
    )
    ended = PlacementFactory(
        job_seeker=job_seeker,
        organisation=organisation,
        employer=employer,
        status=Placement.Status.ENDED,
        end_date=timezone.localdate(),
        end_reason="laid_off",
    )
    JobEndReport.objects.create(placement=ended, written_by=specialist)
    SupportTaskFactory(
        job_seeker=job_seeker, placement=placement, accommodation=accommodation, benefits_step=step, owner=specialist
    )
    EmployerContactFactory(specialist=specialist, employer=employer, site=site, job_seekers=[job_seeker])
    JobSearchNudge.objects.create(job_seeker=job_seeker, job_search_since=timezone.localdate(), day=14)
    event = OutboxEvent.objects.create(
        organisation=organisation,
        topic="placement.started",
        aggregate_type="placement",
        aggregate_id=placement.pk,
        payload={"placement_id": placement.pk},
        dedup_key=f"test:{slug}",
    )
    EventHandling.objects.create(event=event, handler="test.handler", status="failed", attempts=5)
    from integrations.calendar.models import CalendarFeed, CalendarPreference

    CalendarFeed.objects.create(user=specialist, kind="personal", token_hash=f"{slug:0<64}"[:64])
    CalendarPreference.objects.create(user=specialist)
    return {"admin": program_admin, "organisation": organisation, "site": site, "placement": placement}


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _all_pks() -> dict:
    return {model: set(model._default_manager.values_list("pk", flat=True)) for model, _admin in _registered()}


@pytest.fixture
def programs(db):
    """Ours, then theirs; `theirs["rows"]` holds, per registered model, the rows made
    for the second program, known from what was created, not from the rules tested."""
    ours = _program("marseille")
    before = _all_pks()
    theirs = _program("lyon")
    theirs["rows"] = {model: pks - before[model] for model, pks in _all_pks().items()}
    return ours, theirs


FOREIGN = {}


def _theirs(ours_scope, theirs_scope, model) -> set:
    return set(FOREIGN.get(model, set()))


@pytest.fixture(autouse=True)
def _foreign_rows(request):
    FOREIGN.clear()
    if "programs" in request.fixturenames:
        FOREIGN.update(request.getfixturevalue("programs")[1]["rows"])
    yield
    FOREIGN.clear()


def test_the_second_program_has_a_row_of_every_scoped_model(programs):
    _ours, theirs = programs
    shared = {"crm.Industry", "crm.JobType"}
    for model, model_admin in _registered():
        if isinstance(model_admin, ScopedAdmin) and model._meta.label not in shared:
            assert theirs["rows"][model], f"no {model._meta.label} of the second program to test against"


def _choice_pks(field) -> set:
    queryset = getattr(field, "queryset", None)
    if queryset is None:
        return set()
    return set(queryset.values_list("pk", flat=True))


def test_every_model_admin_offers_only_the_programs_rows(programs, client):
    ours, theirs = programs
    ours_scope, theirs_scope = access_scope(ours["admin"]), access_scope(theirs["admin"])
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    walked = []
    for model, model_admin in _registered():
        info = model._meta.app_label, model._meta.model_name
        listing = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        if listing.status_code == 403:  # not a program admin's (e.g. auth groups, axes)
            continue
        assert listing.status_code == 200, model
        assert has_rows_rule(model), f"{model._meta.label} has no access rule"
        walked.append(model._meta.label)
        shown = {obj.pk for obj in listing.context["cl"].result_list}
        assert shown and not shown & _theirs(ours_scope, theirs_scope, model), model
        for spec in listing.context["cl"].filter_specs:
            if isinstance(spec, RelatedFieldListFilter):
                offered = {pk for pk, _label in spec.lookup_choices}
                assert not offered & _theirs(ours_scope, theirs_scope, spec.field.related_model), (model, spec)
        pages = []
        if model_admin.has_add_permission(listing.wsgi_request):
            pages.append(reverse("admin:{}_{}_add".format(*info)))
        pages.append(reverse("admin:{}_{}_change".format(*info), args=[next(iter(shown))]))
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            forms = [response.context["adminform"].form]
            for inline in response.context.get("inline_admin_formsets", []):
                forms += list(inline.formset.forms) + [inline.formset.empty_form]
            for form in forms:
                for name, field in form.fields.items():
                    related = getattr(getattr(field, "queryset", None), "model", None)
                    if related is None:
                        continue
                    leaked = _choice_pks(field) & _theirs(ours_scope, theirs_scope, related)
                    assert not leaked, f"{url} field {name} offers another program's {related.__name__}"
        # Another program's row answers 404, like a missing one.
        foreign = _theirs(ours_scope, theirs_scope, model)
        if foreign:
            assert client.get(reverse("admin:{}_{}_change".format(*info), args=[foreign.pop()])).status_code == 404
    assert {"crm.JobSeeker", "employers.ContactPerson", "employers.EmployerSite", "placements.Placement"} <= set(walked)


def _post_data(form) -> dict:
    data = {}
    for name, bound in ((name, form[name]) for name in form.fields):
        value = bound.value()
        if isinstance(form.fields[name].widget, CheckboxInput):
            if value:  # a browser posts a ticked box as "on" and leaves an unticked one out
                data[form.add_prefix(name)] = "on"
            continue
        if value is None:
            continue
        if isinstance(value, bool):  # a yes/no choice (radio buttons)
            value = str(value)
        elif isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, list | tuple):
            value = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, datetime.datetime | datetime.date | datetime.time):
            value = value.isoformat()
        elif isinstance(value, dict):
            value = json.dumps(value)
        elif isinstance(value, Decimal):
            value = str(value)
        data[form.add_prefix(name)] = value
    return data


def _page_post_data(page) -> dict:
    """What an admin change or add page would post as it stands: its form and inlines."""
    data = _post_data(page.context["adminform"].form)
    for inline in page.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        data.update({management.add_prefix(key): value for key, value in management.initial.items()})
        for inline_form in inline.formset.forms:
            data.update(_post_data(inline_form))
    return data


def test_another_programs_row_is_refused_in_every_relation(programs, client):
    """Posting a change form with another program's row in any foreign key or
    many-to-many field is refused: the form shows an error and nothing changes."""
    ours, theirs = programs
    ours_scope, theirs_scope = access_scope(ours["admin"]), access_scope(theirs["admin"])
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    tried = []
    for model, model_admin in _registered():
        info = model._meta.app_label, model._meta.model_name
        mine = rows(ours_scope, model).first() if has_rows_rule(model) else None
        if mine is None:
            continue
        url = reverse("admin:{}_{}_change".format(*info), args=[mine.pk])
        page = client.get(url)
        if page.status_code != 200 or not model_admin.has_change_permission(page.wsgi_request, mine):
            continue
        form = page.context["adminform"].form
        base = _page_post_data(page)
        for name, field in form.fields.items():
            related = getattr(getattr(field, "queryset", None), "model", None)
            foreign = _theirs(ours_scope, theirs_scope, related) if related is not None else set()
            if not foreign:
                continue
            before = model.objects.filter(pk=mine.pk).values().get()
            value = foreign.pop()
            response = client.post(
                url,
                {
                    **base,
                    form.add_prefix(name): [value] if isinstance(base.get(form.add_prefix(name)), list) else value,
                },
            )
            assert response.status_code == 200, f"{url} accepted another program's {related.__name__} in {name}"
            assert response.context["adminform"].form.errors.get(name), (url, name)
            assert model.objects.filter(pk=mine.pk).values().get() == before
            tried.append(f"{model._meta.label}.{name}")
    assert "placements.Placement.site" in tried and "employers.ContactPerson.site" in tried


def test_workflow_fields_are_read_only_in_the_admin(programs, client):
    ours, _theirs_program = programs
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    placement = ours["placement"]
    form = client.get(reverse("admin:placements_placement_change", args=[placement.pk])).context["adminform"].form
    assert "status" not in form.fields and "start_date" not in form.fields
    job_seeker_form = (
        client.get(reverse("admin:crm_jobseeker_change", args=[placement.job_seeker_id])).context["adminform"].form
    )
    assert {"status", "specialist", "job_search_since"}.isdisjoint(job_seeker_form.fields)
    task = SupportTask.objects.filter(placement=placement).first()
    task_form = client.get(reverse("admin:placements_supporttask_change", args=[task.pk])).context["adminform"].form
    assert "status" not in task_form.fields
    assert client.get(reverse("admin:placements_placement_add")).status_code == 403


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name", "term"),
    [
        ("employers", "contactperson", "site", "rue"),
        ("employers", "contactperson", "employer", "Employer"),
        ("placements", "placement", "site", "rue"),
        ("employers", "employersite", "employer", "Employer"),
    ],
)
def test_autocomplete_offers_only_the_programs_rows(programs, client, app_label, model_name, field_name, term):
    """The search behind an autocomplete field answers from the scope's rows only."""
    ours, theirs = programs
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    offered = {int(result["id"]) for result in response.json()["results"]}
    mine, foreign = (
        (ours["site"].pk, theirs["site"].pk)
        if field_name == "site"
        else (ours["site"].employer_id, theirs["site"].employer_id)
    )
    assert mine in offered and foreign not in offered
    assert "lyon" not in response.content.decode().lower()


def test_history_is_read_only_in_the_admin(programs, client):
    """A revert would write every field at once, the workflow's included, with no
    service and no event (a placement back to "offer accepted", a specialist restored
    without handing over their tasks)."""
    ours, _theirs_program = programs
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    placement = ours["placement"]
    placement.job_title = "Baker"
    placement.save()
    version = placement.history.order_by("history_date").first()
    url = reverse("admin:placements_placement_simple_history", args=[placement.pk, version.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"job_title": "Kitchen helper"}).status_code == 403
    placement.refresh_from_db()
    assert placement.job_title == "Baker"


def test_workflow_rows_are_not_deleted_in_the_admin(programs, client):
    ours, _theirs_program = programs
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    placement = ours["placement"]
    for name, pk in (("placements_placement", placement.pk), ("crm_jobseeker", placement.job_seeker_id)):
        assert client.post(reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes"}).status_code == 403
    assert Placement.objects.filter(pk=placement.pk).exists()


def test_a_program_admin_sets_a_specialists_fte(programs, client):
    """The FTE divides the active caseload in the fidelity item "caseload size": a
    fraction from 0.05 to 1.00."""
    ours, _theirs_program = programs
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    specialist = ours["placement"].job_seeker.specialist
    url = reverse("admin:crm_user_change", args=[specialist.pk])
    page = client.get(url)
    data = _page_post_data(page)
    joined = timezone.localtime(datetime.datetime.fromisoformat(data.pop("date_joined")))  # two inputs here
    data.update(date_joined_0=joined.date().isoformat(), date_joined_1=joined.time().isoformat("seconds"))
    assert data["fte"] == "1.00"
    for bad in ("1.5", "0", "half"):
        response = client.post(url, {**data, "fte": bad})
        assert response.status_code == 200 and response.context["adminform"].form.errors["fte"]
    assert client.post(url, {**data, "fte": "0.5"}).status_code == 302
    specialist.refresh_from_db()
    assert specialist.fte == Decimal("0.50")
    assert "0.50" in client.get(reverse("admin:crm_user_changelist")).content.decode()


def test_the_program_settings_show_the_fidelity_thresholds_with_their_help(programs, client):
    ours, _theirs_program = programs
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    organisation = ours["placement"].organisation
    url = reverse("admin:crm_organisation_change", args=[organisation.pk])
    page = client.get(url)
    content = page.content.decode()
    assert "Fidelity thresholds" in content
    for name in ("active_contact_days", "employer_contact_gap_days", "community_time_percent"):
        field = Organisation._meta.get_field(name)
        assert f'name="{name}"' in content
        if field.help_text:
            assert str(field.help_text) in html.unescape(content)
    data = _page_post_data(page)
    response = client.post(url, {**data, "employer_contact_gap_days": "3"})
    assert response.status_code == 200 and response.context["adminform"].form.errors["employer_contact_gap_days"]
    assert client.post(url, {**data, "employer_contact_gap_days": "45"}).status_code == 302
    organisation.refresh_from_db()
    assert organisation.employer_contact_gap_days == 45


def test_the_disclosure_preference_and_its_date_change_on_the_job_seekers_page_only(programs, client):
    """crm.services dates the first disclosure talk; a save in the admin would skip it."""
    ours, _theirs_program = programs
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    job_seeker = ours["placement"].job_seeker
    url = reverse("admin:crm_jobseeker_change", args=[job_seeker.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert {"disclosure_preference", "disclosure_discussed_on"}.isdisjoint(form.fields)
    assert "in_education" in form.fields
    data = _page_post_data(page)
    assert client.post(url, {**data, "in_education": "on", "disclosure_preference": "full"}).status_code == 302
    before = job_seeker.disclosure_preference
    job_seeker.refresh_from_db()
    assert (job_seeker.in_education, job_seeker.disclosure_preference) == (True, before)
