"""Errors as RFC 9457 problem details (`application/problem+json`), in English or
French by the request's Accept-Language.

Body: `type` (a URN naming the kind of problem, listed in docs/api.md), `title`,
`status`, `detail`, `instance` (the request path) and, for invalid input, `errors`:
field name -> list of messages (`non_field_errors` for the request as a whole).
Whatever a client sends is answered with a 4xx problem, never a 500: a Django
ValidationError from a service is a 400, an IntegrityError a 409, an out-of-scope or
missing row a 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from crm.services import STATE_CONFLICT

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:ips-crm:problem:"


class Problem(exceptions.APIException):
    """An API error with its own type slug; subclasses set status, slug and title."""

    slug = "error"
    title = _("Error")

    def __init__(self, detail=None, code=None):
        super().__init__(detail if detail is not None else self.default_detail, code)


class PreconditionFailed(Problem):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    slug = "precondition-failed"
    title = _("Precondition failed")
    default_detail = _("The resource changed since you read it (If-Match does not match its ETag). Read it again.")


class Conflict(Problem):
    status_code = status.HTTP_409_CONFLICT
    slug = "conflict"
    title = _("Conflict")
    default_detail = _("The request conflicts with the current state of the resource.")


class IdempotencyInProgress(Conflict):
    slug = "idempotency-in-progress"
    title = _("Request in progress")
    default_detail = _("A request with this Idempotency-Key is still being processed. Retry later.")


class IdempotencyKeyReused(Problem):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    slug = "idempotency-key-reused"
    title = _("Idempotency-Key reused")
    default_detail = _("This Idempotency-Key was used with a different request. Use a new key for a new request.")


class BadRequest(Problem):
    status_code = status.HTTP_400_BAD_REQUEST
    slug = "bad-request"
    title = _("Bad request")
    default_detail = _("The request is not valid.")


# Slug and title for each status DRF and Django raise.
_KINDS = {
    400: ("bad-request", _("Bad request")),
    401: ("not-authenticated", _("Not authenticated")),
    403: ("forbidden", _("Forbidden")),
    404: ("not-found", _("Not found")),
    405: ("method-not-allowed", _("Method not allowed")),
    406: ("not-acceptable", _("Not acceptable")),
    409: ("conflict", _("Conflict")),
    412: ("precondition-failed", _("Precondition failed")),
    415: ("unsupported-media-type", _("Unsupported media type")),
    422: ("unprocessable", _("Unprocessable request")),
    428: ("precondition-required", _("Precondition required")),
    429: ("throttled", _("Too many requests")),
}
VALIDATION = ("validation", _("Invalid input"))


def request_language(request) -> str:
    """'fr' or 'en' (the default) from Accept-Language, by its q-values."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "") if request is not None else ""
    supported = {code for code, _name in settings.LANGUAGES}
    for code, _q in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        base = code.split("-")[0].lower()
        if base in supported:
            return base
    return "en"


def _flatten(detail):
    """DRF error detail (dict/list/str, nested) -> list of strings."""
    if isinstance(detail, dict):
        return [str(m) for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list | tuple):
        return [m for item in detail for m in _flatten(item)]
    return [str(detail)]


def _field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail -> {"field" or "field.sub": [messages]}."""
    errors: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for name, value in detail.items():
            key = f"{prefix}{name}"
            if isinstance(value, dict):
                errors.update(_field_errors(value, f"{key}."))
            elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
                for index, item in enumerate(value):
                    errors.update(_field_errors(item, f"{key}.{index}."))
            else:
                errors[key] = _flatten(value)
    else:
        errors[prefix.rstrip(".") or "non_field_errors"] = _flatten(detail)
    return errors


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in exc.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def problem_response(
    request,
    *,
    status_code: int,
    detail: str,
    slug: str | None = None,
    title=None,
    errors: dict | None = None,
    headers: dict | None = None,
) -> Response:
    kind = _KINDS.get(status_code, ("error", _("Error")))
    body = {
        "type": TYPE_PREFIX + (slug or kind[0]),
        "title": str(title or kind[1]),
        "status": status_code,
        "detail": str(detail),
        "instance": request.path if request is not None else None,
    }
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    response["Content-Language"] = translation.get_language()
    return response


def _codes(exc: DjangoValidationError) -> set:
    if hasattr(exc, "error_dict"):
        return {error.code for errors in exc.error_dict.values() for error in errors}
    return {error.code for error in exc.error_list}


def _problem_for(exc, request) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        errors = _django_errors(exc)
        detail = errors.get("non_field_errors", [_("Some fields are not valid.")])[0]
        if _codes(exc) == {STATE_CONFLICT}:
            # Well formed, refused for the record's current state (RFC 9110 §15.5.10).
            detail = next(iter(errors.values()))[0]
            return problem_response(
                request, status_code=409, detail=detail, slug="state-conflict", title=_("Conflict"), errors=errors
            )
        return problem_response(
            request, status_code=400, detail=detail, slug=VALIDATION[0], title=VALIDATION[1], errors=errors
        )
    if isinstance(exc, IntegrityError):
        return problem_response(
            request, status_code=409, detail=_("The change conflicts with another record (it may exist already).")
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        detail = errors.get("non_field_errors", [_("Some fields are not valid.")])[0]
        return problem_response(
            request, status_code=400, detail=detail, slug=VALIDATION[0], title=VALIDATION[1], errors=errors
        )
    detail = " ".join(_flatten(exc.detail))
    if isinstance(exc, Problem):
        return problem_response(
            request, status_code=exc.status_code, detail=detail, slug=exc.slug, title=exc.title, headers=headers
        )
    return problem_response(request, status_code=exc.status_code, detail=detail, headers=headers)


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error of the API as a problem."""
    request = context.get("request")
    with translation.override(request_language(request)):
        response = _problem_for(exc, request)
    if response is not None:
        # A failed write leaves no partial change behind (DRF's own handler does this).
        from rest_framework.views import set_rollback

        set_rollback()
    return response


@csrf_exempt
@login_not_required
def not_found(request, *args, **kwargs):
    """Any path under /api/v1/ that names no endpoint: a 404 problem, not the app's page."""
    from django.http import JsonResponse

    with translation.override(request_language(request)):
        body = {
            "type": TYPE_PREFIX + "not-found",
            "title": str(_KINDS[404][1]),
            "status": 404,
            "detail": str(exceptions.NotFound.default_detail),
            "instance": request.path,
        }
        response = JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)
        response["Content-Language"] = translation.get_language()
    return response
