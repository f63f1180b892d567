"""The team leader's fidelity dashboard: the figures and tables, for a team or a
specialist and a period. Definitions, thresholds and the IPS fidelity items they
answer are in docs/fidelity.md.

- `periods`: periods and ISO weeks;
- `scope`: who and what is in scope (every access rule the dashboard applies);
- `team`: `TeamDashboard`, the counts read from the database (a fixed number of
  queries, whatever the number of records), per specialist and in total;
- `figures`: the fidelity figures, with their definitions and thresholds, and for the
  figure of each data-answerable item of the scale its 1-5 score (jobdev.fidelity.scale);
- `tables`: each table defined once (columns with their headers and values), drawn
  both on the page and as CSV;
- `rendering`: the CSV file and the chart's SVG geometry.
"""

from jobdev.dashboard.figures import SECTIONS, Figure, Share
from jobdev.dashboard.periods import DEFAULT_WEEKS, MAX_PERIOD_DAYS, default_period, iso_monday, iso_week_label
from jobdev.dashboard.scope import (
    DashboardFilters,
    dashboard_available_to,
    dashboard_staff,
    dashboard_teams,
)
from jobdev.dashboard.tables import TABLES, Table, dashboard_table, dashboard_tables
from jobdev.dashboard.team import SpecialistRow, TeamDashboard, WeekPoint

__all__ = [
    "DEFAULT_WEEKS",
    "MAX_PERIOD_DAYS",
    "SECTIONS",
    "TABLES",
    "DashboardFilters",
    "Figure",
    "Share",
    "SpecialistRow",
    "Table",
    "TeamDashboard",
    "WeekPoint",
    "dashboard_available_to",
    "dashboard_staff",
    "dashboard_table",
    "dashboard_tables",
    "dashboard_teams",
    "default_period",
    "iso_monday",
    "iso_week_label",
]
