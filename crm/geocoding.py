"""Finding the point of an address: the configured provider (settings.GEOCODER) behind
one small interface.

    geocoder().locate(Address(...)) -> Located(latitude, longitude, precision) or None

- "ban": BAN France (Base Adresse Nationale, a French public service), through geopy's
  BANFrance. Its result `type` is the precision (housenumber, street, locality,
  municipality); a best match scoring below GEOCODER_MIN_SCORE, or in another
  département than the postcode given, is "not found".
- "nominatim": OpenStreetMap's Nominatim (or your own server, GEOCODER_DOMAIN), through
  geopy's Nominatim with a structured query; the precision comes from the result's
  addresstype, class and place rank. Its usage policy asks for a user agent naming the
  deployment and at most one request per second (geopy's RateLimiter, per process).
- "fake": no network. Towns (by postcode, then by name) and their streets from a table
  (GEOCODER_FAKE_PLACES, the demo's places): a known street is located to it, a known
  town to its centre, anything else is not found. For development, tests, CI, the demo.
- "none": nothing is located (pins are set by hand).

A provider that cannot answer (network, time-out, server error) raises
GeocodingUnavailable: the caller tries again later; one that refuses us as a whole
(rate limited, quota exceeded, forbidden) raises GeocodingPaused (one of them). An address it does not know is
None, never an exception. Row-level work (which rows to locate, storing the point) is in
crm/locations.py.
"""

import json
import logging
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from django.conf import settings

from crm.models import LocationPrecision

logger = logging.getLogger(__name__)

SIX_PLACES = Decimal("0.000001")
# Neutral on purpose: the user agent goes with every address sent; it must not say that
# the people looked up are a health service's (docs/operations.md, GEOCODER_USER_AGENT).
DEFAULT_USER_AGENT = "crm-geocoder"


class GeocodingUnavailable(Exception):
    """The provider could not answer now (network, time-out, quota, server error, its
    configuration): try again later."""


class GeocodingPaused(GeocodingUnavailable):
    """The provider refuses us as a whole, not this address: rate limited or quota
    exceeded (`rate_limited`, with the Retry-After it gave, in seconds, if any), or
    forbidden / bad credentials. All geocoding pauses (crm.locations.pause)."""

    def __init__(self, message: str, *, rate_limited: bool, retry_after: float | None = None):
        super().__init__(message)
        self.rate_limited = rate_limited
        self.retry_after = retry_after


@dataclass(frozen=True)
class Address:
    """What is sent to the provider: the street part, the postcode and the town."""

    street: str = ""
    postcode: str = ""
    town: str = ""

    @property
    def text(self) -> str:
        """ "12 rue Paradis, 13006 Marseille": the address on one line (empty parts left out)."""
        place = " ".join(part for part in (self.postcode, self.town) if part)
        return ", ".join(part for part in (self.street, place) if part)

    def __bool__(self) -> bool:
        return bool(self.street or self.postcode or self.town)


@dataclass(frozen=True)
class Located:
    latitude: Decimal
    longitude: Decimal
    precision: str  # a crm.models.LocationPrecision value (never "manual")


def located(latitude, longitude, precision: str) -> Located | None:
    """A provider's answer as stored (six decimal places), or None when it is no point on
    Earth."""
    try:
        lat = Decimal(str(latitude)).quantize(SIX_PLACES, ROUND_HALF_UP)
        lon = Decimal(str(longitude)).quantize(SIX_PLACES, ROUND_HALF_UP)
    except (ArithmeticError, ValueError, TypeError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Located(lat, lon, precision)


def _fold(text: str) -> str:
    """Lower case, without accents, apostrophes and hyphens as spaces, single spaces: how
    two spellings of one name are compared."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    for mark in "'’-_,.":
        text = text.replace(mark, " ")
    return " ".join(text.split())


# BAN France -----------------------------------------------------------------------------

BAN_PRECISIONS = {
    "housenumber": LocationPrecision.HOUSE_NUMBER,
    "street": LocationPrecision.STREET,
    "locality": LocationPrecision.LOCALITY,
    "municipality": LocationPrecision.MUNICIPALITY,
}


def ban_result(raw: dict, address: Address, *, min_score: float) -> Located | None:
    """A BAN feature (GeoJSON) as a point and its precision, or None when it is not a
    match worth storing: an unknown type, a score below `min_score`, or a town in
    another département than the postcode given."""
    properties = raw.get("properties") or {}
    precision = BAN_PRECISIONS.get(properties.get("type"))
    try:
        score = float(properties.get("score", 0))
        longitude, latitude = (raw.get("geometry") or {}).get("coordinates", [])[:2]
    except (TypeError, ValueError):
        return None
    if precision is None or score < min_score:
        return None
    found_postcode = str(properties.get("postcode") or "")
    if address.postcode[:2].isdigit() and found_postcode[:2].isdigit() and address.postcode[:2] != found_postcode[:2]:
        return None
    return located(latitude, longitude, precision)


class BanGeocoder:
    name = "ban"

    def __init__(self, client, *, min_score: float):
        self.client = client  # geopy's BANFrance, or anything with its geocode()
        self.min_score = min_score

    def locate(self, address: Address) -> Located | None:
        result = _ask(self.client.geocode, address.text, exactly_one=True)
        return ban_result(result.raw, address, min_score=self.min_score) if result is not None else None


# Nominatim ------------------------------------------------------------------------------

NOMINATIM_HOUSE = {"house", "building", "house_number", "address"}
NOMINATIM_STREET = {"road", "street", "highway", "pedestrian", "footway", "square"}
NOMINATIM_LOCALITY = {
    "suburb",
    "quarter",
    "neighbourhood",
    "hamlet",
    "locality",
    "isolated_dwelling",
    "city_district",
    "borough",
    "farm",
    "allotments",
    "croft",
}
NOMINATIM_TOWN = {"city", "town", "village", "municipality", "postcode"}


def nominatim_precision(raw: dict) -> str | None:
    """The precision of a Nominatim result, from its addresstype (Nominatim 4+), then its
    class and type, then its place rank (30 an address or a building, 26-27 a street,
    17-25 part of a town, 12-16 a town). Coarser than a town: None."""
    addresstype = str(raw.get("addresstype") or "")
    category, kind = str(raw.get("class") or raw.get("category") or ""), str(raw.get("type") or "")
    if addresstype in NOMINATIM_HOUSE or category == "building" or kind == "house":
        return LocationPrecision.HOUSE_NUMBER
    if addresstype in NOMINATIM_STREET or category == "highway":
        return LocationPrecision.STREET
    if addresstype in NOMINATIM_LOCALITY or kind in NOMINATIM_LOCALITY:
        return LocationPrecision.LOCALITY
    if addresstype in NOMINATIM_TOWN or kind in NOMINATIM_TOWN:
        return LocationPrecision.MUNICIPALITY
    try:
        rank = int(raw.get("place_rank"))
    except (TypeError, ValueError):
        return None
    if rank >= 28:
        return LocationPrecision.HOUSE_NUMBER
    if rank >= 26:
        return LocationPrecision.STREET
    if rank >= 17:
        return LocationPrecision.LOCALITY
    if rank >= 12:
        return LocationPrecision.MUNICIPALITY
    return None


class NominatimGeocoder:
    name = "nominatim"

    def __init__(self, client, *, country_codes: list[str]):
        self.client = client  # geopy's Nominatim (behind its RateLimiter), or a stand-in
        self.country_codes = country_codes or None

    def locate(self, address: Address) -> Located | None:
        query = {
            name: value
            for name, value in (("street", address.street), ("postalcode", address.postcode), ("city", address.town))
            if value
        }
        result = _ask(self.client.geocode, query, exactly_one=True, country_codes=self.country_codes)
        if result is None:
            return None
        precision = nominatim_precision(result.raw or {})
        return located(result.latitude, result.longitude, precision) if precision else None


def _ask(geocode, *args, **kwargs):
    """Call the provider; what it cannot answer now is GeocodingUnavailable, and what
    refuses us as a whole (rate limited, quota exceeded, 403, 401) GeocodingPaused. A
    query it refuses (geopy's GeocoderQueryError: too short, too long) is "not found"."""
    from geopy import exc

    try:
        return geocode(*args, **kwargs)
    except exc.GeocoderQueryError:
        return None
    except exc.GeocoderQuotaExceeded as error:  # GeocoderRateLimited (429) is one
        retry_after = getattr(error, "retry_after", None)
        raise GeocodingPaused(f"{type(error).__name__}: {error}", rate_limited=True, retry_after=retry_after) from error
    except (exc.GeocoderInsufficientPrivileges, exc.GeocoderAuthenticationFailure) as error:
        raise GeocodingPaused(f"{type(error).__name__}: {error}", rate_limited=False) from error
    except (exc.GeopyError, OSError) as error:
        raise GeocodingUnavailable(f"{type(error).__name__}: {error}") from error


# Fake -----------------------------------------------------------------------------------


class FakeGeocoder:
    """Answers from a table of towns, each with a postcode, a centre and streets with
    their points (the demo's data/places.json format: `streets` names, `street_points`
    [latitude, longitude] in the same order). No network, same answer every time."""

    name = "fake"

    def __init__(self, towns: list[dict]):
        self.towns = towns

    def _town(self, address: Address) -> dict | None:
        postcode, name = address.postcode.strip(), _fold(address.town)
        by_postcode = [town for town in self.towns if postcode and town["postcode"] == postcode]
        if by_postcode:
            return by_postcode[0]
        return next((town for town in self.towns if name and _fold(town["town"]) == name), None)

    def locate(self, address: Address) -> Located | None:
        town = self._town(address)
        if town is None:
            return None
        street = _fold(address.street)
        points = town.get("street_points") or []
        for index, street_name in enumerate(town.get("streets") or []):
            if street and _fold(street_name) in street and index < len(points):
                latitude, longitude = points[index]
                number = street.split(" ", 1)[0]
                if number.isdigit():
                    # A house number moves the point a little along the street, the same way every time.
                    offset = (int(number) % 40 - 20) * 0.00004
                    return located(latitude + offset, longitude + offset, LocationPrecision.HOUSE_NUMBER)
                return located(latitude, longitude, LocationPrecision.STREET)
        return located(town["latitude"], town["longitude"], LocationPrecision.MUNICIPALITY)


@cache
def _fake_towns(path: Path) -> tuple:
    try:
        towns = json.loads(Path(path).read_text(encoding="utf-8"))["towns"]
    except (OSError, ValueError, KeyError) as error:
        raise GeocodingUnavailable(f"The fake geocoder's places ({path}) cannot be read: {error}") from error
    return tuple(towns)


class NoGeocoder:
    name = "none"

    def locate(self, address: Address) -> Located | None:
        return None


# The configured one ---------------------------------------------------------------------


def geocoder():
    """The provider settings.GEOCODER names, built once per process and per setting (so
    the rate limiter's clock is shared by every call of the process)."""
    return _build(
        settings.GEOCODER,
        settings.GEOCODER_DOMAIN,
        settings.GEOCODER_USER_AGENT,
        settings.GEOCODER_TIMEOUT_SECONDS,
        settings.GEOCODER_MIN_DELAY_SECONDS,
        tuple(settings.GEOCODER_COUNTRY_CODES),
        settings.GEOCODER_MIN_SCORE,
        str(settings.GEOCODER_FAKE_PLACES),
    )


@cache
def _build(name, domain, user_agent, timeout, min_delay, country_codes, min_score, fake_places):
    if name == "fake":
        return FakeGeocoder(list(_fake_towns(Path(fake_places))))
    if name == "none":
        return NoGeocoder()
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import BANFrance, Nominatim

    options = {"timeout": timeout, "user_agent": user_agent or DEFAULT_USER_AGENT}
    if name == "ban":
        client = BANFrance(**({"domain": domain} if domain else {}), **options)
        geocode = client.geocode
    elif name == "nominatim":
        client = Nominatim(**({"domain": domain} if domain else {}), **options)
        geocode = client.geocode
    else:
        raise GeocodingUnavailable(f"Unknown geocoder {name!r}.")
    if min_delay > 0:
        # geopy's RateLimiter spaces calls; retries are the background job's (per row, with backoff).
        geocode = RateLimiter(geocode, min_delay_seconds=min_delay, max_retries=0, swallow_exceptions=False)
    wrapped = _Client(geocode)
    if name == "ban":
        return BanGeocoder(wrapped, min_score=min_score)
    return NominatimGeocoder(wrapped, country_codes=list(country_codes))


@dataclass(frozen=True)
class _Client:
    geocode: object


def clear_cache() -> None:
    """Forget the built providers and the fake's table (tests that change the settings)."""
    _build.cache_clear()
    _fake_towns.cache_clear()
