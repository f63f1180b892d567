"""The program overview: a program admin's landing page. Each team with its leader
and specialists, and a few figures at a glance per team, read from the dashboard's
own per-person rows (`TeamDashboard.rows`, the same definitions as the fidelity
dashboard, docs/fidelity.md), so the overview and the dashboard never disagree.

One TeamDashboard over the whole program, grouped by team in Python: the number of
queries is fixed, whatever the number of teams and people (pinned in
tests/jobdev/test_program_overview.py).
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from crm.access import AccessScope, OutOfScope
from crm.models import Team, User
from jobdev.dashboard.periods import default_period
from jobdev.dashboard.scope import DashboardFilters
from jobdev.dashboard.team import SpecialistRow, TeamDashboard


def program_overview_available_to(scope: AccessScope) -> bool:
    """The overview reads every team of the program: those who may pick any team."""
    return scope.in_program and scope.chooses_team


@dataclass
class TeamFigures:
    """The figures at a glance of a team (or of the whole program), summed over the
    rows of its people. `specialists` counts the employment specialists
    (jobdev.dashboard.team.counts_as_specialist), the people whose contacts are
    averaged."""

    specialists: int = 0
    caseload: int = 0
    active_caseload: int = 0
    job_search: int = 0
    contacts_this_week: int = 0
    contacts_complete_weeks: int = 0
    job_starts: int = 0
    overdue_tasks: int = 0
    no_first_contact: int = 0
    complete_weeks: int = 0
    target_per_week: int = 0

    def add(self, row: SpecialistRow) -> None:
        self.caseload += row.caseload
        self.active_caseload += row.active_caseload
        self.job_search += row.job_search
        self.job_starts += row.job_starts
        self.overdue_tasks += row.overdue_tasks
        self.no_first_contact += row.no_first_contact
        if row.specialist_role:
            self.specialists += 1
            self.contacts_this_week += row.current_week or 0
            self.contacts_complete_weeks += row.complete_weeks_contacts

    @property
    def contacts_this_week_per_specialist(self) -> float | None:
        return self.contacts_this_week / self.specialists if self.specialists else None

    @property
    def average_per_specialist(self) -> float | None:
        """In-person contacts on behalf of job seekers per specialist and complete week."""
        if not self.specialists or not self.complete_weeks:
            return None
        return self.contacts_complete_weeks / self.complete_weeks / self.specialists

    @property
    def meets_weekly_target(self) -> bool | None:
        average = self.average_per_specialist
        return None if average is None else average >= self.target_per_week


@dataclass
class TeamSummary:
    team: Team | None  # None: the people in no team
    leader: User | None
    members: list[User] = field(default_factory=list)  # active, the leader apart
    figures: TeamFigures = field(default_factory=TeamFigures)


class ProgramOverview:
    """Every team of the program with its figures, over the dashboard's default period
    (the last 12 ISO weeks, this week included) and as of today."""

    def __init__(self, scope: AccessScope, *, today: datetime.date):
        if not program_overview_available_to(scope):
            raise OutOfScope
        self.scope = scope
        self.today = today
        self.date_from, self.date_to = default_period(today)
        self.dashboard = TeamDashboard(scope, DashboardFilters(self.date_from, self.date_to), today=today)
        self.organisation = self.dashboard.organisation

    @property
    def first_contact_days(self) -> int:
        return self.dashboard.first_contact_days

    @property
    def target_per_week(self) -> int:
        return self.dashboard.target_per_week

    def _figures(self) -> TeamFigures:
        return TeamFigures(complete_weeks=len(self.dashboard.complete_weeks), target_per_week=self.target_per_week)

    @cached_property
    def teams(self) -> list[TeamSummary]:
        """Each team, by name, then the people in no team (when there are any)."""
        teams = list(self.scope.teams().select_related("leader"))
        summaries = {team.pk: TeamSummary(team, team.leader, figures=self._figures()) for team in teams}
        led: dict[int, list[int]] = {}
        for team in teams:
            if team.leader_id is not None:
                led.setdefault(team.leader_id, []).append(team.pk)
        without_team = TeamSummary(None, None, figures=self._figures())
        for person in self.dashboard.staff:
            if person.is_active and person.team_id in summaries and person.pk not in led:
                summaries[person.team_id].members.append(person)
            elif person.is_active and person.team_id is None and person.pk not in led:
                without_team.members.append(person)
        for row in self.dashboard.rows:
            person = row.specialist
            # A leader's own caseload counts in each team they lead (as on the dashboard
            # filtered by that team); the program total counts it once.
            team_ids = set(led.get(person.pk, []))
            if person.team_id in summaries:
                team_ids.add(person.team_id)
            for team_id in team_ids:
                summaries[team_id].figures.add(row)
            if not team_ids:
                without_team.figures.add(row)
        result = [summaries[team.pk] for team in teams]
        if without_team.members or without_team.figures.caseload or without_team.figures.specialists:
            result.append(without_team)
        return result

    @cached_property
    def total(self) -> TeamFigures:
        figures = self._figures()
        for row in self.dashboard.rows:
            figures.add(row)
        return figures
