"""Idempotency-Key on POST and PATCH (docs/api.md).

The first request with a key inserts its record, "in progress", in a transaction of
its own, before the work: the unique (principal, key) constraint is what refuses a
concurrent duplicate (409). Its response (status, body, the headers that matter) is
then stored; a later request with the same key and the same method, path and body
gets that response again with `Idempotent-Replayed: true`; with another request, 422.
A 5xx answer is not kept (the client may retry with the same key), nor is a request
that ended in an exception the API did not answer (`release`, from the viewset's
exception handling). A record still "in progress" after
API_IDEMPOTENCY_ABANDONED_MINUTES (default 5: far longer than any request may run) is
abandoned (a worker killed mid-request): the next request with the key takes it over
and runs. A replay on a detail route is answered only while the caller still sees its
target (base.ScopedViewSet.initial). Records expire after IDEMPOTENCY_TTL (24 h) and
are swept by integrations.api.tasks."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.utils import encoders

from .authentication import principal_of
from .models import IdempotencyRecord
from .problems import BadRequest, IdempotencyInProgress, IdempotencyKeyReused

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
METHODS = ("POST", "PATCH")
TTL = datetime.timedelta(hours=24)
KEPT_HEADERS = ("ETag", "Location", "Content-Language")
MAX_KEY_LENGTH = 255
#: Visible ASCII, no spaces (as the schema says: integrations.api.schema.HEADER_SCHEMAS).
KEY_PATTERN = re.compile(rf"[!-~]{{1,{MAX_KEY_LENGTH}}}")
DEFAULT_ABANDONED_MINUTES = 5


def abandoned_after() -> datetime.timedelta:
    """How long a record may stay "in progress" before it counts as abandoned."""
    return datetime.timedelta(minutes=getattr(settings, "API_IDEMPOTENCY_ABANDONED_MINUTES", DEFAULT_ABANDONED_MINUTES))


class Replay(Exception):  # noqa: N818 (a control-flow signal, not an error)
    """The stored first response, to be answered as it is."""

    def __init__(self, response: Response):
        self.response = response


def fingerprint(request) -> str:
    try:
        body = request._request.body
    except RawPostDataException:
        body = repr(sorted(request._request.POST.lists())).encode()
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), body):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    data = json.loads(record.response_body) if record.response_body else None
    headers = dict(record.response_headers)
    content_type = headers.pop("Content-Type", None)
    response = Response(data, status=record.response_status, headers=headers, content_type=content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def begin(request) -> IdempotencyRecord | None:
    """The record of this request, now in progress; None without a key. Raises Replay,
    IdempotencyInProgress (409), IdempotencyKeyReused (422), BadRequest (a bad key)."""
    key = request.headers.get(HEADER)
    if key is None or request.method not in METHODS:
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise BadRequest(_("Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, for example)."))
    principal = principal_of(request)
    if principal is None:
        return None
    print_ = fingerprint(request)
    for _attempt in range(2):
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    principal=principal, key=key, fingerprint=print_, created_at=now, expires_at=now + TTL
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
        if existing is None:
            continue
        if existing.expires_at <= now:
            IdempotencyRecord.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
            continue
        if existing.fingerprint != print_:
            raise IdempotencyKeyReused()
        if existing.state == IdempotencyRecord.State.IN_PROGRESS:
            if existing.created_at > now - abandoned_after():
                raise IdempotencyInProgress()
            # Abandoned: take it over (one concurrent request only: the update is
            # conditional on the record being the one read).
            taken = IdempotencyRecord.objects.filter(
                pk=existing.pk, state=IdempotencyRecord.State.IN_PROGRESS, created_at=existing.created_at
            ).update(created_at=now, expires_at=now + TTL)
            if taken:
                existing.created_at, existing.expires_at = now, now + TTL
                return existing
            continue
        raise Replay(_replay(existing))
    raise IdempotencyInProgress()


def finish(record: IdempotencyRecord, response) -> None:
    """Keep the first response (or forget the key after a server error)."""
    if response.status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    data = getattr(response, "data", None)
    body = "" if data is None else json.dumps(data, cls=encoders.JSONEncoder, ensure_ascii=False)
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    # DRF decides the content type when it renders (a problem sets its own).
    if getattr(response, "content_type", None):
        headers["Content-Type"] = response.content_type
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyRecord.State.DONE,
        response_status=response.status_code,
        response_body=body,
        response_headers=headers,
    )


def release(record: IdempotencyRecord) -> None:
    """Forget the key of a request that ended in an exception (the client may retry
    with it). A failure to delete (the database gone) leaves the record to be taken
    over once abandoned."""
    try:
        IdempotencyRecord.objects.filter(pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS).delete()
    except DatabaseError:
        logger.exception("Idempotency record %s could not be released", record.pk)


def sweep(now: datetime.datetime | None = None) -> int:
    """Delete expired records; returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
