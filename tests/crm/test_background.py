"""The dramatiq broker and the periodic jobs. Runs on the in-memory broker in
`make test` and on Redis in `make test-services`."""

import datetime

import dramatiq
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from crm import tasks


def test_broker_matches_the_mode():
    broker = dramatiq.get_broker()
    expected = "RedisBroker" if settings.REDIS_URL else "StubBroker"
    assert type(broker).__name__ == expected
    middleware = {type(m).__name__ for m in broker.middleware}
    assert {"Retries", "TimeLimit", "AgeLimit", "DbConnectionsMiddleware"} <= middleware
    assert "Prometheus" not in middleware


def test_periodic_job_is_registered_with_the_scheduler():
    from dramatiq_crontab import scheduler

    jobs = {job.name: job for job in scheduler.get_jobs()}
    assert "purge_expired_login_data" in jobs
    assert str(jobs["purge_expired_login_data"].trigger.timezone) == settings.TIME_ZONE


@pytest.mark.django_db(transaction=True)
def test_purge_runs_through_the_broker_and_worker(broker, worker):
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="x", expire_date=now - datetime.timedelta(days=1))
    Session.objects.create(session_key="fresh", session_data="x", expire_date=now + datetime.timedelta(days=1))
    tasks.purge_expired_login_data.send()
    broker.join(tasks.purge_expired_login_data.queue_name, timeout=10_000)
    worker.join()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["fresh"]
