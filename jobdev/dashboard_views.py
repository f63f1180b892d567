"""The team leader's fidelity dashboard and its CSV exports. Thin: validate the
filters, read the figures and tables from the jobdev.dashboard package, render."""

import datetime

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.access import AccessScope, OutOfScope
from crm.clock import program_zone
from crm.forms import SaneDateField, error_list
from jobdev.dashboard import (
    DEFAULT_WEEKS,
    MAX_PERIOD_DAYS,
    SECTIONS,
    TABLES,
    DashboardFilters,
    TeamDashboard,
    dashboard_available_to,
    dashboard_staff,
    dashboard_table,
    dashboard_tables,
    dashboard_teams,
    default_period,
    iso_monday,
)
from jobdev.dashboard.overview import ProgramOverview, program_overview_available_to
from jobdev.dashboard.rendering import bar_chart, table_csv_response
from jobdev.exports import export_not_possible


class DashboardFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All teams"),
        error_messages={"invalid_choice": gettext_lazy("That team was not found: showing all teams.")},
    )
    specialist = forms.ModelChoiceField(
        label=gettext_lazy("Specialist"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Every specialist"),
        error_messages={"invalid_choice": gettext_lazy("That specialist was not found: showing every specialist.")},
    )
    date_from = SaneDateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a date such as 2026-03-02.")},
    )
    date_to = SaneDateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a date such as 2026-03-29.")},
    )

    def __init__(self, *args, scope: AccessScope, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.today = today
        self.period_understood = True
        # Why the period asked for is not one, as an export says it (it refuses rather
        # than fall back to the last 12 weeks as the page does).
        self.period_problem = ""
        if scope.chooses_team:
            self.fields["team"].queryset = dashboard_teams(scope)
        else:
            del self.fields["team"]
        if scope.supervises:
            self.fields["specialist"].queryset = dashboard_staff(scope)
        else:
            # A specialist sees their own figures only.
            del self.fields["specialist"]

    def clean(self):
        cleaned = super().clean()
        team, specialist = cleaned.get("team"), cleaned.get("specialist")
        if (
            team is not None
            and specialist is not None
            and specialist.team_id != team.pk
            and specialist.pk != team.leader_id
        ):
            self.add_error("specialist", _("That specialist is not in the chosen team: showing the whole team."))
        if "date_from" in cleaned and "date_to" in cleaned:
            date_from, date_to = self._period(cleaned.get("date_from"), cleaned.get("date_to"))
            if date_from > date_to:
                self.period_understood = False
                self.period_problem = _("The end date must be on or after the start date.")
                self.add_error(None, _("The start date is after the end date: showing the last 12 weeks."))
            elif (date_to - date_from).days >= MAX_PERIOD_DAYS:
                self.period_understood = False
                self.period_problem = _("The period can be at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}
                self.add_error(
                    None,
                    _("The period can be at most %(days)s days: showing the last 12 weeks.")
                    % {"days": MAX_PERIOD_DAYS},
                )
        return cleaned

    def _period(self, date_from, date_to) -> tuple[datetime.date, datetime.date]:
        """Missing dates: up to this week's end, and 12 ISO weeks back from `date_to`."""
        if date_to is None:
            date_to = default_period(self.today)[1]
        if date_from is None:
            date_from = iso_monday(date_to) - datetime.timedelta(weeks=DEFAULT_WEEKS - 1)
        return date_from, date_to

    def date_problems(self) -> list[str]:
        """What is wrong with the dates asked for ("From: Choose a date between 2000 and
        2100.", crm.dates), in words: empty when the period is the one asked for."""
        if not self.is_bound:
            return []
        self.is_valid()
        problems = error_list(self, names=("date_from", "date_to"))
        if self.period_problem:
            problems.append(self.period_problem)
        return problems

    def filters(self) -> DashboardFilters:
        """What the figures use: each field that was not understood falls back to its
        default (the whole scope, the last 12 ISO weeks)."""
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        else:
            data = {}
        date_from, date_to = default_period(self.today)
        if self.period_understood and "date_from" in data and "date_to" in data:
            date_from, date_to = self._period(data["date_from"], data["date_to"])
        specialist = data.get("specialist") if "specialist" not in self.errors else None
        return DashboardFilters(date_from=date_from, date_to=date_to, team=data.get("team"), specialist=specialist)


def _filter_form(request) -> DashboardFilterForm:
    scope = request.scope
    if not dashboard_available_to(scope):
        raise OutOfScope
    today = timezone.localdate(timezone=program_zone(scope.organisation))
    return DashboardFilterForm(request.GET or None, scope=scope, today=today)


def _dashboard(form: DashboardFilterForm) -> TeamDashboard:
    return TeamDashboard(form.scope, form.filters(), today=form.today)


def _query(filters: DashboardFilters) -> str:
    params = {"date_from": filters.date_from.isoformat(), "date_to": filters.date_to.isoformat()}
    if filters.team is not None:
        params["team"] = filters.team.pk
    if filters.specialist is not None:
        params["specialist"] = filters.specialist.pk
    return urlencode(params)


def team_dashboard(request):
    # Filters not understood are told above the figures, and the defaults shown (as My
    # week shows this week for a ?week= it cannot show).
    form = _filter_form(request)
    dashboard = _dashboard(form)
    if not form.is_bound:
        form.initial = {"date_from": dashboard.date_from, "date_to": dashboard.date_to}
    context = {
        "form": form,
        "dashboard": dashboard,
        "query": _query(dashboard.filters),
        "chart": bar_chart(dashboard.chart_weeks),
        "figures": {section: dashboard.figures_in(section) for section in SECTIONS},
        "tables": dashboard_tables(dashboard),
    }
    return render(request, "jobdev/dashboard.html", context)


def team_dashboard_export(request, table):
    if table not in TABLES:
        raise OutOfScope
    form = _filter_form(request)
    # A file is never of another period than the one asked for: dates outside the
    # product's range (crm.dates) or not understood are a 400 with the problem, as
    # for the contact export. A team or specialist not found falls back as on the page.
    problems = form.date_problems()
    if problems:
        return export_not_possible(request, problems)
    dashboard = _dashboard(form)
    return table_csv_response(
        dashboard_table(dashboard, table), date_from=dashboard.date_from, date_to=dashboard.date_to
    )


def program_overview(request):
    """A program admin's landing page: the teams, their people and their figures at a glance."""
    scope = request.scope
    if not program_overview_available_to(scope):
        raise OutOfScope
    today = timezone.localdate(timezone=program_zone(scope.organisation))
    overview = ProgramOverview(scope, today=today)
    return render(request, "jobdev/dashboard/program_overview.html", {"overview": overview})
