"""The production path end to end: a real `rundramatiq` worker process on Redis."""

import datetime
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import dramatiq
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from crm import events
from crm.access import access_scope
from crm.models import OutboxEvent
from placements import services
from placements.models import SupportTask
from tests.factories import EmployerFactory, JobSeekerFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_process(taxonomies):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis: run `make test-services`")
    db = connection.settings_dict
    environment = dict(os.environ)
    environment.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        DRAMATIQ_NAMESPACE=dramatiq.get_broker().namespace,
    )
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def start():
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "2"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started.append(process)
        return process

    started = []
    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def start_a_job(specialist):
    job_seeker = JobSeekerFactory(specialist=specialist, receives_benefits="yes")
    employer = EmployerFactory(organisation=specialist.organisation)
    today = timezone.localdate()
    scope = access_scope(specialist)
    placement = services.placement_offer_accept(
        scope=scope,
        job_seeker_id=job_seeker.pk,
        employer_id=employer.pk,
        offer={
            "job_title": "Commis",
            "is_competitive": True,
            "term": "permanent",
            "hours_per_week": Decimal("24"),
            "offer_date": today,
        },
    )
    return services.placement_start(scope=scope, placement_id=placement.pk, start_date=today)


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_a_worker_process_handles_a_job_start(worker_process, specialist_sam):
    worker_process()
    placement = start_a_job(specialist_sam)
    assert wait_until(lambda: not OutboxEvent.objects.filter(status="pending").exists())
    kinds = set(placement.support_tasks.values_list("kind", flat=True))
    # Disclosure was discussed at enrolment (the factory's people): no talk at the offer.
    assert {"benefits_planning", "accommodation", "follow_along"} <= kinds
    assert "disclosure_conversation" not in kinds
    first_contact = placement.support_tasks.get(kind="follow_along", status="open")
    assert first_contact.due_date == placement.start_date + datetime.timedelta(days=3)


def test_flushing_redis_mid_stream_loses_nothing(worker_process, specialist_sam, broker):
    placements = [start_a_job(specialist_sam) for _ in range(3)]
    assert OutboxEvent.objects.filter(status="pending").count() == 6
    broker.flush_all()  # every message in Redis is gone
    worker_process()
    time.sleep(3)
    assert OutboxEvent.objects.filter(status="pending").count() == 6  # nothing arrives on its own
    later = timezone.now() + datetime.timedelta(seconds=settings.EVENT_RESEND_GRACE_SECONDS + 1)
    assert events.resend_pending(now=later) == 6  # the sweep
    assert wait_until(lambda: not OutboxEvent.objects.filter(status="pending").exists())
    for placement in placements:
        assert placement.support_tasks.filter(kind=SupportTask.Kind.FOLLOW_ALONG, status="open").count() == 1
        assert placement.support_tasks.filter(kind=SupportTask.Kind.BENEFITS_PLANNING).count() == 1


def test_only_one_scheduler_process_acts(taxonomies):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis: run `make test-services`")
    environment = dict(os.environ, REDIS_URL=settings.REDIS_URL, SCHEDULER_LOCK_WAIT_SECONDS="2")
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, "manage.py", "runscheduler"]  # `make scheduler`
    first = subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        time.sleep(4)
        assert first.poll() is None, "the first scheduler should keep running"
        second = subprocess.run(  # noqa: S603
            command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
        )
        assert "Another scheduler is already running" in second.stdout + second.stderr
    finally:
        os.killpg(first.pid, signal.SIGTERM)
        first.wait(timeout=20)
