"""make chaos's expected-vs-found checker: its comparison reports a missing or a
duplicate row; on PostgreSQL, a tiny run without faults (events handled and webhooks
delivered inline, no worker) matches on every kind."""

from collections import Counter

import pytest
from django.db import connection

from crm import events
from crm.models import OutboxEvent
from demo.chaos import counts
from demo.chaos.checker import compare, report
from demo.chaos.driver import Driver
from demo.chaos.program import build
from demo.chaos.receiver import Receiver
from integrations.webhooks import sending
from integrations.webhooks.models import WebhookDelivery


def test_a_missing_row_is_reported():
    result = compare("events", [(1, "placement.started"), (2, "placement.started")], [(1, "placement.started")])
    assert not result.ok
    assert result.problems == ["missing 1x (2, 'placement.started')"]


def test_a_duplicate_row_is_reported():
    result = compare("deliveries", [(7, "delivery")], [(7, "delivery"), (7, "delivery")])
    assert result.problems == ["duplicate 1x (7, 'delivery')"]


def test_an_unexpected_row_and_a_match():
    assert compare("tasks", [], [("x",)]).problems == ["unexpected 1x ('x',)"]
    assert compare("tasks", Counter({"a": 2}), ["a", "a"]).ok


def test_the_report_fails_on_a_mismatch_or_a_deadlock():
    matched = compare("events", ["a"], ["a"])
    table, ok = report([matched])
    assert ok and "ok" in table
    assert report([matched], deadlocks=1)[1] is False
    table, ok = report([matched, compare("events", ["a"], [])])
    assert not ok and "MISMATCH" in table and "missing 1x 'a'" in table


@pytest.mark.django_db(transaction=True)
def test_a_tiny_run_without_faults_matches_on_every_kind(request, settings):
    if connection.vendor != "postgresql":
        pytest.skip("chaos runs on PostgreSQL (row locks, threads): set DATABASE_URL=postgres://...")
    request.getfixturevalue("taxonomies")
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    receiver = Receiver().start()
    try:
        program = build(job_seekers=4, specialists=2, employers=2, receiver_url=receiver.url)
        outcome = Driver(program, placements=4, threads=2).run()
        for _round in range(10):  # the worker's part, inline: handlers, then deliveries
            pending = list(OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).values_list("pk", flat=True))
            for event_id in pending:
                events.dispatch(event_id)
            queued = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
            for delivery_id in queued.values_list("pk", flat=True):
                sending.deliver(delivery_id)
            if not pending and not queued.exists():
                break
        results = counts.results(program.organisation, outcome, receiver.received)
    finally:
        receiver.stop()
    table, ok = report(results)
    assert ok, table
    kinds = {result.kind.split(" [")[0]: sum(result.found.values()) for result in results}
    assert kinds["events (service calls)"] >= 4 * 2  # each placement offered and started at least
    assert kinds["webhooks received (distinct ids)"] == kinds["webhook delivery rows"] > 0
