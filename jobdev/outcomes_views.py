"""The outcomes page and its CSV exports (docs/outcomes.md). Thin: the dashboard's
filters (the same roles, scope, period and handling of input not understood), the
figures from jobdev.outcomes, render."""

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from crm.access import OutOfScope
from crm.clock import program_zone
from crm.csv_export import CsvFormat, csv_filename, csv_response
from jobdev.dashboard import DashboardFilters, dashboard_available_to
from jobdev.dashboard.tables import Table
from jobdev.dashboard_views import DashboardFilterForm
from jobdev.exports import export_not_possible
from jobdev.outcomes import TABLE_FILE_NAMES, TABLES, Outcomes, outcomes_table, outcomes_tables


def _filter_form(request) -> DashboardFilterForm:
    scope = request.scope
    if not dashboard_available_to(scope):
        raise OutOfScope
    today = timezone.localdate(timezone=program_zone(scope.organisation))
    return DashboardFilterForm(request.GET or None, scope=scope, today=today)


def _outcomes(form: DashboardFilterForm) -> Outcomes:
    return Outcomes(form.scope, form.filters(), today=form.today)


def _query(filters: DashboardFilters) -> str:
    params = {"date_from": filters.date_from.isoformat(), "date_to": filters.date_to.isoformat()}
    if filters.team is not None:
        params["team"] = filters.team.pk
    if filters.specialist is not None:
        params["specialist"] = filters.specialist.pk
    return urlencode(params)


def _filename(table: Table, *, date_from: datetime.date, date_to: datetime.date) -> str:
    """outcomes-monthly-2026-03-01-2026-04-30.csv; in French resultats-mensuel-…"""
    return csv_filename(
        pgettext("file name", "outcomes"), TABLE_FILE_NAMES[table.slug](), date_from.isoformat(), date_to.isoformat()
    )


@require_safe
def outcomes_page(request):
    # Filters not understood are told above the figures and the defaults shown, as on
    # the dashboard.
    form = _filter_form(request)
    outcomes = _outcomes(form)
    if not form.is_bound:
        form.initial = {"date_from": outcomes.date_from, "date_to": outcomes.date_to}
    context = {
        "form": form,
        "outcomes": outcomes,
        "query": _query(outcomes.filters),
        "standard": outcomes.measures_in("standard"),
        "job_end_measures": outcomes.measures_in("job_ends"),
        "tables": outcomes_tables(outcomes),
    }
    return render(request, "jobdev/outcomes.html", context)


@require_safe
def outcomes_export(request, table) -> HttpResponse:
    if table not in TABLES:
        raise OutOfScope
    form = _filter_form(request)
    # A file is never of another period than the one asked for (as the dashboard's
    # exports): dates not understood are a 400 with the problem.
    problems = form.date_problems()
    if problems:
        return export_not_possible(request, problems)
    outcomes = _outcomes(form)
    built = outcomes_table(outcomes, table)
    return csv_response(
        built.headers,
        built.csv_rows(),
        filename=_filename(built, date_from=outcomes.date_from, date_to=outcomes.date_to),
        csv_format=CsvFormat.for_language(translation.get_language()),
    )
