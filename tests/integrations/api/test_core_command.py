"""manage.py create_api_key."""

import io

import pytest
from django.core.management import CommandError, call_command

from integrations.api.models import ApiKey
from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = pytest.mark.django_db


def test_creates_a_key_printed_once_that_works(api, organisation, partner):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_key",
        "--program", organisation.slug,
        "--partner", "mental-health TEAM",
        "--grant", "referrals:write",
        "--grant", "jobseekers:read",
        "--expires-in-days", "30",
        stdout=out,
        stderr=err,
    )  # fmt: skip
    plaintext = out.getvalue().strip()
    key = ApiKey.objects.get()
    assert plaintext.startswith(f"ipsk_{key.public_id}_")
    assert key.grants == ["jobseekers:read", "referrals:write"]
    assert key.expires_at is not None
    assert plaintext not in err.getvalue()
    assert api.get("/api/v1/job-seekers/", **bearer(plaintext)).status_code == 200


@pytest.mark.parametrize(
    "args, message",
    [
        (["--program", "nowhere", "--partner", "x", "--grant", "events:read"], "No program"),
        (["--program", "ips-marseille-test", "--partner", "nobody", "--grant", "events:read"], "No single partner"),
        (["--program", "ips-marseille-test", "--partner", "Mental-health team", "--grant", "all"], "Unknown grant"),
        (
            ["--program", "ips-marseille-test", "--partner", "Mental-health team", "--grant", "events:read",
             "--expires-in-days", "0"],
            "expires-in-days",
        ),
    ],
)  # fmt: skip
def test_refuses_what_it_cannot_do(partner, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_key", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiKey.objects.exists()
