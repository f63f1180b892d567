"""/api/v1/job-seekers/ (with the career profile and preferences under each) and
/api/v1/referrals/.

Staff read and write the job seekers of their UI scope through crm.services (the same
validation, events and audit history as the app). A partner key with
`jobseekers:read` reads the people it referred or holds a consent in force about, the
referral's fields only; with `referrals:write` it refers people. The career profile
and the preferences are staff only."""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from crm import services
from crm.access import PartnerScope
from crm.models import CareerProfile, JobPreference, JobSeeker

from ..base import STAFF_ONLY, ScopedViewSet
from ..disclosure import PartnerFilterSet, consent_changed
from ..filters import IdFilter
from ..grants import JOBSEEKERS_READ, REFERRALS_WRITE
from ..serializers.jobseekers import (
    CareerProfileSerializer,
    JobPreferenceSerializer,
    JobSeekerSerializer,
    JobSeekerWriteSerializer,
    PartnerJobSeekerSerializer,
    ReferralSerializer,
)
from .headers import IDEMPOTENCY_KEY, IF_MATCH

STAFF_EXAMPLE = {
    "id": 42,
    "first_name": "Nadia",
    "last_name": "Benali",
    "email": "nadia.benali@example.org",
    "phone": "+33 6 12 34 56 78",
    "address": "12 rue de la République",
    "postcode": "13001",
    "town": "Marseille",
    "referral_date": "2026-11-02",
    "enrolment_date": "2026-11-09",
    "referral_source": "mental_health_team",
    "status": "job_search",
    "receives_benefits": "yes",
    "disclosure_preference": "partial",
    "disclosure_discussed_on": "2026-11-09",
    "in_education": False,
    "specialist_id": 7,
    "referred_by_partner_id": 3,
    "job_search_since": "2026-11-09",
    "first_employer_contact_on": None,
    "created_at": "2026-11-02T09:14:00Z",
    "updated_at": "2026-11-20T16:02:11.482913Z",
}
PARTNER_EXAMPLE = {
    "id": 42,
    "first_name": "Nadia",
    "last_name": "Benali",
    "email": "nadia.benali@example.org",
    "phone": "+33 6 12 34 56 78",
    "address": "12 rue de la République",
    "postcode": "13001",
    "town": "Marseille",
    "referral_date": "2026-11-02",
    "receives_benefits": "yes",
    "referred_by_you": True,
    "updated_at": "2026-11-20T16:02:11.482913Z",
}
PROFILE_EXAMPLE = {
    "work_goal": "Work in a bakery, mornings",
    "work_history": "Two years as a kitchen assistant",
    "education": "CAP boulanger (2015)",
    "interests": "Baking, cycling",
    "strengths": "Reliable, precise",
    "skills": "Food hygiene certificate",
    "coping_strategies": "Short breaks when the shop is busy",
    "networking_contacts": "Uncle runs a café in Aubagne",
    "updated_at": "2026-11-20T16:02:11.482913Z",
}
PREFERENCE_EXAMPLE = {
    "job_types": [12],
    "industries": [3],
    "avoid_job_types": [],
    "avoid_industries": [],
    "min_hours_per_week": 15,
    "max_hours_per_week": 25,
    "days": ["mon", "tue", "wed"],
    "shifts": ["morning"],
    "places": "Marseille centre",
    "max_travel_minutes": 40,
    "max_distance_km": None,
    "min_hourly_pay": "11.88",
    "things_to_avoid": "Night work",
    "updated_at": "2026-11-20T16:02:11.482913Z",
}


# Staff read the whole record, partners the referral's fields: one or the other.
JOB_SEEKER_FOR_CALLER = PolymorphicProxySerializer(
    component_name="JobSeekerForCaller",
    serializers=[JobSeekerSerializer, PartnerJobSeekerSerializer],
    resource_type_field_name=None,
)


class JobSeekerFilter(PartnerFilterSet):
    """Partners: only the referral date (what their record shows); the others are
    ignored for them (they tell status, caseload and enrolment: job progress)."""

    partner_serializer = PartnerJobSeekerSerializer
    status = django_filters.ChoiceFilter(
        choices=JobSeeker.Status.choices, help_text=gettext_lazy("Job seeker status (staff).")
    )
    specialist = IdFilter(field_name="specialist_id", help_text=gettext_lazy("Specialist's user id (staff)."))
    referral_date_after = django_filters.DateFilter(field_name="referral_date", lookup_expr="gte")
    referral_date_before = django_filters.DateFilter(field_name="referral_date", lookup_expr="lte")
    enrolment_date_after = django_filters.DateFilter(
        field_name="enrolment_date", lookup_expr="gte", help_text=gettext_lazy("Enrolled on or after (staff).")
    )
    enrolment_date_before = django_filters.DateFilter(
        field_name="enrolment_date", lookup_expr="lte", help_text=gettext_lazy("Enrolled on or before (staff).")
    )

    class Meta:
        model = JobSeeker
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="List job seekers",
        description="Staff: the job seekers of their scope, as in the app. Partners (`jobseekers:read`): the people "
        "they referred or hold a consent in force about, referral fields only (`receives_benefits` null unless a "
        "consent covering benefits shares it); of the filters, only `referral_date_*` (the others are ignored for "
        "partner keys). Paged by (updated_at, id) for "
        "incremental sync; for a partner a newly recorded consent counts as a change.",
        responses={200: JOB_SEEKER_FOR_CALLER},
        examples=[
            OpenApiExample("As staff", value=STAFF_EXAMPLE, response_only=True),
            OpenApiExample("As a partner", value=PARTNER_EXAMPLE, response_only=True),
        ],
    ),
    retrieve=extend_schema(
        summary="Read a job seeker",
        responses={200: JOB_SEEKER_FOR_CALLER},
        examples=[
            OpenApiExample("As staff", value=STAFF_EXAMPLE, response_only=True),
            OpenApiExample("As a partner", value=PARTNER_EXAMPLE, response_only=True),
        ],
    ),
    create=extend_schema(
        summary="Add a job seeker (staff)",
        request=JobSeekerWriteSerializer,
        responses={201: JobSeekerSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "New job seeker",
                value={"first_name": "Nadia", "last_name": "Benali", "referral_date": "2026-11-02", "specialist_id": 7},
                request_only=True,
            ),
            OpenApiExample("Created", value=STAFF_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a job seeker (staff)",
        request=JobSeekerWriteSerializer,
        responses={200: JobSeekerSerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("New phone", value={"phone": "+33 6 98 76 54 32"}, request_only=True),
            OpenApiExample("Changed", value=STAFF_EXAMPLE, response_only=True),
        ],
    ),
)
class JobSeekerViewSet(ScopedViewSet):
    grants = {
        "read": JOBSEEKERS_READ,
        "write": STAFF_ONLY,
        "career_profile": STAFF_ONLY,
        "preferences": STAFF_ONLY,
    }
    serializer_class = JobSeekerSerializer
    write_serializer_class = JobSeekerWriteSerializer
    error_field_names = {"specialist": "specialist_id"}
    filterset_class = JobSeekerFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    @property
    def sync_field(self) -> str:
        return "sync_at" if isinstance(self.scope, PartnerScope) else "updated_at"

    def visible(self, scope):
        people = JobSeeker.objects.filter(scope.caseload())
        if isinstance(scope, PartnerScope):
            # A consent recorded (or withdrawn) makes the person new to this partner's sync.
            changed = consent_changed(scope, "pk")
            benefits = JobSeeker.objects.filter(scope.caseload(shared="benefits"), pk=OuterRef("pk"))
            people = people.annotate(
                sync_at=Greatest("updated_at", Coalesce(changed, "updated_at")), benefits_shared=Exists(benefits)
            )
        return people

    def get_serializer_class(self):
        if isinstance(getattr(self.request, "auth", None), PartnerScope):
            return PartnerJobSeekerSerializer
        return JobSeekerSerializer

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())

    def create(self, request):
        data = self.validated_input()
        specialist_id = data.pop("specialist_id")
        job_seeker = services.job_seeker_create(scope=self.scope, specialist_id=specialist_id, details=data)
        location = reverse("api:job-seeker-detail", kwargs={"pk": job_seeker.pk})
        return self.respond(job_seeker, status=201, headers={"Location": location})

    def partial_update(self, request, pk=None):
        data = self.validated_input(partial=True)
        specialist_id = data.pop("specialist_id", None)
        job_seeker = self.locked_write(
            lambda row: services.job_seeker_update(
                scope=self.scope, job_seeker_id=row.pk, details=data, specialist_id=specialist_id
            )
        )
        return self.respond(job_seeker)

    # Career profile and preferences (staff only) --------------------------------------

    def _nested(self, model, serializer_class, argument: str):
        """GET or PATCH the job seeker's one `model` row (a career profile, preferences),
        written through job_seeker_update(`argument`=...) under If-Match."""

        def row_of(job_seeker):
            return model.objects.filter(job_seeker=job_seeker).first() or model(job_seeker=job_seeker)

        job_seeker = self.get_object()
        if self.request.method == "GET":
            return Response(self._nested_data(row_of(job_seeker), serializer_class))
        serializer = serializer_class(data=self.request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with transaction.atomic():
            job_seeker = self.get_object_for_write()
            self.check_if_match_data(self._nested_data(row_of(job_seeker), serializer_class))
            if data:
                services.job_seeker_update(scope=self.scope, job_seeker_id=job_seeker.pk, **{argument: data})
        return Response(self._nested_data(row_of(job_seeker), serializer_class))

    def _nested_data(self, row, serializer_class) -> dict:
        return serializer_class(row, context=self.get_serializer_context()).data

    @extend_schema(
        methods=["GET"],
        summary="Read a job seeker's career profile (staff)",
        responses={200: CareerProfileSerializer},
        examples=[OpenApiExample("Career profile", value=PROFILE_EXAMPLE, response_only=True)],
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Change a job seeker's career profile (staff)",
        request=CareerProfileSerializer,
        responses={200: CareerProfileSerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("New goal", value={"work_goal": "Work in a bakery, mornings"}, request_only=True),
            OpenApiExample("Changed", value=PROFILE_EXAMPLE, response_only=True),
        ],
    )
    @action(detail=True, methods=["get", "patch"], url_path="career-profile", url_name="career-profile")
    def career_profile(self, request, pk=None):
        return self._nested(CareerProfile, CareerProfileSerializer, "profile")

    @extend_schema(
        methods=["GET"],
        summary="Read a job seeker's job preferences (staff)",
        responses={200: JobPreferenceSerializer},
        examples=[OpenApiExample("Preferences", value=PREFERENCE_EXAMPLE, response_only=True)],
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Change a job seeker's job preferences (staff)",
        request=JobPreferenceSerializer,
        responses={200: JobPreferenceSerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("Mornings only", value={"shifts": ["morning"]}, request_only=True),
            OpenApiExample("Changed", value=PREFERENCE_EXAMPLE, response_only=True),
        ],
    )
    @action(detail=True, methods=["get", "patch"], url_path="preferences", url_name="preferences")
    def preferences(self, request, pk=None):
        return self._nested(JobPreference, JobPreferenceSerializer, "preference")


class ReferralViewSet(ScopedViewSet):
    """Partners refer people here; staff add job seekers at /api/v1/job-seekers/."""

    grants = {"create": REFERRALS_WRITE}
    serializer_class = PartnerJobSeekerSerializer
    write_serializer_class = ReferralSerializer
    model = JobSeeker

    def visible(self, scope):
        return JobSeeker.objects.filter(scope.caseload())

    @extend_schema(
        summary="Refer a person to the program (partners)",
        description="Every referral is taken (IPS: nobody is screened out). The person joins the caseload of the "
        "staff member the program named for your referrals; you see them at /api/v1/job-seekers/ from then on.",
        request=ReferralSerializer,
        responses={201: PartnerJobSeekerSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "A referral",
                value={
                    "first_name": "Nadia",
                    "last_name": "Benali",
                    "email": "nadia.benali@example.org",
                    "phone": "+33 6 12 34 56 78",
                    "town": "Marseille",
                    "receives_benefits": "yes",
                },
                request_only=True,
            ),
            OpenApiExample("Referred", value=PARTNER_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    def create(self, request):
        if not isinstance(self.scope, PartnerScope):
            raise exceptions.PermissionDenied(
                _("Referrals are made by partner organisations; staff add job seekers at /api/v1/job-seekers/.")
            )
        data = self.validated_input()
        job_seeker = services.job_seeker_refer(scope=self.scope, details=data)
        location = reverse("api:job-seeker-detail", kwargs={"pk": job_seeker.pk})
        return self.respond(job_seeker, status=201, headers={"Location": location})


ROUTES = [
    ("job-seekers", JobSeekerViewSet, "job-seeker"),
    ("referrals", ReferralViewSet, "referral"),
]
