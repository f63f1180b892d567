"""A list's cursor is signed for that list (integrations/api/pagination.py)."""

import pytest

from tests.factories import JobSeekerFactory
from tests.integrations.api.core_fixtures import *  # noqa: F403
from tests.integrations.api.core_fixtures import bearer

pytestmark = pytest.mark.django_db


def test_a_cursor_belongs_to_its_list(api, issue_token, program_admin, specialist_sam):
    admin = bearer(issue_token(program_admin))
    JobSeekerFactory.create_batch(2, specialist=specialist_sam)
    placements_cursor = api.get("/api/v1/placements/", **admin).json()["cursor"]
    refused = api.get(f"/api/v1/job-seekers/?cursor={placements_cursor}", **admin)
    assert refused.status_code == 400 and "cursor" in refused.json()["detail"]
    first = api.get("/api/v1/job-seekers/?page_size=1", **admin).json()
    rest = api.get(f"/api/v1/job-seekers/?cursor={first['cursor']}", **admin).json()
    assert len(rest["results"]) == 1
