"""Step 2, the explanations shown to users: reasons, concerns and unknowns for the top
N only, read from the rule points annotated on each row (the score's own terms) and
the details of `facts`."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import JobSeeker, Shift
from employers.models import Employer, JobOpening
from jobdev.matching.facts import EmployerFacts
from jobdev.matching.geometry import distance_km
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
