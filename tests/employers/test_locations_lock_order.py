"""On PostgreSQL: the site's location job and the site writers lock the employer first,
then the site (docs/events.md, the lock order), so they queue instead of deadlocking.

Run with `make test-services` (or DATABASE_URL=postgres://... REDIS_URL=...)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm import locations
from crm.access import access_scope
from crm.geocoding import GeocodingUnavailable
from employers import services, tasks
from tests.factories import EmployerFactory

pytestmark = [pytest.mark.services]

SITE = {"name": "", "address": "4 cours Julien", "postcode": "13006", "town": "Marseille"}


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's: run `make test-services`")


def locked_tables(action) -> list[str]:
    """The table of each SELECT ... FOR UPDATE, in the order they ran."""
    with CaptureQueriesContext(connection) as context:
        action()
    return [
        re.search(r'FROM "(\w+)"', query["sql"]).group(1)
        for query in context.captured_queries
        if re.search(r"FOR (NO KEY )?UPDATE", query["sql"])
    ]


@pytest.fixture
def site(organisation, specialist_sam):
    employer = EmployerFactory(organisation=organisation)
    return services.employer_site_save(scope=access_scope(specialist_sam), employer_id=employer.pk, details=SITE)


def test_the_location_job_locks_the_employer_then_the_site(site):
    assert locked_tables(lambda: tasks.locate_employer_site.fn(site.pk)) == [
        "employers_employer",
        "employers_employersite",
    ]
    site.refresh_from_db()
    assert site.location_precision == "housenumber"


def test_a_failed_attempt_locks_in_the_same_order(site, monkeypatch):
    class Down:
        def locate(self, address):
            raise GeocodingUnavailable("timed out")

    monkeypatch.setattr(locations, "geocoder", Down)

    assert locked_tables(lambda: tasks.locate_employer_site.fn(site.pk)) == [
        "employers_employer",
        "employers_employersite",
    ]


def test_the_site_writers_lock_the_employer_then_the_site(site, specialist_sam):
    scope = access_scope(specialist_sam)

    saved = locked_tables(
        lambda: services.employer_site_save(
            scope=scope, employer_id=site.employer_id, site_id=site.pk, details={"address": "2 rue Sainte"}
        )
    )
    pinned = locked_tables(
        lambda: services.employer_site_set_location(
            scope=scope,
            employer_id=site.employer_id,
            site_id=site.pk,
            latitude=Decimal("43.29"),
            longitude=Decimal("5.38"),
        )
    )

    for tables in (saved, pinned):
        assert tables.index("employers_employer") < tables.index("employers_employersite"), tables
