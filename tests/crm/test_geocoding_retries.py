"""Locating when the provider fails: per-row attempts with a growing delay, giving up
after GEOCODING_MAX_ATTEMPTS (shown on the page), a provider that refuses us as a whole
pausing all geocoding, the sweep choosing its batch in SQL, and a point cleared while
the job ran."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from geopy.adapters import AdapterHTTPError
from geopy.geocoders import BANFrance

from crm import geocoding, locations, services, tasks
from crm.access import access_scope
from crm.geocoding import Address, BanGeocoder, GeocodingPaused, GeocodingUnavailable
from crm.models import JobSeeker
from tests.crm.test_geocoding import FakeAdapter, _messages, details


@pytest.fixture
def scope(specialist_sam):
    return access_scope(specialist_sam)


@pytest.fixture(autouse=True)
def not_paused():
    cache.delete(locations.PAUSE_KEY)
    yield
    cache.delete(locations.PAUSE_KEY)


def sent(broker) -> list[int]:
    return [message.args[0] for message in _messages(broker, "geocoding")]


class Down:
    asked = 0

    def locate(self, address):
        Down.asked += 1
        raise GeocodingUnavailable("GeocoderServiceError: 503")


class Refusing:
    def __init__(self, error):
        self.error, self.asked = error, 0

    def locate(self, address):
        self.asked += 1
        raise self.error


def test_each_failure_counts_and_waits_longer(scope, monkeypatch):
    job_seeker = services.job_seeker_create(scope=scope, details=details())
    monkeypatch.setattr(locations, "geocoder", Down)

    waits = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        assert locations.locate(JobSeeker, job_seeker.pk) == "retry"
        job_seeker.refresh_from_db()
        assert job_seeker.location_attempts == attempt and job_seeker.location_pending
        waits.append(job_seeker.location_retry_at - before)

    assert [round(wait.total_seconds() / 60) for wait in waits] == [30, 60, 120]
    assert locations.retry_delay(20) == datetime.timedelta(hours=24)  # capped


def test_after_the_last_attempt_the_row_is_given_up_shown_and_never_sent_again(
    scope, monkeypatch, settings, broker, client_for, specialist_sam
):
    settings.GEOCODING_MAX_ATTEMPTS = 3
    job_seeker = services.job_seeker_create(scope=scope, details=details())
    monkeypatch.setattr(locations, "geocoder", Down)

    outcomes = [locations.locate(JobSeeker, job_seeker.pk) for _ in range(3)]

    assert outcomes == ["retry", "retry", "gave_up"]
    job_seeker.refresh_from_db()
    assert (job_seeker.location_pending, job_seeker.location_attempts) == (False, 3)
    assert job_seeker.located_address == "12 rue Paradis, 13006 Marseille"
    far = timezone.now() + datetime.timedelta(days=365)
    assert locations.pending(JobSeeker, limit=10, now=far) == []
    tasks.locate_pending_job_seekers.fn()
    assert sent(broker) == []
    asked = Down.asked
    assert locations.locate(JobSeeker, job_seeker.pk) == "skipped"  # a late message asks nothing
    assert Down.asked == asked
    page = client_for(specialist_sam).get(reverse("job_seeker_detail", args=[job_seeker.pk])).content.decode()
    assert "The address could not be located: set the pin by hand" in page
    assert "Address not found" not in page


def test_a_changed_address_starts_the_attempts_again(
    scope, monkeypatch, settings, broker, django_capture_on_commit_callbacks
):
    settings.GEOCODING_MAX_ATTEMPTS = 1
    job_seeker = services.job_seeker_create(scope=scope, details=details())
    monkeypatch.setattr(locations, "geocoder", Down)
    assert locations.locate(JobSeeker, job_seeker.pk) == "gave_up"
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        services.job_seeker_update(scope=scope, job_seeker_id=job_seeker.pk, details={"address": "rue Sainte"})

    job_seeker.refresh_from_db()
    assert (job_seeker.location_pending, job_seeker.location_attempts, job_seeker.location_retry_at) == (True, 0, None)
    assert job_seeker.located_address == ""
    assert sent(broker) == [job_seeker.pk]
    assert locations.locate(JobSeeker, job_seeker.pk) == "located"


def test_an_unchanged_save_keeps_the_attempts(scope, monkeypatch):
    job_seeker = services.job_seeker_create(scope=scope, details=details())
    monkeypatch.setattr(locations, "geocoder", Down)
    locations.locate(JobSeeker, job_seeker.pk)

    services.job_seeker_update(scope=scope, job_seeker_id=job_seeker.pk, details={"phone": "06 11 22 33 44"})

    job_seeker.refresh_from_db()
    assert (job_seeker.location_pending, job_seeker.location_attempts) == (True, 1)


@pytest.mark.parametrize(
    ("error", "rate_limited", "paused_for"),
    [
        (GeocodingPaused("GeocoderRateLimited", rate_limited=True, retry_after=120), True, 120),
        (GeocodingPaused("GeocoderRateLimited", rate_limited=True), True, 15 * 60),
        (GeocodingPaused("GeocoderInsufficientPrivileges: 403", rate_limited=False), False, 60 * 60),
    ],
)
def test_a_provider_refusing_us_pauses_everything_without_counting_attempts(
    scope, monkeypatch, broker, django_capture_on_commit_callbacks, error, rate_limited, paused_for
):
    first = services.job_seeker_create(scope=scope, details=details())
    second = services.job_seeker_create(scope=scope, details=details(first_name="Ines"))
    refusing = Refusing(error)
    monkeypatch.setattr(locations, "geocoder", lambda: refusing)

    assert locations.locate(JobSeeker, first.pk) == "paused"
    until = locations.paused_until()
    assert until is not None
    assert abs((until - timezone.now()).total_seconds() - paused_for) < 30
    assert locations.locate(JobSeeker, second.pk) == "paused"
    assert refusing.asked == 1  # the second job asked nothing
    first.refresh_from_db()
    assert (first.location_attempts, first.location_retry_at, first.location_pending) == (0, None, True)
    tasks.locate_pending_job_seekers.fn()
    with django_capture_on_commit_callbacks(execute=True):
        services.job_seeker_update(scope=scope, job_seeker_id=first.pk, details={"address": "rue Sainte"})
    assert sent(broker) == []  # neither the sweep nor a save sends while paused

    cache.delete(locations.PAUSE_KEY)
    tasks.locate_pending_job_seekers.fn()
    assert sorted(sent(broker)) == [first.pk, second.pk]


@pytest.mark.parametrize(
    ("status", "headers", "rate_limited", "retry_after"),
    [
        (429, {"retry-after": "90"}, True, 90),  # real adapters: any case
        (403, {}, False, None),
        (401, {}, False, None),
    ],
)
def test_geopy_refusals_are_a_pause_honouring_retry_after(status, headers, rate_limited, retry_after):
    FakeAdapter.urls, FakeAdapter.response = [], None
    FakeAdapter.error = AdapterHTTPError("refused", status_code=status, headers=headers, text="")
    try:
        provider = BanGeocoder(BANFrance(adapter_factory=FakeAdapter, user_agent="tests"), min_score=0.4)
        with pytest.raises(GeocodingPaused) as paused:
            provider.locate(Address("12 rue Paradis", "13006", "Marseille"))
    finally:
        FakeAdapter.error = None
    assert paused.value.rate_limited is rate_limited
    assert paused.value.retry_after == retry_after


def test_the_default_user_agent_names_no_health_service(settings):
    settings.GEOCODER, settings.GEOCODER_USER_AGENT, settings.GEOCODER_DOMAIN = "ban", "", ""
    geocoding.clear_cache()
    try:
        client = geocoding.geocoder().client.geocode
        assert client.__self__.headers["User-Agent"] == "crm-geocoder"
    finally:
        geocoding.clear_cache()


def test_the_sweep_picks_its_batch_in_sql_new_rows_first_then_the_longest_due(
    scope, broker, settings, django_assert_num_queries
):
    settings.GEOCODING_SWEEP_BATCH = 3
    rows = [services.job_seeker_create(scope=scope, details=details(first_name=name)) for name in "ABCDE"]
    now = timezone.now()
    JobSeeker.objects.filter(pk=rows[0].pk).update(location_retry_at=now - datetime.timedelta(minutes=5))
    JobSeeker.objects.filter(pk=rows[1].pk).update(location_retry_at=now + datetime.timedelta(hours=1))
    JobSeeker.objects.filter(pk=rows[2].pk).update(location_retry_at=now - datetime.timedelta(hours=2))
    located = services.job_seeker_create(scope=scope, details=details(first_name="F"))
    locations.locate(JobSeeker, located.pk)

    with django_assert_num_queries(2):  # the batch, then marking it sent
        tasks.locate_pending_job_seekers.fn()

    assert sent(broker) == [rows[3].pk, rows[4].pk, rows[2].pk]
    # Sent rows wait for their job: the next sweep sends the rest, not them again.
    tasks.locate_pending_job_seekers.fn()
    assert sent(broker) == [rows[0].pk]


def test_a_point_cleared_while_the_job_ran_is_not_stored_as_not_found(scope, monkeypatch, organisation):
    job_seeker = services.job_seeker_create(scope=scope, details=details())
    # A point from before geocoding, without precision: the job adopts it without asking.
    JobSeeker.objects.filter(pk=job_seeker.pk).update(
        latitude=Decimal("43.3"), longitude=Decimal("5.38"), location_precision="", location_pending=True
    )
    monkeypatch.setattr(locations, "geocoder", lambda: pytest.fail("the provider was asked"))
    real_lock = locations._lock

    def clear_then_lock(model, pk):
        services.job_seeker_set_location(scope=scope, job_seeker_id=pk, latitude=None, longitude=None)
        return real_lock(model, pk)

    monkeypatch.setattr(locations, "_lock", clear_then_lock)

    assert locations.locate(JobSeeker, job_seeker.pk) == "skipped"

    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.located_address, job_seeker.location_pending) == (None, "", True)


def test_a_failure_for_an_address_changed_meanwhile_counts_nothing(scope, monkeypatch):
    job_seeker = services.job_seeker_create(scope=scope, details=details())

    class ChangedThenDown:
        def locate(self, address):
            services.job_seeker_update(scope=scope, job_seeker_id=job_seeker.pk, details={"address": "rue Sainte"})
            raise GeocodingUnavailable("timed out")

    monkeypatch.setattr(locations, "geocoder", ChangedThenDown)

    assert locations.locate(JobSeeker, job_seeker.pk) == "skipped"
    job_seeker.refresh_from_db()
    assert (job_seeker.location_attempts, job_seeker.location_retry_at, job_seeker.location_pending) == (0, None, True)
