"""ETags on every single resource; If-Match on PATCH (412 on mismatch)."""

import json

import pytest

from integrations.api.base import etag_of
from tests.factories import CareerProfileFactory, JobSeekerFactory
from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, phone="0600000000")


@pytest.fixture
def token(issue_token, specialist_sam):
    return bearer(issue_token(specialist_sam))


def path(person, tail=""):
    return f"/api/v1/job-seekers/{person.pk}/{tail}"


def test_a_resource_carries_a_strong_etag_of_its_json(api, person, token):
    response = api.get(path(person), **token)
    assert response["ETag"].startswith('"') and not response["ETag"].startswith("W/")
    assert response["ETag"] == etag_of(json.loads(response.content))
    assert api.get(path(person), **token)["ETag"] == response["ETag"]


def test_lists_carry_no_etag(api, person, token):
    assert "ETag" not in api.get("/api/v1/job-seekers/", **token)


def test_patch_with_the_current_etag_succeeds_and_changes_it(api, person, token):
    etag = api.get(path(person), **token)["ETag"]
    response = api.patch(path(person), {"phone": "0611111111"}, format="json", HTTP_IF_MATCH=etag, **token)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response["ETag"] == api.get(path(person), **token)["ETag"]


def test_patch_with_a_stale_etag_is_412_and_changes_nothing(api, person, token):
    etag = api.get(path(person), **token)["ETag"]
    api.patch(path(person), {"phone": "0611111111"}, format="json", **token)  # another client, no If-Match
    response = api.patch(path(person), {"phone": "0622222222"}, format="json", HTTP_IF_MATCH=etag, **token)
    assert response.status_code == 412
    assert response.json()["type"] == "urn:ips-crm:problem:precondition-failed"
    person.refresh_from_db()
    assert person.phone == "0611111111"


@pytest.mark.parametrize("header, status", [("*", 200), ('"nope", {etag}', 200), ("W/{etag}", 412), ('"nope"', 412)])
def test_if_match_lists_star_and_weak_tags(api, person, token, header, status):
    etag = api.get(path(person), **token)["ETag"]
    response = api.patch(path(person), {"town": "Aix"}, format="json", HTTP_IF_MATCH=header.format(etag=etag), **token)
    assert response.status_code == status


def test_if_match_on_a_row_out_of_scope_is_404(api, token, specialist_louis):
    lyon = JobSeekerFactory(specialist=specialist_louis)
    response = api.patch(path(lyon), {"town": "Aix"}, format="json", HTTP_IF_MATCH="*", **token)
    assert response.status_code == 404


def test_career_profile_has_its_own_etag_and_precondition(api, person, token):
    CareerProfileFactory(job_seeker=person, work_goal="Bakery")
    etag = api.get(path(person, "career-profile/"), **token)["ETag"]
    assert etag != api.get(path(person), **token)["ETag"]
    ok = api.patch(path(person, "career-profile/"), {"work_goal": "Café"}, format="json", HTTP_IF_MATCH=etag, **token)
    assert ok.status_code == 200 and ok.json()["work_goal"] == "Café"
    stale = api.patch(
        path(person, "career-profile/"), {"work_goal": "Shop"}, format="json", HTTP_IF_MATCH=etag, **token
    )
    assert stale.status_code == 412
    person.career_profile.refresh_from_db()
    assert person.career_profile.work_goal == "Café"


def test_a_created_resource_carries_its_etag(api, token, specialist_sam):
    response = api.post(
        "/api/v1/job-seekers/",
        {"first_name": "Ana", "last_name": "Silva", "referral_date": "2026-11-02", "specialist_id": specialist_sam.pk},
        format="json",
        **token,
    )
    assert response.status_code == 201
    assert response["ETag"] == api.get(response["Location"], **token)["ETag"]


def test_an_empty_if_match_is_a_400_and_changes_nothing(api, person, token):
    """Found by schemathesis: an empty If-Match is not an ETag (the schema says minLength
    1); it was read as one that never matches (412)."""
    response = api.patch(path(person), {"phone": "0611111111"}, format="json", HTTP_IF_MATCH="", **token)
    assert response.status_code == 400 and "If-Match" in response.json()["detail"]
    person.refresh_from_db()
    assert person.phone == "0600000000"
