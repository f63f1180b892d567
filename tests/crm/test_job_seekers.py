import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils.formats import date_format

from crm.models import JobPreference, JobSeeker, JobType
from tests.factories import JobPreferenceFactory, JobSeekerFactory


def valid_form(**overrides):
    data = {
        "first_name": "Nadia",
        "last_name": "Benali",
        "referral_date": "2026-10-01",
        "enrolment_date": "2026-10-05",
        "referral_source": "mental_health_team",
        "receives_benefits": "yes",
        "disclosure_preference": "undecided",
        "preference-min_hours_per_week": "15",
        "preference-max_hours_per_week": "25",
        "preference-days": ["mon", "tue"],
        "preference-shifts": ["morning"],
        "preference-job_types": [JobType.objects.get(code="baker").pk],
        "preference-min_hourly_pay": "12.00",
        "profile-work_goal": "Travailler dans une boulangerie",
        "profile-strengths": "Ponctuelle",
    }
    data.update(overrides)
    return data


def test_specialist_creates_job_seeker_with_preferences(client_for, specialist_sam):
    client = client_for(specialist_sam)
    response = client.post(reverse("job_seeker_create"), valid_form(specialist=specialist_sam.pk))
    job_seeker = JobSeeker.objects.get(last_name="Benali")
    assert response.status_code == 302 and response.url == reverse("job_seeker_detail", args=[job_seeker.pk])
    assert job_seeker.specialist == specialist_sam
    assert job_seeker.organisation == specialist_sam.organisation
    assert job_seeker.job_preference.days == ["mon", "tue"]
    assert [t.code for t in job_seeker.job_preference.job_types.all()] == ["baker"]
    assert job_seeker.career_profile.work_goal == "Travailler dans une boulangerie"
    assert job_seeker.status_changes.get().to_status == "job_search"
    page = client.get(response.url).content.decode()
    assert "Baker or pastry cook" in page and "Monday" in page


def test_specialist_cannot_assign_to_someone_else(client_for, specialist_sam, specialist_bob):
    client = client_for(specialist_sam)
    response = client.post(reverse("job_seeker_create"), valid_form(specialist=specialist_bob.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not JobSeeker.objects.exists()


def test_team_leader_assigns_to_team_specialist(client_for, leader_a, specialist_sofia):
    response = client_for(leader_a).post(reverse("job_seeker_create"), valid_form(specialist=specialist_sofia.pk))
    assert response.status_code == 302
    assert JobSeeker.objects.get().specialist == specialist_sofia


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"enrolment_date": "2026-09-01"}, "The enrolment date cannot be before the referral date."),
        ({"referral_date": "31/31/2026"}, "Enter a valid date."),
        ({"first_name": ""}, "This field is required."),
        ({"first_name": "x" * 101}, "Ensure this value has at most 100 characters"),
        (
            {"preference-min_hours_per_week": "30", "preference-max_hours_per_week": "10"},
            "maximum hours cannot be below",
        ),
        ({"preference-max_hours_per_week": "abc"}, "Enter a whole number."),
        ({"preference-max_hours_per_week": "200"}, "less than or equal to 80"),
        ({"preference-days": ["someday"]}, "Select a valid choice"),
        ({"preference-job_types": ["999999"]}, "Select a valid choice"),
        ({"preference-avoid_job_types": None}, "cannot be both wanted and avoided"),
        ({"profile-work_goal": "x" * 2001}, "at most 2000 characters"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_bad_input_shows_error_and_changes_nothing(client_for, specialist_sam, overrides, message):
    if overrides.get("preference-avoid_job_types", "") is None:
        overrides["preference-avoid_job_types"] = [JobType.objects.get(code="baker").pk]
    response = client_for(specialist_sam).post(
        reverse("job_seeker_create"), valid_form(specialist=specialist_sam.pk, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not JobSeeker.objects.exists()


def test_edit_keeps_audit_history_visible_to_team_leader(client_for, specialist_sam, leader_a):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", phone="0600000000")
    JobPreferenceFactory(job_seeker=job_seeker)
    client = client_for(specialist_sam)
    data = valid_form(
        specialist=specialist_sam.pk, first_name="Nadia", last_name=job_seeker.last_name, phone="0611111111"
    )
    assert client.post(reverse("job_seeker_edit", args=[job_seeker.pk]), data).status_code == 302
    job_seeker.refresh_from_db()
    assert job_seeker.phone == "0611111111"
    latest = job_seeker.history.latest()
    assert latest.history_user == specialist_sam
    # The specialist does not see the audit history; the team leader does.
    assert "Audit history" not in client.get(reverse("job_seeker_detail", args=[job_seeker.pk])).content.decode()
    page = client_for(leader_a).get(reverse("job_seeker_detail", args=[job_seeker.pk])).content.decode()
    assert "Audit history" in page and "0600000000" in page and "0611111111" in page


def test_status_change_is_recorded(client_for, specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    client = client_for(specialist_sam)
    response = client.post(
        reverse("job_seeker_status", args=[job_seeker.pk]), {"status": "closed", "note": "Moved away"}
    )
    assert response.status_code == 302
    job_seeker.refresh_from_db()
    assert job_seeker.status == "closed"
    change = job_seeker.status_changes.get()
    assert (change.from_status, change.to_status, change.note, change.changed_by) == (
        "job_search",
        "closed",
        "Moved away",
        specialist_sam,
    )


def test_unknown_status_changes_nothing(client_for, specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    response = client_for(specialist_sam).post(
        reverse("job_seeker_status", args=[job_seeker.pk]), {"status": "fired"}, follow=True
    )
    assert "The status was not changed" in response.content.decode()
    job_seeker.refresh_from_db()
    assert job_seeker.status == "job_search" and not job_seeker.status_changes.exists()


class TestList:
    def test_search_and_filters(self, client_for, specialist_sam, specialist_sofia):
        JobSeekerFactory(specialist=specialist_sam, first_name="Amina", last_name="Haddad")
        JobSeekerFactory(specialist=specialist_sofia, first_name="Julien", last_name="Moreau", status="working")
        client = client_for(specialist_sam)
        page = client.get(reverse("job_seeker_list"), {"q": "hadd"}).content.decode()
        assert "Amina" in page and "Julien" not in page
        page = client.get(reverse("job_seeker_list"), {"status": "working"}).content.decode()
        assert "Julien" in page and "Amina" not in page
        page = client.get(reverse("job_seeker_list"), {"specialist": specialist_sam.pk}).content.decode()
        assert "Amina" in page and "Julien" not in page

    @pytest.mark.parametrize(
        "params",
        [
            {"specialist": "abc"},
            {"specialist": "99999999999999999999"},
            {"status": "nope"},
            {"page": "x"},
            {"page": "-3"},
            {"q": "x" * 500},
            {"specialist": "1", "status": ["a", "b"]},
        ],
    )
    def test_wrong_query_strings_never_fail(self, client_for, specialist_sam, params):
        JobSeekerFactory(specialist=specialist_sam)
        response = client_for(specialist_sam).get(reverse("job_seeker_list"), params)
        assert response.status_code == 200

    def test_filter_from_another_team_is_rejected_not_leaked(self, client_for, specialist_sam, specialist_bob):
        JobSeekerFactory(specialist=specialist_bob, first_name="Bobette")
        page = (
            client_for(specialist_sam)
            .get(reverse("job_seeker_list"), {"specialist": specialist_bob.pk})
            .content.decode()
        )
        assert "Bobette" not in page
        assert "Some filters were not understood" in page

    def test_query_count_does_not_grow_with_rows(self, client_for, specialist_sam, django_assert_max_num_queries):
        for _ in range(30):
            JobSeekerFactory(specialist=specialist_sam)
        client = client_for(specialist_sam)
        with django_assert_max_num_queries(10):
            client.get(reverse("job_seeker_list"))

    def test_htmx_request_returns_only_rows(self, client_for, specialist_sam):
        JobSeekerFactory(specialist=specialist_sam, first_name="Amina")
        response = client_for(specialist_sam).get(reverse("job_seeker_list"), HTTP_HX_REQUEST="true")
        content = response.content.decode()
        assert "Amina" in content and "<html" not in content


def test_detail_query_count_is_bounded(client_for, leader_a, specialist_sam, django_assert_max_num_queries):
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    preference = JobPreferenceFactory(job_seeker=job_seeker)
    preference.job_types.set(JobType.objects.all()[:5])
    client = client_for(leader_a)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("job_seeker_detail", args=[job_seeker.pk])).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/job-seekers/99999999999999999999/",
        "/job-seekers/0/",
        "/job-seekers/abc/",
        "/employers/99999999999999999999/edit/",
    ],
)
def test_unknown_ids_answer_404(client_for, specialist_sam, path):
    assert client_for(specialist_sam).get(path).status_code == 404


def test_database_rejects_enrolment_before_referral(specialist_sam):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        JobSeekerFactory(
            specialist=specialist_sam, referral_date=datetime.date(2026, 5, 1), enrolment_date=datetime.date(2026, 4, 1)
        )


def test_database_rejects_reversed_hours(specialist_sam):
    from django.db import IntegrityError, transaction

    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    with pytest.raises(IntegrityError), transaction.atomic():
        JobPreference.objects.create(job_seeker=job_seeker, min_hours_per_week=30, max_hours_per_week=10)


def test_audit_history_shows_readable_changes_with_bounded_queries(
    client_for, leader_a, specialist_sam, specialist_sofia, django_assert_max_num_queries
):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, receives_benefits="unknown")
    preference = JobPreferenceFactory(job_seeker=job_seeker)
    for code in ["baker", "cook", "waiter", "cashier"]:
        preference.job_types.add(JobType.objects.get(code=code))
        preference.save()
    for index in range(5):
        job_seeker.phone = f"060000000{index}"
        job_seeker.save()
    job_seeker.specialist = specialist_sofia
    job_seeker.receives_benefits = "yes"
    job_seeker.save()
    client = client_for(leader_a)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("job_seeker_detail", args=[job_seeker.pk])).content.decode()
    assert f"{specialist_sam} → {specialist_sofia}" in page
    assert "Unknown → Yes" in page
    assert "0600000003 → 0600000004" in page


def test_enrolment_emits_one_event_and_starts_the_job_search_clock(client_for, specialist_sam):
    from crm.models import OutboxEvent

    client = client_for(specialist_sam)
    client.post(reverse("job_seeker_create"), valid_form(specialist=specialist_sam.pk))
    job_seeker = JobSeeker.objects.get()
    assert job_seeker.job_search_since == datetime.date(2026, 10, 5)
    event = OutboxEvent.objects.get(topic="jobseeker.enrolled")
    assert event.payload == {"job_seeker_id": job_seeker.pk, "job_search_since": "2026-10-05", "reentry": False}


def test_enrolment_date_added_later_emits_the_event_then(client_for, specialist_sam):
    from crm.models import OutboxEvent

    client = client_for(specialist_sam)
    client.post(reverse("job_seeker_create"), valid_form(specialist=specialist_sam.pk, enrolment_date=""))
    job_seeker = JobSeeker.objects.get()
    assert not OutboxEvent.objects.exists()
    data = valid_form(specialist=specialist_sam.pk, enrolment_date="2026-10-20")
    client.post(reverse("job_seeker_edit", args=[job_seeker.pk]), data)
    client.post(reverse("job_seeker_edit", args=[job_seeker.pk]), data)
    assert OutboxEvent.objects.filter(topic="jobseeker.enrolled").count() == 1
    job_seeker.refresh_from_db()
    assert job_seeker.job_search_since == datetime.date(2026, 10, 20)


@time_machine.travel(datetime.datetime(2026, 10, 20, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_in_education_and_the_disclosure_talks_date_on_the_pages(client_for, specialist_sam):
    """The first preference other than "not yet discussed" dates the talk (crm.services,
    on the program's day: 20 October 2026); the form shows that date beside the
    preference, never as a field to fill in."""
    client = client_for(specialist_sam)
    response = client.post(reverse("job_seeker_create"), valid_form(specialist=specialist_sam.pk, in_education="on"))
    job_seeker = JobSeeker.objects.get(last_name="Benali")
    assert (job_seeker.in_education, job_seeker.disclosure_discussed_on) == (True, None)
    page = client.get(response.url).content.decode()
    assert "<dt>In education or training</dt><dd>Yes</dd>" in page and "first discussed on" not in page
    edit = client.get(reverse("job_seeker_edit", args=[job_seeker.pk])).content.decode()
    assert "Choosing a preference records today as the day disclosure was first discussed." in edit
    assert 'name="disclosure_discussed_on"' not in edit
    client.post(
        reverse("job_seeker_edit", args=[job_seeker.pk]),
        valid_form(specialist=specialist_sam.pk, disclosure_preference="partial", disclosure_discussed_on="2026-01-01"),
    )
    job_seeker.refresh_from_db()
    assert (job_seeker.in_education, job_seeker.disclosure_discussed_on) == (False, datetime.date(2026, 10, 20))
    day = date_format(datetime.date(2026, 10, 20), "DATE_FORMAT")
    assert f"first discussed on {day}" in client.get(response.url).content.decode()
    edit = client.get(reverse("job_seeker_edit", args=[job_seeker.pk])).content.decode()
    assert f"First discussed on {day}." in edit
