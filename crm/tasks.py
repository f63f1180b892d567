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


# Locating job seekers' homes (crm/locations.py). Not retried by dramatiq: a provider
# that fails counts an attempt on the row, which the sweep sends again later with a
# growing delay (and gives up after GEOCODING_MAX_ATTEMPTS); what is stored as to
# locate is never lost, and no message multiplies into retries.
LOCATE_OPTIONS = {
    "max_retries": 0,
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
    """The sweep: sends a batch of home addresses still to locate and due (new, changed,
    a lost message, a failure whose next try has come)."""
    from crm.locations import sweep
    from crm.models import JobSeeker

    sweep(JobSeeker, locate_job_seeker)
