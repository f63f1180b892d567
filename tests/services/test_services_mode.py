"""Checks that only make sense on the production path: real PostgreSQL and Redis."""

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.services


@pytest.fixture(autouse=True)
def require_services():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis: run `make test-services`")


def test_redis_is_reachable_and_used_by_the_broker():
    import dramatiq
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    assert client.ping()
    broker = dramatiq.get_broker()
    assert broker.namespace == "ips-crm-test"


@pytest.mark.django_db
def test_check_constraints_are_enforced_by_postgresql(specialist_sam):
    import datetime

    from django.db import IntegrityError, transaction

    from tests.factories import PlacementFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        PlacementFactory(
            job_seeker__specialist=specialist_sam,
            offer_date=datetime.date(2026, 3, 1),
            start_date=datetime.date(2026, 3, 10),
            end_date=datetime.date(2026, 3, 5),
            status="ended",
            end_reason="fired",
        )


@pytest.mark.django_db
def test_search_is_case_and_accent_tolerant_enough(client_for, specialist_sam):
    from django.urls import reverse

    from tests.factories import JobSeekerFactory

    JobSeekerFactory(specialist=specialist_sam, first_name="Élodie", last_name="Durand")
    page = client_for(specialist_sam).get(reverse("job_seeker_list"), {"q": "durand"}).content.decode()
    assert "Élodie" in page


def test_scheduler_takes_a_redis_lock_so_only_one_acts():
    from dramatiq_crontab import utils

    assert not isinstance(utils.lock, utils.FakeLock), "DRAMATIQ_CRONTAB['REDIS_URL'] must be set from REDIS_URL"
    rival = utils.redis_client.lock("dramatiq-scheduler", timeout=5, blocking_timeout=0.1, thread_local=False)
    with utils.lock:
        assert not rival.acquire()
