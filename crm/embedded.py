"""Embedded mode: the dramatiq worker and the scheduler run as threads inside the web
process, on dramatiq's in-memory broker, so `make run` needs no Redis.

Messages in the in-memory broker die with the process; that is acceptable only
because nothing depends on a message alone (durable work is stored in the database
and swept by the scheduler)."""

import logging
import threading

import dramatiq
from dramatiq.brokers.stub import StubBroker

logger = logging.getLogger(__name__)


def start_worker(*, threads: int = 2) -> dramatiq.Worker:
    broker = dramatiq.get_broker()
    if not isinstance(broker, StubBroker):
        raise RuntimeError("The embedded worker runs only on the in-memory broker (REDIS_URL must be unset).")
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    logger.info("Embedded dramatiq worker started with %s threads.", threads)
    return worker


def start_scheduler() -> threading.Thread:
    from dramatiq_crontab import scheduler

    thread = threading.Thread(target=scheduler.start, name="embedded-scheduler", daemon=True)
    thread.start()
    logger.info("Embedded scheduler started with %s periodic jobs.", len(scheduler.get_jobs()))
    return thread
