"""OpenAPI post-processing: every operation documents its problem responses
(RFC 9457, `application/problem+json`), so clients and schemathesis know every status
the API may answer, for every area's viewsets alike."""

from __future__ import annotations

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details, in English or French by Accept-Language.",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "example": "urn:ips-crm:problem:validation"},
        "title": {"type": "string", "example": "Invalid input"},
        "status": {"type": "integer", "example": 400},
        "detail": {"type": "string", "example": "Some fields are not valid."},
        "instance": {"type": ["string", "null"], "example": "/api/v1/referrals/"},
        "errors": {
            "type": "object",
            "description": "Field name -> messages (`non_field_errors`: the request as a whole).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"last_name": ["This field is required."]},
        },
    },
}

ALWAYS = {
    400: "Invalid input, query parameter or cursor.",
    401: "No credentials, or a key or token invalid, expired or revoked.",
    403: "The key lacks the grant, or the endpoint is for staff only.",
    404: "No such resource within your scope.",
    406: "The Accept header asks for a format other than JSON.",
    429: "Too many requests: wait Retry-After seconds.",
}
WRITES = {
    409: "A conflict (the record exists already, or the same Idempotency-Key is still in progress).",
    412: "If-Match does not match the resource's current ETag.",
    415: "The body is not JSON.",
    422: "The Idempotency-Key was used with a different request.",
}
HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": 'Bearer realm="api"'}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
}


#: What the API accepts in these headers (integrations.api.idempotency, base.etag_of).
HEADER_SCHEMAS = {
    "Idempotency-Key": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$"},
    "If-Match": {"type": "string", "minLength": 1},
}


# The one date policy (crm/dates.py): every date or time a client gives lies in the
# years 2000 to 2100; said in the request schemas, so clients and generators know.
SANE_YEAR_PATTERN = "^(20[0-9]{2}|2100)-"


def _sane_dates(schema) -> None:
    if isinstance(schema, dict):
        if schema.get("format") in ("date", "date-time") and "pattern" not in schema:
            schema["pattern"] = SANE_YEAR_PATTERN
        for value in schema.values():
            _sane_dates(value)
    elif isinstance(schema, list):
        for value in schema:
            _sane_dates(value)


# DRF trims a text field (str.strip) and then refuses it blank: say so in the request
# schemas, so that a text of spaces or control characters (e.g. "\x1e", a space to
# str.strip) is known to be refused. JSON Schema patterns are not anchored: "\S" means
# "holds a character other than whitespace".
NOT_BLANK_PATTERN = r"\S"


def _not_blank(schema) -> None:
    if isinstance(schema, dict):
        if (
            schema.get("type") == "string"
            and schema.get("minLength", 0) >= 1
            and not {"pattern", "format", "enum"} & schema.keys()
        ):
            schema["pattern"] = NOT_BLANK_PATTERN
        for value in schema.values():
            _not_blank(value)
    elif isinstance(schema, list):
        for value in schema:
            _not_blank(value)


def problem_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry; also gives the Idempotency-Key and
    If-Match headers, wherever a viewset documents them, and the dates of request
    bodies the shape the API accepts."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in components.items():
        if name.endswith("Request"):  # COMPONENT_SPLIT_REQUEST: what clients send
            _sane_dates(component)
            _not_blank(component)
    components["Problem"] = PROBLEM
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete", "head", "options"}:
                continue
            _sane_dates(operation.get("requestBody"))
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") in HEADER_SCHEMAS:
                    parameter["schema"] = dict(HEADER_SCHEMAS[parameter["name"]])
            statuses = dict(ALWAYS)
            if method in {"post", "put", "patch", "delete"}:
                statuses.update(WRITES)
            responses = operation.setdefault("responses", {})
            for code, description in statuses.items():
                if str(code) in responses:
                    continue
                response = {"description": description, "content": {"application/problem+json": {"schema": ref}}}
                if code in HEADERS:
                    response["headers"] = HEADERS[code]
                responses[str(code)] = response
    return result
