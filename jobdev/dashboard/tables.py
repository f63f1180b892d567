"""The dashboard's tables, each defined once: its caption, its columns (a translated
header and how to read the cell's value from a row) and its rows. The page and the CSV
export are both drawn from that definition, so their headers and values agree; only
the presentation differs (the page formats dates and numbers for the reader's language
and shows statuses as badges, the CSV keeps ISO dates and plain numbers)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from jobdev.dashboard.figures import _round
from jobdev.dashboard.periods import iso_week_label

# How a value is shown: the CSV writes the value itself (ISO dates, plain numbers), the
# page formats it for the reader's language.
TEXT, NUMBER, DECIMAL, DATE, MONTH, STATUS = "text", "number", "decimal", "date", "month", "status"


@dataclass(frozen=True)
class Status:
    """A fidelity status in a cell: a word, and its state (meets, below, info, no_data),
    which the page shows as a badge."""

    state: str
    label: str

    def __str__(self) -> str:
        return str(self.label)


def meets_or(meets: bool, otherwise: str) -> Status:
    return Status("meets", _("Meets")) if meets else Status("below", otherwise)


@dataclass(frozen=True)
class HtmlCell:
    text: str
    header: bool = False  # the row's header cell
    link: str = ""
    state: str = ""  # a status badge
    below_target: bool = False


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    kind: str = TEXT
    link: Callable[[Any], str] | None = None  # the page links the cell there
    blank: str = "—"  # the page's text for no value; the CSV leaves the cell empty
    below: Callable[[Any], bool] | None = None  # the page marks such a value as below the target

    def csv(self, value):
        if value is None:
            return ""
        if self.kind == DATE:
            return value.isoformat()
        if self.kind == MONTH:
            return value.strftime("%Y-%m")
        if self.kind in (TEXT, STATUS):
            return str(value)
        return value

    def html(self, value, row=None, *, header: bool = False, marks: bool = True) -> HtmlCell:
        if value is None:
            return HtmlCell(str(self.blank), header=header)
        if self.kind == DATE:
            text = formats.date_format(value, "SHORT_DATE_FORMAT")
        elif self.kind == MONTH:
            text = formats.date_format(value, "YEAR_MONTH_FORMAT")
        elif self.kind == DECIMAL:
            text = floatformat(value, -1)
        elif self.kind == NUMBER:
            text = str(formats.localize(value))
        else:
            text = str(value)
        return HtmlCell(
            text,
            header=header,
            link=self.link(row) if self.link is not None and row is not None else "",
            state=value.state if self.kind == STATUS else "",
            below_target=marks and self.below is not None and self.below(value),
        )


@dataclass
class Table:
    slug: str
    caption: str
    columns: list[Column]
    rows: list
    footer: list[list] = field(default_factory=list)  # values, one per column
    empty: str = ""  # the page's line when there is no row
    count: int | None = None  # shown after the caption
    css_class: str = ""

    @property
    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def csv_rows(self) -> list[list]:
        rows = [[column.csv(column.value(row)) for column in self.columns] for row in self.rows]
        for values in self.footer:
            rows.append([column.csv(value) for column, value in zip(self.columns, values, strict=True)])
        return rows

    def html_rows(self) -> list[list[HtmlCell]]:
        return [
            [column.html(column.value(row), row, header=index == 0) for index, column in enumerate(self.columns)]
            for row in self.rows
        ]

    def html_footer(self) -> list[list[HtmlCell]]:
        return [
            [
                column.html(value, header=index == 0, marks=False)
                for index, (column, value) in enumerate(zip(self.columns, values, strict=True))
            ]
            for values in self.footer
        ]


# Columns used by several tables -------------------------------------------------


def _specialist_columns() -> list[Column]:
    return [
        Column(_("Specialist"), lambda row: str(row.specialist)),
        Column(_("Team"), lambda row: row.specialist.team.name if row.specialist.team else None),
    ]


def _job_seeker_columns() -> list[Column]:
    return [
        Column(
            _("Job seeker"),
            lambda person: person.full_name,
            link=lambda person: reverse("job_seeker_detail", args=[person.pk]),
        ),
        Column(_("Specialist"), lambda person: str(person.specialist)),
        Column(_("In job search since"), lambda person: person.job_search_since, DATE),
    ]


# The tables ---------------------------------------------------------------------


def _summary(dashboard) -> Table:
    return Table(
        "summary",
        _("All figures in one table"),
        [
            Column(_("Figure"), lambda figure: figure.label),
            Column(_("Value"), lambda figure: figure.value, DECIMAL),
            Column(_("Numerator"), lambda figure: figure.share.numerator if figure.share else None, NUMBER),
            Column(_("Denominator"), lambda figure: figure.share.denominator if figure.share else None, NUMBER),
            Column(_("Threshold"), lambda figure: figure.threshold),
            Column(_("Status"), lambda figure: Status(figure.status, figure.status_label), STATUS),
            Column(_("Definition"), lambda figure: figure.definition),
            Column(_("IPS fidelity item"), lambda figure: figure.item),
        ],
        dashboard.figures,
    )


def _contacts(dashboard) -> Table:
    return Table(
        "contacts",
        _("Employer contacts per specialist in the period"),
        [
            *_specialist_columns(),
            Column(_("Face-to-face contacts on behalf of job seekers"), lambda row: row.face_to_face, NUMBER),
            Column(_("Average per week"), lambda row: _round(row.average_per_week), DECIMAL),
            Column(_("Target per week"), lambda row: dashboard.target_per_week, NUMBER),
            Column(_("Status"), lambda row: meets_or(row.meets_weekly_target, _("Below")), STATUS),
            Column(_("Other contacts"), lambda row: row.other_contacts, NUMBER),
            Column(_("Employers contacted"), lambda row: row.employers, NUMBER),
            Column(_("New employers"), lambda row: row.new_employers, NUMBER),
        ],
        dashboard.rows,
        empty=_("No specialist in this selection."),
    )


def _weekly(dashboard) -> Table:
    target = dashboard.target_per_week
    weeks = [
        Column(
            iso_week_label(monday),
            lambda row, index=index: row.weeks[index],
            NUMBER,
            below=lambda count: count < target,
        )
        for index, monday in enumerate(dashboard.weeks)
    ]
    return Table(
        "weekly",
        _("Face-to-face contacts on behalf of job seekers, per specialist and ISO week"),
        [*_specialist_columns(), *weeks],
        dashboard.rows,
        footer=[[_("Team total"), "", *dashboard.weekly_totals]],
        css_class="weekly",
    )


def _chart(dashboard) -> Table:
    return Table(
        "chart",
        _("Team total per ISO week (the chart's data)"),
        [
            Column(_("ISO week"), lambda point: point.label),
            Column(_("Week of"), lambda point: point.monday, DATE),
            Column(_("Face-to-face contacts on behalf of job seekers"), lambda point: point.count, NUMBER),
            Column(_("Team target"), lambda point: point.target, NUMBER),
            Column(_("Status"), lambda point: meets_or(point.meets, _("Below")), STATUS),
        ],
        dashboard.chart_weeks,
    )


def _caseload(dashboard) -> Table:
    limit = dashboard.organisation.caseload_limit
    return Table(
        "caseload",
        _("Caseload per specialist, today"),
        [
            *_specialist_columns(),
            Column(_("Caseload"), lambda row: row.caseload, NUMBER),
            Column(_("Caseload limit"), lambda row: limit, NUMBER),
            Column(_("Status"), lambda row: meets_or(row.caseload <= limit, _("Over the limit")), STATUS),
            Column(_("In job search"), lambda row: row.job_search, NUMBER),
            Column(_("Working or in follow-along"), lambda row: row.working, NUMBER),
            Column(_("Share working (%)"), lambda row: _round(row.working_share.percent), DECIMAL),
            Column(_("Job starts in the period"), lambda row: row.job_starts, NUMBER),
            Column(_("No employer contact in the last 30 days"), lambda row: row.no_recent_contact, NUMBER),
            Column(
                _("Past day %(days)s without a first employer contact") % {"days": dashboard.first_contact_days},
                lambda row: row.no_first_contact,
                NUMBER,
            ),
        ],
        dashboard.rows,
    )


def _no_recent_contact(dashboard) -> Table:
    return Table(
        "no-recent-contact",
        _("Job seekers with no employer contact in the last 30 days"),
        [
            *_job_seeker_columns(),
            Column(_("Last employer contact"), lambda person: person.last_contact_on, DATE, blank=_("never")),
        ],
        dashboard.no_recent_contact,
        empty=_("None: every job seeker had an employer contact in the last 30 days."),
        count=len(dashboard.no_recent_contact),
    )


def _first_contact(dashboard) -> Table:
    days = dashboard.first_contact_days
    answers = {True: _("Yes"), False: _("No"), None: _("Not yet")}
    return Table(
        "first-contact",
        _("Days to first face-to-face employer contact"),
        [
            *_job_seeker_columns(),
            Column(_("First face-to-face employer contact"), lambda person: person.first_contact_on, DATE),
            Column(_("Days"), lambda person: person.days_to_first_contact, NUMBER),
            Column(_("Within %(days)s days") % {"days": days}, lambda person: answers[person.within_limit]),
        ],
        dashboard.first_contact_cohort,
        empty=_("Nobody started a job search in the period."),
    )


def _no_first_contact(dashboard) -> Table:
    return Table(
        "no-first-contact",
        _("In job search for more than %(days)s days, without a first face-to-face employer contact")
        % {"days": dashboard.first_contact_days},
        [
            *_job_seeker_columns(),
            Column(_("Days in job search"), lambda person: person.days_in_search, NUMBER),
        ],
        dashboard.no_first_contact,
        empty=_("None."),
        count=len(dashboard.no_first_contact),
    )


def _starts(dashboard) -> Table:
    return Table(
        "starts",
        _("Job starts per month"),
        [
            Column(_("Month"), lambda month_count: month_count[0], MONTH),
            Column(_("Job starts"), lambda month_count: month_count[1], NUMBER),
        ],
        dashboard.starts_by_month,
        css_class="compact",
    )


def _follow_along(dashboard) -> Table:
    return Table(
        "follow-along",
        _("Follow-along per specialist"),
        [
            *_specialist_columns(),
            Column(_("Follow-along contacts due"), lambda row: row.follow_along.denominator, NUMBER),
            Column(_("Done on time"), lambda row: row.follow_along.numerator, NUMBER),
            Column(_("Share on time (%)"), lambda row: _round(row.follow_along.percent), DECIMAL),
            Column(_("Overdue tasks today"), lambda row: row.overdue_tasks, NUMBER),
        ],
        dashboard.rows,
    )


_TABLES: dict[str, Callable[[Any], Table]] = {
    "summary": _summary,
    "contacts": _contacts,
    "weekly": _weekly,
    "chart": _chart,
    "caseload": _caseload,
    "no-recent-contact": _no_recent_contact,
    "first-contact": _first_contact,
    "no-first-contact": _no_first_contact,
    "starts": _starts,
    "follow-along": _follow_along,
}
TABLES = tuple(_TABLES)


def dashboard_table(dashboard, slug: str) -> Table:
    """One table of `dashboard` (a TeamDashboard): its queries run when it is built."""
    if slug not in _TABLES:
        raise KeyError(slug)
    return _TABLES[slug](dashboard)


def dashboard_tables(dashboard) -> dict[str, Table]:
    """Every table, by a name a template can read (`no_recent_contact`)."""
    return {slug.replace("-", "_"): build(dashboard) for slug, build in _TABLES.items()}
