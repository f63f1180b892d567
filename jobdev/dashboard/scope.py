"""Who and what is in the dashboard's scope. Every access rule the dashboard applies is
here: a team leader reads their team, a program admin the whole program (or one team),
a specialist their own figures; the records counted are those the access scope (crm.access) lets the reader see, for
the staff in scope."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from crm.access import AccessScope, carries_a_caseload
from crm.models import JobSeeker, Team, User
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_visible
from placements.models import BenefitsStep, Placement, SupportTask


def dashboard_available_to(scope: AccessScope) -> bool:
    return scope.in_program


def dashboard_teams(scope: AccessScope) -> QuerySet[Team]:
    """Teams the scope may pick: program admins only (the whole program)."""
    return scope.teams() if scope.chooses_team else Team.objects.none()


def dashboard_staff(scope: AccessScope, *, team: Team | None = None) -> QuerySet[User]:
    """Staff whose figures the scope may read: for a program admin the program's
    specialists and team leaders (or one team's); for a team leader their team and
    themselves; for a specialist themselves only (crm.access)."""
    return scope.dashboard_staff(team)


@dataclass(frozen=True)
class DashboardFilters:
    date_from: datetime.date
    date_to: datetime.date
    team: Team | None = None
    specialist: User | None = None


def job_seekers_in_scope(scope: AccessScope, staff: QuerySet[User]) -> QuerySet[JobSeeker]:
    """The job seekers the scope may see, on the caseloads of `staff`."""
    return scope.job_seekers().filter(specialist__in=staff)


def placements_in_scope(scope: AccessScope, staff: QuerySet[User]) -> QuerySet[Placement]:
    return Placement.objects.filter(scope.caseload("job_seeker__", shared="progress"), job_seeker__specialist__in=staff)


def tasks_in_scope(scope: AccessScope, staff: QuerySet[User]) -> QuerySet[SupportTask]:
    return SupportTask.objects.filter(scope.caseload("job_seeker__", shared="support"), owner__in=staff)


def benefits_steps_in_scope(scope: AccessScope, staff: QuerySet[User]) -> QuerySet[BenefitsStep]:
    """Benefits-counselling steps of the job seekers on the caseloads of `staff`."""
    return BenefitsStep.objects.filter(
        scope.caseload("job_seeker__", shared="benefits"), job_seeker__specialist__in=staff
    )


def employer_contacts_in_scope(scope: AccessScope, staff: QuerySet[User]) -> QuerySet[EmployerContact]:
    return employer_contacts_visible(scope).filter(specialist__in=staff)


def staff_in_scope(scope: AccessScope, filters: DashboardFilters) -> QuerySet[User]:
    """The staff whose figures are shown: those the scope may read, narrowed by the filters."""
    staff = dashboard_staff(scope, team=filters.team)
    if filters.specialist is not None:
        staff = staff.filter(pk=filters.specialist.pk)
    return staff


def always_listed(person: User) -> bool:
    """A row for this person even without activity in the period: active specialists
    (team leaders and former staff appear when they have activity)."""
    return carries_a_caseload(person) and person.is_active
