"""schemathesis against /api/v1/schema/, in process (config.wsgi), with every check.

Run twice over a small world (tests/integrations/api/world.py): as a program admin
with a personal token, and as a partner key holding every grant. Each generated
request runs inside the test's database transaction, so the writes it makes are
rolled back. Bounded: derandomized, few examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application
from integrations.api.pagination import EPOCH, encode_cursor
from tests.integrations.api.world import module_world, world_for_test

world = pytest.fixture(scope="module")(module_world)
api_world = pytest.fixture(world_for_test)

MAX_EXAMPLES = 10

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
    }
)


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
    if request.param == "staff":
        return api_world.credentials["ada"]
    return api_world.credentials["partner"]


# Loaded when the module is imported (the schema is public and generated without the
# database). schemathesis' lazy loader (`schemathesis.pytest.from_fixture`) cannot be
# used: 4.32.5 sets `Function._nodeid`, which pytest 9.2 no longer has.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG)


@schema.parametrize()
# The fixtures (the world, its savepoint, the credential) are shared by the examples of
# one operation on purpose: what they write stays until the operation's test ends.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms(case, credential):
    with_issued_cursor(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {credential}"})


def with_issued_cursor(case) -> None:
    """`cursor` is opaque and signed (integrations/api/pagination.py): any string is
    schema-valid, but only one the API issued is accepted, and no schema can say so
    (a made-up one is rightly a 400). A generated string is replaced with a cursor the
    API issues (the start of the sync); a cursor of the wrong type is left for the
    negative checks."""
    if case.query and isinstance(case.query.get("cursor"), str):
        case.query["cursor"] = encode_cursor(EPOCH, 0)
