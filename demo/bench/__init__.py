"""`manage.py bench`: every figure against its floor, measured in the same run.

- `timing`: the interleaved measurement (warm-up, then figure/floor pairs), median, p95, peak memory;
- `context`: who and what is measured, picked from the seeded data;
- `sql`: the hand-written floors;
- `figures`: the figures (pages, API lists, matching, dashboards, feed, exports) and their targets;
- `runner`: running them, growth between scales, the table and var/bench/results.json;
- `pipeline` (helper "chaos"): the event pipeline's measurement.
"""
