"""Rate limits per partner key and per staff user: 429 problem with Retry-After."""

import pytest
from django.test import override_settings

from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = pytest.mark.django_db


@override_settings(API_THROTTLE_RATE="3/min")
def test_a_key_over_its_rate_gets_429_with_retry_after(api, partner, issue_key):
    key = bearer(issue_key(partner, ["jobseekers:read"]))
    for _ in range(3):
        assert api.get("/api/v1/job-seekers/", **key).status_code == 200
    response = api.get("/api/v1/job-seekers/", HTTP_ACCEPT_LANGUAGE="fr", **key)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:ips-crm:problem:throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Disponible" in response.json()["detail"]  # DRF's French message


@override_settings(API_THROTTLE_RATE="2/min")
def test_each_key_has_its_own_count(api, partner, other_partner, issue_key):
    first, second = (
        bearer(issue_key(partner, ["jobseekers:read"])),
        bearer(issue_key(other_partner, ["jobseekers:read"])),
    )
    for _ in range(2):
        api.get("/api/v1/job-seekers/", **first)
    assert api.get("/api/v1/job-seekers/", **first).status_code == 429
    assert api.get("/api/v1/job-seekers/", **second).status_code == 200


@override_settings(API_THROTTLE_RATE="1/min", API_STAFF_THROTTLE_RATE="3/min")
def test_staff_count_per_user_across_tokens_and_sessions(api, specialist_sam, specialist_sofia, issue_token):
    from rest_framework.test import APIClient

    session = APIClient()
    session.force_login(specialist_sam)
    assert api.get("/api/v1/job-seekers/", **bearer(issue_token(specialist_sam))).status_code == 200
    assert api.get("/api/v1/job-seekers/", **bearer(issue_token(specialist_sam))).status_code == 200
    assert session.get("/api/v1/job-seekers/").status_code == 200
    assert session.get("/api/v1/job-seekers/").status_code == 429
    assert api.get("/api/v1/job-seekers/", **bearer(issue_token(specialist_sofia))).status_code == 200


def test_the_defaults_are_sane(settings):
    assert settings.API_THROTTLE_RATE == "600/min"
    assert settings.API_STAFF_THROTTLE_RATE == "1200/min"
