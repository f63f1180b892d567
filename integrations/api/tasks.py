"""Periodic housekeeping of the API (dramatiq-crontab, as crm/tasks.py)."""

import dramatiq
from dramatiq_crontab import cron

from integrations.api import idempotency


@cron("23 * * * *")
@dramatiq.actor(max_retries=3)
def sweep_idempotency_records():
    """Idempotency-Keys are answered for 24 hours; older records are deleted."""
    idempotency.sweep()


@cron("41 3 * * *")
@dramatiq.actor(max_retries=3)
def sweep_tombstones():
    """Deletions are listed for API_TOMBSTONE_DAYS days: a client syncing less often
    starts again from a full list (docs/api.md)."""
    from django.conf import settings

    from integrations.api import tombstones

    tombstones.sweep(settings.API_TOMBSTONE_DAYS)
