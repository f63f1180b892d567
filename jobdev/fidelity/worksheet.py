"""The fidelity review worksheet as the reviewer reads it: its 25 rows in the scale's
order (jobdev.fidelity.scale.ITEMS) grouped by section, the total and the band, the
evidence text written from a computed figure, the CSV file, and the trend of a
program's (or a team's) reviews. No database access here: the views read through
jobdev.fidelity.selectors and pass the rows in."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from crm.csv_export import csv_filename
from jobdev.fidelity import scale
from jobdev.models import FidelityReview, FidelityReviewItem

#: The scale's 25 items, each scored 1 to 5: 125 in all.
ITEM_COUNT = len(scale.ITEMS)
MAX_SCORE = 5
MAX_TOTAL = scale.MAX_TOTAL
SCORES = range(1, MAX_SCORE + 1)

SECTION_LABELS = {section.key: section.name for section in scale.SECTIONS}
SECTION_ORDER = scale.SECTION_KEYS


@dataclass(frozen=True)
class Totals:
    """A review's total: `total` is the sum of the items scored so far; it is the
    scale's total out of 125 (and `band` is set) only when all 25 are `complete`."""

    scored: int
    total: int

    @property
    def complete(self) -> bool:
        return self.scored == ITEM_COUNT

    @property
    def band(self):
        """The scale's band (scale.band_for) of a complete review; None otherwise."""
        return scale.band_for(self.total) if self.complete else None


def totals(scores: Iterable[int | None]) -> Totals:
    """The total of the scores given (None = not scored yet)."""
    given = [score for score in scores if score is not None]
    return Totals(scored=len(given), total=sum(given))


def review_totals(review: FidelityReview) -> Totals:
    """From the list's annotations (fidelity_review_list) when present, else from the
    prefetched items."""
    if hasattr(review, "scored"):
        return Totals(scored=review.scored, total=review.score_sum or 0)
    return totals(row.score for row in review.items.all())


@dataclass
class WorksheetRow:
    """One item of the scale on a review: the scale's definition and the stored row."""

    item: scale.Item
    row: FidelityReviewItem
    #: The worksheet form's bound fields for this item, when the reader may score it.
    score_field: object = None
    notes_field: object = None

    @property
    def overridden(self) -> bool:
        """The reviewer's score differs from the one computed from the records."""
        return (
            self.row.computed_score is not None
            and self.row.score is not None
            and self.row.score != self.row.computed_score
        )

    @property
    def section_label(self):
        return SECTION_LABELS[self.item.section]


@dataclass
class Section:
    key: str
    label: str
    rows: list[WorksheetRow] = field(default_factory=list)

    @property
    def totals(self) -> Totals:
        return totals(row.row.score for row in self.rows)


def worksheet_rows(review: FidelityReview) -> list[WorksheetRow]:
    """The review's 25 rows in the scale's order (its items prefetched). A row missing
    from the database (never: the review is created with all 25) reads as unscored."""
    stored = {row.item: row for row in review.items.all()}
    return [
        WorksheetRow(item=item, row=stored.get(item.number) or FidelityReviewItem(review=review, item=item.number))
        for item in scale.ITEMS
    ]


def worksheet_sections(rows: list[WorksheetRow]) -> list[Section]:
    sections = {key: Section(key=key, label=SECTION_LABELS[key]) for key in SECTION_ORDER}
    for row in rows:
        sections[row.item.section].rows.append(row)
    return [section for section in sections.values() if section.rows]


# Evidence written from the records ----------------------------------------------------

UNIT_FORMATS = {
    "percent": gettext_lazy("%(value)s %%"),
    "days": gettext_lazy("%(value)s days"),
    "per_week": gettext_lazy("%(value)s per week"),
    "types": gettext_lazy("%(value)s types"),
    "ratio": gettext_lazy("%(value)s"),
    "criteria": gettext_lazy("%(value)s criteria met"),
}


def value_text(value: float | None, unit: str, *, digits: int = 1) -> str:
    """A figure in words, in the reader's language ("4.5 per week", "83.3 %"), with
    `digits` decimals at most (more than one where one would read into another anchor:
    20.0495 people per FTE is "20.05", not "20")."""
    if value is None:
        return _("no data")
    number = floatformat(round(value, digits), -digits)
    return str(UNIT_FORMATS.get(unit, UNIT_FORMATS["ratio"])) % {"value": number}


# Which records each data item reads, relative to the review's evidence period
# (jobdev.fidelity.items.fidelity_items states the periods): the caseload as of the
# review date, the rapid-search cohort by enrolment, the jobs of the 12 months to the
# period's end; the others the period's records.
AS_OF_ITEMS = frozenset({"caseload_size"})
COHORT_ITEMS = frozenset({"rapid_job_search"})
TWELVE_MONTH_ITEMS = frozenset({"job_type_diversity", "employer_diversity", "competitive_jobs"})


def period_text(key: str, *, period_from: datetime.date, period_to: datetime.date, as_of: datetime.date) -> str:
    dates = {
        "start": date_format(period_from, "DATE_FORMAT"),
        "end": date_format(period_to, "DATE_FORMAT"),
        "as_of": date_format(as_of, "DATE_FORMAT"),
    }
    if key in AS_OF_ITEMS:
        return _("As of %(as_of)s.") % dates
    if key in COHORT_ITEMS:
        return _("People enrolled from %(start)s to %(end)s; records read on %(as_of)s.") % dates
    if key in TWELVE_MONTH_ITEMS:
        return _("Jobs started in the 12 months to %(end)s; records read on %(as_of)s.") % dates
    return _("Records from %(start)s to %(end)s, read on %(as_of)s.") % dates


def evidence_text(result, *, period_from: datetime.date, period_to: datetime.date, as_of: datetime.date) -> str:
    """The evidence a reviewer reads beside a computed score, from a figure
    (jobdev.fidelity.items.ItemResult): its summary, its value on the anchors' unit,
    its numerator and denominator, and the review's evidence period. Written in the
    language of the person who creates the review and kept as written (what the
    records said on that day)."""
    lines = [str(result.summary)] if result.summary else []
    exact = result.exact if result.exact is not None else result.value
    figure = value_text(exact, result.unit, digits=result.digits)
    if result.value is not None and result.numerator is not None and result.denominator is not None:
        # A share reads "5 of 6"; a ratio or a mean "25 / 2" (job seekers per FTE).
        pattern = (
            _("%(figure)s (%(numerator)s of %(denominator)s)")
            if result.unit == "percent"
            else _("%(figure)s (%(numerator)s / %(denominator)s)")
        )
        figure = pattern % {
            "figure": figure,
            "numerator": result.numerator,
            "denominator": result.denominator,
        }
    lines.append(_("Figure: %(figure)s.") % {"figure": figure})
    if result.score is None:
        lines.append(_("No score from the records: not enough data in the period."))
    lines.append(period_text(result.item.key, period_from=period_from, period_to=period_to, as_of=as_of))
    return "\n".join(lines)


# The CSV file -------------------------------------------------------------------------


def csv_header() -> list[str]:
    return [
        _("Item"),
        _("Section"),
        _("Name"),
        _("Score"),
        _("Score from the records"),
        _("Evidence"),
        _("Reviewer's notes"),
    ]


def csv_rows(review: FidelityReview) -> list[list]:
    """One line per item in the scale's order, then the total and the band lines."""
    rows = worksheet_rows(review)
    lines = [
        [
            row.item.number,
            str(row.section_label),
            str(row.item.name),
            row.row.score,
            row.row.computed_score,
            row.row.evidence,
            row.row.notes,
        ]
        for row in rows
    ]
    result = totals(row.row.score for row in rows)
    if result.complete:
        total_note = _("Total out of %(max)s") % {"max": MAX_TOTAL}
    else:
        total_note = _("%(scored)s of %(count)s scored: partial total") % {"scored": result.scored, "count": ITEM_COUNT}
    lines.append([None, None, _("Total"), result.total, None, total_note, None])
    band = result.band
    lines.append([None, None, _("Band"), None, None, str(band.label) if band else _("Not all items scored"), None])
    return lines


def csv_file_name(review: FidelityReview) -> str:
    """fidelity-review-12-2026-03-18.csv (in French, revue-fidelite-…)."""
    return csv_filename(pgettext("file name", "fidelity-review"), str(review.pk), review.review_date.isoformat())


# The trend ---------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 640, 240
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 44, 140, 16, 40
CHART_FLOOR = ITEM_COUNT  # the lowest total possible: 25 items scored 1


@dataclass
class ReviewLine:
    review: FidelityReview
    totals: Totals


@dataclass
class Trend:
    """The reviews of one unit (the whole program, or one team), newest first, and the
    geometry of a bar chart of the complete ones, oldest first."""

    team: object  # crm.models.Team | None
    lines: list[ReviewLine]

    @property
    def label(self) -> str:
        return self.team.name if self.team is not None else str(_("Whole program"))

    @property
    def chart(self) -> dict | None:
        complete = [line for line in reversed(self.lines) if line.totals.complete]
        if len(complete) < 2:
            return None
        return trend_chart(complete)


def trend_chart(lines: list[ReviewLine]) -> dict:
    """Bars of the totals (25 to 125) in date order, with the bands' floors as lines."""
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_TOP + plot_height

    def y(value: int) -> float:
        return round(baseline - plot_height * (value - CHART_FLOOR) / (MAX_TOTAL - CHART_FLOOR), 1)

    slot = plot_width / len(lines)
    bar_width = min(slot * 0.6, 60)
    bars = []
    for index, line in enumerate(lines):
        x = CHART_LEFT + slot * index + (slot - bar_width) / 2
        top = y(line.totals.total)
        bars.append(
            {
                "line": line,
                "x": round(x, 1),
                "y": top,
                "width": round(bar_width, 1),
                "height": round(baseline - top, 1),
                "center": round(x + bar_width / 2, 1),
                "value_y": round(top - 4, 1),
            }
        )
    bands = [{"band": scale.band_for(low), "y": y(low)} for low in _band_floors() if CHART_FLOOR < low <= MAX_TOTAL]
    ticks = [{"value": value, "y": y(value)} for value in (25, 50, 75, 100, 125)]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "baseline": baseline,
        "label_y": baseline + 18,
        "bars": bars,
        "bands": bands,
        "ticks": ticks,
    }


def bands() -> list[scale.Band]:
    """The scale's bands from the highest (scale.BANDS), the lowest starting at the
    lowest total possible (25: every item scored 1)."""
    return sorted(
        (
            scale.Band(key=band.key, label=band.label, low=max(band.low, CHART_FLOOR), high=band.high)
            for band in scale.BANDS
        ),
        key=lambda band: -band.low,
    )


def _band_floors() -> list[int]:
    """The lowest total of each band above the lowest."""
    return sorted(band.low for band in bands() if band.low > CHART_FLOOR)


def trends(reviews: list[FidelityReview]) -> list[Trend]:
    """The reviews (newest first, with the list's annotations) by unit: the whole
    program first, then each team by name."""
    units: dict[int | None, Trend] = {}
    for review in reviews:
        unit = units.get(review.team_id)
        if unit is None:
            unit = units[review.team_id] = Trend(team=review.team, lines=[])
        unit.lines.append(ReviewLine(review=review, totals=review_totals(review)))
    program = [units.pop(None)] if None in units else []
    return program + sorted(units.values(), key=lambda trend: (trend.team.name, trend.team.pk))
