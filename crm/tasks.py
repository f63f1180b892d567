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
