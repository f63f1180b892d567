"""/api/v1/tombstones/: what an incremental sync must drop since a time (records
deleted; for partners also what a consent withdrawn or expired stopped sharing)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from crm.models import JobSeeker

from ..base import ScopedViewSet
from ..pagination import parse_instant, settled_until
from ..serializers.jobseekers import TombstoneSerializer
from ..tombstones import decode_cursor, encode_cursor, tombstones_page

LIMIT = 500

TOMBSTONES_EXAMPLE = {
    "until": "2026-11-30T09:00:00Z",
    "next": None,
    "cursor": "WyIyMDI2LTExLTMwVDA5OjAwOjAwKzAwOjAwIiwiIiwwXQ:1xY1Ig:MB_iI4",
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
    """The answer is one object (until, next, cursor, results), not a list of them."""

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
        description="Records deleted (staff: in the caseloads they read and the program's shared records), and "
        "for partners the records deleted that they saw then and the people or areas "
        f"(`lost`: job_seeker, progress, support, benefits) a consent withdrawn or expired stopped sharing. In the "
        f"order (happened_at, resource_type, object_id), at most {LIMIT} per answer; `next` continues. Start with "
        "`since`; keep the last answer's `cursor` and send it next time to receive exactly what came after. "
        "Deletions are kept API_TOMBSTONE_DAYS days (default 90).",
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                OpenApiParameter.QUERY,
                required=False,
                description="ISO 8601 instant: entries at or after it. Without it or `cursor`: every entry still "
                "kept (API_TOMBSTONE_DAYS).",
            ),
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                description="Continue after the position a previous answer returned (opaque).",
            ),
        ],
        responses={
            200: inline_serializer(
                "TombstonePage",
                fields={
                    "until": serializers.DateTimeField(
                        help_text="The time of this answer: entries up to it are settled (a later sync may start "
                        "`since` it)."
                    ),
                    "next": serializers.URLField(
                        allow_null=True, help_text="The next page while more entries are there now; null on the last."
                    ),
                    "cursor": serializers.CharField(
                        help_text="The position after this answer (its last entry, or `until` on the last page): "
                        "send it as ?cursor= to continue."
                    ),
                    "results": TombstoneSerializer(many=True),
                },
            )
        },
        examples=[OpenApiExample("Tombstones", value=TOMBSTONES_EXAMPLE, response_only=True)],
    )
    def list(self, request):
        raw_since = request.query_params.get("since")
        raw_cursor = request.query_params.get("cursor")
        since = parse_instant(raw_since, "since") if raw_since is not None else None
        if since is None and not raw_cursor:
            # A first sync: everything still kept (API_TOMBSTONE_DAYS).
            since = timezone.now() - datetime.timedelta(days=settings.API_TOMBSTONE_DAYS)
        after = decode_cursor(raw_cursor) if raw_cursor else None
        until = settled_until()
        entries, more = tombstones_page(self.scope, since=since, after=after, limit=LIMIT, until=until)
        next_link = None
        if more:
            position = (entries[-1].happened_at, entries[-1].resource_type, entries[-1].object_id)
            cursor = encode_cursor(position)
            next_link = replace_query_param(remove_query_param(request.build_absolute_uri(), "since"), "cursor", cursor)
        else:
            # Everything before `until` has been answered: continue from there. (An
            # entry keyed (until, "", 0) cannot exist: every resource type has a name.)
            start = max(value for value in (since, after[0] if after else None) if value is not None)
            cursor = encode_cursor((until, "", 0) if until > start else after or (start, "", 0))
        return Response(
            {
                "until": until,
                "next": next_link,
                "cursor": cursor,
                "results": TombstoneSerializer([entry.__dict__ for entry in entries], many=True).data,
            }
        )


ROUTES = [("tombstones", TombstoneViewSet, "tombstone")]
