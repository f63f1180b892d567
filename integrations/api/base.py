"""The base of every resource of /api/v1/: `ScopedViewSet`.

How a resource viewset is written
---------------------------------
A viewset is a thin shell over the access scope (crm.access) and the services:

- `grants`: the grant a partner key needs, per action name or for "read" (GET, HEAD,
  OPTIONS) and "write" (everything else); `STAFF_ONLY` as a value, or
  `staff_only = True` on the class, answers 403 "staff only" to partner keys. Staff
  (session or personal token) hold every grant.
- `visible(self, scope) -> QuerySet`: the rows this caller may read, built from the
  scope's building blocks (`scope.caseload("job_seeker__", shared="progress")`...).
  Lists page over it by (updated_at, id) (`sync_field` to page on another column);
  `get_object()` fetches one through `scope.get`, so a row outside it is a 404.
- `serializer_class`: the output (never notes, health details or another partner's
  data); `write_serializer_class` (or `get_write_serializer_class()` per action): a
  small explicit input serializer, with no business rule; mix in
  `integrations.api.strict.StrictTypes` first so a value of the wrong JSON type is a
  400 instead of being coerced. `filterset_class` filters go through
  `filters.StrictFilterBackend` (the default): a non-text filter sent empty is a 400.
- `error_field_names`: a service's ValidationError field -> the API's input name
  ({"specialist": "specialist_id"}).
- Writes call the service with `scope=self.scope` and answer `self.respond(row)`.
  PATCH and DELETE go through `self.locked_write(apply)`, which re-reads the row under
  lock (its job seeker first: the services' lock order) and checks If-Match against
  its current ETag (412) in the same transaction as the service's change.
- Every single-resource response carries a strong ETag (a hash of its JSON);
  Idempotency-Key on POST/PATCH, throttling, problem responses and the language
  (Accept-Language) are handled here for every subclass.
- Give each action an `@extend_schema` with an `OpenApiExample` (the schema test fails
  on any drf-spectacular warning), and register the viewset in your module's
  `ROUTES = [(prefix, ViewSet, basename)]`: integrations/api/urls.py picks it up.

Example, the job seekers (the full version is viewsets/jobseekers.py)::

    class JobSeekerViewSet(ScopedViewSet):
        grants = {"read": JOBSEEKERS_READ, "write": STAFF_ONLY, "career_profile": STAFF_ONLY}
        serializer_class = JobSeekerSerializer           # output
        write_serializer_class = JobSeekerWriteSerializer  # input

        def visible(self, scope):
            return scope.job_seekers().select_related("specialist")

        def list(self, request):
            return self.paginated(self.filter_queryset(self.get_queryset()))

        def retrieve(self, request, pk=None):
            return self.respond(self.get_object())

        def create(self, request):
            data = self.validated_input()
            job_seeker = services.job_seeker_create(
                scope=self.scope, specialist_id=data.pop("specialist_id", None), details=data
            )
            return self.respond(job_seeker, status=201)

        def partial_update(self, request, pk=None):
            data = self.validated_input(partial=True)
            updated = self.locked_write(
                lambda job_seeker: services.job_seeker_update(
                    scope=self.scope, job_seeker_id=job_seeker.pk, details=data
                )
            )
            return self.respond(updated)

    ROUTES = [("job-seekers", JobSeekerViewSet, "job-seeker")]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.utils import encoders

from crm.access import AccessScope
from crm.models import JobSeeker

from . import idempotency
from .grants import STAFF_ONLY
from .problems import BadRequest, PreconditionFailed, request_language

__all__ = ["STAFF_ONLY", "ScopedViewSet", "etag_of", "if_match_allows"]


def etag_of(data) -> str:
    """A strong ETag for a resource's JSON representation."""
    text = json.dumps(data, cls=encoders.JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'


def if_match_allows(header: str | None, current: str) -> bool:
    """RFC 9110 If-Match with strong comparison: absent or "*" allow (the row exists);
    otherwise one of the listed tags must equal the current one (a weak tag never does)."""
    if header is None:
        return True
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or current in tags


class ScopedViewSet(viewsets.GenericViewSet):
    grants: dict[str, str] = {}
    staff_only = False
    sync_field = "updated_at"
    write_serializer_class = None
    #: A service's error field name -> the API's input name ({"specialist": "specialist_id"}).
    error_field_names: dict[str, str] = {}
    lookup_value_regex = r"[0-9]+"
    #: The model, for the schema generator (no caller, no scope); default: the output serializer's.
    model: type[models.Model] | None = None

    _idempotency = None

    # The caller ---------------------------------------------------------------------

    @property
    def scope(self) -> AccessScope:
        return self.request.auth

    def required_grant(self, request) -> str | None:
        if self.staff_only:
            return STAFF_ONLY
        if self.action in self.grants:
            return self.grants[self.action]
        if self.action == "metadata":  # OPTIONS: for whoever may use the resource at all
            usable = [grant for grant in self.grants.values() if grant != STAFF_ONLY]
            return usable[0] if usable else STAFF_ONLY
        return self.grants.get("read" if request.method in SAFE_METHODS else "write")

    # Rows ---------------------------------------------------------------------------

    def visible(self, scope: AccessScope) -> models.QuerySet:
        raise NotImplementedError(f"{type(self).__name__} must define visible(scope)")

    def _schema_model(self):
        return self.model or self.get_serializer_class().Meta.model

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or self.request is None or self.request.auth is None:
            return self._schema_model()._default_manager.none()
        return self.visible(self.scope)

    def get_object(self):
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        instance = self.scope.get(self.get_queryset(), pk=lookup)
        self.check_object_permissions(self.request, instance)
        return instance

    def get_object_for_write(self):
        """The row re-read under lock inside the caller's transaction, its job seeker
        locked first (the services' lock order, crm/services.py). OutOfScope: 404."""
        instance = self.get_object()
        job_seeker_id = instance.pk if isinstance(instance, JobSeeker) else getattr(instance, "job_seeker_id", None)
        if job_seeker_id is not None:
            list(JobSeeker.objects.select_for_update().filter(pk=job_seeker_id).values_list("pk", flat=True))
        return self.scope.get_for_update(self.get_queryset(), pk=instance.pk)

    # Input and output ---------------------------------------------------------------

    def get_write_serializer_class(self):
        return self.write_serializer_class or self.get_serializer_class()

    def get_write_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.get_write_serializer_class()(*args, **kwargs)

    def validated_input(self, *, partial: bool = False) -> dict:
        """The request body through the input serializer (400 problem when invalid)."""
        serializer = self.get_write_serializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def representation(self, instance) -> dict:
        return self.get_serializer(instance).data

    def respond(self, instance, *, status: int = 200, headers: dict | None = None) -> Response:
        return Response(self.representation(instance), status=status, headers=headers)

    def paginated(self, queryset) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    # Preconditions ------------------------------------------------------------------

    def check_if_match(self, instance) -> None:
        self.check_if_match_data(self.representation(instance))

    def check_if_match_data(self, data) -> None:
        """412 unless If-Match is absent, "*" or the ETag of `data` (what a GET of the
        resource answers now)."""
        header = self.request.headers.get("If-Match")
        if header is not None and not header.strip():
            raise BadRequest(_("If-Match is empty: send the ETag you read, or *, or leave the header out."))
        if header is not None and not if_match_allows(header, etag_of(data)):
            raise PreconditionFailed()

    def locked_write(self, apply: Callable[[models.Model], models.Model | None]):
        """Run `apply(row)` (a service call) with the row locked and If-Match checked
        against its state under that lock, in one transaction: two clients cannot
        overwrite each other silently. Returns what `apply` returned."""
        with transaction.atomic():
            instance = self.get_object_for_write()
            self.check_if_match(instance)
            return apply(instance)

    # The request's life -------------------------------------------------------------

    def initial(self, request, *args, **kwargs):
        translation.activate(request_language(request))
        super().initial(request, *args, **kwargs)
        if hasattr(self, request.method.lower()):  # a method this resource has (else 405 follows)
            try:
                self._idempotency = idempotency.begin(request)
            except idempotency.Replay:
                if getattr(self, "detail", False):
                    # Replayed only while the caller still sees the target (a consent
                    # withdrawn since: 404, as a GET would answer).
                    self.get_object()
                raise

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        try:
            return self._handle_exception(exc)
        except BaseException:
            # Not answered (a server error on its way to the 500 handler): the key is
            # released so that the client may retry with it.
            if self._idempotency is not None:
                idempotency.release(self._idempotency)
                self._idempotency = None
            raise

    def _handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError) and hasattr(exc, "error_dict") and self.error_field_names:
            # A service names its model's fields; the client sent the API's names.
            exc = DjangoValidationError(
                {self.error_field_names.get(name, name): errors for name, errors in exc.error_dict.items()}
            )
        return super().handle_exception(exc)

    def _single_resource(self, response) -> bool:
        if response.status_code not in (200, 201) or not isinstance(getattr(response, "data", None), dict):
            return False
        if response.has_header("Idempotent-Replayed"):
            return False
        return bool(getattr(self, "detail", False)) or self.action == "create"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._single_resource(response) and not response.has_header("ETag"):
            response["ETag"] = etag_of(response.data)
        if self._idempotency is not None:
            idempotency.finish(self._idempotency, response)
            self._idempotency = None
        return response
