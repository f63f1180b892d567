"""python manage.py bench [--profiles regional,national] [--repeat 7] [--skip-seed]
[--only name,...] [--output var/bench/results.json]

Every figure against its floor, measured in the same run (interleaved: the page, its
floor, the page, its floor...; median and p95 of --repeat samples after one warm-up
pair that is not counted), at each scale, then the growth between the scales. Prints a
table and writes var/bench/results.json. PostgreSQL and Redis only (make bench).
What each figure and floor is: demo/bench/figures.py and docs/performance.md."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.backends.signals import connection_created
from django.test.utils import override_settings

from demo.bench import runner
from demo.bench.context import dataset_path, pick_context, read_dataset
from demo.database import ensure_database

PROFILES = ("tiny", "regional", "national")
COUNTED_TABLES = {
    "specialists": "SELECT count(*) FROM crm_user WHERE role IN ('specialist', 'team_leader')",
    "job_seekers": "SELECT count(*) FROM crm_jobseeker",
    "employers": "SELECT count(*) FROM employers_employer",
    "employer_sites": "SELECT count(*) FROM employers_employersite",
    "contact_persons": "SELECT count(*) FROM employers_contactperson",
    "employer_contacts": "SELECT count(*) FROM jobdev_employercontact",
    "placements": "SELECT count(*) FROM placements_placement",
    "support_tasks": "SELECT count(*) FROM placements_supporttask",
}


def _statement_timeout(seconds: int):
    def set_timeout(sender, connection, **kwargs):
        if connection.vendor == "postgresql" and connection.alias == "default":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(seconds) * 1000}")

    return set_timeout


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


class Command(BaseCommand):
    help = "Measure pages, API lists, matching, dashboards, the calendar feed, exports and the event pipeline."

    def add_arguments(self, parser):
        parser.add_argument("--profiles", default="regional,national", help="tiny|regional|national[,...]")
        parser.add_argument("--repeat", type=int, default=7, help="Samples per figure and floor (default 7).")
        parser.add_argument(
            "--export-repeat",
            type=int,
            default=None,
            help="Samples per export (default: --repeat, at most 3: one national export takes minutes).",
        )
        parser.add_argument("--seed", type=int, default=1, help="seed_scale's --seed (default 1).")
        parser.add_argument("--skip-seed", action="store_true", help="Measure the data there, as it is.")
        parser.add_argument("--only", default="", help="Groups, prefixes or figures: pages,api,matching.opening...")
        parser.add_argument("--output", default=None, help="Default: var/bench/results.json.")
        parser.add_argument(
            "--dataset", default=None, help="The file seed_scale wrote (default: var/bench/dataset.json)."
        )
        parser.add_argument(
            "--budget",
            type=float,
            default=180.0,
            help="Seconds per figure: a slower one is measured fewer times, at least once (default 180).",
        )
        parser.add_argument(
            "--statement-timeout",
            type=int,
            default=600,
            help="PostgreSQL statement_timeout in seconds for the run (0: none); a figure past it is not measured.",
        )
        parser.add_argument("--pipeline-events", type=int, default=200)
        parser.add_argument(
            "--pipeline-timeout", type=float, default=900, help="Seconds before the pipeline is not measured."
        )
        parser.add_argument("--pipeline-processes", type=int, default=2)
        parser.add_argument("--pipeline-threads", type=int, default=4)

    def handle(self, *args, **options):
        ensure_database()
        # The schema the code expects (seed_scale migrates too; --skip-seed data may be older).
        call_command("migrate", verbosity=0)
        profiles = _names(options["profiles"])
        unknown = [name for name in profiles if name not in PROFILES]
        if unknown or not profiles:
            raise CommandError(f"Unknown profile(s) {unknown}: choose among {', '.join(PROFILES)}.")
        repeat = options["repeat"]
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        export_repeat = options["export_repeat"] or min(repeat, 3)
        only = set(_names(options["only"])) or None
        dataset_file = Path(options["dataset"]) if options["dataset"] else dataset_path()
        if options["skip_seed"]:
            dataset = read_dataset(dataset_file)
            profiles = [dataset.get("profile") or "existing"]
        started = time.time()
        if options["statement_timeout"]:
            connection_created.connect(_statement_timeout(options["statement_timeout"]), weak=False)
        figures, datasets = [], {}
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        for profile in profiles:
            if not options["skip_seed"]:
                self._seed(profile, options["seed"], dataset_file)
            dataset = read_dataset(dataset_file)
            datasets[profile] = {
                **{key: value for key, value in dataset.items() if key != "api_key"},
                "counted": self._counts(),
            }
            self.stdout.write(f"Scale {profile}: {datasets[profile]['counted']}")
            with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
                connection.close()  # a fresh connection with DEBUG off (no query log)
                ctx = pick_context(dataset)
                self.stdout.write(
                    f"  as {ctx.specialist.username} (specialist), {ctx.leader.username} (leader), "
                    f"{ctx.admin.username if ctx.admin else '—'} (admin); partner key: {'yes' if ctx.api_key else 'no'}"
                )
                runner.run_groups(
                    ctx,
                    scale=profile,
                    repeat=repeat,
                    only=only,
                    export_repeat=export_repeat,
                    log=self.stdout.write,
                    budget_seconds=options["budget"],
                    figures=figures,
                    on_figure=lambda: self._save(
                        options["output"], figures, datasets, profiles, repeat, export_repeat, started
                    ),
                )
                # The pipeline does not depend on the scale much: measured once, at the last.
                if (not only or "pipeline" in only) and profile == profiles[-1]:
                    self.stdout.write("  pipeline.events…")
                    figure = runner.pipeline_figure(
                        scale=profile,
                        events=options["pipeline_events"],
                        processes=options["pipeline_processes"],
                        threads=options["pipeline_threads"],
                        timeout=options["pipeline_timeout"],
                    )
                    self.stdout.write("    " + runner.format_row(figure))
                    figures.append(figure)
            self._save(options["output"], figures, datasets, profiles, repeat, export_repeat, started)
        for smaller, larger in zip(profiles, profiles[1:], strict=False):
            figures += runner.growth_figures(figures, smaller, larger)
        path = self._save(options["output"], figures, datasets, profiles, repeat, export_repeat, started)
        self.stdout.write("")
        self.stdout.write(runner.table(figures))
        missed = [figure["name"] + "@" + figure["scale"] for figure in figures if not figure.get("ok")]
        self.stdout.write(f"\n{len(figures) - len(missed)} of {len(figures)} figures within target; results: {path}")

    def _seed(self, profile: str, seed: int, dataset_path: Path) -> None:
        dataset = read_dataset(dataset_path)
        loaded = dataset.get("counts", {}).get("job_seekers")
        if (
            dataset.get("profile") == profile
            and dataset.get("seed") == seed
            and loaded == self._counts()["job_seekers"]
        ):
            self.stdout.write(f"Scale {profile}: already loaded (seed {seed}), reused.")
            return
        self.stdout.write(f"Seeding {profile} (seed {seed})…")
        try:
            call_command("seed_scale", profile=profile, seed=seed, reset=True, stdout=self.stdout)
        except KeyError as error:
            raise CommandError("seed_scale is not available: run with --skip-seed on data you loaded.") from error

    @staticmethod
    def _counts() -> dict:
        counts = {}
        with connection.cursor() as cursor:
            for name, query in COUNTED_TABLES.items():
                cursor.execute(query)
                counts[name] = cursor.fetchone()[0]
        return counts

    def _save(self, output, figures, datasets, profiles, repeat, export_repeat, started) -> Path:
        path = Path(output) if output else Path(settings.BASE_DIR) / "var" / "bench" / "results.json"
        runner.write_results(
            path,
            {
                "generated_at": datetime.datetime.now(datetime.UTC).isoformat(),
                "seconds": round(time.time() - started, 1),
                "git_commit": runner.git_commit(),
                "machine": runner.machine(),
                "profiles": profiles,
                "repeat": repeat,
                "export_repeat": export_repeat,
                "datasets": datasets,
                "figures": figures,
            },
        )
        return path
