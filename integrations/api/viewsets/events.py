"""/api/v1/events/: the domain events a caller may read (integrations.api.events),
read-only, paged by (sync_at, id): the event's recording, or for a partner the later
change of its consents about the person (a consent recorded later shows the older
events once, after the partner's cursor)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from crm.models import OutboxEvent

from ..base import ScopedViewSet
from ..events import events_visible
from ..grants import EVENTS_READ
from ..serializers.jobseekers import EventSerializer

EVENT_EXAMPLE = {
    "id": 981,
    "topic": "placement.started",
    "payload_version": 1,
    "aggregate_type": "placement",
    "aggregate_id": 77,
    "occurred_at": "2026-11-23T08:00:00Z",
    "payload": {
        "placement_id": 77,
        "job_seeker_id": 42,
        "status": "active",
        "start_date": "2026-11-23",
    },
}


class EventFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(
        field_name="topic", lookup_expr="startswith", help_text="A topic or its start, e.g. `placement.`."
    )

    class Meta:
        model = OutboxEvent
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="List events",
        description="Program admins: every event of the program, its recorded payload without notes. Partners "
        "(`events:read`): only the topics shared with partners, about the people whose consent in force covers the "
        "topic's area, with the topic's grant (`jobseeker.enrolled` and `placement.*`: progress and "
        "`placements:read`; `accommodation.*`: support and `support:read`; `benefits.*`: "
        "benefits and `benefits:read`), and their partner payload: the one the webhooks send (ids, dates, statuses, "
        "milestones; never pay, hours, notes, benefits, disclosure, employer or a reason for a job's end beyond its "
        "kind). `updated_since` and the order: the time the event was recorded, or for a partner the later change "
        "of its consents about the person, so an event newly shared by a consent comes once after your cursor "
        "(dedupe on `id`).",
        examples=[OpenApiExample("An event", value=EVENT_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Read an event", examples=[OpenApiExample("An event", value=EVENT_EXAMPLE, response_only=True)]
    ),
)
class EventViewSet(ScopedViewSet):
    grants = {"read": EVENTS_READ}
    serializer_class = EventSerializer
    filterset_class = EventFilter
    sync_field = "sync_at"
    http_method_names = ["get", "head", "options"]

    def visible(self, scope):
        return events_visible(scope)

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())


ROUTES = [("events", EventViewSet, "event")]
