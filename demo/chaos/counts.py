"""What the database holds for a chaos run, against what the driver's calls imply."""

from collections import Counter

from crm import events
from crm.models import EventHandling, JobSeeker, OutboxEvent
from demo.chaos.checker import KindResult, compare
from demo.chaos.driver import Outcome
from integrations.webhooks.models import WebhookDelivery
from placements.models import BenefitsStep, FollowAlongPlan, Placement, PlacementMilestone, SupportTask

MILESTONES = 6
WEBHOOK_TOPICS_ALL = True


def pending(organisation) -> tuple[int, int]:
    """(events not yet handled, webhook deliveries not yet delivered) of the program."""
    events_left = OutboxEvent.objects.filter(organisation=organisation, status=OutboxEvent.Status.PENDING).count()
    deliveries_left = (
        WebhookDelivery.objects.filter(subscription__organisation=organisation)
        .exclude(status=WebhookDelivery.Status.SUCCEEDED)
        .count()
    )
    return events_left, deliveries_left


def results(organisation, outcome: Outcome, received: Counter) -> list[KindResult]:
    records = [r for r in outcome.records if r.placement_id]
    by_id = {r.placement_id: r for r in records}
    placements = {p.pk: p for p in Placement.objects.filter(organisation=organisation)}
    sure = [r for r in records if not r.ambiguous]
    out = []

    # Events: one per successful call (placement topics), one re-entry per job end.
    expected = Counter()
    for r in sure:
        for topic, count in r.succeeded.items():
            expected[(r.placement_id, topic)] += count
    found = Counter(
        (e.aggregate_id, e.topic)
        for e in OutboxEvent.objects.filter(organisation=organisation, aggregate_type="placement").exclude(
            topic__in=["placement.milestone_reached", "benefits.step_changed", "accommodation.status_changed"]
        )
        if e.aggregate_id in {r.placement_id for r in sure}
    )
    out.append(compare("events (service calls)", expected, found))

    reentries = Counter((r.job_seeker_id, "re-entry") for r in sure if r.succeeded.get("placement.ended"))
    found = Counter(
        (e.aggregate_id, "re-entry")
        for e in OutboxEvent.objects.filter(
            organisation=organisation, topic="jobseeker.enrolled", payload__reentry=True
        )
    )
    out.append(compare("events (job search re-entry)", reentries, found))

    # Milestones: six rows per started job; each reached one emitted exactly once; every
    # milestone due by now of a job still working reached.
    started = [r for r in sure if r.succeeded.get("placement.started")]
    expected = Counter({(r.placement_id, "row"): MILESTONES for r in started})
    found = Counter(
        (m.placement_id, "row") for m in PlacementMilestone.objects.filter(placement__organisation=organisation)
    )
    out.append(compare("milestone rows", expected, found))
    milestones = list(
        PlacementMilestone.objects.filter(placement__organisation=organisation).select_related("placement")
    )
    expected = Counter(
        (m.placement_id, m.name)
        for m in milestones
        if m.reached_at is not None
        or (m.placement.status == Placement.Status.ACTIVE and m.due_date <= _today(organisation))
    )
    found = Counter(
        (e.aggregate_id, e.payload["milestone"])
        for e in OutboxEvent.objects.filter(organisation=organisation, topic="placement.milestone_reached")
    )
    out.append(compare("milestone events", expected, found))

    # Every event handled, each of its handlers exactly once, succeeded.
    all_events = list(OutboxEvent.objects.filter(organisation=organisation))
    expected = Counter((e.pk, s.name) for e in all_events for s in events.handlers_for(e.topic))
    found = Counter(
        EventHandling.objects.filter(
            event__organisation=organisation, status=EventHandling.Status.SUCCEEDED
        ).values_list("event_id", "handler")
    )
    out.append(compare("handlers run (succeeded)", expected, found))
    expected = Counter((e.pk, "handled") for e in all_events)
    found = Counter((e.pk, e.status) for e in all_events)
    out.append(compare("events handled", expected, found))

    # Follow-along: an active job has exactly one open contact; an ended one none, and
    # its face-to-face contact and job-end report once each.
    tasks = list(SupportTask.objects.filter(organisation=organisation, placement__isnull=False))
    expected, found = Counter(), Counter()
    for p in placements.values():
        if p.status == Placement.Status.ACTIVE:
            expected[(p.pk, "open follow-along contact")] += 1
        if p.status == Placement.Status.ENDED:
            expected[(p.pk, "job-end contact")] += 1
            expected[(p.pk, "job-end report")] += 1
    # An overdue contact stays open (the team sees it) while the hourly job plans the
    # next: an active job has at least one open contact and at most one upcoming.
    today = _today(organisation)
    open_contacts, upcoming = Counter(), Counter()
    for t in tasks:
        if t.kind == SupportTask.Kind.FOLLOW_ALONG and t.status == SupportTask.Status.OPEN:
            open_contacts[t.placement_id] += 1
            upcoming[t.placement_id] += t.due_date >= today
    for placement_id in open_contacts:
        found[(placement_id, "open follow-along contact")] += 1 + max(0, upcoming[placement_id] - 1)
    for t in tasks:
        if t.kind == SupportTask.Kind.JOB_END_CONTACT:
            found[(t.placement_id, "job-end contact")] += 1
        elif t.kind == SupportTask.Kind.JOB_END_REPORT:
            found[(t.placement_id, "job-end report")] += 1
    out.append(compare("follow-along tasks", expected, found))

    # Plan states: active job, active plan; ended job, ended plan (or none if never started).
    expected = Counter()
    for p in placements.values():
        if p.status == Placement.Status.ACTIVE:
            expected[(p.pk, str(FollowAlongPlan.Status.ACTIVE))] += 1
        elif p.status == Placement.Status.ENDED:
            expected[(p.pk, str(FollowAlongPlan.Status.ENDED))] += 1
    found = Counter(
        FollowAlongPlan.objects.filter(placement__organisation=organisation).values_list("placement_id", "status")
    )
    out.append(compare("follow-along plan states", expected, found))

    # Benefits steps: one re-check per terms change; one before the start unless the
    # offer's handler found the job already ended; each with its one planning task.
    offer_handled_at = dict(
        EventHandling.objects.filter(
            event__organisation=organisation, handler="placements.plan_steps_before_the_start"
        ).values_list("event__aggregate_id", "updated_at")
    )
    ended_at = dict(
        OutboxEvent.objects.filter(organisation=organisation, topic="placement.ended").values_list(
            "aggregate_id", "occurred_at"
        )
    )
    expected = Counter()
    for r in sure:
        expected[(r.placement_id, str(BenefitsStep.Reason.TERMS_CHANGED))] += r.succeeded.get(
            "placement.terms_changed", 0
        )
        handled, ended = offer_handled_at.get(r.placement_id), ended_at.get(r.placement_id)
        if handled is not None and (ended is None or handled < ended):
            expected[(r.placement_id, str(BenefitsStep.Reason.BEFORE_START))] += 1
    steps = list(
        BenefitsStep.objects.filter(organisation=organisation, placement_id__in=[r.placement_id for r in sure])
    )
    found = Counter((s.placement_id, s.reason) for s in steps)
    out.append(compare("benefits steps", +expected, found))
    expected = Counter((s.pk, "planning task") for s in steps)
    found = Counter(
        (t.benefits_step_id, "planning task")
        for t in tasks
        if t.benefits_step_id and t.kind == SupportTask.Kind.BENEFITS_PLANNING
    )
    out.append(compare("benefits planning tasks", expected, found))

    # Webhooks: one delivery row per event of a subscribed topic, delivered, and each
    # webhook id received by the partner (a redelivery of the same id is allowed:
    # partners deduplicate by webhook-id, counted below).
    from integrations.webhooks import payloads

    expected = Counter((e.pk, "delivery") for e in all_events if e.topic in payloads.TOPICS)
    deliveries = list(WebhookDelivery.objects.filter(subscription__organisation=organisation))
    found = Counter((d.event_id, "delivery") for d in deliveries)
    out.append(compare("webhook delivery rows", expected, found))
    expected = Counter({d.webhook_id: 1 for d in deliveries})
    found = Counter({d.webhook_id: 1 for d in deliveries if d.status == WebhookDelivery.Status.SUCCEEDED})
    out.append(compare("webhook deliveries delivered", expected, found))
    found = Counter({webhook_id: 1 for webhook_id in received if webhook_id in expected})
    result = compare("webhooks received (distinct ids)", expected, found)
    out.append(result)
    again = sum(count - 1 for webhook_id, count in received.items() if count > 1)
    result.problems += []  # redeliveries are at-least-once by design; reported in the notes
    result.kind += f" [+{again} redelivered]" if again else ""

    # Final states, from the driver's successful calls.
    expected, found = Counter(), Counter()
    people = dict(JobSeeker.objects.filter(organisation=organisation).values_list("pk", "status"))
    for r in sure:
        if r.succeeded.get("placement.ended"):
            status, person = Placement.Status.ENDED, JobSeeker.Status.JOB_SEARCH
        elif r.succeeded.get("placement.started"):
            status, person = Placement.Status.ACTIVE, JobSeeker.Status.WORKING
        else:
            status, person = Placement.Status.OFFER_ACCEPTED, JobSeeker.Status.JOB_SEARCH
        expected[(r.placement_id, "placement", status)] += 1
        expected[(r.job_seeker_id, "job seeker", person)] += 1
        found[(r.placement_id, "placement", placements[r.placement_id].status)] += 1
        found[(r.job_seeker_id, "job seeker", people[r.job_seeker_id])] += 1
    out.append(compare("final states", expected, found))

    raised = compare("calls raising to the caller", Counter(), Counter(outcome.raised))
    out.append(raised)
    del by_id
    return out


def _today(organisation):
    from crm import clock

    return clock.program_today(organisation)
