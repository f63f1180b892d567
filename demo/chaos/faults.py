"""The faults: SIGKILL the worker, FLUSHDB chaos's Redis db, restart Redis, restart
PostgreSQL. Each returns a line for the run's log."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

from demo.chaos.supervisor import Supervised

HEAVY_LOG = Path("/tmp/work/heavy13.md")  # noqa: S108 - the shared heavy-runs log of this machine


def kill_worker(supervised: Supervised) -> str:
    pids = supervised.kill_group("ips-crm-worker")
    return f"SIGKILL worker processes {pids} (supervisord restarts them)"


def flush_redis() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL)
    db = client.connection_pool.connection_kwargs.get("db", 0)
    queued = client.dbsize()
    client.flushdb()  # our own db only, never FLUSHALL
    return f"FLUSHDB on Redis db {db} ({queued} keys lost: queued messages, the scheduler's lock)"


def restart_redis(supervised: Supervised, private: bool) -> str:
    if not private:
        return "Redis restart skipped: the shared server is not chaos's to restart (run with its private Redis)"
    started = time.monotonic()
    supervised.ctl("restart", "chaos-redis")
    client = redis.Redis.from_url(settings.REDIS_URL)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.RedisError:
            time.sleep(0.1)
    return f"Redis restarted (private redis-server, data lost) in {time.monotonic() - started:.1f} s"


def postgres_cluster() -> tuple[str, str]:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else ["15"]
    return versions[-1], "main"


def restart_postgres(name: str = "chaos") -> str:
    version, cluster = postgres_cluster()
    stamp = time.strftime("%H:%M:%S", time.gmtime())
    _announce(f"{name} start {stamp} UTC chaos: pg_ctlcluster {version} {cluster} restart (a few seconds)")
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [shutil.which("pg_ctlcluster") or "/usr/bin/pg_ctlcluster", version, cluster, "restart"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,  # noqa: S607 - Debian's tool on PATH
    )
    seconds = time.monotonic() - started
    _announce(f"{name} end {time.strftime('%H:%M:%S', time.gmtime())} UTC (restart took {seconds:.1f} s)")
    connection.close()
    status = "restarted" if result.returncode == 0 else f"restart FAILED ({result.stderr.strip()[:200]})"
    return f"PostgreSQL {version}/{cluster} {status} in {seconds:.1f} s"


def terminate_postgres_sessions() -> str:
    """Every other session on chaos's own database killed mid-transaction (the worker's,
    the scheduler's, the driver's): what a PostgreSQL restart does to them, without
    touching the other databases of a shared server."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        killed = cursor.fetchone()[0]
    return f"PostgreSQL: {killed} sessions on this database terminated (as a restart would)"


def _announce(line: str) -> None:
    try:
        if HEAVY_LOG.parent.is_dir():
            with HEAVY_LOG.open("a") as log:
                log.write(line + "\n")
    except OSError:
        pass
