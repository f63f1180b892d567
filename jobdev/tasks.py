"""The scheduler's job-development nudges (jobdev.nudges), scheduled by dramatiq-crontab
(see crm/tasks.py). Each acts on every program's own dates and nudges once per
occasion, so a run missed or repeated does no harm."""

import dramatiq
from dramatiq_crontab import cron

from jobdev import nudges


@cron("30 7 * * *")
@dramatiq.actor(max_retries=3)
def nudge_rapid_job_search():
    """Day 14 and day 21 (the program's nudge days) without a face-to-face employer contact."""
    nudges.rapid_search_nudge()


# Hourly: each program's Thursday and Friday begin at a different hour of the server's.
@cron("41 * * * *")
@dramatiq.actor(max_retries=3)
def nudge_job_development_pace():
    """Specialists below the weekly pace of in-person employer contacts by Thursday."""
    nudges.pace_nudge()
