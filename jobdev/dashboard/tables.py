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
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jobdev.dashboard.figures import _round
from jobdev.dashboard.periods import iso_week_label
from jobdev.fidelity import scale
from placements.models import BenefitsStep, Placement, SupportTask

# The page shows at most this many rows of a table; past it, the page says how many
# more the CSV file holds. A program's year lists tens of thousands of contacts: drawn
# whole, the page took most of a minute and was too long to read.
HTML_ROWS = 200

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


BADGE_MARKS = {"meets": "✓", "below": "✗"}  # any other state: ○


@dataclass(frozen=True)
class HtmlCell:
    text: str
    header: bool = False  # the row's header cell
    link: str = ""
    state: str = ""  # a status badge
    below_target: bool = False

    def __html__(self) -> str:
        """The cell's markup, written here rather than by a template per cell: a year of a
        program's tables is thousands of cells, and an include per cell cost seconds."""
        if self.link:
            content = format_html('<a href="{}">{}</a>', self.link, self.text)
        elif self.state:
            content = format_html(
                '<span class="fidelity-badge fidelity-{}"><span aria-hidden="true">{}</span> {}</span>',
                self.state,
                BADGE_MARKS.get(self.state, "○"),
                self.text,
            )
        else:
            content = format_html("{}", self.text)
        if self.below_target:
            content = format_html('{}<span class="visually-hidden"> ({})</span>', content, _("below the target"))
        if self.header:
            return format_html('<th scope="row">{}</th>', content)
        if self.below_target:
            return format_html('<td class="below-target">{}</td>', content)
        return format_html("<td>{}</td>", content)

    __str__ = __html__  # what a template prints (it calls str() before escaping)


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    kind: str = TEXT
    link: Callable[[Any], str] | None = None  # the page links the cell there
    blank: str = "—"  # the page's text for no value; the CSV leaves the cell empty
    below: Callable[[Any], bool] | None = None  # the page marks such a value as below the target
    digits: Callable[[Any], int] | None = None  # DECIMAL: the row's decimals (default one)

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
            text = floatformat(value, -(self.digits(row) if self.digits is not None and row is not None else 1))
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
        """The page's rows: the first HTML_ROWS (the CSV file has every row)."""
        return [
            [column.html(column.value(row), row, header=index == 0) for index, column in enumerate(self.columns)]
            for row in self.rows[:HTML_ROWS]
        ]

    @property
    def rows_not_shown(self) -> int:
        """How many rows the page leaves to the CSV file."""
        return max(len(self.rows) - HTML_ROWS, 0)

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


def _person_column(get=lambda row: row) -> Column:
    return Column(
        _("Job seeker"),
        lambda row: get(row).full_name,
        link=lambda row: reverse("job_seeker_detail", args=[get(row).pk]),
    )


def _job_seeker_columns() -> list[Column]:
    return [
        _person_column(),
        Column(_("Specialist"), lambda person: str(person.specialist)),
        Column(_("In job search since"), lambda person: person.job_search_since, DATE),
    ]


def _yes_no(value: bool | None, none: str = "") -> str | None:
    if value is None:
        return none or None
    return _("Yes") if value else _("No")


def _specialist_label(row) -> Status:
    return Status("info", _("Yes")) if row.specialist_role else Status("no_data", _("No: no caseload"))


# The tables ---------------------------------------------------------------------


def _fidelity(dashboard) -> Table:
    """The scale's data-answerable items: value, score, the next anchor, the evidence."""
    return Table(
        "fidelity",
        _("Fidelity scale items computed from the records"),
        [
            Column(_("Item"), lambda figure: figure.item_number, NUMBER),
            Column(_("Name on the scale"), lambda figure: str(figure.scale_item.name)),
            Column(_("Figure"), lambda figure: figure.label),
            Column(_("Value"), lambda figure: figure.shown_value, DECIMAL, digits=lambda figure: figure.digits),
            Column(_("Unit"), lambda figure: UNIT_LABELS.get(figure.unit, figure.unit)),
            Column(_("Score (1-5)"), lambda figure: figure.score, NUMBER),
            Column(_("Next anchor"), lambda figure: figure.next_text),
            Column(
                _("Evidence"),
                lambda figure: str(EVIDENCE_LABELS.get(figure.evidence, figure.evidence)),
                link=lambda figure: f"#table-{figure.evidence}",
            ),
        ],
        dashboard.item_figures,
        css_class="fidelity-items",
    )


def _summary(dashboard) -> Table:
    return Table(
        "summary",
        _("All figures in one table"),
        [
            Column(_("Figure"), lambda figure: figure.label),
            Column(_("Value"), lambda figure: figure.shown_value, DECIMAL, digits=lambda figure: figure.digits),
            Column(_("Numerator"), lambda figure: figure.share.numerator if figure.share else figure.numerator, NUMBER),
            Column(_("Denominator"), lambda figure: figure.share.denominator if figure.share else None, NUMBER),
            Column(_("Threshold"), lambda figure: figure.threshold),
            Column(_("Status"), lambda figure: Status(figure.status, figure.status_label), STATUS),
            Column(_("Score (1-5)"), lambda figure: figure.score, NUMBER),
            Column(_("Definition"), lambda figure: figure.definition),
            Column(_("IPS fidelity item"), lambda figure: figure.item),
        ],
        dashboard.figures,
    )


def _caseload(dashboard) -> Table:
    limit = dashboard.organisation.caseload_limit
    return Table(
        "caseload",
        _("Caseload per specialist, today"),
        [
            *_specialist_columns(),
            Column(_("Specialist (item 1)"), _specialist_label, STATUS),
            Column(_("Full-time equivalent"), lambda row: row.fte, DECIMAL),
            Column(_("Caseload"), lambda row: row.caseload, NUMBER),
            Column(
                _("Active (contact in the last %(days)s days)") % {"days": dashboard.organisation.active_contact_days},
                lambda row: row.active_caseload,
                NUMBER,
            ),
            Column(_("Active per full-time post"), lambda row: _round(row.caseload_ratio), DECIMAL),
            Column(_("Caseload limit"), lambda row: limit, NUMBER),
            Column(
                _("Status"),
                lambda row: meets_or((row.caseload_ratio or 0) <= limit, _("Over the limit")),
                STATUS,
            ),
            Column(_("In job search"), lambda row: row.job_search, NUMBER),
            Column(_("Working or in follow-along"), lambda row: row.working, NUMBER),
            Column(_("Share working (%)"), lambda row: _round(row.working_share.percent), DECIMAL),
            Column(_("Job starts in the period"), lambda row: row.job_starts, NUMBER),
        ],
        dashboard.rows,
    )


def _inactive_caseload(dashboard) -> Table:
    return Table(
        "inactive-caseload",
        _("On a caseload without a recorded contact in the last %(days)s days (not counted as active)")
        % {"days": dashboard.organisation.active_contact_days},
        [
            _person_column(),
            Column(_("Specialist"), lambda person: str(person.specialist)),
            Column(_("Status"), lambda person: person.get_status_display()),
            Column(_("Enrolled on"), lambda person: person.enrolment_date, DATE),
        ],
        dashboard.inactive_caseload,
        empty=_("None: everyone on the caseloads had a recorded contact."),
        count=len(dashboard.inactive_caseload),
    )


def _contacts(dashboard) -> Table:
    target = dashboard.target_per_week

    def equivalent(row):
        if not row.specialist_role:
            return None
        return _round(scale.frequency_equivalent(row.average_per_week, row.job_search))

    return Table(
        "contacts",
        _("Employer contacts per specialist in the period"),
        [
            *_specialist_columns(),
            Column(_("Specialist (item 17)"), _specialist_label, STATUS),
            Column(_("In-person contacts on behalf of job seekers"), lambda row: row.in_person, NUMBER),
            Column(
                _("In the %(weeks)s complete weeks") % {"weeks": len(dashboard.complete_weeks)},
                lambda row: row.complete_weeks_contacts,
                NUMBER,
            ),
            Column(_("Average per complete week"), lambda row: _round(row.average_per_week), DECIMAL),
            Column(_("Looking for work"), lambda row: row.job_search, NUMBER),
            Column(_("Rate on the scale's pace"), equivalent, DECIMAL),
            Column(_("Target per week"), lambda row: target, NUMBER),
            Column(
                _("Status"),
                lambda row: (
                    meets_or(row.meets_weekly_target, _("Below"))
                    if row.average_per_week is not None
                    else Status("no_data", _("No complete week"))
                ),
                STATUS,
            ),
            Column(_("This week so far"), lambda row: row.current_week, NUMBER),
            Column(_("Made by the job seeker alone"), lambda row: row.job_seeker_alone, NUMBER),
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
        _("In-person contacts on behalf of job seekers, per specialist and ISO week"),
        [*_specialist_columns(), *weeks],
        dashboard.specialist_rows,
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
            Column(_("In-person contacts on behalf of job seekers"), lambda point: point.count, NUMBER),
            Column(_("Team target"), lambda point: point.target, NUMBER),
            Column(
                _("Status"),
                lambda point: (
                    Status("in_progress", _("Week in progress"))
                    if point.in_progress
                    else meets_or(point.meets, _("Below"))
                ),
                STATUS,
            ),
        ],
        dashboard.chart_weeks,
    )


def _employer_visits(dashboard) -> Table:
    return Table(
        "employer-visits",
        _("Employers visited in person in the period"),
        [
            Column(
                _("Employer"),
                lambda visit: visit.name,
                link=lambda visit: reverse("employer_detail", args=[visit.employer_id]),
            ),
            Column(_("In-person visits"), lambda visit: visit.visits, NUMBER),
            Column(_("Met more than once"), lambda visit: _yes_no(visit.repeat)),
            Column(_("Met someone who can hire"), lambda visit: visit.met_hiring_authority, NUMBER),
            Column(_("Hiring needs learned"), lambda visit: visit.needs_learned, NUMBER),
        ],
        dashboard.employer_visits,
        empty=_("No employer visited in person in the period."),
        count=len(dashboard.employer_visits),
    )


def _individualized_search(dashboard) -> Table:
    answers = {True: _("Yes"), False: _("No"), None: _("No preferences recorded")}
    return Table(
        "individualized-search",
        _("Employer contacts on behalf of job seekers, and whether the employer fits their preferences"),
        [
            Column(
                pgettext("employer contact, its date", "Contact"),
                lambda pair: pair.held_on,
                DATE,
                link=lambda pair: reverse("contact_detail", args=[pair.contact_id]),
            ),
            Column(_("Specialist"), lambda pair: pair.specialist),
            Column(_("Employer"), lambda pair: pair.employer),
            _person_column(lambda pair: pair.job_seeker),
            Column(_("Fits their preferences"), lambda pair: answers[pair.fits]),
        ],
        dashboard.contacts_for_people,
        empty=_("No employer contact on behalf of a job seeker in the period."),
        count=len(dashboard.contacts_for_people),
    )


def _employer_contact_gap(dashboard) -> Table:
    days = dashboard.organisation.employer_contact_gap_days
    return Table(
        "employer-contact-gap",
        _("In job search for over %(days)s days, with no employer contact in the last %(days)s days") % {"days": days},
        [
            *_job_seeker_columns(),
            Column(_("Days in job search"), lambda person: person.days_in_search, NUMBER),
            Column(_("Last employer contact"), lambda person: person.last_contact_on, DATE, blank=_("never")),
        ],
        dashboard.employer_contact_gap,
        empty=_("None: every job seeker searching for that long had a recent employer contact."),
        count=len(dashboard.employer_contact_gap),
    )


def _rapid_search(dashboard) -> Table:
    days = dashboard.first_contact_days
    answers = {True: _("Yes"), False: _("No"), None: _("Not yet")}
    return Table(
        "rapid-search",
        _("Enrolled in the period: days to the first face-to-face employer contact"),
        [
            _person_column(),
            Column(_("Specialist"), lambda person: str(person.specialist)),
            Column(_("Enrolled on"), lambda person: person.enrolment_date, DATE),
            Column(_("First face-to-face employer contact"), lambda person: person.first_contact_on, DATE),
            Column(_("Days"), lambda person: person.days_to_first_contact, NUMBER),
            Column(_("Without one: days so far"), lambda person: person.days_so_far, NUMBER),
            Column(_("Without one: left job search on"), lambda person: person.clock_stopped_on, DATE),
            Column(_("Within %(days)s days") % {"days": days}, lambda person: answers[person.within_limit]),
            Column(_("Days counted in the mean"), lambda person: person.counted_days, NUMBER, blank=_("not yet")),
        ],
        dashboard.enrolment_cohort,
        empty=_("Nobody was enrolled in the period."),
        count=len(dashboard.enrolment_cohort),
    )


def _first_contact(dashboard) -> Table:
    days = dashboard.first_contact_days
    answers = {True: _("Yes"), False: _("No"), None: _("Not yet")}
    return Table(
        "first-contact",
        _("Job search begun in the period: days to the first face-to-face employer contact"),
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


def _benefits(dashboard) -> Table:
    statuses = dict(BenefitsStep.Status.choices)

    def outcome(placement) -> str:
        if placement.delivered:
            return _("Plan in place before the start")
        if placement.declined:
            return _("Declined by the worker before the start")
        return _("Not completed before the start")

    return Table(
        "benefits",
        _("Job starts of people on benefits (or not known): work incentives planning before the start"),
        [
            _person_column(lambda placement: placement.job_seeker),
            Column(_("Employer"), lambda placement: placement.employer.name),
            Column(_("Start date"), lambda placement: placement.start_date, DATE),
            Column(
                _("Planning step"),
                lambda placement: statuses.get(placement.step_status, placement.step_status),
                blank=_("none"),
            ),
            Column(_("Completed on"), lambda placement: placement.step_completed_on, DATE),
            Column(_("Before the start"), outcome),
        ],
        dashboard.benefits_planning,
        empty=_("No job start of a person on benefits in the period."),
        count=len(dashboard.benefits_planning),
    )


def _benefits_recheck(dashboard) -> Table:
    def outcome(step) -> str:
        if step.is_finished:
            return str(step.get_status_display())
        return _("Not due yet") if step.pending else _("Not completed")

    return Table(
        "benefits-recheck",
        _("Benefits re-checks after a change of hours or pay"),
        [
            _person_column(lambda step: step.job_seeker),
            Column(_("Employer"), lambda step: step.placement.employer.name if step.placement else None),
            Column(_("Change effective on"), lambda step: step.offered_on, DATE),
            Column(_("Completed on"), lambda step: step.completed_on, DATE),
            Column(_("Re-check"), outcome),
        ],
        dashboard.benefits_rechecks,
        empty=_("No change of hours or pay in the period."),
        count=len(dashboard.benefits_rechecks),
    )


def _disclosure(dashboard) -> Table:
    return Table(
        "disclosure",
        _("First employer contact on their behalf in the period: disclosure discussed before?"),
        [
            _person_column(),
            Column(_("Specialist"), lambda person: str(person.specialist)),
            Column(_("First employer contact"), lambda person: person.first_on_behalf_on, DATE),
            Column(
                _("Disclosure first discussed on"),
                lambda person: person.disclosure_discussed_on,
                DATE,
                blank=_("not yet"),
            ),
            Column(_("Discussed before"), lambda person: _yes_no(person.discussed_before)),
        ],
        dashboard.disclosure_cohort,
        empty=_("Nobody had a first employer contact on their behalf in the period."),
        count=len(dashboard.disclosure_cohort),
    )


def _jobs(dashboard) -> Table:
    terms = dict(Placement.Term.choices)
    return Table(
        "jobs",
        _("Jobs started from %(start)s to %(end)s")
        % {
            "start": formats.date_format(dashboard.year_from, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(dashboard.year_to, "SHORT_DATE_FORMAT"),
        },
        [
            _person_column(lambda job: job.job_seeker),
            Column(_("Start date"), lambda job: job.start_date, DATE),
            Column(_("Employer"), lambda job: job.employer.name),
            Column(_("Job type"), lambda job: job.job_type.label if job.job_type else None, blank=_("not recorded")),
            Column(_("Competitive"), lambda job: _yes_no(job.is_competitive, _("not recorded"))),
            Column(
                _("Permanent or temporary"),
                lambda job: terms.get(job.term) if job.term else None,
                blank=_("not recorded"),
            ),
            Column(_("Ended on"), lambda job: job.end_date, DATE),
        ],
        dashboard.jobs_of_the_year,
        empty=_("No job started in these 12 months."),
        count=len(dashboard.jobs_of_the_year),
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


def _retention(dashboard) -> Table:
    return Table(
        "retention",
        _("Jobs at day 90 in the period: still working after 13 weeks?"),
        [
            _person_column(lambda placement: placement.job_seeker),
            Column(_("Employer"), lambda placement: placement.employer.name),
            Column(_("Start date"), lambda placement: placement.start_date, DATE),
            Column(_("Day 90"), lambda placement: placement.day_90, DATE),
            Column(_("Ended on"), lambda placement: placement.end_date, DATE),
            Column(_("Still working at day 90"), lambda placement: _yes_no(placement.retained)),
        ],
        dashboard.retention,
        empty=_("No job reached day 90 in the period."),
        count=len(dashboard.retention),
    )


def _follow_along(dashboard) -> Table:
    return Table(
        "follow-along",
        _("Follow-along per specialist"),
        [
            *_specialist_columns(),
            Column(_("Follow-along contacts due"), lambda row: row.follow_along.denominator, NUMBER),
            Column(_("Done on time, face to face"), lambda row: row.follow_along.numerator, NUMBER),
            Column(_("Share on time (%)"), lambda row: _round(row.follow_along.percent), DECIMAL),
            Column(_("Overdue tasks today"), lambda row: row.overdue_tasks, NUMBER),
        ],
        dashboard.rows,
    )


def _overdue_tasks(dashboard) -> Table:
    kinds = dict(SupportTask.Kind.choices)
    return Table(
        "overdue-tasks",
        _("Overdue tasks today"),
        [
            Column(_("Task"), lambda task: task.title),
            Column(_("Due"), lambda task: task.due_date, DATE),
            Column(_("Days overdue"), lambda task: (dashboard.today - task.due_date).days, NUMBER),
            Column(_("Kind"), lambda task: kinds.get(task.kind, task.kind)),
            _person_column(lambda task: task.job_seeker),
            Column(_("Owner"), lambda task: str(task.owner)),
        ],
        dashboard.overdue_tasks,
        empty=_("No overdue task."),
        count=len(dashboard.overdue_tasks),
    )


def _task_columns() -> list[Column]:
    modes = dict(SupportTask.Mode.choices)
    statuses = dict(SupportTask.Status.choices)
    givers = dict(SupportTask.GivenBy.choices)

    def given_by(task):
        # Item 23 counts the specialist's own contact (blank is the specialist).
        if task.status != SupportTask.Status.DONE:
            return None
        return givers.get(task.given_by or SupportTask.GivenBy.SPECIALIST, task.given_by)

    return [
        _person_column(lambda task: task.job_seeker),
        Column(_("Owner"), lambda task: str(task.owner)),
        Column(_("Due"), lambda task: getattr(task, "due_on", task.due_date), DATE),
        Column(_("Status"), lambda task: statuses.get(task.status, task.status)),
        Column(_("Done on"), lambda task: task.completed_on, DATE),
        Column(_("Mode"), lambda task: modes.get(task.completion_mode) if task.completion_mode else None),
        Column(pgettext("follow-along support", "Given by"), given_by),
        Column(_("Cancelled on"), lambda task: task.cancelled_on, DATE),
        Column(_("On time, face to face"), lambda task: _yes_no(task.on_time)),
    ]


def _follow_along_contacts(dashboard) -> Table:
    phases = {
        "before_start": _("Before the start"),
        "first_contact": _("Just after the start"),
        "first_month": _("Weekly, first month"),
        "after_first_month": _("Monthly, after the first month"),
    }
    columns = _task_columns()
    return Table(
        "follow-along-contacts",
        _("Follow-along contacts due in the period"),
        [
            *columns[:3],
            Column(pgettext("follow-along schedule", "When"), lambda task: phases[task.phase]),
            *columns[3:],
        ],
        dashboard.follow_along_due,
        empty=_("No follow-along contact was due in the period."),
        count=len(dashboard.follow_along_due),
    )


def _job_end_contacts(dashboard) -> Table:
    return Table(
        "job-end-contacts",
        _("Face-to-face contacts after a job end, due in the period"),
        _task_columns(),
        dashboard.job_end_contacts,
        empty=_("No contact after a job end was due in the period."),
        count=len(dashboard.job_end_contacts),
    )


def _step_downs(dashboard) -> Table:
    return Table(
        "step-downs",
        _("Follow-along stepped down in the period"),
        [
            _person_column(lambda plan: plan.placement.job_seeker),
            Column(_("Employer"), lambda plan: plan.placement.employer.name),
            Column(_("Start date"), lambda plan: plan.placement.start_date, DATE),
            Column(_("Stepped down on"), lambda plan: plan.stepped_down_on, DATE),
        ],
        dashboard.step_downs,
        empty=_("None."),
        count=len(dashboard.step_downs),
    )


def _follow_along_supports(dashboard) -> Table:
    return Table(
        "follow-along-supports",
        _("Workers with follow-along in the period: kinds of support and who gave it"),
        [
            _person_column(lambda support: support.job_seeker),
            Column(_("Specialist"), lambda support: str(support.job_seeker.specialist)),
            Column(_("Contacts done"), lambda support: support.contacts, NUMBER),
            Column(_("Kinds of support"), lambda support: support.types, NUMBER),
            Column(_("Support given"), lambda support: support.type_labels),
            Column(_("Given by (kinds of people)"), lambda support: support.givers, NUMBER),
            Column(pgettext("follow-along support", "Given by"), lambda support: support.giver_labels),
        ],
        dashboard.follow_along_supports,
        empty=_("Nobody was in follow-along in the period."),
        count=len(dashboard.follow_along_supports),
    )


def _community(dashboard) -> Table:
    return Table(
        "community",
        _("Contacts held in the community, per specialist"),
        [
            *_specialist_columns(),
            Column(_("Contacts recorded"), lambda row: row.community.denominator, NUMBER),
            Column(_("In the community"), lambda row: row.community.numerator, NUMBER),
            Column(_("Share in the community (%)"), lambda row: _round(row.community.percent), DECIMAL),
            Column(
                _("Status"),
                lambda row: (
                    meets_or(bool(row.community.at_least(dashboard.organisation.community_time_percent)), _("Below"))
                    if row.community.denominator
                    else Status("no_data", _("No contact"))
                ),
                STATUS,
            ),
        ],
        dashboard.specialist_rows,
    )


_TABLES: dict[str, Callable[[Any], Table]] = {
    "fidelity": _fidelity,
    "summary": _summary,
    "caseload": _caseload,
    "inactive-caseload": _inactive_caseload,
    "contacts": _contacts,
    "weekly": _weekly,
    "chart": _chart,
    "employer-visits": _employer_visits,
    "individualized-search": _individualized_search,
    "employer-contact-gap": _employer_contact_gap,
    "rapid-search": _rapid_search,
    "first-contact": _first_contact,
    "no-first-contact": _no_first_contact,
    "benefits": _benefits,
    "benefits-recheck": _benefits_recheck,
    "disclosure": _disclosure,
    "jobs": _jobs,
    "starts": _starts,
    "retention": _retention,
    "follow-along": _follow_along,
    "overdue-tasks": _overdue_tasks,
    "follow-along-contacts": _follow_along_contacts,
    "job-end-contacts": _job_end_contacts,
    "step-downs": _step_downs,
    "follow-along-supports": _follow_along_supports,
    "community": _community,
}
TABLES = tuple(_TABLES)

UNIT_LABELS = {
    "ratio": gettext_lazy("job seekers per full-time specialist"),
    "days": gettext_lazy("days"),
    "percent": gettext_lazy("%"),
    "per_week": gettext_lazy("contacts per week"),
    "types": gettext_lazy("kinds of support per worker"),
    "criteria": gettext_lazy("criteria met (of 4)"),
}


#: The short name of each evidence table, for the fidelity table's links to it.
EVIDENCE_LABELS = {
    "caseload": gettext_lazy("Caseload per specialist"),
    "contacts": gettext_lazy("Employer contacts per specialist"),
    "employer-visits": gettext_lazy("Employers visited in person"),
    "individualized-search": gettext_lazy("Contacts and preferences"),
    "rapid-search": gettext_lazy("Enrolled in the period"),
    "benefits": gettext_lazy("Job starts and benefits planning"),
    "disclosure": gettext_lazy("First employer contacts and disclosure"),
    "jobs": gettext_lazy("Jobs of the last 12 months"),
    "follow-along-contacts": gettext_lazy("Follow-along contacts due"),
    "follow-along-supports": gettext_lazy("Workers and their supports"),
    "community": gettext_lazy("Contacts in the community"),
    "overdue-tasks": gettext_lazy("Overdue tasks"),
}


def dashboard_table(dashboard, slug: str) -> Table:
    """One table of `dashboard` (a TeamDashboard): its queries run when it is built."""
    if slug not in _TABLES:
        raise KeyError(slug)
    return _TABLES[slug](dashboard)


def dashboard_tables(dashboard) -> dict[str, Table]:
    """Every table, by a name a template can read (`no_first_contact`)."""
    return {slug.replace("-", "_"): build(dashboard) for slug, build in _TABLES.items()}
