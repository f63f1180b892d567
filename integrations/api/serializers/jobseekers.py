"""Job seekers, referrals, career profile and preferences, events, tombstones.

Output serializers say what each caller may read: staff the record as in the app
(never its notes: the status history's notes stay in the app); partners the referral
fields only (who the person is and how to reach them), nothing of health, the career
profile or the caseload. Input serializers are small and explicit: shapes only, the
rules are the services'."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.models import CareerProfile, Industry, JobPreference, JobSeeker, JobType, OutboxEvent, Shift, Weekday
from crm.services import CareerProfileFields
from integrations.api.disclosure import shows_receives_benefits
from integrations.api.strict import StrictTypes

STAFF_FIELDS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "postcode",
    "town",
    "referral_date",
    "enrolment_date",
    "referral_source",
    "status",
    "receives_benefits",
    "disclosure_preference",
    "disclosure_discussed_on",
    "in_education",
    "specialist_id",
    "referred_by_partner_id",
    "job_search_since",
    "first_employer_contact_on",
    "created_at",
    "updated_at",
]
REFERRAL_FIELDS = ["first_name", "last_name", "email", "phone", "address", "postcode", "town", "referral_date"]


class JobSeekerSerializer(serializers.ModelSerializer):
    """A job seeker as staff read it."""

    email = serializers.CharField(read_only=True, help_text="An email address, or empty.")
    specialist_id = serializers.IntegerField(read_only=True)
    referred_by_partner_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = JobSeeker
        fields = STAFF_FIELDS
        read_only_fields = STAFF_FIELDS


class PartnerJobSeekerSerializer(serializers.ModelSerializer):
    """A job seeker as a partner reads it: the referral's fields, and whether this
    partner made the referral; whether the person receives benefits only under a
    consent in force covering benefits (integrations.api.disclosure), else null."""

    email = serializers.CharField(read_only=True, help_text="An email address, or empty.")
    receives_benefits = serializers.SerializerMethodField(
        help_text=gettext_lazy("Null unless a consent in force covering benefits shares it with you.")
    )
    referred_by_you = serializers.SerializerMethodField()

    class Meta:
        model = JobSeeker
        fields = ["id", *REFERRAL_FIELDS, "receives_benefits", "referred_by_you", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=JobSeeker.Benefits.choices, allow_null=True))
    def get_receives_benefits(self, job_seeker):
        shared = getattr(job_seeker, "benefits_shared", None)
        if shared is None:
            shared = shows_receives_benefits(self.context["request"].auth, job_seeker)
        return job_seeker.receives_benefits if shared else None

    def get_referred_by_you(self, job_seeker) -> bool:
        scope = self.context["request"].auth
        return job_seeker.referred_by_partner_id == getattr(scope, "partner_id", None)


class JobSeekerWriteSerializer(StrictTypes, serializers.ModelSerializer):
    """What staff send to create or change a job seeker (crm.services.JobSeekerFields);
    `specialist_id` assigns the person (to staff the caller may assign to): required
    to create one (program admins carry no caseload of their own), optional to change."""

    specialist_id = serializers.IntegerField(
        min_value=1,
        help_text="The specialist whose caseload the person is on: yourself, or staff you may assign to.",
    )

    class Meta:
        model = JobSeeker
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "postcode",
            "town",
            "referral_date",
            "enrolment_date",
            "referral_source",
            "receives_benefits",
            "disclosure_preference",
            "in_education",
            "specialist_id",
        ]


class ReferralSerializer(StrictTypes, serializers.ModelSerializer):
    """A partner's referral (crm.services.ReferralFields); `referral_date` defaults to
    today in the program's time zone."""

    class Meta:
        model = JobSeeker
        fields = [*REFERRAL_FIELDS, "receives_benefits"]
        extra_kwargs = {"referral_date": {"required": False}}


class CareerProfileSerializer(StrictTypes, serializers.ModelSerializer):
    """What the person wants and brings (staff only: coping strategies are health details)."""

    class Meta:
        model = CareerProfile
        fields = [*CareerProfileFields.__annotations__, "updated_at"]
        read_only_fields = ["updated_at"]


class JobPreferenceSerializer(StrictTypes, serializers.ModelSerializer):
    """The job the person wants (IPS principle 4). Job types and industries by id
    (ISCO-08 and NACE Rev. 2 classifications)."""

    job_types = serializers.PrimaryKeyRelatedField(many=True, queryset=JobType.objects.all(), required=False)
    industries = serializers.PrimaryKeyRelatedField(many=True, queryset=Industry.objects.all(), required=False)
    avoid_job_types = serializers.PrimaryKeyRelatedField(many=True, queryset=JobType.objects.all(), required=False)
    avoid_industries = serializers.PrimaryKeyRelatedField(many=True, queryset=Industry.objects.all(), required=False)
    days = serializers.ListField(child=serializers.ChoiceField(choices=Weekday.choices), required=False)
    shifts = serializers.ListField(child=serializers.ChoiceField(choices=Shift.choices), required=False)

    class Meta:
        model = JobPreference
        fields = [
            "job_types",
            "industries",
            "avoid_job_types",
            "avoid_industries",
            "min_hours_per_week",
            "max_hours_per_week",
            "days",
            "shifts",
            "places",
            "max_travel_minutes",
            "max_distance_km",
            "min_hourly_pay",
            "things_to_avoid",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class EventSerializer(serializers.ModelSerializer):
    """A domain event: its topic, when, what it is about, and its facts (ids and
    values that changed, never notes; for partners, no staff ids either)."""

    payload = serializers.SerializerMethodField()

    class Meta:
        model = OutboxEvent
        fields = ["id", "topic", "payload_version", "aggregate_type", "aggregate_id", "occurred_at", "payload"]
        read_only_fields = fields

    def get_payload(self, event) -> dict:
        from integrations.api.events import external_payload

        return external_payload(event, self.context["request"].auth)


class TombstoneSerializer(serializers.Serializer):
    resource_type = serializers.CharField(help_text="job_seeker, placement, support_task, benefits_step, ...")
    object_id = serializers.IntegerField()
    job_seeker_id = serializers.IntegerField(allow_null=True)
    reason = serializers.ChoiceField(choices=["deleted", "consent_withdrawn", "consent_expired"])
    happened_at = serializers.DateTimeField()
    lost = serializers.ListField(
        child=serializers.ChoiceField(choices=["job_seeker", "progress", "support", "benefits"]),
        help_text="For a consent lost: what the partner no longer sees of the person (empty for a deletion).",
    )
