"""Employers' periodic housekeeping, scheduled by dramatiq-crontab (see crm/tasks.py)."""

import dramatiq
from dramatiq_crontab import cron

from employers.importing import store


@cron("23 3 * * *")
@dramatiq.actor(max_retries=3)
def purge_expired_import_plans():
    """Delete employer import plans past their expiry, imported or not: a plan holds the
    contact details of a file nobody imported, and an imported one is kept only to tell a
    second confirmation that the import was done."""
    store.plans_purge()
