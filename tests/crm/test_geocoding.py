"""Locating job seekers' homes: the providers (geopy's BAN France and Nominatim, faked at
the HTTP boundary), the fake geocoder, the background job after save, the sweep, pins
set by hand, and a provider that cannot answer."""

import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import dramatiq
import pytest
from django.urls import reverse
from geopy.adapters import AdapterHTTPError, BaseSyncAdapter
from geopy.exc import GeocoderUnavailable
from geopy.geocoders import BANFrance, Nominatim

from crm import geocoding, locations, services, tasks
from crm.access import OutOfScope, PartnerScope, access_scope
from crm.geocoding import Address, BanGeocoder, FakeGeocoder, GeocodingUnavailable, Located, NominatimGeocoder
from crm.models import JobSeeker, LocationPrecision
from tests.factories import JobSeekerFactory, PartnerFactory

HOME = Address("12 rue Paradis", "13006", "Marseille")


class FakeAdapter(BaseSyncAdapter):
    """geopy's HTTP layer, answering `response` (or raising `error`) and noting the URLs asked."""

    response: object = None
    error: Exception | None = None
    urls: list[str] = []

    def __init__(self, *, proxies, ssl_context):
        super().__init__(proxies=proxies, ssl_context=ssl_context)

    def get_json(self, url, *, timeout, headers):
        FakeAdapter.urls.append(url)
        if FakeAdapter.error is not None:
            raise FakeAdapter.error
        return FakeAdapter.response

    def get_text(self, url, *, timeout, headers):
        raise NotImplementedError


@pytest.fixture
def http():
    FakeAdapter.response, FakeAdapter.error, FakeAdapter.urls = None, None, []
    return FakeAdapter


def ban(http, **options) -> BanGeocoder:
    return BanGeocoder(BANFrance(adapter_factory=http, user_agent="tests"), min_score=options.get("min_score", 0.4))


def ban_feature(kind: str, *, score=0.9, postcode="13006", lon=5.3772, lat=43.2881) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"label": "12 Rue Paradis 13006 Marseille", "score": score, "type": kind, "postcode": postcode},
    }


# BAN France -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "precision"),
    [
        ("housenumber", LocationPrecision.HOUSE_NUMBER),
        ("street", LocationPrecision.STREET),
        ("locality", LocationPrecision.LOCALITY),
        ("municipality", LocationPrecision.MUNICIPALITY),
    ],
)
def test_ban_result_types_are_the_precision(http, kind, precision):
    http.response = {"type": "FeatureCollection", "features": [ban_feature(kind)]}

    assert ban(http).locate(HOME) == Located(Decimal("43.288100"), Decimal("5.377200"), precision)
    assert parse_qs(urlsplit(http.urls[0]).query)["q"] == ["12 rue Paradis, 13006 Marseille"]
    assert urlsplit(http.urls[0]).hostname == "api-adresse.data.gouv.fr"


@pytest.mark.parametrize(
    "features",
    [
        [],  # nothing like it
        [ban_feature("housenumber", score=0.2)],  # a poor guess
        [ban_feature("street", postcode="69003")],  # a street of that name in another département
        [ban_feature("region")],  # a kind of answer it does not give for an address
    ],
)
def test_ban_answers_that_are_not_the_address_are_not_found(http, features):
    http.response = {"type": "FeatureCollection", "features": features}

    assert ban(http).locate(HOME) is None


@pytest.mark.parametrize(
    "error",
    [
        GeocoderUnavailable("connection refused"),
        AdapterHTTPError("overloaded", status_code=503, headers={}, text=""),
        AdapterHTTPError("too many", status_code=429, headers={}, text=""),
    ],
)
def test_a_provider_that_cannot_answer_is_unavailable_not_a_crash(http, error):
    http.error = error

    with pytest.raises(GeocodingUnavailable):
        ban(http).locate(HOME)


def test_a_query_the_provider_refuses_is_not_found(http):
    http.error = AdapterHTTPError("q must be 3 to 200 characters", status_code=400, headers={}, text="")

    assert ban(http).locate(Address("", "", "Y")) is None


# Nominatim ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "precision"),
    [
        ({"class": "place", "type": "house", "addresstype": "place", "place_rank": 30}, LocationPrecision.HOUSE_NUMBER),
        ({"class": "building", "type": "yes", "addresstype": "building", "place_rank": 30}, "housenumber"),
        ({"class": "highway", "type": "residential", "addresstype": "road", "place_rank": 26}, "street"),
        ({"class": "place", "type": "suburb", "addresstype": "suburb", "place_rank": 19}, "locality"),
        ({"class": "boundary", "type": "administrative", "addresstype": "city", "place_rank": 16}, "municipality"),
        ({"class": "amenity", "type": "school", "place_rank": 30}, "housenumber"),  # no addresstype: the rank
        ({"class": "boundary", "type": "administrative", "addresstype": "state", "place_rank": 8}, None),
    ],
)
def test_nominatim_precision_from_the_result(http, raw, precision):
    http.response = [{"lat": "43.2881", "lon": "5.3772", "display_name": "Rue Paradis", **raw}]
    geocoder = NominatimGeocoder(Nominatim(adapter_factory=http, user_agent="ips-crm tests"), country_codes=["fr"])

    found = geocoder.locate(HOME)

    assert (found.precision if found else None) == precision
    query = parse_qs(urlsplit(http.urls[0]).query)
    assert (query["street"], query["postalcode"], query["city"], query["countrycodes"]) == (
        ["12 rue Paradis"],
        ["13006"],
        ["Marseille"],
        ["fr"],
    )


# The configured provider ----------------------------------------------------------------


@pytest.fixture
def fresh_geocoder():
    geocoding.clear_cache()
    yield
    geocoding.clear_cache()


def test_tests_and_development_use_the_fake_geocoder(settings, fresh_geocoder):
    assert settings.GEOCODER == "fake"
    assert isinstance(geocoding.geocoder(), FakeGeocoder)


def test_ban_from_the_settings_with_its_domain_and_time_out(settings, fresh_geocoder):
    settings.GEOCODER, settings.GEOCODER_DOMAIN, settings.GEOCODER_TIMEOUT_SECONDS = "ban", "ban.example.org", 3

    geocoder = geocoding.geocoder()

    assert isinstance(geocoder, BanGeocoder)
    client = geocoder.client.geocode.__self__
    assert (client.geocode_api, client.timeout) == ("https://ban.example.org/search", 3)


def test_nominatim_is_rate_limited_to_one_request_a_second(settings, fresh_geocoder):
    from geopy.extra.rate_limiter import RateLimiter

    settings.GEOCODER, settings.GEOCODER_USER_AGENT, settings.GEOCODER_MIN_DELAY_SECONDS = (
        "nominatim",
        "ips-crm (ops@example.org)",
        1.0,
    )

    geocoder = geocoding.geocoder()

    assert isinstance(geocoder, NominatimGeocoder)
    assert isinstance(geocoder.client.geocode, RateLimiter)
    assert geocoder.client.geocode.min_delay_seconds == 1.0


# The fake geocoder ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "precision"),
    [
        (Address("12 rue Paradis", "13006", "Marseille"), LocationPrecision.HOUSE_NUMBER),
        (Address("Rue Paradis", "13006", "Marseille"), LocationPrecision.STREET),
        (Address("3 impasse Inconnue", "13006", "Marseille"), LocationPrecision.MUNICIPALITY),
        (Address("", "", "la ciotat"), LocationPrecision.MUNICIPALITY),
        (Address("1 rue de Nulle Part", "99999", "Atlantis"), None),
    ],
)
def test_the_fake_geocoder_answers_from_its_table_without_network(fresh_geocoder, address, precision):
    found = geocoding.geocoder().locate(address)

    assert (found.precision if found else None) == precision
    if found:
        assert Decimal("43.1") < found.latitude < Decimal("43.6")
        assert geocoding.geocoder().locate(address) == found  # the same every time


# The background job ---------------------------------------------------------------------


@pytest.fixture
def scope(specialist_sam):
    return access_scope(specialist_sam)


def details(**overrides):
    return {
        "first_name": "Nadia",
        "last_name": "Benali",
        "referral_date": datetime.date(2026, 1, 5),
        "address": "12 rue Paradis",
        "postcode": "13006",
        "town": "Marseille",
        **overrides,
    }


def geocoding_messages(broker) -> list[tuple]:
    return [tuple(message.args) for message in _messages(broker, "geocoding")]


def _messages(broker, queue):
    """The messages waiting in `queue`, read off (the stub broker, or Redis's list and hash)."""
    items = []
    if not isinstance(broker.queues, dict):  # RedisBroker: ids in a list, messages in a hash
        key = f"{broker.namespace}:{queue}"
        ids = broker.client.lrange(key, 0, -1)
        data = broker.client.hmget(f"{key}.msgs", ids) if ids else []
        broker.flush(queue)
        return [dramatiq.Message.decode(item) for item in data if item is not None]
    q = broker.queues.get(queue)
    while q is not None and not q.empty():
        items.append(dramatiq.Message.decode(q.get_nowait()))
        q.task_done()  # read off, so that a later broker.join() does not wait for it
    return items


@pytest.mark.django_db(transaction=True)
def test_a_new_home_address_is_located_after_commit(scope, broker, worker):
    job_seeker = services.job_seeker_create(scope=scope, details=details())

    assert (job_seeker.latitude, job_seeker.location_precision) == (None, "")  # nothing sent inside the request
    broker.join("geocoding", timeout=20_000)
    worker.join()
    job_seeker.refresh_from_db()
    assert job_seeker.location_precision == LocationPrecision.HOUSE_NUMBER
    assert job_seeker.located_address == "12 rue Paradis, 13006 Marseille"
    assert Decimal("43.28") < job_seeker.latitude < Decimal("43.30")


def test_a_changed_address_clears_the_old_point_and_is_located_again(scope, broker, django_capture_on_commit_callbacks):
    job_seeker = services.job_seeker_create(scope=scope, details=details())
    locations.locate(JobSeeker, job_seeker.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.job_seeker_update(
            scope=scope, job_seeker_id=job_seeker.pk, details={"address": "rue Sainte", "postcode": "13007"}
        )

    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.location_precision, job_seeker.located_address) == (None, "", "")
    assert geocoding_messages(broker) == [(job_seeker.pk,)]
    assert tasks.locate_job_seeker.fn(job_seeker.pk) is None
    job_seeker.refresh_from_db()
    assert (job_seeker.location_precision, job_seeker.located_address) == ("street", "rue Sainte, 13007 Marseille")


def test_an_unchanged_address_is_not_located_again(scope, broker, django_capture_on_commit_callbacks):
    job_seeker = services.job_seeker_create(scope=scope, details=details())
    locations.locate(JobSeeker, job_seeker.pk)
    point = (JobSeeker.objects.get(pk=job_seeker.pk).latitude, "housenumber")

    with django_capture_on_commit_callbacks(execute=True):
        services.job_seeker_update(scope=scope, job_seeker_id=job_seeker.pk, details={"phone": "06 11 22 33 44"})

    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.location_precision) == point
    assert geocoding_messages(broker) == []


def test_an_address_the_provider_does_not_know_is_not_found_and_not_asked_again(scope, client_for, specialist_sam):
    job_seeker = services.job_seeker_create(scope=scope, details=details(postcode="99999", town="Atlantis"))

    assert locations.locate(JobSeeker, job_seeker.pk) == "not_found"

    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.location_precision) == (None, "")
    assert job_seeker.located_address == "12 rue Paradis, 99999 Atlantis"
    assert list(locations.pending(JobSeeker, limit=10)) == []
    page = client_for(specialist_sam).get(reverse("job_seeker_detail", args=[job_seeker.pk])).content.decode()
    assert "Address not found: set the pin by hand" in page


def test_the_sweep_sends_what_is_still_to_locate_after_a_lost_message(scope, broker):
    lost = services.job_seeker_create(scope=scope, details=details())  # its message never left (no commit here)
    no_address = services.job_seeker_create(scope=scope, details=details(address="", postcode="", town=""))
    located = services.job_seeker_create(scope=scope, details=details(first_name="Ines"))
    locations.locate(JobSeeker, located.pk)

    tasks.locate_pending_job_seekers.fn()

    assert geocoding_messages(broker) == [(lost.pk,)]
    assert no_address.pk not in [pk for (pk,) in geocoding_messages(broker)]


def test_the_sweep_sends_a_batch_at_a_time(scope, broker, settings):
    settings.GEOCODING_SWEEP_BATCH = 2
    for name in ("A", "B", "C"):
        services.job_seeker_create(scope=scope, details=details(first_name=name))

    tasks.locate_pending_job_seekers.fn()

    assert len(geocoding_messages(broker)) == 2


def test_a_provider_error_is_tried_again_later_and_nothing_is_lost(scope, monkeypatch):
    job_seeker = services.job_seeker_create(scope=scope, details=details())

    class Down:
        def locate(self, address):
            raise GeocodingUnavailable("GeocoderTimedOut: timed out")

    monkeypatch.setattr(locations, "geocoder", Down)
    assert tasks.locate_job_seeker.fn(job_seeker.pk) is None  # no exception: no dramatiq retry

    # The row's own backoff is the retry: one attempt counted, not due before its time.
    assert tasks.locate_job_seeker.options["max_retries"] == 0
    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.located_address, job_seeker.location_attempts) == (None, "", 1)
    assert job_seeker.location_pending and job_seeker.location_retry_at is not None
    assert locations.pending(JobSeeker, limit=10) == []
    assert locations.pending(JobSeeker, limit=10, now=job_seeker.location_retry_at) == [job_seeker.pk]
    monkeypatch.undo()
    assert locations.locate(JobSeeker, job_seeker.pk) == "located"
    job_seeker.refresh_from_db()
    assert (job_seeker.location_attempts, job_seeker.location_retry_at, job_seeker.location_pending) == (0, None, False)


def test_an_address_changed_while_it_was_being_located_is_left_to_its_own_job(scope, monkeypatch):
    job_seeker = services.job_seeker_create(scope=scope, details=details())
    real = geocoding.geocoder()

    class Slow:
        def locate(self, address):
            found = real.locate(address)
            services.job_seeker_update(scope=scope, job_seeker_id=job_seeker.pk, details={"address": "rue Sainte"})
            return found

    monkeypatch.setattr(locations, "geocoder", Slow)

    assert locations.locate(JobSeeker, job_seeker.pk) == "skipped"
    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.located_address) == (None, "")


# Pins set by hand -----------------------------------------------------------------------


def test_a_pin_set_by_hand_is_kept_until_the_address_changes(scope, monkeypatch):
    job_seeker = services.job_seeker_create(scope=scope, details=details())
    services.job_seeker_set_location(
        scope=scope, job_seeker_id=job_seeker.pk, latitude=Decimal("43.2890"), longitude=Decimal("5.3790")
    )
    asked = []
    monkeypatch.setattr(locations, "geocoder", lambda: asked.append(1))

    assert locations.locate(JobSeeker, job_seeker.pk) == "skipped"
    services.job_seeker_update(scope=scope, job_seeker_id=job_seeker.pk, details={"phone": "06 00 00 00 00"})
    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.location_precision) == (Decimal("43.289000"), "manual")
    assert job_seeker.located_address == "12 rue Paradis, 13006 Marseille"
    assert asked == []

    services.job_seeker_update(scope=scope, job_seeker_id=job_seeker.pk, details={"address": "2 rue Sainte"})
    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.location_precision) == (None, "")
    assert locations.needs_locating(job_seeker)


def test_the_pin_is_set_on_the_edit_form_and_shown_on_the_page(client_for, specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, address="Cité des Flamants", postcode="13014")
    client = client_for(specialist_sam)
    form = client.get(reverse("job_seeker_edit", args=[job_seeker.pk]))
    page = form.content.decode()
    assert "data-location-map" in page and 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "crm/location-map.js" in page and "<script>" not in page
    data = {
        name: value
        for name, value in {**form.context["forms"][0].initial, "specialist": specialist_sam.pk}.items()
        if value is not None
    }
    data.update(
        {
            "referral_date": job_seeker.referral_date.isoformat(),
            "enrolment_date": job_seeker.enrolment_date.isoformat(),
            "latitude": "43.345120",
            "longitude": "5.396870",
        }
    )

    response = client.post(reverse("job_seeker_edit", args=[job_seeker.pk]), data)

    assert response.status_code == 302, response.context["forms"][0].errors
    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.longitude) == (Decimal("43.345120"), Decimal("5.396870"))
    assert (job_seeker.location_precision, job_seeker.located_address) == (
        "manual",
        "Cité des Flamants, 13014 Marseille",
    )
    detail = client.get(reverse("job_seeker_detail", args=[job_seeker.pk])).content.decode()
    assert "Pin set by hand" in detail


def test_half_a_point_or_a_point_off_the_map_is_refused(scope):
    job_seeker = services.job_seeker_create(scope=scope, details=details())

    for latitude, longitude in ((Decimal("43.3"), None), (Decimal("91"), Decimal("5.3"))):
        with pytest.raises(Exception) as refused:
            services.job_seeker_set_location(
                scope=scope, job_seeker_id=job_seeker.pk, latitude=latitude, longitude=longitude
            )
        assert refused.type.__name__ == "ValidationError"
    job_seeker.refresh_from_db()
    assert job_seeker.latitude is None


def test_another_programs_person_is_404_and_a_partner_cannot_pin(
    client_for, specialist_louis, specialist_sam, organisation
):
    theirs = JobSeekerFactory(specialist=specialist_louis)

    response = client_for(specialist_sam).post(
        reverse("job_seeker_edit", args=[theirs.pk]), {"latitude": "43.3", "longitude": "5.4"}
    )

    assert response.status_code == 404
    partner = PartnerFactory(organisation=organisation, referrals_to=specialist_sam)
    mine = JobSeekerFactory(specialist=specialist_sam, referred_by_partner=partner)
    for scope, person in ((access_scope(specialist_sam), theirs), (PartnerScope(partner), mine)):
        with pytest.raises(OutOfScope):
            services.job_seeker_set_location(
                scope=scope, job_seeker_id=person.pk, latitude=Decimal("43.3"), longitude=Decimal("5.4")
            )
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.latitude is None and mine.latitude is None


def test_a_point_from_before_geocoding_is_kept_as_set_by_hand(organisation, specialist_sam, monkeypatch):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, latitude=Decimal("43.3"), longitude=Decimal("5.38"))
    monkeypatch.setattr(locations, "geocoder", lambda: pytest.fail("the provider was asked"))

    assert locations.locate(JobSeeker, job_seeker.pk) == "adopted"

    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.location_precision) == (Decimal("43.300000"), "manual")
