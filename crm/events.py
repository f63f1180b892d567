"""The event backbone: topics declared once, emitted in the service's transaction,
relayed on commit, dispatched to named handlers exactly once in effect, retried by the
outbox on a fixed schedule, and never dropped unseen.

    declare   -> each app's topics.py declares its topics (name, payload fields,
                 version, timeline label, whether it may have no handler)
    subscribe -> each app's handlers.py subscribes with @handles(topic, name=...)
                 (both imported by the app's AppConfig.ready(): topics first)
    service (atomic) -> domain change + OutboxEvent row (same transaction)
    on commit        -> send(): the event id goes to dramatiq (crm.tasks.dispatch_event)
    worker           -> dispatch(): each due handler runs once, in the program's time
                        zone; its success (EventHandling) commits with its effects; a
                        failure schedules the next attempt (retry_delay())
    scheduler        -> resend_pending(), every minute: sends events with a due retry,
                        and pending events whose message was lost (Redis flushed, worker
                        killed, crash between commit and send)

dramatiq never retries a dispatch (max_retries=0): the outbox is the one owner of
retries, so the schedule in docs/events.md holds.
"""

import difflib
import logging
import re
import sys
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module
from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from crm import clock
from crm.models import EventHandling, OutboxEvent

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxEvent], None]

# "placement.started", "jobseeker.enrolled": lower-case words joined by dots.
_DOTTED_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_HANDLER_NAME_MAX_LENGTH = EventHandling._meta.get_field("handler").max_length
_TOPIC_MAX_LENGTH = OutboxEvent._meta.get_field("topic").max_length


class TopicError(Exception):
    """A programming error in the use of topics: raised at start-up (declaration,
    subscription) or by emit(); never caught by the backbone."""


class UnknownTopic(TopicError, LookupError):
    """A topic that no app declares (often a misspelling)."""


class PayloadMismatch(TopicError, ValueError):
    """An emitted payload whose keys are not exactly the topic's declared fields."""


class HandlerNameTaken(TopicError):
    """Two different functions subscribed under one handler name."""


# Topics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A declared topic. `fields` are the payload's keys, exactly; `version` is stored
    with each event (OutboxEvent.payload_version) and goes up when the fields change
    meaning; `label` names the event on timelines."""

    name: str
    fields: frozenset[str]
    label: str
    version: int = 1
    may_have_no_handler: bool = False
    no_handler_reason: str = ""
    declared_in: str = ""


_topics: dict[str, Topic] = {}


def declare_topic(
    name: str,
    *,
    fields: Iterable[str],
    label: str,
    version: int = 1,
    may_have_no_handler: bool = False,
    no_handler_reason: str = "",
) -> Topic:
    """Declare a topic, once, in the owning app's topics.py.

    A topic is expected to have at least one handler (the `crm.E001` system check
    refuses to start otherwise); a topic recorded only for the timeline or for
    partners says so with `may_have_no_handler=True` and a `no_handler_reason`."""
    declared_in = sys._getframe(1).f_globals.get("__name__", "")
    if not isinstance(name, str) or not _DOTTED_NAME.match(name) or len(name) > _TOPIC_MAX_LENGTH:
        raise TopicError(f"Topic name {name!r} must be lower-case dotted words, like 'placement.started'.")
    if isinstance(fields, str):
        raise TopicError(f"Topic {name!r}: fields must be a list of names, not the string {fields!r}.")
    field_names = frozenset(fields)
    if not field_names or not all(isinstance(f, str) and f for f in field_names):
        raise TopicError(f"Topic {name!r}: declare its payload's field names.")
    if not isinstance(version, int) or version < 1:
        raise TopicError(f"Topic {name!r}: version must be a whole number from 1.")
    if may_have_no_handler and not no_handler_reason:
        raise TopicError(f"Topic {name!r} may have no handler: say why (no_handler_reason).")
    if no_handler_reason and not may_have_no_handler:
        raise TopicError(f"Topic {name!r} gives a no_handler_reason but expects a handler.")
    declared = Topic(
        name=name,
        fields=field_names,
        label=label,
        version=version,
        may_have_no_handler=may_have_no_handler,
        no_handler_reason=no_handler_reason,
        declared_in=declared_in,
    )
    existing = _topics.get(name)
    if existing is not None and existing.declared_in != declared_in:
        raise TopicError(f"Topic {name!r} is declared twice: in {existing.declared_in} and in {declared_in}.")
    _topics[name] = declared
    return declared


def topic(name: str) -> Topic:
    """The declared topic `name`, or UnknownTopic naming the closest declared ones."""
    try:
        return _topics[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), list(_topics), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownTopic(
            f"Topic {name!r} is not declared.{hint} Topics are declared with declare_topic() in their app's "
            "topics.py, imported by its AppConfig.ready() before any handlers module."
        ) from None


def declared_topics() -> list[Topic]:
    return sorted(_topics.values(), key=lambda t: t.name)


def topic_label(name: str) -> str:
    """The human name of a topic for timelines; the topic itself if undeclared."""
    declared = _topics.get(name)
    return str(declared.label) if declared else name


# Handlers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    """A handler: its stable `name` (stored in EventHandling.handler), its topics and
    its function."""

    name: str
    topics: tuple[str, ...]
    function: Handler

    def __call__(self, event: OutboxEvent) -> None:
        self.function(event)


_handlers: dict[str, Subscription] = {}


def handles(*topics: str, name: str) -> Callable[[Handler], Handler]:
    """Subscribe a function to declared topics under a stable, unique name:

        @handles("placement.started", name="placements.start_follow_along")

    The name, not the function's module and name, records which handlers have run
    (EventHandling.handler): renaming or moving the function never runs it again on
    past events. Changing the name does (write a data migration if that is not wanted).
    """
    if not topics:
        raise TopicError(f"Handler {name!r}: subscribe to at least one topic.")
    for topic_name in topics:
        topic(topic_name)  # UnknownTopic at import time, that is at start-up
    if (
        not isinstance(name, str)
        or not _DOTTED_NAME.match(name)
        or len(name) > _HANDLER_NAME_MAX_LENGTH
        or name.count(".") != 1
    ):
        raise TopicError(f"Handler name {name!r} must be '<app>.<what it does>', like 'placements.start_follow_along'.")

    def decorator(function: Handler) -> Handler:
        existing = _handlers.get(name)
        if existing is not None and _qualified_name(existing.function) != _qualified_name(function):
            raise HandlerNameTaken(
                f"Handler name {name!r} is taken by {_qualified_name(existing.function)}; "
                f"{_qualified_name(function)} needs its own."
            )
        _handlers[name] = Subscription(name=name, topics=tuple(dict.fromkeys(topics)), function=function)
        return function

    return decorator


def _qualified_name(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def handlers_for(topic_name: str) -> list[Subscription]:
    """The handlers of a topic, in the order they subscribed."""
    return [s for s in _handlers.values() if topic_name in s.topics]


def unregister(name: str) -> None:
    """Remove a handler (for tests that subscribe a temporary one)."""
    _handlers.pop(name, None)


def import_app_modules(app_config: AppConfig, *modules: str) -> None:
    """Import an app's event modules, in the given order, from its AppConfig.ready():
    "topics" first (handlers refer to them), then "handlers", then "tasks". Each is
    named explicitly, so a missing module is an import error at start-up, not a
    silently missing handler."""
    for module in modules:
        import_module(f"{app_config.name}.{module}")


# Emitting -------------------------------------------------------------------------------


def emit(
    *,
    topic: str,
    organisation_id: int,
    aggregate_type: str,
    aggregate_id: int,
    payload: Mapping,
    dedup_key: str | None = None,
    actor=None,
    occurred_at=None,
) -> OutboxEvent | None:
    """Write an event in the caller's transaction. Returns None if `dedup_key` was
    already emitted (the fact is already recorded).

    Raises RuntimeError outside a transaction, UnknownTopic for an undeclared topic and
    PayloadMismatch when the payload's keys are not exactly the declared fields."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must be called inside the service's transaction.atomic()")
    declared = _check_payload(topic, payload)
    try:
        with transaction.atomic():  # a savepoint: a duplicate key must not spoil the caller's transaction
            event = OutboxEvent.objects.create(
                organisation_id=organisation_id,
                topic=topic,
                payload_version=declared.version,
                aggregate_type=aggregate_type,
                aggregate_id=aggregate_id,
                payload=dict(payload),
                dedup_key=dedup_key or f"{topic}:{uuid.uuid4()}",
                actor=actor if getattr(actor, "pk", None) else None,
                occurred_at=occurred_at or timezone.now(),
            )
    except IntegrityError:
        if dedup_key and OutboxEvent.objects.filter(dedup_key=dedup_key).exists():
            return None
        raise
    _send_on_commit(event.pk)
    return event


def _send_on_commit(event_id: int) -> None:
    # robust: an error is logged, never raised into the request whose change is stored.
    # A def, not functools.partial: Django 5.2 logs a robust callback's error with the
    # callback's __qualname__, which a partial lacks (the logging itself would raise).
    def send_event() -> None:
        send(event_id)

    transaction.on_commit(send_event, robust=True)


def _check_payload(topic_name: str, payload: Mapping) -> Topic:
    declared = topic(topic_name)
    if not isinstance(payload, Mapping):
        raise PayloadMismatch(f"The payload of {topic_name!r} must be a dict, not {type(payload).__name__}.")
    keys = set(payload)
    if keys != declared.fields:
        missing = sorted(declared.fields - keys)
        unexpected = sorted(keys - declared.fields, key=str)
        raise PayloadMismatch(
            f"The payload of {topic_name!r} (version {declared.version}) must have exactly the fields "
            f"{sorted(declared.fields)}; missing {missing}, unexpected {unexpected}. "
            f"Change the declaration in {declared.declared_in} (and its version) if the payload changed."
        )
    return declared


def send(event_id: int) -> None:
    """Hand the event to the broker. Runs on commit, after the user's change is stored:
    it never raises. A failure is logged and the sweep sends the event again."""
    from crm.tasks import dispatch_event

    try:
        dispatch_event.send(event_id)
    except Exception:  # noqa: BLE001 - broker down: the sweep re-sends
        logger.warning("Could not send event %s to the broker; the sweep will retry.", event_id, exc_info=True)
        return
    try:
        OutboxEvent.objects.filter(pk=event_id).update(last_sent_at=timezone.now(), send_count=F("send_count") + 1)
    except Exception:  # noqa: BLE001 - e.g. the connection dropped after the commit
        # The message is on its way; without last_sent_at the sweep may send it once
        # more, which dispatch() makes harmless.
        logger.warning("Event %s was sent but its sending could not be recorded.", event_id, exc_info=True)


# Dispatching ----------------------------------------------------------------------------


def retry_delay(failed_attempts: int) -> timedelta:
    """How long after its `failed_attempts`-th failed attempt a handler is tried again:
    settings.EVENT_RETRY_DELAYS_MINUTES in order (1, 5, 15, 60 minutes by default),
    the last delay repeating if EVENT_HANDLER_MAX_ATTEMPTS allows more attempts."""
    delays = settings.EVENT_RETRY_DELAYS_MINUTES
    return timedelta(minutes=delays[min(max(failed_attempts, 1), len(delays)) - 1])


@dataclass
class DispatchReport:
    """What one dispatch() did, by handler name."""

    event_id: int
    status: str | None = None  # the event's status afterwards (None: no such event)
    succeeded: list[str] = field(default_factory=list)
    retrying: dict[str, datetime] = field(default_factory=dict)  # next attempt at
    failed: list[str] = field(default_factory=list)  # attempts exhausted now
    not_due: list[str] = field(default_factory=list)  # waiting for their next attempt


def dispatch(event_id: int) -> DispatchReport:
    """Run every handler of the event that has not succeeded yet and is due, each in its
    own transaction and in the program's time zone. One handler's failure does not stop
    the others; it is recorded with the time of its next attempt. Never raises for a
    handler's error (the outbox, not dramatiq, retries)."""
    report = DispatchReport(event_id)
    # An event's facts never change once written (only its status does): read it once.
    event = OutboxEvent.objects.select_related("organisation", "actor").filter(pk=event_id).first()
    if event is None:
        return report
    if event.status != OutboxEvent.Status.PENDING:
        report.status = event.status
        return report
    declared = _topics.get(event.topic)
    subscriptions = handlers_for(event.topic)
    if declared is None:
        _fail_event(
            event_id,
            f"Topic {event.topic!r} is not declared in this version, so no handler can run. Declare it in its "
            "app's topics.py (with its handlers), deploy, then use Retry.",
        )
    elif not subscriptions and declared.may_have_no_handler:
        OutboxEvent.objects.filter(pk=event_id, status=OutboxEvent.Status.PENDING).update(
            status=OutboxEvent.Status.HANDLED, handled_at=timezone.now(), last_error=""
        )
    elif not subscriptions:
        _fail_event(
            event_id,
            f"No handler is registered for topic {event.topic!r}, which expects one: its app's handlers module "
            "was not imported by its AppConfig.ready(), or the handler was removed. Fix, deploy, then use Retry.",
        )
    else:
        with clock.in_program_zone(event.organisation):
            for subscription in subscriptions:
                _run_handler(event, subscription, report)
        _settle(event_id, [s.name for s in subscriptions])
    report.status = OutboxEvent.objects.filter(pk=event_id).values_list("status", flat=True).first()
    return report


def _lock_event(event_id: int) -> None:
    # Lock the event: two workers given the same event run its handlers one at a time,
    # and the second sees what the first recorded (a claimed attempt, a success).
    list(OutboxEvent.objects.select_for_update().filter(pk=event_id).values_list("pk"))


def _claim_attempt(event: OutboxEvent, name: str, report: DispatchReport) -> EventHandling | None:
    """Record the attempt, and when the next one is due, *before* the handler runs, in a
    committed transaction: a handler that kills its worker or passes the actor's time
    limit still counts as a failed attempt, is retried on schedule and, after the last
    attempt, shown as failed. Returns the claimed handling, or None: nothing to run."""
    with transaction.atomic():
        _lock_event(event.pk)
        handling = EventHandling.objects.filter(event=event, handler=name).first()
        now = timezone.now()
        if handling is not None and handling.status != EventHandling.Status.RETRYING:
            return None
        if handling is not None and handling.next_attempt_at and handling.next_attempt_at > now:
            report.not_due.append(name)
            return None
        if handling is not None and handling.attempts >= settings.EVENT_HANDLER_MAX_ATTEMPTS:
            # The last attempt never finished (its worker stopped): retries are exhausted.
            handling.status, handling.next_attempt_at = EventHandling.Status.FAILED, None
            handling.save(update_fields=["status", "next_attempt_at", "updated_at"])
            report.failed.append(name)
            return None
        handling = handling or EventHandling(event=event, handler=name, attempts=0)
        handling.attempts += 1
        handling.status = EventHandling.Status.RETRYING
        handling.next_attempt_at = now + retry_delay(handling.attempts)
        handling.last_error = f"Attempt {handling.attempts}, started at {now.isoformat()}, did not finish."
        handling.save()
        return handling


class _TakenOver(Exception):
    """Another worker recorded this attempt meanwhile: undo what the handler did."""


def _run_handler(event: OutboxEvent, subscription: Subscription, report: DispatchReport) -> None:
    name = subscription.name
    try:
        claimed = _claim_attempt(event, name, report)
        if claimed is None:
            return
        with transaction.atomic():
            _lock_event(event.pk)
            try:
                with transaction.atomic():  # a savepoint: a failure undoes the handler's partial work
                    subscription(event)
            except Exception as error:  # noqa: BLE001 - recorded, retried on schedule, shown to admins
                _note_failure(event, claimed, name, error, report)
                return
            # Succeeded only if the attempt is still the one claimed (compare and set).
            still_ours = EventHandling.objects.filter(
                pk=claimed.pk, status=EventHandling.Status.RETRYING, attempts=claimed.attempts
            )
            succeeded = {"status": EventHandling.Status.SUCCEEDED, "last_error": "", "next_attempt_at": None}
            if not still_ours.update(**succeeded, updated_at=timezone.now()):
                raise _TakenOver
            report.succeeded.append(name)
    except _TakenOver:
        logger.warning("Handler %s on event %s: attempt taken over by another worker, undone.", name, event.pk)
    except Exception as error:  # noqa: BLE001 - the transaction itself failed (lock timeout, lost connection)
        try:
            with transaction.atomic():
                _lock_event(event.pk)
                handling = EventHandling.objects.filter(event=event, handler=name).first()
                if handling is not None and handling.status == EventHandling.Status.RETRYING:
                    _note_failure(event, handling, name, error, report)
        except Exception:  # noqa: BLE001 - the database is gone: the sweep sends the event again
            logger.exception("Could not record the failure of handler %s on event %s.", name, event.pk)


def _note_failure(event, handling: EventHandling, name: str, error: BaseException, report: DispatchReport) -> None:
    """The claimed attempt failed: keep its next attempt, or mark the handler failed
    when it was the last one."""
    exhausted = handling.attempts >= settings.EVENT_HANDLER_MAX_ATTEMPTS
    handling.status = EventHandling.Status.FAILED if exhausted else EventHandling.Status.RETRYING
    handling.next_attempt_at = None if exhausted else handling.next_attempt_at
    handling.last_error = "".join(traceback.format_exception(error))[-4000:]
    handling.save(update_fields=["status", "next_attempt_at", "last_error", "updated_at"])
    # The log keeps the whole traceback too (the admin shows program admins a summary).
    if exhausted:
        report.failed.append(name)
        logger.error(
            "Handler %s failed on event %s for good (attempt %s).", name, event.pk, handling.attempts, exc_info=error
        )
    else:
        report.retrying[name] = handling.next_attempt_at
        logger.warning(
            "Handler %s failed on event %s (attempt %s); next attempt at %s.",
            name,
            event.pk,
            handling.attempts,
            handling.next_attempt_at,
            exc_info=error,
        )


def failure_summary(last_error: str) -> str:
    """What went wrong, without the traceback: the exception's type and message, from
    a `last_error` that holds a formatted traceback (see _note_failure; its end is
    kept when it is cut, and the exception comes last), or the text itself when it is
    not a traceback ("Attempt 2 ... did not finish.", an event's own error).

    Program admins see this in the admin; platform operators and the logs get the
    whole traceback, whose file paths and code lines are the server's business."""
    lines = []
    for line in last_error.strip().splitlines():
        # An exception group draws its sub-exceptions in a margin of "|" and "+-".
        if re.match(r"\s*\+[-+]", line):
            continue
        lines.append(re.sub(r"^\s*[|+] ", "", line))
    frames = [i for i, line in enumerate(lines) if line.startswith('  File "')]
    if not frames:
        return last_error.strip()
    # After the last frame come its indented code lines, then the exception.
    rest = lines[frames[-1] + 1 :]
    while rest and rest[0].startswith(" "):
        rest = rest[1:]
    return "\n".join(rest).strip() or lines[-1].strip()


def _fail_event(event_id: int, error: str) -> None:
    OutboxEvent.objects.filter(pk=event_id, status=OutboxEvent.Status.PENDING).update(
        status=OutboxEvent.Status.FAILED, last_error=error
    )
    logger.error("Event %s failed: %s", event_id, error)


def _settle(event_id: int, names: list[str]) -> None:
    statuses = dict(EventHandling.objects.filter(event_id=event_id, handler__in=names).values_list("handler", "status"))
    if all(statuses.get(name) == EventHandling.Status.SUCCEEDED for name in names):
        OutboxEvent.objects.filter(pk=event_id, status=OutboxEvent.Status.PENDING).update(
            status=OutboxEvent.Status.HANDLED, handled_at=timezone.now(), last_error=""
        )
    elif all(statuses.get(name) in (EventHandling.Status.SUCCEEDED, EventHandling.Status.FAILED) for name in names):
        OutboxEvent.objects.filter(pk=event_id, status=OutboxEvent.Status.PENDING).update(
            status=OutboxEvent.Status.FAILED
        )


# The sweep and the admin's retry --------------------------------------------------------


def resend_pending(*, now: datetime | None = None, limit: int = 500) -> int:
    """The scheduler's sweep (every minute). Sends every pending event that has

    - a handler whose next attempt is due and that was not sent since it fell due, or
    - been waiting longer than EVENT_RESEND_GRACE_SECONDS since it was written and
      since it was last sent, with no handler waiting for a later attempt (its
      message was lost).

    Returns how many were sent."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EVENT_RESEND_GRACE_SECONDS)
    retrying = EventHandling.objects.filter(event=OuterRef("pk"), status=EventHandling.Status.RETRYING)
    due_retry = retrying.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).filter(
        Q(event__last_sent_at__isnull=True)
        | Q(event__last_sent_at__lt=F("next_attempt_at"))
        | Q(event__last_sent_at__lt=cutoff)
    )
    waiting = retrying.filter(next_attempt_at__gt=now)
    stale = Q(created_at__lt=cutoff) & (Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=cutoff))
    event_ids = list(
        OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING)
        .filter(Q(Exists(due_retry)) | (stale & ~Q(Exists(waiting))))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in event_ids:
        send(event_id)
    return len(event_ids)


@transaction.atomic
def retry_failed(event: OutboxEvent) -> None:
    """An admin's "retry": exhausted handlers get a fresh set of attempts, the first
    one now; an event that failed for want of a handler is dispatched again."""
    event.handlings.filter(status=EventHandling.Status.FAILED).update(
        status=EventHandling.Status.RETRYING, attempts=0, next_attempt_at=None
    )
    OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxEvent.Status.PENDING, handled_at=None, last_error="")
    _send_on_commit(event.pk)


# Start-up checks ------------------------------------------------------------------------


def check_topics_and_handlers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check (tag "events"): every topic expecting a handler has one; a topic
    declared as having no handler has none (else the flag is stale); every project
    app's topics and handlers modules were imported by its AppConfig.ready()."""
    messages: list[checks.CheckMessage] = []
    for declared in declared_topics():
        subscribed = [s.name for s in handlers_for(declared.name)]
        if not subscribed and not declared.may_have_no_handler:
            messages.append(
                checks.Error(
                    f"Topic {declared.name!r} expects a handler but none is registered: its events would fail.",
                    hint=(
                        "Subscribe one with @handles(topic, name=...) in an app's handlers.py imported by its "
                        "AppConfig.ready(), or declare the topic with may_have_no_handler=True and a reason."
                    ),
                    obj=declared.declared_in,
                    id="crm.E001",
                )
            )
        elif subscribed and declared.may_have_no_handler:
            messages.append(
                checks.Warning(
                    f"Topic {declared.name!r} is declared as having no handler but {', '.join(subscribed)} handles it.",
                    hint="Remove may_have_no_handler and no_handler_reason from its declaration.",
                    obj=declared.declared_in,
                    id="crm.W002",
                )
            )
    project = Path(settings.BASE_DIR).resolve()
    for app_config in apps.get_app_configs():
        path = Path(app_config.path).resolve()
        if project not in path.parents or ".venv" in path.parts:
            continue
        for module in ("topics", "handlers"):
            if (path / f"{module}.py").exists() and f"{app_config.name}.{module}" not in sys.modules:
                messages.append(
                    checks.Error(
                        f"{app_config.name}.{module} is never imported: its {module} are not registered.",
                        hint=f'Call import_app_modules(self, "topics", "handlers", ...) in {type(app_config).__name__}'
                        ".ready().",
                        obj=app_config.name,
                        id="crm.E003",
                    )
                )
    return messages
