"""/api/v1/employers/, with their sites and contact persons (staff only).

Employers are shared across the program, as in the app; partner keys answer 403. An
employer's sites and contact persons are part of its representation and are written
under it (POST /employers/{id}/sites/, PATCH /employers/{id}/sites/{site_id}/, and
the same for contact-persons): those writes take If-Match against the employer's
ETag and answer the employer as it now is. Every write goes through
employers.services with the caller's scope."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework.decorators import action

from employers import services
from employers.models import ContactPerson, Employer, EmployerSite
from employers.selectors import employer_search, employers_visible

from ..base import ScopedViewSet
from ..filters import InstantFilter
from ..serializers.employers import (
    ContactPersonInputSerializer,
    EmployerCreateSerializer,
    EmployerInputSerializer,
    EmployerSerializer,
    EmployerSiteInputSerializer,
)
from .headers import IDEMPOTENCY_KEY, IF_MATCH

SITE_ID = OpenApiParameter("site_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The site's id.")
PERSON_ID = OpenApiParameter(
    "contact_person_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The contact person's id."
)

SITE_EXAMPLE = {
    "id": 31,
    "employer": 12,
    "name": "Vieux-Port shop",
    "address": "3 quai du Port",
    "postcode": "13002",
    "town": "Marseille",
    "coordinates": {"latitude": "43.295000", "longitude": "5.370000"},
}
PERSON_EXAMPLE = {
    "id": 54,
    "employer": 12,
    "site": 31,
    "name": "Claire Martin",
    "role": "Shop manager",
    "has_hiring_authority": True,
    "preferred_channel": "in_person",
    "phone": "+33 4 91 00 00 00",
    "email": "claire.martin@example.com",
}
EMPLOYER_EXAMPLE = {
    "id": 12,
    "name": "Boulangerie du Port",
    "industry": "I",
    "size": "small",
    "relationship_stage": "relationship",
    "website": "https://boulangerie-du-port.example.com",
    "description": "Bakery and café, two shops in the centre.",
    "sites": [SITE_EXAMPLE],
    "contact_persons": [PERSON_EXAMPLE],
    "created_at": "2026-09-14T08:30:00Z",
    "updated_at": "2026-11-20T16:02:11.482913Z",
}
SITE_INPUT = {"name": "Vieux-Port shop", "address": "3 quai du Port", "postcode": "13002", "town": "Marseille"}
PERSON_INPUT = {"name": "Claire Martin", "role": "Shop manager", "site": 31, "has_hiring_authority": True}


class CodesField(forms.Field):
    """Several values of one query parameter (`?industry=I&industry=G`), as given."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        return [str(code) for code in value or ()]


@extend_schema_field({"type": "array", "items": {"type": "string", "minLength": 1, "example": "I"}})
class CodesFilter(django_filters.Filter):
    """Taxonomy entries by code; a code that names none matches nothing."""

    field_class = CodesField

    def filter(self, queryset, value):
        return queryset.filter(**{f"{self.field_name}__in": value}) if value else queryset


class EmployerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", max_length=100, help_text=_("Words found in the name, a site's town or postcode.")
    )
    industry = CodesFilter(field_name="industry__code", help_text=_("NACE Rev. 2 section codes."))
    relationship_stage = django_filters.MultipleChoiceFilter(choices=Employer.RelationshipStage.choices)
    size = django_filters.MultipleChoiceFilter(choices=Employer.Size.choices)
    created_after = InstantFilter(
        field_name="created_at", lookup_expr="gte", help_text=_("Created at or after (ISO 8601).")
    )
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt", help_text=_("Created before (ISO 8601)."))

    class Meta:
        model = Employer
        fields = []

    def search(self, queryset, name, value):
        # The same index-friendly search as the employer list's (employers.selectors).
        return queryset.filter(employer_search(value))


@extend_schema_view(
    list=extend_schema(
        summary="List employers (staff)",
        description="The program's employers, shared by all its staff, with their sites and contact persons. "
        "Partner keys: 403.",
        examples=[OpenApiExample("An employer", value=EMPLOYER_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Read an employer (staff)",
        examples=[OpenApiExample("An employer", value=EMPLOYER_EXAMPLE, response_only=True)],
    ),
    create=extend_schema(
        summary="Add an employer (staff)",
        description="Optionally with its first site and a contact person met there.",
        request=EmployerCreateSerializer,
        responses={201: EmployerSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "New employer",
                value={
                    "name": "Boulangerie du Port",
                    "industry": "I",
                    "size": "small",
                    "site": SITE_INPUT,
                    "contact_person": {"name": "Claire Martin", "role": "Shop manager"},
                },
                request_only=True,
            ),
            OpenApiExample("Created", value=EMPLOYER_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    ),
    partial_update=extend_schema(
        summary="Change an employer (staff)",
        description="A relationship stage set by hand may go back (the relationship starts over).",
        request=EmployerInputSerializer,
        responses={200: EmployerSerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample(
                "New website", value={"website": "https://boulangerie-du-port.example.com"}, request_only=True
            ),
            OpenApiExample("Changed", value=EMPLOYER_EXAMPLE, response_only=True),
        ],
    ),
)
class EmployerViewSet(ScopedViewSet):
    staff_only = True
    serializer_class = EmployerSerializer
    write_serializer_class = EmployerInputSerializer
    filterset_class = EmployerFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def visible(self, scope):
        return employers_visible(scope).prefetch_related(
            Prefetch("sites", queryset=EmployerSite.objects.order_by("town", "id")),
            Prefetch("contact_persons", queryset=ContactPerson.objects.order_by("name", "id")),
        )

    def get_write_serializer_class(self):
        return EmployerCreateSerializer if self.action == "create" else EmployerInputSerializer

    def _fresh(self, employer_id: int) -> Employer:
        return self.scope.get(self.get_queryset(), pk=employer_id)

    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, pk=None):
        return self.respond(self.get_object())

    def create(self, request):
        data = self.validated_input()
        site = data.pop("site", None)
        contact_person = data.pop("contact_person", None)
        stage = data.pop("relationship_stage", None)
        employer = services.employer_create(
            scope=self.scope, details=data, relationship_stage=stage, site=site, contact_person=contact_person
        )
        location = reverse("api:employer-detail", kwargs={"pk": employer.pk})
        return self.respond(self._fresh(employer.pk), status=201, headers={"Location": location})

    def partial_update(self, request, pk=None):
        data = self.validated_input(partial=True)
        stage = data.pop("relationship_stage", None)
        employer = self.locked_write(
            lambda row: services.employer_update(
                scope=self.scope, employer_id=row.pk, details=data, relationship_stage=stage
            )
        )
        return self.respond(self._fresh(employer.pk))

    # Sites and contact persons, under their employer ------------------------------------

    def _part_write(self, serializer_class, save, *, partial: bool, status: int):
        serializer = serializer_class(data=self.request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        employer = self.locked_write(lambda row: save(row, dict(serializer.validated_data)))
        return self.respond(self._fresh(employer.pk), status=status)

    @extend_schema(
        summary="Add a site to an employer (staff)",
        description="Answers the employer with its sites. If-Match: the employer's ETag.",
        request=EmployerSiteInputSerializer,
        responses={201: EmployerSerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("New site", value=SITE_INPUT, request_only=True),
            OpenApiExample("The employer", value=EMPLOYER_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    @action(detail=True, methods=["post"], url_path="sites", url_name="sites")
    def add_site(self, request, pk=None):
        return self._part_write(
            EmployerSiteInputSerializer,
            lambda row, data: services.employer_site_save(scope=self.scope, employer_id=row.pk, details=data).employer,
            partial=False,
            status=201,
        )

    @extend_schema(
        summary="Change an employer's site (staff)",
        description="Answers the employer with its sites. If-Match: the employer's ETag.",
        request=EmployerSiteInputSerializer,
        responses={200: EmployerSerializer},
        parameters=[SITE_ID, IF_MATCH, IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("New postcode", value={"postcode": "13001"}, request_only=True),
            OpenApiExample("The employer", value=EMPLOYER_EXAMPLE, response_only=True),
        ],
    )
    @action(detail=True, methods=["patch"], url_path=r"sites/(?P<site_id>[0-9]+)", url_name="site")
    def change_site(self, request, pk=None, site_id=None):
        return self._part_write(
            EmployerSiteInputSerializer,
            lambda row, data: (
                services.employer_site_save(
                    scope=self.scope, employer_id=row.pk, details=data, site_id=int(site_id)
                ).employer
            ),
            partial=True,
            status=200,
        )

    @extend_schema(
        summary="Add a contact person to an employer (staff)",
        description="Answers the employer with its contact persons. If-Match: the employer's ETag.",
        request=ContactPersonInputSerializer,
        responses={201: EmployerSerializer},
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("New contact person", value=PERSON_INPUT, request_only=True),
            OpenApiExample("The employer", value=EMPLOYER_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    @action(detail=True, methods=["post"], url_path="contact-persons", url_name="contact-persons")
    def add_contact_person(self, request, pk=None):
        return self._part_write(
            ContactPersonInputSerializer,
            lambda row, data: (
                services.contact_person_save(
                    scope=self.scope, employer_id=row.pk, details=_person_fields(row, data)
                ).employer
            ),
            partial=False,
            status=201,
        )

    @extend_schema(
        summary="Change an employer's contact person (staff)",
        description="Answers the employer with its contact persons. If-Match: the employer's ETag.",
        request=ContactPersonInputSerializer,
        responses={200: EmployerSerializer},
        parameters=[PERSON_ID, IF_MATCH, IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("New phone", value={"phone": "+33 4 91 11 11 11"}, request_only=True),
            OpenApiExample("The employer", value=EMPLOYER_EXAMPLE, response_only=True),
        ],
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"contact-persons/(?P<contact_person_id>[0-9]+)",
        url_name="contact-person",
    )
    def change_contact_person(self, request, pk=None, contact_person_id=None):
        return self._part_write(
            ContactPersonInputSerializer,
            lambda row, data: (
                services.contact_person_save(
                    scope=self.scope,
                    employer_id=row.pk,
                    details=_person_fields(row, data),
                    contact_person_id=int(contact_person_id),
                ).employer
            ),
            partial=True,
            status=200,
        )


def _person_fields(employer: Employer, data: dict) -> dict:
    """The site given by id becomes one of the employer's sites, or a field error."""
    if "site" in data and data["site"] is not None:
        site = EmployerSite.objects.filter(pk=data["site"], employer=employer).first()
        if site is None:
            raise ValidationError({"site": _("This site belongs to another employer.")})
        data["site"] = site
    return data


ROUTES = [("employers", EmployerViewSet, "employer")]
