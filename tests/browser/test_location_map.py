"""The map where a pin is set by hand, in Chromium: a click on the map fills the latitude
and longitude inputs, saving keeps the pin, and the Content-Security-Policy reports no
violation. Tiles are answered locally (no network in tests)."""

import base64
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from crm.models import JobSeeker
from tests.browser.conftest import log_in
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.factories import EmployerFactory, EmployerSiteFactory, JobSeekerFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("taxonomies")]

# A 1x1 transparent PNG, for every tile.
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture
def map_page(page):
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    page.tiles = []

    def tile(route):
        page.tiles.append(route.request)
        route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)

    page.route(re.compile(r"https://tile\.openstreetmap\.org/.*"), tile)
    return page


def assert_no_violation(tab):
    assert tab.evaluate("window.__cspViolations") == []
    assert [text for text in tab.console_errors if "Content Security Policy" in text or "Refused" in text] == []


def test_a_click_on_the_map_sets_the_pin_of_a_job_seeker(map_page, live_server, specialist_sam):
    tab = map_page
    job_seeker = JobSeekerFactory(specialist=specialist_sam, address="Cité des Flamants", postcode="13014")
    log_in(tab, live_server, "sam")
    tab.goto(f"{live_server.url}/job-seekers/{job_seeker.pk}/edit/#location")

    the_map = tab.locator("[data-location-map]")
    the_map.locator(".leaflet-tile-loaded").first.wait_for()
    assert tab.tiles and tab.tiles[0].headers.get("referer", "").startswith(live_server.url)
    the_map.click(position={"x": 120, "y": 80})
    latitude = tab.get_by_label("Latitude").input_value()
    assert re.fullmatch(r"-?\d+\.\d{6}", latitude)
    assert tab.locator(".leaflet-marker-icon").count() == 1
    tab.get_by_role("button", name="Save").click()
    tab.wait_for_url(re.compile(rf".*/job-seekers/{job_seeker.pk}/(#location)?$"))

    expect(tab.get_by_text("Pin set by hand")).to_be_visible()
    job_seeker.refresh_from_db()
    assert (job_seeker.latitude, job_seeker.location_precision) == (Decimal(latitude), "manual")
    assert_no_violation(tab)


def test_typed_coordinates_move_the_pin_of_a_site(map_page, live_server, specialist_sam, organisation):
    tab = map_page
    employer = EmployerFactory(organisation=organisation)
    site = EmployerSiteFactory(employer=employer)
    log_in(tab, live_server, "sam")
    tab.goto(f"{live_server.url}/employers/{employer.pk}/sites/{site.pk}/edit/")

    tab.get_by_label("Latitude").fill("43.301200")
    tab.get_by_label("Longitude").fill("5.369900")
    tab.get_by_label("Longitude").dispatch_event("change")
    assert tab.locator("[data-location-map] .leaflet-marker-icon").count() == 1
    tab.get_by_role("button", name="Save").click()
    tab.wait_for_url(re.compile(rf".*/employers/{employer.pk}/$"))

    site.refresh_from_db()
    assert (site.latitude, site.location_precision) == (Decimal("43.301200"), "manual")
    assert JobSeeker.objects.count() == 0
    assert_no_violation(tab)
