"""Cursor pagination over (updated_at, id), the incremental sync of docs/api.md.

A list is ordered by its sync field (`updated_at`, or what the view names in
`sync_field`) then id. `?updated_since=<ISO 8601 instant>` keeps rows changed at or
after it; `?cursor=` (opaque, signed) continues after the row it names. Each page
carries `next` (a URL while more rows are there now) and `cursor`, the position after
its last row: kept by the client and sent later, it yields exactly the rows changed
since, each once. A row changed during paging gets a later timestamp and so moves to
the end, where the client meets it again in its newest state; rows with equal
timestamps are told apart by id. Page size: `?page_size=` from 1 to 200, default 50.

A service stamps `updated_at` before its transaction commits, so a row may become
visible after rows stamped later; a client whose cursor had passed its stamp would
never see it. Lists therefore hold rows stamped at least API_SYNC_SETTLE_SECONDS ago
(`settled_until()`): longer than any service transaction, so every row a list will ever
show is committed when the list shows rows stamped after it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .problems import BadRequest

CURSOR_SALT = "integrations.api.cursor"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def parse_instant(value: str, name: str) -> datetime.datetime:
    """An ISO 8601 instant with its offset (a '+' sent unencoded arrives as a space)."""
    try:
        parsed = parse_datetime(value.strip().replace(" ", "+"))
        # In UTC (as the database compares it): year 1 at +01:00 is before year 1.
        parsed = parsed.astimezone(datetime.UTC) if parsed is not None and timezone.is_aware(parsed) else None
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise BadRequest(
            _("%(name)s must be an ISO 8601 date and time with its offset, e.g. 2026-11-30T09:00:00Z.") % {"name": name}
        )
    return parsed


def _salt(list_path: str) -> str:
    # A cursor belongs to its list: one of /placements/ sent to /job-seekers/ would
    # otherwise be read as a position in the wrong order and skip rows.
    return f"{CURSOR_SALT}:{list_path}"


def encode_cursor(value: datetime.datetime, pk: int, *, list_path: str) -> str:
    """A signed position after the row (`value`, `pk`) of the list at `list_path`."""
    return signing.dumps([value.isoformat(), pk], salt=_salt(list_path), compress=False)


def decode_cursor(cursor: str, *, list_path: str) -> tuple[datetime.datetime, int]:
    """The position a cursor of the list at `list_path` names; BadRequest (400) for a
    cursor of another list, altered, or not one the API issued."""
    try:
        value, pk = signing.loads(cursor, salt=_salt(list_path))
        instant = datetime.datetime.fromisoformat(value)
        if not isinstance(pk, int) or timezone.is_naive(instant):
            raise ValueError
    except (signing.BadSignature, ValueError, TypeError, OverflowError):
        raise BadRequest(_("This cursor is not valid: use one returned by the API.")) from None
    return instant, pk


def settled_until() -> datetime.datetime:
    """The newest stamp a list or the tombstones may show now (API_SYNC_SETTLE_SECONDS ago)."""
    return timezone.now() - datetime.timedelta(seconds=settings.API_SYNC_SETTLE_SECONDS)


class SyncCursorPagination(BasePagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE

    def _page_size(self, request) -> int:
        raw = request.query_params.get("page_size")
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise BadRequest(_("page_size must be a whole number from 1 to %(max)s.") % {"max": self.max_page_size})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        field = getattr(view, "sync_field", "updated_at")
        self.request = request
        size = self._page_size(request)
        since = request.query_params.get("updated_since")
        cursor = request.query_params.get("cursor")
        position = None
        queryset = queryset.filter(**{f"{field}__lte": settled_until()})
        if since is not None:
            since_at = parse_instant(since, "updated_since")
            queryset = queryset.filter(**{f"{field}__gte": since_at})
            position = (since_at, 0)
        if cursor:
            value, pk = decode_cursor(cursor, list_path=request.path)
            queryset = queryset.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}))
            position = (value, pk) if position is None or (value, pk) > position else position
        rows = list(queryset.order_by(field, "pk")[: size + 1])
        self.has_more = len(rows) > size
        rows = rows[:size]
        if rows:
            position = (getattr(rows[-1], field), rows[-1].pk)
        self.cursor = encode_cursor(*(position or (EPOCH, 0)), list_path=request.path)
        return rows

    def get_next_link(self):
        if not self.has_more:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "updated_since")
        return replace_query_param(url, "cursor", self.cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "cursor": self.cursor, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "cursor", "results"],
            "properties": {
                "next": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": "The next page while more rows are there now; null on the last page.",
                    "example": "https://crm.example.org/api/v1/job-seekers/?cursor=WyIyMDI2LTExLTIw...",
                },
                "cursor": {
                    "type": "string",
                    "description": "The position after this page's last row: send it as ?cursor= later to "
                    "receive exactly what changed since.",
                    "example": "WyIyMDI2LTExLTIwVDE2OjAyOjExLjQ4MjkxMyswMDowMCIsNDJd:1tGx7f:abc",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "updated_since",
                "in": "query",
                "required": False,
                "description": "Only rows changed at or after this instant (ISO 8601 with offset).",
                "schema": {"type": "string", "format": "date-time"},
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Continue after the position a previous page returned (opaque).",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
            },
        ]
