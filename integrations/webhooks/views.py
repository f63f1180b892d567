"""The program's webhook delivery log, for program admins: every partner's
subscriptions, their state (a disabled one says why), recent deliveries and their
attempts; a subscription is paused or enabled again (replaying what it missed) here.
Anyone but a program admin gets 404, as for every page not meant for their role."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from crm.access import OutOfScope
from crm.forms import parse_id
from integrations.webhooks import services
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from integrations.webhooks.selectors import delivery_log, subscriptions_visible

RECENT_DELIVERIES = 50


def _require_program_admin(request) -> None:
    scope = request.scope
    if not scope.manages_partners:
        raise OutOfScope


def webhook_log(request):
    _require_program_admin(request)
    scope = request.scope
    subscriptions = list(
        subscriptions_visible(scope)
        .select_related("partner")
        .annotate(
            waiting=Count("deliveries", filter=Q(deliveries__status__in=WebhookDelivery.WAITING)),
            gave_up=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.GAVE_UP)),
        )
        .order_by("partner__name", "created_at", "pk")
    )
    chosen = parse_id(request.GET.get("subscription"))
    status = request.GET.get("status", "")
    deliveries = delivery_log(scope)
    if chosen is not None:
        deliveries = deliveries.filter(subscription_id=chosen)
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    failing = [s for s in subscriptions if s.disabled_reason == WebhookSubscription.DisabledReason.FAILING]
    return render(
        request,
        "webhooks/webhook_log.html",
        {
            "subscriptions": subscriptions,
            "failing": failing,
            "deliveries": list(deliveries[:RECENT_DELIVERIES]),
            "chosen": chosen,
            "status": status,
            "statuses": WebhookDelivery.Status.choices,
            "recent": RECENT_DELIVERIES,
        },
    )


@require_POST
def webhook_enable(request, pk):
    _require_program_admin(request)
    try:
        subscription, replayed = services.subscription_enable(scope=request.scope, subscription_id=pk)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("webhook_log")
    messages.success(
        request,
        ngettext(
            "Webhooks to %(url)s are enabled again; %(count)d missed delivery is sent again.",
            "Webhooks to %(url)s are enabled again; %(count)d missed deliveries are sent again.",
            replayed,
        )
        % {"url": subscription.url, "count": replayed},
    )
    return redirect("webhook_log")


@require_POST
def webhook_disable(request, pk):
    _require_program_admin(request)
    subscription = services.subscription_disable(scope=request.scope, subscription_id=pk)
    messages.success(
        request,
        _("Webhooks to %(url)s are paused: deliveries are kept and sent when they are enabled again.")
        % {"url": subscription.url},
    )
    return redirect("webhook_log")
