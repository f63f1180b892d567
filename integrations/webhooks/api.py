"""/api/v1/webhooks/subscriptions/ and /api/v1/webhooks/deliveries/ (docs/webhooks.md).

A partner key with `webhooks:manage` manages its own subscriptions and reads their
delivery log; a program admin (session or personal token) every partner's of the
program; other staff see none. The secret is shown on creation and on rotation only.
The log shows each delivery's state and attempts, not its payload: a payload whose
consent was withdrawn before it was sent must not be readable afterwards."""

from __future__ import annotations

from contextlib import contextmanager

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from integrations.api import idempotency
from integrations.api.base import ScopedViewSet, etag_of
from integrations.api.filters import IdFilter
from integrations.api.grants import WEBHOOKS_MANAGE
from integrations.api.strict import StrictTypes
from integrations.webhooks import services
from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from integrations.webhooks.payloads import TOPICS
from integrations.webhooks.selectors import delivery_log, subscriptions_visible


@contextmanager
def refusals_explained():
    """A service's PermissionDenied keeps its message in the 403 problem (which grant
    is missing, why staff must name the partner)."""
    try:
        yield
    except DjangoPermissionDenied as refusal:
        raise exceptions.PermissionDenied(str(refusal) or None) from refusal


# Serializers ----------------------------------------------------------------------------


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    partner_id = serializers.IntegerField(read_only=True)
    topics = serializers.ListField(child=serializers.ChoiceField(choices=sorted(TOPICS)), read_only=True)
    disabled_reason = serializers.ChoiceField(
        source="why_disabled",
        choices=WebhookSubscription.DisabledReason.choices,
        read_only=True,
        allow_null=True,
        help_text="Why it is disabled; null while active.",
    )
    secret_rotation_ends_at = serializers.DateTimeField(
        source="previous_secret_expires_at",
        read_only=True,
        allow_null=True,
        help_text="Until then the previous secret signs too (a second signature in webhook-signature).",
    )

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "partner_id",
            "url",
            "description",
            "topics",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "secret_rotation_ends_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookSubscriptionWithSecretSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown now only: store it to verify signatures.")

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


#: What the schema promises is accepted: https, a host name, an optional port and path.
#: The server also takes a public IP address; it checks every address again at each
#: delivery (docs/webhooks.md, SSRF protection).
URL_PATTERN = r"^https://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~/-]*)?$"


@extend_schema_field({"type": "string", "format": "uri", "maxLength": 2000, "pattern": URL_PATTERN})
class WebhookUrlField(serializers.CharField):
    pass


class WebhookSubscriptionWriteSerializer(StrictTypes, serializers.Serializer):
    """Typed as the schema says (StrictTypes: "5" is not an integer, 5 not a string)."""

    url = WebhookUrlField(max_length=2000, help_text="An https:// URL on a public address.")
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(TOPICS)),
        allow_empty=False,
        min_length=1,
        help_text="Topics your key's grants allow: placement.* (placements:read), accommodation.* "
        "(support:read), benefits.* (benefits:read).",
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    partner_id = serializers.IntegerField(
        required=False, help_text="Program admins: the partner the subscription is for. Partners: omit."
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "duration_ms", "response_body", "error"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    subscription_id = serializers.IntegerField(read_only=True)
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True, help_text="Newest first.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "subscription_id",
            "topic",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "cancel_reason",
            "created_at",
            "delivered_at",
            "attempt_log",
        ]
        read_only_fields = fields


# Examples -------------------------------------------------------------------------------

SUBSCRIPTION_EXAMPLE = {
    "id": 5,
    "partner_id": 3,
    "url": "https://hooks.cmp-marseille.example/ips",
    "description": "Case-management system",
    "topics": ["placement.started", "placement.milestone_reached", "placement.ended"],
    "is_active": True,
    "disabled_at": None,
    "disabled_reason": None,
    "failing_since": None,
    "secret_rotation_ends_at": None,
    "created_at": "2026-11-30T09:00:00Z",
    "updated_at": "2026-11-30T09:00:00Z",
}
WITH_SECRET_EXAMPLE = {**SUBSCRIPTION_EXAMPLE, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
DELIVERY_EXAMPLE = {
    "id": 120,
    "webhook_id": "msg_4x3kq7d2m5b6n8p9r1s2t3v4w5y6z7a2",
    "subscription_id": 5,
    "topic": "placement.started",
    "status": "succeeded",
    "attempts": 2,
    "next_attempt_at": None,
    "last_status_code": 200,
    "cancel_reason": "",
    "created_at": "2026-11-30T09:12:00Z",
    "delivered_at": "2026-11-30T09:13:02Z",
    "attempt_log": [
        {
            "attempted_at": "2026-11-30T09:13:01Z",
            "status_code": 200,
            "duration_ms": 143,
            "response_body": "ok",
            "error": "",
        },
        {
            "attempted_at": "2026-11-30T09:12:00Z",
            "status_code": 503,
            "duration_ms": 88,
            "response_body": "Service Unavailable",
            "error": "",
        },
    ],
}
REPLAY_RESPONSE = inline_serializer(
    "WebhookSubscriptionEnabled",
    fields={"subscription": WebhookSubscriptionSerializer(), "replayed": serializers.IntegerField()},
)


# Subscriptions ----------------------------------------------------------------------------


def _without_secret(response):
    """The response as the idempotency record keeps it: the same, less the secret."""
    data = getattr(response, "data", None)
    if isinstance(data, dict) and "secret" in data:
        data = {name: value for name, value in data.items() if name != "secret"}
    kept = Response(data, status=response.status_code, content_type=getattr(response, "content_type", None))
    for name in idempotency.KEPT_HEADERS:
        if response.has_header(name):
            kept[name] = response[name]
    return kept


@extend_schema_view(
    list=extend_schema(
        summary="List webhook subscriptions",
        description="Your subscriptions (partners, `webhooks:manage`); every partner's of the program (program "
        "admins). The secret is never listed.",
        examples=[OpenApiExample("A subscription", value=SUBSCRIPTION_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Read a webhook subscription",
        examples=[OpenApiExample("A subscription", value=SUBSCRIPTION_EXAMPLE, response_only=True)],
    ),
    create=extend_schema(
        summary="Subscribe a URL to topics",
        description="Returns the subscription with its signing secret, shown this once (`Cache-Control: "
        "no-store`; an idempotent replay answers without the secret). The URL must be https:// "
        "on a public address (checked again at every delivery).",
        request=WebhookSubscriptionWriteSerializer,
        responses={201: WebhookSubscriptionWithSecretSerializer},
        examples=[
            OpenApiExample(
                "Subscribe",
                value={
                    "url": "https://hooks.cmp-marseille.example/ips",
                    "topics": ["placement.started", "placement.milestone_reached", "placement.ended"],
                    "description": "Case-management system",
                },
                request_only=True,
            ),
            OpenApiExample("Created", value=WITH_SECRET_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a webhook subscription's URL, topics or description",
        description="A partner key must grant every topic the subscription carries once changed (403 naming "
        "the missing grant otherwise): a key with only `webhooks:manage` cannot redirect a stream.",
        request=WebhookSubscriptionWriteSerializer,
        responses={200: WebhookSubscriptionSerializer},
        examples=[
            OpenApiExample("Fewer topics", value={"topics": ["placement.started"]}, request_only=True),
            OpenApiExample("Changed", value=SUBSCRIPTION_EXAMPLE, response_only=True),
        ],
    ),
    destroy=extend_schema(summary="Delete a webhook subscription and its delivery log", responses={204: None}),
)
class WebhookSubscriptionViewSet(ScopedViewSet):
    grants = {"read": WEBHOOKS_MANAGE, "write": WEBHOOKS_MANAGE}
    serializer_class = WebhookSubscriptionSerializer
    write_serializer_class = WebhookSubscriptionWriteSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    #: The actions whose response shows the signing secret.
    SHOWS_SECRET = frozenset({"create", "rotate_secret"})

    def visible(self, scope):
        return subscriptions_visible(scope)

    def finalize_response(self, request, response, *args, **kwargs):
        """A response showing the secret is not cached (Cache-Control: no-store), and
        the Idempotency-Key record keeps it without the secret: a replay answers the
        subscription without `secret` (rotate it if the first answer was lost); the
        secret is never stored in clear outside the subscription itself."""
        shows_secret = getattr(self, "action", None) in self.SHOWS_SECRET
        data = getattr(response, "data", None)
        if shows_secret and isinstance(data, dict) and "secret" in data:
            # The ETag of the subscription as a GET shows it (no secret), so that it
            # serves as If-Match for the next change.
            response["ETag"] = etag_of({name: value for name, value in data.items() if name != "secret"})
        record = self._idempotency if shows_secret else None
        if record is not None:
            self._idempotency = None  # not stored as it is: stored below, redacted
        response = super().finalize_response(request, response, *args, **kwargs)
        if record is not None:
            idempotency.finish(record, _without_secret(response))
        if shows_secret:
            response["Cache-Control"] = "no-store"
        return response

    def list(self, request):
        return self.paginated(self.get_queryset())

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())

    def create(self, request):
        data = self.validated_input()
        with refusals_explained():
            subscription = services.subscription_create(
                scope=self.scope,
                url=data["url"],
                topics=data["topics"],
                description=data.get("description", ""),
                partner_id=data.get("partner_id"),
            )
        location = reverse("api:webhook-subscription-detail", kwargs={"pk": subscription.pk})
        return Response(
            WebhookSubscriptionWithSecretSerializer(subscription).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )

    def partial_update(self, request, pk=None):
        data = self.validated_input(partial=True)
        data.pop("partner_id", None)
        with refusals_explained():
            subscription = self.locked_write(
                lambda row: services.subscription_update(scope=self.scope, subscription_id=row.pk, **data)
            )
        return self.respond(subscription)

    def destroy(self, request, pk=None):
        self.locked_write(lambda row: services.subscription_delete(scope=self.scope, subscription_id=row.pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Rotate the signing secret",
        description="A new secret, shown this once. The previous one keeps signing too (a second signature in "
        "`webhook-signature`) until `secret_rotation_ends_at` (24 hours), so you can switch without losing a webhook. "
        "A partner key must grant every topic of the subscription (403 naming the missing grant otherwise). "
        "Not cached (`Cache-Control: no-store`); an idempotent replay answers without the secret.",
        request=None,
        responses={200: WebhookSubscriptionWithSecretSerializer},
        examples=[OpenApiExample("Rotated", value=WITH_SECRET_EXAMPLE, response_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request, pk=None):
        subscription = self.get_object()
        with refusals_explained():
            subscription = services.subscription_rotate_secret(scope=self.scope, subscription_id=subscription.pk)
        return Response(WebhookSubscriptionWithSecretSerializer(subscription).data)

    @extend_schema(
        summary="Enable a subscription again, replaying what it missed",
        description="Deliveries held while it was disabled, and those that gave up, of the last 14 days are sent "
        "again (with their original webhook-id: deduplicate on it), if the person's consent still allows. "
        "A partner key must grant every topic of the subscription (403 naming the missing grant otherwise).",
        request=None,
        responses={200: REPLAY_RESPONSE},
        examples=[
            OpenApiExample("Enabled", value={"subscription": SUBSCRIPTION_EXAMPLE, "replayed": 3}, response_only=True)
        ],
    )
    @action(detail=True, methods=["post"], url_path="enable", url_name="enable")
    def enable(self, request, pk=None):
        subscription = self.get_object()
        with refusals_explained():
            subscription, replayed = services.subscription_enable(scope=self.scope, subscription_id=subscription.pk)
        return Response({"subscription": WebhookSubscriptionSerializer(subscription).data, "replayed": replayed})

    @extend_schema(
        summary="Pause a subscription",
        description="Deliveries are still recorded and held; enabling replays them.",
        request=None,
        responses={200: WebhookSubscriptionSerializer},
        examples=[
            OpenApiExample(
                "Paused",
                value={**SUBSCRIPTION_EXAMPLE, "is_active": False, "disabled_reason": "by_partner"},
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="disable", url_name="disable")
    def disable(self, request, pk=None):
        subscription = self.get_object()
        subscription = services.subscription_disable(scope=self.scope, subscription_id=subscription.pk)
        return Response(WebhookSubscriptionSerializer(subscription).data)


# Delivery log -----------------------------------------------------------------------------


class WebhookDeliveryFilter(django_filters.FilterSet):
    subscription = IdFilter(field_name="subscription_id", help_text="A subscription's id.")
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices, help_text="The delivery's state.")
    topic = django_filters.ChoiceFilter(choices=[(name, name) for name in sorted(TOPICS)])

    class Meta:
        model = WebhookDelivery
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="List webhook deliveries",
        description="Each delivery's state and its attempts (status code, duration, the first kilobyte of the "
        "response). Paged by (created_at, id); `updated_since` filters on the time it was written.",
        examples=[OpenApiExample("A delivery", value=DELIVERY_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Read a webhook delivery",
        examples=[OpenApiExample("A delivery", value=DELIVERY_EXAMPLE, response_only=True)],
    ),
)
class WebhookDeliveryViewSet(ScopedViewSet):
    grants = {"read": WEBHOOKS_MANAGE}
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter
    sync_field = "created_at"
    http_method_names = ["get", "head", "options"]

    def visible(self, scope):
        return delivery_log(scope)

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())


ROUTES = [
    ("webhooks/subscriptions", WebhookSubscriptionViewSet, "webhook-subscription"),
    ("webhooks/deliveries", WebhookDeliveryViewSet, "webhook-delivery"),
]
