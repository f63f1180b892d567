"""Writes on placements and their follow-along. Each service is one transaction and
emits its domain event in it; handlers (placements/handlers.py) create the tasks."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import events
from crm import services as crm_services
from crm.models import JobSeeker, User
from crm.selectors import job_seekers_editable_by
from employers.models import Employer
from employers.selectors import employers_visible_to
from placements.follow_along import next_due_on_or_after
from placements.models import (
    MILESTONE_DAYS,
    Accommodation,
    BenefitsStep,
    FollowAlongPlan,
    JobEndReport,
    Placement,
    PlacementMilestone,
    SupportTask,
)
from placements.selectors import placements_editable_by, support_tasks_editable_by


def _money(value):
    return None if value is None else str(value)


def _emit(placement: Placement, topic: str, payload: dict, *, actor=None, dedup_key=None, occurred_at=None):
    return events.emit(
        topic=topic,
        organisation_id=placement.organisation_id,
        aggregate_type="placement",
        aggregate_id=placement.pk,
        payload={"placement_id": placement.pk, "job_seeker_id": placement.job_seeker_id, **payload},
        actor=actor,
        dedup_key=dedup_key,
        occurred_at=occurred_at,
    )


def _locked_editable_placement(actor: User, placement: Placement) -> Placement:
    try:
        return placements_editable_by(actor).select_for_update(of=("self",)).get(pk=placement.pk)
    except Placement.DoesNotExist as exc:
        raise PermissionDenied from exc


def _require_status(placement: Placement, *allowed: str) -> None:
    if placement.status not in allowed:
        raise ValidationError(
            _("This job is %(status)s: that action is not possible now.")
            % {"status": placement.get_status_display().lower()}
        )


@transaction.atomic
def placement_offer_accept(*, actor: User, job_seeker: JobSeeker, fields: dict) -> Placement:
    """A job offer accepted by the job seeker: the placement begins here."""
    if not job_seekers_editable_by(actor).filter(pk=job_seeker.pk).exists():
        raise PermissionDenied
    employer = fields.get("employer")
    if employer is None or not employers_visible_to(actor).filter(pk=employer.pk).exists():
        raise ValidationError({"employer": _("Choose one of your program's employers.")})
    site = fields.get("site")
    if site is not None and site.employer_id != employer.pk:
        raise ValidationError({"site": _("This site belongs to another employer.")})
    placement = Placement(organisation_id=job_seeker.organisation_id, job_seeker=job_seeker, **fields)
    placement.status = Placement.Status.OFFER_ACCEPTED
    placement.full_clean()
    placement.save()
    _emit(
        placement,
        "placement.offer_accepted",
        {
            "employer_id": employer.pk,
            "offer_date": placement.offer_date.isoformat(),
            "expected_start_date": placement.expected_start_date.isoformat() if placement.expected_start_date else None,
            "receives_benefits": job_seeker.receives_benefits,
            "disclosure_preference": job_seeker.disclosure_preference,
        },
        actor=actor,
    )
    return placement


@transaction.atomic
def placement_start(*, actor: User, placement: Placement, start_date: datetime.date) -> Placement:
    placement = _locked_editable_placement(actor, placement)
    _require_status(placement, Placement.Status.OFFER_ACCEPTED)
    if start_date < placement.offer_date:
        raise ValidationError({"start_date": _("The start date cannot be before the offer was accepted.")})
    placement.start_date = start_date
    placement.status = Placement.Status.ACTIVE
    placement.full_clean()
    placement.save()
    PlacementMilestone.objects.bulk_create(
        [
            PlacementMilestone(placement=placement, name=name, due_date=start_date + datetime.timedelta(days=days))
            for name, days in MILESTONE_DAYS.items()
        ]
    )
    crm_services.job_seeker_set_working(job_seeker=placement.job_seeker, actor=actor, note=str(placement))
    Employer.objects.filter(pk=placement.employer_id).exclude(
        relationship_stage=Employer.RelationshipStage.HAS_HIRED
    ).update(relationship_stage=Employer.RelationshipStage.HAS_HIRED)
    _emit(
        placement,
        "placement.started",
        {
            "start_date": start_date.isoformat(),
            "hours_per_week": _money(placement.hours_per_week),
            "hourly_pay": _money(placement.hourly_pay),
        },
        actor=actor,
    )
    return placement


@transaction.atomic
def placement_change_terms(
    *, actor: User, placement: Placement, hours_per_week, hourly_pay, effective_on: datetime.date
) -> Placement:
    placement = _locked_editable_placement(actor, placement)
    _require_status(placement, Placement.Status.OFFER_ACCEPTED, Placement.Status.ACTIVE)
    before = (placement.hours_per_week, placement.hourly_pay)
    old = {"hours_per_week": _money(placement.hours_per_week), "hourly_pay": _money(placement.hourly_pay)}
    placement.hours_per_week = hours_per_week
    placement.hourly_pay = hourly_pay
    new = {"hours_per_week": _money(placement.hours_per_week), "hourly_pay": _money(placement.hourly_pay)}
    if before == (hours_per_week, hourly_pay):
        raise ValidationError(_("Neither the hours nor the pay changed."))
    placement.full_clean()
    placement.save()
    _emit(
        placement,
        "placement.terms_changed",
        {"old": old, "new": new, "effective_on": effective_on.isoformat()},
        actor=actor,
    )
    return placement


@transaction.atomic
def placement_end(*, actor: User, placement: Placement, end_date: datetime.date, end_reason: str) -> Placement:
    placement = _locked_editable_placement(actor, placement)
    _require_status(placement, Placement.Status.ACTIVE)
    if end_reason not in Placement.EndReason.values:
        raise ValidationError({"end_reason": _("Choose a reason from the list.")})
    if end_date < placement.start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
    placement.end_date = end_date
    placement.end_reason = end_reason
    placement.status = Placement.Status.ENDED
    placement.full_clean()
    placement.save()
    _emit(placement, "placement.ended", {"end_date": end_date.isoformat(), "end_reason": end_reason}, actor=actor)
    return placement


def milestones_emit_due(*, today: datetime.date | None = None, limit: int = 1000) -> int:
    """The scheduler's job: emit every due, not yet reached milestone of a working
    placement, once. Safe to run concurrently and after any downtime (catch-up)."""
    today = today or timezone.localdate()
    due_ids = list(
        PlacementMilestone.objects.filter(
            reached_at__isnull=True, due_date__lte=today, placement__status=Placement.Status.ACTIVE
        )
        .order_by("due_date", "id")
        .values_list("pk", flat=True)[:limit]
    )
    emitted = 0
    for milestone_id in due_ids:
        with transaction.atomic():
            milestone = (
                PlacementMilestone.objects.select_for_update(of=("self",))
                .select_related("placement")
                .filter(pk=milestone_id, reached_at__isnull=True)
                .first()
            )
            if milestone is None:  # another scheduler run got there first
                continue
            placement = milestone.placement
            milestone.reached_at = timezone.now()
            milestone.still_working = placement.status == Placement.Status.ACTIVE
            milestone.save(update_fields=["reached_at", "still_working"])
            event = _emit(
                placement,
                "placement.milestone_reached",
                {
                    "milestone": milestone.name,
                    "due_date": milestone.due_date.isoformat(),
                    "still_working": milestone.still_working,
                },
                dedup_key=f"placement:{placement.pk}:milestone:{milestone.name}",
            )
            emitted += event is not None
    return emitted


# Follow-along -------------------------------------------------------------------------


def follow_along_task_create(*, placement: Placement, due_date: datetime.date, source_event=None) -> SupportTask:
    return SupportTask.objects.create(
        organisation_id=placement.organisation_id,
        job_seeker_id=placement.job_seeker_id,
        placement=placement,
        kind=SupportTask.Kind.FOLLOW_ALONG,
        title=_("Follow-along contact with %(name)s") % {"name": placement.job_seeker.full_name},
        due_date=due_date,
        owner_id=placement.job_seeker.specialist_id,
        source_event=source_event,
    )


def _plan_allows_contacts(placement: Placement) -> bool:
    plan = getattr(placement, "follow_along_plan", None)
    return (
        placement.status == Placement.Status.ACTIVE
        and plan is not None
        and plan.status == FollowAlongPlan.Status.ACTIVE
    )


def follow_along_schedule_next(
    *, placement: Placement, earliest: datetime.date, source_event=None
) -> SupportTask | None:
    """Create the next follow-along contact, unless one is already coming up."""
    if not _plan_allows_contacts(placement):
        return None
    open_tasks = placement.support_tasks.filter(kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN)
    if open_tasks.filter(due_date__gte=earliest).exists():
        return None
    latest = (
        placement.support_tasks.filter(kind=SupportTask.Kind.FOLLOW_ALONG, due_date__gte=placement.start_date)
        .exclude(status=SupportTask.Status.CANCELLED)
        .order_by("-due_date")
        .values_list("due_date", flat=True)
        .first()
    )
    due = next_due_on_or_after(
        program=placement.organisation,
        frequency=placement.follow_along_plan.frequency,
        start_date=placement.start_date,
        previous_due=latest,
        earliest=earliest,
    )
    return follow_along_task_create(placement=placement, due_date=due, source_event=source_event)


def follow_along_ensure_next(*, today: datetime.date | None = None) -> int:
    """The scheduler's job: time-unlimited support means every active plan always has
    an upcoming contact; a contact whose due date passed gets a successor."""
    today = today or timezone.localdate()
    created = 0
    plans = FollowAlongPlan.objects.filter(
        status=FollowAlongPlan.Status.ACTIVE, placement__status=Placement.Status.ACTIVE
    ).values_list("placement_id", flat=True)
    for placement_id in plans:
        with transaction.atomic():
            placement = (
                Placement.objects.select_for_update(of=("self",))
                .select_related("follow_along_plan", "job_seeker", "organisation")
                .get(pk=placement_id)
            )
            created += follow_along_schedule_next(placement=placement, earliest=today) is not None
    return created


def _cancel_open_follow_along(placement: Placement, reason: str) -> None:
    placement.support_tasks.filter(
        kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN, due_date__gte=timezone.localdate()
    ).close(SupportTask.Status.CANCELLED, cancel_reason=reason[:300])


@transaction.atomic
def follow_along_plan_change(
    *,
    actor: User,
    placement: Placement,
    action: str,
    frequency: str = "",
    reason: str = "",
    step_down_date: datetime.date | None = None,
    step_down_agreed: bool = False,
) -> FollowAlongPlan:
    """Individualized follow-along: change the rhythm, pause, resume, record that the
    worker declines support, or plan a step-down to the mental-health team."""
    placement = _locked_editable_placement(actor, placement)
    _require_status(placement, Placement.Status.ACTIVE)
    plan = FollowAlongPlan.objects.select_for_update().filter(placement=placement).first()
    if plan is None:
        raise ValidationError(_("Follow-along has not started for this job yet."))
    today = timezone.localdate()
    if action == "frequency":
        if frequency not in FollowAlongPlan.Frequency.values:
            raise ValidationError({"frequency": _("Choose a frequency from the list.")})
        plan.frequency = frequency
    elif action == "pause":
        if not reason.strip():
            raise ValidationError({"reason": _("Say why follow-along is paused.")})
        plan.status, plan.status_reason = FollowAlongPlan.Status.PAUSED, reason
        _cancel_open_follow_along(placement, _("Follow-along paused: %(reason)s") % {"reason": reason})
    elif action == "resume":
        plan.status, plan.status_reason = FollowAlongPlan.Status.ACTIVE, ""
    elif action == "decline":
        plan.status, plan.status_reason = FollowAlongPlan.Status.DECLINED, reason
        _cancel_open_follow_along(placement, _("The worker declined follow-along support."))
    elif action == "step_down":
        if step_down_date is None or step_down_date < today:
            raise ValidationError({"step_down_date": _("Choose a step-down date from today on.")})
        if not step_down_agreed:
            raise ValidationError({"step_down_agreed": _("A step-down is planned only with the worker's agreement.")})
        plan.step_down_date, plan.step_down_agreed = step_down_date, True
        SupportTask.objects.create(
            organisation_id=placement.organisation_id,
            job_seeker_id=placement.job_seeker_id,
            placement=placement,
            kind=SupportTask.Kind.STEP_DOWN_REVIEW,
            title=_("Hand follow-along over to the mental-health team"),
            due_date=step_down_date,
            owner_id=placement.job_seeker.specialist_id,
        )
    else:
        raise ValidationError(_("Unknown follow-along action."))
    plan.save()
    if plan.status == FollowAlongPlan.Status.ACTIVE:
        placement.follow_along_plan = plan
        # A new rhythm applies from the next contact on.
        if action == "frequency":
            _cancel_open_follow_along(placement, _("Follow-along rhythm changed."))
        follow_along_schedule_next(placement=placement, earliest=today)
    return plan


# Tasks --------------------------------------------------------------------------------


@transaction.atomic
def support_task_complete(
    *, actor: User, task: SupportTask, completed_on: datetime.date, mode: str, note: str = ""
) -> SupportTask:
    try:
        task = support_tasks_editable_by(actor).select_for_update(of=("self",)).get(pk=task.pk)
    except SupportTask.DoesNotExist as exc:
        raise PermissionDenied from exc
    if task.status != SupportTask.Status.OPEN:
        raise ValidationError(_("This task is already closed."))
    if mode not in SupportTask.Mode.values:
        raise ValidationError({"completion_mode": _("Choose how the contact took place.")})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})
    task.status = SupportTask.Status.DONE
    task.sequence += 1
    task.completed_on = completed_on
    task.completion_mode = mode
    task.completion_note = note
    task.full_clean()
    task.save()
    if task.kind == SupportTask.Kind.FOLLOW_ALONG and task.placement_id:
        placement = Placement.objects.select_related("follow_along_plan", "job_seeker", "organisation").get(
            pk=task.placement_id
        )
        follow_along_schedule_next(placement=placement, earliest=completed_on + datetime.timedelta(days=1))
    return task


@transaction.atomic
def support_task_schedule(
    *,
    actor: User,
    task: SupportTask,
    due_date: datetime.date,
    due_time: datetime.time | None,
    duration_minutes: int = 60,
) -> SupportTask:
    """Give a task an appointment time (or take it away): appointments show in calendars."""
    try:
        task = support_tasks_editable_by(actor).select_for_update(of=("self",)).get(pk=task.pk)
    except SupportTask.DoesNotExist as exc:
        raise PermissionDenied from exc
    if task.status != SupportTask.Status.OPEN:
        raise ValidationError(_("This task is already closed."))
    if not 5 <= duration_minutes <= 720:
        raise ValidationError({"duration_minutes": _("An appointment lasts between 5 minutes and 12 hours.")})
    if (task.due_date, task.due_time, task.duration_minutes) != (due_date, due_time, duration_minutes):
        task.due_date, task.due_time, task.duration_minutes = due_date, due_time, duration_minutes
        task.sequence += 1
        task.full_clean()
        task.save()
    return task


@transaction.atomic
def job_end_report_save(*, actor: User, placement: Placement, fields: dict) -> JobEndReport:
    placement = _locked_editable_placement(actor, placement)
    _require_status(placement, Placement.Status.ENDED)
    report, _created = JobEndReport.objects.get_or_create(placement=placement, defaults={"written_by": actor})
    for name, value in fields.items():
        setattr(report, name, value)
    report.written_by = actor
    report.full_clean()
    report.save()
    today = timezone.localdate()
    placement.support_tasks.filter(kind=SupportTask.Kind.JOB_END_REPORT, status=SupportTask.Status.OPEN).close(
        SupportTask.Status.DONE, completed_on=today, completion_note=_("Job-end report written.")
    )
    return report


# Accommodations and benefits steps ------------------------------------------------------


def _emit_accommodation(accommodation: Accommodation, old: str, actor) -> None:
    events.emit(
        topic="accommodation.status_changed",
        organisation_id=accommodation.organisation_id,
        aggregate_type="placement",
        aggregate_id=accommodation.placement_id,
        payload={
            "placement_id": accommodation.placement_id,
            "accommodation_id": accommodation.pk,
            "from": old,
            "to": accommodation.status,
        },
        actor=actor,
    )


@transaction.atomic
def accommodation_add(*, actor: User, placement: Placement, description: str, consents: bool) -> Accommodation:
    placement = _locked_editable_placement(actor, placement)
    _require_status(placement, Placement.Status.OFFER_ACCEPTED, Placement.Status.ACTIVE)
    accommodation = Accommodation(
        organisation_id=placement.organisation_id,
        placement=placement,
        description=description,
        worker_consents_to_disclosure=consents,
    )
    accommodation.full_clean()
    accommodation.save()
    _emit_accommodation(accommodation, "", actor)
    return accommodation


@transaction.atomic
def accommodation_change_status(
    *, actor: User, accommodation: Accommodation, status: str, note: str = "", consents: bool | None = None
) -> Accommodation:
    _locked_editable_placement(actor, accommodation.placement)
    accommodation = Accommodation.objects.select_for_update().get(pk=accommodation.pk)
    if status not in Accommodation.Status.values or status == accommodation.status:
        raise ValidationError({"status": _("Choose a new status from the list.")})
    if consents is not None:
        accommodation.worker_consents_to_disclosure = consents
    if status == Accommodation.Status.REQUESTED and not accommodation.worker_consents_to_disclosure:
        raise ValidationError(
            {"status": _("An adjustment is requested from the employer only where the worker consented to disclosure.")}
        )
    old = accommodation.status
    if status != Accommodation.Status.DROPPED and old != Accommodation.Status.DROPPED:
        order = Accommodation.ORDER
        if order.index(status) < order.index(old):
            raise ValidationError({"status": _("An adjustment moves forward: choose a later step.")})
    accommodation.status = status
    if note:
        accommodation.note = (accommodation.note + "\n" + note).strip()
    accommodation.full_clean()
    accommodation.save()
    _emit_accommodation(accommodation, old, actor)
    return accommodation


def benefits_step_create(
    *, job_seeker: JobSeeker, placement: Placement | None, reason: str, offered_on: datetime.date
) -> BenefitsStep:
    return BenefitsStep.objects.create(
        organisation_id=job_seeker.organisation_id,
        job_seeker=job_seeker,
        placement=placement,
        reason=reason,
        offered_on=offered_on,
    )


@transaction.atomic
def benefits_step_change_status(*, actor: User, step: BenefitsStep, status: str, note: str = "") -> BenefitsStep:
    if not job_seekers_editable_by(actor).filter(pk=step.job_seeker_id).exists():
        raise PermissionDenied
    step = BenefitsStep.objects.select_for_update().get(pk=step.pk)
    if status not in BenefitsStep.Status.values or status == step.status:
        raise ValidationError({"status": _("Choose a new status from the list.")})
    if step.status in (BenefitsStep.Status.PLAN_IN_PLACE, BenefitsStep.Status.DECLINED):
        raise ValidationError({"status": _("This step is finished.")})
    if status != BenefitsStep.Status.DECLINED and BenefitsStep.ORDER.index(status) < BenefitsStep.ORDER.index(
        step.status
    ):
        raise ValidationError({"status": _("A benefits step moves forward: choose a later step.")})
    old = step.status
    step.status = status
    if note:
        step.note = (step.note + "\n" + note).strip()
    step.save()
    events.emit(
        topic="benefits.step_changed",
        organisation_id=step.organisation_id,
        aggregate_type="placement" if step.placement_id else "jobseeker",
        aggregate_id=step.placement_id or step.job_seeker_id,
        payload={
            "benefits_step_id": step.pk,
            "job_seeker_id": step.job_seeker_id,
            "placement_id": step.placement_id,
            "from": old,
            "to": status,
        },
        actor=actor,
    )
    return step
