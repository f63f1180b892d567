"""Drawing the dashboard: a table as a CSV file (written by crm.csv_export, like every
CSV the product writes), and the weekly chart as inline SVG (drawn here, no script and
no network). The HTML tables are drawn by the templates in
jobdev/templates/jobdev/dashboard/ from the same table definitions (`tables`)."""

import datetime
import math

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import pgettext, pgettext_lazy

from crm.csv_export import CsvFormat, csv_filename, csv_response
from jobdev.dashboard.tables import Table

# The file names of the tables' CSV files, in the reader's language (ASCII, so that they
# read the same in every browser and file system).
TABLE_FILE_NAMES = {
    "fidelity": pgettext_lazy("file name", "items"),
    "summary": pgettext_lazy("file name", "summary"),
    "caseload": pgettext_lazy("file name", "caseload"),
    "inactive-caseload": pgettext_lazy("file name", "inactive-caseload"),
    "contacts": pgettext_lazy("file name", "contacts"),
    "weekly": pgettext_lazy("file name", "weekly"),
    "chart": pgettext_lazy("file name", "chart"),
    "employer-visits": pgettext_lazy("file name", "employer-visits"),
    "individualized-search": pgettext_lazy("file name", "individualized-search"),
    "employer-contact-gap": pgettext_lazy("file name", "employer-contact-gap"),
    "rapid-search": pgettext_lazy("file name", "rapid-search"),
    "first-contact": pgettext_lazy("file name", "first-contact"),
    "no-first-contact": pgettext_lazy("file name", "no-first-contact"),
    "benefits": pgettext_lazy("file name", "benefits"),
    "benefits-recheck": pgettext_lazy("file name", "benefits-recheck"),
    "disclosure": pgettext_lazy("file name", "disclosure"),
    "jobs": pgettext_lazy("file name", "jobs"),
    "starts": pgettext_lazy("file name", "starts"),
    "retention": pgettext_lazy("file name", "retention"),
    "follow-along": pgettext_lazy("file name", "follow-along"),
    "overdue-tasks": pgettext_lazy("file name", "overdue-tasks"),
    "follow-along-contacts": pgettext_lazy("file name", "follow-along-contacts"),
    "job-end-contacts": pgettext_lazy("file name", "job-end-contacts"),
    "step-downs": pgettext_lazy("file name", "step-downs"),
    "follow-along-supports": pgettext_lazy("file name", "follow-along-supports"),
    "community": pgettext_lazy("file name", "community"),
}


def table_filename(table: Table, *, date_from: datetime.date, date_to: datetime.date) -> str:
    """fidelity-weekly-2026-03-02-2026-03-15.csv; in French fidelite-hebdomadaire-…"""
    return csv_filename(
        pgettext("file name", "fidelity"),
        str(TABLE_FILE_NAMES.get(table.slug, table.slug)),
        date_from.isoformat(),
        date_to.isoformat(),
    )


def table_csv_response(table: Table, *, date_from: datetime.date, date_to: datetime.date) -> HttpResponse:
    """The table as a CSV file in the reader's language: separator and decimal mark,
    ISO dates, plain numbers (see crm.csv_export)."""
    return csv_response(
        table.headers,
        table.csv_rows(),
        filename=table_filename(table, date_from=date_from, date_to=date_to),
        csv_format=CsvFormat.for_language(translation.get_language()),
    )


CHART_WIDTH, CHART_HEIGHT = 720, 260
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 44, 84, 24, 44


def _tick_step(value: int) -> int:
    """A round step so that four steps cover `value`: 1, 2, 5, 10, 20, 50..."""
    rough = max(math.ceil(value / 4), 1)
    magnitude = 10 ** math.floor(math.log10(rough))
    for step in (1, 2, 5, 10):
        if rough <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart(points) -> dict:
    """Geometry of a bar chart of weekly counts with a horizontal target line."""
    target = points[0].target if points else 0
    step = _tick_step(max([point.count for point in points] + [target, 1]))
    top = 4 * step
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = plot_width / max(len(points), 1)
    bar_width = slot * 0.6
    baseline = CHART_TOP + plot_height

    def y(value):
        return round(baseline - plot_height * value / top, 1)

    bars = []
    for index, point in enumerate(points):
        x = CHART_LEFT + slot * index + (slot - bar_width) / 2
        height = round(plot_height * point.count / top, 1)
        bars.append(
            {
                "point": point,
                "x": round(x, 1),
                "y": round(baseline - height, 1),
                "width": round(bar_width, 1),
                "height": height,
                "center": round(x + bar_width / 2, 1),
                "value_y": round(baseline - height - 5, 1),
                "week": point.label.split("-")[1],
            }
        )
    ticks = [{"value": step * index, "y": y(step * index)} for index in range(5)]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "baseline": baseline,
        "label_y": baseline + 18,
        "bars": bars,
        "ticks": ticks,
        "target": target,
        "target_y": y(target),
        "weeks_meeting": sum(1 for point in points if point.meets),
        "weeks_complete": sum(1 for point in points if point.meets or point.below),
        "first": points[0] if points else None,
        "last": points[-1] if points else None,
    }
