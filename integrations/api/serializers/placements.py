"""Placements with their milestones, support tasks, workplace adjustments and
benefits-counselling steps.

Staff read what their pages show. A partner key reads these rows only under a consent
covering them, and never what may reveal health or was written for the team: no
notes, no adjustment descriptions, no task titles written by hand or naming an
adjustment, no cancel reasons, no employer, and a job's end reason generalised
(`quit` for every quit, so a health reason cannot be told apart). Those fields are
present and null (or generalised) for partners, so every response has one shape."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.access import PartnerScope
from crm.dates import validate_sane_date
from crm.models import JobType
from placements.models import Accommodation, BenefitsStep, Placement, PlacementMilestone, SupportTask

from ..disclosure import general_end_reason
from ..strict import StrictTypes

ID = {"min_value": 1, "max_value": 2**63 - 1}

END_REASON_CHOICES = [("", "—"), *Placement.EndReason.choices, ("quit", _("Quit (partners: any quit)"))]

FOR_STAFF = _("Staff only: null for partner keys.")


# Input: JSON types as the schema says ---------------------------------------------------


class StrictInput(StrictTypes, serializers.Serializer):
    """An input serializer that takes each value only in the JSON type its schema gives
    (integrations.api.strict): anything else is a 400 on that field."""


# The product's dates (crm.dates: years 2000 to 2100), as the schema tells clients.
SANE_DATE_SCHEMA = {"type": "string", "format": "date", "pattern": r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"}
SANE_DATETIME_SCHEMA = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}[Tt]",
}


@extend_schema_field(SANE_DATE_SCHEMA)
class SaneDateField(serializers.DateField):
    """A date from 2000 to 2100 (crm.dates), ISO 8601."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", []).append(validate_sane_date)
        super().__init__(**kwargs)


@extend_schema_field(SANE_DATETIME_SCHEMA)
class SaneDateTimeField(serializers.DateTimeField):
    """An instant whose date is from 2000 to 2100 (crm.dates), ISO 8601 with its offset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", []).append(validate_sane_date)
        super().__init__(**kwargs)


class CodeField(serializers.SlugRelatedField):
    """A taxonomy entry by its code, or null; an empty string is no code (DRF would
    take it as null)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().run_validation(data)


def bounded_decimal(pattern: str, **kwargs) -> serializers.DecimalField:
    """A decimal given as a string, its range told by `pattern` in the schema."""
    field_class = extend_schema_field({"type": "string", "format": "decimal", "pattern": pattern})(
        type("BoundedDecimalField", (serializers.DecimalField,), {})
    )
    return field_class(**kwargs)


HOURS_PATTERN = r"^(80(\.0)?|[1-7]?[0-9](\.[0-9])?)$"
PAY_PATTERN = r"^[0-9]{1,4}(\.[0-9]{1,2})?$"


def is_partner(context) -> bool:
    """Whether the caller is a partner key (its scope is `request.auth`)."""
    request = context.get("request")
    return isinstance(getattr(request, "auth", None), PartnerScope)


class StaffOnlyMixin:
    """Fields named in Meta.staff_only read null for a partner key."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if is_partner(self.context):
            for name in self.Meta.staff_only:
                data[name] = None
        return data


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "10:30"}
)
class WallTimeField(serializers.TimeField):
    """A time of day on the program's clock, without an offset ("10:30")."""


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlacementMilestone
        fields = ["name", "due_date", "reached_at", "still_working"]
        read_only_fields = fields


class PlacementSerializer(StaffOnlyMixin, serializers.ModelSerializer):
    employer = serializers.SerializerMethodField(help_text=FOR_STAFF)
    site = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text=FOR_STAFF)
    job_type = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("ISCO-08 based job type code.")
    )
    specialist = serializers.SerializerMethodField(help_text=FOR_STAFF)
    end_reason = serializers.SerializerMethodField(
        help_text=_("Empty until the job ends. Partners read every quit as `quit`.")
    )
    milestones = MilestoneSerializer(many=True, read_only=True)
    is_competitive = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Open to anyone, paid at least the minimum wage, not reserved for people with disabilities. "
            "Null for a job recorded before the question was asked."
        ),
    )
    term = serializers.ChoiceField(
        choices=[("", "—"), *Placement.Term.choices],
        read_only=True,
        help_text=_("Permanent or temporary (seasonal, fixed-term); empty for a job recorded before it was asked."),
    )

    class Meta:
        model = Placement
        fields = [
            "id",
            "job_seeker",
            "specialist",
            "employer",
            "site",
            "job_title",
            "job_type",
            "hours_per_week",
            "hourly_pay",
            "is_competitive",
            "term",
            "offer_date",
            "expected_start_date",
            "start_date",
            "end_date",
            "status",
            "end_reason",
            "milestones",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        staff_only = ["employer", "site", "specialist"]

    @extend_schema_field(NamedSerializer(allow_null=True))
    def get_employer(self, placement):
        return {"id": placement.employer_id, "name": placement.employer.name}

    @extend_schema_field(NamedSerializer(allow_null=True))
    def get_specialist(self, placement):
        specialist = placement.job_seeker.specialist
        return {"id": specialist.pk, "name": specialist.get_full_name() or specialist.username}

    @extend_schema_field(serializers.ChoiceField(choices=END_REASON_CHOICES))
    def get_end_reason(self, placement) -> str:
        if is_partner(self.context):
            return general_end_reason(placement.end_reason)
        return placement.end_reason


class SupportTaskSerializer(StaffOnlyMixin, serializers.ModelSerializer):
    title = serializers.SerializerMethodField(
        help_text=_("In the language asked for. Partners read the kind of task, never a title that may name details.")
    )
    owner = serializers.SerializerMethodField(help_text=FOR_STAFF)
    due_time = WallTimeField(
        read_only=True, allow_null=True, help_text=_("An appointment's time on the program's clock, or null.")
    )
    completion_mode = serializers.ChoiceField(
        choices=[("", "—"), *SupportTask.Mode.choices], read_only=True, help_text=_("Empty until done.")
    )
    place = serializers.ChoiceField(
        choices=[("", "—"), *SupportTask.Place.choices],
        read_only=True,
        help_text=_("Where an in-person contact took place; empty when not in person or not recorded."),
    )
    support_type = serializers.ChoiceField(
        choices=[("", "—"), *SupportTask.SupportType.choices],
        read_only=True,
        allow_null=True,
        help_text=format_lazy(
            "{} {}", _("The support given at a follow-along contact; empty for other tasks."), FOR_STAFF
        ),
    )
    given_by = serializers.ChoiceField(
        choices=[("", "—"), *SupportTask.GivenBy.choices],
        read_only=True,
        allow_null=True,
        help_text=format_lazy("{} {}", _("Who gave that support; empty for other tasks."), FOR_STAFF),
    )

    class Meta:
        model = SupportTask
        fields = [
            "id",
            "job_seeker",
            "placement",
            "kind",
            "title",
            "status",
            "due_date",
            "due_time",
            "duration_minutes",
            "owner",
            "accommodation",
            "benefits_step",
            "completed_on",
            "completion_mode",
            "place",
            "support_type",
            "given_by",
            "completion_note",
            "cancel_reason",
            "cancelled_on",
            "sequence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        # benefits_step: the benefits-planning work is not the support a consent covers.
        # support_type and given_by may reveal health ("coping with symptoms", "the
        # mental-health team").
        staff_only = ["owner", "benefits_step", "support_type", "given_by", "completion_note", "cancel_reason"]
        extra_kwargs = {
            "benefits_step": {"allow_null": True, "help_text": FOR_STAFF},
            "completion_note": {"allow_null": True, "help_text": FOR_STAFF},
            "cancel_reason": {"allow_null": True, "help_text": FOR_STAFF},
        }

    @extend_schema_field(OpenApiTypes.STR)
    def get_title(self, task) -> str:
        if is_partner(self.context):
            return str(task.get_kind_display())
        return task.title

    @extend_schema_field(NamedSerializer(allow_null=True))
    def get_owner(self, task):
        return {"id": task.owner_id, "name": task.owner.get_full_name() or task.owner.username}


class AccommodationSerializer(StaffOnlyMixin, serializers.ModelSerializer):
    job_seeker = serializers.IntegerField(source="placement.job_seeker_id", read_only=True)

    class Meta:
        model = Accommodation
        fields = [
            "id",
            "placement",
            "job_seeker",
            "status",
            "description",
            "worker_consents_to_disclosure",
            "note",
            "updated_at",
        ]
        read_only_fields = fields
        # An adjustment says what the worker needs, which may reveal their health.
        staff_only = ["description", "worker_consents_to_disclosure", "note"]
        extra_kwargs = {name: {"allow_null": True, "help_text": FOR_STAFF} for name in staff_only}


class BenefitsStepSerializer(StaffOnlyMixin, serializers.ModelSerializer):
    class Meta:
        model = BenefitsStep
        fields = [
            "id",
            "job_seeker",
            "placement",
            "reason",
            "status",
            "offered_on",
            "counsellor",
            "note",
            "updated_at",
        ]
        read_only_fields = fields
        staff_only = ["note"]
        extra_kwargs = {
            "note": {"allow_null": True, "help_text": FOR_STAFF},
            "counsellor": {
                "help_text": _(
                    "The benefits-counselling partner it is assigned to (id). A partner key reads its own id, "
                    "or null when the step is another's or nobody's."
                )
            },
        }

    def to_representation(self, step):
        data = super().to_representation(step)
        scope = getattr(self.context.get("request"), "auth", None)
        if isinstance(scope, PartnerScope) and step.counsellor_id != scope.partner_id:
            data["counsellor"] = None  # whom else the person works with is not this partner's to know
        return data


# Input ----------------------------------------------------------------------------------


class PlacementOfferSerializer(StrictInput):
    job_seeker = serializers.IntegerField(**ID, help_text=_("A job seeker of your own caseload (id)."))
    employer = serializers.IntegerField(**ID)
    site = serializers.IntegerField(**ID, required=False, allow_null=True)
    job_title = serializers.CharField(max_length=200)
    job_type = CodeField(queryset=JobType.objects.all(), required=False, allow_null=True)
    hours_per_week = bounded_decimal(
        HOURS_PATTERN, max_digits=4, decimal_places=1, min_value=0, max_value=80, required=False, allow_null=True
    )
    hourly_pay = bounded_decimal(
        PAY_PATTERN, max_digits=6, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    is_competitive = serializers.BooleanField(
        help_text=_(
            "Required, never assumed: open to anyone, paid at least the minimum wage, not reserved for people "
            "with disabilities (fidelity item: competitive jobs)."
        )
    )
    term = serializers.ChoiceField(choices=Placement.Term.choices, help_text=_("Required: permanent or temporary."))
    offer_date = SaneDateField(help_text=_("The day the offer was accepted: not in the future."))
    expected_start_date = SaneDateField(required=False, allow_null=True)

    def offer(self) -> dict:
        """The service's PlacementOfferFields (the job seeker and employer apart)."""
        data = {k: v for k, v in self.validated_data.items() if k not in ("job_seeker", "employer")}
        if "site" in data:
            data["site_id"] = data.pop("site")
        if "job_type" in data:
            job_type = data.pop("job_type")
            data["job_type_id"] = job_type.pk if job_type else None
        return data


class PlacementStartSerializer(StrictInput):
    start_date = SaneDateField(help_text=_("The day the job started: not in the future."))


class PlacementTermsSerializer(StrictInput):
    hours_per_week = bounded_decimal(
        HOURS_PATTERN, max_digits=4, decimal_places=1, min_value=0, max_value=80, allow_null=True
    )
    hourly_pay = bounded_decimal(PAY_PATTERN, max_digits=6, decimal_places=2, min_value=0, allow_null=True)
    effective_on = SaneDateField()


class PlacementEndSerializer(StrictInput):
    end_date = SaneDateField(help_text=_("The day the job ended: not in the future."))
    end_reason = serializers.ChoiceField(choices=Placement.EndReason.choices)


class SupportTaskCompleteSerializer(StrictInput):
    completed_on = SaneDateField(help_text=_("Not in the future."))
    completion_mode = serializers.ChoiceField(choices=SupportTask.Mode.choices)
    place = serializers.ChoiceField(
        choices=SupportTask.Place.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Where an in-person contact took place; only with `completion_mode` in_person. Left out: not recorded."
        ),
    )
    support_type = serializers.ChoiceField(
        choices=SupportTask.SupportType.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The support given: required for a follow-along contact (400 on this field without it)."),
    )
    given_by = serializers.ChoiceField(
        choices=SupportTask.GivenBy.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Who gave that support. Left out: the employment specialist."),
    )
    completion_note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    @staticmethod
    def completion(data: dict) -> dict:
        """The validated body as the service's keyword arguments after scope and task_id."""
        return {
            "completed_on": data["completed_on"],
            "mode": data["completion_mode"],
            "note": data["completion_note"],
            "place": data["place"],
            "support_type": data["support_type"],
            "given_by": data["given_by"],
        }


class SupportTaskScheduleSerializer(StrictInput):
    due_date = SaneDateField()
    due_time = WallTimeField(
        required=False, allow_null=True, default=None, help_text=_("The program's wall time; null: no appointment.")
    )
    duration_minutes = serializers.IntegerField(min_value=5, max_value=720, default=60)


class AccommodationCreateSerializer(StrictInput):
    placement = serializers.IntegerField(**ID)
    description = serializers.CharField(max_length=300)
    worker_consents_to_disclosure = serializers.BooleanField(default=False)


class AccommodationAdvanceSerializer(StrictInput):
    status = serializers.ChoiceField(
        choices=Accommodation.Status.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Left out: the next step."),
    )
    worker_consents_to_disclosure = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("Left out: unchanged.")
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BenefitsStepCreateSerializer(StrictInput):
    job_seeker = serializers.IntegerField(**ID)
    placement = serializers.IntegerField(**ID, required=False, allow_null=True, default=None)
    reason = serializers.ChoiceField(choices=BenefitsStep.Reason.choices)
    offered_on = SaneDateField()
    counsellor = serializers.IntegerField(
        **ID, required=False, allow_null=True, default=None, help_text=_("A benefits-counselling partner (id).")
    )


class BenefitsStepAdvanceSerializer(StrictInput):
    status = serializers.ChoiceField(
        choices=BenefitsStep.Status.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Left out: the next step."),
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BenefitsStepAssignSerializer(StrictInput):
    counsellor = serializers.IntegerField(
        **ID, allow_null=True, help_text=_("A benefits-counselling partner (id), or null for nobody.")
    )
