"""Step 2, the explanations shown to users: reasons, concerns and unknowns for the top
N only, read from the rule points annotated on each row (the score's own terms) and
the details of `facts`."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from crm.models import JobSeeker, Shift
from crm.selectors import label_sort_key
from crm.templatetags.numbers import euros
from employers.models import Employer, JobOpening
from jobdev.matching.facts import EmployerFacts
from jobdev.matching.geometry import distance_km, site_is_measurable, travel_minutes
from jobdev.matching.scoring import FRESH_DAYS, RULES, Points
from jobdev.matching.wishes import Wishes
from jobdev.models import EmployerContact

STAGE_REASONS = {
    Employer.RelationshipStage.HAS_HIRED: gettext_lazy("Knows us: has hired from us"),
    Employer.RelationshipStage.RELATIONSHIP: gettext_lazy("Knows us: we have a relationship"),
    Employer.RelationshipStage.INTRODUCED: gettext_lazy("Knows us: we were introduced"),
}


@dataclass
class Match:
    score: int = 0
    reasons: list = field(default_factory=list)
    concerns: list = field(default_factory=list)
    unknowns: list = field(default_factory=list)
    distance_km: float | None = None  # the distance the ranking used (nearest located site)
    travel_minutes: int | None = None  # that distance at the urban speed of jobdev.planning
    distance_unknown: str = ""  # why there is no distance: home not located, site not located…
    last_contact: EmployerContact | None = None

    @property
    def distance_text(self) -> str:
        """ "3.2 km, about 8 min", or "Distance unknown: home not located"."""
        if self.distance_km is not None:
            return distance_and_time(self.distance_km)
        return self.distance_unknown


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
    """One decimal, none when whole, in the active language: "3.2", "8" ("3,2" in French)."""
    return floatformat(value, -1)


def distance_and_time(km: float) -> str:
    """ "3.2 km, about 8 min": a distance and the travel time it stands for."""
    minutes = travel_minutes(km)
    return ngettext("%(km)s km, about %(minutes)s min", "%(km)s km, about %(minutes)s min", minutes) % {
        "km": _km(km),
        "minutes": minutes,
    }


def _money(value: Decimal) -> str:
    """An amount in euros with the sign where the active language puts it."""
    return euros(value)


def _date(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _labels(job_types) -> str:
    return ", ".join(sorted((str(job_type.label) for job_type in job_types), key=label_sort_key))


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
    pay = _("%(pay)s/h") % {"pay": _money(opening.hourly_pay)} if opening.hourly_pay is not None else _("pay unknown")
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
    _explain_industry(match, points["industry_points"], wishes, employer)
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
        for known in sorted(wanted, key=lambda known: label_sort_key(known.job_type.label)):
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


def _explain_industry(match, points, wishes: Wishes, employer: Employer) -> None:
    """Which code decided (jobdev.matching.activity): the NACE code where the employer has
    one, else the section. Only a wanted industry scores: for a person who wants none,
    the code only chose the candidate, and nothing is said of it."""
    code = employer.nace_code
    section = employer.industry.code if employer.industry_id is not None else None
    if points:
        fitting = wishes.job_types_fitting(code) if code else []
        if fitting:
            match.reasons.append(
                _("Activity fits %(job_types)s: NACE %(code)s") % {"job_types": _labels(fitting), "code": code}
            )
        elif code:
            match.reasons.append(
                _("Industry wanted: %(industry)s (NACE %(code)s)") % {"industry": employer.industry.label, "code": code}
            )
        else:
            match.reasons.append(
                _("Industry wanted: %(industry)s (by section: no NACE code recorded)")
                % {"industry": employer.industry.label}
            )
    elif code and employer.industry_id in wishes.industry_ids:
        narrowing = wishes.job_types_in_section(section)
        match.concerns.append(
            _("Industry wanted, but NACE %(code)s is not where %(job_types)s work")
            % {"code": code, "job_types": _labels(narrowing)}
        )
    elif employer.industry_id is None and not code and (wishes.industry_ids or wishes.nace_codes):
        match.unknowns.append(_("Industry not recorded"))


def _same_town(wishes: Wishes, sites) -> str:
    towns = sorted({site.town for site in sites if site.town and site.town.casefold() == wishes.town.casefold()})
    return towns[0] if towns and wishes.town else ""


def from_town_centre(km: float) -> str:
    """ "3.2 km from the town centre, about 8 min": a distance from (or to) a point
    located to the town only, shown for information, never scored."""
    minutes = travel_minutes(km)
    return ngettext(
        "%(km)s km from the town centre, about %(minutes)s min",
        "%(km)s km from the town centre, about %(minutes)s min",
        minutes,
    ) % {"km": _km(km), "minutes": minutes}


def _site_unknowns(sites, measurable) -> list[str]:
    """Why the distance of some sites is unknown, the home being located precisely."""
    not_located = [site for site in sites if site.latitude is None or site.longitude is None]
    town_only = [site for site in sites if site not in measurable and site not in not_located]
    if not measurable:
        if not town_only:
            return [_("Distance unknown: site not located")]
        if not not_located:
            return [_("Distance unknown: site located to the town only")]
        return [_("Distance unknown: sites not located or located to the town only")]
    unknowns = []
    if not_located:
        unknowns.append(
            ngettext(
                "Distance unknown for %(count)s site: not located",
                "Distance unknown for %(count)s sites: not located",
                len(not_located),
            )
            % {"count": len(not_located)}
        )
    if town_only:
        unknowns.append(
            ngettext(
                "Distance unknown for %(count)s site: located to the town only",
                "Distance unknown for %(count)s sites: located to the town only",
                len(town_only),
            )
            % {"count": len(town_only)}
        )
    return unknowns


def _explain_location(match, points, wishes: Wishes, sites) -> None:
    """The distance the ranking used, with its travel time; or why it is unknown. Town
    and postcode area never stand in for a distance, nor does a point located to the
    town only: a distance from one is shown "from the town centre" (docs/matching.md)."""
    measurable = [site for site in sites if site_is_measurable(site)] if wishes.can_measure else []
    distances = [d for d in (distance_km(wishes, site) for site in measurable) if d is not None]
    match.distance_km = min(distances) if distances else None
    if match.distance_km is not None:
        match.travel_minutes = travel_minutes(match.distance_km)
    radius = {"max": _km(wishes.radius_km)}
    town = _same_town(wishes, [site for site in sites if site not in measurable])
    if points == Points.NEAR:
        match.reasons.append(
            ngettext(
                "%(km)s km from home, about %(minutes)s min (at most %(max)s km)",
                "%(km)s km from home, about %(minutes)s min (at most %(max)s km)",
                match.travel_minutes,
            )
            % {"km": _km(match.distance_km), "minutes": match.travel_minutes, **radius}
        )
        return
    if match.distance_km is not None and match.distance_km > wishes.radius_km:
        # Far: scored (-10), or shown beside a site whose distance is unknown.
        match.concerns.append(
            ngettext(
                "%(km)s km from home, about %(minutes)s min: farther than %(max)s km",
                "%(km)s km from home, about %(minutes)s min: farther than %(max)s km",
                match.travel_minutes,
            )
            % {"km": _km(match.distance_km), "minutes": match.travel_minutes, **radius}
        )
    unknowns = []
    if not sites:
        unknowns = [_("No site recorded: distance unknown")]
    elif not wishes.has_coordinates:
        unknowns = [_("Distance unknown: home not located")]
    elif wishes.town_only:
        unknowns = [_("Distance unknown: home located to the town only")]
    elif len(measurable) < len(sites):
        unknowns = _site_unknowns(sites, measurable)
    if not unknowns:
        return
    match.distance_unknown = unknowns[0]
    if match.distance_km is None and sites and wishes.has_coordinates:
        # Only points located to the town only (the home's or the sites'): the distance
        # between them is shown for information, never scored.
        rough = [d for d in (distance_km(wishes, site) for site in sites) if d is not None]
        if rough:
            match.distance_unknown = _("%(unknown)s (%(distance)s)") % {
                "unknown": unknowns[0],
                "distance": from_town_centre(min(rough)),
            }
    for unknown in unknowns:
        match.unknowns.append(
            _("%(unknown)s (same town: %(town)s)") % {"unknown": unknown, "town": town} if town else unknown
        )


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
        match.reasons.append(_("%(pay)s/h, at least the %(min)s/h wanted") % pay)
    elif points["pay_points"] == Points.PAY_BELOW:
        match.concerns.append(_("%(pay)s/h, below the %(min)s/h wanted") % pay)
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
