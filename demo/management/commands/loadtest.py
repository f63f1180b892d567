"""python manage.py loadtest [--users N] [--spawn-rate R] [--run-time 60s] [--workers W]
[--profile regional|national|tiny | --skip-seed] [--api-rate 30/min] ...

A load test of the production setup on PostgreSQL + Redis (`make load`): gunicorn
with config/gunicorn.conf.py and DEBUG off on a free loopback port, driven by locust
from a second process with a mixed workload (demo/load/locustfile.py: specialists'
pages, team leaders' dashboards, a partner's API sync, calendar feed refreshes, and a
partner over its rate limit), for a bounded time. Prints requests, failures,
throughput and p50/p95/p99 per request kind and overall, and the 429s; writes
var/bench/load.json (locust's CSV files and both processes' logs in var/bench/load/).
Exits non-zero when any request failed (an unexpected status, a 5xx, a connection
error) or none was made.

The accounts and the partner's API key come from var/bench/dataset.json (seed_scale).
The run makes calendar feeds and a second API key (the over-rate partner's) and
removes them at the end. The partners' rate limit is lowered for the run
(--api-rate, default 30/min instead of 600/min) so that a short run sees 429s unless
the server is saturated (the over-rate partner waits for each answer; a warning says
when it saw none). The web processes' queries stop at gunicorn's 30 s worker timeout
and run without PostgreSQL's JIT (demo/load/server.py says why)."""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.database import ensure_database
from demo.load import plan as load_plan
from demo.load import report
from demo.load.server import Gunicorn, collectstatic, free_port, production_env, static_files_current

BENCH_DIR = Path(settings.BASE_DIR) / "var" / "bench"
DATASET = BENCH_DIR / "dataset.json"
LOCUSTFILE = Path(__file__).resolve().parents[2] / "load" / "locustfile.py"
#: The locust user classes (demo/load/locustfile.py) and what each needs in the plan.
USER_CLASSES = {
    "Specialist": "specialists",
    "TeamLeader": "team_leaders",
    "CalendarReader": "feeds",
    "PartnerSync": "api_key",
    "OverRatePartner": "over_rate_key",
}


def parse_seconds(value: str) -> int:
    """'90', '90s', '2m', '1m30s' -> seconds (argparse type). Raises ValueError."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", value.strip())
    if not value.strip() or match is None:
        raise ValueError(value)
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ValueError(value)
    return total


def machine() -> dict:
    """CPU count and model, memory and PostgreSQL's version, for the record."""
    model = platform.processor() or ""
    memory_bytes = None
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        model = next(
            (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), model
        )
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        memory_bytes = int(re.search(r"MemTotal:\s+(\d+) kB", meminfo).group(1)) * 1024
    except (OSError, AttributeError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgresql = cursor.fetchone()[0]
    return {
        # What else ran: the figures of a shared machine are only comparable at a similar load.
        "load_average_1_5_15": [round(value, 2) for value in os.getloadavg()],
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_bytes": memory_bytes,
        "postgresql": postgresql,
        "python": platform.python_version(),
    }


def git_commit() -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    command = [git, "rev-parse", "HEAD"]
    done = subprocess.run(command, cwd=settings.BASE_DIR, capture_output=True, text=True, check=False)  # noqa: S603
    return done.stdout.strip() or None


def _terminated(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


class Command(BaseCommand):
    help = "Load test: gunicorn (DEBUG off) driven by locust with a mixed workload, bounded in time."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=20, help="Concurrent locust users (default 20).")
        parser.add_argument("--spawn-rate", type=float, default=5.0, help="Users started per second (default 5).")
        parser.add_argument(
            "--run-time", type=parse_seconds, default=60, help="How long the load lasts: 60, 60s, 2m (default 60 s)."
        )
        parser.add_argument(
            "--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers (default 2 per core)."
        )
        seeding = parser.add_mutually_exclusive_group()
        seeding.add_argument(
            "--profile",
            choices=["tiny", "regional", "national"],
            help="Seed this seed_scale profile first unless dataset.json already describes it in this database.",
        )
        seeding.add_argument(
            "--skip-seed", action="store_true", help="Use the database as it is (dataset.json optional)."
        )
        parser.add_argument("--seed", type=int, default=13, help="Random seed of seed_scale and of locust's choices.")
        parser.add_argument(
            "--api-rate",
            default="30/min",
            help="Partner keys' rate limit during the run (API_THROTTLE_RATE; default 30/min, production 600/min).",
        )
        parser.add_argument(
            "--partner-rps",
            type=float,
            default=0.25,
            help="The partner's sync requests per second (default 0.25: half its rate).",
        )
        parser.add_argument(
            "--over-rate-rps",
            type=float,
            default=10.0,
            help="The over-rate partner's requests per second (default 10: over 30/min within seconds).",
        )
        parser.add_argument("--accounts", type=int, default=40, help="Specialists signed in as (default 40).")
        parser.add_argument("--feeds", type=int, default=20, help="Calendar feeds fetched (default 20).")
        parser.add_argument(
            "--wait",
            type=float,
            nargs=2,
            default=[0.5, 2.0],
            metavar=("MIN", "MAX"),
            help="Seconds a signed-in user waits between pages (default 0.5 2).",
        )
        parser.add_argument("--dataset", type=Path, default=DATASET, help=f"The data set file (default {DATASET}).")
        parser.add_argument("--program", help="The program's slug (default: the data set's).")
        parser.add_argument("--password", help="The accounts' password (default: the data set's, or scale-password).")
        parser.add_argument(
            "--exclude",
            action="append",
            default=[],
            choices=sorted(USER_CLASSES),
            help="Leave out a kind of user (repeatable), e.g. TeamLeader.",
        )
        parser.add_argument(
            "--postgres-jit",
            action="store_true",
            help="Leave PostgreSQL's JIT on for the web processes (off by default: see demo/load/server.py).",
        )
        parser.add_argument(
            "--collectstatic", action="store_true", help="Collect static files even when they look current."
        )
        parser.add_argument("--output", type=Path, default=BENCH_DIR / "load.json", help="The results file.")

    def handle(self, *args, **options):
        # Stopped by SIGTERM (a CI timeout): unwind, so gunicorn is stopped and the run's
        # feeds and keys are removed.
        signal.signal(signal.SIGTERM, _terminated)
        ensure_database()
        dataset = self.dataset(options)
        plan = load_plan.prepare(
            dataset=dataset,
            program=options["program"],
            password=options["password"],
            accounts=options["accounts"],
            feeds=options["feeds"],
        )
        work = Path(tempfile.mkdtemp(prefix="ips-loadtest-"))
        out_dir = options["output"].parent / "load"
        out_dir.mkdir(parents=True, exist_ok=True)
        prefix = out_dir / "locust"
        for stale in out_dir.glob("locust_*"):
            stale.unlink()
        server = None
        try:
            plan_path = work / "plan.json"
            plan.write(
                plan_path,
                partner_rps=options["partner_rps"],
                over_rate_rps=options["over_rate_rps"],
                wait_seconds=options["wait"],
                seed=options["seed"],
            )
            env = production_env(api_rate=options["api_rate"], jit=options["postgres_jit"])
            if options["collectstatic"] or not static_files_current():
                self.stdout.write("Collecting static files (DEBUG off)...")
                collectstatic(env)
            server = Gunicorn(port=free_port(), workers=options["workers"], env=env, log_path=out_dir / "gunicorn.log")
            server.start()
            ready = server.wait_ready()
            host = machine()
            self.stdout.write(f"gunicorn: {options['workers']} workers at {server.url}, ready in {ready:.1f} s.")
            plan.forget_throttle_history()
            classes = [
                name for name, needs in USER_CLASSES.items() if plan.as_json()[needs] and name not in options["exclude"]
            ]
            started = datetime.datetime.now(datetime.UTC)
            seconds = self.run_locust(options, server.url, prefix, plan_path, classes, out_dir / "locust.log")
        finally:
            if server is not None:
                server.stop()
            plan.clean_up()
            shutil.rmtree(work, ignore_errors=True)

        try:
            summary = report.summarise(prefix, run_seconds=options["run_time"])
        except FileNotFoundError as error:
            raise CommandError(f"locust wrote no statistics; its log: {out_dir / 'locust.log'}") from error
        self.stdout.write(report.format_report(summary))
        result = {
            "started_at": started.isoformat(timespec="seconds"),
            "machine": host,
            "git_commit": git_commit(),
            "dataset": {key: dataset.get(key) for key in ("profile", "seed", "counts")},
            "settings": {
                "users": options["users"],
                "spawn_rate": options["spawn_rate"],
                "run_seconds": options["run_time"],
                "wall_seconds": round(seconds, 1),
                "workers": options["workers"],
                "api_rate": options["api_rate"],
                "partner_rps": options["partner_rps"],
                "over_rate_rps": options["over_rate_rps"],
                "accounts": len(plan.specialists),
                "team_leaders": len(plan.team_leaders),
                "feeds": len(plan.feeds),
                "wait_seconds": options["wait"],
                "user_classes": classes,
                "postgres_jit": options["postgres_jit"],
            },
            "results": summary,
        }
        options["output"].parent.mkdir(parents=True, exist_ok=True)
        options["output"].write_text(json.dumps(result, indent=2), encoding="utf-8")
        self.stdout.write(f"Written: {options['output']} (locust's CSV files and the logs in {out_dir}).")
        if "OverRatePartner" in classes and not summary["throttled_429"]:
            self.stdout.write(
                self.style.WARNING("The over-rate partner got no 429: raise --over-rate-rps or the run time.")
            )
        if summary["failures"] or not summary["requests"]:
            raise CommandError(f"{summary['failures']} failed requests of {summary['requests']}.")
        self.stdout.write(self.style.SUCCESS("No failures."))

    def dataset(self, options) -> dict:
        """The data set to load: seeded first for --profile unless dataset.json
        already describes that profile in this database."""
        dataset = load_plan.read_dataset(options["dataset"])
        profile = options["profile"]
        if profile and not (dataset.get("profile") == profile and load_plan.describes_database(dataset)):
            self.stdout.write(f"Seeding the {profile} data set (seed_scale --reset)...")
            call_command(
                "seed_scale",
                profile=profile,
                seed=options["seed"],
                reset=True,
                dataset=options["dataset"],
                stdout=self.stdout,
            )
            dataset = load_plan.read_dataset(options["dataset"])
        elif not profile and not options["skip_seed"] and not dataset:
            raise CommandError(f"No data set at {options['dataset']}: seed one (--profile regional) or --skip-seed.")
        return dataset

    def run_locust(
        self, options, host: str, prefix: Path, plan_path: Path, classes: list[str], log_path: Path
    ) -> float:
        """Run locust headless until --run-time is over; the seconds it took. Raises
        CommandError when it overruns by two minutes (then killed)."""
        command = [
            sys.executable, "-m", "locust",
            "-f", str(LOCUSTFILE),
            "--headless",
            "-u", str(options["users"]),
            "-r", str(options["spawn_rate"]),
            "--run-time", f"{options['run_time']}s",
            "--host", host,
            "--csv", str(prefix),
            "--only-summary",
            "--loglevel", "WARNING",
            *classes,
        ]  # fmt: skip
        env = {**os.environ, "LOADTEST_PLAN": str(plan_path), "LOADTEST_SERVED": f"{prefix}_served.json"}
        self.stdout.write(
            f"locust: {options['users']} users ({', '.join(classes)}), {options['spawn_rate']:g}/s, "
            f"{options['run_time']} s, partner rate {options['api_rate']}..."
        )
        started = time.monotonic()
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own command line
                command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                process.wait(timeout=options["run_time"] + 120)
            except subprocess.TimeoutExpired as error:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise CommandError(f"locust overran its run time; its log: {log_path}") from error
            except BaseException:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise
        return time.monotonic() - started
