"""/api/v1/job-seekers/, /referrals/, career profile and preferences."""

import datetime

import pytest
from django.utils import timezone

from crm import clock, services
from crm.access import access_scope
from crm.models import JobSeeker, OutboxEvent
from tests.factories import (
    CareerProfileFactory,
    JobPreferenceFactory,
    JobSeekerFactory,
    SharingConsentFactory,
)
from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = pytest.mark.django_db

PARTNER_FIELDS = {
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "postcode",
    "town",
    "referral_date",
    "receives_benefits",
    "referred_by_you",
    "updated_at",
}


@pytest.fixture
def sam(issue_token, specialist_sam):
    return bearer(issue_token(specialist_sam))


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


# Staff ------------------------------------------------------------------------------


def test_staff_read_their_ui_scope(api, specialist_sam, specialist_sofia, specialist_bob, leader_a, issue_token):
    sams = JobSeekerFactory(specialist=specialist_sam)
    sofias = JobSeekerFactory(specialist=specialist_sofia)
    JobSeekerFactory(specialist=specialist_bob)
    # Team cover: Sam reads Sofia's caseload too, as in the app.
    assert ids(api.get("/api/v1/job-seekers/", **bearer(issue_token(specialist_sam)))) == sorted([sams.pk, sofias.pk])
    expected = sorted(p.pk for p in access_scope(leader_a).job_seekers())
    assert ids(api.get("/api/v1/job-seekers/", **bearer(issue_token(leader_a)))) == expected


def test_staff_create_through_the_service(api, sam, specialist_sam):
    payload = {
        "first_name": "Ana",
        "last_name": "Silva",
        "referral_date": "2026-11-02",
        "enrolment_date": "2026-11-09",
        "specialist_id": specialist_sam.pk,
    }
    response = api.post("/api/v1/job-seekers/", payload, format="json", **sam)
    assert response.status_code == 201, response.content
    person = JobSeeker.objects.get(pk=response.json()["id"])
    assert person.specialist == specialist_sam
    assert person.history.count() == 1
    assert person.status_changes.count() == 1
    assert OutboxEvent.objects.filter(topic="jobseeker.enrolled", aggregate_id=person.pk).exists()
    assert response["Location"] == f"/api/v1/job-seekers/{person.pk}/"


def test_staff_patch_through_the_service_with_history_and_events(
    api, sam, specialist_sam, specialist_sofia, leader_a, issue_token
):
    person = JobSeekerFactory(specialist=specialist_sam)
    response = api.patch(f"/api/v1/job-seekers/{person.pk}/", {"town": "Aix"}, format="json", **sam)
    assert response.status_code == 200 and response.json()["town"] == "Aix"
    assert person.history.count() == 2
    leader = bearer(issue_token(leader_a))
    api.patch(f"/api/v1/job-seekers/{person.pk}/", {"specialist_id": specialist_sofia.pk}, format="json", **leader)
    assert OutboxEvent.objects.filter(topic="jobseeker.reassigned", aggregate_id=person.pk).exists()


def test_staff_set_in_education_and_read_when_disclosure_was_first_discussed(api, sam, specialist_sam):
    """`disclosure_discussed_on` is the service's: dated on the program's day the first
    time a preference is recorded, never taken from the body."""
    person = JobSeekerFactory(
        specialist=specialist_sam, disclosure_preference="undecided", disclosure_discussed_on=None
    )
    url = f"/api/v1/job-seekers/{person.pk}/"
    row = api.get(url, **sam).json()
    assert (row["in_education"], row["disclosure_discussed_on"]) == (False, None)
    response = api.patch(
        url,
        {"in_education": True, "disclosure_preference": "none", "disclosure_discussed_on": "2026-01-01"},
        format="json",
        **sam,
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.in_education is True
    assert person.disclosure_discussed_on == clock.program_today(person.organisation)
    assert response.json()["disclosure_discussed_on"] == person.disclosure_discussed_on.isoformat()
    assert_wrong_type = api.patch(url, {"in_education": "yes"}, format="json", **sam)
    assert assert_wrong_type.status_code == 400 and "in_education" in assert_wrong_type.json()["errors"]


def test_staff_cannot_edit_what_they_only_read(api, sam, specialist_sofia):
    sofias = JobSeekerFactory(specialist=specialist_sofia, town="Marseille")
    assert api.get(f"/api/v1/job-seekers/{sofias.pk}/", **sam).status_code == 200
    assert api.patch(f"/api/v1/job-seekers/{sofias.pk}/", {"town": "Aix"}, format="json", **sam).status_code == 404
    sofias.refresh_from_db()
    assert sofias.town == "Marseille"


def test_staff_cannot_set_the_status_or_unknown_fields(api, sam, specialist_sam):
    person = JobSeekerFactory(specialist=specialist_sam)
    response = api.patch(
        f"/api/v1/job-seekers/{person.pk}/", {"status": "closed", "organisation": 9}, format="json", **sam
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.status == "job_search"


def test_filters(api, sam, specialist_sam):
    working = JobSeekerFactory(specialist=specialist_sam, status="working")
    early = JobSeekerFactory(specialist=specialist_sam, referral_date=datetime.date(2026, 1, 5))
    assert ids(api.get("/api/v1/job-seekers/?status=working", **sam)) == [working.pk]
    assert ids(api.get("/api/v1/job-seekers/?referral_date_before=2026-02-01", **sam)) == [early.pk]
    assert ids(api.get(f"/api/v1/job-seekers/?specialist={specialist_sam.pk}&status=working", **sam)) == [working.pk]


def test_staff_list_query_count_does_not_grow(api, sam, specialist_sam, django_assert_max_num_queries):
    JobSeekerFactory.create_batch(3, specialist=specialist_sam)
    with django_assert_max_num_queries(6):
        assert len(ids(api.get("/api/v1/job-seekers/", **sam))) == 3
    JobSeekerFactory.create_batch(30, specialist=specialist_sam)
    with django_assert_max_num_queries(6):
        assert len(ids(api.get("/api/v1/job-seekers/?page_size=200", **sam))) == 33


# Career profile and preferences ----------------------------------------------------------


def test_career_profile_read_and_patch_as_staff(api, sam, specialist_sam):
    person = JobSeekerFactory(specialist=specialist_sam)
    empty = api.get(f"/api/v1/job-seekers/{person.pk}/career-profile/", **sam)
    assert empty.status_code == 200 and empty.json()["work_goal"] == ""
    response = api.patch(
        f"/api/v1/job-seekers/{person.pk}/career-profile/",
        {"work_goal": "Bakery", "coping_strategies": "Short breaks"},
        format="json",
        **sam,
    )
    assert response.status_code == 200
    assert response.json()["coping_strategies"] == "Short breaks"
    person.career_profile.refresh_from_db()
    assert person.career_profile.work_goal == "Bakery"
    assert person.career_profile.history.count() >= 1


def test_preferences_patch_through_the_service_rules(api, sam, specialist_sam):
    person = JobSeekerFactory(specialist=specialist_sam)
    JobPreferenceFactory(job_seeker=person)
    path = f"/api/v1/job-seekers/{person.pk}/preferences/"
    ok = api.patch(path, {"days": ["mon", "tue"], "shifts": ["morning"]}, format="json", **sam)
    assert ok.status_code == 200 and ok.json()["days"] == ["mon", "tue"]
    bad = api.patch(path, {"min_hours_per_week": 30, "max_hours_per_week": 10}, format="json", **sam)
    assert bad.status_code == 400
    assert bad.json()["errors"]
    unknown = api.patch(path, {"job_types": [999999], "days": ["someday"]}, format="json", **sam)
    assert unknown.status_code == 400
    assert set(unknown.json()["errors"]) == {"job_types", "days.0"}  # the list's first item


def test_nested_resources_of_people_out_of_scope_are_404(api, sam, specialist_louis):
    lyon = JobSeekerFactory(specialist=specialist_louis)
    CareerProfileFactory(job_seeker=lyon)
    assert api.get(f"/api/v1/job-seekers/{lyon.pk}/career-profile/", **sam).status_code == 404
    assert api.patch(f"/api/v1/job-seekers/{lyon.pk}/preferences/", {}, format="json", **sam).status_code == 404


# Partners ---------------------------------------------------------------------------


@pytest.fixture
def people(partner, other_partner, specialist_sam, specialist_bob):
    referred = JobSeekerFactory(specialist=specialist_sam, referred_by_partner=partner, email="ref@example.org")
    consented = JobSeekerFactory(specialist=specialist_bob)
    SharingConsentFactory(job_seeker=consented, partner=partner, shares_progress=True)
    not_yet = JobSeekerFactory(specialist=specialist_bob)
    SharingConsentFactory(
        job_seeker=not_yet, partner=partner, consented_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    others = JobSeekerFactory(specialist=specialist_bob, referred_by_partner=other_partner)
    nobody = JobSeekerFactory(specialist=specialist_sam)
    return {"referred": referred, "consented": consented, "not_yet": not_yet, "others": others, "nobody": nobody}


def test_a_partner_sees_whom_it_referred_or_holds_a_consent_about(api, partner, issue_key, people):
    key = bearer(issue_key(partner, ["jobseekers:read"]))
    assert ids(api.get("/api/v1/job-seekers/", **key)) == sorted([people["referred"].pk, people["consented"].pk])
    for name in ("others", "nobody", "not_yet"):
        assert api.get(f"/api/v1/job-seekers/{people[name].pk}/", **key).status_code == 404


def test_a_partner_reads_the_referral_fields_only(api, partner, issue_key, people):
    key = bearer(issue_key(partner, ["jobseekers:read"]))
    body = api.get(f"/api/v1/job-seekers/{people['referred'].pk}/", **key).json()
    assert set(body) == PARTNER_FIELDS
    assert body["referred_by_you"] is True
    assert api.get(f"/api/v1/job-seekers/{people['consented'].pk}/", **key).json()["referred_by_you"] is False


def test_withdrawal_takes_effect_at_the_next_request(api, partner, issue_key, people, specialist_bob):
    key = bearer(issue_key(partner, ["jobseekers:read"]))
    person = people["consented"]
    assert api.get(f"/api/v1/job-seekers/{person.pk}/", **key).status_code == 200
    consent = person.sharing_consents.get()
    services.sharing_consent_withdraw(scope=access_scope(specialist_bob), consent_id=consent.pk)
    assert api.get(f"/api/v1/job-seekers/{person.pk}/", **key).status_code == 404


def test_partner_keys_of_another_program_see_nothing_here(api, other_organisation, issue_key, people):
    from tests.factories import PartnerFactory

    lyon = PartnerFactory(organisation=other_organisation)
    key = bearer(issue_key(lyon, ["jobseekers:read"]))
    assert ids(api.get("/api/v1/job-seekers/", **key)) == []
    assert api.get(f"/api/v1/job-seekers/{people['referred'].pk}/", **key).status_code == 404


def test_partners_cannot_write_job_seekers(api, partner, issue_key, people):
    key = bearer(issue_key(partner))
    response = api.patch(f"/api/v1/job-seekers/{people['referred'].pk}/", {"town": "Aix"}, format="json", **key)
    assert response.status_code == 403


def test_partner_list_query_count_does_not_grow(api, partner, issue_key, specialist_sam, django_assert_max_num_queries):
    key = bearer(issue_key(partner, ["jobseekers:read"]))
    JobSeekerFactory.create_batch(2, specialist=specialist_sam, referred_by_partner=partner)
    with django_assert_max_num_queries(5):
        api.get("/api/v1/job-seekers/", **key)
    for person in JobSeekerFactory.create_batch(20, specialist=specialist_sam):
        SharingConsentFactory(job_seeker=person, partner=partner)
    with django_assert_max_num_queries(5):
        assert len(ids(api.get("/api/v1/job-seekers/", **key))) == 22


# Referrals --------------------------------------------------------------------------


def test_a_partner_refers_a_person(api, partner, issue_key, specialist_sam):
    key = bearer(issue_key(partner, ["referrals:write", "jobseekers:read"]))
    response = api.post(
        "/api/v1/referrals/",
        {"first_name": "Ana", "last_name": "Silva", "email": "ana@example.org", "receives_benefits": "yes"},
        format="json",
        **key,
    )
    assert response.status_code == 201, response.content
    person = JobSeeker.objects.get()
    assert person.referred_by_partner == partner and person.specialist == specialist_sam
    assert person.referral_source == "mental_health_team"
    assert set(response.json()) == PARTNER_FIELDS
    assert api.get(response["Location"], **key).json() == response.json()


def test_referrals_need_the_grant_and_a_partner(api, partner, issue_key, sam):
    body = {"first_name": "Ana", "last_name": "Silva"}
    assert (
        api.post(
            "/api/v1/referrals/", body, format="json", **bearer(issue_key(partner, ["jobseekers:read"]))
        ).status_code
        == 403
    )
    staff = api.post("/api/v1/referrals/", body, format="json", **sam)
    assert staff.status_code == 403 and "/api/v1/job-seekers/" in staff.json()["detail"]
    assert api.get("/api/v1/referrals/", **bearer(issue_key(partner))).status_code == 405


def test_a_referral_cannot_set_more_than_referral_fields(api, partner, issue_key):
    key = bearer(issue_key(partner, ["referrals:write"]))
    response = api.post(
        "/api/v1/referrals/",
        {
            "first_name": "Ana",
            "last_name": "Silva",
            "specialist_id": 1,
            "status": "closed",
            "disclosure_preference": "full",
        },
        format="json",
        **key,
    )
    assert response.status_code == 201
    person = JobSeeker.objects.get()
    assert person.status == "job_search" and person.disclosure_preference != "full"


def test_a_referral_with_an_insane_date_is_400(api, partner, issue_key):
    key = bearer(issue_key(partner, ["referrals:write"]))
    response = api.post(
        "/api/v1/referrals/", {"first_name": "A", "last_name": "B", "referral_date": "1850-01-01"}, format="json", **key
    )
    assert response.status_code == 400
    assert "referral_date" in response.json()["errors"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"first_name": "Ana", "last_name": "Silva", "town": 0}, "town"),
        ({"first_name": 12, "last_name": "Silva"}, "first_name"),
        ({"first_name": "Ana", "last_name": "Silva", "referral_date": 20261102}, "referral_date"),
        ({"first_name": "Ana", "last_name": "Silva", "receives_benefits": True}, "receives_benefits"),
    ],
)
def test_input_of_the_wrong_json_type_is_refused_not_coerced(api, partner, issue_key, body, field):
    response = api.post("/api/v1/referrals/", body, format="json", **bearer(issue_key(partner, ["referrals:write"])))
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not JobSeeker.objects.exists()


def test_staff_input_types_are_checked_too(api, sam, specialist_sam):
    person = JobSeekerFactory(specialist=specialist_sam)
    response = api.patch(
        f"/api/v1/job-seekers/{person.pk}/", {"specialist_id": str(specialist_sam.pk)}, format="json", **sam
    )
    assert response.status_code == 400 and "specialist_id" in response.json()["errors"]
    response = api.patch(
        f"/api/v1/job-seekers/{person.pk}/preferences/",
        {"job_types": ["1"], "min_hourly_pay": 12.5, "min_hours_per_week": "10"},
        format="json",
        **sam,
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"job_types", "min_hourly_pay", "min_hours_per_week"}
    ok = api.patch(f"/api/v1/job-seekers/{person.pk}/preferences/", {"min_hourly_pay": "12.50"}, format="json", **sam)
    assert ok.status_code == 200 and ok.json()["min_hourly_pay"] == "12.50"


def test_creating_names_the_specialist_a_program_admin_included(api, program_admin, issue_token, specialist_bob):
    admin = bearer(issue_token(program_admin))
    body = {"first_name": "Ana", "last_name": "Silva", "referral_date": "2026-11-02"}
    missing = api.post("/api/v1/job-seekers/", body, format="json", **admin)
    assert missing.status_code == 400 and list(missing.json()["errors"]) == ["specialist_id"]
    created = api.post("/api/v1/job-seekers/", {**body, "specialist_id": specialist_bob.pk}, format="json", **admin)
    assert created.status_code == 201 and created.json()["specialist_id"] == specialist_bob.pk
