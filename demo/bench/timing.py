"""Measuring a figure against its floor in the same run: one warm-up pair (not counted,
so a cold cache or a first compilation does not count), then `repeat` pairs, each
the measured thing then its floor, so that a noisy neighbour slows both alike and the
ratio of their medians holds. Times are wall-clock milliseconds (time.perf_counter)."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p95(values: list[float]) -> float | None:
    """The 95th percentile by nearest rank (with 7 samples: the largest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-95 * len(ordered) // 100))  # ceil(0.95 n)
    return ordered[rank - 1]


def timed_ms(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


class PeakRss:
    """The peak resident memory of this process above its level at the start, in bytes:
    /proc/self/statm sampled every `interval` seconds in a thread (cheap, unlike
    tracemalloc, which would slow the very export it measures). Linux only; None
    elsewhere."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.peak = 0
        self.start = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def rss() -> int | None:
        try:
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * 4096
        except (OSError, ValueError, IndexError):
            return None

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss() or 0)
            self._stop.wait(self.interval)

    def __enter__(self):
        self.start = self.rss() or 0
        self.peak = self.start
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss() or 0)

    @property
    def delta(self) -> int | None:
        return self.peak - self.start if self.start else None


@dataclass
class Pair:
    """The samples of one figure and of its floor, taken alternately in one run."""

    samples_ms: list[float] = field(default_factory=list)
    floor_samples_ms: list[float] = field(default_factory=list)
    #: What the floor returned each time (a self-timed floor returns its own ms).
    floor_values: list = field(default_factory=list)
    queries: int | None = None
    repeat: int = 0
    warm_up_only: bool = False
    floor_queries: int | None = None
    peak_bytes: int | None = None
    floor_peak_bytes: int | None = None
    started_at: float = 0.0
    finished_at: float = 0.0


def measure_pair(
    run: Callable[[], object],
    floor: Callable[[], object],
    *,
    repeat: int,
    track_memory: bool = False,
    after_each: Callable[[], object] | None = None,
    budget_seconds: float | None = None,
) -> Pair:
    """Warm up once (counting the queries of each side there, so that the capture's
    own cost is not in the timed runs), then alternate `run` and `floor` `repeat` times.
    `after_each` runs untimed after each `run` (to invalidate a cache, say). With
    `budget_seconds`, a figure whose warm-up pair shows it would take longer is measured
    fewer times (at least once): `Pair.repeat` says how many."""
    pair = Pair(started_at=time.time())

    def floor_kept():
        pair.floor_values.append(floor())

    warm_up_start = time.perf_counter()
    warm_up_ms = {}
    with CaptureQueriesContext(connection) as captured:
        warm_up_ms["run"] = timed_ms(run)
    pair.queries = len(captured.captured_queries)
    if after_each:
        after_each()
    floor_start = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        warm_up_floor = floor()
    warm_up_ms["floor"] = (time.perf_counter() - floor_start) * 1000
    pair.floor_queries = len(captured.captured_queries)
    warm_up = time.perf_counter() - warm_up_start
    if budget_seconds is not None and warm_up * repeat > budget_seconds:
        repeat = int(budget_seconds / warm_up)
        if repeat == 0:
            # Slower than the whole budget: the warm-up pair is the one sample (a cold
            # cache matters little next to minutes).
            pair.samples_ms.append(warm_up_ms["run"])
            pair.floor_samples_ms.append(warm_up_ms["floor"])
            pair.floor_values.append(warm_up_floor)
            pair.repeat = 1
            pair.warm_up_only = True
            pair.finished_at = time.time()
            return pair
    pair.repeat = repeat
    for _ in range(repeat):
        if track_memory:
            with PeakRss() as peak:
                pair.samples_ms.append(timed_ms(run))
            pair.peak_bytes = max(pair.peak_bytes or 0, peak.delta or 0)
        else:
            pair.samples_ms.append(timed_ms(run))
        if after_each:
            after_each()
        if track_memory:
            with PeakRss() as peak:
                pair.floor_samples_ms.append(timed_ms(floor_kept))
            pair.floor_peak_bytes = max(pair.floor_peak_bytes or 0, peak.delta or 0)
        else:
            pair.floor_samples_ms.append(timed_ms(floor_kept))
    pair.finished_at = time.time()
    return pair
