"""`manage.py runscheduler` (`make scheduler`): the services-mode scheduler.

It sends dramatiq-crontab's periodic jobs (every `@cron` actor, registered when each
app's AppConfig.ready() imports its tasks module) while holding the Redis lock that
keeps a second scheduler idle.

Why not dramatiq-crontab's own `manage.py crontab` (version 1.2.1): it refreshes
the lock from a scheduler job; when Redis is flushed or restarted the lock key is
gone, the refresh raises LockNotOwnedError, the scheduler shuts down, releasing the
lock raises again, and the command prints "The lock is no longer owned by the
scheduler" and exits with status 0. A supervisor with `Restart=on-failure` does not
restart it, and nothing is swept any more. While Redis is unreachable the refresh
fails with a ConnectionError that is only logged, and the scheduler keeps acting
without a lock.

Here a lock keeper thread refreshes the lock. When the lock is lost (key gone or
taken, or Redis unreachable) the scheduler is paused at once, and the keeper tries to
take the lock again for up to LOCK_BLOCKING_TIMEOUT seconds:
- taken again (no other scheduler had it): the scheduler resumes, the process carries on;
- another scheduler holds it: exit status 3, so a supervisor restarts this one, which
  then waits as a standby (status 3 again while the other one is active);
- Redis unreachable: exit status 1, so a supervisor restarts it once Redis is back.
SIGTERM, SIGINT or SIGHUP stop it cleanly (status 0) and release the lock.
"""

import contextlib
import signal
import threading

import redis
from django.core.management.base import BaseCommand, CommandError
from dramatiq_crontab import scheduler
from dramatiq_crontab.conf import get_settings
from redis.exceptions import LockError, RedisError

EXIT_REDIS_UNREACHABLE = 1
EXIT_LOCK_HELD_ELSEWHERE = 3


def _stop_softly(signum, frame):
    raise KeyboardInterrupt(f"Received {signal.Signals(signum).name}, shutting down…")


class LockKeeper(threading.Thread):
    """Refreshes the scheduler's Redis lock every `refresh` seconds; pauses the
    scheduler when the lock is lost and resumes it if the lock could be taken again,
    else shuts it down, leaving the exit status in `exit_code` and why in `failure`."""

    def __init__(self, *, lock, scheduler, refresh: float, timeout: float, wait: float, say):
        super().__init__(name="scheduler-lock-keeper", daemon=True)
        self.lock = lock
        self.scheduler = scheduler
        self.refresh = refresh
        self.timeout = timeout
        self.wait = wait
        self.say = say
        self.failure = ""
        self.exit_code = 0
        self._stopping = threading.Event()

    def run(self):
        while not self._stopping.wait(self.refresh):
            try:
                self.lock.extend(self.timeout, replace_ttl=True)
                continue
            except LockError:  # LockNotOwnedError included: the key is gone or is another's
                reason = "the lock is no longer ours (Redis flushed or restarted?)"
            except RedisError as error:
                reason = f"Redis error: {error}"
            if self._stopping.is_set():
                return
            self.scheduler.pause()
            self.say(f"Lost the scheduler lock: {reason}. Paused; trying to take it again…", warning=True)
            try:
                taken = self.lock.acquire(blocking=True, blocking_timeout=self.wait)
            except RedisError as error:
                self._give_up(f"Could not take the scheduler lock again: Redis error: {error}", EXIT_REDIS_UNREACHABLE)
                return
            if self._stopping.is_set():  # stopped by a signal meanwhile: the command releases the lock
                return
            if not taken:
                self._give_up("Another scheduler took the lock; exiting.", EXIT_LOCK_HELD_ELSEWHERE)
                return
            self.say("Took the scheduler lock again; resuming.")
            self.scheduler.resume()

    def _give_up(self, failure: str, exit_code: int) -> None:
        self.failure, self.exit_code = failure, exit_code
        self.say(failure, warning=True)
        self.scheduler.shutdown(wait=False)

    def stop(self) -> None:
        self._stopping.set()


class Command(BaseCommand):
    help = (
        "Run the periodic-job scheduler (services mode), holding a Redis lock so only one acts; "
        "re-takes the lock if Redis lost it, or exits non-zero so a supervisor restarts it."
    )

    def handle(self, *args, **options):
        conf = get_settings()
        if not conf.REDIS_URL:
            raise CommandError(
                "runscheduler needs REDIS_URL (services mode); `make run` runs the scheduler in its own process."
            )
        client = redis.Redis.from_url(conf.REDIS_URL)
        lock_name = getattr(conf, "LOCK_NAME", "dramatiq-scheduler")
        lock = client.lock(lock_name, timeout=conf.LOCK_TIMEOUT, thread_local=False)
        self._say("Acquiring lock…")
        try:
            taken = lock.acquire(blocking=True, blocking_timeout=conf.LOCK_BLOCKING_TIMEOUT)
        except RedisError as error:
            raise CommandError(f"Redis is unreachable: {error}", returncode=EXIT_REDIS_UNREACHABLE) from error
        if not taken:
            raise CommandError("Another scheduler is already running.", returncode=EXIT_LOCK_HELD_ELSEWHERE)

        keeper = LockKeeper(
            lock=lock,
            scheduler=scheduler,
            refresh=conf.LOCK_REFRESH_INTERVAL,
            timeout=conf.LOCK_TIMEOUT,
            wait=conf.LOCK_BLOCKING_TIMEOUT,
            say=self._say,
        )
        for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _stop_softly)
        keeper.start()
        self._say(f"Starting scheduler with {len(scheduler.get_jobs())} periodic jobs…", success=True)
        try:
            scheduler.start()  # blocks until shut down (by a signal or by the keeper)
        except KeyboardInterrupt as interruption:
            self._say(str(interruption))
            if scheduler.running:
                scheduler.shutdown()
        finally:
            keeper.stop()
            keeper.join(timeout=conf.LOCK_BLOCKING_TIMEOUT + conf.LOCK_REFRESH_INTERVAL + 5)
        if keeper.exit_code:
            raise CommandError(keeper.failure, returncode=keeper.exit_code)
        with contextlib.suppress(LockError, RedisError):  # already gone: nothing to release
            lock.release()
        self._say("Scheduler stopped.")

    def _say(self, message: str, *, warning: bool = False, success: bool = False) -> None:
        if warning:
            self.stderr.write(self.style.WARNING(message))
            self.stderr.flush()
        else:
            self.stdout.write(self.style.SUCCESS(message) if success else message)
            self.stdout.flush()
