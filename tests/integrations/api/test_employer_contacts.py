"""/api/v1/employer-contacts/: the employer contact log, staff only, through
jobdev.services (plan, log, reschedule, cancel, hold), with the UI's events."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from crm.models import OutboxEvent
from integrations.api.grants import ALL_GRANTS
from jobdev.models import EmployerContact
from tests.factories import (
    ContactPersonFactory,
    EmployerContactFactory,
    EmployerFactory,
    EmployerSiteFactory,
    JobSeekerFactory,
    PartnerFactory,
)
from tests.integrations.api.test_placements_fixtures import Api, assert_problem, key_for, lift_throttles, token_for

URL = "/api/v1/employer-contacts/"


@pytest.fixture(autouse=True)
def _throttles(settings):
    lift_throttles(settings)


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def sam_token(specialist_sam):
    return token_for(specialist_sam)


@pytest.fixture
def employer(organisation):
    return EmployerFactory(organisation=organisation, name="Boulangerie du Port")


@pytest.fixture
def nadia(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, first_name="Nadia")


def _at(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def planned(specialist_sam, employer, nadia):
    return EmployerContactFactory(
        specialist=specialist_sam,
        employer=employer,
        starts_at=_at(-1),
        ends_at=_at(-1, 11),
        purpose="on_behalf",
        job_seekers=[nadia],
    )


def test_list_is_the_programs_log_naming_only_visible_job_seekers(
    api, specialist_sam, specialist_bob, employer, nadia, specialist_louis, django_assert_max_num_queries
):
    bobs_person = JobSeekerFactory(specialist=specialist_bob)
    for days in range(6):
        EmployerContactFactory(
            specialist=specialist_bob, employer=employer, starts_at=_at(days), ends_at=_at(days, 11),
            purpose="on_behalf", job_seekers=[bobs_person],
        )  # fmt: skip
    EmployerContactFactory(specialist=specialist_louis)  # another program
    token = token_for(specialist_sam)
    with django_assert_max_num_queries(9):
        response = api.get(URL, token)
    rows = response.json()["results"]
    assert len(rows) == 6
    # Sam reads team A's caseloads, not Bob's (team B): the contacts are shared, the people are not.
    assert {tuple(row["job_seekers"]) for row in rows} == {()}
    assert rows[0]["specialist"]["id"] == specialist_bob.pk
    bob_rows = api.get(URL, token_for(specialist_bob)).json()["results"]
    assert {tuple(row["job_seekers"]) for row in bob_rows} == {(bobs_person.pk,)}


def test_list_query_count_is_constant(api, specialist_sam, employer, nadia, django_assert_max_num_queries):
    token = token_for(specialist_sam)
    for days in range(30):
        EmployerContactFactory(
            specialist=specialist_sam, employer=employer, starts_at=_at(days), ends_at=_at(days, 11),
            site=EmployerSiteFactory(employer=employer), contact_person=ContactPersonFactory(employer=employer),
            purpose="on_behalf", job_seekers=[nadia, JobSeekerFactory(specialist=specialist_sam)],
        )  # fmt: skip
    with django_assert_max_num_queries(9):
        response = api.get(URL, token, {"page_size": 200})
    assert len(response.json()["results"]) == 30


def test_filters(api, sam_token, specialist_sam, specialist_bob, employer, nadia, planned):
    other = EmployerFactory(organisation=employer.organisation)
    EmployerContactFactory(specialist=specialist_bob, employer=other, starts_at=_at(5), ends_at=_at(5, 11))
    ids = lambda params: [row["id"] for row in api.get(URL, sam_token, params).json()["results"]]  # noqa: E731
    assert ids({"employer": employer.pk}) == [planned.pk]
    assert ids({"specialist": specialist_sam.pk}) == [planned.pk]
    assert ids({"job_seeker": nadia.pk}) == [planned.pk]
    assert ids({"status": "planned", "starts_after": _at(2).isoformat()}) != [planned.pk]
    assert ids({"starts_before": _at(0).isoformat()}) == [planned.pk]
    assert ids({"status": ["held", "cancelled"]}) == []


@pytest.mark.parametrize(
    "params",
    [
        {"status": "maybe"},
        {"specialist": "sam"},
        {"starts_after": "yesterday"},
        {"employer": "NaN"},
    ],
)
def test_bad_filters_are_400(api, sam_token, planned, params):
    assert_problem(api.get(URL, sam_token, params), 400)


@pytest.mark.parametrize("value", ["99999999999999999999999", "9223372036854775808", "-1"])
def test_huge_filter_ids_find_nothing_or_400(api, sam_token, planned, value):
    response = api.get(URL, sam_token, {"employer": value, "job_seeker": value, "specialist": value})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["results"] == []


def test_partner_keys_get_403(api, organisation, program_admin, planned):
    key = key_for(PartnerFactory(organisation=organisation, referrals_to=program_admin), program_admin, ALL_GRANTS)
    assert_problem(api.get(URL, key), 403)
    assert_problem(api.get(f"{URL}{planned.pk}/", key), 403)
    assert_problem(api.post(f"{URL}{planned.pk}/cancel/", key, {"reason": "no"}), 403)


def test_another_programs_contact_is_404(api, sam_token, specialist_louis):
    lyon = EmployerContactFactory(specialist=specialist_louis)
    assert_problem(api.get(f"{URL}{lyon.pk}/", sam_token), 404)
    assert_problem(api.post(f"{URL}{lyon.pk}/cancel/", sam_token, {"reason": "mine"}), 404)


def test_plan_a_visit(api, sam_token, specialist_sam, employer, nadia):
    site = EmployerSiteFactory(employer=employer)
    response = api.post(
        URL,
        sam_token,
        {
            "employer": employer.pk,
            "site": site.pk,
            "starts_at": _at(3).isoformat(),
            "duration_minutes": 60,
            "job_seekers": [nadia.pk],
            "next_step": "Introduce Nadia",
        },
    )
    assert response.status_code == 201, response.content
    contact = EmployerContact.objects.get(pk=response.json()["id"])
    assert contact.specialist == specialist_sam
    assert contact.status == "planned"
    assert contact.nature == "first"
    assert list(contact.job_seekers.all()) == [nadia]
    assert response.json()["job_seekers"] == [nadia.pk]
    assert response["Location"].endswith(f"{URL}{contact.pk}/")


def test_planning_for_someone_disclosure_was_not_discussed_with_needs_disclosure_confirmed(
    api, sam_token, specialist_sam, employer, nadia
):
    """Fidelity item "disclosure": a 400 naming the person under `job_seekers`, nothing
    planned; the same body with `disclosure_confirmed` goes ahead."""
    ines = JobSeekerFactory(
        specialist=specialist_sam,
        first_name="Inès",
        last_name="Morel",
        disclosure_preference="undecided",
        disclosure_discussed_on=None,
    )
    body = {
        "employer": employer.pk,
        "starts_at": _at(3).isoformat(),
        "duration_minutes": 60,
        "job_seekers": [nadia.pk, ines.pk],
    }
    problem = assert_problem(api.post(URL, sam_token, body), 400, "job_seekers")
    assert problem["type"].endswith(":validation")
    (message,) = problem["errors"]["job_seekers"]
    assert "Inès Morel" in message and "Nadia" not in message
    assert not EmployerContact.objects.exists()
    assert_problem(api.post(URL, sam_token, {**body, "disclosure_confirmed": "yes"}), 400, "disclosure_confirmed")
    created = api.post(URL, sam_token, {**body, "disclosure_confirmed": True})
    assert created.status_code == 201, created.content
    assert set(created.json()["job_seekers"]) == {nadia.pk, ines.pk}


def test_plan_for_someone_elses_job_seeker_is_a_field_error(api, sam_token, specialist_bob, employer):
    bobs = JobSeekerFactory(specialist=specialist_bob)
    body = {"employer": employer.pk, "starts_at": _at(3).isoformat()}
    assert_problem(api.post(URL, sam_token, {**body, "job_seekers": [bobs.pk]}), 400, "job_seekers")
    assert_problem(api.post(URL, sam_token, {**body, "purpose": "on_behalf"}), 400, "job_seekers")


def test_plan_with_another_programs_employer_is_a_field_error(api, sam_token, other_organisation):
    lyon = EmployerFactory(organisation=other_organisation)
    body = {"employer": lyon.pk, "starts_at": _at(3).isoformat()}
    assert_problem(api.post(URL, sam_token, {**body, "purpose": "relationship"}), 400, "employer")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "9999-12-31T23:59:59-12:00"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:00:00+14:00"}, "starts_at"),
        ({"starts_at": "1999-12-31T10:00:00Z"}, "starts_at"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"duration_minutes": "60"}, "duration_minutes"),
        ({"mode": "carrier pigeon"}, "mode"),
        ({"employer": "twelve"}, "employer"),
        ({"employer": 99999999999999999999999}, "employer"),
        ({"job_seekers": "all"}, "job_seekers"),
        ({"job_seekers": [1.5]}, "job_seekers"),
        ({"job_seekers": ["12"]}, "job_seekers"),
        ({"confirmed": "yes"}, "confirmed"),
        ({"employer": True}, "employer"),
    ],
)
def test_bad_plans_are_400_on_their_field(api, sam_token, employer, body, field):
    valid = {
        "employer": employer.pk,
        "starts_at": _at(3).isoformat(),
        "purpose": "relationship",
    }
    assert_problem(api.post(URL, sam_token, {**valid, **body}), 400, field)


def test_errors_in_french(api, sam_token, other_organisation):
    lyon = EmployerFactory(organisation=other_organisation)
    body = {"employer": lyon.pk, "starts_at": _at(3).isoformat(), "purpose": "relationship"}
    english = assert_problem(api.post(URL, sam_token, body), 400, "employer")
    french = assert_problem(api.post(URL, sam_token, body, Accept_Language="fr-FR,fr;q=0.9"), 400, "employer")
    assert english["errors"]["employer"] == ["Choose one of your program's employers."]
    assert french["errors"]["employer"] != english["errors"]["employer"]
    too_long = assert_problem(
        api.post(URL, sam_token, {**body, "duration_minutes": 800}, Accept_Language="fr"), 400, "duration_minutes"
    )
    assert too_long["errors"]["duration_minutes"] == ["Assurez-vous que cette valeur est inférieure ou égale à 720."]


def test_log_a_call_emits_held(api, sam_token, specialist_sam, employer, nadia):
    person = ContactPersonFactory(employer=employer)
    response = api.post(
        f"{URL}log/",
        sam_token,
        {
            "employer": employer.pk,
            "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
            "mode": "phone",
            "purpose": "on_behalf",
            "job_seekers": [nadia.pk],
            "contact_person": person.pk,
            "result": "They will call back",
            "next_step": "Send Nadia's CV",
            "next_step_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    contact = EmployerContact.objects.get(pk=response.json()["id"])
    assert (contact.status, contact.mode, contact.contact_person) == ("held", "phone", person)
    assert contact.result == "They will call back"
    event = OutboxEvent.objects.get(topic="employer_contact.held")
    assert event.payload["employer_contact_id"] == contact.pk
    assert event.payload["job_seeker_ids"] == [nadia.pk]
    assert event.actor == specialist_sam


def test_log_in_the_future_is_refused(api, sam_token, employer):
    body = {
        "employer": employer.pk,
        "occurred_at": (timezone.now() + datetime.timedelta(days=1)).isoformat(),
        "mode": "phone",
        "purpose": "relationship",
    }
    assert_problem(api.post(f"{URL}log/", sam_token, body), 400, "occurred_at")
    assert not EmployerContact.objects.exists()


def test_hold_with_if_match_emits_the_same_event_as_the_ui(api, sam_token, specialist_sam, planned, nadia):
    etag = api.get(f"{URL}{planned.pk}/", sam_token)["ETag"]
    response = api.post(
        f"{URL}{planned.pk}/hold/",
        sam_token,
        {"nature": "second", "learned_job_types": ["kitchen_helper"], "result": "Trial morning agreed"},
        If_Match=etag,
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "held"
    assert response.json()["learned_job_types"] == ["kitchen_helper"]
    planned.refresh_from_db()
    assert (planned.status, planned.nature, planned.sequence) == ("held", "second", 1)
    event = OutboxEvent.objects.get(topic="employer_contact.held", aggregate_id=planned.pk)
    assert event.payload["job_seeker_ids"] == [nadia.pk]
    assert event.actor == specialist_sam
    # The stale ETag no longer matches.
    assert_problem(api.post(f"{URL}{planned.pk}/cancel/", sam_token, {"reason": "x"}, If_Match=etag), 412)


def test_a_no_show_emits_nothing(api, sam_token, planned):
    response = api.post(f"{URL}{planned.pk}/hold/", sam_token, {"no_show": True})
    assert response.json()["status"] == "no_show"
    assert not OutboxEvent.objects.filter(topic="employer_contact.held").exists()


def test_hold_a_future_contact_is_refused(api, sam_token, specialist_sam, employer):
    future = EmployerContactFactory(specialist=specialist_sam, employer=employer, starts_at=_at(3), ends_at=_at(3, 11))
    body = assert_problem(api.post(f"{URL}{future.pk}/hold/", sam_token, {}), 400)
    assert body["errors"]["non_field_errors"]


def test_reschedule_and_if_match(api, sam_token, planned):
    etag = api.get(f"{URL}{planned.pk}/", sam_token)["ETag"]
    body = {"starts_at": _at(4, 14).isoformat(), "duration_minutes": 45, "confirmed": True}
    assert_problem(api.post(f"{URL}{planned.pk}/reschedule/", sam_token, body, If_Match='"stale"'), 412)
    response = api.post(f"{URL}{planned.pk}/reschedule/", sam_token, body, If_Match=etag)
    assert response.status_code == 200, response.content
    planned.refresh_from_db()
    assert planned.starts_at == _at(4, 14)
    assert planned.ends_at == _at(4, 14) + datetime.timedelta(minutes=45)
    assert planned.confirmed is True
    assert planned.sequence == 1


def test_cancel_needs_a_reason(api, sam_token, planned):
    assert_problem(api.post(f"{URL}{planned.pk}/cancel/", sam_token, {"reason": ""}), 400, "reason")
    response = api.post(f"{URL}{planned.pk}/cancel/", sam_token, {"reason": "The manager is on leave"})
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "The manager is on leave"
    again = assert_problem(api.post(f"{URL}{planned.pk}/cancel/", sam_token, {"reason": "twice"}), 409)
    assert again["errors"]["non_field_errors"]


def test_a_colleagues_contact_is_read_but_not_changed(api, specialist_sofia, planned):
    token = token_for(specialist_sofia)
    assert api.get(f"{URL}{planned.pk}/", token).status_code == 200
    assert_problem(api.post(f"{URL}{planned.pk}/cancel/", token, {"reason": "not mine"}), 404)
    planned.refresh_from_db()
    assert planned.status == "planned"


def test_the_team_leader_may_change_it(api, leader_a, planned):
    response = api.post(f"{URL}{planned.pk}/cancel/", token_for(leader_a), {"reason": "Covered by Léa"})
    assert response.status_code == 200


def test_idempotent_plan(api, sam_token, employer):
    body = {
        "employer": employer.pk,
        "starts_at": _at(3).isoformat(),
        "purpose": "relationship",
    }
    first = api.post(URL, sam_token, body, Idempotency_Key="plan-1")
    again = api.post(URL, sam_token, body, Idempotency_Key="plan-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert EmployerContact.objects.count() == 1
    assert_problem(api.post(URL, sam_token, {**body, "confirmed": True}, Idempotency_Key="plan-1"), 422)


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"starts_after": "9999-12-31T23:59:59-12:00"}, False),
        ({"starts_before": "0001-01-01T00:00:00+14:00"}, False),
        ({"starts_after": "0001-01-01T00:00:00+14:00"}, True),
        ({"employer": "-5.4e98"}, False),
        ({"job_seeker": "1e400"}, False),
        ({"specialist": "1.5"}, False),
    ],
)
def test_extreme_filter_values_answer_rows_or_none_never_500(api, sam_token, planned, params, found):
    response = api.get(URL, sam_token, params)
    assert response.status_code == 200, response.content
    assert bool(response.json()["results"]) is found


@pytest.mark.parametrize(
    "value", ["2026-11-30", "2026-11-30 10:00", "2026-11-30T10:00:00", "30/11/2026 10:00", "2026-11-30T10:00Z"]
)
def test_instants_in_filters_are_rfc3339_with_an_offset(api, sam_token, planned, value):
    assert_problem(api.get(URL, sam_token, {"starts_after": value}), 400, "starts_after")
