"""`manage.py chaos` (`make chaos`): the event pipeline under faults, expected vs found.

The command runs in two processes. The first (this one, as invoked) migrates the
database, writes a supervisord.conf mirroring docs/operations.md into a temporary
directory and starts supervisord with the worker, the scheduler and, unless
--shared-redis, a private redis-server on a free loopback port (restarting the
machine's shared Redis would hit every other user of it); then it runs the second
process (the same command, CHAOS_CHILD set, REDIS_URL pointing at chaos's Redis),
which builds the program, drives the placements, injects the faults (the worker
SIGKILLed, Redis flushed and restarted, PostgreSQL restarted or, without that, every
session on chaos's database terminated) and checks. Both
stop what they started on exit, Ctrl-C or failure (supervisord stops its programs).
Exit status 1 on any mismatch or deadlock."""

import os
import signal
import socket
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.database import ensure_database, require_postgresql

SHORT = {"placements": 30, "threads": 4, "kills": 2, "processes": 1, "worker_threads": 4, "drain": 240}
FULL = {"placements": 150, "threads": 6, "kills": 5, "processes": 2, "worker_threads": 4, "drain": 420}


class Command(BaseCommand):
    help = "Drive placements while killing the worker and flushing/restarting Redis (and PostgreSQL); check the rows."

    def add_arguments(self, parser):
        parser.add_argument("--short", action="store_true", help="the CI form: ~2-3 minutes")
        parser.add_argument("--placements", type=int)
        parser.add_argument("--threads", type=int, help="driver threads")
        parser.add_argument("--kills", type=int, help="SIGKILLs of the worker")
        parser.add_argument("--processes", type=int, help="worker processes")
        parser.add_argument("--worker-threads", type=int)
        parser.add_argument("--drain-timeout", type=int, help="seconds to wait for the queue to drain")
        parser.add_argument("--no-faults", action="store_true", help="no fault at all (the checker alone)")
        parser.add_argument("--no-redis-faults", action="store_true")
        parser.add_argument(
            "--pg-restart",
            choices=["yes", "no", "auto"],
            default="auto",
            help="restart PostgreSQL once (auto: in the full form only); otherwise the sessions on chaos's "
            "own database are terminated mid-transaction instead",
        )
        parser.add_argument("--shared-redis", action="store_true", help="use REDIS_URL's server (never restarted)")
        parser.add_argument("--keep", action="store_true", help="keep the supervisord directory and logs")

    def handle(self, *args, **options):
        if os.environ.get("CHAOS_CHILD"):
            from demo.chaos.run import run_child

            code = run_child(self.stdout, options, {**(FULL if not options["short"] else SHORT)})
            if code:
                raise SystemExit(code)
            return
        self._parent(options)

    # The first process: database, supervisord, the second process --------------------

    def _parent(self, options):
        require_postgresql()
        if ensure_database():
            self.stdout.write(f"Created database {settings.DATABASES['default']['NAME']}")
        if not settings.REDIS_URL:
            raise CommandError("chaos needs Redis: set REDIS_URL (make chaos does).")
        call_command("migrate", verbosity=0, interactive=False)
        from demo.chaos import supervisor

        form = SHORT if options["short"] else FULL
        redis_url, redis_port = settings.REDIS_URL, None
        if not options["shared_redis"]:
            redis_port = _free_port()
            parts = urlsplit(settings.REDIS_URL)
            redis_url = urlunsplit((parts.scheme, f"127.0.0.1:{redis_port}", parts.path or "/12", "", ""))
        env = {
            "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
            "REDIS_URL": redis_url,
            "DRAMATIQ_NAMESPACE": os.environ.get("DRAMATIQ_NAMESPACE", "ips-crm-chaos"),
            "GEOCODER": "fake",
            # Lost messages are found by the minute sweep after this grace (60 s in production).
            "EVENT_RESEND_GRACE_SECONDS": os.environ.get("EVENT_RESEND_GRACE_SECONDS", "10"),
            # A webhook message lost with Redis is queued again after this (5 minutes in production).
            "WEBHOOKS_REQUEUE_AFTER_SECONDS": os.environ.get("WEBHOOKS_REQUEUE_AFTER_SECONDS", "20"),
            "SCHEDULER_LOCK_NAME": "chaos-scheduler",
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        }
        supervised = supervisor.start(
            processes=options["processes"] or form["processes"],
            threads=options["worker_threads"] or form["worker_threads"],
            env=env,
            redis_port=redis_port,
        )
        self.stdout.write(
            f"supervisord: {supervised.conf} (worker, scheduler"
            + (f", private redis-server on 127.0.0.1:{redis_port}" if redis_port else "")
            + ")"
        )
        child = None
        code = 1
        try:
            child_env = {
                **os.environ,
                **env,
                "CHAOS_CHILD": "1",
                "CHAOS_SUPERVISOR_DIR": str(supervised.directory),
                "CHAOS_PRIVATE_REDIS": "1" if redis_port else "",
            }
            child = subprocess.Popen([sys.executable, *sys.argv[:1], *sys.argv[1:]], env=child_env)  # noqa: S603 - this same command
            code = child.wait()
        except KeyboardInterrupt:
            self.stdout.write("Interrupted: stopping everything chaos started.")
            if child and child.poll() is None:
                child.send_signal(signal.SIGINT)
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
            code = 130
        finally:
            if child and child.poll() is None:
                child.kill()
            supervised.stop()
            if options["keep"]:
                self.stdout.write(f"Logs kept in {supervised.directory}")
            else:
                import shutil

                shutil.rmtree(supervised.directory, ignore_errors=True)
        if code:
            raise SystemExit(code)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
