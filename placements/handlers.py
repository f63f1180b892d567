"""What placement events do: the IPS follow-along, accommodation and benefits steps.

Each handler runs inside the dispatcher's transaction together with the record of its
success, so a redelivered event never creates its tasks twice. Defaults follow the
IPS Fidelity Scale (see shared/ips-reference.md)."""

import datetime

from django.utils.translation import gettext as _

from crm import services as crm_services
from crm.events import handles
from crm.models import JobSeeker, OutboxEvent
from placements.models import Accommodation, BenefitsStep, FollowAlongPlan, Placement, SupportTask
from placements.services import benefits_step_create, follow_along_schedule_next

BENEFITS_NEEDED = (JobSeeker.Benefits.YES, JobSeeker.Benefits.UNKNOWN)
DISCLOSURE_LABELS = dict(JobSeeker.Disclosure.choices)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _placement(event: OutboxEvent) -> Placement:
    return Placement.objects.select_related("job_seeker", "employer", "organisation").get(
        pk=event.payload["placement_id"]
    )


def _task(event: OutboxEvent, placement: Placement, *, kind: str, title: str, due: datetime.date, **extra):
    return SupportTask.objects.create(
        organisation_id=placement.organisation_id,
        job_seeker_id=placement.job_seeker_id,
        placement=placement,
        kind=kind,
        title=title,
        due_date=due,
        owner_id=placement.job_seeker.specialist_id,
        source_event=event,
        **extra,
    )


@handles("placement.offer_accepted")
def plan_steps_before_the_start(event: OutboxEvent) -> None:
    placement = _placement(event)
    job_seeker = placement.job_seeker
    offer_date = placement.offer_date
    start = placement.expected_start_date
    # Due before the start when it is known, otherwise within a week of the offer.
    before_start = max(offer_date, start - datetime.timedelta(days=1)) if start else offer_date + datetime.timedelta(7)
    soon = min(before_start, offer_date + datetime.timedelta(days=3))
    name = job_seeker.full_name
    if job_seeker.receives_benefits in BENEFITS_NEEDED:
        step = benefits_step_create(
            job_seeker=job_seeker, placement=placement, reason=BenefitsStep.Reason.BEFORE_START, offered_on=offer_date
        )
        _task(
            event,
            placement,
            kind=SupportTask.Kind.BENEFITS_PLANNING,
            title=_("Work incentives planning before the start (%(name)s)") % {"name": name},
            due=before_start,
            benefits_step=step,
        )
    preference = DISCLOSURE_LABELS[job_seeker.disclosure_preference]
    _task(
        event,
        placement,
        kind=SupportTask.Kind.DISCLOSURE_CONVERSATION,
        title=_("Talk about disclosure with %(name)s (recorded preference: %(preference)s)")
        % {"name": name, "preference": preference},
        due=soon,
    )
    _task(
        event,
        placement,
        kind=SupportTask.Kind.ACCOMMODATION,
        title=_("Talk with %(name)s about workplace adjustments they may need") % {"name": name},
        due=before_start,
    )
    # Events of one placement may be handled in any order: once the job has started,
    # the pre-start contact is overtaken by the follow-along schedule.
    if placement.status == Placement.Status.OFFER_ACCEPTED:
        _task(
            event,
            placement,
            kind=SupportTask.Kind.FOLLOW_ALONG,
            title=_("Follow-along contact with %(name)s in the week before the start") % {"name": name},
            due=before_start,
        )


@handles("placement.started")
def start_follow_along(event: OutboxEvent) -> None:
    placement = Placement.objects.select_related("job_seeker", "organisation").get(pk=event.payload["placement_id"])
    if placement.status == Placement.Status.ENDED:  # the end was handled first
        FollowAlongPlan.objects.get_or_create(placement=placement, defaults={"status": FollowAlongPlan.Status.ENDED})
        return
    plan, _created = FollowAlongPlan.objects.get_or_create(placement=placement)
    placement.follow_along_plan = plan
    # A pre-start contact still open is overtaken by the start itself.
    placement.support_tasks.filter(kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN).close(
        SupportTask.Status.CANCELLED, cancel_reason=_("The job has started.")
    )
    follow_along_schedule_next(placement=placement, earliest=placement.start_date, source_event=event)


@handles("placement.terms_changed")
def recheck_benefits(event: OutboxEvent) -> None:
    placement = _placement(event)
    if placement.job_seeker.receives_benefits not in BENEFITS_NEEDED:
        return
    effective_on = _date(event.payload["effective_on"])
    step = benefits_step_create(
        job_seeker=placement.job_seeker,
        placement=placement,
        reason=BenefitsStep.Reason.TERMS_CHANGED,
        offered_on=effective_on,
    )
    _task(
        event,
        placement,
        kind=SupportTask.Kind.BENEFITS_PLANNING,
        title=_("Benefits re-check: hours or pay changed (%(name)s)") % {"name": placement.job_seeker.full_name},
        due=effective_on + datetime.timedelta(days=7),
        benefits_step=step,
    )


@handles("placement.milestone_reached")
def act_on_milestone(event: OutboxEvent) -> None:
    placement = _placement(event)
    if placement.status != Placement.Status.ACTIVE:
        return
    milestone = event.payload["milestone"]
    due = _date(event.payload["due_date"])
    name = placement.job_seeker.full_name
    if milestone == "day_30":
        _task(
            event,
            placement,
            kind=SupportTask.Kind.ACCOMMODATION,
            title=_("Review workplace adjustments after the first month (%(name)s)") % {"name": name},
            due=due + datetime.timedelta(days=7),
        )
    elif milestone == "day_90":
        _task(
            event,
            placement,
            kind=SupportTask.Kind.RETENTION_CHECK,
            title=_("13-week retention check with %(name)s") % {"name": name},
            due=due + datetime.timedelta(days=7),
        )
    elif milestone == "day_365":
        _task(
            event,
            placement,
            kind=SupportTask.Kind.STEP_DOWN_REVIEW,
            title=_("One year in the job: review follow-along and a possible step-down with %(name)s") % {"name": name},
            due=due + datetime.timedelta(days=14),
        )


@handles("placement.ended")
def support_after_job_end(event: OutboxEvent) -> None:
    placement = _placement(event)
    end_date = _date(event.payload["end_date"])
    reason = str(Placement.EndReason(event.payload["end_reason"]).label)
    name = placement.job_seeker.full_name
    _task(
        event,
        placement,
        kind=SupportTask.Kind.JOB_END_CONTACT,
        title=_("See %(name)s face to face after the job ended") % {"name": name},
        due=end_date + datetime.timedelta(days=placement.organisation.job_end_contact_days),
    )
    _task(
        event,
        placement,
        kind=SupportTask.Kind.JOB_END_REPORT,
        title=_("Write the job-end report (%(name)s)") % {"name": name},
        due=end_date + datetime.timedelta(days=7),
    )
    placement.support_tasks.filter(kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN).close(
        SupportTask.Status.CANCELLED, cancel_reason=(_("Job ended: %(reason)s") % {"reason": reason})[:300]
    )
    FollowAlongPlan.objects.filter(placement=placement).update(
        status=FollowAlongPlan.Status.ENDED, status_reason=reason
    )
    still_working = placement.job_seeker.placements.filter(status=Placement.Status.ACTIVE).exists()
    if not still_working:
        crm_services.job_seeker_reenter_job_search(
            job_seeker=placement.job_seeker,
            on=end_date,
            actor=event.actor,
            note=_("Job ended: %(reason)s") % {"reason": reason},
            dedup_key=f"jobseeker:{placement.job_seeker_id}:reentry:placement:{placement.pk}",
        )


@handles("accommodation.status_changed")
def follow_up_accommodation(event: OutboxEvent) -> None:
    accommodation = Accommodation.objects.select_related("placement__job_seeker").get(
        pk=event.payload["accommodation_id"]
    )
    placement = accommodation.placement
    today = event.occurred_at.date()
    follow_ups = {
        Accommodation.Status.IDENTIFIED: (_("Discuss the adjustment “%(what)s” with the worker"), 7),
        Accommodation.Status.REQUESTED: (_("Check the employer's answer on “%(what)s”"), 7),
        Accommodation.Status.IN_PLACE: (_("Review with the worker whether “%(what)s” works"), 30),
    }
    if event.payload["to"] in follow_ups:
        title, days = follow_ups[event.payload["to"]]
        _task(
            event,
            placement,
            kind=SupportTask.Kind.ACCOMMODATION,
            title=title % {"what": accommodation.description},
            due=today + datetime.timedelta(days=days),
            accommodation=accommodation,
        )
    # Open steps about an earlier stage of this adjustment are now out of date.
    accommodation.support_tasks.filter(status=SupportTask.Status.OPEN).exclude(source_event=event).close(
        SupportTask.Status.CANCELLED, cancel_reason=_("The adjustment moved on.")
    )


@handles("benefits.step_changed")
def follow_up_benefits(event: OutboxEvent) -> None:
    step = BenefitsStep.objects.select_related("job_seeker", "placement").get(pk=event.payload["benefits_step_id"])
    today = event.occurred_at.date()
    if event.payload["to"] == BenefitsStep.Status.REFERRED and step.placement is not None:
        _task(
            event,
            step.placement,
            kind=SupportTask.Kind.BENEFITS_PLANNING,
            title=_("Check that the benefits counselling session took place (%(name)s)")
            % {"name": step.job_seeker.full_name},
            due=today + datetime.timedelta(days=14),
            benefits_step=step,
        )
    if event.payload["to"] in (BenefitsStep.Status.PLAN_IN_PLACE, BenefitsStep.Status.DECLINED):
        step.support_tasks.filter(status=SupportTask.Status.OPEN).close(
            SupportTask.Status.DONE, completed_on=today, completion_note=step.get_status_display()
        )
