"""Every page answers users outside the program world without a server error: a
platform operator (a superuser in no program) and a user of another program get
404s or empty pages, never a 500 nor anything of ours."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import EmployerFactory, JobSeekerFactory, UserFactory


def _urls(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from _urls(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _concrete(route: str, pk: int) -> str:
    route = re.sub(r"<int:[^>]+>", str(pk), route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<(str:)?[^>]+>", "x", route)
    return "/" + route.lstrip("^").rstrip("$")


# Names no page, schema example or documentation holds: seeing one is a leak.
PERSON, EMPLOYER = "Samia-Qzx", "Boulangerie Qzx"


@pytest.fixture
def ours(specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, first_name=PERSON)
    employer = EmployerFactory(organisation=specialist_sam.organisation, name=EMPLOYER)
    return job_seeker, employer


@pytest.mark.parametrize("who", ["operator", "other_program"])
def test_every_page_answers_without_a_server_error(client, ours, specialist_louis, who):
    user = UserFactory(organisation=None, is_superuser=True, is_staff=True) if who == "operator" else specialist_louis
    job_seeker, employer = ours
    checked = 0
    for route in _urls():
        for pk in {job_seeker.pk, employer.pk}:
            url = _concrete(route, pk)
            for method in (client.get, client.post):
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")  # after /logout/
                response = method(url)  # the test client re-raises a view's exception
                assert response.status_code < 500, (method.__name__, url)
                content = b"".join(response.streaming_content) if response.streaming else response.content
                body = content.decode(errors="ignore")
                assert PERSON not in body and EMPLOYER not in body, url
                checked += 1
    assert checked > 50
