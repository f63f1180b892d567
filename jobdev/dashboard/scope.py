"""Who and what is in the dashboard's scope. Every access rule the dashboard applies is
here: a team leader reads their team, a program admin the whole program (or one team),
a specialist their own figures; the records counted are those the access rules of
`crm.selectors` and `jobdev.selectors` let the user see, for the staff in scope."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from crm.models import JobSeeker, Organisation, Team, User
from crm.selectors import caseload_filter, job_seekers_visible_to, outside_any_program
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_visible_to
from placements.models import Placement, SupportTask


def program_time_zone(organisation: Organisation) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(organisation.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def dashboard_available_to(user) -> bool:
    return not outside_any_program(user)


def dashboard_teams(user) -> QuerySet[Team]:
    """Teams a user may pick: program admins only (the whole program)."""
    if outside_any_program(user) or not user.is_program_admin:
        return Team.objects.none()
    return Team.objects.filter(organisation_id=user.organisation_id).order_by("name")


def dashboard_staff(user, *, team: Team | None = None) -> QuerySet[User]:
    """Staff whose figures `user` may read: a program admin, the program's specialists
    and team leaders (or one team's); a team leader, their team's specialists and
    themselves; a specialist, themselves only."""
    if outside_any_program(user):
        return User.objects.none()
    staff = User.objects.filter(
        organisation_id=user.organisation_id, role__in=[User.Role.SPECIALIST, User.Role.TEAM_LEADER]
    )
    if user.is_program_admin:
        if team is not None:
            staff = staff.filter(Q(team=team) | Q(pk=team.leader_id))
    elif user.is_team_leader:
        staff = staff.filter(Q(pk=user.pk) | Q(team__leader_id=user.pk))
    else:
        staff = staff.filter(pk=user.pk)
    return staff.order_by("first_name", "last_name", "pk")


@dataclass(frozen=True)
class DashboardFilters:
    date_from: datetime.date
    date_to: datetime.date
    team: Team | None = None
    specialist: User | None = None


def job_seekers_in_scope(user, staff: QuerySet[User]) -> QuerySet[JobSeeker]:
    """The job seekers `user` may see, on the caseloads of `staff`."""
    return job_seekers_visible_to(user).filter(specialist__in=staff)


def placements_in_scope(user, staff: QuerySet[User]) -> QuerySet[Placement]:
    return Placement.objects.filter(caseload_filter(user, prefix="job_seeker__"), job_seeker__specialist__in=staff)


def tasks_in_scope(user, staff: QuerySet[User]) -> QuerySet[SupportTask]:
    return SupportTask.objects.filter(caseload_filter(user, prefix="job_seeker__"), owner__in=staff)


def employer_contacts_in_scope(user, staff: QuerySet[User]) -> QuerySet[EmployerContact]:
    return employer_contacts_visible_to(user).filter(specialist__in=staff)


def staff_in_scope(user, filters: DashboardFilters) -> QuerySet[User]:
    """The staff whose figures are shown: those `user` may read, narrowed by the filters."""
    staff = dashboard_staff(user, team=filters.team)
    if filters.specialist is not None:
        staff = staff.filter(pk=filters.specialist.pk)
    return staff
