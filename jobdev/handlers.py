"""What a held employer contact does: the employer relationship moves forward.

IPS job development builds relationships through repeated in-person visits: a first
held contact introduces us; a second face-to-face one makes it a relationship. An
employer that has hired from us (set when a placement starts) stays there."""

from crm.events import handles
from crm.models import OutboxEvent
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
