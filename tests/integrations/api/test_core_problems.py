"""Errors as RFC 9457 problems, in English or French; never a 500 for client input."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from integrations.api.problems import exception_handler, request_language
from tests.factories import JobSeekerFactory
from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    return body


@pytest.fixture
def sam_token(issue_token, specialist_sam):
    return bearer(issue_token(specialist_sam))


def test_french_by_accept_language(api):
    response = api.get("/api/v1/job-seekers/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    body = assert_problem(response, 401)
    assert response["Content-Language"] == "fr"
    assert body["detail"] == "Informations d'authentification non fournies."


def test_english_by_default_and_for_other_languages(api):
    for header in ("", "de-DE", "*"):
        response = api.get("/api/v1/job-seekers/", HTTP_ACCEPT_LANGUAGE=header)
        assert response["Content-Language"] == "en"
        assert response.json()["detail"] == "Authentication credentials were not provided."


@pytest.mark.parametrize(
    "header, language", [("en;q=0.4, fr;q=0.8", "fr"), ("fr-CA", "fr"), ("en-GB,fr", "en"), ("xx, fr", "fr")]
)
def test_language_follows_q_values(header, language):
    request = APIRequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert request_language(request) == language


def test_input_errors_per_field(api, partner, issue_key):
    response = api.post(
        "/api/v1/referrals/", {"first_name": "", "email": "nope"}, format="json", **bearer(issue_key(partner))
    )
    body = assert_problem(response, 400)
    assert body["type"] == "urn:ips-crm:problem:validation"
    assert set(body["errors"]) == {"first_name", "last_name", "email"}
    assert all(isinstance(messages, list) for messages in body["errors"].values())


def test_input_errors_in_french(api, partner, issue_key):
    response = api.post(
        "/api/v1/referrals/",
        {"first_name": "Ana"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
        **bearer(issue_key(partner)),
    )
    body = assert_problem(response, 400)
    assert body["errors"]["last_name"] == ["Ce champ est obligatoire."]


def test_a_service_validation_error_is_a_400_with_its_fields(api, sam_token, specialist_bob):
    payload = {
        "first_name": "Ana",
        "last_name": "Silva",
        "referral_date": "2026-11-02",
        "specialist_id": specialist_bob.pk,
    }
    body = assert_problem(api.post("/api/v1/job-seekers/", payload, format="json", **sam_token), 400)
    assert list(body["errors"]) == ["specialist_id"]


def test_a_service_error_without_field_is_non_field_errors(api, partner, issue_key):
    partner.referrals_to = None
    partner.save()
    response = api.post(
        "/api/v1/referrals/", {"first_name": "Ana", "last_name": "Silva"}, format="json", **bearer(issue_key(partner))
    )
    body = assert_problem(response, 400)
    assert "has not named who receives your referrals" in body["detail"]
    assert list(body["errors"]) == ["non_field_errors"]


def test_integrity_error_is_409_and_validation_error_400():
    request = Request(APIRequestFactory().post("/api/v1/x/", HTTP_ACCEPT_LANGUAGE="en"))
    response = exception_handler(IntegrityError("duplicate key"), {"request": request})
    assert response.status_code == 409
    assert response.data["type"] == "urn:ips-crm:problem:conflict"
    assert "duplicate key" not in response.data["detail"]
    response = exception_handler(ValidationError({"__all__": ["Both"], "town": ["Bad"]}), {"request": request})
    assert response.status_code == 400
    assert response.data["errors"] == {"non_field_errors": ["Both"], "town": ["Bad"]}
    assert exception_handler(RuntimeError("bug"), {"request": request}) is None


def test_malformed_json_is_400(api, sam_token):
    response = api.generic("POST", "/api/v1/job-seekers/", "{not json", content_type="application/json", **sam_token)
    assert_problem(response, 400)


def test_a_form_body_is_415(api, sam_token):
    response = api.post("/api/v1/job-seekers/", {"first_name": "Ana"}, format="multipart", **sam_token)
    assert_problem(response, 415)


def test_not_acceptable_is_406(api, sam_token):
    response = api.get("/api/v1/job-seekers/", HTTP_ACCEPT="text/html", **sam_token)
    assert response.status_code == 406


def test_method_not_allowed_is_405(api, sam_token, specialist_sam):
    person = JobSeekerFactory(specialist=specialist_sam)
    assert_problem(api.delete(f"/api/v1/job-seekers/{person.pk}/", **sam_token), 405)
    assert_problem(api.put(f"/api/v1/job-seekers/{person.pk}/", {}, format="json", **sam_token), 405)


@pytest.mark.parametrize(
    "query",
    [
        "cursor=garbage",
        "cursor=",
        "page_size=0",
        "page_size=201",
        "page_size=ten",
        "updated_since=yesterday",
        "updated_since=2026-11-30T10:00:00",
        "status=flying",
        "referral_date_after=2026-13-45",
    ],
)
def test_bad_query_parameters_are_400(api, sam_token, query):
    response = api.get(f"/api/v1/job-seekers/?{query}", **sam_token)
    if query == "cursor=":
        assert response.status_code == 200  # an empty cursor is no cursor
        return
    assert_problem(response, 400)


def test_out_of_scope_and_missing_rows_are_the_same_404(api, sam_token, specialist_louis):
    lyon = JobSeekerFactory(specialist=specialist_louis)
    other_program = assert_problem(api.get(f"/api/v1/job-seekers/{lyon.pk}/", **sam_token), 404)
    missing = assert_problem(api.get("/api/v1/job-seekers/999999/", **sam_token), 404)
    assert {k: v for k, v in other_program.items() if k != "instance"} == {
        k: v for k, v in missing.items() if k != "instance"
    }


@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/v1/job-seekers/abc/", "/api/v1/job-seekers/1/nothing/"])
def test_unknown_paths_are_404_problems(api, sam_token, path):
    assert_problem(api.get(path, **sam_token), 404)
    assert_problem(api.post(path, {}, format="json", **sam_token), 404)


def test_huge_ids_are_404_not_500(api, sam_token):
    assert_problem(api.get("/api/v1/job-seekers/99999999999999999999999/", **sam_token), 404)


def test_options_and_head_answer_without_error(api, sam_token, partner, issue_key, specialist_sam):
    person = JobSeekerFactory(specialist=specialist_sam, referred_by_partner=partner)
    key = bearer(issue_key(partner, ["jobseekers:read", "referrals:write"]))
    for credential in (sam_token, key):
        for path in ("/api/v1/job-seekers/", f"/api/v1/job-seekers/{person.pk}/", "/api/v1/referrals/"):
            assert api.options(path, **credential).status_code == 200
        assert api.head(f"/api/v1/job-seekers/{person.pk}/", **credential).status_code == 200


@pytest.mark.parametrize("query", ["status=", "referral_date_before=", "specialist=", "updated_since="])
def test_a_filter_sent_empty_is_400(api, sam_token, query):
    assert_problem(api.get(f"/api/v1/job-seekers/?{query}", **sam_token), 400)
