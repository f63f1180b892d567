"""Running the figures of one scale, the pipeline, the growth between scales, and the
results: var/bench/results.json and a printed table.

A figure, as results.json holds it: {"name", "scale", "median_ms", "p95_ms",
"floor_name", "floor_median_ms", "ratio", "queries", "target", "ok"} and, to show the
floor was measured in the same run, "samples", "floor_samples", "interleaved",
"started_at", "finished_at" (epoch seconds), plus "floor_p95_ms", "floor_queries",
"notes" and what a group adds ("peak_bytes" for an export...). A figure that could
not be measured has "error" and null times, "ok": false."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import threading
import traceback
from pathlib import Path

from django.db import connection

from demo.bench.figures import EXPORT_MEMORY_LIMIT_BYTES, GROUPS, Spec
from demo.bench.timing import measure_pair, median, p95

GROWTH_LIMIT = 1.5
PIPELINE_LIMIT = 1.5
NATIONAL = "national"


def _round(value, digits=2):
    return round(value, digits) if isinstance(value, float) else value


def target_text(target: tuple[str, float]) -> str:
    kind, limit = target
    return f"<{limit:g} ms" if kind == "ms" else f"<={limit:g}x floor"


def judge(target: tuple[str, float], median_ms, ratio) -> bool | None:
    kind, limit = target
    if kind == "ms":
        return None if median_ms is None else median_ms < limit
    return None if ratio is None else ratio <= limit


def run_spec(spec: Spec, *, scale: str, repeat: int, budget_seconds: float | None = None) -> dict:
    figure = {
        "name": spec.name,
        "group": spec.group,
        "scale": scale,
        "floor_name": spec.floor_name,
        "target": target_text(spec.target),
        "notes": spec.notes,
        **spec.extra,
    }
    try:
        pair = measure_pair(
            spec.run,
            spec.floor,
            repeat=repeat,
            track_memory=spec.track_memory,
            after_each=spec.after_each,
            budget_seconds=budget_seconds,
        )
    except Exception as error:  # noqa: BLE001 - one figure failing must not lose the others
        figure.update(
            median_ms=None, p95_ms=None, floor_median_ms=None, ratio=None, queries=None, ok=False, error=repr(error)
        )
        figure["traceback"] = traceback.format_exc(limit=6)
        return figure
    finally:
        if spec.teardown:
            try:
                spec.teardown()
            except Exception as error:  # noqa: BLE001
                figure["teardown_error"] = repr(error)
    samples = pair.samples_ms
    floors = pair.floor_samples_ms
    if spec.floor_self_timed:
        # The floor callable returned the database's own time: use it, not the wall time
        # of asking for it.
        floors = pair.floor_values
    figure_median, floor_median = median(samples), median(floors)
    ratio = figure_median / floor_median if figure_median is not None and floor_median else None
    figure.update(
        median_ms=_round(figure_median, 3),
        p95_ms=_round(p95(samples), 3),
        floor_median_ms=_round(floor_median, 4),
        floor_p95_ms=_round(p95(floors), 4),
        ratio=_round(ratio),
        queries=pair.queries,
        floor_queries=pair.floor_queries,
        samples=[_round(value, 4) for value in samples],
        floor_samples=[_round(value, 4) for value in floors],
        interleaved=True,
        repeat=pair.repeat,
        repeat_reduced=pair.repeat < repeat,
        warm_up_only=pair.warm_up_only,
        started_at=pair.started_at,
        finished_at=pair.finished_at,
    )
    ok = judge(spec.target, figure_median, ratio)
    if spec.track_memory:
        figure["peak_bytes"] = pair.peak_bytes
        figure["floor_peak_bytes"] = pair.floor_peak_bytes
        figure["memory_limit_bytes"] = EXPORT_MEMORY_LIMIT_BYTES
        bounded = pair.peak_bytes is not None and pair.peak_bytes <= EXPORT_MEMORY_LIMIT_BYTES
        figure["memory_ok"] = bounded
        ok = ok and bounded
        figure["target"] += " in bounded memory"
    figure["ok"] = bool(ok)
    return figure


def run_groups(
    ctx,
    *,
    scale: str,
    repeat: int,
    only: set[str] | None,
    export_repeat: int,
    log,
    budget_seconds=None,
    figures: list[dict] | None = None,
    on_figure=None,
) -> list[dict]:
    """Measure every figure of every group (or those `only` names) at this scale,
    appending to `figures` and calling `on_figure()` after each (to save as it goes)."""
    figures = [] if figures is None else figures
    for group, build in GROUPS.items():
        try:
            specs = build(ctx)
        except Exception as error:  # noqa: BLE001
            log(f"  {group}: not measured ({error!r})")
            figures.append(
                {
                    "name": f"{group}",
                    "scale": scale,
                    "error": repr(error),
                    "median_ms": None,
                    "p95_ms": None,
                    "floor_name": None,
                    "floor_median_ms": None,
                    "ratio": None,
                    "queries": None,
                    "target": None,
                    "ok": False,
                }
            )
            continue
        for spec in specs:
            if only and not {group, spec.name, spec.name.split(".")[0]} & only:
                if spec.teardown:
                    spec.teardown()
                continue
            times = export_repeat if spec.group == "export" else repeat
            log(f"  {spec.name} ({times}x, against {spec.floor_name})…")
            # An export is measured --export-repeat times whatever it takes.
            budget = None if spec.group == "export" else budget_seconds
            figure = run_spec(spec, scale=scale, repeat=times, budget_seconds=budget)
            if figure.get("repeat_reduced"):
                log(f"    (slow: measured {figure['repeat']}x to stay within {budget_seconds:g} s)")
            log("    " + format_row(figure))
            figures.append(figure)
            if on_figure:
                on_figure()
    return figures


def _call_with_timeout(function, timeout: float):
    """`function()`'s result, or TimeoutError after `timeout` seconds (the call goes on in
    a daemon thread, which the process's exit ends)."""
    outcome = {}

    def call():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - handed back to the caller
            outcome["error"] = error

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"no result within {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def pipeline_figure(*, scale: str, events: int, processes: int, threads: int, timeout: float = 900) -> dict:
    """The event pipeline, measured by demo.bench.pipeline.measure_pipeline (helper
    "chaos"): per event, end to end through Redis and the worker, against the same
    handler work inline in one process."""
    figure = {
        "name": "pipeline.events",
        "group": "pipeline",
        "scale": scale,
        "floor_name": "inline.handlers",
        "target": f"<={PIPELINE_LIMIT:g}x floor, no deadlocks",
        "queries": None,
    }
    try:
        from demo.bench.pipeline import measure_pipeline
    except ImportError as error:
        figure.update(
            median_ms=None, p95_ms=None, floor_median_ms=None, ratio=None, ok=False, error="not measured: " + str(error)
        )
        return figure
    try:
        result = _call_with_timeout(
            lambda: measure_pipeline(events=events, processes=processes, threads=threads), timeout
        )
    except Exception as error:  # noqa: BLE001
        figure.update(median_ms=None, p95_ms=None, floor_median_ms=None, ratio=None, ok=False, error=repr(error))
        return figure
    eps, inline = result.get("events_per_second"), result.get("inline_events_per_second")
    per_event = 1000 / eps if eps else None
    floor = 1000 / inline if inline else None
    ratio = per_event / floor if per_event and floor else None
    deadlocks = result.get("deadlocks")
    problems = []
    if not eps or not inline:
        problems.append("no throughput")
    if any(result.get(key) is not None and result[key] < 0 for key in ("p50_ms", "p95_ms")):
        problems.append("negative latencies")
    if "not handled" in (result.get("notes") or ""):
        problems.append("events not handled")
    figure.update(
        median_ms=_round(per_event, 3),
        p95_ms=_round(result.get("p95_ms")),
        floor_median_ms=_round(floor, 3),
        ratio=_round(ratio),
        ok=bool(ratio is not None and ratio <= PIPELINE_LIMIT and deadlocks == 0 and not problems),
        pipeline=result,
        notes="median_ms: ms per event at the measured throughput; p95_ms: commit to follow-along task",
    )
    if problems:
        # Not a measurement: say so rather than print a ratio of two placeholders.
        figure["error"] = "pipeline measurement not valid: " + ", ".join(problems) + f" ({result.get('notes')})"
    return figure


def growth_figures(figures: list[dict], smaller: str, larger: str) -> list[dict]:
    """Each per-request figure measured at both scales: larger / smaller."""
    by_scale = {(f["scale"], f["name"]): f for f in figures}
    growth = []
    for figure in figures:
        if figure["scale"] != larger or figure.get("group") in ("export", "pipeline", None):
            continue
        before = by_scale.get((smaller, figure["name"]))
        if before is None:
            continue
        ratio = (
            figure["median_ms"] / before["median_ms"]
            if figure.get("median_ms") is not None and before.get("median_ms")
            else None
        )
        growth.append(
            {
                "name": f"growth.{figure['name']}",
                "group": "growth",
                "scale": f"{smaller}->{larger}",
                "median_ms": figure.get("median_ms"),
                "p95_ms": figure.get("p95_ms"),
                "floor_name": f"{figure['name']}@{smaller}",
                "floor_median_ms": before.get("median_ms"),
                "ratio": _round(ratio),
                "queries": figure.get("queries"),
                "target": f"<={GROWTH_LIMIT:g}x",
                "ok": bool(ratio is not None and ratio <= GROWTH_LIMIT),
                "floor_growth": _round(
                    figure["floor_median_ms"] / before["floor_median_ms"]
                    if figure.get("floor_median_ms") and before.get("floor_median_ms")
                    else None
                ),
            }
        )
    return growth


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) * 1024
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgresql = cursor.fetchone()[0]
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_bytes": memory,
        "postgresql": postgresql,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, as make does
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def _ms(value) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if value >= 1 else f"{value:.3f}"


def format_row(figure: dict) -> str:
    ok = {True: "ok", False: "MISS"}.get(figure.get("ok"), "")
    if figure.get("error"):
        return f"{figure['name']:<36} {figure.get('scale', ''):<19} {'not measured: ' + figure['error'][:80]}"
    ratio = figure.get("ratio")
    ratio_text = f"{ratio:.2f}x" if ratio is not None else "—"
    queries = figure.get("queries") if figure.get("queries") is not None else "—"
    times = (
        f"{_ms(figure.get('median_ms')):>10} {_ms(figure.get('p95_ms')):>10} {_ms(figure.get('floor_median_ms')):>10}"
    )
    return (
        f"{figure['name']:<36} {figure['scale']:<19} {times} {ratio_text:>8} {queries:>5}  "
        f"{figure.get('target') or '':<34} {ok}"
    )


def table(figures: list[dict]) -> str:
    header = (
        f"{'figure':<36} {'scale':<19} {'median ms':>10} {'p95 ms':>10} {'floor ms':>10} {'ratio':>8} {'qry':>5}  "
        f"{'target':<34} ok"
    )
    return "\n".join([header, "-" * len(header), *(format_row(figure) for figure in figures)])


def write_results(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2, default=str))
    tmp.replace(path)
