"""What the person wants: a job seeker's preferences and home as plain values, for
building the ranking queries and the explanations."""

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, IntegerField, TextField, Value
from django.db.models.functions import Cast

from crm.models import Industry, JobPreference, JobSeeker, JobType, LocationPrecision
from crm.selectors import sorted_by_label
from crm.taxonomies import nace_codes_match, nace_section
from jobdev.planning import TRAVEL_SPEED_KMH

DEFAULT_RADIUS_KM = 10


_WANT_JOB_TYPE, _WANT_INDUSTRY, _AVOID_JOB_TYPE, _AVOID_INDUSTRY = range(4)


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
    # The home's point is the town's centre only (LocationPrecision.MUNICIPALITY): it
    # gives no distance points, and distances from it are shown "from the town centre".
    town_only: bool = False
    # The wanted job types (with their NACE codes) and industries (with their section
    # codes), unsaved instances read with the preference lists, for the NACE rules.
    job_types: tuple = ()
    industries: tuple = ()

    @property
    def nace_codes(self) -> frozenset:
        """Where the wanted job types are mostly found: NACE divisions and groups."""
        return frozenset(code for job_type in self.job_types for code in job_type.nace_codes or ())

    @property
    def narrowed_sections(self) -> frozenset:
        """Sections in which a wanted job type says where to look: there, an employer
        with a NACE code counts only if its code is one of the job types'."""
        return frozenset(nace_section(code) for code in self.nace_codes)

    @property
    def section_industry_ids(self) -> frozenset:
        """Wanted industries (sections) no wanted job type narrows: any NACE code in them
        counts."""
        return frozenset(
            industry.pk
            for industry in self.industries
            if industry.pk in self.industry_ids and industry.code not in self.narrowed_sections
        )

    def job_types_fitting(self, nace_code: str) -> list:
        """The wanted job types found in the activity `nace_code`, by label."""
        fitting = [
            job_type
            for job_type in self.job_types
            if any(nace_codes_match(nace_code, code) for code in job_type.nace_codes or ())
        ]
        return sorted_by_label(fitting)

    def job_types_in_section(self, section: str) -> list:
        """The wanted job types with a NACE code in `section`, by label."""
        inside = [
            job_type
            for job_type in self.job_types
            if any(nace_section(code) == section for code in job_type.nace_codes or ())
        ]
        return sorted_by_label(inside)

    @property
    def radius_km(self) -> float:
        return radius_km(self.max_distance_km, self.max_travel_minutes)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def can_measure(self) -> bool:
        """A distance from home can be scored: a point, and more precise than the town."""
        return self.has_coordinates and not self.town_only

    @property
    def activity_sections(self) -> frozenset:
        """The sections the industry rule looks at: the wanted industries' sections, or,
        when the person wants none, the sections where the wanted job types are found."""
        if self.industry_ids:
            return frozenset(i.code for i in self.industries if i.pk in self.industry_ids)
        return self.narrowed_sections

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


def is_town_only(row) -> bool:
    """A point (a job seeker's home or an employer site) located to the town only: the
    geocoder found the town, not the address. Blank precision (a legacy point) counts
    as known."""
    return getattr(row, "location_precision", "") == LocationPrecision.MUNICIPALITY


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


def _preference_sets(preference_ids) -> dict[int, dict[int, dict]]:
    """{preference id: {kind: {id: unsaved JobType or Industry}}} for the four preference
    lists, in one query: with each job type's NACE codes and each industry's section
    code, and their labels (for the NACE rules and their explanations)."""
    preference_ids = list(preference_ids)
    sets = defaultdict(lambda: defaultdict(dict))
    if not preference_ids:
        return sets
    lists = (
        (JobPreference.job_types.through, "jobtype", _WANT_JOB_TYPE),
        (JobPreference.industries.through, "industry", _WANT_INDUSTRY),
        (JobPreference.avoid_job_types.through, "jobtype", _AVOID_JOB_TYPE),
        (JobPreference.avoid_industries.through, "industry", _AVOID_INDUSTRY),
    )
    queries = [
        through.objects.filter(jobpreference_id__in=preference_ids)
        .order_by()
        .annotate(
            kind=Value(kind, output_field=IntegerField()),
            # A job type's NACE codes as JSON text, an industry's section letter.
            code=Cast(f"{target}__nace_codes", TextField()) if target == "jobtype" else F(f"{target}__code"),
            label_en_=F(f"{target}__label_en"),
            label_fr_=F(f"{target}__label_fr"),
        )
        .values_list("jobpreference_id", f"{target}_id", "kind", "code", "label_en_", "label_fr_")
        for through, target, kind in lists
    ]
    for preference_id, target_id, kind, code, label_en, label_fr in queries[0].union(*queries[1:], all=True):
        if kind in (_WANT_JOB_TYPE, _AVOID_JOB_TYPE):
            entry = JobType(pk=target_id, label_en=label_en, label_fr=label_fr, nace_codes=_json_list(code))
        else:
            entry = Industry(pk=target_id, code=code, label_en=label_en, label_fr=label_fr)
        sets[preference_id][kind][target_id] = entry
    return sets


def _json_list(text) -> list:
    if isinstance(text, list):
        return text
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _wishes(job_seeker: JobSeeker, preference, sets) -> Wishes:
    location = {
        "latitude": float(job_seeker.latitude) if job_seeker.latitude is not None else None,
        "longitude": float(job_seeker.longitude) if job_seeker.longitude is not None else None,
        "town": (job_seeker.town or "").strip(),
        "postcode_area": _postcode_area(job_seeker.postcode),
    }
    if location["latitude"] is None or location["longitude"] is None:
        location["latitude"] = location["longitude"] = None
    else:
        location["town_only"] = is_town_only(job_seeker)
    if preference is None:
        return Wishes(**location)
    return Wishes(
        job_types=tuple(sets[_WANT_JOB_TYPE].values()),
        industries=tuple(sets[_WANT_INDUSTRY].values()),
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
