"""The webhook actors: one attempt of one delivery, and the minute sweep that queues
what is due. Retries are stored (WebhookDelivery.next_attempt_at), never a delayed
broker message; dramatiq never retries (max_retries=0): the outbox owns the schedule."""

import dramatiq
from django.conf import settings
from dramatiq_crontab import cron

from integrations.webhooks import sending

#: The attempt ends by WEBHOOKS_TIMEOUT_SECONDS (the transport's deadline); the time
#: limit is only a backstop well above it (the margin covers the database). If it ever
#: fires, deliver() logs the attempt as failed, and the claim has already scheduled the
#: retry (the sweep queues it when due): nothing is lost.
SEND_TIME_LIMIT_MS = int(max(60, settings.WEBHOOKS_TIMEOUT_SECONDS + 30) * 1000)


@dramatiq.actor(max_retries=0, time_limit=SEND_TIME_LIMIT_MS)
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
