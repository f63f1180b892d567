"""/api/v1/employer-contacts/: the employer contact log (staff only).

Contacts are read across the program, as in the app, so nobody approaches an
employer unaware of a colleague's visit; the job seekers a contact was made for are
named only where the caller may see them. A contact is changed by its specialist,
their team leader or a program admin (jobdev.services locks it through
`scope.staff_work`: anyone else gets 404). Plan and log create contacts for the
caller; reschedule, cancel and hold are actions on one, with If-Match."""

from __future__ import annotations

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action

from jobdev import services
from jobdev.models import EmployerContact
from jobdev.selectors import employer_contacts_visible, with_visible_job_seekers

from ..base import ScopedViewSet
from ..filters import IdFilter, InstantFilter
from ..serializers.jobdev import (
    EmployerContactCancelSerializer,
    EmployerContactHoldSerializer,
    EmployerContactLogSerializer,
    EmployerContactPlanSerializer,
    EmployerContactRescheduleSerializer,
    EmployerContactSerializer,
    ends_at,
)
from .headers import IDEMPOTENCY_KEY, IF_MATCH

CONTACT_EXAMPLE = {
    "id": 88,
    "specialist": {"id": 7, "name": "Sam Durand"},
    "employer": 12,
    "site": 31,
    "contact_person": 54,
    "status": "held",
    "mode": "in_person",
    "nature": "second",
    "purpose": "on_behalf",
    "job_seekers": [42],
    "confirmed": True,
    "starts_at": "2026-11-24T09:00:00Z",
    "ends_at": "2026-11-24T10:00:00Z",
    "met_hiring_authority": True,
    "learned_hiring_needs": "Two kitchen helpers for the spring",
    "learned_job_types": ["kitchen_helper"],
    "learned_hiring_process": "A trial morning, then a short interview",
    "best_time_to_apply": "February",
    "result": "Agreed to meet Nadia",
    "next_step": "Bring Nadia for a trial morning",
    "next_step_on": "2026-12-03",
    "cancel_reason": "",
    "sequence": 1,
    "created_at": "2026-11-20T14:00:00Z",
    "updated_at": "2026-11-24T10:20:00Z",
}
PLANNED_EXAMPLE = {
    **CONTACT_EXAMPLE,
    "status": "planned",
    "nature": "second",
    "met_hiring_authority": None,
    "learned_hiring_needs": "",
    "learned_job_types": [],
    "learned_hiring_process": "",
    "best_time_to_apply": "",
    "result": "",
    "next_step": "Introduce Nadia",
    "next_step_on": None,
    "sequence": 0,
}


class EmployerContactFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=EmployerContact.Status.choices)
    mode = django_filters.MultipleChoiceFilter(choices=EmployerContact.Mode.choices)
    purpose = django_filters.MultipleChoiceFilter(choices=EmployerContact.Purpose.choices)
    specialist = IdFilter(field_name="specialist_id", help_text=_("The specialist's user id."))
    employer = IdFilter(field_name="employer_id", help_text=_("The employer's id."))
    job_seeker = IdFilter(
        method="for_job_seeker", help_text=_("Contacts made for this job seeker (id), among those you may see.")
    )
    starts_after = InstantFilter(
        field_name="starts_at", lookup_expr="gte", help_text=_("Starting at or after (ISO 8601).")
    )
    starts_before = InstantFilter(field_name="starts_at", lookup_expr="lt", help_text=_("Starting before (ISO 8601)."))

    class Meta:
        model = EmployerContact
        fields = []

    def for_job_seeker(self, queryset, name, value):
        scope = self.request.auth
        visible = scope.job_seekers().filter(pk=value).values("pk")
        return queryset.filter(job_seekers__in=visible).distinct()


def _contact_schema(summary: str, request, example: dict, *, description: str = "", status: str = "200"):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={int(status): EmployerContactSerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY] if status == "200" else [IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("Request", value=example, request_only=True),
            OpenApiExample(
                "The contact",
                value=PLANNED_EXAMPLE if status == "201" else CONTACT_EXAMPLE,
                response_only=True,
                status_codes=[status],
            ),
        ],
    )


@extend_schema_view(
    list=extend_schema(
        summary="List employer contacts (staff)",
        description="The program's employer contact log, planned and held, shared by all its staff. Partner keys: 403.",
        examples=[OpenApiExample("A held contact", value=CONTACT_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Read an employer contact (staff)",
        examples=[OpenApiExample("A held contact", value=CONTACT_EXAMPLE, response_only=True)],
    ),
    create=_contact_schema(
        "Plan an employer contact (staff)",
        EmployerContactPlanSerializer,
        {
            "employer": 12,
            "site": 31,
            "starts_at": "2026-12-02T09:00:00+01:00",
            "duration_minutes": 60,
            "mode": "in_person",
            "purpose": "on_behalf",
            "job_seekers": [42],
            "next_step": "Introduce Nadia",
        },
        description="For the caller, on behalf of job seekers of their own caseload (or relationship-building). "
        "Disclosure is talked over with a person before contacting employers on their behalf: for someone whose "
        "disclosure preference is still `undecided` the contact is refused with a 400 `validation` problem naming "
        "them under `errors.job_seekers`, unless `disclosure_confirmed` is true.",
        status="201",
    ),
)
class EmployerContactViewSet(ScopedViewSet):
    staff_only = True
    serializer_class = EmployerContactSerializer
    write_serializer_class = EmployerContactPlanSerializer
    filterset_class = EmployerContactFilter
    http_method_names = ["get", "post", "head", "options"]

    def visible(self, scope):
        return with_visible_job_seekers(employer_contacts_visible(scope), scope).prefetch_related("learned_job_types")

    def get_write_serializer_class(self):
        return {
            "log": EmployerContactLogSerializer,
            "reschedule": EmployerContactRescheduleSerializer,
            "cancel": EmployerContactCancelSerializer,
            "hold": EmployerContactHoldSerializer,
        }.get(self.action, EmployerContactPlanSerializer)

    def _fresh(self, contact_id: int) -> EmployerContact:
        return self.scope.get(self.get_queryset(), pk=contact_id)

    def _created(self, contact: EmployerContact):
        location = reverse("api:employer-contact-detail", kwargs={"pk": contact.pk})
        return self.respond(self._fresh(contact.pk), status=201, headers={"Location": location})

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())

    def create(self, request):
        data = self.validated_input()
        contact = services.employer_contact_plan(
            scope=self.scope,
            employer_id=data["employer"],
            site_id=data.get("site"),
            contact_person_id=data.get("contact_person"),
            starts_at=data["starts_at"],
            ends_at=ends_at(data),
            mode=data["mode"],
            purpose=data["purpose"],
            job_seeker_ids=data.get("job_seekers", []),
            nature=data.get("nature") or None,
            next_step=data.get("next_step", ""),
            confirmed=data["confirmed"],
            disclosure_confirmed=data["disclosure_confirmed"],
        )
        return self._created(contact)

    @_contact_schema(
        "Log an employer contact that happened (staff)",
        EmployerContactLogSerializer,
        {
            "employer": 12,
            "occurred_at": "2026-11-30T11:15:00+01:00",
            "mode": "phone",
            "purpose": "relationship",
            "contact_person": 54,
            "result": "They hire for the spring season in February",
            "next_step": "Call back",
            "next_step_on": "2027-01-25",
        },
        description="A call, an email or a visit not planned here, recorded as held (15 minutes from "
        "`occurred_at`, which is not in the future).",
        status="201",
    )
    @action(detail=False, methods=["post"])
    def log(self, request):
        serializer = self.get_write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = serializer.outcome()
        contact_person_id = outcome.pop("contact_person_id", None)
        contact = services.employer_contact_log(
            scope=self.scope,
            employer_id=data["employer"],
            occurred_at=data["occurred_at"],
            mode=data["mode"],
            purpose=data["purpose"],
            job_seeker_ids=data.get("job_seekers", []),
            contact_person_id=contact_person_id,
            outcome=outcome,
        )
        return self._created(contact)

    @_contact_schema(
        "Reschedule a planned employer contact (staff)",
        EmployerContactRescheduleSerializer,
        {
            "starts_at": "2026-12-03T14:00:00+01:00",
            "duration_minutes": 45,
            "site": 31,
            "contact_person": 54,
            "confirmed": True,
        },
        description="The values given replace the contact's: a site or person left out becomes none.",
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        data = self.validated_input()
        contact = self.locked_write(
            lambda row: services.employer_contact_reschedule(
                scope=self.scope,
                contact_id=row.pk,
                starts_at=data["starts_at"],
                ends_at=ends_at(data),
                site_id=data.get("site"),
                contact_person_id=data.get("contact_person"),
                confirmed=data.get("confirmed"),
            )
        )
        return self.respond(self._fresh(contact.pk))

    @_contact_schema(
        "Cancel a planned employer contact (staff)",
        EmployerContactCancelSerializer,
        {"reason": "The manager is on leave"},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = self.validated_input()
        contact = self.locked_write(
            lambda row: services.employer_contact_cancel(scope=self.scope, contact_id=row.pk, reason=data["reason"])
        )
        return self.respond(self._fresh(contact.pk))

    @_contact_schema(
        "Record that a planned employer contact took place (staff)",
        EmployerContactHoldSerializer,
        {
            "nature": "second",
            "contact_person": 54,
            "met_hiring_authority": True,
            "learned_hiring_needs": "Two kitchen helpers for the spring",
            "learned_job_types": ["kitchen_helper"],
            "result": "Agreed to meet Nadia",
            "next_step": "Bring Nadia for a trial morning",
            "next_step_on": "2026-12-03",
        },
        description="Held (or a no-show, with `no_show`), with what was learned; emits `employer_contact.held`. "
        "A contact that has not begun yet cannot be held.",
    )
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        serializer = self.get_write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = serializer.outcome()
        no_show = serializer.validated_data["no_show"]
        contact = self.locked_write(
            lambda row: services.employer_contact_hold(
                scope=self.scope, contact_id=row.pk, outcome=outcome, no_show=no_show
            )
        )
        return self.respond(self._fresh(contact.pk))


ROUTES = [("employer-contacts", EmployerContactViewSet, "employer-contact")]
