"""python manage.py seed_scale --profile regional|national|tiny [--seed N] [--today YYYY-MM-DD]
[--specialists N --job-seekers N --employers N --contacts N --placements N --tasks N] [--reset]

Fills the default PostgreSQL database (migrated first) with one IPS program at scale,
written with COPY (demo/scale/world.py says what is generated and what it keeps
consistent), then writes var/bench/dataset.json. Every generated user's password is
`scale-password`: spec0001..., lead001..., admin_scale."""

import datetime
import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from crm.models import JobSeeker, Organisation, User
from demo.database import ensure_database
from demo.scale.copying import truncate_app_tables
from demo.scale.profiles import COUNT_NAMES, PROFILES
from demo.scale.world import PASSWORD, ZONE, World

DEFAULT_SEED = 13


def dataset_path() -> Path:
    return Path(settings.BASE_DIR) / "var" / "bench" / "dataset.json"


class Command(BaseCommand):
    help = "Fill the default PostgreSQL database with one IPS program at scale (COPY), deterministic with --seed."

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=sorted(PROFILES), default="regional")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The date the data ends on (default: today in Europe/Paris). Same seed and date: same rows.",
        )
        for name in COUNT_NAMES:
            parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=None, dest=name, metavar="N")
        parser.add_argument("--reset", action="store_true", help="Empty the app's tables first.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")
        parser.add_argument(
            "--dataset",
            type=Path,
            default=None,
            metavar="PATH",
            help="Where to write the dataset description (default var/bench/dataset.json).",
        )

    def handle(self, *args, profile="regional", seed=DEFAULT_SEED, today=None, reset=False, **options):
        ensure_database()
        began = time.monotonic()
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):  # (migrate's checks take seconds)
            call_command("migrate", interactive=False, verbosity=0)
        chosen = PROFILES[profile].with_counts(**{name: options.get(name) for name in COUNT_NAMES})
        if (
            any(value < 0 for value in chosen.counts().values())
            or min(chosen.specialists, chosen.job_seekers, chosen.employers) < 1
        ):
            raise CommandError("Counts are whole numbers; at least one specialist, one job seeker and one employer.")
        not_empty = Organisation.objects.exists() or User.objects.exists() or JobSeeker.objects.exists()
        if not_empty and not reset:
            raise CommandError("The database is not empty: use --reset to empty its tables first.")
        # Even an empty database: its ids start again at 1, so that a seed gives the same rows.
        truncate_app_tables()
        today = today or datetime.datetime.now(ZONE).date()
        world = World(chosen, seed=seed, today=today, progress=not options.get("no_progress"), say=self.stdout.write)
        counts = world.build()
        analyzed = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            analyze_seconds = time.monotonic() - analyzed
            cursor.execute("SELECT pg_database_size(current_database())")
            database_bytes = cursor.fetchone()[0]
        seconds = round(time.monotonic() - began, 1)
        dataset = {
            "profile": profile,
            "seed": seed,
            "today": today.isoformat(),
            "counts": chosen.counts() | {"teams": chosen.teams, "rows": counts},
            "seconds": seconds,
            "database_bytes": database_bytes,
            "database": settings.DATABASES["default"]["NAME"],
            "organisation": chosen.slug,
            "password": PASSWORD,
            "users": {
                "specialists": [f"spec{i + 1:04d}" for i in range(min(chosen.specialists, 50))],
                "leaders": [f"lead{i + 1:03d}" for i in range(min(chosen.teams, 20))],
                "admin": "admin_scale",
            },
            "tasks_planned_by_handlers": world.planned_tasks,
            "api_key": world.api_key,
            "partner_id": world.partner.pk,
        }
        path = options.get("dataset") or dataset_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dataset, indent=2, ensure_ascii=False) + "\n")
        self.print_summary(counts, world.timings, seconds, analyze_seconds, database_bytes, path)

    def print_summary(self, counts, timings, seconds, analyze_seconds, database_bytes, path):
        lines = ["", f"{'table':<42} {'rows':>12} {'seconds':>8}"]
        for name, count in counts.items():
            lines.append(f"{name:<42} {count:>12,} {timings.get(name, 0.0):>8.1f}")
        lines += [
            f"{'ANALYZE':<42} {'':>12} {analyze_seconds:>8.1f}",
            f"{'total':<42} {sum(counts.values()):>12,} {seconds:>8.1f}",
            f"database size: {database_bytes / 2**20:,.0f} MiB ({database_bytes:,} bytes)",
            f"written {path}",
            "",
        ]
        self.stdout.write("\n".join(lines))
