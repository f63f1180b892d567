"""The one access scope: who may see and do what, for every interface.

A scope is built once per principal (`access_scope(user)` for staff; a
`PartnerScope` for a partner organisation's API key) and answers every "which rows"
and "may this one act" question. Pages, the admin, exports, calendar feeds, the API,
services and handlers all take a scope; nothing else in the code base tests a role.

The rules (docs/access-rules.md):

- A specialist edits their own caseload and reads their team's, unless the program
  turned *team cover* off (`Organisation.team_cover`).
- A team leader reads and edits the caseloads of the teams they lead, and their own.
- A program admin reads and edits the whole program; the scheduler and event
  handlers act with the program's scope (`ProgramScope`), with no user behind them.
- Employers, their sites, contact persons and openings, and the employer contact log
  are shared across the program, so nobody approaches an employer unaware of a
  colleague's visit; an employer contact is edited by its specialist, their team
  leader or a program admin.
- Nobody sees another program's records; anonymous users and platform operators
  (superusers outside any program) see no program's records in the app. Operators
  use the Django admin.

Out of scope is indistinguishable from missing: `get()` and `get_for_update()` raise
`OutOfScope`, an `Http404`, which every interface answers with 404.

Filters compile to index-friendly SQL: a caseload is `specialist_id = me` or
`specialist_id IN (SELECT id FROM crm_user WHERE ...)`, never an OR across a join
(which made PostgreSQL scan every job seeker of the program).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from crm import clock
from crm.models import (
    CareerProfile,
    EventHandling,
    Industry,
    JobPreference,
    JobSeeker,
    JobSeekerStatusChange,
    JobType,
    Organisation,
    OutboxEvent,
    Partner,
    SharingConsent,
    Team,
    User,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

M = TypeVar("M", bound=models.Model)


class OutOfScope(Http404):
    """A record the principal may not see or act on: answered exactly like a missing one."""


class AccessScope:
    """The base scope sees nothing: anonymous users, platform operators outside any
    program, inactive users. Subclasses widen it."""

    #: The staff member acting, whose rules apply (None: no user).
    user: User | None = None
    organisation_id: int | None = None

    @property
    def actor(self) -> User | None:
        """Who is recorded as having done it (status history, events): the user, or for
        the program acting on an event, the user whose action caused that event."""
        return self.user

    # Principal ---------------------------------------------------------------------

    @cached_property
    def organisation(self) -> Organisation | None:
        if self.organisation_id is None:
            return None
        if self.user is not None and self.user.organisation_id == self.organisation_id:
            return self.user.organisation
        return Organisation.objects.get(pk=self.organisation_id)

    @property
    def in_program(self) -> bool:
        return self.organisation_id is not None

    # "May this one act" ------------------------------------------------------------

    @property
    def is_program_wide(self) -> bool:
        """Reads and edits every caseload of the program."""
        return False

    @property
    def sees_audit_history(self) -> bool:
        """Team leaders and program admins see who changed what (docs/access-rules.md)."""
        return False

    @property
    def supervises(self) -> bool:
        """Team leaders and program admins: team follow-along, other people's figures."""
        return False

    @property
    def chooses_team(self) -> bool:
        """May pick any team of the program in the dashboard (program admins)."""
        return False

    @property
    def uses_admin(self) -> bool:
        return False

    @property
    def manages_partners(self) -> bool:
        """Program admins, as themselves, manage the program's partner organisations,
        their API keys and webhook subscriptions; nobody else, not even the program
        acting on an event."""
        return False

    @property
    def is_operator(self) -> bool:
        """A platform operator: the whole database, in the Django admin only."""
        return False

    @property
    def dashboard_label(self) -> str:
        """Whose figures the dashboard shows by default: "program", "team" or "own"."""
        return "own"

    # "Which rows": building blocks the apps' selectors compose --------------------

    def caseload(self, path: str = "", *, edit: bool = False, shared: str | None = None) -> Q:
        """Rows reached through a job seeker: `path` leads from the queried model to
        JobSeeker ("" for JobSeeker itself, "job_seeker__" for a placement).

        `shared` names what the rows tell about the person, for partners' consent
        (SharingConsent.COVERS: "progress", "support", "benefits"; "profile" for the
        career profile and preferences, which no consent shares); None is the job
        seeker's own record. Staff and program scopes ignore it."""
        return Q(pk__in=[])

    def partner_assigned(self, path: str = "counsellor") -> Q:
        """Rows a partner may act on because they were assigned to it (a benefits step's
        counsellor). No restriction for staff: their caseload rule decides."""
        return Q()

    def partner_subset(self, condition: Q) -> Q:
        """`condition` for a partner (the part of a model's rows a consent shares, which
        the model's app states); no restriction for staff."""
        return Q()

    def program_shared(self, path: str = "organisation") -> Q:
        """Records shared across the program (employers and their parts, the
        employer contact log); `path` is the lookup to the Organisation."""
        return Q(pk__in=[])

    def staff_work(self, path: str = "specialist") -> Q:
        """Rows owned by a staff member that this scope may edit (employer contacts)."""
        return Q(pk__in=[])

    def staff(self) -> QuerySet[User]:
        """Staff whose caseloads this scope reads (choices for filters)."""
        return User.objects.none()

    def assignable_specialists(self) -> QuerySet[User]:
        """Staff to whom this scope may assign a job seeker."""
        return User.objects.none()

    def dashboard_staff(self, team: Team | None = None) -> QuerySet[User]:
        """Staff whose job-development figures this scope may read."""
        return User.objects.none()

    def teams(self) -> QuerySet[Team]:
        """Teams this scope may pick (the dashboard's team filter)."""
        return Team.objects.none()

    def program_staff(self) -> QuerySet[User]:
        """Everyone of the program, active or not (names on shared records)."""
        return User.objects.none()

    def led_teams(self) -> QuerySet[Team]:
        return Team.objects.none()

    def team_staff(self, team_id: int) -> QuerySet[User]:
        """The members of a team this scope leads, and its leader: whose visits its team
        calendar feed holds. None for a team it does not lead."""
        return User.objects.none()

    # Querysets on the core -------------------------------------------------------

    def partners(self) -> QuerySet[Partner]:
        """The program's partner organisations (a partner sees itself only)."""
        if not self.in_program:
            return Partner.objects.none()
        return Partner.objects.filter(organisation_id=self.organisation_id)

    def job_seekers(self, *, edit: bool = False) -> QuerySet[JobSeeker]:
        return JobSeeker.objects.filter(self.caseload(edit=edit)).select_related("specialist")

    def may_edit_job_seeker(self, job_seeker_id: int) -> bool:
        return self.job_seekers(edit=True).filter(pk=job_seeker_id).exists()

    # Fetching one -----------------------------------------------------------------

    @staticmethod
    def get(queryset: QuerySet[M], **lookup) -> M:
        """The one row of an already scoped `queryset` matching `lookup`, or OutOfScope."""
        try:
            return queryset.get(**lookup)
        except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
            raise OutOfScope from exc

    @classmethod
    def get_for_update(cls, queryset: QuerySet[M], **lookup) -> M:
        """Like get(), locking the row (SELECT ... FOR UPDATE OF the row's own table)
        until the end of the caller's transaction."""
        return cls.get(queryset.select_for_update(of=("self",)), **lookup)


class StaffScope(AccessScope):
    """A staff member of a program: specialist, team leader or program admin."""

    def __init__(self, user: User):
        self.user = user
        self.organisation_id = user.organisation_id
        self.role = user.role

    def __repr__(self):
        return f"<StaffScope {self.user.username} {self.role}>"

    @property
    def is_program_wide(self) -> bool:
        return self.role == User.Role.PROGRAM_ADMIN

    @property
    def _is_team_leader(self) -> bool:
        return self.role == User.Role.TEAM_LEADER

    @property
    def sees_audit_history(self) -> bool:
        return self.is_program_wide or self._is_team_leader

    @property
    def supervises(self) -> bool:
        return self.is_program_wide or self._is_team_leader

    @property
    def chooses_team(self) -> bool:
        return self.is_program_wide

    @property
    def uses_admin(self) -> bool:
        return self.is_program_wide and self.user.is_staff and self.user.is_active

    @property
    def manages_partners(self) -> bool:
        return self.is_program_wide

    @property
    def dashboard_label(self) -> str:
        if self.is_program_wide:
            return "program"
        return "team" if self._is_team_leader else "own"

    @cached_property
    def _team_cover(self) -> bool:
        return self.user.team_id is not None and self.organisation.team_cover

    def _caseload_owners(self, *, edit: bool) -> QuerySet[User] | None:
        """The staff whose caseloads are in scope, as a subquery; None: only mine."""
        if self._is_team_leader:
            return User.objects.filter(
                Q(pk=self.user.pk) | Q(team__leader_id=self.user.pk), organisation_id=self.organisation_id
            ).values("pk")
        if not edit and self._team_cover:
            return User.objects.filter(team_id=self.user.team_id, organisation_id=self.organisation_id).values("pk")
        return None

    def caseload(self, path: str = "", *, edit: bool = False, shared: str | None = None) -> Q:
        in_program = Q(**{f"{path}organisation_id": self.organisation_id})
        if self.is_program_wide:
            return in_program
        owners = self._caseload_owners(edit=edit)
        if owners is None:
            return in_program & Q(**{f"{path}specialist_id": self.user.pk})
        return in_program & Q(**{f"{path}specialist_id__in": owners})

    def program_shared(self, path: str = "organisation") -> Q:
        return Q(**{f"{path}_id": self.organisation_id})

    def staff_work(self, path: str = "specialist") -> Q:
        if self.is_program_wide:
            return Q(**{f"{path}__organisation_id": self.organisation_id})
        if self._is_team_leader:
            return Q(**{f"{path}_id__in": self._caseload_owners(edit=True)})
        return Q(**{f"{path}_id": self.user.pk})

    def _caseload_holders(self) -> QuerySet[User]:
        return User.objects.filter(
            organisation_id=self.organisation_id, role__in=[User.Role.SPECIALIST, User.Role.TEAM_LEADER]
        ).order_by("first_name", "last_name", "pk")

    def staff(self) -> QuerySet[User]:
        staff = self._caseload_holders()
        if self.is_program_wide:
            return staff
        owners = self._caseload_owners(edit=False)
        return staff.filter(pk=self.user.pk) if owners is None else staff.filter(pk__in=owners)

    def assignable_specialists(self) -> QuerySet[User]:
        staff = self._caseload_holders().filter(is_active=True)
        if self.is_program_wide:
            return staff
        owners = self._caseload_owners(edit=True)
        return staff.filter(pk=self.user.pk) if owners is None else staff.filter(pk__in=owners)

    def dashboard_staff(self, team: Team | None = None) -> QuerySet[User]:
        staff = self._caseload_holders()
        if self.is_program_wide:
            if team is not None:
                staff = staff.filter(Q(team=team) | Q(pk=team.leader_id))
            return staff
        if self._is_team_leader:
            staff = staff.filter(pk__in=self._caseload_owners(edit=True))
            # A leader of several teams may look at one of them.
            return staff.filter(Q(team=team) | Q(pk=team.leader_id)) if team is not None else staff
        # A specialist reads their own figures only.
        return staff.filter(pk=self.user.pk)

    def teams(self) -> QuerySet[Team]:
        if not self.is_program_wide:
            return Team.objects.none()
        return Team.objects.filter(organisation_id=self.organisation_id).order_by("name")

    def program_staff(self) -> QuerySet[User]:
        return User.objects.filter(organisation_id=self.organisation_id).order_by("first_name", "last_name", "pk")

    def led_teams(self) -> QuerySet[Team]:
        return Team.objects.filter(leader_id=self.user.pk, organisation_id=self.organisation_id).order_by("pk")

    def team_staff(self, team_id: int) -> QuerySet[User]:
        if not self.led_teams().filter(pk=team_id).exists():
            return User.objects.none()
        return User.objects.filter(Q(team_id=team_id) | Q(pk=self.user.pk), organisation_id=self.organisation_id)


class ProgramScope(AccessScope):
    """The program acting on its own records, with no user behind it: event handlers
    and the scheduler's jobs. Sees what a program admin sees."""

    def __init__(self, organisation: Organisation | int, *, actor: User | None = None):
        self._actor = actor
        if isinstance(organisation, Organisation):
            self.organisation_id = organisation.pk
            self.__dict__["organisation"] = organisation
        else:
            self.organisation_id = organisation

    def __repr__(self):
        return f"<ProgramScope {self.organisation_id}>"

    @property
    def actor(self) -> User | None:
        return self._actor

    @property
    def is_program_wide(self) -> bool:
        return True

    def caseload(self, path: str = "", *, edit: bool = False, shared: str | None = None) -> Q:
        return Q(**{f"{path}organisation_id": self.organisation_id})

    def program_shared(self, path: str = "organisation") -> Q:
        return Q(**{f"{path}_id": self.organisation_id})

    def staff_work(self, path: str = "specialist") -> Q:
        return Q(**{f"{path}__organisation_id": self.organisation_id})

    def staff(self) -> QuerySet[User]:
        return User.objects.filter(
            organisation_id=self.organisation_id, role__in=[User.Role.SPECIALIST, User.Role.TEAM_LEADER]
        )

    def assignable_specialists(self) -> QuerySet[User]:
        return self.staff().filter(is_active=True)

    def program_staff(self) -> QuerySet[User]:
        return User.objects.filter(organisation_id=self.organisation_id)


class PartnerScope(AccessScope):
    """A partner organisation acting through one of its API keys (integrations.api).

    It sees a job seeker's own record when it referred them or while a consent to share
    with it is in force; the rows about their jobs, support and benefits only under a
    consent covering them (`shared=`); a benefits step it may move on only when it is
    assigned to it. Nothing of employers or the employer contact log, no staff, no
    other partner's referrals. Consents are read at every query, so a withdrawal takes
    effect at the next request."""

    def __init__(self, partner: Partner, *, grants: frozenset[str] = frozenset()):
        self.partner = partner
        self.partner_id = partner.pk
        self.organisation_id = partner.organisation_id
        #: What the key allows (integrations.api.scopes), for interfaces to check.
        self.grants = grants

    def __repr__(self):
        return f"<PartnerScope {self.partner_id}>"

    @property
    def actor(self) -> User | None:
        return None

    @cached_property
    def organisation(self) -> Organisation:
        return self.partner.organisation

    def _consented(self, shared: str | None):
        consents = SharingConsent.objects.in_force(on=clock.program_today(self.organisation)).filter(
            partner_id=self.partner_id, organisation_id=self.organisation_id
        )
        if shared is not None:
            consents = consents.filter(**{f"shares_{shared}": True})
        return consents.values("job_seeker_id")

    def caseload(self, path: str = "", *, edit: bool = False, shared: str | None = None) -> Q:
        in_program = Q(**{f"{path}organisation_id": self.organisation_id})
        if shared is None:
            referred = Q(**{f"{path}referred_by_partner_id": self.partner_id})
            return in_program & (referred | Q(**{f"{path}pk__in": self._consented(None)}))
        if shared not in SharingConsent.COVERS:
            return Q(pk__in=[])
        return in_program & Q(**{f"{path}pk__in": self._consented(shared)})

    def partner_assigned(self, path: str = "counsellor") -> Q:
        return Q(**{f"{path}_id": self.partner_id})

    def partner_subset(self, condition: Q) -> Q:
        return condition

    def partners(self) -> QuerySet[Partner]:
        return Partner.objects.filter(pk=self.partner_id)


class OperatorScope(AccessScope):
    """A platform operator (superuser): no program's records in the app's pages; the
    whole database in the Django admin (`admin_rows`)."""

    def __init__(self, user: User):
        self.user = user

    @property
    def uses_admin(self) -> bool:
        return self.user.is_active

    @property
    def is_operator(self) -> bool:
        return self.user.is_active


NO_ACCESS = AccessScope()


def carries_a_caseload(person: User) -> bool:
    """An employment specialist: the role whose caseload and weekly employer contacts
    the fidelity figures are about (team leaders may carry a few job seekers too)."""
    return person.role == User.Role.SPECIALIST


def access_scope(user: User | AnonymousUser | None) -> AccessScope:
    """The scope of a logged-in user (memoised on the user object, so it is built once
    per request). Anonymous and inactive users, and operators in the app, see nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    scope = getattr(user, "_access_scope", None)
    if scope is None:
        if user.organisation_id is not None:
            scope = StaffScope(user)
        elif user.is_superuser:
            scope = OperatorScope(user)
        else:
            scope = NO_ACCESS
        user._access_scope = scope
    return scope


# Every model's visible rows, for interfaces that walk models generically (the admin) --

RowsRule = Callable[[AccessScope], QuerySet]
_rules: dict[type[models.Model], RowsRule] = {}


def rows_rule(model: type[models.Model]) -> Callable[[RowsRule], RowsRule]:
    """Register how a scope sees `model`'s rows: each app declares its models in its
    selectors (`@rows_rule(Placement)`), built from the scope's building blocks."""

    def register(rule: RowsRule) -> RowsRule:
        _rules[model] = rule
        return rule

    return register


def rows(scope: AccessScope, model: type[M]) -> QuerySet[M]:
    """The rows of `model` that `scope` may see. Operators see everything. A model with
    no registered rule is closed (no rows), so a new model never leaks by default."""
    if scope.is_operator:
        return model._default_manager.all()
    rule = _rules.get(model)
    if rule is None:
        return model._default_manager.none()
    return rule(scope)


def has_rows_rule(model: type[models.Model]) -> bool:
    return model in _rules


@rows_rule(Organisation)
def _organisations(scope: AccessScope) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk=scope.organisation_id)


@rows_rule(Team)
def _teams(scope: AccessScope) -> QuerySet[Team]:
    return Team.objects.filter(organisation_id=scope.organisation_id)


@rows_rule(User)
def _users(scope: AccessScope) -> QuerySet[User]:
    return scope.program_staff()


@rows_rule(JobSeeker)
def _job_seekers(scope: AccessScope) -> QuerySet[JobSeeker]:
    return scope.job_seekers()


@rows_rule(CareerProfile)
def _career_profiles(scope: AccessScope) -> QuerySet[CareerProfile]:
    return CareerProfile.objects.filter(scope.caseload("job_seeker__", shared="profile"))


@rows_rule(JobPreference)
def _job_preferences(scope: AccessScope) -> QuerySet[JobPreference]:
    return JobPreference.objects.filter(scope.caseload("job_seeker__", shared="profile"))


@rows_rule(JobSeekerStatusChange)
def _status_changes(scope: AccessScope) -> QuerySet[JobSeekerStatusChange]:
    return JobSeekerStatusChange.objects.filter(scope.caseload("job_seeker__", shared="progress"))


@rows_rule(Industry)
def _industries(scope: AccessScope) -> QuerySet[Industry]:
    return Industry.objects.all()  # a shared classification (NACE Rev. 2), no personal data


@rows_rule(JobType)
def _job_types(scope: AccessScope) -> QuerySet[JobType]:
    return JobType.objects.all()  # a shared classification (ISCO-08), no personal data


@rows_rule(OutboxEvent)
def _events(scope: AccessScope) -> QuerySet[OutboxEvent]:
    # Payloads name job seekers across caseloads: program-wide scopes only.
    if not scope.is_program_wide:
        return OutboxEvent.objects.none()
    return OutboxEvent.objects.filter(organisation_id=scope.organisation_id)


@rows_rule(EventHandling)
def _event_handlings(scope: AccessScope) -> QuerySet[EventHandling]:
    return EventHandling.objects.filter(event__in=_events(scope))


@rows_rule(Partner)
def _partners(scope: AccessScope) -> QuerySet[Partner]:
    return scope.partners()


@rows_rule(SharingConsent)
def _sharing_consents(scope: AccessScope) -> QuerySet[SharingConsent]:
    return SharingConsent.objects.filter(scope.caseload("job_seeker__"), partner__in=scope.partners())
