"""manage.py loadtest (demo/load): the report read from locust's CSV files, the run
time option, the locustfile's user classes, and on PostgreSQL a 5-second run against
the tiny data set (gunicorn with DEBUG off, locust in its own process)."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import global_settings, settings
from django.core.management import call_command

from demo.load import report
from demo.load.plan import _spread
from demo.load.server import static_files_current
from demo.management.commands.loadtest import LOCUSTFILE, parse_seconds

LOCUST = importlib.util.find_spec("locust") is not None

STATS_CSV = """\
Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,api over rate: 429 (expected),300,0,4,5.1,2,40,180.0,5.0,0.0,4,5,5,6,7,9,20,30,40,40,40
GET,api over rate: allowed,120,0,35,40.2,20,300,1001.0,2.0,0.0,35,40,45,50,60,80,200,300,300,300,300
GET,page: My week,400,2,120,150.3,60,2400,20480.0,6.67,0.03,120,140,160,170,220,310,600,900,2400,2400,2400
GET,feed: conditional,100,0,30,31.0,10,90,0.0,1.67,0.0,30,32,34,35,40,50,70,90,90,90,90
GET,feed: empty,0,0,0,0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
,Aggregated,920,2,40,80.0,2,2400,8000.0,15.34,0.03,40,70,100,120,160,220,400,700,2400,2400,2400
"""

FAILURES_CSV = """\
Method,Name,Error,Occurrences,First Seen,Last Seen
GET,page: My week,CatchResponseError('HTTP 502 (expected 200)'),2,2026-11-30T22:00:01Z,2026-11-30T22:00:30Z
"""


def write_run(directory: Path, *, failures: bool = True, served: dict | None = None) -> Path:
    prefix = directory / "locust"
    Path(f"{prefix}_stats.csv").write_text(STATS_CSV, encoding="utf-8")
    if failures:
        Path(f"{prefix}_failures.csv").write_text(FAILURES_CSV, encoding="utf-8")
    if served is not None:
        Path(f"{prefix}_served.json").write_text(json.dumps(served), encoding="utf-8")
    return prefix


def test_report_counts_requests_failures_and_the_expected_429s_apart(tmp_path):
    summary = report.summarise(write_run(tmp_path), run_seconds=60)

    assert summary["requests"] == 920
    assert summary["failures"] == 2
    assert summary["throttled_429"] == 300
    assert summary["throughput_rps"] == 15.34
    assert summary["served_rps"] == round(15.34 * 620 / 920, 2)
    assert summary["failure_details"] == [
        {
            "name": "page: My week",
            "method": "GET",
            "error": "CatchResponseError('HTTP 502 (expected 200)')",
            "occurrences": 2,
        }
    ]
    my_week = next(row for row in summary["kinds"] if row["name"] == "page: My week")
    assert (my_week["requests"], my_week["failures"], my_week["p50_ms"], my_week["p95_ms"], my_week["p99_ms"]) == (
        400,
        2,
        120,
        310,
        900,
    )
    # A kind with no request has no percentiles (locust writes N/A).
    empty = next(row for row in summary["kinds"] if row["name"] == "feed: empty")
    assert empty["p95_ms"] is None


def test_overall_percentiles_leave_out_the_429s_when_locust_wrote_the_served_times(tmp_path):
    # 90 answers at 10 ms, 9 at 200 ms, 1 at 3000 ms.
    served = {"num_requests": 100, "response_times": {"10": 90, "200": 9, "3000": 1}}
    summary = report.summarise(write_run(tmp_path, served=served), run_seconds=60)

    assert (summary["overall"]["p50_ms"], summary["overall"]["p95_ms"], summary["overall"]["p99_ms"]) == (10, 200, 3000)
    assert summary["overall"]["requests"] == 620


def test_overall_falls_back_on_locusts_aggregated_row(tmp_path):
    summary = report.summarise(write_run(tmp_path, failures=False), run_seconds=60)

    assert (summary["overall"]["p50_ms"], summary["overall"]["p95_ms"], summary["overall"]["p99_ms"]) == (40, 220, 700)
    assert summary["failure_details"] == []


def test_percentile_is_computed_as_locust_does():
    times = {5: 60, 50: 36, 500: 4}
    assert report.percentile(times, 0.5) == 5
    assert report.percentile(times, 0.95) == 50
    assert report.percentile(times, 0.99) == 500
    assert report.percentile({}, 0.5) is None


def test_printed_report_has_a_line_per_kind_the_overall_line_and_the_failures(tmp_path):
    text = report.format_report(report.summarise(write_run(tmp_path), run_seconds=60))

    lines = text.splitlines()
    assert any(line.startswith("page: My week") and line.split()[-3:] == ["120", "310", "900"] for line in lines)
    assert any(line.startswith("overall (served)") for line in lines)
    assert "Requests: 920, failures: 2, throughput: 15.3 req/s (10.3 served)" in text
    assert "429s for the over-rate partner (expected): 300." in text
    assert "FAILED 2x GET page: My week: CatchResponseError('HTTP 502 (expected 200)')" in text


def test_a_run_without_stats_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        report.summarise(tmp_path / "locust", run_seconds=60)


@pytest.mark.parametrize(("value", "seconds"), [("60", 60), ("45s", 45), ("2m", 120), ("1m30s", 90), ("1h", 3600)])
def test_run_time_reads_seconds_minutes_and_hours(value, seconds):
    assert parse_seconds(value) == seconds


@pytest.mark.parametrize("value", ["", "0", "ten", "5x", "-5"])
def test_run_time_refuses_what_is_not_a_duration(value):
    with pytest.raises(ValueError):
        parse_seconds(value)


def test_accounts_are_spread_over_the_whole_list():
    assert _spread(list(range(100)), 4) == [0, 25, 50, 75]
    assert _spread([1, 2], 5) == [1, 2]


@pytest.mark.skipif(not LOCUST, reason="locust is not installed (pip install -r requirements-bench.txt)")
def test_locust_finds_every_user_class_in_the_locustfile():
    listed = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert listed.stdout.split()[-5:] == [
        "Specialist",
        "TeamLeader",
        "PartnerSync",
        "CalendarReader",
        "OverRatePartner",
    ]


@pytest.mark.skipif(not LOCUST, reason="locust is not installed (pip install -r requirements-bench.txt)")
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the load test runs gunicorn on PostgreSQL + Redis: run with DATABASE_URL=postgres://...",
)
@pytest.mark.django_db(transaction=True)
def test_a_short_run_against_the_tiny_data_set_has_no_failure_and_sees_429s(tmp_path, settings):
    if not static_files_current():
        # CI collects them first (make static-files) and sets REQUIRE_LOADTEST: there,
        # a skip would hide that the load test no longer runs.
        missing = "static files not collected with DEBUG off (about a minute of CPU): run `make static-files`"
        if os.environ.get("REQUIRE_LOADTEST"):
            pytest.fail(missing)
        pytest.skip(missing)
    # gunicorn checks passwords with the production hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    output = tmp_path / "load.json"

    call_command(
        "loadtest",
        "--profile=tiny",
        f"--dataset={tmp_path / 'dataset.json'}",
        f"--output={output}",
        "--run-time=5",
        "--users=5",
        "--spawn-rate=5",
        "--workers=2",
        "--accounts=2",
        "--feeds=2",
        # One a minute: the over-rate partner's second request is a 429 even on a busy
        # machine (the partner's sync, which must never be throttled, is left out).
        "--api-rate=1/min",
        "--exclude=PartnerSync",
        "--over-rate-rps=5",
        "--wait",
        "0.2",
        "0.5",
    )

    result = json.loads(output.read_text())
    assert result["results"]["failures"] == 0
    assert result["results"]["throttled_429"] > 0
    assert "api over rate: 429 (expected)" in {row["name"] for row in result["results"]["kinds"]}
    # The feeds and the over-rate key made for the run are gone.
    from integrations.api.models import ApiKey
    from integrations.calendar.models import CalendarFeed

    assert not CalendarFeed.objects.exists()
    assert ApiKey.objects.count() == 1
