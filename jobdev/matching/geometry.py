"""Distances, in SQL and in Python: an equirectangular approximation in plain
arithmetic (no trigonometric SQL functions, so the same queries run on SQLite and
PostgreSQL), with a bounding box on the site coordinates that an index can serve."""

import functools
import math
import operator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Cast
from django.db.models.lookups import LessThanOrEqual

from crm.models import LocationPrecision
from jobdev.matching.wishes import Wishes, is_town_only
from jobdev.planning import TRAVEL_SPEED_KMH

# Candidates are looked for within 3 times the accepted distance, 30 km at least.
REACH_FACTOR = 3


MIN_REACH_KM = 30


# Equirectangular approximation: one degree of latitude, and of longitude at the equator.
KM_PER_DEGREE_LATITUDE = 110.57


KM_PER_DEGREE_LONGITUDE = 111.32


def _float(expression):
    return Cast(expression, FloatField())


def _number(value: float) -> Value:
    return Value(float(value), output_field=FloatField())


def _cos_degrees(latitude):
    """cos(latitude) as a Taylor series in plain arithmetic (Horner form), for databases
    without trigonometric functions (SQLite): error below 1e-5 up to 70° of latitude."""
    x2 = latitude * latitude * _number((math.pi / 180) ** 2)
    series = _number(1) - x2 / _number(56)
    series = _number(1) - x2 / _number(30) * series
    series = _number(1) - x2 / _number(12) * series
    return _number(1) - x2 / _number(2) * series


def _squared_km(latitude, longitude, latitude_0, longitude_0, cos_latitude_0):
    dx = (longitude - longitude_0) * cos_latitude_0 * _number(KM_PER_DEGREE_LONGITUDE)
    dy = (latitude - latitude_0) * _number(KM_PER_DEGREE_LATITUDE)
    return dx * dx + dy * dy


def distance_km(wishes: Wishes, site) -> float | None:
    """The straight-line distance the SQL compares, for display (same formula)."""
    if not wishes.has_coordinates or site.latitude is None or site.longitude is None:
        return None
    dx = (float(site.longitude) - wishes.longitude) * wishes.cos_latitude * KM_PER_DEGREE_LONGITUDE
    dy = (float(site.latitude) - wishes.latitude) * KM_PER_DEGREE_LATITUDE
    return math.sqrt(dx * dx + dy * dy)


def travel_minutes(km: float) -> int:
    """The travel time a distance stands for at the urban speed of jobdev.planning (the
    speed that turns a maximum travel time into a distance): 1 minute at least."""
    return max(1, round(km * 60 / TRAVEL_SPEED_KMH))


@dataclass
class SiteRules:
    """Conditions on EmployerSite rows, seen from one person's home. None: not applicable.

    Only `near` and `located` score (a distance needs a point on both sides, each more
    precise than the town's centre: none of them applies to a home located to the town
    only); `unlocated`
    is a site whose distance is unknown, which ranks above a known far one. Town and
    postcode area never score: they only decide which employers are candidates."""

    near: Q | None = None  # within the accepted distance
    unlocated: Q | None = None  # no point, or the town's only, for the site: distance unknown
    same_town: Q | None = None  # where a distance cannot be computed: a candidate, no points
    same_postcode_area: Q | None = None  # idem, within reach only
    located: Q | None = None  # has coordinates, within reach: "far" unless near or unlocated
    reach: Q | None = None  # None: the person has no address, no limit

    @property
    def close(self) -> Q | None:
        """Close enough to be a candidate without any other signal."""
        parts = [q for q in (self.near, self.same_town) if q is not None]
        return functools.reduce(operator.or_, parts) if parts else None


def reach_km(radius: float) -> float:
    """How far candidates are looked for: beyond, a site only counts as 'far' if the
    employer is a candidate for another reason."""
    return max(REACH_FACTOR * radius, MIN_REACH_KM)


def _box(wishes: Wishes, km: float) -> Q:
    """Sites in the bounding box of a circle of `km` around home: plain comparisons on the
    coordinates, so an index on (latitude, longitude) can serve them."""
    d_latitude = km / KM_PER_DEGREE_LATITUDE
    d_longitude = km / (KM_PER_DEGREE_LONGITUDE * max(wishes.cos_latitude, 0.01))
    return Q(
        latitude__gte=_decimal(wishes.latitude - d_latitude),
        latitude__lte=_decimal(wishes.latitude + d_latitude),
        longitude__gte=_decimal(wishes.longitude - d_longitude),
        longitude__lte=_decimal(wishes.longitude + d_longitude),
    )


# A site whose distance can be scored: a point more precise than the town's centre.
SITE_MEASURABLE = Q(latitude__isnull=False, longitude__isnull=False) & ~Q(
    location_precision=LocationPrecision.MUNICIPALITY
)


def site_is_measurable(site) -> bool:
    """The same, in Python, for the explanations."""
    return site.latitude is not None and site.longitude is not None and not is_town_only(site)


def _site_rules(wishes: Wishes) -> SiteRules:
    rules = SiteRules()
    # Town and postcode area only stand in where a distance cannot be computed: the home
    # or the site has no point, or a point located to the town only.
    not_measurable = ~SITE_MEASURABLE if wishes.can_measure else Q()
    if wishes.town:
        rules.same_town = Q(town__iexact=wishes.town) & not_measurable
    if wishes.postcode_area:
        rules.same_postcode_area = Q(postcode__startswith=wishes.postcode_area) & not_measurable
    by_name = [q for q in (rules.same_town, rules.same_postcode_area) if q is not None]
    if wishes.has_coordinates:
        # A home located to the town only still bounds the search (within reach of the
        # town centre), but scores no distance.
        by_name.append(_box(wishes, reach_km(wishes.radius_km)))
    if wishes.can_measure:
        radius = wishes.radius_km
        squared = _squared_km(
            _float(F("latitude")),
            _float(F("longitude")),
            _number(wishes.latitude),
            _number(wishes.longitude),
            _number(max(wishes.cos_latitude, 0.01)),
        )
        rules.near = (
            _box(wishes, radius)
            & Q(LessThanOrEqual(squared, _number(radius * radius)))
            & ~Q(location_precision=LocationPrecision.MUNICIPALITY)
        )
        rules.unlocated = ~SITE_MEASURABLE
        rules.located = _box(wishes, reach_km(radius))
    if by_name:
        rules.reach = functools.reduce(operator.or_, by_name)
    return rules


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")
