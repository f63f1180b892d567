"""A stream of placements driven through the services from several threads, several
calls on the same placement within milliseconds of each other, with what each call
did recorded (success, refusal, error) so the checker knows what to expect."""

import datetime
import random
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection

from crm import clock
from crm.access import access_scope
from demo.chaos.program import HOURS, Program
from placements import services
from placements.models import Placement

DB_ERRORS = (OperationalError, InterfaceError)


def is_deadlock(error: BaseException) -> bool:
    """PostgreSQL chose this transaction as a deadlock's victim (psycopg's
    DeadlockDetected, wrapped by Django as an OperationalError)."""
    return "deadlock detected" in str(error) or type(error.__cause__).__name__ == "DeadlockDetected"


@dataclass
class Record:
    """What the driver knows of one placement: its successful calls by topic."""

    job_seeker_id: int
    placement_id: int | None = None
    succeeded: dict = field(default_factory=lambda: defaultdict(int))
    refused: dict = field(default_factory=lambda: defaultdict(int))
    ambiguous: bool = False  # a call whose commit could not be known (database restarted mid-call)


@dataclass
class Outcome:
    records: list[Record]
    raised: list[str] = field(default_factory=list)  # calls that raised to the caller unexpectedly
    calls: int = 0
    seconds: float = 0.0


class Driver:
    def __init__(self, program: Program, *, placements: int, threads: int, seed: int = 13):
        self.program = program
        self.count = min(placements, len(program.job_seeker_ids))
        self.threads = threads
        self.random = random.Random(seed)
        self.outcome = Outcome(records=[])
        self._lock = threading.Lock()
        self.stop = threading.Event()

    # One call -------------------------------------------------------------------------

    def _call(self, record: Record, topic: str, action) -> bool:
        """Run one service call as a user would: refused (ValidationError) is an answer;
        a lost database connection is retried (the user presses again; a refusal then
        leaves the outcome unknown); anything else raising to the caller is a fault."""
        with self._lock:
            self.outcome.calls += 1
        retried = False
        for _attempt in range(60):
            try:
                result = action()
            except ValidationError:
                with self._lock:
                    record.refused[topic] += 1
                    if retried:
                        record.ambiguous = True
                return False
            except DB_ERRORS as error:
                if is_deadlock(error):  # the user sees an error page: a fault, not an outage
                    with self._lock:
                        self.outcome.raised.append(f"{topic} on placement {record.placement_id}: deadlock detected")
                    return False
                retried = True
                connection.close()
                time.sleep(0.5)
                continue
            except DatabaseError as error:  # a deadlock or serialization failure reaching the user
                with self._lock:
                    self.outcome.raised.append(f"{topic} on placement {record.placement_id}: {error!r}"[:300])
                return False
            except Exception as error:  # noqa: BLE001 - e.g. an on-commit hook raising after the commit
                with self._lock:
                    self.outcome.raised.append(
                        f"{topic} on placement {record.placement_id} raised {type(error).__name__}: {error}"[:300]
                    )
                return False
            with self._lock:
                record.succeeded[topic] += 1
            return result if result is not None else True
        with self._lock:
            self.outcome.raised.append(f"{topic} on placement {record.placement_id}: database unreachable for 30 s")
        return False

    def _burst(self, calls) -> None:
        """Run calls together, each in its own thread (own connection), a few
        milliseconds apart."""
        threads = []
        for call in calls:

            def run(call=call):
                time.sleep(self.random.random() * 0.004)
                try:
                    call()
                finally:
                    connection.close()

            thread = threading.Thread(target=run)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()

    # One placement's life -------------------------------------------------------------

    def _life(self, index: int) -> None:
        close_old_connections()
        program = self.program
        job_seeker_id = program.job_seeker_ids[index]
        record = Record(job_seeker_id=job_seeker_id)
        with self._lock:
            self.outcome.records.append(record)
        specialist = program.specialists[index % len(program.specialists)]
        scope = access_scope(specialist)
        today = clock.program_today(program.organisation)
        past = index % 3 == 0  # started weeks ago: its first milestones are due
        offer_date = today - datetime.timedelta(days=45) if past else today
        start_date = offer_date + datetime.timedelta(days=3) if past else today
        hours = list(HOURS)
        self.random.shuffle(hours)

        def offer():
            placement = services.placement_offer_accept(
                scope=scope,
                job_seeker_id=job_seeker_id,
                employer_id=program.employer_ids[index % len(program.employer_ids)],
                offer={
                    "job_title": "Agent",
                    "is_competitive": True,
                    "term": "permanent",
                    "hours_per_week": hours[0],
                    "hourly_pay": None,
                    "offer_date": offer_date,
                    "expected_start_date": start_date,
                },
            )
            record.placement_id = placement.pk
            return placement

        if not self._call(record, "placement.offer_accepted", offer):
            # A lost connection after the commit: find the placement made.
            record.placement_id = (
                Placement.objects.filter(job_seeker_id=job_seeker_id).values_list("pk", flat=True).first()
            )
            if record.placement_id is None:
                return
        pid = record.placement_id

        def change(h):
            return lambda: self._call(
                record,
                "placement.terms_changed",
                lambda: services.placement_change_terms(
                    scope=scope, placement_id=pid, hours_per_week=h, hourly_pay=None, effective_on=today
                ),
            )

        start = lambda: self._call(  # noqa: E731
            record,
            "placement.started",
            lambda: services.placement_start(scope=scope, placement_id=pid, start_date=start_date),
        )
        self._burst([start, change(hours[1]), change(hours[2])])
        calls = [change(hours[3])]
        if index % 2 == 0:
            calls.append(
                lambda: self._call(
                    record,
                    "placement.ended",
                    lambda: services.placement_end(scope=scope, placement_id=pid, end_date=today, end_reason="fired"),
                )
            )
        self._burst(calls)

    def _scheduler_like(self) -> None:
        # milestones_emit_due as the scheduler runs it (every 5 minutes there; here
        # every few seconds so that a short run sees milestones).
        while not self.stop.wait(3):
            try:
                services.milestones_emit_due()
            except DB_ERRORS as error:
                if is_deadlock(error):
                    with self._lock:
                        self.outcome.raised.append("milestones_emit_due: deadlock detected")
                connection.close()
            finally:
                connection.close()

    def run(self) -> Outcome:
        started = time.monotonic()
        milestones = threading.Thread(target=self._scheduler_like, name="chaos-milestones", daemon=True)
        milestones.start()
        try:
            with ThreadPoolExecutor(self.threads, thread_name_prefix="chaos-driver") as pool:
                for future in [pool.submit(self._life, i) for i in range(self.count)]:
                    future.result()
        finally:
            self.stop.set()
            milestones.join(timeout=30)
        for _ in range(30):
            try:
                services.milestones_emit_due()  # the catch-up a scheduler does after downtime
                break
            except DB_ERRORS:
                connection.close()
                time.sleep(1)
        self.outcome.seconds = time.monotonic() - started
        return self.outcome
