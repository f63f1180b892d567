"""Writes on placements and their follow-along.

Each service is one transaction, takes the access scope (crm.access) and ids, fetches
and locks its own rows through the scope (out of scope: OutOfScope, answered 404),
validates every rule itself (ValidationError, keyed by field where there is one) and
emits its domain event in the same transaction. Event handlers (placements/handlers.py)
and the scheduler's jobs call the same services with the program's scope
(`crm.access.ProgramScope`), which has no user behind it.

Lock order (crm/services.py, docs/events.md): job seeker, then placement, then its
follow-along plan, then tasks, adjustments and benefits steps. `placement_lock()` takes
the first two in that order. A writer that does not change the job seeker locks it
FOR NO KEY UPDATE (`job_seeker_hold()`): that still queues it behind any other writer
of the same person, but lets unrelated rows pointing at the person be inserted.

Dates are the program's (crm.clock): "today" is today where the program is, whatever
the server's time zone.
"""

import datetime
from decimal import Decimal
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from crm import clock, events
from crm import services as crm_services
from crm.access import AccessScope, ProgramScope
from crm.dates import check_derived_dates, check_sane_dates
from crm.models import JobSeeker, Organisation, OutboxEvent
from crm.services import STATE_CONFLICT, allowed
from employers import services as employer_services
from employers.models import Employer
from employers.selectors import employers_visible
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
    TaskTitle,
)
from placements.selectors import (
    accommodations_editable,
    benefits_steps_editable,
    placements_editable,
    placements_visible,
    support_tasks_editable,
)


class PlacementOfferFields(TypedDict, total=False):
    """The job as offered (the employer is a separate, required argument)."""

    site_id: int | None
    job_title: str
    job_type_id: int | None
    hours_per_week: Decimal | None
    hourly_pay: Decimal | None
    is_competitive: bool  # required: asked on every placement (fidelity item: competitive jobs)
    term: str  # required: a Placement.Term
    offer_date: datetime.date
    expected_start_date: datetime.date | None


class JobEndReportFields(TypedDict, total=False):
    """The IPS job-end report (docs/ips.md)."""

    disclosed: bool | None
    face_to_face_contact_on: datetime.date | None
    worker_perspective: str
    staff_perspective: str
    employer_perspective: str
    supports_given: str
    what_worked: str
    wants_another_job: bool | None
    next_job_wanted: str
    disclosure_next_time: str
    next_steps: str


#: The title a task of each kind gets when the caller names none.
DEFAULT_TITLES = {
    SupportTask.Kind.FOLLOW_ALONG: TaskTitle.FOLLOW_ALONG,
    SupportTask.Kind.JOB_END_CONTACT: TaskTitle.JOB_END_CONTACT,
    SupportTask.Kind.JOB_END_REPORT: TaskTitle.JOB_END_REPORT,
    SupportTask.Kind.RETENTION_CHECK: TaskTitle.RETENTION_CHECK,
    SupportTask.Kind.JOB_SEARCH_NUDGE: TaskTitle.JOB_SEARCH_NUDGE,
}


def _money(value):
    return None if value is None else str(value)


def program_today(scope: AccessScope) -> datetime.date:
    """Today in the scope's program (its time zone), not the server's."""
    return clock.program_today(scope.organisation)


def _emit(placement: Placement, topic: str, payload: dict, *, scope: AccessScope, dedup_key=None):
    return events.emit(
        topic=topic,
        organisation_id=placement.organisation_id,
        aggregate_type="placement",
        aggregate_id=placement.pk,
        payload={"placement_id": placement.pk, "job_seeker_id": placement.job_seeker_id, **payload},
        actor=scope.actor,
        dedup_key=dedup_key,
    )


def _require_status(placement: Placement, *statuses: str) -> None:
    if placement.status not in statuses:
        raise ValidationError(
            _("This job is %(status)s: that action is not possible now.")
            % {"status": placement.get_status_display().lower()},
            code=STATE_CONFLICT,
        )


# Locks, in the documented order ---------------------------------------------------------


def job_seeker_hold(scope: AccessScope, job_seeker_id: int, *, edit: bool = True) -> JobSeeker:
    """The job seeker locked FOR NO KEY UPDATE until the end of the transaction (the
    first lock of the lock order, for writers that do not change the person), or
    OutOfScope. Writers that change the person (status, clock) take
    crm.services.job_seeker_lock() instead, first."""
    queryset = scope.job_seekers(edit=edit).select_related(None).select_for_update(of=("self",), no_key=True)
    return scope.get(queryset, pk=job_seeker_id)


def placement_lock(
    scope: AccessScope, placement_id: int, *, edit: bool = True, job_seeker_for_update: bool = False
) -> Placement:
    """Lock the placement's job seeker, then the placement (the lock order), and return
    the placement read under its lock, with `job_seeker` and `organisation` set.

    `job_seeker_for_update`: the caller will change the job seeker through crm.services
    (status, rapid-job-search clock), so its lock is FOR UPDATE from the start rather
    than raised later (raising a lock while others hold key-share locks invites
    deadlocks). Raises OutOfScope."""
    placements = placements_editable(scope) if edit else placements_visible(scope)
    job_seeker_id = scope.get(placements.values_list("job_seeker_id", flat=True), pk=placement_id)
    if job_seeker_for_update:
        job_seeker = crm_services.job_seeker_lock(scope, job_seeker_id, edit=edit)
    else:
        job_seeker = job_seeker_hold(scope, job_seeker_id, edit=edit)
    placement = scope.get(placements.select_related(None).select_for_update(of=("self",), no_key=True), pk=placement_id)
    placement.job_seeker = job_seeker
    placement.organisation = scope.organisation
    return placement


def _plan_lock(placement: Placement) -> FollowAlongPlan | None:
    """The placement's follow-along plan, locked (third in the lock order), or None."""
    plan = FollowAlongPlan.objects.select_for_update(no_key=True).filter(placement=placement).first()
    if plan is not None:
        placement.follow_along_plan = plan
    return plan


# Placements ------------------------------------------------------------------------------


@transaction.atomic
def placement_offer_accept(
    *, scope: AccessScope, job_seeker_id: int, employer_id: int, offer: PlacementOfferFields
) -> Placement:
    """A job offer accepted by the job seeker: the placement begins here, and
    `placement.offer_accepted` is emitted (its handler plans the steps before the start).

    The employer must be one of the program's; a site must be the employer's; the
    expected start cannot be before the offer. Whether the job is competitive and
    whether it is permanent or temporary are asked every time, never assumed (fidelity
    item "competitive jobs": the share of jobs that are competitive is a figure).
    Raises OutOfScope (a job seeker the scope may not edit), ValidationError."""
    offer = allowed(offer, PlacementOfferFields)
    errors = {}
    if not isinstance(offer.get("is_competitive"), bool):
        errors["is_competitive"] = _("Say whether the job is competitive.")
    if offer.get("term") not in Placement.Term.values:
        errors["term"] = _("Say whether the job is permanent or temporary.")
    if errors:
        raise ValidationError(errors)
    job_seeker = job_seeker_hold(scope, job_seeker_id)
    check_sane_dates(offer_date=offer.get("offer_date"), expected_start_date=offer.get("expected_start_date"))
    if isinstance(offer.get("offer_date"), datetime.date) and offer["offer_date"] > program_today(scope):
        raise ValidationError({"offer_date": _("An offer is recorded once it has been accepted: not in the future.")})
    if not employers_visible(scope).filter(pk=employer_id).exists():
        raise ValidationError({"employer": _("Choose one of your program's employers.")})
    placement = Placement(organisation=scope.organisation, job_seeker=job_seeker, employer_id=employer_id)
    for name, value in offer.items():
        setattr(placement, name, value)
    placement.status = Placement.Status.OFFER_ACCEPTED
    placement.start_date = placement.end_date = None
    placement.end_reason = ""
    placement.full_clean()
    placement.save()
    _emit(
        placement,
        "placement.offer_accepted",
        {
            "employer_id": employer_id,
            "offer_date": placement.offer_date.isoformat(),
            "expected_start_date": placement.expected_start_date.isoformat() if placement.expected_start_date else None,
            "receives_benefits": job_seeker.receives_benefits,
            "disclosure_preference": job_seeker.disclosure_preference,
        },
        scope=scope,
    )
    return placement


@transaction.atomic
def placement_start(*, scope: AccessScope, placement_id: int, start_date: datetime.date) -> Placement:
    """The job starts: the job seeker is working, the milestones (day 3 to one year) are
    stored with their due dates, the employer has hired from the program, and
    `placement.started` is emitted. Only an accepted offer starts, not before the offer
    date and not after the program's today: a start is recorded once it has happened
    (until then the offer's expected start date plans the contact before the first
    day, and the person is still in job search). Raises OutOfScope, ValidationError."""
    placement = placement_lock(scope, placement_id, job_seeker_for_update=True)
    _require_status(placement, Placement.Status.OFFER_ACCEPTED)
    check_sane_dates(start_date=start_date)
    if start_date > program_today(scope):
        raise ValidationError(
            {
                "start_date": _(
                    "A job start is recorded on the day it happens, not before: until then it is the offer's "
                    "expected start, and the person stays in job search."
                )
            }
        )
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
    crm_services.job_seeker_set_working(scope=scope, job_seeker_id=placement.job_seeker_id, note=str(placement))
    employer_services.employer_relationship_set(
        scope=scope, employer_id=placement.employer_id, stage=Employer.RelationshipStage.HAS_HIRED
    )
    _emit(
        placement,
        "placement.started",
        {
            "start_date": start_date.isoformat(),
            "hours_per_week": _money(placement.hours_per_week),
            "hourly_pay": _money(placement.hourly_pay),
        },
        scope=scope,
    )
    return placement


@transaction.atomic
def placement_change_terms(
    *,
    scope: AccessScope,
    placement_id: int,
    hours_per_week: Decimal | None,
    hourly_pay: Decimal | None,
    effective_on: datetime.date,
) -> Placement:
    """New hours per week or hourly pay from `effective_on`: emits
    `placement.terms_changed` (its handler offers a benefits re-check). Raises
    OutOfScope, ValidationError (ended job, nothing changed, values out of range)."""
    placement = placement_lock(scope, placement_id)
    _require_status(placement, Placement.Status.OFFER_ACCEPTED, Placement.Status.ACTIVE)
    check_sane_dates(effective_on=effective_on)
    old = {"hours_per_week": _money(placement.hours_per_week), "hourly_pay": _money(placement.hourly_pay)}
    if (placement.hours_per_week, placement.hourly_pay) == (hours_per_week, hourly_pay):
        raise ValidationError(_("Neither the hours nor the pay changed."), code=STATE_CONFLICT)
    # A change of terms gives new values; a known value does not become unknown (an
    # empty form field would otherwise erase it and trigger a benefits re-check).
    errors = {
        name: _("Give the new value: it is known and cannot be left empty.")
        for name, (before, after) in {
            "hours_per_week": (placement.hours_per_week, hours_per_week),
            "hourly_pay": (placement.hourly_pay, hourly_pay),
        }.items()
        if before is not None and after is None
    }
    if errors:
        raise ValidationError(errors)
    placement.hours_per_week = hours_per_week
    placement.hourly_pay = hourly_pay
    placement.full_clean()
    placement.save()
    new = {"hours_per_week": _money(placement.hours_per_week), "hourly_pay": _money(placement.hourly_pay)}
    _emit(
        placement,
        "placement.terms_changed",
        {"old": old, "new": new, "effective_on": effective_on.isoformat()},
        scope=scope,
    )
    return placement


@transaction.atomic
def placement_end(*, scope: AccessScope, placement_id: int, end_date: datetime.date, end_reason: str) -> Placement:
    """The job ended (`end_reason`: a Placement.EndReason), not before it started:
    emits `placement.ended` (its handler plans the face-to-face contact and the job-end
    report, ends follow-along and restarts the job search). An end is recorded once it
    has happened, not after the program's today (the person is still working until
    then). Raises OutOfScope, ValidationError."""
    placement = placement_lock(scope, placement_id)
    _require_status(placement, Placement.Status.ACTIVE)
    if end_reason not in Placement.EndReason.values:
        raise ValidationError({"end_reason": _("Choose a reason from the list.")})
    check_sane_dates(end_date=end_date)
    if end_date > program_today(scope):
        raise ValidationError(
            {"end_date": _("A job end is recorded on the day it happens, not before: the person is still working.")}
        )
    if end_date < placement.start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
    placement.end_date = end_date
    placement.end_reason = end_reason
    placement.status = Placement.Status.ENDED
    placement.full_clean()
    placement.save()
    # The milestones after the end are answered now: not working then. Those not yet
    # reached are never emitted (the scheduler emits only a working job's milestones).
    # A milestone already emitted but due after the end (an end recorded late) was not
    # reached in work either.
    placement.milestones.filter(due_date__gt=end_date).update(still_working=False)
    _emit(placement, "placement.ended", {"end_date": end_date.isoformat(), "end_reason": end_reason}, scope=scope)
    return placement


def milestones_emit_due(*, today: datetime.date | None = None, limit: int = 1000) -> int:
    """The scheduler's job: emit every due, not yet reached milestone of a working
    placement, once. A milestone is due on its program's date (each program's own time
    zone); `today` forces one date for every program (tests, catch-up by hand). Safe to
    run concurrently and after any downtime (catch-up). Returns how many it emitted."""
    emitted = 0
    organisations = Organisation.objects.filter(
        pk__in=Placement.objects.filter(status=Placement.Status.ACTIVE).values("organisation_id")
    )
    for organisation in organisations:
        program_day = today or clock.program_today(organisation)
        due_ids = list(
            PlacementMilestone.objects.filter(
                placement__organisation=organisation,
                reached_at__isnull=True,
                due_date__lte=program_day,
                placement__status=Placement.Status.ACTIVE,
            )
            .order_by("due_date", "id")
            .values_list("pk", "placement_id")[: limit - emitted]
        )
        scope = ProgramScope(organisation)
        for milestone_id, placement_id in due_ids:
            emitted += _milestone_emit(scope, milestone_id, placement_id)
        if emitted >= limit:
            break
    return emitted


@transaction.atomic
def _milestone_emit(scope: AccessScope, milestone_id: int, placement_id: int) -> bool:
    # The placement first (the lock order; the job seeker is not written), then the
    # milestone; both re-read under their locks.
    placement = scope.get(
        placements_editable(scope).select_related(None).select_for_update(of=("self",), no_key=True), pk=placement_id
    )
    milestone = PlacementMilestone.objects.select_for_update().filter(pk=milestone_id, reached_at__isnull=True).first()
    if milestone is None or placement.status != Placement.Status.ACTIVE:  # another run got there, or the job ended
        return False
    milestone.reached_at = timezone.now()
    milestone.still_working = True
    milestone.save(update_fields=["reached_at", "still_working"])
    event = _emit(
        placement,
        "placement.milestone_reached",
        {"milestone": milestone.name, "due_date": milestone.due_date.isoformat(), "still_working": True},
        scope=scope,
        dedup_key=f"placement:{placement.pk}:milestone:{milestone.name}",
    )
    return event is not None


# Support tasks: the one constructor --------------------------------------------------------


@transaction.atomic
def support_task_create(
    *,
    scope: AccessScope,
    job_seeker_id: int,
    kind: str,
    due_date: datetime.date,
    title_key: str = "",
    params: dict[str, Any] | None = None,
    title: str = "",
    placement_id: int | None = None,
    accommodation_id: int | None = None,
    benefits_step_id: int | None = None,
    source_event: OutboxEvent | None = None,
) -> SupportTask:
    """The one way a support task is made. Its owner is the job seeker's current
    specialist (read under the job seeker's lock, so a reassignment in flight cannot
    leave it with the previous one).

    The title is a TaskTitle `title_key` (default: the kind's, see DEFAULT_TITLES) with
    its `params` ("what", "day", "preference"; never the person's name, which is read at
    display time), or free text in `title` for a task written by hand. The placement
    must be the job seeker's, the adjustment the placement's, the benefits step the job
    seeker's. `due_date` is within crm.dates' derived bound (years 2000 to 2102).
    Raises OutOfScope (job seeker out of scope), ValidationError (unknown kind, no
    title, a due date outside that bound, links to someone else's records), ValueError
    (a name in `params`)."""
    check_derived_dates(due_date=due_date)
    params = dict(params or {})
    if "name" in params:
        raise ValueError("The job seeker's name is rendered at display time; do not store it in params.")
    job_seeker = job_seeker_hold(scope, job_seeker_id)
    if placement_id is not None and not Placement.objects.filter(pk=placement_id, job_seeker=job_seeker).exists():
        raise ValidationError({"placement": _("This job belongs to someone else.")})
    if (
        accommodation_id is not None
        and not Accommodation.objects.filter(
            pk=accommodation_id, placement_id=placement_id, placement__isnull=False
        ).exists()
    ):
        raise ValidationError({"accommodation": _("This adjustment belongs to another job.")})
    if (
        benefits_step_id is not None
        and not BenefitsStep.objects.filter(pk=benefits_step_id, job_seeker=job_seeker).exists()
    ):
        raise ValidationError({"benefits_step": _("This benefits step belongs to someone else.")})
    task = SupportTask(
        organisation=scope.organisation,
        job_seeker=job_seeker,
        placement_id=placement_id,
        accommodation_id=accommodation_id,
        benefits_step_id=benefits_step_id,
        kind=kind,
        title_key="" if title else (title_key or DEFAULT_TITLES.get(kind, "")),
        title_params={} if title else params,
        custom_title=title,
        due_date=due_date,
        due_by=due_date,
        owner_id=job_seeker.specialist_id,
        source_event=source_event,
    )
    if not task.title_key and not task.custom_title:
        raise ValidationError({"title": _("Give the task a title.")})
    # The links were checked above, through the scope; the rest of the row here.
    task.full_clean(
        exclude=["organisation", "job_seeker", "placement", "accommodation", "benefits_step", "owner", "source_event"]
    )
    task.save()
    return task


@transaction.atomic
def support_tasks_hand_over(*, scope: AccessScope, job_seeker_id: int, from_specialist_id: int) -> int:
    """After a reassignment: the job seeker's open tasks owned by `from_specialist_id`
    go to the job seeker's current specialist (read under the lock, so reassignments
    handled in any order end with the last one's specialist). Idempotent. Calendars see
    a new revision. Returns how many tasks moved. Raises OutOfScope."""
    job_seeker = job_seeker_hold(scope, job_seeker_id)
    if job_seeker.specialist_id == from_specialist_id:
        return 0
    tasks = SupportTask.objects.filter(
        job_seeker=job_seeker, owner_id=from_specialist_id, status=SupportTask.Status.OPEN
    )
    return tasks.update(owner_id=job_seeker.specialist_id, sequence=F("sequence") + 1, updated_at=timezone.now())


def _task_lock(scope: AccessScope, task_id: int) -> tuple[SupportTask, Placement | None]:
    """The task's job seeker, its placement and follow-along plan (if any), then the task,
    locked in the lock order; returns the task and its locked placement (with its plan).
    Raises OutOfScope."""
    job_seeker_id, placement_id, title_key = scope.get(
        support_tasks_editable(scope).values_list("job_seeker_id", "placement_id", "title_key"), pk=task_id
    )
    # Completing a step-down's hand-over closes the job seeker: their lock is FOR
    # UPDATE from the start (see placement_lock).
    step_down = title_key == TaskTitle.STEP_DOWN_HANDOVER
    placement = placement_lock(scope, placement_id, job_seeker_for_update=step_down) if placement_id else None
    if placement is None:
        job_seeker_hold(scope, job_seeker_id)
    else:
        _plan_lock(placement)
    task = scope.get(support_tasks_editable(scope).select_related(None).select_for_update(of=("self",)), pk=task_id)
    return task, placement


def _last_follow_along_contact_on(placement: Placement) -> datetime.date | None:
    """The day the placement's latest follow-along contact was held (None: none yet)."""
    return (
        placement.support_tasks.filter(kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.DONE)
        .order_by("-completed_on")
        .values_list("completed_on", flat=True)
        .first()
    )


@transaction.atomic
def support_task_complete(
    *,
    scope: AccessScope,
    task_id: int,
    completed_on: datetime.date,
    mode: str,
    note: str = "",
    place: str = "",
    support_type: str = "",
    given_by: str = "",
) -> SupportTask:
    """Done on `completed_on` (not in the program's future), `mode` a SupportTask.Mode.

    `place` (a SupportTask.Place) says where an in-person contact took place (fidelity
    item "community-based services"); it is refused for a contact not in person.
    `support_type` (a SupportTask.SupportType) is required for a follow-along contact
    and `given_by` (a SupportTask.GivenBy; blank: the specialist) says who gave it
    (fidelity item "individualized follow-along supports": types and people vary).

    A follow-along contact done brings the next one (the plan's rhythm); the hand-over
    task of an agreed step-down completes the step-down (follow_along_step_down_complete).
    Raises OutOfScope, ValidationError (closed task, unknown mode, place, type or giver,
    future date)."""
    task, placement = _task_lock(scope, task_id)
    if task.status != SupportTask.Status.OPEN:
        raise ValidationError(_("This task is already closed."), code=STATE_CONFLICT)
    errors = {}
    if mode not in SupportTask.Mode.values:
        errors["completion_mode"] = _("Choose how the contact took place.")
    if place and place not in SupportTask.Place.values:
        errors["place"] = _("Choose a place from the list.")
    elif place and mode != SupportTask.Mode.IN_PERSON:
        errors["place"] = _("A place is given only for a contact in person.")
    if support_type and support_type not in SupportTask.SupportType.values:
        errors["support_type"] = _("Choose a type of support from the list.")
    elif not support_type and task.kind == SupportTask.Kind.FOLLOW_ALONG:
        errors["support_type"] = _("Say what support was given.")
    if given_by and given_by not in SupportTask.GivenBy.values:
        errors["given_by"] = _("Choose who gave the support from the list.")
    if errors:
        raise ValidationError(errors)
    check_sane_dates(completed_on=completed_on)
    if completed_on > program_today(scope):
        raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})
    if placement is not None and completed_on < placement.offer_date:
        raise ValidationError({"completed_on": _("The job's offer was accepted later: give the day it took place.")})
    if task.kind == SupportTask.Kind.FOLLOW_ALONG and placement is not None:
        # One visit is one contact of the schedule: a single meeting cannot tick off
        # the contacts due in the weeks after it (fidelity item 23).
        previous = _last_follow_along_contact_on(placement)
        if previous is not None and completed_on <= previous:
            raise ValidationError(
                {
                    "completed_on": _(
                        "The previous follow-along contact was recorded on %(date)s: one meeting is one contact. "
                        "Give the day this one took place."
                    )
                    % {"date": formats.date_format(previous, "SHORT_DATE_FORMAT")}
                }
            )
    task.status = SupportTask.Status.DONE
    task.sequence += 1
    task.completed_on = completed_on
    task.completion_mode = mode
    task.completion_note = note
    task.place = place
    task.support_type = support_type
    task.given_by = given_by or (SupportTask.GivenBy.SPECIALIST if support_type else "")
    task.full_clean(exclude=["organisation", "job_seeker", "placement", "accommodation", "benefits_step", "owner"])
    task.save()
    if task.kind == SupportTask.Kind.FOLLOW_ALONG and placement is not None:
        _schedule_next_contact(scope, placement, earliest=completed_on + datetime.timedelta(days=1))
    if task.title_key == TaskTitle.STEP_DOWN_HANDOVER and placement is not None:
        _step_down_complete(scope, placement, on=completed_on)
    return task


@transaction.atomic
def support_task_schedule(
    *,
    scope: AccessScope,
    task_id: int,
    due_date: datetime.date,
    due_time: datetime.time | None,
    duration_minutes: int = 60,
) -> SupportTask:
    """Give an open task an appointment time (or take it away; `duration_minutes` from 5
    to 720): appointments show in calendars, with a new revision. The day and time are
    the program's wall time, by the product's rule for clock changes (crm.clock): a time
    the clocks skip that night is refused, a time that happens twice is its first
    occurrence, and the duration is real time. Raises OutOfScope, ValidationError."""
    task, _placement = _task_lock(scope, task_id)
    if task.status != SupportTask.Status.OPEN:
        raise ValidationError(_("This task is already closed."), code=STATE_CONFLICT)
    if not 5 <= duration_minutes <= 720:
        raise ValidationError({"duration_minutes": _("An appointment lasts between 5 minutes and 12 hours.")})
    check_sane_dates(due_date=due_date)
    if due_time is not None:
        due_time = due_time.replace(tzinfo=None, fold=0)
        clock.local_instant(due_date, due_time, clock.program_zone(scope.organisation), field="due_time")
    if (task.due_date, task.due_time, task.duration_minutes) != (due_date, due_time, duration_minutes):
        task.due_date, task.due_time, task.duration_minutes = due_date, due_time, duration_minutes
        task.sequence += 1
        task.full_clean(exclude=["organisation", "job_seeker", "placement", "accommodation", "benefits_step", "owner"])
        task.save()
    return task


# Follow-along -------------------------------------------------------------------------


def _plan_allows_contacts(placement: Placement) -> bool:
    plan = getattr(placement, "follow_along_plan", None)
    return (
        placement.status == Placement.Status.ACTIVE
        and plan is not None
        and plan.status == FollowAlongPlan.Status.ACTIVE
    )


def _schedule_next_contact(
    scope: AccessScope, placement: Placement, *, earliest: datetime.date, source_event=None
) -> SupportTask | None:
    """On a placement locked with its plan: the next follow-along contact on or after
    `earliest`, unless the plan is not active or one is already coming up."""
    if not _plan_allows_contacts(placement):
        return None
    follow_along = placement.support_tasks.filter(kind=SupportTask.Kind.FOLLOW_ALONG)
    if follow_along.filter(status=SupportTask.Status.OPEN, due_date__gte=earliest).exists():
        return None
    latest = (
        follow_along.filter(due_date__gte=placement.start_date)
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
    return support_task_create(
        scope=scope,
        job_seeker_id=placement.job_seeker_id,
        placement_id=placement.pk,
        kind=SupportTask.Kind.FOLLOW_ALONG,
        due_date=due,
        source_event=source_event,
    )


@transaction.atomic
def follow_along_start(*, scope: AccessScope, placement_id: int, source_event=None) -> FollowAlongPlan | None:
    """The job started: the follow-along plan (the job support plan) and its first
    contact; an open pre-start contact is overtaken. Whatever the order events arrive
    in: a job already ended gets an ended plan and no contact. Idempotent. Raises
    OutOfScope."""
    placement = placement_lock(scope, placement_id)
    plan = _plan_lock(placement)
    if placement.status == Placement.Status.ENDED:
        if plan is None:
            plan = FollowAlongPlan.objects.create(
                placement=placement,
                status=FollowAlongPlan.Status.ENDED,
                status_reason=placement.get_end_reason_display(),
            )
        return plan
    if placement.status != Placement.Status.ACTIVE:  # not started: nothing to follow yet
        return plan
    if plan is None:
        plan = FollowAlongPlan.objects.create(placement=placement)
        placement.follow_along_plan = plan
        # A pre-start contact still open is overtaken by the start itself.
        placement.support_tasks.filter(kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN).close(
            SupportTask.Status.CANCELLED, cancel_reason=_("The job has started.")
        )
    _schedule_next_contact(scope, placement, earliest=placement.start_date, source_event=source_event)
    return plan


# Steps that belong to a job and lose their purpose when it ends (the job-end contact
# and report are made by the end itself; follow-along contacts end with the plan).
STEPS_OF_THE_JOB = (
    SupportTask.Kind.DISCLOSURE_CONVERSATION,
    SupportTask.Kind.ACCOMMODATION,
    SupportTask.Kind.BENEFITS_PLANNING,
    SupportTask.Kind.RETENTION_CHECK,
    SupportTask.Kind.STEP_DOWN_REVIEW,
)


@transaction.atomic
def support_tasks_close_for_ended_job(*, scope: AccessScope, placement_id: int) -> int:
    """The job ended: its open steps (disclosure, adjustments, benefits planning,
    retention check, step-down review) are cancelled with the end reason. Returns how
    many. Raises OutOfScope."""
    placement = placement_lock(scope, placement_id)
    reason = str(placement.get_end_reason_display())
    return placement.support_tasks.filter(kind__in=STEPS_OF_THE_JOB, status=SupportTask.Status.OPEN).close(
        SupportTask.Status.CANCELLED, cancel_reason=(_("Job ended: %(reason)s") % {"reason": reason})[:300]
    )


@transaction.atomic
def follow_along_end(*, scope: AccessScope, placement_id: int) -> FollowAlongPlan | None:
    """The job ended: its open follow-along contacts are cancelled and the plan ends,
    both with the end reason (an ended plan is made if the start was not handled yet).
    Idempotent. Returns the plan (None if the job never started). Raises OutOfScope."""
    placement = placement_lock(scope, placement_id)
    plan = _plan_lock(placement)
    reason = str(placement.get_end_reason_display())
    placement.support_tasks.filter(kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN).close(
        SupportTask.Status.CANCELLED, cancel_reason=(_("Job ended: %(reason)s") % {"reason": reason})[:300]
    )
    if placement.start_date is None:
        return plan
    if plan is None:
        return FollowAlongPlan.objects.create(
            placement=placement, status=FollowAlongPlan.Status.ENDED, status_reason=reason[:300]
        )
    if plan.status != FollowAlongPlan.Status.ENDED:
        plan.status, plan.status_reason = FollowAlongPlan.Status.ENDED, reason[:300]
        plan.save(update_fields=["status", "status_reason", "updated_at"])
    return plan


def follow_along_ensure_next(*, today: datetime.date | None = None) -> int:
    """The scheduler's job: time-unlimited support means every active plan always has
    an upcoming contact; a contact whose due date passed gets a successor. "Passed" is
    by each program's own date; `today` forces one date for all. Returns how many
    contacts it created.

    Only plans with no open contact from today on are locked and looked at: the job
    runs hourly, and most plans have their next contact already."""
    created = 0
    active = FollowAlongPlan.objects.filter(
        status=FollowAlongPlan.Status.ACTIVE, placement__status=Placement.Status.ACTIVE
    )
    programs = active.order_by().values_list("placement__organisation_id", flat=True).distinct()
    for organisation_id in sorted(programs):
        scope = ProgramScope(organisation_id)
        day = today or program_today(scope)
        upcoming = SupportTask.objects.filter(
            placement_id=OuterRef("placement_id"),
            kind=SupportTask.Kind.FOLLOW_ALONG,
            status=SupportTask.Status.OPEN,
            due_date__gte=day,
        )
        waiting = (
            active.filter(placement__organisation_id=organisation_id)
            .exclude(Exists(upcoming))
            .order_by("placement_id")
            .values_list("placement_id", flat=True)
        )
        for placement_id in waiting:
            created += _ensure_next_contact(scope, placement_id, day) is not None
    return created


@transaction.atomic
def _ensure_next_contact(scope: AccessScope, placement_id: int, today: datetime.date) -> SupportTask | None:
    placement = placement_lock(scope, placement_id)
    _plan_lock(placement)
    return _schedule_next_contact(scope, placement, earliest=today)


def _cancel_open_follow_along(placement: Placement, reason: str, *, today: datetime.date) -> None:
    placement.support_tasks.filter(
        kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN, due_date__gte=today
    ).close(SupportTask.Status.CANCELLED, cancel_reason=reason[:300])


@transaction.atomic
def follow_along_plan_change(
    *,
    scope: AccessScope,
    placement_id: int,
    action: str,
    frequency: str = "",
    reason: str = "",
    step_down_date: datetime.date | None = None,
    step_down_agreed: bool = False,
) -> FollowAlongPlan:
    """Individualized follow-along on a working placement. `action`:

    - "frequency": a FollowAlongPlan.Frequency, from the next contact on;
    - "pause" (a `reason` is required) and "resume";
    - "decline": the worker declines support;
    - "step_down": a handover to the mental-health team on `step_down_date` (from
      today), only with the worker's agreement (`step_down_agreed`).

    Raises OutOfScope, ValidationError."""
    placement = placement_lock(scope, placement_id)
    _require_status(placement, Placement.Status.ACTIVE)
    plan = _plan_lock(placement)
    if plan is None:
        raise ValidationError(_("Follow-along has not started for this job yet."), code=STATE_CONFLICT)
    if plan.status == FollowAlongPlan.Status.STEPPED_DOWN:
        raise ValidationError(
            _("Follow-along was stepped down with the worker's agreement: the plan changes no more."),
            code=STATE_CONFLICT,
        )
    today = program_today(scope)
    if action == "frequency":
        if frequency not in FollowAlongPlan.Frequency.values:
            raise ValidationError({"frequency": _("Choose a frequency from the list.")})
        plan.frequency = frequency
    elif action == "pause":
        if not reason.strip():
            raise ValidationError({"reason": _("Say why follow-along is paused.")})
        plan.status, plan.status_reason = FollowAlongPlan.Status.PAUSED, reason
        _cancel_open_follow_along(placement, _("Follow-along paused: %(reason)s") % {"reason": reason}, today=today)
    elif action == "resume":
        plan.status, plan.status_reason = FollowAlongPlan.Status.ACTIVE, ""
    elif action == "decline":
        plan.status, plan.status_reason = FollowAlongPlan.Status.DECLINED, reason
        _cancel_open_follow_along(placement, _("The worker declined follow-along support."), today=today)
    elif action == "step_down":
        if step_down_date is None or step_down_date < max(today, placement.start_date):
            raise ValidationError({"step_down_date": _("Choose a step-down date from today on, after the start.")})
        check_sane_dates(step_down_date=step_down_date)
        if not step_down_agreed:
            raise ValidationError({"step_down_agreed": _("A step-down is planned only with the worker's agreement.")})
        plan.step_down_date, plan.step_down_agreed = step_down_date, True
        # A new date replaces the hand-over planned before.
        placement.support_tasks.filter(title_key=TaskTitle.STEP_DOWN_HANDOVER, status=SupportTask.Status.OPEN).close(
            SupportTask.Status.CANCELLED, cancel_reason=_("The step-down was planned again.")
        )
        support_task_create(
            scope=scope,
            job_seeker_id=placement.job_seeker_id,
            placement_id=placement.pk,
            kind=SupportTask.Kind.STEP_DOWN_REVIEW,
            title_key=TaskTitle.STEP_DOWN_HANDOVER,
            due_date=step_down_date,
        )
    else:
        raise ValidationError(_("Unknown follow-along action."))
    plan.full_clean()
    plan.save()
    if plan.status == FollowAlongPlan.Status.ACTIVE:
        # A new rhythm applies from the next contact on.
        if action == "frequency":
            _cancel_open_follow_along(placement, _("Follow-along rhythm changed."), today=today)
        _schedule_next_contact(scope, placement, earliest=today)
    return plan


def _step_down_complete(scope: AccessScope, placement: Placement, *, on: datetime.date) -> FollowAlongPlan:
    if placement.status != Placement.Status.ACTIVE:
        raise ValidationError(_("The job has ended: there is no follow-along to step down."), code=STATE_CONFLICT)
    plan = getattr(placement, "follow_along_plan", None)
    if plan is None or not plan.step_down_agreed or plan.step_down_date is None:
        raise ValidationError(_("No step-down agreed with the worker is planned for this job."), code=STATE_CONFLICT)
    if plan.status == FollowAlongPlan.Status.STEPPED_DOWN:
        return plan
    plan.status, plan.stepped_down_on = FollowAlongPlan.Status.STEPPED_DOWN, on
    plan.status_reason = _("Stepped down to the mental-health team, as agreed with the worker.")[:300]
    plan.save(update_fields=["status", "stepped_down_on", "status_reason", "updated_at"])
    placement.support_tasks.filter(kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN).close(
        SupportTask.Status.CANCELLED, cancel_reason=_("Follow-along stepped down.")
    )
    # Off the active caseload: the person keeps the job, the specialist's support ends.
    crm_services.job_seeker_step_down(
        scope=scope,
        job_seeker_id=placement.job_seeker_id,
        note=_("Follow-along stepped down to the mental-health team (%(job)s).") % {"job": placement},
    )
    return plan


@transaction.atomic
def follow_along_step_down_complete(*, scope: AccessScope, placement_id: int, on: datetime.date) -> FollowAlongPlan:
    """The planned step-down the worker agreed to happens on `on` (not in the program's
    future): the follow-along plan ends as stepped down, its open contacts are
    cancelled, and the job seeker leaves the active caseload (closed, still working).
    Fidelity item "time-unlimited follow-along supports": a planned step-down, with the
    worker's agreement, ends follow-along. Idempotent. Raises OutOfScope,
    ValidationError (no agreed step-down planned, a job not working, a future date)."""
    placement = placement_lock(scope, placement_id, job_seeker_for_update=True)
    _require_status(placement, Placement.Status.ACTIVE)
    _plan_lock(placement)
    check_sane_dates(on=on)
    if on > program_today(scope):
        raise ValidationError({"on": _("The step-down cannot be dated in the future.")})
    # Dated before the follow-along it ends, a step-down would erase contacts that were
    # due (fidelity item 23 leaves out contacts due after a step-down).
    last_contact = _last_follow_along_contact_on(placement)
    earliest = max(filter(None, (placement.start_date, last_contact)))
    if on < earliest:
        raise ValidationError(
            {
                "on": _("The step-down cannot be before %(date)s.")
                % {"date": formats.date_format(earliest, "SHORT_DATE_FORMAT")}
            }
        )
    plan = _step_down_complete(scope, placement, on=on)
    placement.support_tasks.filter(title_key=TaskTitle.STEP_DOWN_HANDOVER, status=SupportTask.Status.OPEN).close(
        SupportTask.Status.DONE, completed_on=on
    )
    return plan


# Job-end report -----------------------------------------------------------------------


@transaction.atomic
def job_end_report_save(*, scope: AccessScope, placement_id: int, report: JobEndReportFields) -> JobEndReport:
    """Write (or rewrite) the job-end report of an ended job, signed by the acting user;
    its open task is done. Raises OutOfScope, ValidationError."""
    report = allowed(report, JobEndReportFields)
    placement = placement_lock(scope, placement_id)
    _require_status(placement, Placement.Status.ENDED)
    seen_on = report.get("face_to_face_contact_on")
    check_sane_dates(face_to_face_contact_on=seen_on)
    if seen_on is not None and seen_on > program_today(scope):
        raise ValidationError({"face_to_face_contact_on": _("The contact cannot be dated in the future.")})
    if seen_on is not None and seen_on < placement.end_date:
        raise ValidationError(
            {"face_to_face_contact_on": _("The contact after the job ended cannot be before the end.")}
        )
    stored = JobEndReport.objects.select_for_update().filter(placement=placement).first()
    stored = stored or JobEndReport(placement=placement, written_on=program_today(scope))
    for name, value in report.items():
        setattr(stored, name, value)
    stored.written_by = scope.actor
    stored.full_clean(exclude=["placement", "written_by"])
    stored.save()
    placement.support_tasks.filter(kind=SupportTask.Kind.JOB_END_REPORT, status=SupportTask.Status.OPEN).close(
        SupportTask.Status.DONE, completed_on=program_today(scope), completion_note=_("Job-end report written.")
    )
    return stored


# Accommodations and benefits steps ----------------------------------------------------


def _emit_accommodation(accommodation: Accommodation, old: str, *, scope: AccessScope) -> None:
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
        actor=scope.actor,
    )


@transaction.atomic
def accommodation_add(*, scope: AccessScope, placement_id: int, description: str, consents: bool) -> Accommodation:
    """A workplace adjustment the worker needs (`description`, up to 300 characters),
    on an accepted or working job; `consents`: the worker agrees to disclose it to the
    employer. Emits `accommodation.status_changed` ("" -> identified). Raises
    OutOfScope, ValidationError."""
    placement = placement_lock(scope, placement_id)
    _require_status(placement, Placement.Status.OFFER_ACCEPTED, Placement.Status.ACTIVE)
    accommodation = Accommodation(
        organisation_id=placement.organisation_id,
        placement=placement,
        description=description,
        worker_consents_to_disclosure=consents,
    )
    accommodation.full_clean(exclude=["organisation", "placement"])
    accommodation.save()
    _emit_accommodation(accommodation, "", scope=scope)
    return accommodation


@transaction.atomic
def accommodation_change_status(
    *,
    scope: AccessScope,
    accommodation_id: int,
    status: str | None = None,
    note: str = "",
    consents: bool | None = None,
) -> Accommodation:
    """Move an adjustment on: to `status`, or, when it is None, to the next step
    (Accommodation.next_status). It moves forward only (or to "not pursued"), is
    requested from the employer only with the worker's consent to disclosure (given
    here with `consents=True` or before), and changes no more once reviewed or not
    pursued. `note` is appended. Emits `accommodation.status_changed`. Raises
    OutOfScope, ValidationError."""
    placement_id = scope.get(accommodations_editable(scope).values_list("placement_id", flat=True), pk=accommodation_id)
    placement_lock(scope, placement_id)
    accommodation = Accommodation.objects.select_for_update().get(pk=accommodation_id)
    if accommodation.is_finished:
        raise ValidationError(
            {"status": ValidationError(_("This adjustment is finished: it changes no more."), code=STATE_CONFLICT)}
        )
    status = status or accommodation.next_status
    if status not in Accommodation.Status.values or status == accommodation.status:
        raise ValidationError({"status": _("Choose a new status from the list.")})
    if consents is not None:
        accommodation.worker_consents_to_disclosure = consents
    if status == Accommodation.Status.REQUESTED and not accommodation.worker_consents_to_disclosure:
        raise ValidationError(
            {"status": _("An adjustment is requested from the employer only where the worker consented to disclosure.")}
        )
    old = accommodation.status
    if status != Accommodation.Status.DROPPED and Accommodation.ORDER.index(status) < Accommodation.ORDER.index(old):
        raise ValidationError({"status": _("An adjustment moves forward: choose a later step.")})
    accommodation.status = status
    if note:
        accommodation.note = (accommodation.note + "\n" + note).strip()
    accommodation.full_clean(exclude=["organisation", "placement"])
    accommodation.save()
    _emit_accommodation(accommodation, old, scope=scope)
    return accommodation


def _counsellor(scope: AccessScope, counsellor_id: int | None):
    if counsellor_id is None:
        return None
    partner = scope.partners().filter(pk=counsellor_id, is_active=True).first()
    if partner is None:
        raise ValidationError({"counsellor": _("Choose a partner organisation of this program.")})
    return partner


@transaction.atomic
def benefits_step_assign(*, scope: AccessScope, step_id: int, counsellor_id: int | None) -> BenefitsStep:
    """Assign a benefits-counselling step to a partner of the program (None: to nobody);
    with the person's consent covering benefits, that partner may then move the step on
    through the API. Raises OutOfScope, ValidationError."""
    job_seeker_id = scope.get(benefits_steps_editable(scope).values_list("job_seeker_id", flat=True), pk=step_id)
    job_seeker_hold(scope, job_seeker_id)
    step = BenefitsStep.objects.select_for_update().get(pk=step_id)
    step.counsellor = _counsellor(scope, counsellor_id)
    step.save(update_fields=["counsellor", "updated_at"])
    return step


@transaction.atomic
def benefits_step_create(
    *,
    scope: AccessScope,
    job_seeker_id: int,
    placement_id: int | None,
    reason: str,
    offered_on: datetime.date,
    counsellor_id: int | None = None,
) -> BenefitsStep:
    """Work incentives planning offered to the job seeker (`reason`: a
    BenefitsStep.Reason), about one of their jobs or none, assigned to the
    benefits-counselling partner `counsellor_id` or to nobody outside the team. Raises
    OutOfScope, ValidationError."""
    job_seeker = job_seeker_hold(scope, job_seeker_id)
    if placement_id is not None and not Placement.objects.filter(pk=placement_id, job_seeker=job_seeker).exists():
        raise ValidationError({"placement": _("This job belongs to someone else.")})
    step = BenefitsStep(
        organisation=scope.organisation,
        job_seeker=job_seeker,
        placement_id=placement_id,
        reason=reason,
        offered_on=offered_on,
        counsellor=_counsellor(scope, counsellor_id),
    )
    step.full_clean(exclude=["organisation", "job_seeker", "placement"])
    step.save()
    return step


@transaction.atomic
def benefits_step_change_status(
    *, scope: AccessScope, step_id: int, status: str | None = None, note: str = "", on: datetime.date | None = None
) -> BenefitsStep:
    """Move a benefits-counselling step on: to `status`, or, when it is None, to the next
    step (BenefitsStep.next_status); forward only, or declined; a finished step (plan in
    place, declined) changes no more. `note` is appended. Emits `benefits.step_changed`.
    Raises OutOfScope, ValidationError."""
    job_seeker_id = scope.get(benefits_steps_editable(scope).values_list("job_seeker_id", flat=True), pk=step_id)
    job_seeker_hold(scope, job_seeker_id)
    step = BenefitsStep.objects.select_for_update().get(pk=step_id)
    if step.is_finished:
        raise ValidationError({"status": ValidationError(_("This step is finished."), code=STATE_CONFLICT)})
    status = status or step.next_status
    if status not in BenefitsStep.Status.values or status == step.status:
        raise ValidationError({"status": _("Choose a new status from the list.")})
    if status != BenefitsStep.Status.DECLINED and BenefitsStep.ORDER.index(status) < BenefitsStep.ORDER.index(
        step.status
    ):
        raise ValidationError({"status": _("A benefits step moves forward: choose a later step.")})
    old = step.status
    step.status = status
    if on is not None:
        check_sane_dates(on=on)
        if on > program_today(scope):
            raise ValidationError({"on": _("The date cannot be in the future.")})
        if on < step.offered_on:
            raise ValidationError({"on": _("The date cannot be before the step was offered.")})
    if step.is_finished:
        # Work incentives planning delivered (or declined) on this day: the fidelity
        # item compares it with the job's start. Recorded late, it keeps its real day.
        step.completed_on = on or program_today(scope)
    if note:
        step.note = (step.note + "\n" + note).strip()
    step.full_clean(exclude=["organisation", "job_seeker", "placement"])
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
        actor=scope.actor,
    )
    return step
