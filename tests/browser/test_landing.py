"""Where each role lands after logging in, in a real browser, and how they get on
from there."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("taxonomies")]


def test_a_specialist_lands_on_my_week(page, live_server, specialist_sam):
    log_in(page, live_server, "sam")
    assert page.url == f"{live_server.url}/my-week/"
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="My week").get_attribute("aria-current") == "page"
    # Their dashboard shows their own figures, and says so.
    nav.get_by_role("link", name="My figures").click()
    expect(page.get_by_role("heading", name="My figures")).to_be_visible()
    expect(page.get_by_text("Your own figures")).to_be_visible()
    assert nav.get_by_role("link", name="Team follow-along").count() == 0


def test_a_team_leader_lands_on_the_team_dashboard(page, live_server, leader_a, specialist_sam):
    log_in(page, live_server, "lea")
    assert page.url == f"{live_server.url}/dashboard/"
    expect(page.get_by_role("heading", name="Fidelity dashboard")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Team follow-along").click()
    page.wait_for_url(re.compile(r".*/tasks/team/$"))
    expect(page.get_by_role("heading", name="Overdue follow-along, per specialist")).to_be_visible()


def test_a_program_admin_lands_on_the_program_overview(
    page, live_server, program_admin, leader_a, leader_b, specialist_sam, specialist_bob
):
    log_in(page, live_server, "ada")
    assert page.url == f"{live_server.url}/program/"
    expect(page.get_by_role("heading", name="Program overview")).to_be_visible()
    for team in ("Team A", "Team B"):
        expect(page.get_by_role("heading", name=team)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Admin")).to_be_visible()
    # A team's name opens the dashboard for that team.
    page.get_by_role("link", name="Team B").click()
    page.wait_for_url(re.compile(r".*/dashboard/\?team=\d+$"))
    assert page.locator(".dashboard-scope").inner_text().startswith("Team B")


def test_a_next_page_wins_over_the_landing_page(page, live_server, specialist_sam):
    page.goto(f"{live_server.url}/employers/")  # not logged in: sent to log in, then back
    page.wait_for_url(re.compile(r".*/login/\?next=/employers/$"))
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/employers/$"))


def test_an_operator_lands_on_the_admin(page, live_server, organisation):
    UserFactory(username="olga", organisation=None, is_superuser=True, is_staff=True)
    log_in(page, live_server, "olga")
    assert page.url == f"{live_server.url}/admin/"


def test_the_dashboard_overdue_number_opens_the_list_it_counts(page, live_server, specialist_sam, leader_a):
    import datetime

    from django.utils import timezone

    from tests.factories import JobSeekerFactory, SupportTaskFactory

    job_seeker = JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")
    SupportTaskFactory(
        job_seeker=job_seeker, title="Call the bakery", due_date=timezone.localdate() - datetime.timedelta(days=5)
    )
    log_in(page, live_server, "lea")
    page.locator("#figure-overdue_tasks .fidelity-value a").click()
    assert page.url.endswith("#table-overdue-tasks")
    table = page.locator("#table-overdue-tasks")
    expect(table.get_by_text("Call the bakery")).to_be_visible()
    expect(table.get_by_role("link", name="Nadia Benali")).to_be_visible()
