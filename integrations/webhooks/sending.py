"""Sending deliveries: claim, check, sign, POST, record. docs/webhooks.md.

    handler (event's transaction) -> WebhookDelivery rows, due now
    on commit                     -> queue(): the ids go to dramatiq (tasks.send_delivery)
    worker                        -> deliver(): claim the row (locked, skip_locked),
                                     check the partner may still see it, sign, POST once,
                                     record the attempt and what comes next
    scheduler, every minute       -> queue_due(): retries that fell due, lost messages

A delivery is sent once in effect: the claim, in its own committed transaction, moves
`next_attempt_at` past the attempt before the HTTP call, so no other worker takes it
meanwhile; a worker that dies mid-attempt leaves a counted attempt retried on
schedule. A receiver may still see a webhook twice (its answer was lost): it
deduplicates on `webhook-id`, the same on every retry and replay."""

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from crm.access import PartnerScope
from crm.models import JobSeeker
from integrations.api.grants import topic_area
from integrations.api.models import ApiKey
from integrations.webhooks import transport
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

#: A queued delivery whose message has not been picked up after this is queued again.
REQUEUE_AFTER = timedelta(seconds=settings.WEBHOOKS_REQUEUE_AFTER_SECONDS)
#: How long the last attempt may take before it is considered lost (its worker died).
LAST_ATTEMPT_GRACE = timedelta(minutes=15)
USER_AGENT = "IPS-CRM-Webhooks/1"


def max_attempts() -> int:
    return len(settings.WEBHOOKS_RETRY_DELAYS_MINUTES) + 1


def retry_delay(failed_attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """The wait after the `failed_attempts`-th failed attempt: the schedule's delay,
    stretched or shrunk at random by up to WEBHOOKS_RETRY_JITTER."""
    delays = settings.WEBHOOKS_RETRY_DELAYS_MINUTES
    minutes = delays[min(max(failed_attempts, 1), len(delays)) - 1]
    jitter = settings.WEBHOOKS_RETRY_JITTER
    factor = 1 + (rng or random).uniform(-jitter, jitter)
    return timedelta(seconds=max(1.0, minutes * 60 * factor))


# Who may receive what ---------------------------------------------------------------


def partner_grants(partner_id: int, *, now: datetime | None = None) -> frozenset[str]:
    """What the partner's usable (not revoked, not expired) keys grant, together: a
    partner whose keys were all revoked receives nothing more."""
    grants: set[str] = set()
    for key_grants in ApiKey.objects.usable(now=now).filter(partner_id=partner_id).values_list("grants", flat=True):
        grants.update(key_grants or [])
    return frozenset(grants)


def why_not_received(subscription: WebhookSubscription, topic: str, job_seeker_id: int) -> str:
    """Why this subscription may not receive this topic about this person now ("" if
    it may): its partner active, the topic subscribed and granted by a usable key, and
    a consent in force covering the topic's area.

    The grant is the partner's, not one key's: ANY usable key of the partner granting
    the topic's read grant will do (partner_grants). Keys are the partner's, not
    separate principals: who may subscribe or change where a stream goes is checked
    against the acting key itself (services.subscription_update, _rotate, _enable);
    revoking every key granting a topic stops its deliveries."""
    partner = subscription.partner
    if not partner.is_active:
        return _("The partner is no longer active.")
    if topic not in subscription.topics:
        return _("The subscription no longer includes this topic.")
    grant, shared = topic_area(topic)
    if grant not in partner_grants(partner.pk):
        return _("No valid API key of the partner grants %(grant)s.") % {"grant": grant}
    scope = PartnerScope(partner)
    if not JobSeeker.objects.filter(scope.caseload(shared=shared), pk=job_seeker_id).exists():
        return _("The person's consent to share this with the partner is not in force.")
    return ""


def may_receive(subscription: WebhookSubscription, topic: str, job_seeker_id: int) -> bool:
    """Whether the subscription may receive this topic about this person now
    (why_not_received says why not)."""
    return not why_not_received(subscription, topic, job_seeker_id)


# Queuing ----------------------------------------------------------------------------


def queue(delivery_ids) -> None:
    """Hand deliveries to the broker. Never raises: the sweep queues them again."""
    from integrations.webhooks.tasks import send_delivery

    for delivery_id in delivery_ids:
        try:
            send_delivery.send(delivery_id)
        except Exception:  # noqa: BLE001 - broker down: the sweep queues it again
            logger.warning("Could not queue webhook delivery %s; the sweep will.", delivery_id, exc_info=True)
            continue
        WebhookDelivery.objects.filter(pk=delivery_id).update(queued_at=timezone.now())


def queue_on_commit(delivery_ids) -> None:
    ids = list(delivery_ids)
    if not ids:
        return

    def queue_deliveries() -> None:
        queue(ids)

    transaction.on_commit(queue_deliveries, robust=True)


def due(now: datetime | None = None):
    """Deliveries whose attempt is due, of enabled subscriptions."""
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(
        status__in=WebhookDelivery.WAITING, next_attempt_at__lte=now, subscription__is_active=True
    )


def queue_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """The minute sweep: queue every due delivery not queued since it fell due (or
    queued long ago, its message lost). Returns how many."""
    now = now or timezone.now()
    not_queued = (
        Q(queued_at__isnull=True) | Q(queued_at__lt=F("next_attempt_at")) | Q(queued_at__lt=now - REQUEUE_AFTER)
    )
    ids = list(due(now).filter(not_queued).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    queue(ids)
    return len(ids)


# Delivering -------------------------------------------------------------------------


@dataclass
class Claim:
    delivery: WebhookDelivery
    attempt: int


def _claim(delivery_id: int, now: datetime) -> Claim | None:
    """Take the delivery's next attempt, in a committed transaction: None if it is not
    due, taken by another worker (locked: skipped, not waited for), cancelled because
    the partner may no longer see it, or given up."""
    claim, gave_up = _claim_locked(delivery_id, now)
    if gave_up is not None:
        # After the delivery's transaction: the subscription is locked before its
        # deliveries everywhere else (_record, enable, disable), never after.
        with transaction.atomic():
            subscription = WebhookSubscription.objects.select_for_update().get(pk=gave_up)
            _note_given_up(subscription, now)
    return claim


def _claim_locked(delivery_id: int, now: datetime) -> tuple[Claim | None, int | None]:
    """(the claim, or None; the subscription id of a delivery just given up, or None)."""
    with transaction.atomic():
        delivery = (
            due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__partner")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None, None
        refusal = why_not_received(delivery.subscription, delivery.topic, delivery.job_seeker_id)
        if refusal:
            delivery.status, delivery.next_attempt_at, delivery.cancel_reason = (
                WebhookDelivery.Status.CANCELLED,
                None,
                refusal[:200],
            )
            delivery.save(update_fields=["status", "next_attempt_at", "cancel_reason"])
            return None, None
        if delivery.attempts >= max_attempts():
            # The last attempt never finished (its worker stopped): no attempts left.
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GAVE_UP, None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return None, delivery.subscription_id
        delivery.attempts += 1
        last = delivery.attempts >= max_attempts()
        delivery.next_attempt_at = now + (LAST_ATTEMPT_GRACE if last else retry_delay(delivery.attempts))
        delivery.save(update_fields=["attempts", "next_attempt_at"])
        return Claim(delivery, delivery.attempts), None


def body_of(delivery: WebhookDelivery) -> str:
    """The exact body sent (and signed): the same on every attempt."""
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def signed_headers(subscription: WebhookSubscription, webhook_id: str, body: str, at: datetime) -> dict[str, str]:
    """Standard Webhooks headers; during a rotation both secrets sign."""
    at = at.astimezone(UTC).replace(microsecond=0)
    signatures = [Webhook(secret).sign(webhook_id, at, body) for secret in subscription.signing_secrets(at)]
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def deliver(delivery_id: int, *, now: datetime | None = None) -> WebhookAttempt | None:
    """One attempt of a delivery if it is due; the logged attempt, or None."""
    started_at = now or timezone.now()
    claim = _claim(delivery_id, started_at)
    if claim is None:
        return None
    delivery = claim.delivery
    body = body_of(delivery)
    headers = signed_headers(delivery.subscription, delivery.webhook_id, body, started_at)
    started = time.monotonic()
    try:
        result = transport.post(delivery.subscription.url, body.encode(), headers)
    except BaseException:
        # The actor's time limit (a backstop above the transport's deadline), a worker
        # shut down: the attempt is logged as failed, then the interruption goes on. Its
        # retry is already scheduled by the claim (the sweep sends it when due).
        stopped = transport.Result(
            status_code=None,
            duration_ms=int((time.monotonic() - started) * 1000),
            error=_("The attempt was stopped before it finished."),
        )
        try:
            _record(claim, stopped, started_at)
        except Exception:  # noqa: BLE001 - the interruption is what must propagate
            logger.exception("Could not log the stopped attempt of webhook delivery %s.", delivery_id)
        raise
    return _record(claim, result, started_at)


def _record(claim: Claim, result: transport.Result, attempted_at: datetime) -> WebhookAttempt | None:
    now = timezone.now()
    with transaction.atomic():
        # The subscription first, then its delivery: the lock order of enable and disable.
        subscription = WebhookSubscription.objects.select_for_update().filter(pk=claim.delivery.subscription_id).first()
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=claim.delivery.pk).first()
        if subscription is None or delivery is None:
            return None  # the subscription was deleted meanwhile, with its log
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=attempted_at,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            response_body=result.body[: WebhookAttempt.RESPONSE_KEPT_BYTES].decode("utf-8", errors="replace"),
            error=result.error[:500],
        )
        if delivery.attempts != claim.attempt or delivery.status not in WebhookDelivery.WAITING:
            # Replayed or cancelled meanwhile: the attempt is logged, the state is theirs.
            return attempt
        delivery.last_status_code = result.status_code
        if result.succeeded:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                WebhookDelivery.Status.SUCCEEDED,
                now,
                None,
            )
            subscription.failing_since, subscription.given_up_in_a_row = None, 0
        else:
            subscription.failing_since = subscription.failing_since or attempted_at
            if delivery.attempts >= max_attempts():
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GAVE_UP, None
                subscription.given_up_in_a_row += 1
            else:
                delivery.status = WebhookDelivery.Status.FAILED
        delivery.save(update_fields=["status", "delivered_at", "next_attempt_at", "last_status_code"])
        subscription.save(update_fields=["failing_since", "given_up_in_a_row", "updated_at"])
        _disable_if_failing(subscription, now)
    return attempt


def _note_given_up(subscription: WebhookSubscription, now: datetime) -> None:
    subscription.given_up_in_a_row += 1
    subscription.failing_since = subscription.failing_since or now
    subscription.save(update_fields=["given_up_in_a_row", "failing_since", "updated_at"])
    _disable_if_failing(subscription, now)


def _disable_if_failing(subscription: WebhookSubscription, now: datetime) -> None:
    """Disable a subscription that keeps failing: every attempt failed for
    WEBHOOKS_DISABLE_AFTER_FAILING_DAYS, or WEBHOOKS_DISABLE_AFTER_GIVEN_UP deliveries
    gave up in a row. Its deliveries are held until it is enabled again (and replayed)."""
    if not subscription.is_active:
        return
    failing_too_long = subscription.failing_since is not None and now - subscription.failing_since >= timedelta(
        days=settings.WEBHOOKS_DISABLE_AFTER_FAILING_DAYS
    )
    if failing_too_long or subscription.given_up_in_a_row >= settings.WEBHOOKS_DISABLE_AFTER_GIVEN_UP:
        subscription.is_active = False
        subscription.disabled_at = now
        subscription.disabled_reason = WebhookSubscription.DisabledReason.FAILING
        subscription.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
        hold(subscription)
        logger.warning(
            "Webhook subscription %s of partner %s disabled: its deliveries kept failing.",
            subscription.pk,
            subscription.partner_id,
        )


def hold(subscription: WebhookSubscription) -> None:
    """A disabled subscription's waiting deliveries wait for it to be enabled."""
    subscription.deliveries.filter(status__in=WebhookDelivery.WAITING).update(next_attempt_at=None)


def purge_finished(*, now: datetime | None = None) -> int:
    """Delete finished deliveries older than WEBHOOKS_LOG_DAYS, with their attempts.
    Returns how many deliveries."""
    now = now or timezone.now()
    finished = [WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.GAVE_UP, WebhookDelivery.Status.CANCELLED]
    old = WebhookDelivery.objects.filter(
        status__in=finished, created_at__lt=now - timedelta(days=settings.WEBHOOKS_LOG_DAYS)
    )
    WebhookAttempt.objects.filter(delivery__in=old).delete()
    deleted, _by_model = old.delete()
    return deleted
