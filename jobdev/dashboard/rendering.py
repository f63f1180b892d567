"""Drawing the dashboard: a table as a CSV file, and the weekly chart as inline SVG
(drawn here, no script and no network). The HTML tables are drawn by the templates
in jobdev/templates/jobdev/dashboard/ from the same table definitions (`tables`)."""

import csv
import math

from django.http import HttpResponse

from jobdev.dashboard.tables import Table

# Spreadsheets read a formula from a cell that starts with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_csv_cell(cell) for cell in table.headers])
    for row in table.csv_rows():
        writer.writerow([_csv_cell(cell) for cell in row])
    return response


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
        "first": points[0] if points else None,
        "last": points[-1] if points else None,
    }
