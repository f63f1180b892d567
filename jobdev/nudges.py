"""Rapid job search (IPS principle 6): nudge the specialist when a job seeker has had
no face-to-face employer contact some days into their job search."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q

from crm import clock
from crm.access import ProgramScope
from crm.models import JobSeeker, Organisation
from jobdev.models import JobSearchNudge
from placements import services as placement_services
from placements.models import SupportTask


def rapid_search_nudge(*, today: datetime.date | None = None) -> int:
    """The scheduler's daily job. Creates one task per job seeker and day mark (14, 21
    by default), once, however often it runs. Days are counted in each program's own
    dates (its time zone), not the server's; `today` forces one date for every program.
    Returns how many nudges it created."""
    created = 0
    for organisation in Organisation.objects.all():
        days = organisation.nudge_days
        if not days:
            continue
        program_day = today or clock.program_today(organisation)
        scope = ProgramScope(organisation)
        waiting = JobSeeker.objects.filter(_waiting(program_day, days[0]), organisation=organisation).values_list(
            "pk", flat=True
        )
        for job_seeker_id in waiting:
            try:
                with transaction.atomic():
                    created += _nudge(scope, job_seeker_id, program_day, days)
            except IntegrityError:
                continue  # already nudged for this mark
    return created


def _waiting(today: datetime.date, first_day: int) -> Q:
    return Q(
        status=JobSeeker.Status.JOB_SEARCH,
        job_search_since__isnull=False,
        first_employer_contact_on__isnull=True,
        job_search_since__lte=today - datetime.timedelta(days=first_day),
    )


def _nudge(scope: ProgramScope, job_seeker_id: int, today: datetime.date, days: list[int]) -> bool:
    # Re-read under the job seeker's lock: an employer contact or a job start committed
    # since the list was read stops the nudge.
    job_seeker = placement_services.job_seeker_hold(scope, job_seeker_id)
    if not JobSeeker.objects.filter(_waiting(today, days[0]), pk=job_seeker.pk).exists():
        return False
    elapsed = (today - job_seeker.job_search_since).days
    # Only the latest mark reached: after downtime, one nudge, not a pile.
    day = [mark for mark in days if mark <= elapsed][-1]
    JobSearchNudge.objects.create(job_seeker=job_seeker, job_search_since=job_seeker.job_search_since, day=day)
    placement_services.support_task_create(
        scope=scope,
        job_seeker_id=job_seeker.pk,
        kind=SupportTask.Kind.JOB_SEARCH_NUDGE,
        params={"day": day},
        due_date=today,
    )
    return True
