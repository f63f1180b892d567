"""/api/v1/events/: the domain events a caller may read (integrations.api.events),
read-only, paged by (created_at, id) like every list."""

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
        "start_date": "2026-11-23",
        "hours_per_week": "20.00",
        "hourly_pay": "11.88",
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
        description="Program admins: every event of the program. Partners (`events:read`): events about the people "
        "they see, by topic area and consent (`placement.*` under a consent covering progress and the "
        "`placements:read` grant, `accommodation.*` support, `benefits.*` benefits, `jobseeker.*` the person's "
        "own record). Payloads carry ids and facts, never notes. `updated_since` filters on the time the event was "
        "recorded.",
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
    sync_field = "created_at"
    http_method_names = ["get", "head", "options"]

    def visible(self, scope):
        return events_visible(scope)

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())


ROUTES = [("events", EventViewSet, "event")]
