"""Security headers: a Content-Security-Policy with no inline script or style, a
Permissions-Policy, and `Cache-Control: no-store` on everything that holds personal
data, while calendar feeds keep their revalidation."""

import re

import pytest
from django.urls import reverse

from crm.access import access_scope
from integrations.calendar import services as calendar_services
from tests.crm.test_every_url import _concrete, _urls
from tests.factories import EmployerContactFactory, EmployerFactory, JobSeekerFactory

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # The map's tiles (settings.LEAFLET_TILE_URL, OpenStreetMap's by default).
    "img-src": "'self' data: https://tile.openstreetmap.org",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
FEATURES_OFF = ["camera", "microphone", "geolocation", "payment", "usb", "display-capture"]


def csp(response) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return {name: value for name, value in directives}


def assert_security_headers(response, cache_control="no-store"):
    assert csp(response) == EXPECTED_CSP
    permissions = response["Permissions-Policy"]
    for feature in FEATURES_OFF:
        assert f"{feature}=()" in permissions
    if cache_control == "no-store":
        assert "no-store" in response["Cache-Control"]
    else:
        assert response["Cache-Control"] == cache_control


@pytest.fixture
def visit(specialist_sam):
    return EmployerContactFactory(specialist=specialist_sam)


def test_pages_carry_the_policies(client_for, specialist_sam, visit):
    client = client_for(specialist_sam)
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    for url in [
        reverse("job_seeker_list"),
        reverse("job_seeker_detail", args=[job_seeker.pk]),
        reverse("my_week"),
        reverse("task_list"),
        reverse("employer_detail", args=[visit.employer_id]),
        reverse("calendar_settings"),
        reverse("password_change"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url
        assert_security_headers(response)


def test_htmx_fragments_are_not_stored_either(client_for, specialist_sam):
    response = client_for(specialist_sam).get(reverse("job_seeker_list"), {"q": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert_security_headers(response)


def test_csv_exports_are_not_stored(client_for, specialist_sam, leader_a, visit):
    response = client_for(specialist_sam).get(reverse("employer_contact_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert_security_headers(response)
    response = client_for(leader_a).get(reverse("team_dashboard_export", args=["summary"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert_security_headers(response)


def test_ics_downloads_are_not_stored(client_for, specialist_sam, visit):
    response = client_for(specialist_sam).get(reverse("calendar_visit_ics", args=[visit.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert_security_headers(response)


def test_the_page_showing_a_new_feed_link_once_is_not_stored(client_for, specialist_sam):
    response = client_for(specialist_sam).post(reverse("calendar_feed_create"), {"kind": "personal"})
    assert response.status_code == 200
    assert "/calendar/" in response.content.decode()  # the secret link, shown once
    assert response["Cache-Control"] == "no-store"


def test_feeds_keep_their_own_private_revalidation(client, specialist_sam, visit):
    _feed, token = calendar_services.calendar_feed_create(scope=access_scope(specialist_sam), kind="personal")
    url = reverse("calendar_feed", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert csp(response) == EXPECTED_CSP
    # A 304 carries no Cache-Control of ours: it would replace the cached feed's.
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304
    assert "no-store" not in not_modified.get("Cache-Control", "")


def test_login_and_password_reset_pages(client):
    for url in [reverse("login"), reverse("password_reset")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_admin_pages(client_for, program_admin):
    client = client_for(program_admin)
    for url in [reverse("admin:index"), reverse("admin:crm_jobseeker_changelist"), reverse("admin:crm_team_add")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_error_pages(client_for, specialist_sam):
    response = client_for(specialist_sam).get("/no-such-page/")
    assert response.status_code == 404
    assert_security_headers(response)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=|\shx-on[:-]|javascript:", re.IGNORECASE)


def test_no_page_has_inline_script_or_style(client_for, specialist_sam, leader_a, visit):
    """Every page of the app (GET), with records to show, as a specialist and a team
    leader: nothing the policy would block."""
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    employer = EmployerFactory(organisation=specialist_sam.organisation)
    checked = 0
    for user in (specialist_sam, leader_a):
        client = client_for(user)
        for route in _urls():
            for pk in {job_seeker.pk, employer.pk, visit.pk}:
                response = client.get(_concrete(route, pk))
                if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                    continue
                body = response.content.decode()
                for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
                    assert not pattern.search(body), (route, pattern.search(body).group(0))
                checked += 1
    assert checked > 20


def test_the_page_showing_a_new_feed_link_has_no_inline_handler(client_for, specialist_sam):
    """Only shown after a POST (a new or rotated link), so the GET walk above misses it;
    the policy would refuse an inline handler there."""
    client = client_for(specialist_sam)
    created = client.post(reverse("calendar_feed_create"), {"kind": "personal"})
    feed = specialist_sam.calendar_feeds.get()
    rotated = client.post(reverse("calendar_feed_rotate", args=[feed.pk]))
    for response in (created, rotated):
        assert response.status_code == 200
        body = response.content.decode()
        assert "/calendar/" in body and 'readonly value="http' in body  # the new link is on this page
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
            assert not pattern.search(body), pattern.search(body).group(0)
