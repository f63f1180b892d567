"""Reading locust's CSV results into the load test's report (printed table and
var/bench/load.json). Pure functions on files: no Django, no locust.

Files read, for a run with `--csv <prefix>`:
- `<prefix>_stats.csv`: one row per request kind and an "Aggregated" row: counts,
  failures, requests/s and response-time percentiles in milliseconds (locust rounds
  them: exact under 100 ms, to 10 ms under 1 s, to 100 ms above);
- `<prefix>_failures.csv`: each failure's kind, message and occurrences;
- `<prefix>_served.json` (written by demo/load/locustfile.py): every response time
  except the expected 429s, merged, for the overall percentiles of what was served.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

AGGREGATED = "Aggregated"
#: The name suffix demo/load/locustfile.py gives an over-rate partner's expected 429s.
THROTTLED = "429 (expected)"
PERCENTILES = ("50%", "95%", "99%")


def _number(value: str) -> float | None:
    if value in ("", "N/A", None):
        return None
    return float(value)


def read_stats(path: Path) -> list[dict]:
    """The rows of a `_stats.csv`: {"name", "method", "requests", "failures",
    "median_ms", "average_ms", "max_ms", "rps", "p50_ms", "p95_ms", "p99_ms"}."""
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "name": row["Name"],
                    "method": row["Type"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "median_ms": _number(row["Median Response Time"]),
                    "average_ms": _number(row["Average Response Time"]),
                    "max_ms": _number(row["Max Response Time"]),
                    "rps": _number(row["Requests/s"]) or 0.0,
                    **{f"p{label[:-1]}_ms": _number(row.get(label, "")) for label in PERCENTILES},
                }
            )
    return rows


def read_failures(path: Path) -> list[dict]:
    """The rows of a `_failures.csv` (none when the file is missing): {"name",
    "method", "error", "occurrences"}."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {
                "name": row["Name"],
                "method": row["Method"],
                "error": row["Error"],
                "occurrences": int(row["Occurrences"]),
            }
            for row in csv.DictReader(handle)
        ]


def percentile(response_times: dict[int, int], percent: float) -> int | None:
    """The response time `percent` (0-1) of the requests finished within, from a
    {milliseconds: count} histogram, computed as locust computes its own."""
    total = sum(response_times.values())
    if not total:
        return None
    within = int(total * percent)
    seen = 0
    for milliseconds in sorted(response_times, reverse=True):
        seen += response_times[milliseconds]
        if total - seen <= within:
            return milliseconds
    return 0


def read_served(path: Path) -> dict[int, int] | None:
    """The merged histogram of served (not throttled) response times, or None."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {int(ms): count for ms, count in data["response_times"].items()}


def summarise(prefix: Path, *, run_seconds: float) -> dict:
    """The report of one run from its CSV files (see the module docstring).

    `requests` counts everything sent; `failures` what locust marked failed (any
    unexpected status, 5xx or connection error); `throttled` the over-rate partner's
    expected 429s. `overall` is every request but those 429s (exact percentiles when
    the served histogram is there, locust's aggregated row otherwise); `throughput`
    is requests answered per second over the run, 429s included, and `served_rps`
    without them. Raises FileNotFoundError when locust wrote no stats."""
    rows = read_stats(Path(f"{prefix}_stats.csv"))
    total = next((row for row in rows if row["name"] == AGGREGATED), None)
    kinds = [row for row in rows if row["name"] != AGGREGATED]
    if total is None:
        total = {
            "requests": sum(r["requests"] for r in kinds),
            "failures": sum(r["failures"] for r in kinds),
            "rps": 0.0,
        }
    throttled = sum(row["requests"] for row in kinds if row["name"].endswith(THROTTLED))
    overall = {key: total.get(key) for key in ("p50_ms", "p95_ms", "p99_ms", "median_ms", "average_ms", "max_ms")}
    served = read_served(Path(f"{prefix}_served.json"))
    if served:
        overall.update({f"p{label[:-1]}_ms": percentile(served, int(label[:-1]) / 100) for label in PERCENTILES})
        overall["median_ms"] = overall["p50_ms"]
    throughput = total["rps"] or (total["requests"] / run_seconds if run_seconds else 0.0)
    served_requests = total["requests"] - throttled
    return {
        "requests": total["requests"],
        "failures": total["failures"],
        "throttled_429": throttled,
        "throughput_rps": round(throughput, 2),
        "served_rps": round(throughput * served_requests / total["requests"], 2) if total["requests"] else 0.0,
        "overall": {**overall, "requests": served_requests},
        "kinds": sorted(kinds, key=lambda row: row["name"]),
        "failure_details": read_failures(Path(f"{prefix}_failures.csv")),
    }


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def format_report(summary: dict) -> str:
    """The printed table: one line per request kind, then the overall figures."""
    width = max([len(row["name"]) for row in summary["kinds"]] + [len("overall (served)")])
    header = f"{'request kind':<{width}}  {'reqs':>7}  {'fails':>5}  {'req/s':>7}  {'p50':>6}  {'p95':>6}  {'p99':>6}"
    lines = [header + "  (ms)", "-" * (len(header) + 6)]
    for row in summary["kinds"]:
        lines.append(
            f"{row['name']:<{width}}  {row['requests']:>7}  {row['failures']:>5}  {row['rps']:>7.2f}  "
            f"{_ms(row['p50_ms']):>6}  {_ms(row['p95_ms']):>6}  {_ms(row['p99_ms']):>6}"
        )
    overall = summary["overall"]
    lines.append("-" * (len(header) + 6))
    lines.append(
        f"{'overall (served)':<{width}}  {overall['requests']:>7}  {summary['failures']:>5}  "
        f"{summary['served_rps']:>7.2f}  {_ms(overall['p50_ms']):>6}  {_ms(overall['p95_ms']):>6}  "
        f"{_ms(overall['p99_ms']):>6}"
    )
    lines.append("")
    lines.append(
        f"Requests: {summary['requests']}, failures: {summary['failures']}, throughput: "
        f"{summary['throughput_rps']:.1f} req/s ({summary['served_rps']:.1f} served), "
        f"429s for the over-rate partner (expected): {summary['throttled_429']}."
    )
    for failure in summary["failure_details"]:
        lines.append(f"  FAILED {failure['occurrences']}x {failure['method']} {failure['name']}: {failure['error']}")
    return "\n".join(lines)
