"""Races on PostgreSQL: a duplicate Idempotency-Key in flight is refused (409), and two
PATCHes with the same If-Match cannot both win (the second re-reads under the lock: 412).
Real concurrent requests, each thread with its own connection."""

import threading

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from crm import services
from crm.models import JobSeeker
from tests.factories import JobSeekerFactory
from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REFERRAL = {"first_name": "Ana", "last_name": "Silva"}


@pytest.fixture(autouse=True)
def require_services():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis: run `make test-services`")


def in_thread(target, results, name):
    def run():
        try:
            results[name] = target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def paused(monkeypatch, name, entered, release):
    original = getattr(services, name)

    def wrapper(**kwargs):
        entered.set()
        assert release.wait(10)
        return original(**kwargs)

    monkeypatch.setattr(services, name, wrapper)


def test_a_duplicate_in_flight_is_409_then_replayed(monkeypatch, partner, issue_key):
    key = bearer(issue_key(partner, ["referrals:write"]))
    entered, release = threading.Event(), threading.Event()
    paused(monkeypatch, "job_seeker_refer", entered, release)
    results = {}

    def post():
        response = APIClient().post("/api/v1/referrals/", REFERRAL, format="json", HTTP_IDEMPOTENCY_KEY="race", **key)
        return response.status_code, response.headers.get("Idempotent-Replayed")

    first = in_thread(post, results, "first")
    assert entered.wait(10)
    second = in_thread(post, results, "second")
    second.join(10)
    release.set()
    first.join(10)
    assert results == {"first": (201, None), "second": (409, None)}
    third = in_thread(post, results, "third")
    third.join(10)
    assert results["third"] == (201, "true")
    assert JobSeeker.objects.count() == 1


def test_two_patches_with_one_etag_cannot_both_win(monkeypatch, specialist_sam, issue_token):
    person = JobSeekerFactory(specialist=specialist_sam, town="Marseille")
    token = bearer(issue_token(specialist_sam))
    etag = APIClient().get(f"/api/v1/job-seekers/{person.pk}/", **token)["ETag"]
    entered, release = threading.Event(), threading.Event()
    paused(monkeypatch, "job_seeker_update", entered, release)
    results = {}

    def patch(town):
        def send():
            response = APIClient().patch(
                f"/api/v1/job-seekers/{person.pk}/", {"town": town}, format="json", HTTP_IF_MATCH=etag, **token
            )
            return response.status_code

        return send

    first = in_thread(patch("Aix"), results, "first")
    assert entered.wait(10)  # the first holds the job seeker's lock, its If-Match checked
    second = in_thread(patch("Arles"), results, "second")
    second.join(0.5)
    assert second.is_alive()  # waiting for the lock
    release.set()
    first.join(10)
    second.join(10)
    assert results == {"first": 200, "second": 412}
    person.refresh_from_db()
    assert person.town == "Aix"
