"""The events feed: which OutboxEvents a caller may read, and what of their payload.

Staff with a program-wide scope read the program's events (crm.access's rule for
OutboxEvent); other staff read none (payloads name people across caseloads). A
partner with `events:read` reads the events about job seekers it sees under the rule
of the topic's area (grants.TOPIC_AREAS): `jobseeker.*` for people it referred or
holds a consent about, `placement.*` under a consent covering progress,
`accommodation.*` support, `benefits.*` benefits; and it must hold the area's read
grant too. Payloads keep ids and facts: never a note, and for partners no staff,
employer or contact ids."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from crm.access import AccessScope, PartnerScope, rows
from crm.models import JobSeeker, OutboxEvent
from placements.models import Placement

from .grants import TOPIC_AREAS, grants_of

ALWAYS_HIDDEN = ("note", "comment")
HIDDEN_FROM_PARTNERS = ("specialist", "employer", "contact", "actor", "user", "site", "opening")


def events_visible(scope: AccessScope) -> QuerySet[OutboxEvent]:
    if not isinstance(scope, PartnerScope):
        return rows(scope, OutboxEvent)
    grants = grants_of(scope)
    shared = Q(pk__in=[])
    for prefix, (grant, cover) in TOPIC_AREAS.items():
        if grant not in grants:
            continue
        people = JobSeeker.objects.filter(scope.caseload(shared=cover)).values("pk")
        jobs = Placement.objects.filter(job_seeker_id__in=people).values("pk")
        about = Q(aggregate_type="jobseeker", aggregate_id__in=people) | Q(
            aggregate_type="placement", aggregate_id__in=jobs
        )
        shared |= Q(topic__startswith=prefix) & about
    return OutboxEvent.objects.filter(shared, organisation_id=scope.organisation_id)


def _hidden(key: str, partner: bool) -> bool:
    key = key.lower()
    if any(word in key for word in ALWAYS_HIDDEN):
        return True
    return partner and any(word in key for word in HIDDEN_FROM_PARTNERS)


def _reduce(value, partner: bool):
    if isinstance(value, dict):
        return {key: _reduce(item, partner) for key, item in value.items() if not _hidden(key, partner)}
    if isinstance(value, list):
        return [_reduce(item, partner) for item in value]
    return value


def external_payload(event: OutboxEvent, scope: AccessScope) -> dict:
    return _reduce(event.payload or {}, isinstance(scope, PartnerScope))
