"""What placement events do: the IPS follow-along, accommodation and benefits steps, and
the hand-over of tasks when a job seeker changes specialist.

Each handler runs inside the dispatcher's transaction together with the record of its
success, so a redelivered event never creates its tasks twice. Handlers act with the
program's scope (ProgramScope: no user) through placements.services, and are correct
whatever order the events of one placement are handled in, and under concurrency:
each one first locks the rows it acts on in the documented order (job seeker, then
placement, then its plan, then tasks, adjustments and benefits steps) and decides from
their current state, never from a payload that may be out of date. Dates are the
program's (the event's instant in the program's time zone). Defaults follow the IPS
Fidelity Scale (see docs/ips.md)."""

import datetime

from django.utils.translation import gettext as _

from crm import clock
from crm import services as crm_services
from crm.access import ProgramScope
from crm.events import handles
from crm.models import JobSeeker, OutboxEvent
from placements import services
from placements.models import Accommodation, BenefitsStep, FollowAlongPlan, Placement, SupportTask, TaskTitle

BENEFITS_NEEDED = (JobSeeker.Benefits.YES, JobSeeker.Benefits.UNKNOWN)

#: The follow-up task of each accommodation step: (title, days after the change).
ACCOMMODATION_FOLLOW_UPS = {
    Accommodation.Status.IDENTIFIED: (TaskTitle.ACCOMMODATION_DISCUSS, 7),
    Accommodation.Status.REQUESTED: (TaskTitle.ACCOMMODATION_CHECK_ANSWER, 7),
    Accommodation.Status.IN_PLACE: (TaskTitle.ACCOMMODATION_REVIEW, 30),
}


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _scope(event: OutboxEvent) -> ProgramScope:
    # The program acts, recorded as done for the user whose action caused the event.
    return ProgramScope(event.organisation, actor=event.actor)


def _event_day(scope: ProgramScope, event: OutboxEvent) -> datetime.date:
    """The program's date when the fact happened (not the server's, not UTC's)."""
    return clock.program_today(scope.organisation, at=event.occurred_at)


def _task(scope, event: OutboxEvent, placement: Placement, *, kind: str, title_key: str, due, **extra):
    return services.support_task_create(
        scope=scope,
        job_seeker_id=placement.job_seeker_id,
        placement_id=placement.pk,
        kind=kind,
        title_key=title_key,
        due_date=due,
        source_event=event,
        **extra,
    )


@handles("placement.offer_accepted", name="placements.plan_steps_before_the_start")
def plan_steps_before_the_start(event: OutboxEvent) -> None:
    scope = _scope(event)
    placement = services.placement_lock(scope, event.payload["placement_id"])
    job_seeker = placement.job_seeker
    offer_date = placement.offer_date
    start = placement.expected_start_date
    # Due before the start when it is known, otherwise within a week of the offer.
    before_start = max(offer_date, start - datetime.timedelta(days=1)) if start else offer_date + datetime.timedelta(7)
    soon = min(before_start, offer_date + datetime.timedelta(days=3))
    if placement.status == Placement.Status.ENDED:
        return  # handled after the job already ended: nothing is left to prepare
    if job_seeker.receives_benefits in BENEFITS_NEEDED:
        step = services.benefits_step_create(
            scope=scope,
            job_seeker_id=job_seeker.pk,
            placement_id=placement.pk,
            reason=BenefitsStep.Reason.BEFORE_START,
            offered_on=offer_date,
        )
        _task(
            scope,
            event,
            placement,
            kind=SupportTask.Kind.BENEFITS_PLANNING,
            title_key=TaskTitle.BENEFITS_BEFORE_START,
            due=before_start,
            benefits_step_id=step.pk,
        )
    # The disclosure talk belongs before the first employer contact (planned at
    # enrolment, disclosure_talk_at_enrolment); at the offer only if it never happened.
    if not _disclosure_talk_pending_or_done(job_seeker):
        _task(
            scope,
            event,
            placement,
            kind=SupportTask.Kind.DISCLOSURE_CONVERSATION,
            title_key=TaskTitle.DISCLOSURE_CONVERSATION,
            params={"preference": job_seeker.disclosure_preference},
            due=soon,
        )
    _task(
        scope,
        event,
        placement,
        kind=SupportTask.Kind.ACCOMMODATION,
        title_key=TaskTitle.ACCOMMODATION_NEEDS,
        due=before_start,
    )
    # Events of one placement may be handled in any order: once the job has started
    # (read under the placement's lock), the pre-start contact is overtaken by the
    # follow-along schedule.
    if placement.status == Placement.Status.OFFER_ACCEPTED:
        _task(
            scope,
            event,
            placement,
            kind=SupportTask.Kind.FOLLOW_ALONG,
            title_key=TaskTitle.FOLLOW_ALONG_BEFORE_START,
            due=before_start,
        )


DISCLOSURE_TALK_DAYS = 7


def _disclosure_talk_pending_or_done(job_seeker: JobSeeker) -> bool:
    return job_seeker.disclosure_preference != JobSeeker.Disclosure.UNDECIDED or (
        job_seeker.support_tasks.filter(
            kind=SupportTask.Kind.DISCLOSURE_CONVERSATION, status=SupportTask.Status.OPEN
        ).exists()
    )


@handles("jobseeker.enrolled", name="placements.disclosure_talk_at_enrolment")
def disclosure_talk_at_enrolment(event: OutboxEvent) -> None:
    """Fidelity item "disclosure": the specialist talks disclosure over with the person
    before contacting employers for them, so the talk is planned at enrolment (within a
    week), unless a preference is already recorded. Not at a re-entry: the preference
    is known by then, or its task is still open."""
    if event.payload.get("reentry"):
        return
    scope = _scope(event)
    job_seeker = services.job_seeker_hold(scope, event.payload["job_seeker_id"])
    if job_seeker.status == JobSeeker.Status.CLOSED or _disclosure_talk_pending_or_done(job_seeker):
        return
    services.support_task_create(
        scope=scope,
        job_seeker_id=job_seeker.pk,
        kind=SupportTask.Kind.DISCLOSURE_CONVERSATION,
        title_key=TaskTitle.DISCLOSURE_CONVERSATION,
        params={"preference": job_seeker.disclosure_preference},
        due_date=_event_day(scope, event) + datetime.timedelta(days=DISCLOSURE_TALK_DAYS),
        source_event=event,
    )


@handles("placement.started", name="placements.start_follow_along")
def start_follow_along(event: OutboxEvent) -> None:
    services.follow_along_start(scope=_scope(event), placement_id=event.payload["placement_id"], source_event=event)


@handles("placement.terms_changed", name="placements.recheck_benefits")
def recheck_benefits(event: OutboxEvent) -> None:
    scope = _scope(event)
    placement = services.placement_lock(scope, event.payload["placement_id"])
    if placement.job_seeker.receives_benefits not in BENEFITS_NEEDED:
        return
    effective_on = _date(event.payload["effective_on"])
    step = services.benefits_step_create(
        scope=scope,
        job_seeker_id=placement.job_seeker_id,
        placement_id=placement.pk,
        reason=BenefitsStep.Reason.TERMS_CHANGED,
        offered_on=effective_on,
    )
    _task(
        scope,
        event,
        placement,
        kind=SupportTask.Kind.BENEFITS_PLANNING,
        title_key=TaskTitle.BENEFITS_TERMS_CHANGED,
        due=effective_on + datetime.timedelta(days=7),
        benefits_step_id=step.pk,
    )


@handles("placement.milestone_reached", name="placements.act_on_milestone")
def act_on_milestone(event: OutboxEvent) -> None:
    scope = _scope(event)
    placement = services.placement_lock(scope, event.payload["placement_id"])
    if placement.status != Placement.Status.ACTIVE:
        return
    plan = getattr(placement, "follow_along_plan", None)
    if plan is not None and plan.status == FollowAlongPlan.Status.STEPPED_DOWN:
        return  # support stepped down with the worker's agreement: nothing more to plan
    milestone = event.payload["milestone"]
    due = _date(event.payload["due_date"])
    if milestone == "day_30":
        _task(
            scope,
            event,
            placement,
            kind=SupportTask.Kind.ACCOMMODATION,
            title_key=TaskTitle.ACCOMMODATION_FIRST_MONTH,
            due=due + datetime.timedelta(days=7),
        )
    elif milestone == "day_90":
        _task(
            scope,
            event,
            placement,
            kind=SupportTask.Kind.RETENTION_CHECK,
            title_key=TaskTitle.RETENTION_CHECK,
            due=due + datetime.timedelta(days=7),
        )
    elif milestone == "day_365":
        _task(
            scope,
            event,
            placement,
            kind=SupportTask.Kind.STEP_DOWN_REVIEW,
            title_key=TaskTitle.STEP_DOWN_ONE_YEAR,
            due=due + datetime.timedelta(days=14),
        )


@handles("placement.ended", name="placements.support_after_job_end")
def support_after_job_end(event: OutboxEvent) -> None:
    scope = _scope(event)
    # The job seeker may go back to job search below: lock them FOR UPDATE from the start.
    placement = services.placement_lock(scope, event.payload["placement_id"], job_seeker_for_update=True)
    end_date = placement.end_date
    _task(
        scope,
        event,
        placement,
        kind=SupportTask.Kind.JOB_END_CONTACT,
        title_key=TaskTitle.JOB_END_CONTACT,
        # The scale counts from learning of the job loss: a job end recorded late
        # gives its days from the day it was recorded.
        due=max(end_date, _event_day(scope, event))
        + datetime.timedelta(days=placement.organisation.job_end_contact_days),
    )
    _task(
        scope,
        event,
        placement,
        kind=SupportTask.Kind.JOB_END_REPORT,
        title_key=TaskTitle.JOB_END_REPORT,
        due=end_date + datetime.timedelta(days=7),
    )
    services.follow_along_end(scope=scope, placement_id=placement.pk)
    services.support_tasks_close_for_ended_job(scope=scope, placement_id=placement.pk)
    still_working = placement.job_seeker.placements.filter(status=Placement.Status.ACTIVE).exists()
    # A person who closed their file meanwhile is not put back into job search.
    if not still_working and placement.job_seeker.status != JobSeeker.Status.CLOSED:
        reason = str(placement.get_end_reason_display())
        crm_services.job_seeker_reenter_job_search(
            scope=scope,
            job_seeker_id=placement.job_seeker_id,
            on=end_date,
            note=_("Job ended: %(reason)s") % {"reason": reason},
            dedup_key=f"jobseeker:{placement.job_seeker_id}:reentry:placement:{placement.pk}",
        )


@handles("accommodation.status_changed", name="placements.follow_up_accommodation")
def follow_up_accommodation(event: OutboxEvent) -> None:
    """The follow-up of the adjustment's *current* step: changes made in quick
    succession may be handled in any order, and a handler running late must not plan a
    step the adjustment has already passed."""
    scope = _scope(event)
    services.placement_lock(scope, event.payload["placement_id"])
    accommodation = Accommodation.objects.select_for_update().get(pk=event.payload["accommodation_id"])
    follow_up = ACCOMMODATION_FOLLOW_UPS.get(accommodation.status)
    current_key = follow_up[0] if follow_up else None
    # Open steps about an earlier stage of this adjustment are now out of date.
    open_tasks = accommodation.support_tasks.filter(status=SupportTask.Status.OPEN)
    out_of_date = open_tasks.exclude(title_key=current_key) if current_key else open_tasks
    out_of_date.close(SupportTask.Status.CANCELLED, cancel_reason=_("The adjustment moved on."))
    # The event that brought the adjustment to its current step plans that step's
    # follow-up (once), dated from when it happened.
    if follow_up and event.payload["to"] == accommodation.status and not open_tasks.filter(title_key=current_key):
        title_key, days = follow_up
        services.support_task_create(
            scope=scope,
            job_seeker_id=accommodation.placement.job_seeker_id,
            placement_id=accommodation.placement_id,
            accommodation_id=accommodation.pk,
            kind=SupportTask.Kind.ACCOMMODATION,
            title_key=title_key,
            params={"what": accommodation.description},
            due_date=_event_day(scope, event) + datetime.timedelta(days=days),
            source_event=event,
        )


@handles("benefits.step_changed", name="placements.follow_up_benefits")
def follow_up_benefits(event: OutboxEvent) -> None:
    """Like accommodations: decided on the step's current status, whatever the order."""
    scope = _scope(event)
    job_seeker_id = event.payload["job_seeker_id"]
    if event.payload["placement_id"]:
        services.placement_lock(scope, event.payload["placement_id"])
    else:
        services.job_seeker_hold(scope, job_seeker_id)
    step = BenefitsStep.objects.select_for_update().get(pk=event.payload["benefits_step_id"])
    day = _event_day(scope, event)
    open_tasks = step.support_tasks.filter(status=SupportTask.Status.OPEN)
    if step.is_finished:
        done_on = step.completed_on or day
        open_tasks.close(SupportTask.Status.DONE, completed_on=done_on, completion_note=str(step.get_status_display()))
        return
    if (
        step.status == BenefitsStep.Status.REFERRED
        and event.payload["to"] == step.status
        and step.placement_id is not None
        and not open_tasks.filter(title_key=TaskTitle.BENEFITS_SESSION_CHECK).exists()
    ):
        services.support_task_create(
            scope=scope,
            job_seeker_id=step.job_seeker_id,
            placement_id=step.placement_id,
            benefits_step_id=step.pk,
            kind=SupportTask.Kind.BENEFITS_PLANNING,
            title_key=TaskTitle.BENEFITS_SESSION_CHECK,
            due_date=day + datetime.timedelta(days=14),
            source_event=event,
        )


@handles("jobseeker.reassigned", name="placements.hand_over_open_tasks")
def hand_over_open_tasks(event: OutboxEvent) -> None:
    """The previous specialist's open tasks for this person go to their specialist now
    (the current one, not the payload's: reassignments handled out of order still end
    with the last one)."""
    services.support_tasks_hand_over(
        scope=_scope(event),
        job_seeker_id=event.payload["job_seeker_id"],
        from_specialist_id=event.payload["from_specialist_id"],
    )
