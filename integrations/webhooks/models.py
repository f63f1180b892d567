"""Webhook subscriptions of partner organisations, and the outbox of their deliveries.

A delivery row is written by the event handler (integrations.webhooks.handlers) in the
event's transaction, with the external payload built then; a dramatiq actor signs and
sends it after the commit, and the minute sweep sends whatever is due (retries, lost
messages). docs/webhooks.md describes what partners receive."""

import base64
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.models import Organisation, OutboxEvent, Partner

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


WEBHOOK_ID_SALT = "integrations.webhooks.webhook_id"


def webhook_id(event_id: int, subscription_id: int) -> str:
    """The `webhook-id` of one event for one subscription: the same on every retry and
    replay (it is stored on the delivery), so the receiver can deduplicate. An HMAC-SHA256
    keyed with a key derived from SECRET_KEY: without it, nobody can tell from the id
    which event (or how many) it is, nor test a guess (an unkeyed hash of two small
    integers is reversed in a second). Rows written before keep their id."""
    digest = salted_hmac(WEBHOOK_ID_SALT, f"{event_id}:{subscription_id}", algorithm="sha256").digest()
    return "msg_" + base64.b32encode(digest[:20]).decode("ascii").lower()


class WebhookSubscription(models.Model):
    """A partner's HTTPS endpoint and the topics it receives there."""

    class DisabledReason(models.TextChoices):
        FAILING = "failing", _("Deliveries kept failing")
        BY_PARTNER = "by_partner", _("Paused by the partner")
        BY_PROGRAM = "by_program", _("Paused by the program")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    topics = models.JSONField(_("topics"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    previous_secret = models.CharField(_("previous signing secret"), max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(_("previous secret valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=20, choices=DisabledReason.choices, blank=True)
    # Since when every attempt has failed (None: the last one succeeded), and how many
    # deliveries in a row gave up: what disables a failing subscription.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    given_up_in_a_row = models.PositiveIntegerField(_("deliveries given up in a row"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["partner__name", "created_at", "id"]
        indexes = [models.Index(fields=["organisation", "is_active"], name="webhook_sub_org_active")]

    def __str__(self):
        return f"{self.partner} → {self.url}"

    @property
    def why_disabled(self) -> str | None:
        return self.disabled_reason or None

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets that sign now: the current one, and the previous one during its
        rotation window (receivers may verify with either)."""
        now = now or timezone.now()
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookDelivery(models.Model):
    """One event for one subscription: the outbox row of a webhook.

    PENDING waits for its first attempt, FAILED for its next one (`next_attempt_at`);
    a row whose `next_attempt_at` is empty is held (its subscription is disabled) until
    the subscription is enabled again. GAVE_UP: every attempt failed. CANCELLED: at
    send time the partner could no longer see it (consent withdrawn, topic removed)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Gave up")
        CANCELLED = "cancelled", pgettext_lazy("webhook delivery", "Cancelled")

    WAITING = (Status.PENDING, Status.FAILED)

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="+")
    webhook_id = models.CharField(_("webhook id"), max_length=60, unique=True)
    topic = models.CharField(_("topic"), max_length=100)
    # Whose data, and under which part of a consent: checked again at send time.
    job_seeker_id = models.BigIntegerField(_("job seeker id"))
    shared = models.CharField(_("consent covering"), max_length=20)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    queued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="webhook_delivery_once_per_event")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="webhook_delivery_due", condition=Q(status__in=["pending", "failed"])
            ),
            models.Index(fields=["subscription", "status", "created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self):
        return f"{self.webhook_id} ({self.topic})"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: the log partners and program admins read."""

    RESPONSE_KEPT_BYTES = 1024

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(_("attempted"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    response_body = models.TextField(_("response (start)"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-attempted_at", "-id"]

    def __str__(self):
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
