"""gunicorn as `make serve` runs it in production (config/gunicorn.conf.py, DEBUG off,
collected static files), on a free loopback port, for the load test: started, waited
for, and stopped (its whole process group) whatever happens."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

LOOPBACK = "127.0.0.1"
#: gunicorn's default worker timeout (config/gunicorn.conf.py does not change it).
WORKER_TIMEOUT_SECONDS = 30
#: PostgreSQL's application_name of the load test's web processes.
APPLICATION_NAME = "ips-loadtest-gunicorn"


def free_port() -> int:
    """A TCP port free on the loopback interface now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The URL of the database this process uses now (under pytest, the test
    database, not the one DATABASE_URL names)."""
    database = settings.DATABASES["default"]
    credentials = quote(database.get("USER") or "", safe="")
    if database.get("PASSWORD"):
        credentials += ":" + quote(database["PASSWORD"], safe="")
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgres://{credentials}{'@' if credentials else ''}{host}{port}/{quote(database['NAME'], safe='')}"


def production_env(*, api_rate: str, jit: bool = False, base: dict | None = None) -> dict[str, str]:
    """The environment of a production web process on this machine: this process's
    (REDIS_URL...) with this process's database, DEBUG off with a fresh random
    SECRET_KEY, answering 127.0.0.1 only, and the partner keys' rate limit `api_rate`
    ("<n>/<period>"). PostgreSQL's JIT is off unless `jit`: compiling the team
    dashboard's largest query took minutes and honoured neither the statement timeout
    nor a cancel."""
    env = dict(os.environ if base is None else base)
    env.update(
        DATABASE_URL=database_url(),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=LOOPBACK,
        API_THROTTLE_RATE=api_rate,
        PYTHONUNBUFFERED="1",
    )
    # No network geocoder under load (make load sets GEOCODER=fake; DEBUG off requires one).
    env.setdefault("GEOCODER", "fake")
    # A worker killed by gunicorn's timeout (30 s) leaves its query running in PostgreSQL,
    # eating the CPU the rest of the run is measured on: the query ends with it instead.
    options = f"{env.get('PGOPTIONS', '')} -c statement_timeout={WORKER_TIMEOUT_SECONDS}s"
    env["PGOPTIONS"] = (options if jit else f"{options} -c jit=off").strip()
    env["PGAPPNAME"] = APPLICATION_NAME
    return env


def static_files_current() -> bool:
    """Whether the collected static files' manifest (DEBUG off) is newer than every
    static source file: collectstatic then has nothing to do but compress them all
    again (about a minute of CPU)."""
    from django.contrib.staticfiles import finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    collected_at = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if Path(storage.path(path)).stat().st_mtime > collected_at:
                return False
    return True


def collectstatic(env: dict[str, str]) -> None:
    """`manage.py collectstatic` with DEBUG off (whitenoise's manifest storage, which
    the pages need to render). Raises CommandError with its output when it fails."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    done = subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise CommandError(f"collectstatic failed:\n{done.stdout}{done.stderr}")


class Gunicorn:
    """A gunicorn master and its workers in a process group of their own; the access
    and error logs go to `log_path`."""

    def __init__(self, *, port: int, workers: int, env: dict[str, str], log_path: Path):
        self.port = port
        self.workers = workers
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "-c",
            "config/gunicorn.conf.py",
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--workers",
            str(self.workers),
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                command,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 90.0) -> float:
        """Seconds until the login page answers 200 through the pretend TLS proxy.
        Raises CommandError when gunicorn exits or does not answer in `timeout`."""
        started = time.monotonic()
        request = urllib.request.Request(f"{self.url}/login/", headers={"X-Forwarded-Proto": "https"})  # noqa: S310
        while time.monotonic() - started < timeout:
            if self.process is None or self.process.poll() is not None:
                raise CommandError(f"gunicorn exited at start; its log: {self.log_path}\n{self._log_tail()}")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback http
                    if response.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise CommandError(
            f"gunicorn did not answer within {timeout:.0f} s; its log: {self.log_path}\n{self._log_tail()}"
        )

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM to the master (workers finish the request in hand), SIGKILL to the
        whole group after `grace` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        # Queries of workers that died mid-request would run on (up to the statement timeout).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = %s "
                "AND datname = current_database()",
                [APPLICATION_NAME],
            )

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
