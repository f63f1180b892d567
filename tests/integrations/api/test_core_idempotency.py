"""Idempotency-Key on POST and PATCH: replay, reuse with another body, in progress, expiry."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from crm.models import JobSeeker
from integrations.api import idempotency
from integrations.api.models import ApiKey, IdempotencyRecord
from integrations.api.tasks import sweep_idempotency_records
from tests.factories import JobSeekerFactory
from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = pytest.mark.django_db

REFERRAL = {"first_name": "Ana", "last_name": "Silva", "town": "Marseille"}


@pytest.fixture
def key(partner, issue_key):
    return bearer(issue_key(partner, ["referrals:write", "jobseekers:read"]))


def refer(api, key, body=REFERRAL, idempotency_key="k-1", **extra):
    return api.post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY=idempotency_key, **key, **extra)


def test_a_replay_returns_the_first_response_and_creates_nothing(api, key):
    first = refer(api, key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    second = refer(api, key)
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert second["ETag"] == first["ETag"]
    assert JobSeeker.objects.count() == 1


def test_the_same_key_with_another_body_is_422(api, key):
    refer(api, key)
    response = refer(api, key, body={**REFERRAL, "first_name": "Other"})
    assert response.status_code == 422
    assert response.json()["type"] == "urn:ips-crm:problem:idempotency-key-reused"
    assert JobSeeker.objects.count() == 1


def test_the_same_key_on_another_path_is_422(api, key, specialist_sam, issue_token):
    refer(api, key)
    response = api.post("/api/v1/referrals/?x=1", REFERRAL, format="json", HTTP_IDEMPOTENCY_KEY="k-1", **key)
    assert response.status_code == 422


def test_a_duplicate_while_the_first_is_in_progress_is_409(api, key):
    # The first request's record, inserted and committed before its work: same
    # principal, key and request fingerprint, not finished yet.
    principal = f"key:{ApiKey.objects.get().pk}"
    first = Request(APIRequestFactory().post("/api/v1/referrals/", REFERRAL, format="json"))
    IdempotencyRecord.objects.create(
        principal=principal,
        key="k-1",
        fingerprint=idempotency.fingerprint(first),
        expires_at=timezone.now() + idempotency.TTL,
    )
    response = refer(api, key)
    assert response.status_code == 409
    assert response.json()["type"] == "urn:ips-crm:problem:idempotency-in-progress"
    assert not JobSeeker.objects.exists()


def test_keys_belong_to_their_principal(api, key, partner, issue_key):
    refer(api, key)
    other_key = bearer(issue_key(partner, ["referrals:write"]))
    response = refer(api, other_key)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert JobSeeker.objects.count() == 2


def test_an_error_response_is_replayed_too(api, key):
    first = refer(api, key, body={"first_name": "Ana"})
    assert first.status_code == 400
    second = refer(api, key, body={"first_name": "Ana"})
    assert second.status_code == 400
    assert second["Idempotent-Replayed"] == "true"
    assert second["Content-Type"] == "application/problem+json"
    assert second.json() == first.json()


def test_patch_is_idempotent(api, specialist_sam, issue_token):
    person = JobSeekerFactory(specialist=specialist_sam)
    token = bearer(issue_token(specialist_sam))
    path = f"/api/v1/job-seekers/{person.pk}/"
    first = api.patch(path, {"town": "Aix"}, format="json", HTTP_IDEMPOTENCY_KEY="p-1", **token)
    history = person.history.count()
    second = api.patch(path, {"town": "Aix"}, format="json", HTTP_IDEMPOTENCY_KEY="p-1", **token)
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert person.history.count() == history


def test_expired_records_are_forgotten_and_swept(api, key):
    refer(api, key)
    IdempotencyRecord.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = refer(api, key)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert JobSeeker.objects.count() == 2
    IdempotencyRecord.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    sweep_idempotency_records()
    assert not IdempotencyRecord.objects.exists()


def test_records_live_24_hours(api, key):
    refer(api, key)
    record = IdempotencyRecord.objects.get()
    assert record.expires_at - record.created_at == datetime.timedelta(hours=24)
    assert record.state == "done" and record.response_status == 201


@pytest.mark.parametrize("bad", ["", "x" * 256, "tab\there", "with space", "clé"])
def test_a_bad_key_is_400(api, key, bad):
    response = refer(api, key, idempotency_key=bad)
    assert response.status_code == 400
    assert not JobSeeker.objects.exists()


def test_get_ignores_the_header(api, key):
    response = api.get("/api/v1/job-seekers/", HTTP_IDEMPOTENCY_KEY="g-1", **key)
    assert response.status_code == 200
    assert not IdempotencyRecord.objects.exists()


def test_a_method_the_resource_does_not_have_is_405_even_with_a_key(api, key):
    refer(api, key)
    response = api.patch("/api/v1/referrals/", REFERRAL, format="json", HTTP_IDEMPOTENCY_KEY="k-1", **key)
    assert response.status_code == 405


def _in_progress_record(key_header_value="k-1", *, age: datetime.timedelta):
    principal = f"key:{ApiKey.objects.get().pk}"
    first = Request(APIRequestFactory().post("/api/v1/referrals/", REFERRAL, format="json"))
    created = timezone.now() - age
    return IdempotencyRecord.objects.create(
        principal=principal,
        key=key_header_value,
        fingerprint=idempotency.fingerprint(first),
        created_at=created,
        expires_at=created + idempotency.TTL,
    )


def test_a_server_error_releases_the_key(key, monkeypatch):
    """An exception the API does not answer (a 500 from Django) must not leave the key
    "in progress" for 24 hours: the client retries with it and the request runs."""
    from crm import services as crm_services

    api = APIClient(raise_request_exception=False)
    real = crm_services.job_seeker_refer

    def boom(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(crm_services, "job_seeker_refer", boom)
    assert refer(api, key).status_code == 500
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.setattr(crm_services, "job_seeker_refer", real)
    retry = refer(api, key)
    assert retry.status_code == 201, retry.content
    assert "Idempotent-Replayed" not in retry
    assert refer(api, key)["Idempotent-Replayed"] == "true"
    assert JobSeeker.objects.count() == 1


def test_a_request_in_progress_longer_than_the_abandon_time_is_taken_over(api, key, settings):
    settings.API_IDEMPOTENCY_ABANDONED_MINUTES = 5
    record = _in_progress_record(age=datetime.timedelta(minutes=4))
    assert refer(api, key).status_code == 409  # still running, as far as anyone knows
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    response = refer(api, key)
    assert response.status_code == 201, response.content
    assert JobSeeker.objects.count() == 1
    kept = IdempotencyRecord.objects.get()
    assert kept.state == "done" and kept.expires_at - kept.created_at == idempotency.TTL
    assert timezone.now() - kept.created_at < datetime.timedelta(minutes=1)


def test_an_abandoned_record_of_another_request_is_still_422(api, key):
    _in_progress_record(age=datetime.timedelta(hours=1))
    response = refer(api, key, body={**REFERRAL, "first_name": "Other"})
    assert response.status_code == 422
