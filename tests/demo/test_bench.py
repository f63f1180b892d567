"""`manage.py bench`: each figure measured against its floor in the same run
(interleaved, warm-up not counted), the ratio from those two medians, the growth between
scales, and var/bench/results.json's shape. The end-to-end run needs PostgreSQL (and
seed_scale's tiny profile); the measurement itself is checked anywhere."""

import json
import statistics

import pytest
from django.core.management import call_command, get_commands
from django.db import connection
from django.test import override_settings

from demo.bench import runner
from demo.bench.figures import RATIO_3, UNDER_150_MS, Spec
from demo.bench.timing import measure_pair, p95

FIGURE_KEYS = {
    "name",
    "scale",
    "median_ms",
    "p95_ms",
    "floor_name",
    "floor_median_ms",
    "ratio",
    "queries",
    "target",
    "ok",
}


def test_the_figure_and_its_floor_alternate_after_one_warm_up_pair(db):
    calls = []
    pair = measure_pair(lambda: calls.append("run"), lambda: calls.append("floor"), repeat=3)
    assert calls == ["run", "floor"] * 4
    assert len(pair.samples_ms) == len(pair.floor_samples_ms) == 3  # the warm-up is not counted
    assert pair.queries == pair.floor_queries == 0


def test_a_figure_slower_than_its_budget_is_measured_once_by_its_warm_up(db):
    import time

    calls = []

    def slow():
        calls.append("run")
        time.sleep(0.05)

    pair = measure_pair(slow, lambda: calls.append("floor"), repeat=5, budget_seconds=0.01)
    assert calls == ["run", "floor"]
    assert pair.warm_up_only is True
    assert len(pair.samples_ms) == len(pair.floor_samples_ms) == pair.repeat == 1
    assert pair.samples_ms[0] >= 50


def test_queries_are_counted_per_request_in_the_warm_up(db):
    from crm.models import Organisation

    pair = measure_pair(lambda: list(Organisation.objects.all()), lambda: None, repeat=1)
    assert pair.queries == 1
    assert pair.floor_queries == 0


def test_p95_by_nearest_rank():
    assert p95([5.0, 1.0, 3.0]) == 5.0
    assert p95(list(map(float, range(1, 101)))) == 95.0
    assert p95([]) is None


def test_the_ratio_is_the_median_over_the_floor_median_of_the_same_run(db):
    spec = Spec("page.x", "page", "sql.x", lambda: sum(range(200000)), lambda: sum(range(20000)), RATIO_3)
    figure = runner.run_spec(spec, scale="tiny", repeat=3)
    assert figure.keys() >= FIGURE_KEYS
    assert figure["ratio"] == pytest.approx(
        statistics.median(figure["samples"]) / statistics.median(figure["floor_samples"]), rel=0.02
    )
    assert figure["started_at"] <= figure["finished_at"]


def test_a_self_timed_floor_reports_the_time_it_returns(db):
    spec = Spec("matching.x", "matching", "db.x", lambda: None, lambda: 2.5, UNDER_150_MS, floor_self_timed=True)
    figure = runner.run_spec(spec, scale="tiny", repeat=3)
    assert figure["floor_median_ms"] == 2.5
    assert figure["ok"] is True  # well under 150 ms


def test_a_figure_that_fails_is_recorded_not_fatal(db):
    def broken():
        raise RuntimeError("boom")

    figure = runner.run_spec(Spec("page.broken", "page", "sql.x", broken, lambda: None, RATIO_3), scale="t", repeat=1)
    assert figure["ok"] is False
    assert "boom" in figure["error"]
    assert figure["median_ms"] is None


def test_growth_is_the_larger_scale_over_the_smaller():
    figures = [
        {"name": "page.a", "group": "page", "scale": "regional", "median_ms": 10.0, "floor_median_ms": 2.0},
        {"name": "page.a", "group": "page", "scale": "national", "median_ms": 14.0, "floor_median_ms": 3.0},
        {"name": "export.a", "group": "export", "scale": "regional", "median_ms": 10.0, "floor_median_ms": 2.0},
        {"name": "export.a", "group": "export", "scale": "national", "median_ms": 99.0, "floor_median_ms": 2.0},
    ]
    (growth,) = runner.growth_figures(figures, "regional", "national")
    assert growth["name"] == "growth.page.a"
    assert growth["ratio"] == 1.4
    assert growth["ok"] is True
    assert growth.keys() >= FIGURE_KEYS


def test_a_pipeline_run_whose_events_were_not_handled_is_not_a_figure(monkeypatch):
    import sys
    import types

    module = types.ModuleType("demo.bench.pipeline")
    module.measure_pipeline = lambda **kwargs: {
        "events_per_second": 1.0,
        "inline_events_per_second": 1.0,
        "noop_events_per_second": 300.0,
        "p50_ms": -5.0,
        "p95_ms": -2.0,
        "deadlocks": 0,
        "notes": "100 events not handled within 100 s",
    }
    monkeypatch.setitem(sys.modules, "demo.bench.pipeline", module)
    figure = runner.pipeline_figure(scale="tiny", events=1, processes=1, threads=1)
    assert figure["ok"] is False
    assert "not handled" in figure["error"]


def test_the_pipeline_is_not_measured_when_its_module_is_missing(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "demo.bench.pipeline", None)  # import raises ImportError
    figure = runner.pipeline_figure(scale="tiny", events=1, processes=1, threads=1)
    assert figure["ok"] is False
    assert figure["error"].startswith("not measured")


@pytest.mark.django_db(transaction=True)
def test_bench_on_the_tiny_profile_writes_every_figure_against_its_floor(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the bench measures PostgreSQL (set DATABASE_URL)")
    if "seed_scale" not in get_commands():
        pytest.skip("seed_scale is not there yet")
    output = tmp_path / "results.json"
    # seed_scale writes var/bench/dataset.json under BASE_DIR: this test's, not the repository's.
    with override_settings(BASE_DIR=tmp_path):
        call_command(
            "bench",
            profiles="tiny",
            repeat=1,
            only="page,search,api,matching,feed,export",
            output=str(output),
            pipeline_events=1,
        )
    results = json.loads(output.read_text())
    assert {"machine", "git_commit", "datasets", "figures"} <= results.keys()
    assert {"cpu_count", "cpu_model", "memory_bytes", "postgresql"} <= results["machine"].keys()
    assert results["datasets"]["tiny"]["counted"]["job_seekers"] > 0
    names = {figure["name"] for figure in results["figures"]}
    assert {"page.job_seekers", "page.employers", "search.employers_name", "api.employer_contacts"} <= names
    assert {"matching.job_seeker", "feed.full_build", "feed.not_modified", "export.employer_contacts"} <= names
    assert {"api.job_seekers", "api.placements"} <= names  # with the partner key seed_scale made
    for figure in results["figures"]:
        assert figure.keys() >= FIGURE_KEYS, figure["name"]
        assert not figure.get("error"), (figure["name"], figure.get("error"))
        assert figure["scale"] == "tiny"
        # The floor was measured in the same run, alternately with the figure.
        assert figure["interleaved"] is True
        assert len(figure["samples"]) == len(figure["floor_samples"]) == 1
        assert figure["ratio"] == pytest.approx(figure["median_ms"] / figure["floor_median_ms"], rel=0.02)
        assert isinstance(figure["ok"], bool)
    export = next(figure for figure in results["figures"] if figure["name"] == "export.employer_contacts")
    assert export["peak_bytes"] is not None
