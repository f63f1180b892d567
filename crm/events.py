"""The event backbone: emit in the service's transaction, relay on commit, dispatch
to handlers exactly once in effect.

    service (atomic) -> domain change + OutboxEvent row (same transaction)
    on commit        -> the event id is sent to dramatiq (crm.tasks.dispatch_event)
    worker           -> dispatch(): each subscribed handler runs once; its success is
                        recorded (EventHandling) in the same transaction as its effects
    scheduler        -> resend_pending(): re-sends events not fully handled after a
                        grace period (lost message, Redis flush, worker killed, crash
                        between commit and send)

Handlers live in each app's handlers.py and subscribe with @handles("topic").
"""

import importlib
import importlib.util
import logging
import traceback
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from crm.models import EventHandling, OutboxEvent

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxEvent], None]
_registry: dict[str, list[Handler]] = defaultdict(list)
_handler_modules_loaded = False


class HandlersFailed(Exception):
    """Raised by dispatch() so that dramatiq retries the event with backoff."""


def handles(*topics: str) -> Callable[[Handler], Handler]:
    """Subscribe a function to one or more topics: @handles("placement.started")."""

    def decorator(handler: Handler) -> Handler:
        for topic in topics:
            if handler not in _registry[topic]:
                _registry[topic].append(handler)
        return handler

    return decorator


def handler_name(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def load_handler_modules() -> None:
    global _handler_modules_loaded
    if _handler_modules_loaded:
        return
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.handlers"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    _handler_modules_loaded = True


def handlers_for(topic: str) -> list[Handler]:
    load_handler_modules()
    return list(_registry.get(topic, []))


def emit(
    *,
    topic: str,
    organisation_id: int,
    aggregate_type: str,
    aggregate_id: int,
    payload: dict,
    dedup_key: str | None = None,
    actor=None,
    occurred_at=None,
) -> OutboxEvent | None:
    """Write an event in the caller's transaction. Returns None if `dedup_key` was
    already emitted (the fact is already recorded)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must be called inside the service's transaction.atomic()")
    try:
        with transaction.atomic():  # a savepoint: a duplicate key must not spoil the caller's transaction
            event = OutboxEvent.objects.create(
                organisation_id=organisation_id,
                topic=topic,
                aggregate_type=aggregate_type,
                aggregate_id=aggregate_id,
                payload=payload,
                dedup_key=dedup_key or f"{topic}:{uuid.uuid4()}",
                actor=actor if getattr(actor, "pk", None) else None,
                occurred_at=occurred_at or timezone.now(),
            )
    except IntegrityError:
        if dedup_key and OutboxEvent.objects.filter(dedup_key=dedup_key).exists():
            return None
        raise
    transaction.on_commit(partial(send, event.pk))
    return event


def send(event_id: int) -> None:
    """Hand the event to the broker. A failure here is logged, not raised: the change is
    committed and the sweep will send the event again."""
    from crm.tasks import dispatch_event

    try:
        dispatch_event.send(event_id)
    except Exception:  # noqa: BLE001 - broker down: the sweep re-sends
        logger.warning("Could not send event %s to the broker; the sweep will retry.", event_id, exc_info=True)
        return
    OutboxEvent.objects.filter(pk=event_id).update(last_sent_at=timezone.now(), send_count=F("send_count") + 1)


def _record_failure(event_id: int, name: str, error: BaseException) -> EventHandling:
    max_attempts = settings.EVENT_HANDLER_MAX_ATTEMPTS
    text = "".join(traceback.format_exception(error))[-4000:]
    with transaction.atomic():
        handling, _created = EventHandling.objects.select_for_update().get_or_create(
            event_id=event_id, handler=name, defaults={"status": EventHandling.Status.RETRYING}
        )
        handling.attempts += 1
        handling.last_error = text
        handling.status = (
            EventHandling.Status.FAILED if handling.attempts >= max_attempts else EventHandling.Status.RETRYING
        )
        handling.save()
    logger.warning("Handler %s failed on event %s (attempt %s).", name, event_id, handling.attempts)
    return handling


def _run_handler(event_id: int, handler: Handler) -> None:
    name = handler_name(handler)
    with transaction.atomic():
        # Lock the event: two workers given the same event run its handlers one at a time.
        event = OutboxEvent.objects.select_for_update().get(pk=event_id)
        handling = EventHandling.objects.filter(event=event, handler=name).first()
        if handling is not None and handling.status in (EventHandling.Status.SUCCEEDED, EventHandling.Status.FAILED):
            return
        handler(event)
        EventHandling.objects.update_or_create(
            event=event,
            handler=name,
            defaults={
                "status": EventHandling.Status.SUCCEEDED,
                "attempts": (handling.attempts if handling else 0) + 1,
                "last_error": "",
            },
        )


def dispatch(event_id: int) -> None:
    """Run every handler of the event that has not succeeded yet. One handler's failure
    does not stop the others; raises HandlersFailed if some should be retried."""
    event = OutboxEvent.objects.filter(pk=event_id).first()
    if event is None or event.status != OutboxEvent.Status.PENDING:
        return
    handlers = handlers_for(event.topic)
    retry = []
    for handler in handlers:
        try:
            _run_handler(event_id, handler)
        except Exception as error:  # noqa: BLE001 - recorded, retried, shown to admins
            handling = _record_failure(event_id, handler_name(handler), error)
            if handling.status == EventHandling.Status.RETRYING:
                retry.append(handling.handler)
    _settle(event_id, [handler_name(h) for h in handlers])
    if retry:
        raise HandlersFailed(f"event {event_id}: {', '.join(retry)} will be retried")


def _settle(event_id: int, names: list[str]) -> None:
    statuses = dict(EventHandling.objects.filter(event_id=event_id, handler__in=names).values_list("handler", "status"))
    if all(statuses.get(name) == EventHandling.Status.SUCCEEDED for name in names):
        OutboxEvent.objects.filter(pk=event_id, status=OutboxEvent.Status.PENDING).update(
            status=OutboxEvent.Status.HANDLED, handled_at=timezone.now()
        )
    elif all(statuses.get(name) in (EventHandling.Status.SUCCEEDED, EventHandling.Status.FAILED) for name in names):
        OutboxEvent.objects.filter(pk=event_id, status=OutboxEvent.Status.PENDING).update(
            status=OutboxEvent.Status.FAILED
        )


def resend_pending(*, now=None, limit: int = 500) -> int:
    """Send again every pending event older than the grace period whose last send is
    older than it too. Returns how many were sent."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EVENT_RESEND_GRACE_SECONDS)
    event_ids = list(
        OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING, created_at__lt=cutoff)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=cutoff))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in event_ids:
        send(event_id)
    return len(event_ids)


@transaction.atomic
def retry_failed(event: OutboxEvent) -> None:
    """An admin's "retry": give exhausted handlers a fresh set of attempts."""
    event.handlings.filter(status=EventHandling.Status.FAILED).update(status=EventHandling.Status.RETRYING, attempts=0)
    OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxEvent.Status.PENDING, handled_at=None)
    transaction.on_commit(partial(send, event.pk))
