"""Keeping a validated plan between the preview and the confirmation: a row of
EmployerImportPlan, so any web host can confirm it. Only its owner, in their program,
can find it; it expires after PLAN_TTL, and a daily job purges the expired ones."""

import datetime
import uuid

from django.utils import timezone

from crm.access import AccessScope, OutOfScope, rows_rule
from employers.models import EmployerImportPlan

PLAN_TTL = datetime.timedelta(hours=1)


class ImportPlanExpired(Exception):
    """The plan is older than PLAN_TTL: it cannot be imported."""


class ImportPlanUsed(Exception):
    """The plan was imported already (a second confirmation)."""


def plan_save(*, scope: AccessScope, filename: str, row_count: int, employers: list[dict]) -> EmployerImportPlan:
    """Keep a validated plan for the scope's user only, in their program, for PLAN_TTL.
    Raises OutOfScope without a user in a program."""
    if scope.user is None or not scope.in_program:
        raise OutOfScope
    now = timezone.now()
    return EmployerImportPlan.objects.create(
        owner=scope.user,
        organisation_id=scope.organisation_id,
        filename=filename[:255],
        row_count=row_count,
        data={"version": 2, "employers": employers},
        created_at=now,
        expires_at=now + PLAN_TTL,
    )


@rows_rule(EmployerImportPlan)
def plans_of(scope: AccessScope):
    """The plans the scope may confirm or cancel: its user's own, in their current program."""
    if scope.user is None or not scope.in_program:
        return EmployerImportPlan.objects.none()
    return EmployerImportPlan.objects.filter(owner_id=scope.user.pk, organisation_id=scope.organisation_id)


def plan_for(scope: AccessScope, plan_id: uuid.UUID, *, lock: bool = False) -> EmployerImportPlan:
    """The scope's plan `plan_id`, or OutOfScope (unknown, or another user's or
    program's: 404). With `lock`, the row is locked until the end of the transaction,
    so that two confirmations of one plan run one after the other."""
    plans = plans_of(scope)
    return scope.get_for_update(plans, pk=plan_id) if lock else scope.get(plans, pk=plan_id)


def plan_check_importable(plan: EmployerImportPlan, *, now: datetime.datetime | None = None) -> None:
    if plan.imported_at is not None:
        raise ImportPlanUsed
    if plan.expires_at <= (now or timezone.now()):
        raise ImportPlanExpired


def plan_mark_imported(plan: EmployerImportPlan) -> None:
    """Empty the plan's data (contact details) and remember it was imported."""
    plan.imported_at = timezone.now()
    plan.data = {}
    plan.save(update_fields=["imported_at", "data"])


def plan_discard(*, scope: AccessScope, plan_id: uuid.UUID) -> int:
    """Delete the scope's plan (cancelled, or refused as expired). Returns how many were deleted."""
    deleted, _by_model = plans_of(scope).filter(pk=plan_id).delete()
    return deleted


def plans_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete every expired plan, imported or not (the daily job). Returns how many."""
    deleted, _by_model = EmployerImportPlan.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
