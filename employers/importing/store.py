"""Keeping a validated plan between the preview and the confirmation: a row of
EmployerImportPlan, so any web host can confirm it. Only its owner, in their program,
can find it; it expires after PLAN_TTL, and a daily job purges the expired ones."""

import datetime
import uuid

from django.utils import timezone

from crm.models import User
from employers.models import EmployerImportPlan

PLAN_TTL = datetime.timedelta(hours=1)


class ImportPlanExpired(Exception):
    """The plan is older than PLAN_TTL: it cannot be imported."""


class ImportPlanUsed(Exception):
    """The plan was imported already (a second confirmation)."""


def plan_save(*, actor: User, filename: str, row_count: int, employers: list[dict]) -> EmployerImportPlan:
    """Keep a validated plan for `actor` only, in their program, for PLAN_TTL."""
    now = timezone.now()
    return EmployerImportPlan.objects.create(
        owner=actor,
        organisation_id=actor.organisation_id,
        filename=filename[:255],
        row_count=row_count,
        data={"version": 2, "employers": employers},
        created_at=now,
        expires_at=now + PLAN_TTL,
    )


def plans_of(actor: User):
    """The plans `actor` may confirm or cancel: their own, in their current program."""
    if actor.pk is None or actor.organisation_id is None:
        return EmployerImportPlan.objects.none()
    return EmployerImportPlan.objects.filter(owner_id=actor.pk, organisation_id=actor.organisation_id)


def plan_for(actor: User, plan_id: uuid.UUID, *, lock: bool = False) -> EmployerImportPlan:
    """`actor`'s plan `plan_id`, or EmployerImportPlan.DoesNotExist (unknown, or another
    user's or program's). With `lock`, the row is locked until the end of the
    transaction, so that two confirmations of one plan run one after the other."""
    plans = plans_of(actor)
    if lock:
        plans = plans.select_for_update()
    return plans.get(pk=plan_id)


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


def plan_discard(*, actor: User, plan_id: uuid.UUID) -> int:
    """Delete `actor`'s plan (cancelled, or refused as expired). Returns how many were deleted."""
    deleted, _by_model = plans_of(actor).filter(pk=plan_id).delete()
    return deleted


def plans_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete every expired plan, imported or not (the daily job). Returns how many."""
    deleted, _by_model = EmployerImportPlan.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
