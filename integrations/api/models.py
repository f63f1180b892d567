"""Credentials of the API (partner keys, staff personal tokens), idempotency records
and tombstones.

A credential reads `<prefix><public id>_<secret>`: the prefix tells its kind
(`ipsk_` a partner key, `ipst_` a personal token), the 8-character public id finds the
row, and only a SHA-256 hash of the secret is stored, compared in constant time. The
plaintext is shown once, when it is created."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import string

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PUBLIC_ID_ALPHABET = string.ascii_lowercase + string.digits
PUBLIC_ID_LENGTH = 8
#: last_used_at is written at most this often (a burst of requests writes once).
LAST_USED_RESOLUTION = datetime.timedelta(seconds=60)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_public_id() -> str:
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


class CredentialQuerySet(models.QuerySet):
    def usable(self, *, now: datetime.datetime | None = None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class Credential(models.Model):
    """What partner keys and personal tokens share."""

    PREFIX = ""

    name = models.CharField(_("name"), max_length=120)
    public_id = models.CharField(_("public id"), max_length=PUBLIC_ID_LENGTH, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.PREFIX}{self.public_id}… {self.name}"

    @classmethod
    def issue(cls, **fields) -> tuple[Credential, str]:
        """A new unsaved credential and its plaintext (shown once, never stored)."""
        secret = secrets.token_urlsafe(32)
        credential = cls(public_id=new_public_id(), secret_hash=hash_secret(secret), **fields)
        return credential, f"{cls.PREFIX}{credential.public_id}_{secret}"

    @classmethod
    def parse(cls, token: str) -> tuple[str, str] | None:
        """(public id, secret) of a plaintext of this kind, or None."""
        if not token.startswith(cls.PREFIX):
            return None
        rest = token[len(cls.PREFIX) :]
        public_id, sep, secret = rest[:PUBLIC_ID_LENGTH], rest[PUBLIC_ID_LENGTH : PUBLIC_ID_LENGTH + 1], rest[9:]
        if sep != "_" or not secret or len(public_id) != PUBLIC_ID_LENGTH:
            return None
        return public_id, secret

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(hash_secret(secret), self.secret_hash)

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def masked(self) -> str:
        return f"{self.PREFIX}{self.public_id}_…"

    def touch(self, now: datetime.datetime | None = None) -> None:
        """Record a use, writing at most once a minute (and once across concurrent
        requests: the conditional update is a no-op for all but one)."""
        now = now or timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < LAST_USED_RESOLUTION:
            return
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        type(self).objects.filter(stale, pk=self.pk).update(last_used_at=now)
        self.last_used_at = now


class ApiKey(Credential):
    """A partner organisation's key, with the grants it carries (integrations.api.grants)."""

    PREFIX = "ipsk_"

    partner = models.ForeignKey("crm.Partner", on_delete=models.CASCADE, related_name="api_keys")
    grants = models.JSONField(_("grants"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("partner API key")
        verbose_name_plural = _("partner API keys")
        ordering = ["-created_at", "-pk"]


class PersonalToken(Credential):
    """A staff member's token: the API with exactly their access in the app."""

    PREFIX = "ipst_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")

    class Meta:
        verbose_name = _("personal API token")
        verbose_name_plural = _("personal API tokens")
        ordering = ["-created_at", "-pk"]


class IdempotencyRecord(models.Model):
    """The first response to a POST or PATCH sent with an Idempotency-Key, per principal
    (a key, or a staff user), kept 24 hours (integrations.api.idempotency)."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    principal = models.CharField(_("principal"), max_length=40)
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.TextField(_("response body"), blank=True)
    response_headers = models.JSONField(_("response headers"), default=dict)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="api_idempotency_once_per_principal")]

    def __str__(self):
        return f"{self.principal} {self.key}"


class Tombstone(models.Model):
    """A record deleted, for incremental sync: clients drop what they hold of it.
    `partner_id` set: written for that partner (whose scope included the deleted row's
    area of the person then); null: for staff, with `specialist_id` the person's
    specialist then (staff read the deletions of the caseloads they read). Kept
    API_TOMBSTONE_DAYS days. Records a partner lost through consent withdrawal or
    expiry are computed from the consents (integrations.api.tombstones), not stored."""

    class Reason(models.TextChoices):
        DELETED = "deleted", _("deleted")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("consent withdrawn")
        CONSENT_EXPIRED = "consent_expired", _("consent expired")

    # Plain ids, not foreign keys: a tombstone outlives what it names, and one written
    # while a whole program or partner is being deleted must not block that deletion.
    organisation_id = models.BigIntegerField(_("organisation id"))
    resource_type = models.CharField(_("resource type"), max_length=40)
    object_id = models.BigIntegerField(_("object id"))
    job_seeker_id = models.BigIntegerField(_("job seeker id"), null=True, blank=True)
    partner_id = models.BigIntegerField(_("partner id"), null=True, blank=True)
    specialist_id = models.BigIntegerField(_("specialist id"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, default=Reason.DELETED)
    happened_at = models.DateTimeField(_("happened"), default=timezone.now)

    class Meta:
        verbose_name = _("tombstone")
        indexes = [
            models.Index(fields=["organisation_id", "partner_id", "happened_at", "id"], name="api_tombstone_sync")
        ]
        ordering = ["happened_at", "id"]

    def __str__(self):
        return f"{self.resource_type} {self.object_id} {self.reason}"
