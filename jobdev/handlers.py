"""What a held employer contact does: the employer relationship moves forward.

IPS job development builds relationships through repeated in-person visits: a first
held contact introduces us; a second face-to-face one makes it a relationship. An
employer that has hired from us (set when a placement starts) stays there."""

import datetime

from django.utils import timezone

from crm.events import handles
from crm.models import JobSeeker, OutboxEvent
from employers.models import Employer
from jobdev.models import EmployerContact

STAGE_ORDER = [
    Employer.RelationshipStage.NOT_CONTACTED,
    Employer.RelationshipStage.INTRODUCED,
    Employer.RelationshipStage.RELATIONSHIP,
    Employer.RelationshipStage.HAS_HIRED,
]


@handles("employer_contact.held")
def move_relationship_forward(event: OutboxEvent) -> None:
    employer = Employer.objects.select_for_update().get(pk=event.payload["employer_id"])
    face_to_face_held = EmployerContact.objects.filter(
        employer=employer, status=EmployerContact.Status.HELD, mode__in=EmployerContact.FACE_TO_FACE_MODES
    ).count()
    target = (
        Employer.RelationshipStage.RELATIONSHIP if face_to_face_held >= 2 else Employer.RelationshipStage.INTRODUCED
    )
    if STAGE_ORDER.index(target) > STAGE_ORDER.index(employer.relationship_stage):
        employer.relationship_stage = target
        employer.save(update_fields=["relationship_stage", "updated_at"])


@handles("employer_contact.held")
def start_the_rapid_search_clock(event: OutboxEvent) -> None:
    """Record the first face-to-face employer contact of each job seeker's current job
    search (IPS fidelity: within 30 days of enrolment)."""
    if event.payload["mode"] not in EmployerContact.FACE_TO_FACE_MODES or event.payload["purpose"] != "on_behalf":
        return
    held_on = timezone.localtime(datetime.datetime.fromisoformat(event.payload["held_at"])).date()
    for job_seeker in JobSeeker.objects.select_for_update().filter(pk__in=event.payload["job_seeker_ids"]):
        if job_seeker.job_search_since is None or held_on < job_seeker.job_search_since:
            continue
        if job_seeker.first_employer_contact_on is None or held_on < job_seeker.first_employer_contact_on:
            job_seeker.first_employer_contact_on = held_on
            job_seeker.save(update_fields=["first_employer_contact_on", "updated_at"])
