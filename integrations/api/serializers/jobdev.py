"""The employer contact log (staff only: partner keys see none).

Contacts are shared across the program; the job seekers a contact was made for are
named only where the reader may see them (`visible_job_seekers`, prefetched by the
viewset). Writes go through jobdev.services with the reader's scope."""

import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from crm.models import JobType
from jobdev.models import EmployerContact

from .placements import SaneDateField, SaneDateTimeField, StrictInput

ID = {"min_value": 1, "max_value": 2**63 - 1}


class SpecialistSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)


class EmployerContactSerializer(serializers.ModelSerializer):
    specialist = SpecialistSerializer(read_only=True)
    job_seekers = serializers.SerializerMethodField(
        help_text=_("The job seekers it was made for, among those you may see (ids).")
    )
    learned_job_types = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = EmployerContact
        fields = [
            "id",
            "specialist",
            "employer",
            "site",
            "contact_person",
            "status",
            "mode",
            "nature",
            "purpose",
            "job_seekers",
            "confirmed",
            "starts_at",
            "ends_at",
            "met_hiring_authority",
            "learned_hiring_needs",
            "learned_job_types",
            "learned_hiring_process",
            "best_time_to_apply",
            "result",
            "next_step",
            "next_step_on",
            "cancel_reason",
            "sequence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_job_seekers(self, contact) -> list[int]:
        return sorted(job_seeker.pk for job_seeker in getattr(contact, "visible_job_seekers", []))


# Input ----------------------------------------------------------------------------------


class JobSeekerIdsField(serializers.ListField):
    child = serializers.IntegerField(**ID)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 50)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Job seekers of your own caseload this contact is for (ids)."))
        super().__init__(**kwargs)


class DurationField(serializers.IntegerField):
    """How long a contact lasts, in minutes (1 to 720: at most 12 hours); it ends that
    long after its start, in real time, whatever the clocks do that night."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 720)
        kwargs.setdefault("default", 60)
        kwargs.setdefault("help_text", _("Minutes, from 1 to 720 (default 60)."))
        super().__init__(**kwargs)


def ends_at(data) -> datetime.datetime:
    """The end of a contact from its validated `starts_at` and `duration_minutes`."""
    return data["starts_at"] + datetime.timedelta(minutes=data["duration_minutes"])


class NamesJobSeekers:
    """A contact on behalf of job seekers names them (`purpose` defaults to on_behalf):
    the service's rule, told in the schema by OnBehalfNamesJobSeekers below."""


class EmployerContactPlanSerializer(NamesJobSeekers, StrictInput):
    employer = serializers.IntegerField(**ID)
    site = serializers.IntegerField(**ID, required=False, allow_null=True)
    contact_person = serializers.IntegerField(**ID, required=False, allow_null=True)
    starts_at = SaneDateTimeField()
    duration_minutes = DurationField()
    mode = serializers.ChoiceField(choices=EmployerContact.Mode.choices, default=EmployerContact.Mode.IN_PERSON)
    purpose = serializers.ChoiceField(
        choices=EmployerContact.Purpose.choices, default=EmployerContact.Purpose.ON_BEHALF
    )
    job_seekers = JobSeekerIdsField()
    nature = serializers.ChoiceField(
        choices=EmployerContact.Nature.choices,
        required=False,
        help_text=_("Suggested from the program's earlier contacts with the employer when left out."),
    )
    next_step = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text=_("The aim of the visit.")
    )
    confirmed = serializers.BooleanField(default=False)
    disclosure_confirmed = serializers.BooleanField(
        default=False,
        help_text=_(
            "Go ahead although disclosure has not been discussed yet with someone the contact is for (their "
            "preference is still `undecided`). Without it such a contact is refused: 400, the message naming them "
            "under `errors.job_seekers`."
        ),
    )


class ContactOutcomeSerializer(StrictInput):
    """What was learned at a held contact."""

    nature = serializers.ChoiceField(choices=EmployerContact.Nature.choices, required=False)
    contact_person = serializers.IntegerField(**ID, required=False, allow_null=True)
    met_hiring_authority = serializers.BooleanField(required=False, allow_null=True)
    learned_hiring_needs = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    learned_job_types = serializers.SlugRelatedField(
        slug_field="code", queryset=JobType.objects.all(), many=True, required=False
    )
    learned_hiring_process = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    best_time_to_apply = serializers.CharField(max_length=200, required=False, allow_blank=True)
    result = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True)
    next_step_on = SaneDateField(
        required=False, allow_null=True, help_text=_("Required when a next step is given: the day it is due.")
    )

    def outcome(self) -> dict:
        """The service's ContactOutcomeFields."""
        data = dict(self.validated_data)
        data.pop("no_show", None)
        for name in ("employer", "occurred_at", "mode", "purpose", "job_seekers"):
            data.pop(name, None)
        if "contact_person" in data:
            data["contact_person_id"] = data.pop("contact_person")
        return data


class EmployerContactHoldSerializer(ContactOutcomeSerializer):
    no_show = serializers.BooleanField(default=False, help_text=_("The employer did not turn up."))


class EmployerContactLogSerializer(NamesJobSeekers, ContactOutcomeSerializer):
    employer = serializers.IntegerField(**ID)
    occurred_at = SaneDateTimeField(help_text=_("When it happened (not in the future)."))
    mode = serializers.ChoiceField(choices=EmployerContact.Mode.choices)
    purpose = serializers.ChoiceField(choices=EmployerContact.Purpose.choices)
    job_seekers = JobSeekerIdsField()


class EmployerContactRescheduleSerializer(StrictInput):
    starts_at = SaneDateTimeField()
    duration_minutes = DurationField()
    site = serializers.IntegerField(**ID, required=False, allow_null=True, help_text=_("Left out: none."))
    contact_person = serializers.IntegerField(**ID, required=False, allow_null=True, help_text=_("Left out: none."))
    confirmed = serializers.BooleanField(required=False, allow_null=True, help_text=_("Left out: unchanged."))


class EmployerContactCancelSerializer(StrictInput):
    reason = serializers.CharField(max_length=300)


class OnBehalfNamesJobSeekers(OpenApiSerializerExtension):
    """In the schema: unless `purpose` is "relationship", `job_seekers` names at least
    one (JSON Schema if/else), so a client, or a schema-driven test, knows it."""

    target_class = NamesJobSeekers
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["if"] = {
                "properties": {"purpose": {"const": EmployerContact.Purpose.RELATIONSHIP.value}},
                "required": ["purpose"],
            }
            schema["else"] = {"required": ["job_seekers"], "properties": {"job_seekers": {"minItems": 1}}}
        return schema
