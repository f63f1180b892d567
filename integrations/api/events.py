"""The events feed: which OutboxEvents a caller may read, and what of their payload.

Staff with a program-wide scope read the program's events (crm.access's rule for
OutboxEvent), their internal payloads without notes; other staff read none (payloads
name people across caseloads). A partner with `events:read` reads only the topics
integrations.api.disclosure allow-lists (PARTNER_TOPICS), about job seekers it sees
under a consent covering the topic's area (`jobseeker.enrolled` and `placement.*`
progress, `accommodation.*` support, `benefits.*` benefits) while it holds the
topic's grant; and their allow-listed payloads only, the same the webhooks send.

For a partner, an event counts for its incremental sync from the later of its
recording and the last change of the partner's consents about the person
(`sync_at`), so a consent recorded later shows the older events once, after the
partner's cursor."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest

from crm.access import AccessScope, PartnerScope, rows
from crm.models import JobSeeker, OutboxEvent
from placements.models import Placement

from .disclosure import PARTNER_TOPICS, consent_changed, partner_payload, staff_payload
from .grants import grants_of


def events_visible(scope: AccessScope) -> QuerySet[OutboxEvent]:
    if not isinstance(scope, PartnerScope):
        return rows(scope, OutboxEvent).annotate(sync_at=F("created_at"))
    grants = grants_of(scope)
    shared = Q(pk__in=[])
    for name, topic in PARTNER_TOPICS.items():
        if topic.grant not in grants:
            continue
        people = JobSeeker.objects.filter(scope.caseload(shared=topic.cover)).values("pk")
        jobs = Placement.objects.filter(job_seeker_id__in=people).values("pk")
        about = Q(aggregate_type="jobseeker", aggregate_id__in=people) | Q(
            aggregate_type="placement", aggregate_id__in=jobs
        )
        shared |= Q(topic=name, payload_version=topic.internal_version) & about
    events = OutboxEvent.objects.filter(shared, organisation_id=scope.organisation_id)
    # Whose job a placement event is about, for payloads that name the job only.
    job_seeker = Placement.objects.filter(pk=OuterRef("aggregate_id")).values("job_seeker_id")[:1]
    placement_job_seeker = Case(
        When(aggregate_type="placement", then=Subquery(job_seeker)), default=Value(None), output_field=IntegerField()
    )
    return events.annotate(sync_at=_sync_at(scope), placement_job_seeker_id=placement_job_seeker)


def _sync_at(scope: PartnerScope):
    """The later of the event's recording and the last change of this partner's
    consents about the person the event is about."""
    about_person = consent_changed(scope, "aggregate_id")
    about_job = consent_changed(scope, "aggregate_id", via="job_seeker__placements__id")
    changed = Case(
        When(aggregate_type="jobseeker", then=about_person),
        When(aggregate_type="placement", then=about_job),
        default=Value(None),
        output_field=OutboxEvent._meta.get_field("created_at"),
    )
    return Greatest("created_at", Coalesce(changed, "created_at"))


def external_payload(event: OutboxEvent, scope: AccessScope) -> dict:
    """What `scope` reads of the event's payload: partners the allow-listed payload
    (nothing for a topic without one), staff the internal one without notes."""
    if isinstance(scope, PartnerScope):
        return partner_payload(event) or {}
    return staff_payload(event.payload or {})
