"""The fidelity figures: what each one counts (its definition), its threshold, the item
of the IPS Supported Employment Fidelity Scale it answers (jobdev.fidelity.scale) and,
for the figure that measures an item, its 1-5 score on the scale's anchors and how far
the next anchor is (docs/fidelity.md), from the counts of a TeamDashboard."""

import statistics
from dataclasses import dataclass

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobdev.fidelity import scale

# IPS gives no percentage for this one; the criterion is "every time": every
# follow-along contact held face to face, on time.
FOLLOW_ALONG_ON_TIME_TARGET_PERCENT = 100

#: Page sections, in the order of the page.
SECTIONS = (
    "caseload",
    "job_development",
    "rapid_search",
    "benefits_disclosure",
    "placements",
    "follow_along",
    "community",
)


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return 100 * self.numerator / self.denominator

    def at_least(self, percent: int) -> bool | None:
        # Integers, so that 17 of 20 meets 85% exactly, without float rounding.
        if not self.denominator:
            return None
        return self.numerator * 100 >= percent * self.denominator


@dataclass
class Figure:
    key: str
    section: str
    label: str
    unit: str  # "count", "percent", "days", "per_week", "ratio", "types", "criteria"
    value: float | int | None
    definition: str
    threshold: str
    # The scale item this figure measures (its key, scale.ITEMS_BY_KEY): the figure
    # then carries the item's score. `about` names the item a supporting figure
    # informs (or "operational" / "outcomes" for figures that are not scale items).
    item_key: str = ""
    about: str = ""
    meets: bool | None = None  # None: for information, or no data
    share: Share | None = None
    note: str = ""
    now: bool = False  # a picture of today, not of the period
    score: int | None = None
    next_anchor: tuple[int, float] | None = None
    next_text: str = ""  # how close the next anchor is, in words
    evidence: str = ""  # the slug of the table listing the rows behind the figure
    summary: str = ""  # one line of evidence in words (the worksheet's)
    numerator: int | None = None  # for figures without a Share (item 1: active job seekers)
    # An item's figure unrounded: its score, next anchor and status are read from it;
    # `value` is the same rounded to one decimal, for display only (review 11, finding 3:
    # 20.04 people per full-time specialist shows 20.0 but is not "20 or fewer").
    exact: float | None = None

    @property
    def scored_value(self) -> float | int | None:
        """The value the score is read from: `exact` when given, else `value`."""
        return self.exact if self.exact is not None else self.value

    @property
    def digits(self) -> int:
        """The decimals to show the figure with: one, or more for an item's figure that
        one decimal would show in another anchor than its own (`shown_digits`)."""
        if not self.item_key or self.exact is None:
            return 1
        return shown_digits(self.item_key, self.exact)

    @property
    def shown_value(self) -> float | int | None:
        """The figure as shown: `exact` rounded to `digits` (20.0495 -> 20.05), or `value`."""
        if self.exact is None:
            return self.value
        return round(self.exact, self.digits)

    @property
    def value_format(self) -> str:
        """The `floatformat` argument that shows `shown_value` as meant ("-1", "-2")."""
        return f"-{self.digits}"

    @property
    def status(self) -> str:
        if self.meets is None:
            return "info" if self.value is not None else "no_data"
        return "meets" if self.meets else "below"

    @property
    def status_label(self) -> str:
        return {
            "meets": _("Meets the threshold"),
            "below": _("Does not meet the threshold"),
            "info": _("For information"),
            "no_data": _("No data in this period"),
        }[self.status]

    @property
    def scale_item(self) -> scale.Item | None:
        key = self.item_key or self.about
        return scale.ITEMS_BY_KEY.get(key)

    @property
    def item_number(self) -> int | None:
        item = self.scale_item
        return item.number if item is not None else None

    @property
    def item(self) -> str:
        """The scale item in words ("Item 17: Job development—frequent employer contact"),
        or what the figure is when it is not one."""
        item = self.scale_item
        if item is not None:
            return _("Item %(number)s: %(name)s") % {"number": item.number, "name": item.name}
        if self.about == "outcomes":
            return _("Outcomes (not a scale item)")
        return _("Operational (not a scale item)")

    @property
    def score_label(self) -> str:
        if not self.item_key:
            return ""
        if self.score is None:
            return _("No score: not enough data")
        return _("Score %(score)s of 5") % {"score": self.score}


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _mean(values: list[float]) -> float | None:
    return statistics.mean(values) if values else None


def _number(value, digits: int = 1) -> str:
    """A number in the reader's language, without trailing zeros ("5.5", "5,5", "20");
    "—" for None."""
    if value is None:
        return "—"
    return floatformat(round(value, digits), -digits)


def _value_text(value: float, unit: str, digits: int = 1) -> str:
    formats = {
        "percent": _("%(value)s%%"),
        "days": _("%(value)s days"),
        "per_week": _("%(value)s per week"),
        "types": _("%(value)s kinds of support"),
        "criteria": _("%(value)s criteria"),
    }
    number = _number(value, digits)
    return formats.get(unit, "%(value)s") % {"value": number}


def shown_digits(key: str, exact: float | None) -> int:
    """How many decimals to show an item's unrounded figure with: one, or more when one
    decimal would read into another anchor than the figure's own (20.04 people per
    full-time specialist scores 4 and reads "20.04", not "20.0"; 89.96 % reads "89.96").
    At most 4."""
    if exact is None:
        return 1
    score = scale.score_for(key, exact)
    for digits in range(1, 4):
        if scale.score_for(key, round(exact, digits)) == score:
            return digits
    return 4


def scored(figure: Figure, *, score: int | None = None, next_anchor="auto") -> Figure:
    """Give an item's figure its score on the anchors (scale.score_for on its UNROUNDED
    value, `Figure.exact`, unless `score` is given) and the next anchor
    (scale.next_anchor), in words too. The value the next-anchor text shows is rounded
    only as far as it still reads in the same anchor (`shown_digits`)."""
    key = figure.item_key
    exact = figure.scored_value
    figure.score = score if score is not None else scale.score_for(key, exact)
    figure.next_anchor = scale.next_anchor(key, exact) if next_anchor == "auto" else next_anchor
    if figure.next_anchor is not None:
        next_score, threshold = figure.next_anchor
        bounds = scale.ANCHOR_BOUNDS[key]
        inclusive = next(bound.inclusive for bound in bounds.bounds if bound.score == next_score)
        if bounds.higher_is_better:
            text = (
                _("Score %(score)s from %(threshold)s or more (now %(value)s).")
                if inclusive
                else _("Score %(score)s from more than %(threshold)s (now %(value)s).")
            )
        else:
            text = (
                _("Score %(score)s from %(threshold)s or less (now %(value)s).")
                if inclusive
                else _("Score %(score)s from less than %(threshold)s (now %(value)s).")
            )
        figure.next_text = text % {
            "score": next_score,
            "threshold": _value_text(threshold, figure.unit),
            "value": _value_text(exact, figure.unit, shown_digits(key, exact)),
        }
    elif figure.score == 5:
        figure.next_text = _("The highest anchor.")
    return figure


def dashboard_figures(dashboard) -> list[Figure]:
    """The figures of `dashboard` (a TeamDashboard), in the order of the page."""
    return [
        *_caseload(dashboard),
        *_job_development(dashboard),
        *_rapid_search(dashboard),
        *_benefits_and_disclosure(dashboard),
        *_jobs(dashboard),
        *_follow_along(dashboard),
        *_community(dashboard),
    ]


def percent(share: Share) -> float | None:
    return _round(share.percent)


def _at_least_percent(value) -> str:
    return _("at least %(value)s%%") % {"value": value}


def _score_five(key: str) -> str:
    """The score-5 bound of an item without a program setting, as a threshold."""
    bound = scale.ANCHOR_BOUNDS[key].bounds[0]
    return _("at least %(value)s%% (score 5 on the scale)") % {"value": _number(bound.value)}


# Item 1 -----------------------------------------------------------------------------


def _caseload(dashboard) -> list[Figure]:
    org = dashboard.organisation
    specialists = dashboard.specialist_rows
    fte = sum(row.fte for row in specialists)
    active = sum(row.active_caseload for row in specialists)
    whole = sum(row.caseload for row in specialists)
    ratio = active / fte if specialists and fte else None
    whole_ratio = whole / fte if specialists and fte else None
    working = Share(sum(row.working for row in dashboard.rows), sum(row.caseload for row in dashboard.rows))
    fte_text = _number(fte, 2)
    caseload_size = scored(
        Figure(
            key="caseload_size",
            section="caseload",
            label=_("Active job seekers per full-time specialist"),
            unit="ratio",
            value=_round(ratio),
            exact=ratio,
            definition=_(
                "Job seekers in job search, working or in follow-along with a recorded contact in the last "
                "%(days)s days (an employer contact naming them, a task of theirs done, their enrolment or "
                "re-entry), divided by the specialists' full-time equivalents, today."
            )
            % {"days": org.active_contact_days},
            threshold=_("at most %(value)s per full-time specialist") % {"value": org.caseload_limit},
            item_key="caseload_size",
            meets=None if ratio is None else ratio <= org.caseload_limit,
            numerator=active,
            note=_(
                "%(active)s active of %(whole)s on the caseloads; full-time equivalents: %(fte)s "
                "(specialists: %(count)s)"
            )
            % {"active": active, "whole": whole, "fte": fte_text, "count": len(specialists)},
            now=True,
            evidence="caseload",
            summary=_(
                "%(active)s active job seekers for %(fte)s full-time-equivalent specialists "
                "(%(whole)s on the caseloads)."
            )
            % {"active": active, "fte": fte_text, "whole": whole},
        )
    )
    return [
        caseload_size,
        Figure(
            key="whole_caseload_ratio",
            section="caseload",
            label=_("Whole caseload per full-time specialist"),
            unit="ratio",
            value=_round(whole_ratio),
            definition=_(
                "Every job seeker in job search, working or in follow-along, active or not, divided by the "
                "specialists' full-time equivalents, today."
            ),
            threshold=_("for information"),
            about="caseload_size",
            now=True,
            evidence="inactive-caseload",
            note=_("%(count)s without a recorded contact in the last %(days)s days")
            % {"count": len(dashboard.inactive_caseload), "days": org.active_contact_days},
        ),
        Figure(
            key="working_share",
            section="caseload",
            label=_("Share of the caseload working"),
            unit="percent",
            value=percent(working),
            definition=_(
                "Job seekers working or in follow-along, of the caseload (job search, working, follow-along), today."
            ),
            threshold=_at_least_percent(org.employment_rate_target_percent),
            about="outcomes",
            meets=working.at_least(org.employment_rate_target_percent),
            share=working,
            now=True,
            evidence="caseload",
        ),
    ]


# Items 16, 17, 18 -------------------------------------------------------------------


def _specialist_quality(dashboard, row) -> int | None:
    """Item 18 for one specialist: the criteria their contacts meet (0-4,
    scale.quality_criteria_met), or None when there is no job development to rate: no
    employer contact held in the period (not the job seeker's alone) and nobody on
    their caseload looking for work. They are left out of the average, as item 17 leaves
    out a specialist with nobody looking (review 11, finding 17: a new specialist with an
    empty caseload used to count as 0 criteria). A specialist with people looking for
    work and no employer contact meets none (the scale's lowest anchor: employers rarely
    contacted); one whose contacts were all by phone or email meets none of the criteria
    about visits."""
    if not row.held_by_specialist and not row.job_search:
        return None
    visits = dashboard.visits_by_specialist.get(row.specialist.pk, [])
    in_person = sum(visit.visits for visit in visits)
    return scale.quality_criteria_met(
        Share(in_person, row.held_by_specialist).percent,
        Share(sum(visit.met_hiring_authority for visit in visits), in_person).percent,
        Share(sum(visit.needs_learned for visit in visits), in_person).percent,
        Share(sum(1 for visit in visits if visit.repeat), len(visits)).percent,
    )


def _job_development(dashboard) -> list[Figure]:
    org = dashboard.organisation
    rows = dashboard.rows
    specialists = dashboard.specialist_rows
    weeks = len(dashboard.complete_weeks)
    info = _("for information")

    average, frequency_score = scale.frequency_score((row.average_per_week, row.job_search) for row in specialists)
    plain = _mean([row.average_per_week for row in specialists if row.average_per_week is not None])
    # Rated for item 17: a rate on the scale's pace (scale.frequency_equivalent: none for a
    # specialist with nobody looking for work, or without a complete week). "N of M at
    # the pace" counts these, at the small-caseload pace where it applies.
    rated = [row for row in specialists if scale.frequency_equivalent(row.average_per_week, row.job_search) is not None]
    meeting = sum(1 for row in rated if row.meets_weekly_target)
    not_rated = len(specialists) - len(rated)
    excluded = [row for row in rows if not row.specialist_role and (row.in_person or row.job_seeker_alone)]
    frequency = scored(
        Figure(
            key="job_development_frequency",
            section="job_development",
            label=_("In-person employer contacts on behalf of job seekers, per specialist per week"),
            unit="per_week",
            value=_round(average),
            exact=average,
            definition=_(
                "Each specialist's own held in-person contacts with employers on behalf of job seekers, "
                "averaged over the complete ISO weeks of the period (%(weeks)s); then the average over the "
                "specialists. A specialist with fewer than %(small)s people looking for work is rated against "
                "%(per_person)s contacts a week per person. Contacts the job seeker made alone are not the "
                "specialist's; a team leader without a caseload is not a specialist."
            )
            % {
                "weeks": weeks,
                "small": scale.SMALL_CASELOAD_LOOKING,
                "per_person": scale.SMALL_CASELOAD_CONTACTS_PER_PERSON,
            },
            threshold=_("at least %(value)s") % {"value": dashboard.target_per_week},
            item_key="job_development_frequency",
            meets=None if average is None else average >= dashboard.target_per_week,
            note=ngettext(
                "%(meeting)s of %(total)s specialist at or above the pace (two a week per person looking when "
                "fewer than %(small)s look); plain average %(plain)s a week",
                "%(meeting)s of %(total)s specialists at or above the pace (two a week per person looking when "
                "fewer than %(small)s look); plain average %(plain)s a week",
                len(rated),
            )
            % {
                "meeting": meeting,
                "total": len(rated),
                "small": scale.SMALL_CASELOAD_LOOKING,
                "plain": _number(plain),
            },
            evidence="contacts",
            summary=_("Specialists rated: %(total)s; complete weeks: %(weeks)s; at the weekly pace: %(meeting)s.")
            % {"total": len(rated), "weeks": weeks, "meeting": meeting},
        ),
        score=frequency_score,
    )
    if not_rated:
        frequency.note += " · " + _("not rated (nobody looking for work): %(count)s") % {"count": not_rated}
    if excluded:
        frequency.note += " · " + _("not counted (no caseload): %(names)s") % {
            "names": ", ".join(str(row.specialist) for row in excluded)
        }

    current = [row.current_week for row in specialists if row.current_week is not None]
    figures = [frequency]
    if dashboard.current_week is not None:
        figures.append(
            Figure(
                key="current_week",
                section="job_development",
                label=_("This week so far (not finished, not averaged)"),
                unit="count",
                value=sum(current),
                definition=_(
                    "The specialists' own in-person contacts on behalf of job seekers held so far this ISO week."
                ),
                threshold=_("at least %(value)s per specialist by Sunday") % {"value": dashboard.target_per_week},
                about="job_development_frequency",
                evidence="contacts",
            )
        )

    # Item 18.
    criteria = [met for row in specialists if (met := _specialist_quality(dashboard, row)) is not None]
    quality_value = _mean(criteria)
    visits = dashboard.employer_visits
    in_person = sum(visit.visits for visit in visits)
    quality = scored(
        Figure(
            key="job_development_quality",
            section="job_development",
            label=_("Quality of employer contact: criteria met"),
            unit="criteria",
            value=_round(quality_value),
            exact=quality_value,
            definition=_(
                "For each specialist, how many of four criteria their held employer contacts of the period meet, "
                "each at half or more: held in person; met someone who can hire; learned the employer's hiring "
                "needs (needs written, or job types learned); employers met in person more than once (two visits "
                "in the period, or a visit recorded as a second or ongoing meeting). Average over the specialists, "
                "less those with neither employer contacts nor anyone looking for work."
            ),
            threshold=_("4 criteria (score 5 on the scale)"),
            item_key="job_development_quality",
            note=_(
                "specialists rated: %(rated)s of %(total)s (not those without contacts and without anyone looking "
                "for work); %(visits)s in-person visits to %(employers)s employers: %(repeat)s met more than once; "
                "%(met)s met someone who can hire; %(needs)s learned hiring needs"
            )
            % {
                "rated": len(criteria),
                "total": len(specialists),
                "visits": in_person,
                "employers": len(visits),
                "repeat": sum(1 for visit in visits if visit.repeat),
                "met": sum(visit.met_hiring_authority for visit in visits),
                "needs": sum(visit.needs_learned for visit in visits),
            },
            evidence="employer-visits",
        )
    )
    quality.meets = None if quality.score is None else quality.score == 5
    quality.summary = quality.note

    # Item 16.
    pairs = dashboard.contacts_for_people
    fitting = sum(1 for pair in pairs if pair.fits)
    unknown = sum(1 for pair in pairs if pair.fits is None)
    individualized_share = Share(fitting, len(pairs))
    individualized = scored(
        Figure(
            key="individualized_job_search",
            section="job_development",
            label=_("Employer contacts that fit the person's preferences"),
            unit="percent",
            value=percent(individualized_share),
            exact=individualized_share.percent,
            definition=_(
                "Held employer contacts on behalf of job seekers in the period (any mode), once for each person "
                "named: the share whose employer fits that person's preferences by the matching rules (a site "
                "close to home, or a wanted industry or job type within reach, and nothing they avoid). A person "
                "with no preferences and no address recorded cannot be matched: their contacts count as not fitting."
            ),
            threshold=_score_five("individualized_job_search"),
            item_key="individualized_job_search",
            share=individualized_share,
            note=(
                _("%(count)s for people with no preferences or address recorded") % {"count": unknown}
                if unknown
                else ""
            ),
            evidence="individualized-search",
        )
    )
    individualized.meets = None if individualized.score is None else individualized.score == 5
    individualized.summary = _("%(fitting)s of %(total)s on-behalf contacts fit the person's preferences.") % {
        "fitting": fitting,
        "total": len(pairs),
    }

    gap_days = org.employer_contact_gap_days
    figures += [
        quality,
        individualized,
        Figure(
            key="employer_contact_gap",
            section="job_development",
            label=_("In job search for over %(days)s days, no employer contact in the last %(days)s days")
            % {"days": gap_days},
            unit="count",
            value=len(dashboard.employer_contact_gap),
            definition=_(
                "In job search today for more than %(days)s days, and no held employer contact on their behalf "
                "(any mode) in the last %(days)s days."
            )
            % {"days": gap_days},
            threshold=_("none"),
            about="operational",
            meets=not dashboard.employer_contact_gap,
            now=True,
            evidence="employer-contact-gap",
        ),
        Figure(
            key="job_seeker_alone",
            section="job_development",
            label=_("Employer contacts the job seeker made alone"),
            unit="count",
            value=sum(row.job_seeker_alone for row in rows),
            definition=_(
                "Held contacts on behalf of job seekers where the job seeker met the employer alone: face to face "
                "for rapid job search, not the specialist's job development."
            ),
            threshold=info,
            about="operational",
            evidence="contacts",
        ),
        Figure(
            key="other_contacts",
            section="job_development",
            label=_("Other employer contacts"),
            unit="count",
            value=sum(row.other_contacts for row in rows),
            definition=_("Held contacts by phone, video or email, and relationship-building contacts."),
            threshold=info,
            about="operational",
            evidence="contacts",
        ),
        Figure(
            key="distinct_employers",
            section="job_development",
            label=_("Employers contacted"),
            unit="count",
            value=dashboard.distinct_employers,
            definition=_("Distinct employers with at least one held contact in the period."),
            threshold=info,
            about="operational",
            evidence="contacts",
        ),
        Figure(
            key="new_employers",
            section="job_development",
            label=_("New employers"),
            unit="count",
            value=sum(row.new_employers for row in rows),
            definition=_("Employers whose first held contact in the whole program falls in the period."),
            threshold=info,
            about="operational",
            evidence="contacts",
        ),
    ]
    return figures


# Item 15 ----------------------------------------------------------------------------


def _rapid_search(dashboard) -> list[Figure]:
    n = dashboard.first_contact_days
    info = _("for information")
    cohort = dashboard.enrolment_cohort
    # Item 15 counts everyone with a first contact, and everyone without one past day N
    # with their days so far (a lower bound); those within N days are "not yet".
    days = [person.counted_days for person in cohort if person.counted_days is not None]
    mean_days = _mean(days)
    median_days = statistics.median(days) if days else None
    contacted = sum(1 for person in cohort if person.days_to_first_contact is not None)
    late = sum(1 for person in cohort if person.days_to_first_contact is None and person.counted_days is not None)
    not_yet = len(cohort) - contacted - late
    rapid = scored(
        Figure(
            key="rapid_job_search",
            section="rapid_search",
            label=_("Days from enrolment to the first face-to-face employer contact (mean)"),
            unit="days",
            value=_round(mean_days),
            exact=mean_days,
            definition=_(
                "Job seekers enrolled in the period, whatever happened after: days from the enrolment date to the "
                "first held face-to-face employer contact on their behalf (in person, or the job seeker meeting "
                "the employer). Someone without one yet counts with their days so far (to today, or to the day "
                "they left job search) once past %(days)s days, a lower bound; someone within their first "
                "%(days)s days without one is not counted yet. A return to job search after a job end never "
                "changes it."
            )
            % {"days": n},
            threshold=_("at most %(value)s days") % {"value": n},
            item_key="rapid_job_search",
            meets=None if mean_days is None else mean_days <= n,
            share=Share(len(days), len(cohort)),
            note=_(
                "median %(median)s days; %(late)s without a contact past day %(days)s, counted with their days so "
                "far (at least); %(not_yet)s within their first %(days)s days without one, not counted yet"
            )
            % {
                "median": _number(median_days),
                "late": late,
                "not_yet": not_yet,
                "days": n,
            },
            evidence="rapid-search",
        )
    )
    rapid.summary = _(
        "%(with)s of %(total)s people enrolled had a first face-to-face employer contact; %(late)s more are past "
        "day %(days)s without one and count with their days so far; median %(median)s days."
    ) % {"with": contacted, "total": len(cohort), "late": late, "days": n, "median": _number(median_days)}

    clock = dashboard.first_contact_cohort
    clock_days = [person.days_to_first_contact for person in clock if person.days_to_first_contact is not None]
    clock_median = statistics.median(clock_days) if clock_days else None
    decided = [person for person in clock if person.within_limit is not None]
    within = Share(sum(1 for person in decided if person.within_limit), len(decided))
    return [
        rapid,
        Figure(
            key="median_days_to_first_contact",
            section="rapid_search",
            label=_("Days from the start of the job search to the first face-to-face employer contact (median)"),
            unit="days",
            value=clock_median,
            definition=_(
                "The day-to-day clock: job seekers whose job search began in the period (enrolment, or a return "
                "to job search after a job end) and who had one: days from the start of the job search to the "
                "first held face-to-face contact with an employer on their behalf."
            ),
            threshold=_("at most %(value)s days") % {"value": n},
            about="operational",
            meets=None if clock_median is None else clock_median <= n,
            note=_("%(with)s of %(total)s job seekers had a contact") % {"with": len(clock_days), "total": len(clock)},
            evidence="first-contact",
        ),
        Figure(
            key="first_contact_within",
            section="rapid_search",
            label=_("First employer contact within %(days)s days") % {"days": n},
            unit="percent",
            value=percent(within),
            definition=_(
                "Of job seekers whose job search began in the period, share with a first face-to-face "
                "contact within %(days)s days; people still within their first %(days)s days without one "
                "are not counted yet."
            )
            % {"days": n},
            threshold=info,
            about="operational",
            share=within,
            evidence="first-contact",
        ),
        Figure(
            key="no_first_contact",
            section="rapid_search",
            label=_("Past day %(days)s without a first employer contact") % {"days": n},
            unit="count",
            value=len(dashboard.no_first_contact),
            definition=_(
                "In job search today for more than %(days)s days, and no held face-to-face employer "
                "contact on their behalf since the job search began."
            )
            % {"days": n},
            threshold=_("none"),
            about="operational",
            meets=not dashboard.no_first_contact,
            now=True,
            evidence="no-first-contact",
        ),
    ]


# Items 12 and 13 --------------------------------------------------------------------


def _benefits_and_disclosure(dashboard) -> list[Figure]:
    placements = dashboard.benefits_planning
    delivered = sum(1 for placement in placements if placement.delivered)
    declined = sum(1 for placement in placements if placement.declined)
    before_start = Share(delivered + declined, len(placements))
    rechecks = [step for step in dashboard.benefits_rechecks if not step.pending]
    pending = len(dashboard.benefits_rechecks) - len(rechecks)
    recheck = Share(sum(1 for step in rechecks if step.is_finished), len(rechecks))
    planning = Figure(
        key="work_incentives_planning",
        section="benefits_disclosure",
        label=_("Work incentives planning completed before the start"),
        unit="percent",
        value=percent(before_start),
        exact=before_start.percent,
        definition=_(
            "Job starts in the period of people not recorded as off benefits: the share whose planning for that "
            "job was completed on or before the start date (a plan in place), or that the worker declined on or "
            "before it (they were offered it: the scale asks that planning be offered). A step created but never "
            "acted on does not count."
        ),
        threshold=_score_five("work_incentives_planning"),
        item_key="work_incentives_planning",
        share=before_start,
        note=_("%(delivered)s plans in place, %(declined)s declined by the worker")
        % {"delivered": delivered, "declined": declined},
        evidence="benefits",
    )
    planning = scored(
        planning,
        score=scale.work_incentives_score(before_start.percent, recheck.percent),
    )
    if planning.score is not None and planning.score < scale.score_for("work_incentives_planning", planning.exact):
        planning.next_anchor = None
        planning.next_text = _(
            "Score 5 also needs the re-check completed after %(percent)s%% or more of the changes of hours or pay "
            "(now %(now)s%%)."
        ) % {"percent": scale.WORK_INCENTIVES_RECHECK_PERCENT, "now": _number(percent(recheck))}
    planning.meets = None if planning.score is None else planning.score == 5
    planning.summary = _(
        "%(done)s of %(total)s job starts with planning completed before the start (%(declined)s declined); "
        "re-check after a change of hours or pay: %(rechecked)s of %(changes)s."
    ) % {
        "done": before_start.numerator,
        "total": before_start.denominator,
        "declined": declined,
        "rechecked": recheck.numerator,
        "changes": recheck.denominator,
    }

    cohort = dashboard.disclosure_cohort
    discussed = Share(sum(1 for person in cohort if person.discussed_before), len(cohort))
    disclosure = scored(
        Figure(
            key="disclosure",
            section="benefits_disclosure",
            label=_("Disclosure discussed before the first employer contact"),
            unit="percent",
            value=percent(discussed),
            exact=discussed.percent,
            definition=_(
                "People whose first held employer contact on their behalf (any mode) falls in the period: the "
                "share whose disclosure preference was first recorded on or before the day of that contact."
            ),
            threshold=_score_five("disclosure"),
            item_key="disclosure",
            share=discussed,
            evidence="disclosure",
        )
    )
    disclosure.meets = None if disclosure.score is None else disclosure.score == 5
    disclosure.summary = _(
        "%(done)s of %(total)s people had disclosure discussed before their first employer contact."
    ) % {
        "done": discussed.numerator,
        "total": discussed.denominator,
    }
    return [
        planning,
        Figure(
            key="benefits_recheck",
            section="benefits_disclosure",
            label=_("Benefits re-check completed after a change of hours or pay"),
            unit="percent",
            value=percent(recheck),
            definition=_(
                "Re-checks offered after a change of hours or pay effective in the period: the share completed "
                "(a plan in place, or declined by the worker). One still open whose task is not yet due is not "
                "counted yet."
            ),
            threshold=_at_least_percent(scale.WORK_INCENTIVES_RECHECK_PERCENT),
            about="work_incentives_planning",
            meets=recheck.at_least(scale.WORK_INCENTIVES_RECHECK_PERCENT),
            share=recheck,
            note=_("%(count)s not due yet") % {"count": pending} if pending else "",
            evidence="benefits-recheck",
        ),
        disclosure,
    ]


# Items 19, 20, 21 and the outcomes --------------------------------------------------


def _jobs(dashboard) -> list[Figure]:
    org = dashboard.organisation
    jobs = dashboard.jobs_of_the_year
    typed = [job for job in jobs if job.job_type_id is not None]
    # Item 19: distinct types among the typed jobs, of ALL the jobs: a job without a type
    # is no evidence of diversity, so it stays in the denominator (review 11, finding 15:
    # five jobs with a type on one used to read 1 of 1, 100 %).
    job_types = Share(len({job.job_type_id for job in typed}), len(jobs))
    employers = Share(len({job.employer_id for job in jobs}), len(jobs))
    recorded = [job for job in jobs if job.is_competitive is not None]
    competitive = Share(sum(1 for job in recorded if job.is_competitive), len(recorded))
    permanent = sum(1 for job in jobs if job.term == "permanent")
    temporary = sum(1 for job in jobs if job.term == "temporary")
    year = _("Jobs started from %(start)s to %(end)s (the 12 months ending with the period).") % {
        "start": dashboard.year_from.isoformat(),
        "end": dashboard.year_to.isoformat(),
    }
    job_type_diversity = scored(
        Figure(
            key="job_type_diversity",
            section="placements",
            label=_("Diversity of job types"),
            unit="percent",
            value=percent(job_types),
            exact=job_types.percent,
            definition=_(
                "Distinct job types among the jobs started in the 12 months ending with the period, of all those "
                "jobs: a job without a job type recorded counts in the jobs, not as a type."
            ),
            threshold=_at_least_percent(org.job_type_diversity_percent),
            item_key="job_type_diversity",
            meets=job_types.at_least(org.job_type_diversity_percent),
            share=job_types,
            note=(
                _("%(count)s jobs without a job type recorded (counted in the jobs, not as a type)")
                % {"count": len(jobs) - len(typed)}
                if len(jobs) != len(typed)
                else ""
            ),
            evidence="jobs",
            summary=year,
        )
    )
    employer_diversity = scored(
        Figure(
            key="employer_diversity",
            section="placements",
            label=_("Diversity of employers"),
            unit="percent",
            value=percent(employers),
            exact=employers.percent,
            definition=_("Distinct employers among the jobs started in the 12 months ending with the period."),
            threshold=_at_least_percent(org.employer_diversity_percent),
            item_key="employer_diversity",
            meets=employers.at_least(org.employer_diversity_percent),
            share=employers,
            evidence="jobs",
            summary=year,
        )
    )
    competitive_jobs = scored(
        Figure(
            key="competitive_jobs",
            section="placements",
            label=_("Competitive jobs"),
            unit="percent",
            value=percent(competitive),
            exact=competitive.percent,
            definition=_(
                "Jobs started in the 12 months ending with the period that are competitive, of those where the "
                "answer is recorded."
            ),
            threshold=_at_least_percent(org.competitive_jobs_percent),
            item_key="competitive_jobs",
            meets=competitive.at_least(org.competitive_jobs_percent),
            share=competitive,
            note=(
                _("%(count)s jobs without the answer recorded are not counted") % {"count": len(jobs) - len(recorded)}
                if len(jobs) != len(recorded)
                else ""
            ),
            evidence="jobs",
            summary=year,
        )
    )
    retention = dashboard.retention
    retained = Share(sum(1 for placement in retention if placement.retained), len(retention))
    return [
        job_type_diversity,
        employer_diversity,
        competitive_jobs,
        Figure(
            key="jobs_term",
            section="placements",
            label=_("Permanent jobs"),
            unit="percent",
            value=percent(Share(permanent, permanent + temporary)),
            definition=_("Jobs started in the 12 months ending with the period that are permanent, of those recorded."),
            threshold=_("for information"),
            about="competitive_jobs",
            share=Share(permanent, permanent + temporary),
            note=_("%(temporary)s temporary, seasonal or fixed-term") % {"temporary": temporary},
            evidence="jobs",
        ),
        Figure(
            key="job_starts",
            section="placements",
            label=_("Job starts"),
            unit="count",
            value=sum(count for _month, count in dashboard.starts_by_month),
            definition=_("Placements whose start date falls in the period."),
            threshold=_("for information"),
            about="outcomes",
            evidence="starts",
        ),
        Figure(
            key="retention_13_weeks",
            section="placements",
            label=_("Still working after 13 weeks"),
            unit="percent",
            value=percent(retained),
            definition=_(
                "Every job whose day 90 (start date + 90 days) falls in the period and not after today: the share "
                "that had not ended before day 90."
            ),
            threshold=_at_least_percent(org.retention_13_weeks_target_percent),
            about="outcomes",
            meets=retained.at_least(org.retention_13_weeks_target_percent),
            share=retained,
            evidence="retention",
        ),
    ]


# Items 22 and 23 --------------------------------------------------------------------


def _follow_along(dashboard) -> list[Figure]:
    tasks = dashboard.follow_along_due
    job_ends = dashboard.job_end_contacts

    def on_time(rows) -> Share:
        return Share(sum(1 for row in rows if row.on_time), len(rows))

    all_contacts = on_time([*tasks, *job_ends])
    follow_along = on_time(tasks)
    phases = {phase: on_time([task for task in tasks if task.phase == phase]) for phase in PHASES}
    job_end = on_time(job_ends)
    time_unlimited = scored(
        Figure(
            key="time_unlimited_follow_along",
            section="follow_along",
            label=_("Face-to-face follow-along contacts held on time"),
            unit="percent",
            value=percent(all_contacts),
            exact=all_contacts.percent,
            definition=_(
                "Follow-along contacts (in the week before the start, just after it, weekly in the first month, "
                "then monthly) and contacts after a job end, due in the period and before today: the share the "
                "specialist did in person on or before the due date (and, before the start, within the week "
                "before it; support given by someone else is not the specialist's contact). A contact cancelled "
                "on or after its due date was missed and stays in; one cancelled before it (a pause), or due "
                "after the job ended or after a step-down, is not due."
            ),
            threshold=_score_five("time_unlimited_follow_along"),
            item_key="time_unlimited_follow_along",
            share=all_contacts,
            note=_("step-downs completed in the period: %(count)s") % {"count": len(dashboard.step_downs)},
            evidence="follow-along-contacts",
        )
    )
    time_unlimited.meets = None if time_unlimited.score is None else time_unlimited.score == 5
    time_unlimited.summary = _(
        "%(done)s of %(due)s face-to-face contacts on time: in the week before the start %(before)s, just after "
        "it %(first_contact)s, weekly in the first month %(first)s, monthly after %(after)s, after a job end "
        "%(end)s; step-downs completed: %(step_downs)s."
    ) % {
        "done": all_contacts.numerator,
        "due": all_contacts.denominator,
        "before": _share_text(phases["before_start"]),
        "first_contact": _share_text(phases["first_contact"]),
        "first": _share_text(phases["first_month"]),
        "after": _share_text(phases["after_first_month"]),
        "end": _share_text(job_end),
        "step_downs": len(dashboard.step_downs),
    }

    supports = dashboard.follow_along_supports
    types = _mean([support.types for support in supports])
    individualized = scored(
        Figure(
            key="individualized_follow_along",
            section="follow_along",
            label=_("Kinds of follow-along support per worker"),
            unit="types",
            value=_round(types),
            exact=types,
            definition=_(
                "Workers with follow-along in the period (a job under way in the period with a follow-along plan "
                "they have not declined, or a follow-along contact done): the distinct kinds of support recorded "
                "on their contacts done in the period, averaged over the workers (none recorded: 0)."
            ),
            threshold=_("at least %(value)s kinds (score 5 on the scale)")
            % {"value": _number(scale.ANCHOR_BOUNDS["individualized_follow_along"].bounds[0].value)},
            item_key="individualized_follow_along",
            note=_("workers: %(workers)s; kinds of people giving support, on average: %(givers)s.")
            % {
                "workers": len(supports),
                "givers": "—" if not supports else _number(_mean([s.givers for s in supports])),
            },
            evidence="follow-along-supports",
        )
    )
    individualized.meets = None if individualized.score is None else individualized.score == 5
    individualized.summary = individualized.note
    overdue = sum(row.overdue_tasks for row in dashboard.rows)
    target = FOLLOW_ALONG_ON_TIME_TARGET_PERCENT
    return [
        time_unlimited,
        Figure(
            key="follow_along_on_time",
            section="follow_along",
            label=_("Follow-along contacts done on time, face to face"),
            unit="percent",
            value=percent(follow_along),
            definition=_(
                "Follow-along contacts due in the period and before today, still due: the share the specialist did "
                "in person on or before the due date (phone, video and messages are not face to face; support "
                "given by someone else is not the specialist's contact)."
            ),
            threshold=_at_least_percent(target),
            about="time_unlimited_follow_along",
            meets=follow_along.at_least(target),
            share=follow_along,
            note=_(
                "in the week before the start %(before)s; within %(days)s days after it %(first_contact)s; "
                "weekly in the first month %(first)s; monthly after %(after)s"
            )
            % {
                "before": _share_text(phases["before_start"]),
                "days": dashboard.organisation.follow_along_first_contact_days,
                "first_contact": _share_text(phases["first_contact"]),
                "first": _share_text(phases["first_month"]),
                "after": _share_text(phases["after_first_month"]),
            },
            evidence="follow-along-contacts",
        ),
        Figure(
            key="job_end_contact_on_time",
            section="follow_along",
            label=_("Seen face to face after a job end, on time"),
            unit="percent",
            value=percent(job_end),
            definition=_(
                "Contacts planned within %(days)s days of a job end, due in the period and before today, still "
                "due: the share the specialist did in person by the due date."
            )
            % {"days": dashboard.organisation.job_end_contact_days},
            threshold=_at_least_percent(target),
            about="time_unlimited_follow_along",
            meets=job_end.at_least(target),
            share=job_end,
            evidence="job-end-contacts",
        ),
        Figure(
            key="step_downs",
            section="follow_along",
            label=_("Step-downs completed"),
            unit="count",
            value=len(dashboard.step_downs),
            definition=_(
                "Follow-along handed over to the mental-health team in the period, as planned and agreed with "
                "the worker: the person leaves the active caseload."
            ),
            threshold=_("for information"),
            about="time_unlimited_follow_along",
            evidence="step-downs",
        ),
        individualized,
        Figure(
            key="overdue_tasks",
            section="follow_along",
            label=_("Overdue tasks"),
            unit="count",
            value=overdue,
            definition=_("Open tasks of every kind past their due date, today."),
            threshold=_("none"),
            about="operational",
            meets=overdue == 0,
            now=True,
            evidence="overdue-tasks",
        ),
    ]


PHASES = ("before_start", "first_contact", "first_month", "after_first_month")


def _share_text(share: Share) -> str:
    return _("%(numerator)s of %(denominator)s") % {"numerator": share.numerator, "denominator": share.denominator}


# Item 24 ----------------------------------------------------------------------------


def _community(dashboard) -> list[Figure]:
    org = dashboard.organisation
    specialists = dashboard.specialist_rows
    shares = [row.community.percent for row in specialists if row.community.denominator]
    value = _mean(shares)
    pooled = Share(
        sum(row.community.numerator for row in specialists), sum(row.community.denominator for row in specialists)
    )
    unknown = dashboard.community_tasks.get("place_unknown", 0)
    community = scored(
        Figure(
            key="community_based_services",
            section="community",
            label=_("Recorded contacts held in the community"),
            unit="percent",
            value=_round(value),
            exact=value,
            definition=_(
                "For each specialist, of their contacts in the period (held employer contacts, not the job "
                "seeker's alone, and follow-along and job-end contacts they did themselves), the share held in "
                "the community: "
                "employer contacts in person, and follow-along contacts in person at the workplace or elsewhere "
                "in the community. Average over the specialists with contacts."
            ),
            threshold=_at_least_percent(org.community_time_percent),
            item_key="community_based_services",
            meets=None if value is None else value >= org.community_time_percent - 1e-9,
            note=_("all specialists together: %(share)s; %(unknown)s in-person contacts without a place recorded")
            % {"share": _share_text(pooled), "unknown": unknown},
            evidence="community",
        )
    )
    community.summary = _(
        "%(count)s specialists with contacts; %(numerator)s of %(denominator)s contacts in the community in all."
    ) % {"count": len(shares), "numerator": pooled.numerator, "denominator": pooled.denominator}
    return [community]
