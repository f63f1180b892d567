"""Employers' periodic housekeeping, scheduled by dramatiq-crontab (see crm/tasks.py)."""

import dramatiq
from dramatiq_crontab import cron

from crm import locations
from crm.tasks import LOCATE_OPTIONS
from employers.importing import store


@cron("23 3 * * *")
@dramatiq.actor(max_retries=3)
def purge_expired_import_plans():
    """Delete employer import plans past their expiry, imported or not: a plan holds the
    contact details of a file nobody imported, and an imported one is kept only to tell a
    second confirmation that the import was done."""
    store.plans_purge()


@dramatiq.actor(**LOCATE_OPTIONS)
def locate_employer_site(site_id: int):
    """Locate a site's address (crm/locations.py): the employer locked first, then the
    site (the lock order); a site located is a change of its employer for whoever syncs
    employers by `updated_at` (the API)."""
    from employers.models import EmployerSite

    locations.locate(EmployerSite, site_id)


@cron("*/10 * * * *")
@dramatiq.actor(max_retries=0)
def locate_pending_employer_sites():
    """The sweep: sends a batch of site addresses still to locate and due."""
    from employers.models import EmployerSite

    locations.sweep(EmployerSite, locate_employer_site)
