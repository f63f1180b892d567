"""Periodic housekeeping. Scheduled by dramatiq-crontab: in services mode by the
`make scheduler` process, in embedded mode inside the `make run` process."""

from datetime import timedelta

import dramatiq
from django.conf import settings
from django.utils import timezone
from dramatiq_crontab import cron

from crm import events


@cron("17 3 * * *")
@dramatiq.actor(max_retries=3)
def purge_expired_login_data():
    """Delete expired sessions and failed-login records past their cool-off.

    Both hold personal data (who logged in from where); keep them no longer than needed."""
    from axes.models import AccessAttempt
    from django.contrib.sessions.models import Session

    now = timezone.now()
    Session.objects.filter(expire_date__lt=now).delete()
    AccessAttempt.objects.filter(attempt_time__lt=now - timedelta(hours=settings.AXES_COOLOFF_TIME)).delete()


# No dramatiq retries: a failing handler is rescheduled by the outbox itself
# (EventHandling.next_attempt_at, crm.events.retry_delay) and sent by the sweep. A
# handler stopped by the time limit has claimed its attempt already: it counts.
@dramatiq.actor(max_retries=0, time_limit=settings.EVENT_HANDLER_TIME_LIMIT_SECONDS * 1000)
def dispatch_event(event_id: int):
    events.dispatch(event_id)


@cron("* * * * *")
@dramatiq.actor(max_retries=0)
def resend_pending_events():
    """The outbox sweep: sends events whose handlers' next attempt is due, and events
    whose message was lost. Nothing written is ever lost, even if the broker lost it."""
    events.resend_pending()


# Locating job seekers' homes (crm/locations.py). A provider that cannot answer now is
# tried again by dramatiq with a growing delay; after the last try the row stays "to
# locate" and the sweep below sends it again: what is stored as needed is never lost.
LOCATE_OPTIONS = {
    "max_retries": 4,
    "min_backoff": 30_000,
    "max_backoff": 30 * 60_000,
    "time_limit": 2 * 60_000,
    "queue_name": "geocoding",
}


@dramatiq.actor(**LOCATE_OPTIONS)
def locate_job_seeker(job_seeker_id: int):
    from crm.locations import locate
    from crm.models import JobSeeker

    locate(JobSeeker, job_seeker_id)


@cron("*/10 * * * *")
@dramatiq.actor(max_retries=0)
def locate_pending_job_seekers():
    """The sweep: sends every home address still to locate (new, changed, or whose job
    was lost or gave up), a batch at a time."""
    from crm.locations import pending
    from crm.models import JobSeeker

    for job_seeker_id in pending(JobSeeker, limit=settings.GEOCODING_SWEEP_BATCH):
        locate_job_seeker.send(job_seeker_id)
