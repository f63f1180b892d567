"""The scheduler and the worker log what an operator needs, not a heartbeat a minute."""

from django_dramatiq.management.commands.rundramatiq import Command as RunDramatiq
from dramatiq_crontab import scheduler


def test_the_worker_does_not_load_dramatiq_crontabs_heartbeat():
    modules = RunDramatiq().discover_tasks_modules()
    assert "dramatiq_crontab.tasks" not in modules
    assert "crm.tasks" in modules


def test_the_scheduler_runs_only_the_products_periodic_jobs():
    names = {job.name for job in scheduler.get_jobs()}
    assert "heartbeat" not in names
    assert {"resend_pending_events", "emit_due_milestones"} <= names
