"""No 500, ever; refusals change nothing (issue 9, part 3): each cause the hostile-input
run found, replayed through HTTP as a user would send it, plus its neighbours at the
edges of the date policy (crm.dates: the years 2000 to 2100).

A refusal is checked against a fingerprint of the whole database (every table's row
count, latest `updated_at` and summed `sequence`: the same one the Hypothesis test in
test_bad_input.py uses), not against the one table the test thinks of."""

import datetime
from decimal import Decimal

import icalendar
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from crm.access import access_scope
from crm.models import EventHandling, Industry, JobType, OutboxEvent
from jobdev.models import EmployerContact
from placements import services as placement_services
from placements.models import Placement, PlacementMilestone, SupportTask
from tests.crm.test_bad_input import _fingerprint_sql, fingerprint
from tests.factories import (
    ContactPersonFactory,
    EmployerFactory,
    EmployerSiteFactory,
    JobSeekerFactory,
    SupportTaskFactory,
)

HUGE = 2**63
EDGE_DAYS = ["9999-12-31", "9999-12-30", "0001-01-01", "1999-12-31", "2101-01-01"]


@pytest.fixture
def snapshot(db):
    """`snapshot()` is the database's fingerprint now: equal before and after a refusal."""
    sql = _fingerprint_sql()
    return lambda: fingerprint(sql)


@pytest.fixture
def sam(client_for, specialist_sam):
    return client_for(specialist_sam)


@pytest.fixture
def job_seeker(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", receives_benefits="yes")


@pytest.fixture
def employer(specialist_sam):
    employer = EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")
    EmployerSiteFactory(employer=employer)
    ContactPersonFactory(employer=employer)
    return employer


@pytest.fixture
def task(job_seeker):
    return SupportTaskFactory(job_seeker=job_seeker)


def _offer(specialist, job_seeker, employer, on: datetime.date, start: datetime.date | None = None) -> Placement:
    return placement_services.placement_offer_accept(
        scope=access_scope(specialist),
        job_seeker_id=job_seeker.pk,
        employer_id=employer.pk,
        offer={
            "job_title": "Vendeuse",
            "is_competitive": True,
            "term": "permanent",
            "hours_per_week": Decimal("20"),
            "offer_date": on,
            "expected_start_date": start,
        },
    )


def _errors(response) -> dict:
    """The bound forms' errors on the page answered (a refusal shows them)."""
    errors = {}
    for context in response.context or []:
        for value in context.flatten().values():
            if getattr(value, "is_bound", False) and getattr(value, "_errors", None):
                errors.update(value.errors)
    return errors


def _no_failed_handling():
    failed = EventHandling.objects.exclude(status=EventHandling.Status.SUCCEEDED)
    assert not failed.exists(), list(failed.values_list("handler", "last_error"))
    assert not OutboxEvent.objects.exclude(status=OutboxEvent.Status.HANDLED).exists()


# 1. A `next` without "/" on task actions: 500 after the change was saved ------------


def _complete(client, task, next_url, completed_on=None):
    return client.post(
        reverse("task_complete", args=[task.pk]),
        {
            f"task{task.pk}-completed_on": completed_on or timezone.localdate().isoformat(),
            f"task{task.pk}-completion_mode": "phone",
            f"task{task.pk}-support_type": "on_the_job",
            "next": next_url,
        },
    )


def _schedule(client, task, next_url, day="2026-03-10", time="10:00", minutes="60"):
    return client.post(
        reverse("task_schedule", args=[task.pk]),
        {
            f"schedule{task.pk}-due_date": day,
            f"schedule{task.pk}-due_time": time,
            f"schedule{task.pk}-duration_minutes": minutes,
            "next": next_url,
        },
    )


@pytest.mark.parametrize("next_url", ["tasks", "task_list", "placement_list", "home"])
def test_completing_a_task_with_next_without_a_slash_saves_once_and_lands_on_my_tasks(sam, task, next_url, snapshot):
    response = _complete(sam, task, next_url)
    assert (response.status_code, response["Location"]) == (302, reverse("task_list"))
    task.refresh_from_db()
    assert (task.status, task.sequence) == (SupportTask.Status.DONE, 1)
    # The user who saw a 500 sends it again: refused (already closed), nothing changes.
    before = snapshot()
    response = _complete(sam, task, next_url)
    assert (response.status_code, response["Location"]) == (302, reverse("task_list"))
    assert snapshot() == before


@pytest.mark.parametrize("next_url", ["tasks", "task_list", "home"])
def test_scheduling_a_task_with_next_without_a_slash_saves_once_and_lands_on_my_tasks(sam, task, next_url, snapshot):
    response = _schedule(sam, task, next_url)
    assert (response.status_code, response["Location"]) == (302, reverse("task_list"))
    task.refresh_from_db()
    assert (str(task.due_date), str(task.due_time), task.sequence) == ("2026-03-10", "10:00:00", 1)
    before = snapshot()
    response = _schedule(sam, task, next_url, day="9999-12-31", time="23:30", minutes="720")
    assert (response.status_code, response["Location"]) == (302, reverse("task_list"))
    assert snapshot() == before


# 2. Weeks at the edges of Python's range on My week ---------------------------------


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "9999-W53", "2101-W01", "1999-W51"])
def test_my_week_outside_the_policy_shows_this_week_with_a_message(sam, week):
    response = sam.get(reverse("my_week"), {"week": week})
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["monday"] == today - datetime.timedelta(days=today.weekday())
    assert "That week was not understood" in response.content.decode()


@pytest.mark.parametrize("week, monday", [("1999-W52", datetime.date(1999, 12, 27)), ("2100-W52", None)])
def test_my_week_at_the_policy_edges_shows_that_week(sam, week, monday):
    response = sam.get(reverse("my_week"), {"week": week})
    assert response.status_code == 200
    assert response.context["monday"] == (monday or datetime.date.fromisocalendar(2100, 52, 1))
    assert "not understood" not in response.content.decode()


# 3. Planning a visit at the edges -------------------------------------------------


def _plan(client, employer, job_seekers=(), day="2026-03-10", start="10:00", end="11:00", extra=None):
    return client.post(
        reverse("contact_plan"),
        {
            "employer": employer.pk,
            "day": day,
            "start_time": start,
            "end_time": end,
            "mode": "in_person",
            "purpose": "on_behalf" if job_seekers else "relationship",
            "job_seekers": [str(pk) for pk in job_seekers],
            "nature": "first",
            **(extra or {}),
        },
    )


@pytest.mark.parametrize("day, start, end", [("9999-12-31", "10:00", "11:00"), ("0001-01-01", "00:00", "01:00")])
def test_planning_a_visit_outside_the_policy_is_refused_and_saves_nothing(sam, employer, snapshot, day, start, end):
    before = snapshot()
    response = _plan(sam, employer, day=day, start=start, end=end)
    assert response.status_code == 200
    assert "day" in _errors(response)
    assert snapshot() == before


def test_a_visit_on_the_policys_last_evening_redirects_to_its_week(sam, employer):
    response = _plan(sam, employer, day="2100-12-31", start="22:00", end="23:59")
    assert response.status_code == 302
    assert response["Location"] == reverse("my_week") + "?week=2100-W52"
    contact = EmployerContact.objects.get()
    page = sam.get(response["Location"])
    assert page.status_code == 200
    assert any(item.contact == contact for day in page.context["days"] for item in day.items)
    assert sam.get(reverse("contact_detail", args=[contact.pk])).status_code == 200
    download = sam.get(reverse("calendar_visit_ics", args=[contact.pk]))
    assert download.status_code == 200
    event = icalendar.Calendar.from_ical(download.content).walk("VEVENT")[0]
    assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=119)


# 4. A placement started 9999-12-31 -------------------------------------------------


def test_starting_a_placement_on_9999_12_31_is_refused_and_saves_nothing(
    sam, specialist_sam, job_seeker, employer, snapshot
):
    placement = _offer(specialist_sam, job_seeker, employer, datetime.date(2026, 3, 2))
    before = snapshot()
    response = sam.post(reverse("placement_start", args=[placement.pk]), {"start-start_date": "9999-12-31"})
    assert response.status_code == 200
    assert "start_date" in _errors(response)
    assert snapshot() == before


def test_a_placement_started_on_the_policys_last_day_plans_a_year_on_without_error(
    client_for, specialist_sam, job_seeker, employer, handle_events
):
    """Every date the product derives from a sane one (milestones a year on, follow-along
    contacts, steps before the start, a job end's contact) is computed and handled."""
    last = datetime.date(2100, 12, 31)
    with time_machine.travel(datetime.datetime(2100, 12, 31, 20, tzinfo=datetime.UTC), tick=False):
        sam = client_for(specialist_sam)  # a session of that day (sessions end when idle)
        placement = _offer(specialist_sam, job_seeker, employer, last, last)
        handle_events()
        response = sam.post(reverse("placement_start", args=[placement.pk]), {"start-start_date": last.isoformat()})
        assert response.status_code == 302
        handle_events()
        placement.refresh_from_db()
        assert placement.status == Placement.Status.ACTIVE
        assert max(PlacementMilestone.objects.values_list("due_date", flat=True)) == datetime.date(2101, 12, 31)
        response = sam.post(
            reverse("placement_end", args=[placement.pk]),
            {"end-end_date": last.isoformat(), "end-end_reason": "laid_off"},
        )
        assert response.status_code == 302
        handle_events()
        _no_failed_handling()
        assert SupportTask.objects.filter(due_date__gt=last).exists()
        for page in (reverse("placement_detail", args=[placement.pk]), reverse("task_list"), reverse("my_week")):
            assert sam.get(page).status_code == 200, page


# 5. An appointment .ics at 9999-12-31 23:30 for 720 minutes -------------------------


def test_an_appointment_on_9999_12_31_at_23_30_for_720_minutes_is_refused(sam, task, snapshot):
    before = snapshot()
    response = _schedule(sam, task, "/tasks/", day="9999-12-31", time="23:30", minutes="720")
    assert response.status_code == 302
    assert snapshot() == before
    task.refresh_from_db()
    assert task.due_time is None
    assert sam.get(reverse("calendar_task_ics", args=[task.pk])).status_code == 404


def test_an_appointment_on_the_policys_last_evening_for_720_minutes_downloads(sam, task):
    response = _schedule(sam, task, "/tasks/", day="2100-12-31", time="23:30", minutes="720")
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.due_time == datetime.time(23, 30)
    download = sam.get(reverse("calendar_task_ics", args=[task.pk]))
    assert download.status_code == 200
    event = icalendar.Calendar.from_ical(download.content).walk("VEVENT")[0]
    assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=720)
    assert event.decoded("dtend").astimezone(datetime.UTC).date() == datetime.date(2101, 1, 1)


# 6. An offer dated 9999-12-30 whose background step then failed five times ----------


def _offer_form(employer, offer_date, start=""):
    return {
        "employer": employer.pk,
        "job_title": "Vendeuse",
        "hours_per_week": "20",
        "hourly_pay": "12.02",
        "is_competitive": "True",
        "term": "permanent",
        "offer_date": offer_date,
        "expected_start_date": start,
    }


@pytest.mark.parametrize("field", ["offer_date", "expected_start_date"])
def test_an_offer_dated_9999_12_30_is_refused_and_emits_nothing(sam, job_seeker, employer, snapshot, field):
    data = _offer_form(employer, "2026-03-02", "2026-03-09")
    data[field] = "9999-12-30"
    before = snapshot()
    response = sam.post(reverse("placement_create", args=[job_seeker.pk]), data)
    assert response.status_code == 200
    assert field in _errors(response)
    assert snapshot() == before
    assert not OutboxEvent.objects.exists()


def test_a_start_expected_on_the_policys_last_day_is_handled_at_once(sam, job_seeker, employer, handle_events):
    """The steps before the start are due up to the expected start: on the policy's
    last day, and still planned on the first attempt (no background step fails)."""
    today = timezone.localdate().isoformat()
    response = sam.post(reverse("placement_create", args=[job_seeker.pk]), _offer_form(employer, today, "2100-12-31"))
    assert response.status_code == 302
    handle_events()
    _no_failed_handling()
    assert SupportTask.objects.filter(placement__isnull=False).exists()


def test_an_offer_accepted_in_the_future_is_refused(sam, job_seeker, employer, snapshot):
    """An offer is recorded once accepted: dated on the policy's last day (or any day
    after today) it is a clear error and changes nothing."""
    before = snapshot()
    response = sam.post(reverse("placement_create", args=[job_seeker.pk]), _offer_form(employer, "2100-12-31", ""))
    assert response.status_code == 200
    assert "not in the future" in response.content.decode()
    assert snapshot() == before


# 7. Ids of 2^63 and more: every multiple choice, single choice and URL id -----------


@pytest.mark.parametrize("bad", [str(HUGE), str(2**64), str(-(HUGE + 1)), "9" * 30, "²", "1e3"])
@pytest.mark.parametrize(
    "field", ["job_types", "industries", "avoid_job_types", "avoid_industries"], ids=lambda name: name
)
def test_a_huge_id_in_a_preference_multiple_choice_is_an_invalid_choice(sam, job_seeker, snapshot, field, bad):
    data = {
        "first_name": job_seeker.first_name,
        "last_name": job_seeker.last_name,
        "specialist": job_seeker.specialist_id,
        "status": job_seeker.status,
        f"preference-{field}": [str(JobType.objects.first().pk), bad]
        if "job_types" in field
        else [str(Industry.objects.first().pk), bad],
    }
    before = snapshot()
    response = sam.post(reverse("job_seeker_edit", args=[job_seeker.pk]), data)
    assert response.status_code == 200
    form = response.context["forms"][2]
    assert [error.code for error in form.errors.as_data()[field]] == ["invalid_choice"]
    assert snapshot() == before


@pytest.mark.parametrize("bad", [str(HUGE), str(2**64), "-" + str(HUGE + 1)])
def test_a_huge_id_among_the_job_seekers_of_a_planned_or_logged_contact_is_an_invalid_choice(
    sam, employer, job_seeker, snapshot, bad
):
    before = snapshot()
    response = _plan(sam, employer, job_seekers=[job_seeker.pk, bad])
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["job_seekers"]] == ["invalid_choice"]
    response = sam.post(
        reverse("contact_log"),
        {
            "employer": employer.pk,
            "mode": "phone",
            "purpose": "on_behalf",
            "job_seekers": [job_seeker.pk, bad],
            "day": "2026-03-02",
            "time": "10:00",
        },
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["job_seekers"]] == ["invalid_choice"]
    assert snapshot() == before


def test_a_huge_id_among_the_job_types_learned_at_a_contact_is_an_invalid_choice(sam, specialist_sam, employer):
    contact = EmployerContact.objects.create(
        organisation=employer.organisation,
        specialist=specialist_sam,
        employer=employer,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
        mode="in_person",
        purpose="relationship",
    )
    response = sam.post(
        reverse("contact_outcome", args=[contact.pk]),
        {"outcome-happened": "held", "outcome-nature": "introduction", "outcome-learned_job_types": [str(HUGE)]},
    )
    assert response.status_code == 200
    assert "learned_job_types" in _errors(response)
    contact.refresh_from_db()
    assert contact.status == EmployerContact.Status.PLANNED


@pytest.mark.parametrize("bad", [str(HUGE), str(2**64), "²"])
def test_a_huge_id_in_a_single_choice_is_an_invalid_choice(sam, job_seeker, employer, snapshot, bad):
    before = snapshot()
    for name in ("employer", "site", "job_type"):
        data = _offer_form(employer, "2026-03-02")
        data[name] = bad
        response = sam.post(reverse("placement_create", args=[job_seeker.pk]), data)
        assert response.status_code == 200
        assert name in _errors(response)
    for name in ("employer", "site", "contact_person"):
        response = _plan(sam, employer, extra={name: bad})
        assert response.status_code == 200
        assert name in _errors(response)
    assert snapshot() == before


@pytest.mark.parametrize("bad", [str(HUGE), str(2**64), "²", "٣"])
@pytest.mark.parametrize("parameter", ["employer", "job_seeker"])
def test_a_huge_or_unusual_id_in_a_query_parameter_is_ignored(sam, employer, job_seeker, parameter, bad):
    response = sam.get(reverse("contact_plan"), {parameter: bad})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name, args",
    [
        ("job_seeker_detail", [HUGE]),
        ("job_seeker_edit", [HUGE]),
        ("employer_detail", [HUGE]),
        ("employer_site_edit", [HUGE, HUGE]),
        ("placement_detail", [HUGE]),
        ("placement_create", [HUGE]),
        ("contact_detail", [HUGE]),
        ("calendar_visit_ics", [HUGE]),
        ("calendar_task_ics", [HUGE]),
        ("benefits_status", [HUGE, HUGE]),
        ("calendar_feed_rotate", [HUGE]),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_huge_id_in_a_url_is_not_found(sam, snapshot, name, args, method):
    before = snapshot()
    response = getattr(sam, method)(reverse(name, args=args))
    assert response.status_code in (404, 405)
    assert snapshot() == before


# 8. /login/?next=/login/ when logged in ---------------------------------------------


@pytest.mark.parametrize("next_url", ["/login/", "/login/?next=/login/", "login", "/logout/"])
def test_the_login_page_with_next_login_sends_a_logged_in_user_home_without_a_loop(sam, next_url):
    response = sam.get(reverse("login"), {"next": next_url}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("home"), 302), (reverse("my_week"), 302)]


@pytest.mark.parametrize("url", ["/job-seekers/", "/employers/", "/tasks/", "/admin/crm/eventhandling/"])
def test_a_nul_byte_in_a_query_string_is_a_bad_request(client_for, program_admin, url):
    """PostgreSQL refuses a NUL byte in a query: an admin search was a 500 there."""
    response = client_for(program_admin).get(url, {"q": "a\x00b"})
    assert response.status_code == 400


def test_refusals_name_fields_by_label_with_the_languages_punctuation():
    from django import forms as django_forms
    from django.utils import translation

    from crm.forms import errors_in_words

    class Form(django_forms.Form):
        due_time = django_forms.TimeField(label="Time")

    form = Form({"due_time": "nonsense"})
    assert errors_in_words(form) == "Time: Enter a valid time."
    with translation.override("fr"):
        form = Form({"due_time": "nonsense"})
        assert errors_in_words(form) == "Time\xa0: Saisissez une heure valide."
