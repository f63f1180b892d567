"""Who sees which subscriptions and delivery logs: a partner its own; a program admin
(and the program's own scope) every partner's of the program; nobody else."""

from django.db.models import Prefetch, QuerySet

from crm.access import AccessScope, PartnerScope, rows_rule
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def subscriptions_visible(scope: AccessScope) -> QuerySet[WebhookSubscription]:
    if isinstance(scope, PartnerScope):
        return WebhookSubscription.objects.filter(partner_id=scope.partner_id, organisation_id=scope.organisation_id)
    if scope.is_program_wide and scope.organisation_id:
        return WebhookSubscription.objects.filter(organisation_id=scope.organisation_id)
    return WebhookSubscription.objects.none()


def deliveries_visible(scope: AccessScope) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(subscription__in=subscriptions_visible(scope))


def attempts_visible(scope: AccessScope) -> QuerySet[WebhookAttempt]:
    return WebhookAttempt.objects.filter(delivery__subscription__in=subscriptions_visible(scope))


def delivery_log(scope: AccessScope) -> QuerySet[WebhookDelivery]:
    """Deliveries with their subscription and attempts, newest first: a constant number
    of queries however many rows."""
    return (
        deliveries_visible(scope)
        .select_related("subscription__partner")
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-attempted_at", "-id")))
        .order_by("-created_at", "-id")
    )


rows_rule(WebhookSubscription)(subscriptions_visible)
rows_rule(WebhookDelivery)(deliveries_visible)
rows_rule(WebhookAttempt)(attempts_visible)
