"""Managing webhook subscriptions: a partner manages its own (API key with
webhooks:manage), a program admin any partner's of the program (in the app or with the
API). Each write is one transaction. docs/webhooks.md."""

import ipaddress
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.access import AccessScope, OutOfScope, PartnerScope
from crm.models import Partner
from integrations.webhooks import sending, transport
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription, new_secret
from integrations.webhooks.payloads import TOPICS
from integrations.webhooks.selectors import subscriptions_visible


def _may_manage(scope: AccessScope) -> None:
    if not (isinstance(scope, PartnerScope) or scope.manages_partners):
        raise PermissionDenied(_("Only the partner or a program admin manages webhook subscriptions."))


def _partner_for(scope: AccessScope, partner_id: int | None) -> Partner:
    if isinstance(scope, PartnerScope):
        if partner_id not in (None, scope.partner_id):
            raise OutOfScope  # another partner's: as if it did not exist
        return scope.partner
    if partner_id is None:
        # Staff own no subscription: they may only make one on a partner's behalf.
        raise PermissionDenied(_("Program admins subscribe on behalf of a partner: name it with partner_id."))
    partner = scope.partners().filter(pk=partner_id).first()
    if partner is None:
        # A reference in a program admin's body outside the program: invalid input
        # (400), as the API answers every such reference.
        raise ValidationError({"partner_id": _("No such partner organisation of the program.")})
    return partner


def _granted(scope: AccessScope, partner: Partner) -> frozenset[str]:
    # A partner key subscribes to what it grants; a program admin, for a partner, to
    # what the partner's usable keys grant.
    if isinstance(scope, PartnerScope):
        return frozenset(scope.grants)
    return sending.partner_grants(partner.pk)


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("Enter the URL that receives the webhooks.")})
    if len(url) > WebhookSubscription._meta.get_field("url").max_length:
        raise ValidationError({"url": _("The URL is too long.")})
    try:
        _scheme, host, _port, _path = transport.check_url(url)
    except transport.Refused as refusal:
        raise ValidationError({"url": str(refusal)}) from None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None  # a name: its addresses are checked at every send
    if (
        literal is not None
        and not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES
        and not transport.address_is_public(literal)
    ):
        raise ValidationError({"url": _("The URL points to a private, local or reserved address.")})
    return url


def clean_topics(topics: Iterable[str], granted: frozenset[str]) -> list[str]:
    if isinstance(topics, str) or not isinstance(topics, Iterable):
        raise ValidationError({"topics": _("Give a list of topics.")})
    chosen = list(dict.fromkeys(topics))
    if not chosen:
        raise ValidationError({"topics": _("Choose at least one topic.")})
    unknown = [t for t in chosen if t not in TOPICS]
    if unknown:
        raise ValidationError(
            {"topics": _("Unknown topics: %(topics)s.") % {"topics": ", ".join(str(t) for t in unknown)}}
        )
    refused = [t for t in chosen if TOPICS[t].grant not in granted]
    if refused:
        # A missing grant, as everywhere in the API: 403.
        raise PermissionDenied(
            _("The key does not grant these topics: %(topics)s (%(grants)s needed).")
            % {"topics": ", ".join(refused), "grants": ", ".join(sorted({TOPICS[t].grant for t in refused}))}
        )
    return chosen


@transaction.atomic
def subscription_create(
    *, scope: AccessScope, url: str, topics: Iterable[str], description: str = "", partner_id: int | None = None
) -> WebhookSubscription:
    """A new subscription, active, with a new secret (shown to its creator). Raises
    ValidationError, PermissionDenied, OutOfScope."""
    _may_manage(scope)
    partner = _partner_for(scope, partner_id)
    subscription = WebhookSubscription(
        organisation_id=partner.organisation_id,
        partner=partner,
        url=clean_url(url),
        topics=clean_topics(topics, _granted(scope, partner)),
        description=(description or "").strip()[:200],
    )
    subscription.save()
    return subscription


def _lock(scope: AccessScope, subscription_id: int) -> WebhookSubscription:
    _may_manage(scope)
    return AccessScope.get_for_update(subscriptions_visible(scope).select_related("partner"), pk=subscription_id)


def _check_key_grants_topics(scope: AccessScope, subscription: WebhookSubscription) -> None:
    """A partner key that changes where a stream goes or who can read it (its URL, its
    secret, enabling it again; any update) must grant every topic it carries, as if it
    subscribed anew: a key with only webhooks:manage may not redirect the placement
    stream to its own URL, nor take its secret. PermissionDenied (403) names the missing
    grants. Program admins manage every partner's subscriptions as before. Pausing and
    deleting stay open to any managing key (they reveal nothing)."""
    if isinstance(scope, PartnerScope):
        clean_topics(subscription.topics, _granted(scope, subscription.partner))


@transaction.atomic
def subscription_update(
    *,
    scope: AccessScope,
    subscription_id: int,
    url: str | None = None,
    topics: Iterable[str] | None = None,
    description: str | None = None,
) -> WebhookSubscription:
    """Change the URL, topics or description. Deliveries already written keep going to
    the subscription's URL as it is when they are sent; a topic removed cancels them."""
    subscription = _lock(scope, subscription_id)
    if url is not None:
        subscription.url = clean_url(url)
    if topics is not None:
        subscription.topics = clean_topics(topics, _granted(scope, subscription.partner))
    if description is not None:
        subscription.description = description.strip()[:200]
    _check_key_grants_topics(scope, subscription)
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, scope: AccessScope, subscription_id: int) -> None:
    """Delete a subscription and its delivery log."""
    _lock(scope, subscription_id).delete()


@transaction.atomic
def subscription_rotate_secret(*, scope: AccessScope, subscription_id: int) -> WebhookSubscription:
    """A new secret; the current one keeps signing too for WEBHOOKS_ROTATION_HOURS, so
    the receiver can switch without losing a webhook."""
    subscription = _lock(scope, subscription_id)
    _check_key_grants_topics(scope, subscription)
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_expires_at = timezone.now() + timedelta(hours=settings.WEBHOOKS_ROTATION_HOURS)
    subscription.secret = new_secret()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_disable(*, scope: AccessScope, subscription_id: int) -> WebhookSubscription:
    """Pause: deliveries are still recorded, held, and replayed on enable."""
    subscription = _lock(scope, subscription_id)
    if subscription.is_active:
        subscription.is_active = False
        subscription.disabled_at = timezone.now()
        subscription.disabled_reason = (
            WebhookSubscription.DisabledReason.BY_PARTNER
            if isinstance(scope, PartnerScope)
            else WebhookSubscription.DisabledReason.BY_PROGRAM
        )
        subscription.save()
        sending.hold(subscription)
    return subscription


@transaction.atomic
def subscription_enable(*, scope: AccessScope, subscription_id: int) -> tuple[WebhookSubscription, int]:
    """Enable again and replay what it missed: deliveries held while it was disabled and
    those that gave up, of the last WEBHOOKS_REPLAY_DAYS, each with a fresh set of
    attempts, in their original order, under their original webhook-id (the receiver
    deduplicates). Consent is checked again when each is sent. Returns the subscription
    and how many deliveries are replayed."""
    subscription = _lock(scope, subscription_id)
    _check_key_grants_topics(scope, subscription)
    now = timezone.now()
    replayed = 0
    if not subscription.is_active:
        subscription.is_active = True
        subscription.disabled_at = None
        subscription.disabled_reason = ""
        subscription.failing_since = None
        subscription.given_up_in_a_row = 0
        subscription.save()
        since = now - timedelta(days=settings.WEBHOOKS_REPLAY_DAYS)
        missed = subscription.deliveries.filter(
            status__in=[*WebhookDelivery.WAITING, WebhookDelivery.Status.GAVE_UP], created_at__gte=since
        )
        # Held longer than the replay window: too old to send now.
        subscription.deliveries.filter(status__in=WebhookDelivery.WAITING, created_at__lt=since).update(
            status=WebhookDelivery.Status.GAVE_UP, next_attempt_at=None
        )
        ids = list(missed.order_by("created_at", "pk").values_list("pk", flat=True))
        replayed = WebhookDelivery.objects.filter(pk__in=ids).update(
            status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=now, queued_at=None
        )
        sending.queue_on_commit(ids)
    return subscription, replayed
