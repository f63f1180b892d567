"""The scheduler's placement jobs. Due dates are stored; these sweeps act on them,
so nothing depends on a delayed broker message and downtime is caught up."""

import dramatiq
from dramatiq_crontab import cron

from placements import services


@cron("*/5 * * * *")
@dramatiq.actor(max_retries=3)
def emit_due_milestones():
    services.milestones_emit_due()


@cron("7 * * * *")
@dramatiq.actor(max_retries=3)
def ensure_next_follow_along():
    services.follow_along_ensure_next()
