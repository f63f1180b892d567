"""schemathesis against /api/v1/schema/, in process (config.wsgi), with every check.

Run twice over a small world (tests/integrations/api/world.py): as a program admin
with a personal token, and as a partner key holding every grant. Every check of
schemathesis 4 is on (its default: server errors, status codes, content types, response
schemas and headers, schema-valid data accepted, schema-violating data rejected, auth
enforced, methods...); a failure is an API bug, none is excluded.

What the schema cannot say is supplied, never relaxed: ids in a body name rows of the
world the caller may use (a made-up id is rightly a 400 on that field), a cursor is one
the API issued, an Idempotency-Key is new for each request (a key reused with another
body is rightly a 422). A value generated to violate the schema is left as it is.

Each operation's examples share one savepoint of the test database: what they write is
rolled back when that operation's test ends. Bounded: derandomized, MAX_EXAMPLES
examples per operation in the fuzzing phase (plus the schema's examples and
schemathesis' coverage cases)."""

from __future__ import annotations

import json
import uuid

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.core.parameters import ParameterLocation

from config.wsgi import application
from crm.models import Industry, JobType
from integrations.api import tombstones
from integrations.api.pagination import EPOCH, encode_cursor
from tests.integrations.api.world import World, module_world, world_for_test

world = pytest.fixture(scope="module")(module_world)
api_world = pytest.fixture(world_for_test)

MAX_EXAMPLES = 5

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            # No NUL in generated strings: PostgreSQL text cannot hold it, so DRF refuses
            # it in every CharField (ProhibitNullCharactersValidator), a rule of the
            # platform rather than of any one operation. Everything else is generated.
            "allow-x00": False,
            # A failure is reported as found, not shrunk: shrinking a failing operation
            # took minutes on this 2-core machine, the whole file must stay well under them.
            "no-shrink": True,
        },
    }
)

# Loaded when the module is imported (the schema is public and generated without the
# database). schemathesis' lazy loader (`schemathesis.pytest.from_fixture`) cannot be
# used: 4.32.5 sets `Function._nodeid`, which pytest 9.2 no longer has.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG)


@pytest.fixture
def connection_kept():
    """schemathesis calls the WSGI application directly, whose request_finished signal
    closes the database connection (Django's test client unhooks it, as here): that
    would end the test's transaction, and with it the world."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["staff", "partner"])
def credential(request, api_world, connection_kept):
    """A program admin's personal token, or the partner's key with every grant."""
    return api_world.credentials["ada" if request.param == "staff" else "partner"]


@schema.parametrize()
# The fixtures (the world, its savepoint, the credential) are shared by the examples of
# one operation on purpose: what they write stays until the operation's test ends.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms(case, credential, api_world):
    with_issued_cursor(case)
    with_new_idempotency_key(case)
    with_any_etag(case)
    with_world_ids(case, api_world)
    with_dates_in_order(case)
    with_next_step_dated(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {credential}"})


def _negative(case, location: ParameterLocation) -> bool:
    return case.meta is not None and case.meta.is_negative_at(location)


def with_issued_cursor(case) -> None:
    """`cursor` is opaque and signed (integrations/api/pagination.py): any string is
    schema-valid, but only one the API issued is accepted, and no schema can say so
    (a made-up one is rightly a 400). A generated string is replaced with a cursor the
    API issues (the start of the sync); a cursor of the wrong type is left for the
    negative checks."""
    if case.query and isinstance(case.query.get("cursor"), str):
        if case.formatted_path == "/api/v1/tombstones/":
            case.query["cursor"] = tombstones.encode_cursor((EPOCH, "", 0))
        else:
            case.query["cursor"] = encode_cursor(EPOCH, 0, list_path=case.formatted_path)


def with_new_idempotency_key(case) -> None:
    """A key names one request: schemathesis sends the schema's example key with every
    body it generates, and the API rightly answers the second body 422 (the key was
    used for another request). A schema-valid key is made unique; an invalid one is
    left for the negative checks."""
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and not _negative(case, ParameterLocation.HEADER):
        headers["Idempotency-Key"] = f"{key[:200]}-{uuid.uuid4().hex}"


def with_any_etag(case) -> None:
    """If-Match names the ETag the client read, which no generator can guess: a
    schema-valid one is rightly 412. It becomes "*" (any current version, RFC 9110),
    so the request reaches the service; a malformed one is left for the negative
    checks. Mismatches are tested in test_core_*.py and the areas' tests."""
    headers = case.headers or {}
    if isinstance(headers.get("If-Match"), str) and not _negative(case, ParameterLocation.HEADER):
        headers["If-Match"] = "*"


#: (earlier, later) body fields whose order a service checks: no JSON Schema compares two fields
ORDERED_DATES = [("referral_date", "enrolment_date"), ("offer_date", "expected_start_date")]
#: body fields that cannot be in the future (a contact logged, a task done): relative to
#: the moment of the request, which no schema can say
NOT_IN_THE_FUTURE = {
    "occurred_at",
    "completed_on",
    "offer_date",
    "referral_date",
    "enrolment_date",
    "start_date",
    "end_date",
}


def with_dates_in_order(case) -> None:
    """A schema-valid body whose dates break an order or lie in the future, where the
    service rightly refuses that (400), gets its later date moved to the earlier one, or
    its date to now. A body generated to violate the schema is left as it is."""
    body = case.body
    if not isinstance(body, dict) or _negative(case, ParameterLocation.BODY):
        return
    for earlier, later in ORDERED_DATES:
        if isinstance(body.get(earlier), str) and isinstance(body.get(later), str) and body[later] < body[earlier]:
            body[later] = body[earlier]
    now = timezone.now()
    for name in NOT_IN_THE_FUTURE & body.keys():
        value = body[name]
        if not isinstance(value, str):
            continue
        if len(value) == 10 and value > timezone.localdate().isoformat():
            body[name] = timezone.localdate().isoformat()
        elif len(value) > 10 and (parsed := parse_datetime(value)) is not None and parsed > now:
            body[name] = now.replace(microsecond=0).isoformat()


def with_next_step_dated(case) -> None:
    """A held contact's next step needs a date (EmployerContact.clean: "Give the next
    step a date."), a rule across two fields that the schema states in words only. A
    schema-valid body naming a next step without a date gets today; one generated to
    violate the schema is left as it is."""
    body = case.body
    if not isinstance(body, dict) or _negative(case, ParameterLocation.BODY):
        return
    if isinstance(body.get("next_step"), str) and body["next_step"].strip() and body.get("next_step_on") is None:
        body["next_step_on"] = timezone.localdate().isoformat()


def _world_ids(world: World) -> dict[str, int]:
    """Body field -> the id of a row of the world the caller may name there."""
    person = world.people["shared"]
    return {
        "job_seeker": person.job_seeker.pk,
        "placement": person.placement.pk,
        "employer": world.marseille.employer.pk,
        "site": world.marseille.site.pk,
        "contact_person": world.marseille.contact_person.pk,
        "counsellor": world.partner.pk,
        "partner_id": world.partner.pk,
        "specialist_id": world.staff["sam"].pk,
    }


#: body fields listing ids -> the model whose first rows they name
ID_LISTS = {"job_seekers": None, "job_types": JobType, "avoid_job_types": JobType}
ID_LISTS |= {"industries": Industry, "avoid_industries": Industry}
#: body fields naming a classification by its code -> a code that exists
CODES = {"job_type": "kitchen_helper", "industry": "I"}
CODE_LISTS = {"learned_job_types": "kitchen_helper"}


def _is_id(value) -> bool:
    """An integer as JSON Schema reads it (1 and 1.0 alike), not a boolean."""
    return isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()


def with_world_ids(case, world: World) -> None:
    """Ids in a schema-valid body are made ids of the world's rows that the caller may
    use (Sam's job seeker, Marseille's employer, the partner...): a made-up id is a row
    the caller may not use, rightly a 400 on its field (docs/access-rules.md), which no
    schema can say. Out-of-scope ids are the permission matrix's business."""
    body = case.body
    if not isinstance(body, dict) or _negative(case, ParameterLocation.BODY):
        return
    ids = _world_ids(world)
    for name, value in list(body.items()):
        if name in ids and _is_id(value):
            body[name] = ids[name]
        elif name in CODES and isinstance(value, str):
            body[name] = CODES[name]
        elif name in CODE_LISTS and isinstance(value, list) and all(isinstance(v, str) for v in value):
            body[name] = [CODE_LISTS[name]] * min(len(value), 1)
        elif name in ID_LISTS and isinstance(value, list) and all(_is_id(v) for v in value):
            model = ID_LISTS[name]
            valid = (
                [ids["job_seeker"]]
                if model is None
                else list(model.objects.order_by("pk").values_list("pk", flat=True)[: max(len(value), 1)])
            )
            body[name] = valid[: len(value)]


# What schemathesis found, pinned as plain requests ----------------------------------------
# Each was an API bug in a run above (docs in the final report of the test engineer);
# these tests keep it fixed, whatever the random generation reaches next time.


def _client(world: World, credential: str) -> APIClient:
    client = APIClient(raise_request_exception=False)  # a 500 is an answer to assert on
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.credentials[credential]}")
    return client


def _schema_document(client: APIClient) -> dict:
    return json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)


def _list_parameters(document: dict, where: str):
    """(path, parameter) of every optional query parameter of every GET list."""
    for path, operations in document["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] == where and not parameter.get("required"):
                yield path, parameter


@pytest.mark.parametrize("path", ["/api/v1/job-seekers/%0A/", "/api/v1/employer-contacts/%C3%9A%0A/hold/"])
def test_found_an_unroutable_path_is_a_problem(api_world, path):
    """A path holding a newline fell through the API's catch-all (`^.*$`: `.` stops at a
    newline) to the site's HTML 404 page."""
    response = _client(api_world, "ada").get(path)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_found_an_empty_typed_filter_is_refused_or_documented(api_world):
    """`?referral_date_before=` was answered 200 (django-filter skips an empty value)
    while the schema said the value is a date: either it is refused (400), or the schema
    says an empty value is allowed."""
    client = _client(api_world, "ada")
    wrong = []
    for path, parameter in _list_parameters(_schema_document(client), "query"):
        if parameter["schema"].get("format") not in ("date", "date-time") or parameter.get("allowEmptyValue"):
            continue
        response = client.get(path, {parameter["name"]: ""})
        if response.status_code != 400:
            wrong.append(f"{path}?{parameter['name']}= -> {response.status_code}")
    assert not wrong, wrong


def test_found_an_id_filter_out_of_range_is_no_server_error(api_world):
    """`?subscription=-1.5e+223` on the delivery log was a 500 (an integer too large for
    the database): every numeric filter of every list, given a huge or fractional value."""
    client = _client(api_world, "ada")
    wrong = []
    for path, parameter in _list_parameters(_schema_document(client), "query"):
        if parameter["schema"].get("type") not in ("integer", "number"):
            continue
        for value in ("-1.5176870225069955e+223", str(10**30), "1.5"):
            response = client.get(path, {parameter["name"]: value})
            if response.status_code >= 500:
                wrong.append(f"{path}?{parameter['name']}={value} -> {response.status_code}")
    assert not wrong, wrong


def test_found_a_string_field_refuses_a_number(api_world):
    """A referral with `"town": 0` was taken, the town stored as "0": the schema says a
    string, so a number is a 400 on that field (as the webhooks and placements do)."""
    response = _client(api_world, "partner").post(
        "/api/v1/referrals/", {"first_name": "Nadia", "last_name": "Benali", "town": 0}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "town" in response.json()["errors"]


def test_found_an_employer_industry_empty_is_refused(api_world):
    """`"industry": ""` was taken as no industry, though the schema says a code (at least
    one character) or null."""
    response = _client(api_world, "ada").post("/api/v1/employers/", {"name": "Atelier", "industry": ""}, format="json")
    assert response.status_code == 400, response.content


def test_found_a_program_admin_creates_a_job_seeker_as_documented(api_world):
    """A program admin carries no caseload: a job seeker created without
    `specialist_id` was refused ("You cannot assign job seekers to this person") while
    the schema says it is optional. Either it is accepted, or the schema says it is
    required (for callers who carry no caseload)."""
    client = _client(api_world, "ada")
    body = {"first_name": "Nadia", "last_name": "Benali", "referral_date": "2026-11-02"}
    response = client.post("/api/v1/job-seekers/", body, format="json")
    if response.status_code == 201:
        return
    operation = _schema_document(client)["paths"]["/api/v1/job-seekers/"]["post"]
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = _schema_document(client)["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert "specialist_id" in component.get("required", []), response.content


def test_found_a_state_conflict_is_409(api_world):
    """Starting a job that is already working, or changing its terms to what they are,
    was a 400, which says the request itself is malformed: it is well formed and
    conflicts with the job's current state, a 409 (RFC 9110 §15.5.10), the answer
    schemathesis expects of a schema-valid request refused."""
    client = _client(api_world, "ada")
    placement = api_world.people["shared"].placement
    today = timezone.localdate().isoformat()
    started = client.post(f"/api/v1/placements/{placement.pk}/start/", {"start_date": today}, format="json")
    assert started.status_code == 409, started.content
    same_terms = {"hours_per_week": "20.0", "hourly_pay": "12.00", "effective_on": today}
    unchanged = client.post(f"/api/v1/placements/{placement.pk}/change-terms/", same_terms, format="json")
    assert unchanged.status_code == 409, unchanged.content


def test_found_a_text_of_control_characters_is_refused_as_the_schema_says(api_world):
    """A site with `"town": "\\x1e"` (a record separator, whitespace to Python) was refused
    as blank though the schema allowed it: request schemas now say a required text holds
    a character other than whitespace (pattern \\S), and the refusal stands."""
    schema = _client(api_world, "ada").get("/api/v1/schema/", {"format": "json"}).json()
    town = schema["components"]["schemas"]["EmployerSiteInputRequest"]["properties"]["town"]
    assert town["pattern"] == r"\S"
    employer = api_world.marseille.employer
    response = _client(api_world, "ada").post(
        f"/api/v1/employers/{employer.pk}/sites/", {"address": "1 rue", "town": "\x1e"}, format="json"
    )
    assert response.status_code == 400 and "town" in response.json()["errors"], response.content
