"""What a held employer contact does: the employer relationship moves forward, and
the rapid-job-search clock of the job seekers it was made for stops.

IPS job development builds relationships through repeated in-person visits: a first
held contact introduces us; a second face-to-face one makes it a relationship. An
employer that has hired from us (set when a placement starts) stays there.

Handlers re-read the contact: events may be handled late, twice or out of order."""

from django.utils import timezone

from crm import services as crm_services
from crm.access import ProgramScope
from crm.events import handles
from crm.models import OutboxEvent
from employers.models import Employer
from employers.services import employer_lock, employer_relationship_set
from jobdev.models import EmployerContact


@handles("employer_contact.held", name="jobdev.move_relationship_forward")
def move_relationship_forward(event: OutboxEvent) -> None:
    scope = ProgramScope(event.organisation)
    # Lock the employer first, so that two contacts held together count each other.
    employer = employer_lock(scope, event.payload["employer_id"])
    face_to_face_held = (
        EmployerContact.objects.held().filter(employer=employer, mode__in=EmployerContact.FACE_TO_FACE_MODES).count()
    )
    target = (
        Employer.RelationshipStage.RELATIONSHIP if face_to_face_held >= 2 else Employer.RelationshipStage.INTRODUCED
    )
    employer_relationship_set(scope=scope, employer_id=employer.pk, stage=target)


@handles("employer_contact.held", name="jobdev.start_the_rapid_search_clock")
def start_the_rapid_search_clock(event: OutboxEvent) -> None:
    """Record the first face-to-face employer contact of each job seeker's current job
    search (IPS fidelity "rapid job search": within 30 days of enrolment, a setting)."""
    contact = EmployerContact.objects.filter(pk=event.payload["employer_contact_id"]).first()
    if contact is None or contact.status != EmployerContact.Status.HELD or not contact.is_face_to_face_on_behalf:
        return
    # The dispatcher runs handlers in the program's time zone: this is the local date.
    held_on = timezone.localdate(contact.starts_at)
    scope = ProgramScope(event.organisation, actor=event.actor)
    for job_seeker_id in sorted(contact.job_seekers.values_list("pk", flat=True)):
        crm_services.job_seeker_record_first_employer_contact(scope=scope, job_seeker_id=job_seeker_id, on=held_on)
