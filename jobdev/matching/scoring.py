"""The points (docs/matching.md) and the rules that give them: each rule a CASE
expression evaluated in the database, for an employer, an opening or a job seeker; the
score is their sum. The explanations read the same rule points, so they never disagree
with the score."""

import datetime
import functools
import operator

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Abs, Coalesce, Greatest, Substr, Trim, Upper
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from crm.models import JobPreference, LocationPrecision
from employers.models import Employer, EmployerSite, JobOpening
from jobdev.matching.activity import industry_condition, job_types_in_section_sql
from jobdev.matching.facts import EmployerFacts, _learned, _typed_openings
from jobdev.matching.geometry import (
    KM_PER_DEGREE_LATITUDE,
    KM_PER_DEGREE_LONGITUDE,
    MIN_REACH_KM,
    REACH_FACTOR,
    SITE_MEASURABLE,
    SiteRules,
    _cos_degrees,
    _float,
    _number,
    _site_rules,
    _squared_km,
)
from jobdev.matching.wishes import DEFAULT_RADIUS_KM, Wishes
from jobdev.models import EmployerContact
from jobdev.planning import TRAVEL_SPEED_KMH

FRESH_DAYS = 90


class Points:
    OPEN_OPENING_JOB_TYPE = 30
    KNOWN_JOB_TYPE = 20
    INDUSTRY = 20
    NEAR = 20
    DISTANCE_UNKNOWN = 0  # a point is missing: no guess from the town or postcode
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


def _location_points(rules: SiteRules, sites_where) -> Case | Value:
    """`sites_where(q)`: a condition true when one of the row's sites matches `q`. The
    best case counts: near, then a site whose distance is unknown, then far. Without a
    home point no case applies (distance unknown, 0)."""
    whens = [
        When(sites_where(condition), then=Value(points))
        for condition, points in (
            (rules.near, Points.NEAR),
            (rules.unlocated, Points.DISTANCE_UNKNOWN),
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
    industry = industry_condition(wishes)
    if industry is not None:
        rules["industry_points"] = Case(
            When(industry, then=Value(Points.INDUSTRY)), default=Value(0), output_field=IntegerField()
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
    industry = industry_condition(wishes, "employer__")
    if industry is not None:
        rules["industry_points"] = Case(
            When(industry, then=Value(Points.INDUSTRY)), default=Value(0), output_field=IntegerField()
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


def _job_seeker_place(facts: EmployerFacts, opening: JobOpening | None) -> tuple[Case, Q, Q]:
    """The location rule seen from the employer's sites (or the opening's): the person's
    coordinates, accepted distance and reach vary by row (see `_with_job_seeker_rules`).

    Returns the points (near, then distance unknown, then far; 0 without a home point or
    with one located to the town only),
    and two conditions for the candidates: close (near, or a site in the same town where
    a distance cannot be computed) and within reach (a located site in the square of
    reach, or, where a point is missing, the same town or postcode area)."""
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
    # A distance scores only between two points more precise than the town's centre.
    can_measure = has_coordinates & ~Q(location_precision=LocationPrecision.MUNICIPALITY)
    near = can_measure & Exists(
        within_reach.exclude(location_precision=LocationPrecision.MUNICIPALITY).filter(
            LessThanOrEqual(squared, OuterRef("radius_squared"))
        )
    )
    far = can_measure & Exists(within_reach)
    same_town = sites.filter(town__iexact=OuterRef("town"))
    same_area = (
        sites.exclude(postcode="").alias(area=Upper(Substr("postcode", 1, 2))).filter(area=OuterRef("postcode_area"))
    )
    # Town and postcode area stand in only where a distance cannot be computed, and only
    # to choose the candidates: they never score.
    town_fact = ~Q(town="") & (Exists(same_town.exclude(SITE_MEASURABLE)) | (~can_measure & Exists(same_town)))
    area_fact = Q(postcode_area__regex=r"^..$") & (
        Exists(same_area.exclude(SITE_MEASURABLE)) | (~can_measure & Exists(same_area))
    )
    points = Case(
        When(near, then=Value(Points.NEAR)),
        When(can_measure & Exists(sites.exclude(SITE_MEASURABLE)), then=Value(Points.DISTANCE_UNKNOWN)),
        When(far, then=Value(Points.FAR)),
        default=Value(0),
        output_field=IntegerField(),
    )
    # A home located to the town only still bounds the search around the town centre.
    return points, near | town_fact, (has_coordinates & Exists(within_reach)) | town_fact | area_fact


def _job_seeker_industry_points(facts: EmployerFacts) -> Case | Value:
    """The industry rule per person (jobdev.matching.activity): the employer's section
    must be a wanted industry; where a wanted job type has a code in that section, a
    coded employer's code must fit one. A code never earns the points on its own."""
    employer = facts.employer
    if employer.industry_id is None:
        return Value(0)
    person = OuterRef("pk")
    wants_type = JobPreference.job_types.through.objects.filter(jobpreference__job_seeker=person)
    condition = Exists(
        JobPreference.industries.through.objects.filter(
            jobpreference__job_seeker=person, industry_id=employer.industry_id
        )
    )
    if employer.nace_code:
        fitting, in_section = facts.nace_job_types()
        if in_section:
            narrowed = ~Exists(wants_type.filter(jobtype_id__in=in_section))
            if fitting:
                narrowed |= Exists(wants_type.filter(jobtype_id__in=fitting))
            condition &= narrowed
    return Case(When(condition, then=Value(Points.INDUSTRY)), default=Value(0), output_field=IntegerField())


def job_seeker_activity_signal(facts: EmployerFacts) -> Q | None:
    """For the candidates only, per person who wants no industries: the employer's NACE
    code fits a wanted job type, or, without a code, its section is where one is found
    (`activity.activity_signal`, seen from the employer)."""
    employer = facts.employer
    person = OuterRef("pk")
    wants_type = JobPreference.job_types.through.objects.filter(jobpreference__job_seeker=person)
    if employer.nace_code:
        fitting = facts.nace_job_types()[0]
        types = fitting or None
    elif employer.industry_id is not None:
        types = job_types_in_section_sql(employer.industry.code)
    else:
        types = None
    if types is None:
        return None
    wants_no_industry = ~Exists(JobPreference.industries.through.objects.filter(jobpreference__job_seeker=person))
    return wants_no_industry & Exists(wants_type.filter(jobtype_id__in=types))


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
    rules["industry_points"] = _job_seeker_industry_points(facts)
    rules["location_points"] = _job_seeker_place(facts, opening)[0]
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
