"""The event pipeline's figure for `make bench` (helper chaos owns this module).

`measure_pipeline(events, processes, threads)` starts `events` jobs through the
service (`placement_start`, from 4 threads) with a worker of `processes` x `threads`
under supervisord (as docs/operations.md runs it) consuming the default Redis, and
times service call -> handler effect (the follow-along plan and first contact task of
`placements.start_follow_along`, plus the webhook and other handlers of the topic).
Against it, in the same run:
- inline: the same starts and the same dispatch() run one after the other in this one
  process (the work itself, no broker: the floor of the work);
- no-op: `events` messages to an actor that does nothing, through the same Redis with
  an in-process dramatiq worker of the same threads (the broker's floor).
p50/p95: from the event's commit (its occurred_at) to the follow-along task's creation.
Deadlocks: pg_stat_database.deadlocks delta over the run. It cleans up after itself:
the programs it made are deleted, its worker and supervisord stopped, the no-op
actor's queue flushed."""

import os
import shutil
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import dramatiq
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import ProtectedError, RestrictedError
from dramatiq.brokers.redis import RedisBroker

from crm import clock, events
from crm.access import access_scope
from crm.models import Organisation, OutboxEvent
from demo.chaos.program import build
from demo.chaos.receiver import Receiver
from placements import services
from placements.models import SupportTask


def _delete_program(organisation_id: int) -> None:
    """Delete a program made for the measurement and every row of it: each model
    pointing at the organisation, repeated until protected references are gone."""
    models = [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.many_to_one and getattr(field, "related_model", None) is Organisation
    ]
    for _pass in range(8):
        left = 0
        for model, field in models:
            queryset = model.objects.filter(**{field: organisation_id})
            if not queryset.exists():
                continue
            try:
                with transaction.atomic():
                    queryset.delete()
            except (ProtectedError, RestrictedError):
                left += 1
        if not left:
            break
    Organisation.objects.filter(pk=organisation_id).delete()


def _deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _offered(program, count: int) -> list[tuple]:
    """`count` accepted offers (their events handled inline, untimed): (scope, placement id)."""
    today = clock.program_today(program.organisation)
    made = []
    for i, job_seeker_id in enumerate(program.job_seeker_ids[:count]):
        specialist = program.specialists[i % len(program.specialists)]
        scope = access_scope(specialist)
        placement = services.placement_offer_accept(
            scope=scope,
            job_seeker_id=job_seeker_id,
            employer_id=program.employer_ids[i % len(program.employer_ids)],
            offer={
                "job_title": "Agent",
                "is_competitive": True,
                "term": "permanent",
                "hours_per_week": None,
                "hourly_pay": None,
                "offer_date": today,
                "expected_start_date": today,
            },
        )
        made.append((scope, placement.pk))
    for event_id in OutboxEvent.objects.filter(
        organisation=program.organisation, status=OutboxEvent.Status.PENDING
    ).values_list("pk", flat=True):
        events.dispatch(event_id)
    return made


def _start(scope, placement_id, today) -> None:
    try:
        services.placement_start(scope=scope, placement_id=placement_id, start_date=today)
    finally:
        connection.close()


def _latencies(placement_ids) -> list[float]:
    started = dict(
        OutboxEvent.objects.filter(topic="placement.started", aggregate_id__in=placement_ids).values_list(
            "aggregate_id", "occurred_at"
        )
    )
    tasks = dict(
        SupportTask.objects.filter(placement_id__in=placement_ids, kind=SupportTask.Kind.FOLLOW_ALONG).values_list(
            "placement_id", "created_at"
        )
    )
    return sorted((tasks[p] - started[p]).total_seconds() * 1000 for p in placement_ids if p in tasks and p in started)


def _percentile(values, q) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _through_worker(events_count, processes, threads, receiver_url, timeout, made_programs) -> tuple:
    from demo.chaos import supervisor

    program = build(job_seekers=events_count, receiver_url=receiver_url)
    made_programs.append(program.organisation.pk)
    made = _offered(program, events_count)
    today = clock.program_today(program.organisation)
    env = {
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "REDIS_URL": settings.REDIS_URL,
        "DRAMATIQ_NAMESPACE": os.environ.get("DRAMATIQ_NAMESPACE", "ips-crm"),
        "GEOCODER": "fake",
    }
    supervised = supervisor.start(processes=processes, threads=threads, env=env)
    try:
        supervised.wait_running("ips-crm-worker", timeout=60)
        time.sleep(3)  # the worker's processes import the project
        ids = [pk for _scope, pk in made]
        began = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda made_one: _start(made_one[0], made_one[1], today), made))
        pending = OutboxEvent.objects.filter(topic="placement.started", aggregate_id__in=ids)
        deadline = began + timeout
        while time.monotonic() < deadline and pending.exclude(status=OutboxEvent.Status.HANDLED).exists():
            time.sleep(0.05)
        elapsed = time.monotonic() - began
        left = pending.exclude(status=OutboxEvent.Status.HANDLED).count()
        note = f"{left} events not handled within {timeout} s; " if left else ""
        return events_count / elapsed, _latencies(ids), note
    finally:
        supervised.stop()
        shutil.rmtree(supervised.directory, ignore_errors=True)


def _inline(events_count, receiver_url, made_programs) -> float:
    program = build(job_seekers=events_count, receiver_url=receiver_url)
    made_programs.append(program.organisation.pk)
    made = _offered(program, events_count)
    today = clock.program_today(program.organisation)
    began = time.monotonic()
    for scope, placement_id in made:
        services.placement_start(scope=scope, placement_id=placement_id, start_date=today)
        event_id = OutboxEvent.objects.get(topic="placement.started", aggregate_id=placement_id).pk
        events.dispatch(event_id)
    return events_count / (time.monotonic() - began)


def _noop(events_count, threads) -> float:
    broker = RedisBroker(url=settings.REDIS_URL, namespace="ips-crm-bench-noop")
    done = threading.Semaphore(0)

    @dramatiq.actor(broker=broker, queue_name="noop", actor_name="bench_noop", max_retries=0)
    def noop(i):
        done.release()

    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    try:
        began = time.monotonic()
        for i in range(events_count):
            noop.send(i)
        for _ in range(events_count):
            if not done.acquire(timeout=60):
                break
        return events_count / (time.monotonic() - began)
    finally:
        worker.stop()
        broker.flush_all()
        broker.close()


def measure_pipeline(events: int, processes: int, threads: int) -> dict:  # noqa: C901 - one measurement
    """See the module's docstring. Returns {"events_per_second", "inline_events_per_second",
    "noop_events_per_second", "p50_ms", "p95_ms", "deadlocks", "notes"} (rates in events
    per second, latencies in milliseconds)."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise RuntimeError("measure_pipeline needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    receiver = Receiver().start()
    settings.WEBHOOKS_ALLOW_HTTP = settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    before = _deadlocks()
    made_programs: list[int] = []
    try:
        rate, latencies, note = _through_worker(
            events, processes, threads, receiver.url, max(60, events), made_programs
        )
        inline = _inline(events, receiver.url, made_programs)
        noop = _noop(events, threads)
        deadlocks = _deadlocks() - before
    finally:
        receiver.stop()
        for organisation_id in made_programs:
            _delete_program(organisation_id)
    return {
        "events_per_second": round(rate, 1),
        "inline_events_per_second": round(inline, 1),
        "noop_events_per_second": round(noop, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(_percentile(latencies, 0.95), 1) if latencies else None,
        "deadlocks": deadlocks,
        "notes": (
            f"{note}{events} job starts (placement_start from 4 threads) -> placement.started handled "
            f"(follow-along plan and first contact, webhook delivery row) by a worker of {processes}x{threads} "
            "under supervisord; inline: the same start and dispatch in one process; no-op: an empty actor "
            "through the same Redis; p50/p95 from the event's commit to the follow-along task"
        ),
    }
