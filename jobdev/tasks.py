import dramatiq
from dramatiq_crontab import cron

from jobdev import nudges


@cron("30 7 * * *")
@dramatiq.actor(max_retries=3)
def nudge_rapid_job_search():
    nudges.rapid_search_nudge()
