"""The scheduler process (`manage.py runscheduler`, `make scheduler`) against a real
Redis: it takes its lock again when Redis loses it, and exits non-zero when it cannot,
so that a supervisor restarts it (dramatiq-crontab's own command exits 0 then).

Each test uses its own lock name in a Redis database of its own (14 unless
SCHEDULER_TEST_REDIS_URL says otherwise), away from the broker's messages. "Redis
lost the lock" is made by deleting that key, which is what FLUSHALL or a restart
without persistence does to it, without disturbing anyone else's keys."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scheduler_redis():
    if not settings.REDIS_URL:
        pytest.skip("needs Redis: run `make test-services`")
    url = os.environ.get("SCHEDULER_TEST_REDIS_URL") or urlunsplit(urlsplit(settings.REDIS_URL)._replace(path="/14"))
    client = redis.Redis.from_url(url)
    client.ping()
    namespace = f"scheduler-test-{uuid.uuid4().hex[:8]}"
    yield url, client, namespace
    for key in client.scan_iter(f"{namespace}*"):
        client.delete(key)


class SchedulerProcess:
    def __init__(self, url, namespace, **environment):
        self.lock_name = f"{namespace}-lock"
        env = dict(
            os.environ,
            REDIS_URL=url,
            DRAMATIQ_NAMESPACE=namespace,
            SCHEDULER_LOCK_NAME=self.lock_name,
            SCHEDULER_LOCK_REFRESH_SECONDS="1",
            SCHEDULER_LOCK_TIMEOUT_SECONDS="3",
            SCHEDULER_LOCK_WAIT_SECONDS="2",
            PYTHONUNBUFFERED="1",
        )
        env.update(environment)
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "runscheduler"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, condition, timeout=30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.1)
        return False

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._reader.join(timeout=5)
        return self.process.returncode


@pytest.fixture
def start_scheduler(scheduler_redis):
    url, _client, namespace = scheduler_redis
    started = []

    def start(**environment):
        scheduler = SchedulerProcess(url, namespace, **environment)
        started.append(scheduler)
        return scheduler

    yield start
    for scheduler in started:
        scheduler.stop()


def running_with_lock(scheduler, client):
    return scheduler.wait_for(lambda: "Starting scheduler" in scheduler.output and client.get(scheduler.lock_name))


def test_the_scheduler_takes_its_lock_again_after_redis_lost_it(scheduler_redis, start_scheduler):
    _url, client, _namespace = scheduler_redis
    scheduler = start_scheduler()
    assert running_with_lock(scheduler, client), scheduler.output
    first_token = client.get(scheduler.lock_name)

    client.delete(scheduler.lock_name)  # Redis flushed or restarted

    assert scheduler.wait_for(lambda: client.get(scheduler.lock_name) not in (None, first_token), timeout=15)
    assert scheduler.wait_for(lambda: "Took the scheduler lock again; resuming." in scheduler.output)
    time.sleep(4)  # longer than the lock's 3-second expiry: it is being refreshed again
    assert scheduler.process.poll() is None, scheduler.output
    assert client.get(scheduler.lock_name) is not None
    assert client.pttl(scheduler.lock_name) > 0
    assert scheduler.stop() == 0  # SIGTERM: a clean stop
    assert client.get(scheduler.lock_name) is None  # released


def test_the_scheduler_exits_non_zero_when_another_took_its_lock(scheduler_redis, start_scheduler):
    _url, client, _namespace = scheduler_redis
    scheduler = start_scheduler()
    assert running_with_lock(scheduler, client), scheduler.output

    client.set(scheduler.lock_name, "another-scheduler", px=60_000)  # lost, and taken by another

    assert scheduler.wait_for(lambda: scheduler.process.poll() is not None, timeout=20), scheduler.output
    assert scheduler.process.returncode == 3
    assert "Another scheduler took the lock; exiting." in scheduler.output
    assert client.get(scheduler.lock_name) == b"another-scheduler"  # not released by mistake


def test_a_second_scheduler_waits_then_exits_non_zero(scheduler_redis, start_scheduler):
    _url, client, _namespace = scheduler_redis
    first = start_scheduler()
    assert running_with_lock(first, client), first.output
    second = start_scheduler()
    assert second.wait_for(lambda: second.process.poll() is not None, timeout=30), second.output
    assert second.process.returncode == 3
    assert "Another scheduler is already running." in second.output
    assert first.process.poll() is None


def test_the_scheduler_exits_non_zero_when_redis_is_unreachable(start_scheduler):
    scheduler = start_scheduler(REDIS_URL="redis://127.0.0.1:1/0")
    assert scheduler.wait_for(lambda: scheduler.process.poll() is not None, timeout=30), scheduler.output
    assert scheduler.process.returncode == 1
    assert "Redis is unreachable" in scheduler.output
