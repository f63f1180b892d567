"""/api/v1/tombstones/: what an incremental sync must drop since a time (records
deleted; for partners also what a consent withdrawn or expired stopped sharing)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from crm.models import JobSeeker

from ..base import ScopedViewSet
from ..pagination import parse_instant, settled_until
from ..problems import BadRequest
from ..serializers.jobseekers import TombstoneSerializer
from ..tombstones import tombstones_since

LIMIT = 500

TOMBSTONES_EXAMPLE = {
    "until": "2026-11-30T09:00:00Z",
    "next": None,
    "results": [
        {
            "resource_type": "placement",
            "object_id": 77,
            "job_seeker_id": 42,
            "reason": "deleted",
            "happened_at": "2026-11-28T10:12:00Z",
            "lost": [],
        },
        {
            "resource_type": "job_seeker",
            "object_id": 42,
            "job_seeker_id": 42,
            "reason": "consent_withdrawn",
            "happened_at": "2026-11-29T15:40:00Z",
            "lost": ["progress", "support"],
        },
    ],
}


class OnePageSchema(AutoSchema):
    """The answer is one object (until, next, results), not a list of them."""

    def _is_list_view(self, serializer=None):
        return False


class TombstoneViewSet(ScopedViewSet):
    schema = OnePageSchema()
    # Any caller with valid credentials: a partner reads only its own tombstones.
    grants = {"read": "jobseekers:read"}
    serializer_class = TombstoneSerializer
    model = JobSeeker
    pagination_class = None
    http_method_names = ["get", "head", "options"]

    def required_grant(self, request):
        return None if not hasattr(request.auth, "partner_id") else self._partner_grant(request.auth)

    @staticmethod
    def _partner_grant(scope):
        # Any read grant lets a partner learn what it must drop.
        held = set(scope.grants)
        for grant in ("jobseekers:read", "placements:read", "support:read", "benefits:read", "events:read"):
            if grant in held:
                return grant
        return "jobseekers:read"

    def visible(self, scope):
        return JobSeeker.objects.none()

    @extend_schema(
        summary="List what to drop since a time",
        description="Records deleted since `since` (all callers), and for partners the people or areas "
        f"(`lost`: job_seeker, progress, support, benefits) a consent withdrawn or expired stopped sharing. Oldest "
        f"first, at most {LIMIT}; `next` continues. Deletions are kept API_TOMBSTONE_DAYS days (default 90). "
        "Applying an entry twice is harmless; the last entry may be repeated on the next page.",
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.DATETIME, OpenApiParameter.QUERY, required=True, description="ISO 8601 instant."
            )
        ],
        responses={
            200: inline_serializer(
                "TombstonePage",
                fields={
                    "until": serializers.DateTimeField(
                        help_text="The time of this answer: use it as `since` next time (when `next` is null)."
                    ),
                    "next": serializers.URLField(allow_null=True),
                    "results": TombstoneSerializer(many=True),
                },
            )
        },
        examples=[OpenApiExample("Tombstones", value=TOMBSTONES_EXAMPLE, response_only=True)],
    )
    def list(self, request):
        raw = request.query_params.get("since")
        if not raw:
            raise BadRequest(_("since is required: the time of your last sync (ISO 8601 with offset)."))
        since = parse_instant(raw, "since")
        until = settled_until()
        entries, more = tombstones_since(self.scope, since, limit=LIMIT, until=until)
        next_link = None
        if more and entries:
            next_link = replace_query_param(request.build_absolute_uri(), "since", entries[-1].happened_at.isoformat())
        return Response(
            {
                "until": until,
                "next": next_link,
                "results": TombstoneSerializer([entry.__dict__ for entry in entries], many=True).data,
            }
        )


ROUTES = [("tombstones", TombstoneViewSet, "tombstone")]
