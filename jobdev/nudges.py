"""Rapid job search (IPS principle 6): nudge the specialist when a job seeker has had
no face-to-face employer contact some days into their job search."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import JobSeeker, Organisation
from jobdev.models import JobSearchNudge
from placements.models import SupportTask


def nudge_days(organisation: Organisation) -> list[int]:
    days = []
    for part in organisation.rapid_search_nudge_days.split(","):
        part = part.strip()
        if part.isdigit() and 0 < int(part) < 366:
            days.append(int(part))
    return sorted(set(days))


def rapid_search_nudge(*, today: datetime.date | None = None) -> int:
    """The scheduler's daily job. Creates one task per job seeker and day mark (14, 21
    by default), once, however often it runs. Returns how many nudges it created."""
    today = today or timezone.localdate()
    created = 0
    for organisation in Organisation.objects.all():
        days = nudge_days(organisation)
        if not days:
            continue
        waiting = JobSeeker.objects.filter(
            organisation=organisation,
            status=JobSeeker.Status.JOB_SEARCH,
            job_search_since__isnull=False,
            first_employer_contact_on__isnull=True,
            job_search_since__lte=today - datetime.timedelta(days=days[0]),
        ).select_related("specialist")
        for job_seeker in waiting:
            elapsed = (today - job_seeker.job_search_since).days
            reached = [day for day in days if day <= elapsed]
            # Only the latest mark reached: after downtime, one nudge, not a pile.
            day = reached[-1]
            try:
                with transaction.atomic():
                    JobSearchNudge.objects.create(
                        job_seeker=job_seeker, job_search_since=job_seeker.job_search_since, day=day
                    )
                    SupportTask.objects.create(
                        organisation=organisation,
                        job_seeker=job_seeker,
                        kind=SupportTask.Kind.JOB_SEARCH_NUDGE,
                        title=_("Day %(day)s of job search for %(name)s: no face-to-face employer contact yet")
                        % {"day": day, "name": job_seeker.full_name},
                        due_date=today,
                        owner=job_seeker.specialist,
                    )
            except IntegrityError:
                continue  # already nudged for this mark
            created += 1
    return created
