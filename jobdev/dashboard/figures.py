"""The fidelity figures: what each one counts (its definition), its threshold and the
IPS fidelity item it answers (docs/fidelity.md), from the counts of a TeamDashboard."""

import statistics
from dataclasses import dataclass

from django.utils.translation import gettext as _

# IPS gives no percentage for these two; the fidelity criterion is "every time":
# every due follow-along contact held, everyone on benefits offered planning.
FOLLOW_ALONG_ON_TIME_TARGET_PERCENT = 100
BENEFITS_PLANNING_TARGET_PERCENT = 100


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
    unit: str  # "count", "percent", "days", "per_week"
    value: float | int | None
    definition: str
    threshold: str
    item: str
    meets: bool | None = None  # None: for information, or no data
    share: Share | None = None
    note: str = ""
    now: bool = False  # a picture of today, not of the period

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


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def dashboard_figures(dashboard) -> list[Figure]:
    """The figures of `dashboard` (a TeamDashboard), in the order of the page."""
    org = dashboard.organisation
    rows = dashboard.rows
    weeks = len(dashboard.weeks)
    total_face_to_face = sum(row.face_to_face for row in rows)
    per_specialist_week = total_face_to_face / (len(rows) * weeks) if rows and weeks else None
    meeting = sum(1 for row in rows if row.meets_weekly_target)
    largest = max((row.caseload for row in rows), default=None)
    over_limit = sum(1 for row in rows if row.caseload > org.caseload_limit)
    cohort = dashboard.first_contact_cohort
    days = [person.days_to_first_contact for person in cohort if person.days_to_first_contact is not None]
    median_days = statistics.median(days) if days else None
    decided = [person for person in cohort if person.within_limit is not None]
    within = Share(sum(1 for person in decided if person.within_limit), len(decided))
    working = Share(sum(row.working for row in rows), sum(row.caseload for row in rows))
    retention = Share(dashboard.retention["working"], dashboard.retention["reached"])
    follow_along = Share(
        sum(row.follow_along.numerator for row in rows), sum(row.follow_along.denominator for row in rows)
    )
    overdue = sum(row.overdue_tasks for row in rows)
    placements = dashboard.placement_figures
    job_types = Share(placements["job_types"], placements["typed"])
    employers = Share(placements["employers"], placements["placements"])
    competitive = Share(placements["competitive"], placements["placements"])
    benefits = Share(placements["benefits_offered"], placements["benefits_due"])
    at_least = _("at least %(value)s")
    at_least_percent = _("at least %(value)s%%")
    info = _("for information")
    n = dashboard.first_contact_days

    def percent(share: Share) -> float | None:
        return _round(share.percent)

    return [
        Figure(
            key="contacts_per_week",
            section="job_development",
            label=_("Face-to-face employer contacts on behalf of job seekers, per specialist per week"),
            unit="per_week",
            value=_round(per_specialist_week),
            definition=_(
                "Held contacts, in person or made by the job seeker, on behalf of job seekers, "
                "divided by the number of specialists and of ISO weeks in the period."
            ),
            threshold=at_least % {"value": dashboard.target_per_week},
            item=_("Job development: frequency"),
            meets=None if per_specialist_week is None else per_specialist_week >= dashboard.target_per_week,
            note=_("%(meeting)s of %(total)s specialists at or above the target")
            % {"meeting": meeting, "total": len(rows)},
        ),
        Figure(
            key="other_contacts",
            section="job_development",
            label=_("Other employer contacts"),
            unit="count",
            value=sum(row.other_contacts for row in rows),
            definition=_("Held contacts by phone, video or email, and relationship-building visits."),
            threshold=info,
            item=_("Job development: quality"),
        ),
        Figure(
            key="distinct_employers",
            section="job_development",
            label=_("Employers contacted"),
            unit="count",
            value=dashboard.distinct_employers,
            definition=_("Distinct employers with at least one held contact in the period."),
            threshold=info,
            item=_("Job development: quality"),
        ),
        Figure(
            key="new_employers",
            section="job_development",
            label=_("New employers"),
            unit="count",
            value=sum(row.new_employers for row in rows),
            definition=_("Employers whose first held contact in the whole program falls in the period."),
            threshold=info,
            item=_("Job development: quality"),
        ),
        Figure(
            key="largest_caseload",
            section="caseload",
            label=_("Largest caseload"),
            unit="count",
            value=largest,
            definition=_("Job seekers in job search, working or in follow-along, per specialist, today."),
            threshold=_("at most %(value)s per specialist") % {"value": org.caseload_limit},
            item=_("Caseload size"),
            meets=None if largest is None else largest <= org.caseload_limit,
            note=_("%(over)s of %(total)s specialists over the limit") % {"over": over_limit, "total": len(rows)},
            now=True,
        ),
        Figure(
            key="no_recent_contact",
            section="caseload",
            label=_("Job seekers with no employer contact in the last 30 days"),
            unit="count",
            value=len(dashboard.no_recent_contact),
            definition=_(
                "In job search today, and no held employer contact on their behalf (any mode) in the last 30 days."
            ),
            threshold=_("none"),
            item=_("Individualized job search"),
            meets=not dashboard.no_recent_contact,
            now=True,
        ),
        Figure(
            key="median_days_to_first_contact",
            section="rapid_search",
            label=_("Days to first face-to-face employer contact (median)"),
            unit="days",
            value=median_days,
            definition=_(
                "For job seekers whose job search began in the period and who had one: days from the start "
                "of the job search to the first held face-to-face contact with an employer on their behalf."
            ),
            threshold=_("at most %(value)s days") % {"value": n},
            item=_("Rapid job search"),
            meets=None if median_days is None else median_days <= n,
            note=_("%(with)s of %(total)s job seekers had a contact") % {"with": len(days), "total": len(cohort)},
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
            item=_("Rapid job search"),
            share=within,
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
            item=_("Rapid job search"),
            meets=not dashboard.no_first_contact,
            now=True,
        ),
        Figure(
            key="job_starts",
            section="outcomes",
            label=_("Job starts"),
            unit="count",
            value=sum(count for _month, count in dashboard.starts_by_month),
            definition=_("Placements whose start date falls in the period."),
            threshold=info,
            item=_("Outcomes"),
        ),
        Figure(
            key="working_share",
            section="outcomes",
            label=_("Share of the caseload working"),
            unit="percent",
            value=percent(working),
            definition=_("Job seekers working or in follow-along, of the active caseload, today."),
            threshold=at_least_percent % {"value": org.employment_rate_target_percent},
            item=_("Outcomes: employment rate"),
            meets=working.at_least(org.employment_rate_target_percent),
            share=working,
            now=True,
        ),
        Figure(
            key="retention_13_weeks",
            section="outcomes",
            label=_("Still working after 13 weeks"),
            unit="percent",
            value=percent(retention),
            definition=_(
                "Of placements whose 13-week (day 90) milestone was reached in the period, "
                "share recorded as still working."
            ),
            threshold=at_least_percent % {"value": org.retention_13_weeks_target_percent},
            item=_("Outcomes: 13-week retention"),
            meets=retention.at_least(org.retention_13_weeks_target_percent),
            share=retention,
            note=(
                _("%(count)s without a recorded answer, counted as not working")
                % {"count": dashboard.retention["not_recorded"]}
                if dashboard.retention["not_recorded"]
                else ""
            ),
        ),
        Figure(
            key="follow_along_on_time",
            section="follow_along",
            label=_("Follow-along contacts done on time"),
            unit="percent",
            value=percent(follow_along),
            definition=_(
                "Follow-along tasks due in the period (before today), not cancelled: share done "
                "on or before their due date."
            ),
            threshold=at_least_percent % {"value": FOLLOW_ALONG_ON_TIME_TARGET_PERCENT},
            item=_("Time-unlimited follow-along supports"),
            meets=follow_along.at_least(FOLLOW_ALONG_ON_TIME_TARGET_PERCENT),
            share=follow_along,
        ),
        Figure(
            key="overdue_tasks",
            section="follow_along",
            label=_("Overdue tasks"),
            unit="count",
            value=overdue,
            definition=_("Open tasks of every kind past their due date, today."),
            threshold=_("none"),
            item=_("Time-unlimited follow-along supports"),
            meets=overdue == 0,
            now=True,
        ),
        Figure(
            key="job_type_diversity",
            section="placements",
            label=_("Diversity of job types"),
            unit="percent",
            value=percent(job_types),
            definition=_(
                "Distinct job types among placements started in the period, of those placements with a "
                "job type recorded."
            ),
            threshold=at_least_percent % {"value": org.job_type_diversity_percent},
            item=_("Diversity of job types"),
            meets=job_types.at_least(org.job_type_diversity_percent),
            share=job_types,
            note=(
                _("%(count)s placements without a job type are not counted")
                % {"count": placements["placements"] - placements["typed"]}
                if placements["placements"] != placements["typed"]
                else ""
            ),
        ),
        Figure(
            key="employer_diversity",
            section="placements",
            label=_("Diversity of employers"),
            unit="percent",
            value=percent(employers),
            definition=_("Distinct employers among placements started in the period, of those placements."),
            threshold=at_least_percent % {"value": org.employer_diversity_percent},
            item=_("Diversity of employers"),
            meets=employers.at_least(org.employer_diversity_percent),
            share=employers,
        ),
        Figure(
            key="competitive_share",
            section="placements",
            label=_("Competitive jobs"),
            unit="percent",
            value=percent(competitive),
            definition=_("Placements started in the period that are competitive jobs."),
            threshold=at_least_percent % {"value": org.competitive_jobs_percent},
            item=_("Competitive jobs"),
            meets=competitive.at_least(org.competitive_jobs_percent),
            share=competitive,
        ),
        Figure(
            key="benefits_before_start",
            section="placements",
            label=_("Benefits planning offered before the start"),
            unit="percent",
            value=percent(benefits),
            definition=_(
                "Placements started in the period, for job seekers not recorded as off benefits, with "
                "work incentives planning offered for that job on or before its start date."
            ),
            threshold=at_least_percent % {"value": BENEFITS_PLANNING_TARGET_PERCENT},
            item=_("Work incentives planning"),
            meets=benefits.at_least(BENEFITS_PLANNING_TARGET_PERCENT),
            share=benefits,
        ),
    ]
