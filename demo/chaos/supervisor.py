"""The worker and the scheduler (and, when chaos runs its own, a Redis server) under
supervisord, configured as docs/operations.md's supervisord section: restarted always,
unlimited retries, the scheduler with startsecs=0, stopped as a group."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from django.conf import settings

PROGRAM_TEMPLATE = """
[program:{name}]
command={command}
directory={directory}
environment={environment}
autostart=true
autorestart=true
startsecs={startsecs}
startretries=1000000
stopsignal={stopsignal}
stopwaitsecs={stopwaitsecs}
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile={log}
stdout_logfile_maxbytes=0
"""

HEADER = """
[supervisord]
logfile={dir}/supervisord.log
pidfile={dir}/supervisord.pid
childlogdir={dir}
nodaemon=true
loglevel=info

[unix_http_server]
file={dir}/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{dir}/supervisor.sock
"""


@dataclass
class Supervised:
    """supervisord running in the foreground as our child, with its configuration in
    `directory` (a temporary directory, removed by `stop()` unless `keep`)."""

    directory: Path
    process: subprocess.Popen | None = None
    programs: list[str] = field(default_factory=list)

    @property
    def conf(self) -> Path:
        return self.directory / "supervisord.conf"

    def ctl(self, *args: str, check: bool = False) -> str:
        bin_dir = Path(sys.executable).parent
        result = subprocess.run(  # noqa: S603 - our own config
            [str(bin_dir / "supervisorctl"), "-c", str(self.conf), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and result.returncode not in (0,):
            raise RuntimeError(f"supervisorctl {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout.strip()

    def pid(self, program: str) -> int:
        try:
            return int(self.ctl("pid", program))
        except ValueError:
            return 0

    def wait_running(self, program: str, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "RUNNING" in self.ctl("status", program):
                return True
            time.sleep(0.3)
        return False

    def kill_group(self, program: str) -> list[int]:
        """SIGKILL a program's whole process tree (as the OOM killer or a crash would
        end it, no clean-up): supervisord restarts it. Returns the pids killed."""
        pid = self.pid(program)
        if not pid:
            return []
        try:
            tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
        killed = []
        for process in tree:
            try:
                process.send_signal(signal.SIGKILL)
                killed.append(process.pid)
            except psutil.NoSuchProcess:
                pass
        return killed

    def log_tail(self, program: str, lines: int = 40) -> str:
        path = self.directory / f"{program}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def log_text(self, program: str) -> str:
        path = self.directory / f"{program}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop supervisord and everything it runs (SIGTERM: it stops its programs as
        groups, then exits); SIGKILL what is left after a bounded wait."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()


def _environment(env: dict[str, str]) -> str:
    return ",".join(f'{key}="{value}"' for key, value in env.items())


def start(
    *, processes: int, threads: int, env: dict[str, str], redis_port: int | None = None, keep_dir: str | None = None
) -> Supervised:
    """Write supervisord.conf (worker, scheduler, and a private redis-server on
    `redis_port` when given) into a temporary directory and start supervisord."""
    directory = Path(keep_dir or tempfile.mkdtemp(prefix="ips-chaos-"))
    directory.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    base = Path(settings.BASE_DIR)
    env = {**env, "PYTHONUNBUFFERED": "1"}
    parts = [HEADER.format(dir=directory)]
    programs = []
    if redis_port:
        parts.append(
            PROGRAM_TEMPLATE.format(
                name="chaos-redis",
                command=f"redis-server --port {redis_port} --bind 127.0.0.1 --save '' --appendonly no",
                directory=directory,
                environment=_environment({"LANG": "C"}),
                startsecs=0,
                stopsignal="TERM",
                stopwaitsecs=10,
                log=directory / "chaos-redis.log",
            )
        )
        programs.append("chaos-redis")
    parts.append(
        PROGRAM_TEMPLATE.format(
            name="ips-crm-worker",
            command=f"{python} manage.py rundramatiq --processes {processes} --threads {threads}",
            directory=base,
            environment=_environment(env),
            startsecs=5,
            stopsignal="TERM",
            stopwaitsecs=60,
            log=directory / "ips-crm-worker.log",
        )
    )
    parts.append(
        PROGRAM_TEMPLATE.format(
            name="ips-crm-scheduler",
            command=f"{python} manage.py runscheduler",
            directory=base,
            environment=_environment(env),
            startsecs=0,
            stopsignal="TERM",
            stopwaitsecs=20,
            log=directory / "ips-crm-scheduler.log",
        )
    )
    programs += ["ips-crm-worker", "ips-crm-scheduler"]
    (directory / "supervisord.conf").write_text("\n".join(parts))
    supervised = Supervised(directory=directory, programs=programs)
    supervised.process = subprocess.Popen(  # noqa: S603 - our own config
        [str(Path(python).parent / "supervisord"), "-c", str(supervised.conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
        env={**os.environ, **env},
    )
    for _ in range(100):
        if (directory / "supervisor.sock").exists():
            break
        time.sleep(0.1)
    return supervised
