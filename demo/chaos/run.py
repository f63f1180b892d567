"""The second process of `manage.py chaos`: build, drive under faults, drain, check."""

import os
import threading
import time
from collections import Counter
from pathlib import Path

from django.db import close_old_connections, connection

from demo.chaos import counts, faults
from demo.chaos.checker import compare, report
from demo.chaos.driver import Driver
from demo.chaos.program import build
from demo.chaos.receiver import Receiver
from demo.chaos.supervisor import Supervised


def pg_deadlocks() -> int:
    for _ in range(60):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
                return int(cursor.fetchone()[0])
        except Exception:  # noqa: BLE001 - the server restarting
            connection.close()
            time.sleep(0.5)
    return 0


class Faults(threading.Thread):
    """Injects the planned faults every `every` seconds while the driver runs; the ones
    not yet injected when it ends are injected then, so each run has them all."""

    def __init__(self, plan: list[str], supervised: Supervised | None, *, private_redis: bool, say, every=4.0):
        super().__init__(name="chaos-faults", daemon=True)
        self.plan = list(plan)
        self.supervised = supervised
        self.private_redis = private_redis
        self.say = say
        self.every = every
        self.done = threading.Event()
        self.log: list[str] = []
        self.started = time.monotonic()

    def inject(self, fault: str) -> None:
        if fault == "kill":
            line = faults.kill_worker(self.supervised)
        elif fault == "flush":
            line = faults.flush_redis()
        elif fault == "redis":
            line = faults.restart_redis(self.supervised, self.private_redis)
        elif fault == "postgres":
            line = faults.restart_postgres()
        elif fault == "pg-sessions":
            line = faults.terminate_postgres_sessions()
        else:
            raise ValueError(fault)
        line = f"t+{time.monotonic() - self.started:5.1f}s {line}"
        self.log.append(line)
        self.say(line)

    def run(self) -> None:
        while self.plan:
            if self.done.wait(self.every):
                break
            self.inject(self.plan.pop(0))
        while self.plan:  # the driver finished first
            self.inject(self.plan.pop(0))
            time.sleep(1)


def fault_plan(kills: int, *, redis: bool, postgres: bool, sessions: bool = True) -> list[str]:
    """The order of the faults: Redis early, while service calls are still being made
    (an on-commit hook raising would reach the caller then), kills spread around."""
    plan = []
    if redis:
        plan += ["flush", "redis"]
    plan += ["kill"] * min(kills, 1)
    if postgres:
        plan.append("postgres")
    elif sessions:
        plan.append("pg-sessions")
    plan += ["kill"] * max(0, kills - 1)
    return plan


def drain(organisation, timeout: float, say) -> bool:
    """Wait until every event is handled and every webhook delivered (bounded). Lost
    messages come back through the scheduler's sweeps: events after
    EVENT_RESEND_GRACE_SECONDS, webhooks after WEBHOOKS_REQUEUE_AFTER_SECONDS (chaos
    sets 10 and 20 for its worker and scheduler; 60 and 300 in production)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            close_old_connections()
            left = counts.pending(organisation)
        except Exception:  # noqa: BLE001 - the database restarting
            connection.close()
            time.sleep(1)
            continue
        if left != last:
            say(f"  waiting: {left[0]} events pending, {left[1]} webhook deliveries not delivered")
            last = left
        if left == (0, 0):
            return True
        time.sleep(2)
    return False


def run_child(stdout, options, form) -> int:
    def say(line):
        stdout.write(line)
        stdout.flush()

    placements = options["placements"] or form["placements"]
    threads = options["threads"] or form["threads"]
    kills = form["kills"] if options["kills"] is None else options["kills"]
    pg = options["pg_restart"] == "yes" or (options["pg_restart"] == "auto" and not options["short"])
    directory = os.environ.get("CHAOS_SUPERVISOR_DIR")
    supervised = Supervised(directory=Path(directory)) if directory else None
    private_redis = bool(os.environ.get("CHAOS_PRIVATE_REDIS"))
    no_faults = options["no_faults"] or supervised is None
    receiver = Receiver().start()
    injector = None
    try:
        started = time.monotonic()
        if supervised:
            for program in ("ips-crm-worker", "ips-crm-scheduler"):
                supervised.wait_running(program, timeout=60)
        program = build(job_seekers=placements, receiver_url=receiver.url)
        say(
            f"Program {program.organisation.slug}: {len(program.specialists)} specialists, "
            f"{len(program.employer_ids)} employers, {len(program.job_seeker_ids)} job seekers, "
            f"webhook receiver {receiver.url}"
        )
        deadlocks_before = pg_deadlocks()
        plan = [] if no_faults else fault_plan(kills, redis=not options["no_redis_faults"], postgres=pg)
        say(f"Driving {placements} placements from {threads} threads; faults planned: {', '.join(plan) or 'none'}")
        if plan:
            injector = Faults(plan, supervised, private_redis=private_redis, say=say, every=3.0)
            injector.start()
        outcome = Driver(program, placements=placements, threads=threads).run()
        say(f"Driven: {outcome.calls} service calls in {outcome.seconds:.1f} s")
        if injector:
            injector.done.set()
            injector.join(timeout=180)
        drained = drain(program.organisation, options["drain_timeout"] or form["drain"], say)
        results = counts.results(program.organisation, outcome, receiver.received)
        if supervised:
            # Both must still be running (restarted after every kill or lost lock): a
            # scheduler that exited and stayed down sweeps nothing any more.
            expected = Counter({(name, "RUNNING"): 1 for name in ("ips-crm-worker", "ips-crm-scheduler")})
            found = Counter()
            for line in supervised.ctl("status").splitlines():
                parts = line.split()
                if len(parts) >= 2 and parts[0] in ("ips-crm-worker", "ips-crm-scheduler"):
                    found[(parts[0], parts[1])] += 1
            results.append(compare("supervised programs running", expected, found))
        logged = 0
        if supervised:
            logged = sum(
                supervised.log_text(p).count("deadlock detected") for p in ("ips-crm-worker", "ips-crm-scheduler")
            )
        # Each deadlock is counted by PostgreSQL; the logs also name those the worker hit.
        deadlocks = max(pg_deadlocks() - deadlocks_before, logged)
        table, ok = report(results, deadlocks=deadlocks)
        say("")
        say("Faults injected:")
        for line in (injector.log if injector else []) or ["  none"]:
            say(f"  {line}")
        say("")
        say(table)
        if not drained:
            say("The queue did not drain in time (see the rows above).")
        if supervised:
            restarts = supervised.log_text("ips-crm-scheduler").count("Took the scheduler lock")
            say(f"Scheduler: lock taken {restarts} time(s) (restarts and re-takes after Redis went away)")
        say(f"{'OK' if ok and drained else 'FAILED'} in {time.monotonic() - started:.0f} s")
        return 0 if ok and drained else 1
    except KeyboardInterrupt:
        say("Interrupted.")
        return 130
    finally:
        if injector:
            injector.done.set()
        receiver.stop()
