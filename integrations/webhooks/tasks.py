"""The webhook actors: one attempt of one delivery, and the minute sweep that queues
what is due. Retries are stored (WebhookDelivery.next_attempt_at), never a delayed
broker message; dramatiq never retries (max_retries=0): the outbox owns the schedule."""

import dramatiq
from dramatiq_crontab import cron

from integrations.webhooks import sending


# Bounded by the transport's time-outs and capped read; the margin covers the database.
@dramatiq.actor(max_retries=0, time_limit=60_000)
def send_delivery(delivery_id: int):
    sending.deliver(delivery_id)


@cron("* * * * *")
@dramatiq.actor(max_retries=0)
def send_due_webhooks():
    """Queue the deliveries whose attempt is due: retries, and first attempts whose
    message was lost."""
    sending.queue_due()


@cron("41 3 * * *")
@dramatiq.actor(max_retries=3)
def purge_webhook_log():
    """Finished deliveries older than WEBHOOKS_LOG_DAYS go, with their attempts."""
    sending.purge_finished()
