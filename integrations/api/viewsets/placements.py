"""/api/v1/placements/ (with their milestones), /support-tasks/, /accommodations/ and
/benefits-steps/.

Staff read the rows of their UI scope and act through placements.services, with the
same rules, events and audit history as the app; the actions on one row take
If-Match. A partner key reads under a consent covering what the rows tell
(`placements:read` and progress; `support:read` and support; `benefits:read` and
benefits) and moves on the benefits steps assigned to it (`benefits:write`); what may
reveal health or was written for the team is never in its responses
(serializers/placements.py).

Lists page by (sync_at, id): a row's `updated_at`, or later when something it shows
changed without touching it (a milestone reached) or, for a partner, when a consent
about the person was recorded or changed, so an incremental sync meets rows that
became visible to it."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action

from crm.access import PartnerScope
from crm.models import JobSeeker
from employers.selectors import employer_sites_visible, employers_visible
from placements import services
from placements.models import Accommodation, BenefitsStep, Placement, PlacementMilestone, SupportTask
from placements.selectors import (
    accommodations_visible,
    benefits_steps_visible,
    placements_editable,
    placements_visible,
    support_tasks_visible,
)

from ..base import STAFF_ONLY, ScopedViewSet
from ..disclosure import PartnerFilterSet, consent_changed
from ..filters import IdFilter, IsoDateFilter
from ..grants import BENEFITS_READ, BENEFITS_WRITE, PLACEMENTS_READ, SUPPORT_READ
from ..serializers.placements import (
    AccommodationAdvanceSerializer,
    AccommodationCreateSerializer,
    AccommodationSerializer,
    BenefitsStepAdvanceSerializer,
    BenefitsStepAssignSerializer,
    BenefitsStepCreateSerializer,
    BenefitsStepSerializer,
    PlacementEndSerializer,
    PlacementOfferSerializer,
    PlacementSerializer,
    PlacementStartSerializer,
    PlacementTermsSerializer,
    SupportTaskCompleteSerializer,
    SupportTaskScheduleSerializer,
    SupportTaskSerializer,
)
from .headers import IDEMPOTENCY_KEY, IF_MATCH

ON_ONE = [IF_MATCH, IDEMPOTENCY_KEY]

MILESTONES_EXAMPLE = [
    {"name": "day_3", "due_date": "2026-11-05", "reached_at": "2026-11-05T06:00:02Z", "still_working": True},
    {"name": "week_1", "due_date": "2026-11-09", "reached_at": "2026-11-09T06:00:01Z", "still_working": True},
    {"name": "day_30", "due_date": "2026-12-02", "reached_at": None, "still_working": None},
    {"name": "day_90", "due_date": "2027-01-31", "reached_at": None, "still_working": None},
    {"name": "day_182", "due_date": "2027-05-03", "reached_at": None, "still_working": None},
    {"name": "day_365", "due_date": "2027-11-02", "reached_at": None, "still_working": None},
]
PLACEMENT_EXAMPLE = {
    "id": 77,
    "job_seeker": 42,
    "specialist": {"id": 7, "name": "Sam Durand"},
    "employer": {"id": 12, "name": "Boulangerie du Port"},
    "site": 31,
    "job_title": "Kitchen helper",
    "job_type": "kitchen_helper",
    "hours_per_week": "20.0",
    "hourly_pay": "12.00",
    "is_competitive": True,
    "term": "permanent",
    "offer_date": "2026-10-26",
    "expected_start_date": "2026-11-02",
    "start_date": "2026-11-02",
    "end_date": None,
    "status": "active",
    "end_reason": "",
    "milestones": MILESTONES_EXAMPLE,
    "created_at": "2026-10-26T15:00:00Z",
    "updated_at": "2026-11-02T08:00:00Z",
}
PARTNER_PLACEMENT_EXAMPLE = {**PLACEMENT_EXAMPLE, "specialist": None, "employer": None, "site": None}
ENDED_PARTNER_EXAMPLE = {
    **PARTNER_PLACEMENT_EXAMPLE,
    "status": "ended",
    "end_date": "2026-11-27",
    "end_reason": "quit",
    "milestones": MILESTONES_EXAMPLE[:2],
}
TASK_EXAMPLE = {
    "id": 301,
    "job_seeker": 42,
    "placement": 77,
    "kind": "follow_along",
    "title": "Follow-along contact with Nadia Benali",
    "status": "open",
    "due_date": "2026-12-01",
    "due_time": "10:00:00",
    "duration_minutes": 60,
    "owner": {"id": 7, "name": "Sam Durand"},
    "accommodation": None,
    "benefits_step": None,
    "completed_on": None,
    "completion_mode": "",
    "place": "",
    "support_type": "",
    "given_by": "",
    "completion_note": "",
    "cancel_reason": "",
    "cancelled_on": None,
    "sequence": 1,
    "created_at": "2026-11-24T10:00:00Z",
    "updated_at": "2026-11-25T09:00:00Z",
}
PARTNER_TASK_EXAMPLE = {
    **TASK_EXAMPLE,
    "title": "Follow-along contact",
    "owner": None,
    "support_type": None,
    "given_by": None,
    "completion_note": None,
    "cancel_reason": None,
}
DONE_TASK_EXAMPLE = {
    **TASK_EXAMPLE,
    "status": "done",
    "completed_on": "2026-11-30",
    "completion_mode": "in_person",
    "place": "workplace",
    "support_type": "on_the_job",
    "given_by": "specialist",
    "completion_note": "All well",
    "sequence": 2,
}
ACCOMMODATION_EXAMPLE = {
    "id": 15,
    "placement": 77,
    "job_seeker": 42,
    "status": "requested",
    "description": "A quiet corner for breaks",
    "worker_consents_to_disclosure": True,
    "note": "The manager agreed to look into it",
    "updated_at": "2026-11-20T10:00:00Z",
}
PARTNER_ACCOMMODATION_EXAMPLE = {
    **ACCOMMODATION_EXAMPLE,
    "description": None,
    "worker_consents_to_disclosure": None,
    "note": None,
}
STEP_EXAMPLE = {
    "id": 9,
    "job_seeker": 42,
    "placement": 77,
    "reason": "before_start",
    "status": "referred",
    "offered_on": "2026-10-27",
    "counsellor": 3,
    "note": "Appointment booked",
    "updated_at": "2026-11-20T10:00:00Z",
}
PARTNER_STEP_EXAMPLE = {**STEP_EXAMPLE, "note": None}


# Sync order ---------------------------------------------------------------------------


def with_sync_at(queryset, scope, job_seeker_path: str, *also):
    """Annotate `sync_at`: the row's updated_at, or the latest of `also` (subqueries of
    instants that change what the row shows) and, for a partner, of its consents about
    the person. Coalesce keeps a NULL from making the whole GREATEST NULL on SQLite."""
    parts = list(also)
    if isinstance(scope, PartnerScope):
        parts.append(consent_changed(scope, job_seeker_path))
    if not parts:
        return queryset.annotate(sync_at=F("updated_at"))
    return queryset.annotate(sync_at=Greatest("updated_at", *(Coalesce(part, "updated_at") for part in parts)))


class SyncedViewSet(ScopedViewSet):
    sync_field = "sync_at"

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())

    def _fresh(self, pk: int):
        return self.scope.get(self.get_queryset(), pk=pk)

    def _act(self, apply):
        """An action on one row: the input, then `apply(row, data)` under lock with
        If-Match checked; answers the row as it now is."""
        data = self.validated_input()
        row = self.locked_write(lambda locked: apply(locked, data))
        return self.respond(self._fresh(row.pk))

    def _created(self, row, route: str):
        location = reverse(f"api:{route}-detail", kwargs={"pk": row.pk})
        return self.respond(self._fresh(row.pk), status=201, headers={"Location": location})


def _require(queryset, pk: int, field: str, message: str) -> None:
    """A row named in the body that the caller may not use: an error on that field."""
    if not queryset.filter(pk=pk).exists():
        raise ValidationError({field: message})


# Placements ---------------------------------------------------------------------------


class PlacementFilter(PartnerFilterSet):
    """Partners: only the filters on what they read (not employer nor specialist)."""

    partner_serializer = PlacementSerializer
    status = django_filters.MultipleChoiceFilter(choices=Placement.Status.choices)
    job_seeker = IdFilter(field_name="job_seeker_id", help_text=gettext_lazy("Job seeker id."))
    employer = IdFilter(field_name="employer_id", help_text=gettext_lazy("Employer id (staff)."))
    specialist = IdFilter(
        field_name="job_seeker__specialist_id",
        help_text=gettext_lazy("The job seeker's specialist, a user id (staff)."),
    )
    offer_date_after = IsoDateFilter(field_name="offer_date", lookup_expr="gte")
    offer_date_before = IsoDateFilter(field_name="offer_date", lookup_expr="lte")
    start_date_after = IsoDateFilter(field_name="start_date", lookup_expr="gte")
    start_date_before = IsoDateFilter(field_name="start_date", lookup_expr="lte")
    end_date_after = IsoDateFilter(field_name="end_date", lookup_expr="gte")
    end_date_before = IsoDateFilter(field_name="end_date", lookup_expr="lte")

    class Meta:
        model = Placement
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="List placements with their milestones",
        description="Staff: the placements of their scope. Partners (`placements:read`): those of people whose "
        "consent to share with them covers job progress; no employer, site or specialist, and every quit reads "
        "`quit`.",
        examples=[
            OpenApiExample("As staff", value=PLACEMENT_EXAMPLE, response_only=True),
            OpenApiExample("As a partner", value=ENDED_PARTNER_EXAMPLE, response_only=True),
        ],
    ),
    retrieve=extend_schema(
        summary="Read a placement with its milestones",
        examples=[
            OpenApiExample("As staff", value=PLACEMENT_EXAMPLE, response_only=True),
            OpenApiExample("As a partner", value=PARTNER_PLACEMENT_EXAMPLE, response_only=True),
        ],
    ),
    create=extend_schema(
        summary="Record a job offer the job seeker accepted (staff)",
        description="The placement begins here; emits `placement.offer_accepted`. Whether the job is competitive "
        "(`is_competitive`) and whether it is permanent or temporary (`term`) are required: asked on every job, "
        "never assumed (400 on the field when missing).",
        request=PlacementOfferSerializer,
        responses={201: PlacementSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "An offer",
                value={
                    "job_seeker": 42,
                    "employer": 12,
                    "site": 31,
                    "job_title": "Kitchen helper",
                    "job_type": "kitchen_helper",
                    "hours_per_week": "20.0",
                    "hourly_pay": "12.00",
                    "is_competitive": True,
                    "term": "permanent",
                    "offer_date": "2026-10-26",
                    "expected_start_date": "2026-11-02",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Accepted",
                value={**PLACEMENT_EXAMPLE, "status": "offer_accepted", "start_date": None, "milestones": []},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    ),
)
class PlacementViewSet(SyncedViewSet):
    grants = {"read": PLACEMENTS_READ, "write": STAFF_ONLY}
    serializer_class = PlacementSerializer
    write_serializer_class = PlacementOfferSerializer
    filterset_class = PlacementFilter
    http_method_names = ["get", "post", "head", "options"]

    def visible(self, scope):
        reached = Subquery(
            PlacementMilestone.objects.filter(placement_id=OuterRef("pk"), reached_at__isnull=False)
            .order_by("-reached_at")
            .values("reached_at")[:1]
        )
        placements = (
            placements_visible(scope)
            .select_related("job_seeker__specialist")
            .prefetch_related(Prefetch("milestones", queryset=PlacementMilestone.objects.order_by("due_date", "id")))
        )
        return with_sync_at(placements, scope, "job_seeker_id", reached)

    def get_write_serializer_class(self):
        return {
            "start": PlacementStartSerializer,
            "change_terms": PlacementTermsSerializer,
            "end": PlacementEndSerializer,
        }.get(self.action, PlacementOfferSerializer)

    def create(self, request):
        serializer = self.get_write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _require(
            self.scope.job_seekers(edit=True),
            data["job_seeker"],
            "job_seeker",
            _("Choose a job seeker of your own caseload."),
        )
        _require(
            employers_visible(self.scope), data["employer"], "employer", _("Choose one of your program's employers.")
        )
        if data.get("site") is not None:
            _require(
                employer_sites_visible(self.scope).filter(employer_id=data["employer"]),
                data["site"],
                "site",
                _("This site belongs to another employer."),
            )
        placement = services.placement_offer_accept(
            scope=self.scope, job_seeker_id=data["job_seeker"], employer_id=data["employer"], offer=serializer.offer()
        )
        return self._created(placement, "placement")

    @extend_schema(
        summary="Record that the job started (staff)",
        description="The job seeker is working; the milestones are set; emits `placement.started`.",
        request=PlacementStartSerializer,
        responses={200: PlacementSerializer},
        parameters=ON_ONE,
        examples=[
            OpenApiExample("Start", value={"start_date": "2026-11-02"}, request_only=True),
            OpenApiExample("Started", value=PLACEMENT_EXAMPLE, response_only=True),
        ],
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._act(
            lambda row, data: services.placement_start(
                scope=self.scope, placement_id=row.pk, start_date=data["start_date"]
            )
        )

    @extend_schema(
        summary="Change the hours or pay (staff)",
        description="Emits `placement.terms_changed` (a benefits re-check is offered). A known value cannot be "
        "emptied.",
        request=PlacementTermsSerializer,
        responses={200: PlacementSerializer},
        parameters=ON_ONE,
        examples=[
            OpenApiExample(
                "More hours",
                value={"hours_per_week": "24.0", "hourly_pay": "12.00", "effective_on": "2026-12-01"},
                request_only=True,
            ),
            OpenApiExample("Changed", value={**PLACEMENT_EXAMPLE, "hours_per_week": "24.0"}, response_only=True),
        ],
    )
    @action(detail=True, methods=["post"], url_path="change-terms", url_name="change-terms")
    def change_terms(self, request, pk=None):
        return self._act(
            lambda row, data: services.placement_change_terms(
                scope=self.scope,
                placement_id=row.pk,
                hours_per_week=data["hours_per_week"],
                hourly_pay=data["hourly_pay"],
                effective_on=data["effective_on"],
            )
        )

    @extend_schema(
        summary="Record that the job ended (staff)",
        description="Emits `placement.ended` (a face-to-face contact and the job-end report are planned, "
        "follow-along ends, the job search starts again).",
        request=PlacementEndSerializer,
        responses={200: PlacementSerializer},
        parameters=ON_ONE,
        examples=[
            OpenApiExample("End", value={"end_date": "2026-11-27", "end_reason": "quit_other"}, request_only=True),
            OpenApiExample(
                "Ended",
                value={**PLACEMENT_EXAMPLE, "status": "ended", "end_date": "2026-11-27", "end_reason": "quit_other"},
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self._act(
            lambda row, data: services.placement_end(
                scope=self.scope, placement_id=row.pk, end_date=data["end_date"], end_reason=data["end_reason"]
            )
        )


# Support tasks ------------------------------------------------------------------------


class SupportTaskFilter(PartnerFilterSet):
    partner_serializer = SupportTaskSerializer
    status = django_filters.MultipleChoiceFilter(choices=SupportTask.Status.choices)
    kind = django_filters.MultipleChoiceFilter(choices=SupportTask.Kind.choices)
    job_seeker = IdFilter(field_name="job_seeker_id", help_text=gettext_lazy("Job seeker id."))
    placement = IdFilter(field_name="placement_id", help_text=gettext_lazy("Placement id."))
    specialist = IdFilter(field_name="owner_id", help_text=gettext_lazy("The task's owner, a user id (staff)."))
    due_date_after = IsoDateFilter(field_name="due_date", lookup_expr="gte")
    due_date_before = IsoDateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = SupportTask
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="List support tasks",
        description="Staff: the tasks of their scope. Partners (`support:read`): those of people whose consent to "
        "share with them covers follow-along support, and of the kinds it covers (follow-along contacts, "
        "retention checks, step-down reviews, workplace adjustments), titled by their kind, with no owner, "
        "benefits step, note or cancel reason.",
        examples=[
            OpenApiExample("As staff", value=TASK_EXAMPLE, response_only=True),
            OpenApiExample("As a partner", value=PARTNER_TASK_EXAMPLE, response_only=True),
        ],
    ),
    retrieve=extend_schema(
        summary="Read a support task",
        examples=[
            OpenApiExample("As staff", value=TASK_EXAMPLE, response_only=True),
            OpenApiExample("As a partner", value=PARTNER_TASK_EXAMPLE, response_only=True),
        ],
    ),
)
class SupportTaskViewSet(SyncedViewSet):
    grants = {"read": SUPPORT_READ, "write": STAFF_ONLY}
    serializer_class = SupportTaskSerializer
    filterset_class = SupportTaskFilter
    http_method_names = ["get", "post", "head", "options"]

    def visible(self, scope):
        return with_sync_at(support_tasks_visible(scope), scope, "job_seeker_id")

    def get_write_serializer_class(self):
        return SupportTaskScheduleSerializer if self.action == "schedule" else SupportTaskCompleteSerializer

    @extend_schema(
        summary="Complete a support task (staff)",
        description="A follow-along contact done brings the next one, by the plan's rhythm; it needs "
        "`support_type` (and `given_by`, when someone other than the specialist gave the support). `place` says "
        "where an in-person contact took place. Completing the hand-over task of a step-down the worker agreed to "
        "completes the step-down: follow-along ends and the person leaves the active caseload (status `closed`).",
        request=SupportTaskCompleteSerializer,
        responses={200: SupportTaskSerializer},
        parameters=ON_ONE,
        examples=[
            OpenApiExample(
                "A follow-along contact at work",
                value={
                    "completed_on": "2026-11-30",
                    "completion_mode": "in_person",
                    "place": "workplace",
                    "support_type": "on_the_job",
                    "given_by": "specialist",
                    "completion_note": "All well",
                },
                request_only=True,
            ),
            OpenApiExample("Completed", value=DONE_TASK_EXAMPLE, response_only=True),
        ],
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(
            lambda row, data: services.support_task_complete(
                scope=self.scope, task_id=row.pk, **SupportTaskCompleteSerializer.completion(data)
            )
        )

    @extend_schema(
        summary="Give a support task an appointment (staff)",
        description="A day, and a time of the program's zone (null: no appointment), for 5 to 720 minutes.",
        request=SupportTaskScheduleSerializer,
        responses={200: SupportTaskSerializer},
        parameters=ON_ONE,
        examples=[
            OpenApiExample(
                "Appointment",
                value={"due_date": "2026-12-01", "due_time": "10:00", "duration_minutes": 45},
                request_only=True,
            ),
            OpenApiExample("Scheduled", value=TASK_EXAMPLE, response_only=True),
        ],
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        return self._act(
            lambda row, data: services.support_task_schedule(
                scope=self.scope,
                task_id=row.pk,
                due_date=data["due_date"],
                due_time=data["due_time"],
                duration_minutes=data["duration_minutes"],
            )
        )


# Accommodations -----------------------------------------------------------------------


class AccommodationFilter(PartnerFilterSet):
    partner_serializer = AccommodationSerializer
    status = django_filters.MultipleChoiceFilter(choices=Accommodation.Status.choices)
    placement = IdFilter(field_name="placement_id", help_text=gettext_lazy("Placement id."))
    job_seeker = IdFilter(field_name="placement__job_seeker_id", help_text=gettext_lazy("Job seeker id."))

    class Meta:
        model = Accommodation
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="List workplace adjustments",
        description="Staff: those of their scope, in full. Partners (`support:read`): those of people whose "
        "consent to share with them covers support, status and dates only (what an adjustment is may reveal "
        "health).",
        examples=[
            OpenApiExample("As staff", value=ACCOMMODATION_EXAMPLE, response_only=True),
            OpenApiExample("As a partner", value=PARTNER_ACCOMMODATION_EXAMPLE, response_only=True),
        ],
    ),
    retrieve=extend_schema(
        summary="Read a workplace adjustment",
        examples=[
            OpenApiExample("As staff", value=ACCOMMODATION_EXAMPLE, response_only=True),
            OpenApiExample("As a partner", value=PARTNER_ACCOMMODATION_EXAMPLE, response_only=True),
        ],
    ),
    create=extend_schema(
        summary="Record a workplace adjustment the worker needs (staff)",
        description="On an accepted or working job; emits `accommodation.status_changed`.",
        request=AccommodationCreateSerializer,
        responses={201: AccommodationSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "New adjustment",
                value={
                    "placement": 77,
                    "description": "A quiet corner for breaks",
                    "worker_consents_to_disclosure": True,
                },
                request_only=True,
            ),
            OpenApiExample(
                "Recorded",
                value={**ACCOMMODATION_EXAMPLE, "status": "identified", "note": ""},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    ),
)
class AccommodationViewSet(SyncedViewSet):
    grants = {"read": SUPPORT_READ, "write": STAFF_ONLY}
    serializer_class = AccommodationSerializer
    write_serializer_class = AccommodationCreateSerializer
    filterset_class = AccommodationFilter
    http_method_names = ["get", "post", "head", "options"]

    def visible(self, scope):
        return with_sync_at(accommodations_visible(scope), scope, "placement__job_seeker_id")

    def get_write_serializer_class(self):
        return AccommodationAdvanceSerializer if self.action == "advance" else AccommodationCreateSerializer

    def get_object_for_write(self):
        # The job seeker first (the services' lock order), then the adjustment.
        instance = self.get_object()
        list(
            JobSeeker.objects.select_for_update()
            .filter(pk=instance.placement.job_seeker_id)
            .values_list("pk", flat=True)
        )
        return self.scope.get_for_update(self.get_queryset(), pk=instance.pk)

    def create(self, request):
        data = self.validated_input()
        _require(
            placements_editable(self.scope), data["placement"], "placement", _("Choose a job of your own caseload.")
        )
        accommodation = services.accommodation_add(
            scope=self.scope,
            placement_id=data["placement"],
            description=data["description"],
            consents=data["worker_consents_to_disclosure"],
        )
        return self._created(accommodation, "accommodation")

    @extend_schema(
        summary="Move a workplace adjustment on (staff)",
        description="To `status`, or to the next step when it is left out; forward only (or `dropped`). It is "
        "requested from the employer only with the worker's consent to disclosure. Emits "
        "`accommodation.status_changed`.",
        request=AccommodationAdvanceSerializer,
        responses={200: AccommodationSerializer},
        parameters=ON_ONE,
        examples=[
            OpenApiExample("Requested", value={"status": "requested", "note": "Asked the manager"}, request_only=True),
            OpenApiExample("Moved on", value=ACCOMMODATION_EXAMPLE, response_only=True),
        ],
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        return self._act(
            lambda row, data: services.accommodation_change_status(
                scope=self.scope,
                accommodation_id=row.pk,
                status=data["status"],
                note=data["note"],
                consents=data["worker_consents_to_disclosure"],
            )
        )


# Benefits-counselling steps -----------------------------------------------------------


class BenefitsStepFilter(PartnerFilterSet):
    partner_serializer = BenefitsStepSerializer
    status = django_filters.MultipleChoiceFilter(choices=BenefitsStep.Status.choices)
    reason = django_filters.MultipleChoiceFilter(choices=BenefitsStep.Reason.choices)
    job_seeker = IdFilter(field_name="job_seeker_id", help_text=gettext_lazy("Job seeker id."))
    placement = IdFilter(field_name="placement_id", help_text=gettext_lazy("Placement id."))
    counsellor = IdFilter(
        field_name="counsellor_id",
        method="filter_counsellor",
        help_text=gettext_lazy(
            "The benefits-counselling partner it is assigned to (id). A partner key matches only its own id."
        ),
    )
    offered_on_after = IsoDateFilter(field_name="offered_on", lookup_expr="gte")
    offered_on_before = IsoDateFilter(field_name="offered_on", lookup_expr="lte")

    class Meta:
        model = BenefitsStep
        fields = []

    def filter_counsellor(self, queryset, name, value):
        if self.is_partner and value != self.request.auth.partner_id:
            return queryset.none()  # whom else a step is assigned to is not this partner's to know
        return queryset.filter(counsellor_id=value)


@extend_schema_view(
    list=extend_schema(
        summary="List benefits-counselling steps",
        description="Staff: those of their scope. Partners (`benefits:read`): those of people whose consent to "
        "share with them covers benefits counselling, without the team's notes.",
        examples=[
            OpenApiExample("As staff", value=STEP_EXAMPLE, response_only=True),
            OpenApiExample("As a partner", value=PARTNER_STEP_EXAMPLE, response_only=True),
        ],
    ),
    retrieve=extend_schema(
        summary="Read a benefits-counselling step",
        examples=[
            OpenApiExample("As staff", value=STEP_EXAMPLE, response_only=True),
            OpenApiExample("As a partner", value=PARTNER_STEP_EXAMPLE, response_only=True),
        ],
    ),
    create=extend_schema(
        summary="Offer work incentives planning (staff)",
        description="About one of the job seeker's jobs or none, assigned to a benefits-counselling partner or "
        "to nobody.",
        request=BenefitsStepCreateSerializer,
        responses={201: BenefitsStepSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "New step",
                value={"job_seeker": 42, "placement": 77, "reason": "before_start", "offered_on": "2026-10-27"},
                request_only=True,
            ),
            OpenApiExample(
                "Offered",
                value={**STEP_EXAMPLE, "status": "offered", "note": "", "counsellor": None},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    ),
)
class BenefitsStepViewSet(SyncedViewSet):
    grants = {"read": BENEFITS_READ, "write": STAFF_ONLY, "advance": BENEFITS_WRITE}
    serializer_class = BenefitsStepSerializer
    write_serializer_class = BenefitsStepCreateSerializer
    filterset_class = BenefitsStepFilter
    http_method_names = ["get", "post", "head", "options"]

    def visible(self, scope):
        return with_sync_at(benefits_steps_visible(scope), scope, "job_seeker_id")

    def get_write_serializer_class(self):
        return {"advance": BenefitsStepAdvanceSerializer, "assign": BenefitsStepAssignSerializer}.get(
            self.action, BenefitsStepCreateSerializer
        )

    def create(self, request):
        data = self.validated_input()
        _require(
            self.scope.job_seekers(edit=True),
            data["job_seeker"],
            "job_seeker",
            _("Choose a job seeker of your own caseload."),
        )
        step = services.benefits_step_create(
            scope=self.scope,
            job_seeker_id=data["job_seeker"],
            placement_id=data["placement"],
            reason=data["reason"],
            offered_on=data["offered_on"],
            counsellor_id=data["counsellor"],
        )
        return self._created(step, "benefits-step")

    @extend_schema(
        summary="Move a benefits-counselling step on",
        description="To `status`, or to the next step when it is left out; forward only (or `declined`); emits "
        "`benefits.step_changed`. Staff: the steps of their caseload. Partners (`benefits:write`): the steps "
        "assigned to them, under a consent covering benefits; others answer 404.",
        request=BenefitsStepAdvanceSerializer,
        responses={200: BenefitsStepSerializer},
        parameters=ON_ONE,
        examples=[
            OpenApiExample("Session held", value={"status": "session_held"}, request_only=True),
            OpenApiExample("Moved on", value={**PARTNER_STEP_EXAMPLE, "status": "session_held"}, response_only=True),
        ],
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        return self._act(
            lambda row, data: services.benefits_step_change_status(
                scope=self.scope, step_id=row.pk, status=data["status"], note=data["note"]
            )
        )

    @extend_schema(
        summary="Assign a benefits-counselling step to a partner (staff)",
        description="With the person's consent covering benefits, that partner may then move the step on.",
        request=BenefitsStepAssignSerializer,
        responses={200: BenefitsStepSerializer},
        parameters=ON_ONE,
        examples=[
            OpenApiExample("Assign", value={"counsellor": 3}, request_only=True),
            OpenApiExample("Assigned", value=STEP_EXAMPLE, response_only=True),
        ],
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._act(
            lambda row, data: services.benefits_step_assign(
                scope=self.scope, step_id=row.pk, counsellor_id=data["counsellor"]
            )
        )


ROUTES = [
    ("placements", PlacementViewSet, "placement"),
    ("support-tasks", SupportTaskViewSet, "support-task"),
    ("accommodations", AccommodationViewSet, "accommodation"),
    ("benefits-steps", BenefitsStepViewSet, "benefits-step"),
]
