"""Webhook deliveries from the outbox: one row per subscription that may receive the
event, written in the event's transaction (with its success), sent after the commit.

No HTTP call here: a slow or hostile receiver must never hold the dispatcher's
transaction or its locks. Whether the partner may see the person is decided now (a
consent in force covering the topic's area, a usable key granting it) and again at send
time (integrations.webhooks.sending.why_not_received)."""

from django.utils import timezone

from crm.events import handles
from crm.models import OutboxEvent
from integrations.webhooks import payloads, sending
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription, webhook_id


@handles(*payloads.TOPICS, name="webhooks.record_deliveries")
def record_deliveries(event: OutboxEvent) -> None:
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(
            organisation_id=event.organisation_id, partner__organisation_id=event.organisation_id
        ).select_related("partner")
        # JSON "contains" is not portable (SQLite): a program has few subscriptions.
        if event.topic in subscription.topics
    ]
    if not subscriptions:
        return
    job_seeker_id = payloads.job_seeker_of(event)
    if job_seeker_id is None:
        return  # the placement was deleted since: nothing left to tell
    payload = payloads.build(event)
    now = timezone.now()
    to_queue = []
    for subscription in subscriptions:
        if not sending.may_receive(subscription, event.topic, job_seeker_id):
            continue
        delivery, created = WebhookDelivery.objects.get_or_create(
            subscription=subscription,
            event=event,
            defaults={
                "webhook_id": webhook_id(event.pk, subscription.pk),
                "topic": event.topic,
                "job_seeker_id": job_seeker_id,
                "shared": payloads.TOPICS[event.topic].shared,
                "payload": payload,
                "created_at": now,
                # A disabled subscription's deliveries are held, and replayed when it is enabled.
                "next_attempt_at": now if subscription.is_active else None,
            },
        )
        if created and subscription.is_active:
            to_queue.append(delivery.pk)
    sending.queue_on_commit(to_queue)
