"""Matching (IPS principles 4 and 7): employers and open job openings ranked by fit with
a job seeker's preferences, and the job seekers of a caseload ranked for an employer or
an opening. Rules, points and the reasoning are in docs/matching.md.

Two steps, so the work does not grow with the number of employers:

1. Rank in the database. Candidates come from index-driven subqueries (a site near home
   or in the same town; a wanted industry or job type with a site within reach), less
   the hard exclusions; each rule is a CASE expression evaluated for the candidates only;
   rows are ordered by score, name and id, and only the top N ids are read.
2. Explain the top N only. The same rule expressions are annotated on those N rows, so an
   explanation can never disagree with the score; a bounded number of batched queries
   bring the details (sites, openings, job types learned, contacts on the person's behalf).

Distances are straight lines: an equirectangular approximation in plain arithmetic (no
trigonometric SQL functions), so the same queries run on SQLite and PostgreSQL, with a
bounding box on the site coordinates that an index can serve."""

import contextlib
import datetime
import functools
import math
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Coalesce, Greatest, Substr, Trim, Upper
from django.db.models.lookups import LessThanOrEqual
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import JobPreference, JobSeeker, JobType, Shift
from crm.selectors import job_seekers_editable_by, job_seekers_visible_to
from employers.models import Employer, EmployerSite, JobOpening
from employers.selectors import employers_visible_to
from jobdev.models import EmployerContact
from jobdev.planning import TRAVEL_SPEED_KMH
from jobdev.selectors import employer_contacts_visible_to

TOP = 25
FRESH_DAYS = 90
DEFAULT_RADIUS_KM = 10
# Candidates are looked for within 3 times the accepted distance, 30 km at least.
REACH_FACTOR = 3
MIN_REACH_KM = 30
# Equirectangular approximation: one degree of latitude, and of longitude at the equator.
KM_PER_DEGREE_LATITUDE = 110.57
KM_PER_DEGREE_LONGITUDE = 111.32


class Points:
    OPEN_OPENING_JOB_TYPE = 30
    KNOWN_JOB_TYPE = 20
    INDUSTRY = 20
    NEAR = 20
    SAME_TOWN = 12
    SAME_POSTCODE_AREA = 6
    FAR = -10
    HOURS_FIT = 10
    HOURS_OUTSIDE = -10
    PAY_FIT = 10
    PAY_BELOW = -15
    FRESH = 5
    STAGE = {
        Employer.RelationshipStage.HAS_HIRED: 15,
        Employer.RelationshipStage.RELATIONSHIP: 10,
        Employer.RelationshipStage.INTRODUCED: 5,
        Employer.RelationshipStage.NOT_CONTACTED: 0,
    }


RULES = (
    "job_type_points",
    "industry_points",
    "location_points",
    "hours_points",
    "pay_points",
    "stage_points",
    "fresh_points",
)

STAGE_REASONS = {
    Employer.RelationshipStage.HAS_HIRED: gettext_lazy("Knows us: has hired from us"),
    Employer.RelationshipStage.RELATIONSHIP: gettext_lazy("Knows us: we have a relationship"),
    Employer.RelationshipStage.INTRODUCED: gettext_lazy("Knows us: we were introduced"),
}

LearnedJobType = EmployerContact.learned_job_types.through
OnBehalfOf = EmployerContact.job_seekers.through
_WANT_JOB_TYPE, _WANT_INDUSTRY, _AVOID_JOB_TYPE, _AVOID_INDUSTRY = range(4)


# --- What the person wants ------------------------------------------------------------


@dataclass(frozen=True)
class Wishes:
    """A job seeker's preferences as plain values, for building queries and explanations."""

    job_type_ids: frozenset = frozenset()
    industry_ids: frozenset = frozenset()
    avoid_job_type_ids: frozenset = frozenset()
    avoid_industry_ids: frozenset = frozenset()
    min_hours: int | None = None
    max_hours: int | None = None
    min_hourly_pay: Decimal | None = None
    shifts: tuple = ()
    max_distance_km: int | None = None
    max_travel_minutes: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    town: str = ""
    postcode_area: str = ""

    @property
    def radius_km(self) -> float:
        return radius_km(self.max_distance_km, self.max_travel_minutes)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def cos_latitude(self) -> float:
        return math.cos(math.radians(self.latitude))

    @property
    def has_place(self) -> bool:
        return self.has_coordinates or bool(self.town) or bool(self.postcode_area)

    @property
    def wants_hours(self) -> bool:
        return self.min_hours is not None or self.max_hours is not None

    @property
    def has_anything_to_match(self) -> bool:
        return bool(self.job_type_ids or self.industry_ids or self.has_place)


def radius_km(max_distance_km, max_travel_minutes) -> float:
    """The distance the person accepts: stated in km, else travel minutes at urban speed,
    else a default."""
    if max_distance_km is not None:
        return float(max_distance_km)
    if max_travel_minutes is not None:
        return max_travel_minutes * TRAVEL_SPEED_KMH / 60
    return float(DEFAULT_RADIUS_KM)


def _postcode_area(postcode: str) -> str:
    postcode = (postcode or "").strip()
    return postcode[:2].upper() if len(postcode) >= 2 else ""


def _preference_sets(preference_ids) -> dict[int, dict[int, set]]:
    """{preference id: {kind: {ids}}} for the four preference lists, in one query."""
    preference_ids = list(preference_ids)
    sets = defaultdict(lambda: defaultdict(set))
    if not preference_ids:
        return sets
    lists = (
        (JobPreference.job_types.through, "jobtype_id", _WANT_JOB_TYPE),
        (JobPreference.industries.through, "industry_id", _WANT_INDUSTRY),
        (JobPreference.avoid_job_types.through, "jobtype_id", _AVOID_JOB_TYPE),
        (JobPreference.avoid_industries.through, "industry_id", _AVOID_INDUSTRY),
    )
    queries = [
        through.objects.filter(jobpreference_id__in=preference_ids)
        .order_by()
        .annotate(kind=Value(kind, output_field=IntegerField()))
        .values_list("jobpreference_id", target, "kind")
        for through, target, kind in lists
    ]
    for preference_id, target_id, kind in queries[0].union(*queries[1:], all=True):
        sets[preference_id][kind].add(target_id)
    return sets


def _wishes(job_seeker: JobSeeker, preference, sets) -> Wishes:
    location = {
        "latitude": float(job_seeker.latitude) if job_seeker.latitude is not None else None,
        "longitude": float(job_seeker.longitude) if job_seeker.longitude is not None else None,
        "town": (job_seeker.town or "").strip(),
        "postcode_area": _postcode_area(job_seeker.postcode),
    }
    if location["latitude"] is None or location["longitude"] is None:
        location["latitude"] = location["longitude"] = None
    if preference is None:
        return Wishes(**location)
    return Wishes(
        job_type_ids=frozenset(sets[_WANT_JOB_TYPE]),
        industry_ids=frozenset(sets[_WANT_INDUSTRY]),
        avoid_job_type_ids=frozenset(sets[_AVOID_JOB_TYPE]),
        avoid_industry_ids=frozenset(sets[_AVOID_INDUSTRY]),
        min_hours=preference.min_hours_per_week,
        max_hours=preference.max_hours_per_week,
        min_hourly_pay=preference.min_hourly_pay,
        shifts=tuple(preference.shifts or ()),
        max_distance_km=preference.max_distance_km,
        max_travel_minutes=preference.max_travel_minutes,
        **location,
    )


def wishes_for(job_seeker: JobSeeker) -> Wishes:
    """The person's wishes (one query for the four preference lists)."""
    preference = getattr(job_seeker, "job_preference", None)
    if preference is None:
        return _wishes(job_seeker, None, None)
    return _wishes(job_seeker, preference, _preference_sets([preference.pk])[preference.pk])


# --- Geometry, in SQL and in Python ---------------------------------------------------


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


@dataclass
class SiteRules:
    """Conditions on EmployerSite rows, seen from one person's home. None: not applicable."""

    near: Q | None = None  # within the accepted distance
    same_town: Q | None = None  # where a distance cannot be computed
    same_postcode_area: Q | None = None  # idem
    located: Q | None = None  # has coordinates, within reach: "far" unless near
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


def _site_rules(wishes: Wishes) -> SiteRules:
    rules = SiteRules()
    # Town and postcode area only stand in where a distance cannot be computed.
    not_measurable = Q(latitude__isnull=True) if wishes.has_coordinates else Q()
    if wishes.town:
        rules.same_town = Q(town__iexact=wishes.town) & not_measurable
    if wishes.postcode_area:
        rules.same_postcode_area = Q(postcode__startswith=wishes.postcode_area) & not_measurable
    by_name = [q for q in (rules.same_town, rules.same_postcode_area) if q is not None]
    if wishes.has_coordinates:
        radius = wishes.radius_km
        squared = _squared_km(
            _float(F("latitude")),
            _float(F("longitude")),
            _number(wishes.latitude),
            _number(wishes.longitude),
            _number(max(wishes.cos_latitude, 0.01)),
        )
        rules.near = _box(wishes, radius) & Q(LessThanOrEqual(squared, _number(radius * radius)))
        rules.located = _box(wishes, reach_km(radius))
        by_name.append(rules.located)
    if by_name:
        rules.reach = functools.reduce(operator.or_, by_name)
    return rules


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _location_points(rules: SiteRules, sites_where) -> Case | Value:
    """`sites_where(q)`: a condition true when one of the row's sites matches `q`."""
    whens = [
        When(sites_where(condition), then=Value(points))
        for condition, points in (
            (rules.near, Points.NEAR),
            (rules.same_town, Points.SAME_TOWN),
            (rules.same_postcode_area, Points.SAME_POSTCODE_AREA),
            (rules.located, Points.FAR),
        )
        if condition is not None
    ]
    return Case(*whens, default=Value(0), output_field=IntegerField()) if whens else Value(0)


def _stage_points(path: str = "relationship_stage") -> Case:
    return Case(
        *(When(**{path: stage}, then=Value(points)) for stage, points in Points.STAGE.items() if points),
        default=Value(0),
        output_field=IntegerField(),
    )


def _score():
    return functools.reduce(operator.add, (F(name) for name in RULES))


def _learned(employer_ref) -> QuerySet:
    return LearnedJobType.objects.filter(
        employercontact__employer_id=employer_ref, employercontact__status=EmployerContact.Status.HELD
    )


def _typed_openings(employer_ref) -> QuerySet:
    return JobOpening.objects.filter(employer_id=employer_ref, job_type__isnull=False)


# --- Step 1: ranking in the database --------------------------------------------------


def _employer_ids(model_queryset: QuerySet, path: str = "employer_id") -> QuerySet:
    return model_queryset.order_by().values(path)


def _openings_of_types(job_type_ids, **filters) -> QuerySet:
    return _employer_ids(JobOpening.objects.filter(job_type_id__in=job_type_ids, **filters))


def _learned_types(job_type_ids) -> QuerySet:
    return _employer_ids(
        LearnedJobType.objects.filter(jobtype_id__in=job_type_ids, employercontact__status=EmployerContact.Status.HELD),
        "employercontact__employer_id",
    )


def _employer_rules(wishes: Wishes, *, now: datetime.datetime) -> dict:
    """Each rule a CASE over correlated EXISTS: evaluated for the candidates only, each
    probe served by an index on the employer's foreign key."""
    ref = OuterRef("pk")
    rules = dict.fromkeys(RULES, Value(0))
    if wishes.job_type_ids:
        wanted = wishes.job_type_ids
        rules["job_type_points"] = Case(
            When(
                Exists(JobOpening.objects.filter(employer=ref, status=JobOpening.Status.OPEN, job_type_id__in=wanted)),
                then=Value(Points.OPEN_OPENING_JOB_TYPE),
            ),
            When(
                Exists(_typed_openings(ref).filter(job_type_id__in=wanted))
                | Exists(_learned(ref).filter(jobtype_id__in=wanted)),
                then=Value(Points.KNOWN_JOB_TYPE),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
    if wishes.industry_ids:
        rules["industry_points"] = Case(
            When(industry_id__in=wishes.industry_ids, then=Value(Points.INDUSTRY)),
            default=Value(0),
            output_field=IntegerField(),
        )
    rules["location_points"] = _location_points(
        _site_rules(wishes), lambda q: Exists(EmployerSite.objects.filter(employer=ref).filter(q))
    )
    rules["stage_points"] = _stage_points()
    held_recently = EmployerContact.objects.filter(
        employer=ref, status=EmployerContact.Status.HELD, starts_at__gte=now - datetime.timedelta(days=FRESH_DAYS)
    )
    learned_recently = JobOpening.objects.filter(
        employer=ref, learned_on__gte=timezone.localdate(now) - datetime.timedelta(days=FRESH_DAYS)
    )
    rules["fresh_points"] = Case(
        When(Exists(held_recently) | Exists(learned_recently), then=Value(Points.FRESH)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return rules


def _employer_candidates(wishes: Wishes) -> QuerySet | None:
    """The ids of the employers worth scoring, less the hard exclusions.

    Worth scoring: a site close to home (near, or in the same town), or a wanted industry
    or job type with a site within reach (or no site at all). Excluded: an industry to
    avoid, or only job types to avoid among those known.

    One `UNION ... EXCEPT ...` whose branches each have one selective predicate served by
    an index (site coordinates, town, postcode, industry, job type): the database
    estimates each well and walks the candidates, never all the employers."""
    signals = []  # (lookup from Employer, lookup from EmployerSite, value)
    if wishes.industry_ids:
        signals.append(("industry_id__in", "employer__industry_id__in", wishes.industry_ids))
    if wishes.job_type_ids:
        for employer_ids in (_openings_of_types(wishes.job_type_ids), _learned_types(wishes.job_type_ids)):
            signals.append(("pk__in", "employer_id__in", employer_ids))
    rules = _site_rules(wishes)
    branches = []
    if signals and rules.reach is None:
        branches += [Employer.objects.filter(**{lookup: value}).order_by().values("pk") for lookup, _, value in signals]
    elif signals:
        branches += [
            _employer_ids(EmployerSite.objects.filter(rules.reach, **{lookup: value})) for _, lookup, value in signals
        ]
        wanted = functools.reduce(operator.or_, (Q(**{lookup: value}) for lookup, _, value in signals))
        no_site = ~Exists(EmployerSite.objects.filter(employer=OuterRef("pk")))
        branches.append(Employer.objects.filter(wanted, no_site).order_by().values("pk"))
    if rules.close is not None:
        branches.append(_employer_ids(EmployerSite.objects.filter(rules.close)))
    if not branches:
        return None
    candidates = branches[0].union(*branches[1:])
    excluded = _employer_exclusions(wishes)
    return candidates.difference(*excluded) if excluded else candidates


def _employer_exclusions(wishes: Wishes) -> list[QuerySet]:
    """Hard exclusions, as sets of employer ids: an industry to avoid; or known to hire
    only for job types to avoid (looked for among those hiring for one, a small set)."""
    excluded = []
    if wishes.avoid_industry_ids:
        excluded.append(Employer.objects.filter(industry_id__in=wishes.avoid_industry_ids).order_by().values("pk"))
    if wishes.avoid_job_type_ids:
        avoid = wishes.avoid_job_type_ids
        ref = OuterRef("pk")
        hires_other = Exists(_typed_openings(ref).exclude(job_type_id__in=avoid)) | Exists(
            _learned(ref).exclude(jobtype_id__in=avoid)
        )
        for hires_avoided in (_openings_of_types(avoid), _learned_types(avoid)):
            excluded.append(Employer.objects.filter(~Q(hires_other), pk__in=hires_avoided).order_by().values("pk"))
    return excluded


def rank_employers(user, wishes: Wishes, *, now: datetime.datetime | None = None) -> QuerySet[Employer]:
    """Visible employers matching `wishes`, scored and ordered in the database (slice it)."""
    candidates = _employer_candidates(wishes)
    if candidates is None:
        return Employer.objects.none()
    employers = employers_visible_to(user).filter(pk__in=candidates)
    rules = _employer_rules(wishes, now=now or timezone.now())
    return employers.alias(**rules).annotate(match_score=_score()).order_by("-match_score", "name", "pk")


def _opening_sites_in(q: Q) -> Q:
    """The opening's own site matches `q`, or, without a site, one of its employer's:
    uncorrelated sets, for the candidate pre-filter."""
    sites = EmployerSite.objects.filter(q).order_by()
    return Q(site_id__in=sites.values("pk")) | Q(site__isnull=True, employer_id__in=sites.values("employer_id"))


def _opening_sites_where(q: Q):
    """The same, correlated, for the rules: probed for the candidates only."""
    return Exists(EmployerSite.objects.filter(pk=OuterRef("site_id")).filter(q)) | (
        Q(site__isnull=True) & Exists(EmployerSite.objects.filter(employer=OuterRef("employer_id")).filter(q))
    )


def _opening_rules(wishes: Wishes, *, now: datetime.datetime) -> dict:
    rules = dict.fromkeys(RULES, Value(0))
    if wishes.job_type_ids:
        rules["job_type_points"] = Case(
            When(job_type_id__in=wishes.job_type_ids, then=Value(Points.OPEN_OPENING_JOB_TYPE)),
            default=Value(0),
            output_field=IntegerField(),
        )
    if wishes.industry_ids:
        rules["industry_points"] = Case(
            When(employer__industry_id__in=wishes.industry_ids, then=Value(Points.INDUSTRY)),
            default=Value(0),
            output_field=IntegerField(),
        )
    rules["location_points"] = _location_points(_site_rules(wishes), _opening_sites_where)
    if wishes.wants_hours:
        fits = Q()
        if wishes.min_hours is not None:
            fits &= Q(hours_per_week__gte=wishes.min_hours)
        if wishes.max_hours is not None:
            fits &= Q(hours_per_week__lte=wishes.max_hours)
        rules["hours_points"] = Case(
            When(hours_per_week__isnull=True, then=Value(0)),
            When(fits, then=Value(Points.HOURS_FIT)),
            default=Value(Points.HOURS_OUTSIDE),
            output_field=IntegerField(),
        )
    if wishes.min_hourly_pay is not None:
        rules["pay_points"] = Case(
            When(hourly_pay__isnull=True, then=Value(0)),
            When(hourly_pay__gte=wishes.min_hourly_pay, then=Value(Points.PAY_FIT)),
            default=Value(Points.PAY_BELOW),
            output_field=IntegerField(),
        )
    rules["stage_points"] = _stage_points("employer__relationship_stage")
    rules["fresh_points"] = Case(
        When(learned_on__gte=timezone.localdate(now) - datetime.timedelta(days=FRESH_DAYS), then=Value(Points.FRESH)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return rules


def rank_openings(user, wishes: Wishes, *, now: datetime.datetime | None = None) -> QuerySet[JobOpening]:
    """Open job openings of visible employers matching `wishes`, scored and ordered in the
    database (slice it)."""
    signals = []
    if wishes.job_type_ids:
        signals.append(Q(job_type_id__in=wishes.job_type_ids))
    if wishes.industry_ids:
        signals.append(Q(employer__industry_id__in=wishes.industry_ids))
    site_rules = _site_rules(wishes)
    parts = []
    if signals:
        signal = functools.reduce(operator.or_, signals)
        if site_rules.reach is not None:
            no_site = Q(site__isnull=True) & ~Exists(EmployerSite.objects.filter(employer=OuterRef("employer_id")))
            signal &= _opening_sites_in(site_rules.reach) | no_site
        parts.append(signal)
    if site_rules.close is not None:
        parts.append(_opening_sites_in(site_rules.close))
    if not parts:
        return JobOpening.objects.none()
    openings = JobOpening.objects.filter(
        functools.reduce(operator.or_, parts),
        status=JobOpening.Status.OPEN,
        employer__in=employers_visible_to(user).order_by(),
    )
    if wishes.avoid_job_type_ids:
        openings = openings.exclude(job_type_id__in=wishes.avoid_job_type_ids)
    if wishes.avoid_industry_ids:
        openings = openings.exclude(employer__industry_id__in=wishes.avoid_industry_ids)
    rules = _opening_rules(wishes, now=now or timezone.now())
    return (
        openings.alias(**rules).annotate(match_score=_score()).order_by("-match_score", "employer__name", "title", "pk")
    )


def top_ids(ranked: QuerySet, limit: int = TOP) -> list[int]:
    """The ids of the first `limit` rows of a ranking, in order."""
    return list(ranked.values_list("pk", flat=True)[:limit])


@contextlib.contextmanager
def without_jit(using: str = "default"):
    """On PostgreSQL, rank without JIT compilation: the planner's cost estimate for the
    scoring expressions passes `jit_above_cost`, and compiling them took seconds where the
    query runs in milliseconds (docs/matching.md). SET LOCAL lasts until the end of the
    outermost transaction (no savepoint: one statement more, and JIT stays off for the
    rest of a request's transaction, which only helps)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using, savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


# --- What we know of an employer, for the reverse ranking and the explanations --------


@dataclass
class KnownJobType:
    job_type: JobType
    open: bool = False
    since: datetime.date | None = None  # when we last learned they hire for it


@dataclass
class EmployerFacts:
    employer: Employer
    sites: list = field(default_factory=list)
    open_openings: list = field(default_factory=list)
    job_types: dict = field(default_factory=dict)  # job type id -> KnownJobType
    any_job_type_known: bool = False
    last_held_at: datetime.datetime | None = None
    last_opening_on: datetime.date | None = None

    def summarise(self, any_job_type_known, last_held_at, last_opening_on) -> None:
        self.any_job_type_known = bool(any_job_type_known)
        self.last_held_at = last_held_at
        self.last_opening_on = last_opening_on

    def learn(self, job_type: JobType, on: datetime.date | None, *, is_open: bool = False) -> None:
        known = self.job_types.setdefault(job_type.pk, KnownJobType(job_type))
        known.open = known.open or is_open
        if on is not None and (known.since is None or on > known.since):
            known.since = on


def _summary_annotations() -> dict:
    ref = OuterRef("pk")
    return {
        "any_job_type_known": Exists(_typed_openings(ref)) | Exists(_learned(ref)),
        "last_held_at": Subquery(
            EmployerContact.objects.filter(employer=ref, status=EmployerContact.Status.HELD)
            .order_by("-starts_at")
            .values("starts_at")[:1],
            output_field=DateTimeField(),
        ),
        "last_opening_on": Subquery(
            JobOpening.objects.filter(employer=ref).order_by("-learned_on").values("learned_on")[:1],
            output_field=DateField(),
        ),
    }


def _employer_facts(
    employers: list[Employer], *, job_type_ids=None, with_summaries: bool = True
) -> dict[int, EmployerFacts]:
    """Sites, open openings, the job types they hire for (only `job_type_ids` when given)
    and the dates of the last news (unless the caller read `_summary_annotations` with
    its own query), for a few employers: four queries at most."""
    facts = {employer.pk: EmployerFacts(employer) for employer in employers}
    if not facts:
        return facts
    for site in EmployerSite.objects.filter(employer_id__in=facts):
        facts[site.employer_id].sites.append(site)
    openings = JobOpening.objects.filter(employer_id__in=facts).select_related("job_type", "site")
    if job_type_ids is not None:
        openings = openings.filter(Q(status=JobOpening.Status.OPEN) | Q(job_type_id__in=job_type_ids))
    for opening in openings.order_by("-learned_on", "-pk"):
        is_open = opening.status == JobOpening.Status.OPEN
        if is_open:
            facts[opening.employer_id].open_openings.append(opening)
        if opening.job_type is not None and (job_type_ids is None or opening.job_type_id in job_type_ids):
            facts[opening.employer_id].learn(opening.job_type, opening.learned_on, is_open=is_open)
    if job_type_ids is None or job_type_ids:
        learned = LearnedJobType.objects.filter(
            employercontact__employer_id__in=facts, employercontact__status=EmployerContact.Status.HELD
        ).select_related("jobtype", "employercontact")
        if job_type_ids is not None:
            learned = learned.filter(jobtype_id__in=job_type_ids)
        for row in learned:
            facts[row.employercontact.employer_id].learn(row.jobtype, timezone.localdate(row.employercontact.starts_at))
    if with_summaries:
        summaries = Employer.objects.filter(pk__in=facts).values_list("pk").annotate(**_summary_annotations())
        for pk, *values in summaries:
            facts[pk].summarise(*values)
    return facts


# --- Step 2: explanations --------------------------------------------------------------


@dataclass
class Match:
    score: int = 0
    reasons: list = field(default_factory=list)
    concerns: list = field(default_factory=list)
    unknowns: list = field(default_factory=list)
    distance_km: float | None = None
    last_contact: EmployerContact | None = None


@dataclass
class EmployerMatch(Match):
    employer: Employer | None = None


@dataclass
class OpeningMatch(Match):
    opening: JobOpening | None = None


@dataclass
class JobSeekerMatch(Match):
    job_seeker: JobSeeker | None = None
    can_plan: bool = False


def _km(value: float) -> str:
    """One decimal, none when whole: "3.2", "8"."""
    return floatformat(value, -1)


def _money(value: Decimal) -> str:
    return formats.number_format(value, 2)


def _date(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _labels(job_types) -> str:
    return ", ".join(sorted(str(job_type.label) for job_type in job_types))


def _hours_range(wishes: Wishes) -> str:
    if wishes.min_hours is not None and wishes.max_hours is not None:
        return _("%(min)s–%(max)s h/week") % {"min": wishes.min_hours, "max": wishes.max_hours}
    if wishes.min_hours is not None:
        return _("at least %(min)s h/week") % {"min": wishes.min_hours}
    return _("at most %(max)s h/week") % {"max": wishes.max_hours}


def _opening_summary(opening: JobOpening) -> str:
    hours = (
        _("%(hours)s h/week") % {"hours": opening.hours_per_week}
        if opening.hours_per_week is not None
        else _("hours unknown")
    )
    pay = _("%(pay)s €/h") % {"pay": _money(opening.hourly_pay)} if opening.hourly_pay is not None else _("pay unknown")
    return f"{hours}, {pay}"


def shift_labels(shifts) -> str:
    labels = dict(Shift.choices)
    return ", ".join(str(labels.get(shift, shift)) for shift in shifts)


def _explain(match: Match, row, wishes: Wishes, facts: EmployerFacts, opening=None, *, now) -> None:
    """Fill `match` from the rule points annotated on `row` (the score's own terms) and
    the details in `facts`."""
    points = {name: getattr(row, name) for name in RULES}
    match.score = sum(points.values())
    employer = facts.employer
    _explain_job_type(match, points["job_type_points"], wishes, facts, opening)
    if points["industry_points"]:
        match.reasons.append(_("Industry wanted: %(industry)s") % {"industry": employer.industry.label})
    elif employer.industry_id is None and wishes.industry_ids:
        match.unknowns.append(_("Industry not recorded"))
    sites = [opening.site] if opening is not None and opening.site is not None else facts.sites
    _explain_location(match, points["location_points"], wishes, sites)
    if opening is not None:
        _explain_hours_pay_shifts(match, points, wishes, opening)
    if points["stage_points"]:
        match.reasons.append(str(STAGE_REASONS[employer.relationship_stage]))
    elif employer.relationship_stage == Employer.RelationshipStage.NOT_CONTACTED:
        match.unknowns.append(_("Not contacted yet: their hiring needs are unknown"))
    _explain_freshness(match, points["fresh_points"], facts, opening, now=now)


def _explain_job_type(match, points, wishes, facts, opening) -> None:
    if opening is not None:
        if points:
            match.reasons.append(_("Job type wanted: %(job_type)s") % {"job_type": opening.job_type.label})
        elif opening.job_type_id is None:
            match.unknowns.append(_("Job type not recorded"))
        return
    if points == Points.OPEN_OPENING_JOB_TYPE:
        for open_opening in facts.open_openings:
            if open_opening.job_type_id in wishes.job_type_ids:
                match.reasons.append(
                    _("Open opening: %(title)s (%(summary)s)")
                    % {"title": open_opening.title, "summary": _opening_summary(open_opening)}
                )
    elif points == Points.KNOWN_JOB_TYPE:
        wanted = [known for type_id, known in facts.job_types.items() if type_id in wishes.job_type_ids]
        for known in sorted(wanted, key=lambda known: str(known.job_type.label)):
            match.reasons.append(
                _("Hires for %(job_type)s (known since %(date)s)")
                % {"job_type": known.job_type.label, "date": _date(known.since)}
                if known.since
                else _("Hires for %(job_type)s") % {"job_type": known.job_type.label}
            )
    elif not facts.any_job_type_known and wishes.job_type_ids:
        match.unknowns.append(_("Job types they hire for not known yet"))
    avoided = [known.job_type for type_id, known in facts.job_types.items() if type_id in wishes.avoid_job_type_ids]
    if avoided:
        match.concerns.append(_("Also hires for job types to avoid: %(job_types)s") % {"job_types": _labels(avoided)})


def _explain_location(match, points, wishes: Wishes, sites) -> None:
    distances = [d for d in (distance_km(wishes, site) for site in sites) if d is not None]
    match.distance_km = min(distances) if distances else None
    radius = {"max": _km(wishes.radius_km)}
    if points == Points.NEAR:
        match.reasons.append(_("%(km)s km from home (at most %(max)s km)") % {"km": _km(match.distance_km), **radius})
    elif points in (Points.SAME_TOWN, Points.SAME_POSTCODE_AREA):
        if points == Points.SAME_TOWN:
            match.reasons.append(_("Same town: %(town)s") % {"town": wishes.town})
        else:
            match.reasons.append(_("Same postcode area: %(area)s") % {"area": wishes.postcode_area})
        if wishes.has_coordinates:
            match.unknowns.append(_("No coordinates for the site: compared by town and postcode"))
        else:
            match.unknowns.append(_("No coordinates for the job seeker: compared by town and postcode"))
    elif points == Points.FAR:
        match.concerns.append(
            _("%(km)s km from home, farther than %(max)s km") % {"km": _km(match.distance_km), **radius}
        )
    elif not sites:
        match.unknowns.append(_("No site recorded: distance unknown"))
    elif not wishes.has_place:
        match.unknowns.append(_("No address for the job seeker: distance unknown"))
    else:
        towns = sorted({site.town for site in sites if site.town})
        match.concerns.append(_("Not in the same town or postcode area: %(towns)s") % {"towns": ", ".join(towns)})


def _explain_hours_pay_shifts(match, points, wishes: Wishes, opening: JobOpening) -> None:
    if points["hours_points"] == Points.HOURS_FIT:
        match.reasons.append(
            _("%(hours)s h/week, within %(range)s") % {"hours": opening.hours_per_week, "range": _hours_range(wishes)}
        )
    elif points["hours_points"] == Points.HOURS_OUTSIDE:
        match.concerns.append(
            _("%(hours)s h/week, outside %(range)s") % {"hours": opening.hours_per_week, "range": _hours_range(wishes)}
        )
    elif wishes.wants_hours:
        match.unknowns.append(_("Hours unknown"))
    pay = {"pay": _money(opening.hourly_pay) if opening.hourly_pay is not None else ""}
    if wishes.min_hourly_pay is not None:
        pay["min"] = _money(wishes.min_hourly_pay)
    if points["pay_points"] == Points.PAY_FIT:
        match.reasons.append(_("%(pay)s €/h, at least the %(min)s €/h wanted") % pay)
    elif points["pay_points"] == Points.PAY_BELOW:
        match.concerns.append(_("%(pay)s €/h, below the %(min)s €/h wanted") % pay)
    elif wishes.min_hourly_pay is not None:
        match.unknowns.append(_("Pay unknown"))
    # Shifts are compared here, for the top N only: a JSON list is not portable SQL.
    if wishes.shifts:
        common = [shift for shift in opening.shifts if shift in wishes.shifts]
        if not opening.shifts:
            match.unknowns.append(_("Shifts unknown"))
        elif common:
            match.reasons.append(_("Shifts: %(shifts)s") % {"shifts": shift_labels(common)})
        else:
            match.concerns.append(_("Other shifts: %(shifts)s") % {"shifts": shift_labels(opening.shifts)})


def _explain_freshness(match, points, facts: EmployerFacts, opening, *, now) -> None:
    if opening is not None:
        if points:
            match.reasons.append(_("Recent: learned on %(date)s") % {"date": _date(opening.learned_on)})
        else:
            match.unknowns.append(
                _("Learned on %(date)s, over %(days)s days ago: check it is still open")
                % {"date": _date(opening.learned_on), "days": FRESH_DAYS}
            )
        return
    since = timezone.localdate(now) - datetime.timedelta(days=FRESH_DAYS)
    if points:
        if facts.last_held_at is not None and timezone.localdate(facts.last_held_at) >= since:
            match.reasons.append(_("Recent news: contact held on %(date)s") % {"date": _date(facts.last_held_at)})
        else:
            match.reasons.append(_("Recent news: opening learned on %(date)s") % {"date": _date(facts.last_opening_on)})
    else:
        dates = [d for d in (facts.last_held_at and timezone.localdate(facts.last_held_at), facts.last_opening_on) if d]
        if dates:
            match.unknowns.append(
                _("Last news on %(date)s, over %(days)s days ago") % {"date": _date(max(dates)), "days": FRESH_DAYS}
            )


# --- For a job seeker ------------------------------------------------------------------


@dataclass
class JobSeekerMatches:
    wishes: Wishes
    employers: list
    openings: list
    can_plan: bool


def job_seeker_for_matching(user, pk: int) -> JobSeeker:
    """A job seeker visible to `user`, with the preference and whether `user` may plan
    visits on their behalf (`can_plan`), in one query; or DoesNotExist."""
    return (
        job_seekers_visible_to(user)
        .select_related("job_preference")
        .annotate(can_plan=Exists(job_seekers_editable_by(user).filter(pk=OuterRef("pk"))))
        .get(pk=pk)
    )


def matches_for_job_seeker(user, job_seeker: JobSeeker, *, limit: int = TOP, now=None) -> JobSeekerMatches:
    """Employers and open openings for `job_seeker` (visible to `user`), best first.

    A fixed number of queries whatever the number of employers: two rankings, then, for
    the top `limit` of each, the rule points and batched details."""
    now = now or timezone.now()
    wishes = wishes_for(job_seeker)
    with without_jit():
        employer_ids = top_ids(rank_employers(user, wishes, now=now), limit)
        opening_ids = top_ids(rank_openings(user, wishes, now=now), limit)

    employers = (
        Employer.objects.filter(pk__in=employer_ids)
        .select_related("industry")
        .annotate(**_employer_rules(wishes, now=now), **_summary_annotations())
        if employer_ids
        else []
    )
    employers = sorted(employers, key=lambda employer: employer_ids.index(employer.pk))
    openings = (
        JobOpening.objects.filter(pk__in=opening_ids)
        .select_related("employer__industry", "job_type", "site")
        .annotate(**_opening_rules(wishes, now=now))
        if opening_ids
        else []
    )
    openings = sorted(openings, key=lambda opening: opening_ids.index(opening.pk))

    interesting_types = wishes.job_type_ids | wishes.avoid_job_type_ids
    facts = _employer_facts(
        list({e.pk: e for e in [*employers, *(o.employer for o in openings)]}.values()),
        job_type_ids=interesting_types,
        with_summaries=False,  # read with the employers' rule points, just above
    )
    for employer in employers:
        facts[employer.pk].summarise(employer.any_job_type_known, employer.last_held_at, employer.last_opening_on)
    last_contacts = _last_contacts_for(user, job_seeker, facts.keys())

    employer_matches = []
    for employer in employers:
        match = EmployerMatch(employer=employer, last_contact=last_contacts.get(employer.pk))
        _explain(match, employer, wishes, facts[employer.pk], now=now)
        employer_matches.append(match)
    opening_matches = []
    for opening in openings:
        match = OpeningMatch(opening=opening, last_contact=last_contacts.get(opening.employer_id))
        _explain(match, opening, wishes, facts[opening.employer_id], opening, now=now)
        opening_matches.append(match)
    can_plan = getattr(job_seeker, "can_plan", None)
    if can_plan is None:
        can_plan = job_seekers_editable_by(user).filter(pk=job_seeker.pk).exists()
    return JobSeekerMatches(wishes, employer_matches, opening_matches, can_plan)


def _last_contacts_for(user, job_seeker: JobSeeker, employer_ids) -> dict[int, EmployerContact]:
    """The last contact (not cancelled) made on the person's behalf with each employer."""
    contacts = (
        employer_contacts_visible_to(user)
        .filter(job_seekers=job_seeker, employer_id__in=list(employer_ids), purpose=EmployerContact.Purpose.ON_BEHALF)
        .exclude(status=EmployerContact.Status.CANCELLED)
        .order_by("-starts_at", "-pk")
    )
    last = {}
    for contact in contacts:
        last.setdefault(contact.employer_id, contact)
    return last


# --- For an employer or an opening: the caseload, ranked --------------------------------


def _job_seeker_radius():
    preference = "job_preference__"
    return Coalesce(
        _float(F(f"{preference}max_distance_km")),
        _float(F(f"{preference}max_travel_minutes")) * _number(TRAVEL_SPEED_KMH / 60),
        _number(DEFAULT_RADIUS_KM),
    )


def _preference(**lookups) -> Q:
    """A Q on the job seeker's preference (none recorded: its fields are NULL)."""
    return Q(**{f"job_preference__{lookup}": value for lookup, value in lookups.items()})


def _job_seeker_location_points(facts: EmployerFacts, opening: JobOpening | None) -> Case:
    """The location rule seen from the employer's sites (or the opening's): the person's
    coordinates, accepted distance and reach vary by row (see `_with_job_seeker_rules`)."""
    if opening is not None and opening.site_id is not None:
        sites = EmployerSite.objects.filter(pk=opening.site_id)
    else:
        sites = EmployerSite.objects.filter(employer_id=facts.employer.pk)
    person_latitude = _float(OuterRef("latitude"))
    cos_latitude = _cos_degrees(person_latitude)
    delta_latitude = _float(F("latitude")) - person_latitude
    delta_longitude = _float(F("longitude")) - _float(OuterRef("longitude"))
    squared = _squared_km(
        _float(F("latitude")), _float(F("longitude")), person_latitude, _float(OuterRef("longitude")), cos_latitude
    )
    located = sites.filter(latitude__isnull=False, longitude__isnull=False)
    # The same square of reach as `_box` on the employer side.
    within_reach = located.filter(
        LessThanOrEqual(Abs(delta_latitude) * _number(KM_PER_DEGREE_LATITUDE), OuterRef("reach_km")),
        LessThanOrEqual(Abs(delta_longitude) * cos_latitude * _number(KM_PER_DEGREE_LONGITUDE), OuterRef("reach_km")),
    )
    has_coordinates = Q(latitude__isnull=False, longitude__isnull=False)
    same_town = sites.filter(town__iexact=OuterRef("town"))
    same_area = (
        sites.exclude(postcode="").alias(area=Upper(Substr("postcode", 1, 2))).filter(area=OuterRef("postcode_area"))
    )
    return Case(
        When(
            has_coordinates & Exists(within_reach.filter(LessThanOrEqual(squared, OuterRef("radius_squared")))),
            then=Value(Points.NEAR),
        ),
        When(
            ~Q(town="") & (Exists(same_town.filter(latitude__isnull=True)) | (~has_coordinates & Exists(same_town))),
            then=Value(Points.SAME_TOWN),
        ),
        When(
            Q(postcode_area__regex=r"^..$")
            & (Exists(same_area.filter(latitude__isnull=True)) | (~has_coordinates & Exists(same_area))),
            then=Value(Points.SAME_POSTCODE_AREA),
        ),
        When(has_coordinates & Exists(within_reach), then=Value(Points.FAR)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _job_seeker_rules(facts: EmployerFacts, opening: JobOpening | None, *, now) -> dict:
    """Rule points per job seeker (the preferences vary, the employer is fixed)."""
    employer = facts.employer
    person = OuterRef("pk")
    wants_type = JobPreference.job_types.through.objects.filter(jobpreference__job_seeker=person)
    rules = dict.fromkeys(RULES, Value(0))
    whens = []
    if opening is not None:
        if opening.job_type_id is not None:
            whens.append(
                When(
                    Exists(wants_type.filter(jobtype_id=opening.job_type_id)), then=Value(Points.OPEN_OPENING_JOB_TYPE)
                )
            )
    else:
        open_ids = {type_id for type_id, known in facts.job_types.items() if known.open}
        if open_ids:
            whens.append(
                When(Exists(wants_type.filter(jobtype_id__in=open_ids)), then=Value(Points.OPEN_OPENING_JOB_TYPE))
            )
        if set(facts.job_types) - open_ids:
            whens.append(
                When(Exists(wants_type.filter(jobtype_id__in=list(facts.job_types))), then=Value(Points.KNOWN_JOB_TYPE))
            )
    if whens:
        rules["job_type_points"] = Case(*whens, default=Value(0), output_field=IntegerField())
    if employer.industry_id is not None:
        wants_industry = JobPreference.industries.through.objects.filter(
            jobpreference__job_seeker=person, industry_id=employer.industry_id
        )
        rules["industry_points"] = Case(
            When(Exists(wants_industry), then=Value(Points.INDUSTRY)), default=Value(0), output_field=IntegerField()
        )
    rules["location_points"] = _job_seeker_location_points(facts, opening)
    if opening is not None and opening.hours_per_week is not None:
        hours = opening.hours_per_week
        rules["hours_points"] = Case(
            When(_preference(min_hours_per_week__isnull=True, max_hours_per_week__isnull=True), then=Value(0)),
            When(
                (_preference(min_hours_per_week__isnull=True) | _preference(min_hours_per_week__lte=hours))
                & (_preference(max_hours_per_week__isnull=True) | _preference(max_hours_per_week__gte=hours)),
                then=Value(Points.HOURS_FIT),
            ),
            default=Value(Points.HOURS_OUTSIDE),
            output_field=IntegerField(),
        )
    if opening is not None and opening.hourly_pay is not None:
        rules["pay_points"] = Case(
            When(_preference(min_hourly_pay__isnull=True), then=Value(0)),
            When(_preference(min_hourly_pay__lte=opening.hourly_pay), then=Value(Points.PAY_FIT)),
            default=Value(Points.PAY_BELOW),
            output_field=IntegerField(),
        )
    # The same for every job seeker: kept so the score reads like the employer's side.
    rules["stage_points"] = Value(Points.STAGE[employer.relationship_stage])
    rules["fresh_points"] = Value(Points.FRESH if _is_fresh(facts, opening, now=now) else 0)
    return rules


def _is_fresh(facts: EmployerFacts, opening, *, now) -> bool:
    since = timezone.localdate(now) - datetime.timedelta(days=FRESH_DAYS)
    if opening is not None:
        return opening.learned_on >= since
    return bool(
        (facts.last_held_at is not None and facts.last_held_at >= now - datetime.timedelta(days=FRESH_DAYS))
        or (facts.last_opening_on is not None and facts.last_opening_on >= since)
    )


def _job_seeker_exclusions(facts: EmployerFacts, opening) -> tuple[Q | None, dict]:
    """Hard exclusions, and the aliases they need."""
    person = OuterRef("pk")
    parts, aliases = [], {}
    if facts.employer.industry_id is not None:
        avoids_industry = JobPreference.avoid_industries.through.objects.filter(
            jobpreference__job_seeker=person, industry_id=facts.employer.industry_id
        )
        parts.append(Q(Exists(avoids_industry)))
    avoids = JobPreference.avoid_job_types.through.objects.filter(jobpreference__job_seeker=person)
    if opening is not None:
        if opening.job_type_id is not None:
            parts.append(Q(Exists(avoids.filter(jobtype_id=opening.job_type_id))))
    elif facts.job_types:
        # Excluded when every job type the employer is known to hire for is avoided.
        avoided = (
            avoids.filter(jobtype_id__in=list(facts.job_types))
            .order_by()
            .values("jobpreference_id")
            .annotate(count=Count("pk"))
            .values("count")[:1]
        )
        aliases["avoided_known_types"] = Coalesce(Subquery(avoided), Value(0))
        parts.append(Q(avoided_known_types=len(facts.job_types)))
    return (functools.reduce(operator.or_, parts) if parts else None), aliases


def _with_job_seeker_rules(job_seekers: QuerySet, facts, opening, *, now, select: bool):
    job_seekers = job_seekers.alias(
        radius_km=_job_seeker_radius(),
        postcode_area=Upper(Substr(Trim("postcode"), 1, 2)),
    ).alias(
        radius_squared=F("radius_km") * F("radius_km"),
        reach_km=Greatest(F("radius_km") * _number(REACH_FACTOR), _number(MIN_REACH_KM)),
    )
    rules = _job_seeker_rules(facts, opening, now=now)
    return job_seekers.annotate(**rules) if select else job_seekers.alias(**rules)


def rank_job_seekers(user, facts: EmployerFacts, opening: JobOpening | None = None, *, now=None) -> QuerySet[JobSeeker]:
    """Job seekers in job search of `user`'s visible caseload, scored for the employer (or
    the opening) and ordered in the database (slice it). Candidates as on the employer
    side: close to home (near, or same town), or a wanted job type or industry within
    reach (or no address to compare)."""
    now = now or timezone.now()
    job_seekers = job_seekers_visible_to(user).filter(status=JobSeeker.Status.JOB_SEARCH)
    exclusions, aliases = _job_seeker_exclusions(facts, opening)
    job_seekers = job_seekers.alias(**aliases)
    if exclusions is not None:
        job_seekers = job_seekers.exclude(exclusions)
    job_seekers = _with_job_seeker_rules(job_seekers, facts, opening, now=now, select=False)
    close = Q(location_points__in=[Points.NEAR, Points.SAME_TOWN])
    signal = Q(job_type_points__gt=0) | Q(industry_points__gt=0)
    if facts.sites or (opening is not None and opening.site_id is not None):
        no_address = Q(latitude__isnull=True, town="") & ~Q(postcode_area__regex=r"^..$")
        signal &= ~Q(location_points=0) | no_address
    return (
        job_seekers.filter(close | signal)
        .annotate(match_score=_score())
        .order_by("-match_score", "last_name", "first_name", "pk")
    )


def employer_facts(employer: Employer) -> EmployerFacts:
    return _employer_facts([employer])[employer.pk]


@dataclass
class CaseloadMatches:
    facts: EmployerFacts
    job_seekers: list


def matches_for_employer(
    user, employer: Employer, opening: JobOpening | None = None, *, limit: int = TOP, now=None
) -> CaseloadMatches:
    """Job seekers of `user`'s visible caseload for `employer` (or one of its openings),
    best first, with what we know of the employer."""
    now = now or timezone.now()
    facts = employer_facts(employer)
    with without_jit():
        ids = top_ids(rank_job_seekers(user, facts, opening, now=now), limit)
    if not ids:
        return CaseloadMatches(facts, [])
    job_seekers = _with_job_seeker_rules(
        JobSeeker.objects.filter(pk__in=ids).select_related("job_preference", "specialist"),
        facts,
        opening,
        now=now,
        select=True,
    )
    job_seekers = sorted(job_seekers, key=lambda job_seeker: ids.index(job_seeker.pk))
    preference_ids = [js.job_preference.pk for js in job_seekers if getattr(js, "job_preference", None) is not None]
    sets = _preference_sets(preference_ids)
    editable = set(job_seekers_editable_by(user).filter(pk__in=ids).values_list("pk", flat=True))
    last_contacts = {}
    links = (
        OnBehalfOf.objects.filter(jobseeker_id__in=ids, employercontact__employer=employer)
        .filter(employercontact__organisation_id=user.organisation_id)
        .exclude(employercontact__status=EmployerContact.Status.CANCELLED)
        .select_related("employercontact")
        .order_by("-employercontact__starts_at", "-employercontact_id")
    )
    for link in links:
        last_contacts.setdefault(link.jobseeker_id, link.employercontact)
    if opening is not None:
        opening.employer = employer
    matches = []
    for job_seeker in job_seekers:
        preference = getattr(job_seeker, "job_preference", None)
        wishes = _wishes(job_seeker, preference, sets[preference.pk] if preference is not None else None)
        match = JobSeekerMatch(
            job_seeker=job_seeker, can_plan=job_seeker.pk in editable, last_contact=last_contacts.get(job_seeker.pk)
        )
        _explain(match, job_seeker, wishes, facts, opening, now=now)
        matches.append(match)
    return CaseloadMatches(facts, matches)
