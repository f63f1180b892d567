"""The data-answerable items of the IPS Supported Employment Fidelity Scale, computed
from the records: for each, its figure on the anchors' unit, its 1-5 score
(jobdev.fidelity.scale), one line of evidence and the table of the rows behind it.

The figures are the dashboard's (jobdev.dashboard): one definition of each, whether a
team leader reads it on the dashboard or a reviewer on the fidelity review worksheet.
Definitions: docs/fidelity.md."""

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise

from crm.access import AccessScope
from jobdev.dashboard import DashboardFilters, TeamDashboard
from jobdev.dashboard.figures import Figure
from jobdev.fidelity import scale

#: The figure's unit as the worksheet reads it ("criteria" is item 18's: 0 to 4).
UNITS = ("ratio", "days", "percent", "per_week", "types", "criteria")


@dataclass
class ItemResult:
    """One data-answerable item, computed.

    `value` is the figure on the unit of the item's anchors (scale.ANCHOR_BOUNDS):
    "ratio" (active job seekers per full-time specialist), "days" (mean), "percent"
    (0-100), "per_week" (contacts), "types" (kinds of support per worker), "criteria"
    (item 18: criteria met, 0-4); rounded to one decimal, for display only; None when
    the records hold nothing to compute it from. `exact` is the same figure unrounded:
    `score` and `next_anchor` are read from it, never from `value` (review 11, finding 3:
    20.04 people per full-time specialist shows 20.0 and scores 4, not 5). `digits` is
    how many decimals show `exact` in its own anchor (1, or more: 20.0495 shows as
    "20.05", 89.96 % as "89.96"); a display that rounds to one decimal may read into
    another anchor than the score. `numerator` and `denominator` are the counts behind a
    share or a mean (None when the figure is not one: item 1 gives the active job
    seekers as numerator, its denominator being full-time equivalents). `score` is
    1-5 on the anchors (None: no data); `next_anchor` (score, value to reach) is
    scale.next_anchor's, None at 5 or without data (or, for item 12, when the re-check
    after a change of hours or pay holds the score back: the summary says so).
    `evidence_table` is the slug of the dashboard table listing the rows
    (jobdev/dashboard/tables.py; /dashboard/export/<slug>.csv)."""

    item: scale.Item
    value: float | None
    unit: str
    numerator: int | None
    denominator: int | None
    score: int | None
    summary: Promise | str
    evidence_table: str
    next_anchor: tuple[int, float] | None
    exact: float | None = None
    digits: int = 1


def item_result(figure: Figure) -> ItemResult:
    """An item's result from its dashboard figure (a Figure with `item_key`)."""
    if figure.share is not None:
        numerator, denominator = figure.share.numerator, figure.share.denominator
    else:
        numerator, denominator = figure.numerator, None
    summary = figure.summary or figure.note
    if figure.next_text:
        summary = f"{summary} {figure.next_text}".strip()
    return ItemResult(
        item=figure.scale_item,
        value=figure.value,
        unit=figure.unit,
        numerator=numerator,
        denominator=denominator,
        score=figure.score,
        summary=summary,
        evidence_table=figure.evidence,
        next_anchor=figure.next_anchor,
        exact=figure.exact,
        digits=figure.digits,
    )


def fidelity_items(
    scope: AccessScope, filters: DashboardFilters, *, today: datetime.date | None = None
) -> dict[str, ItemResult]:
    """The 13 data-answerable items (scale.Item.data_answerable), by item key, for what
    `scope` may read narrowed by `filters` (a team, a specialist; the period, both ends
    included, in the program's local dates). `today` (default: the program's today) is
    the day the "as of today" figures describe (item 1) and the last day a contact can
    have been due or missed.

    Periods: items 12, 13, 16, 17, 18, 22, 23, 24 read the period; item 15 the people
    enrolled in it; items 19-21 the jobs started in the 12 months ending at its end;
    item 1 today. Raises OutOfScope for a scope without a program."""
    dashboard = TeamDashboard(scope, filters, today=today)
    return {figure.item_key: item_result(figure) for figure in dashboard.item_figures}
