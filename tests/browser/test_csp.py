"""The Content-Security-Policy is on and the app works under it in a real browser:
htmx swaps, the language switch, the admin's scripts, and no violation reported."""

import re

import pytest
from playwright.sync_api import expect

from crm.models import JobSeeker
from tests.browser.test_ui import log_in
from tests.factories import (
    TEST_PASSWORD,
    EmployerFactory,
    JobSeekerFactory,
    SupportTaskFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("taxonomies")]

# Recorded in the page before any of its scripts run (CDP, not subject to the policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording CSP violations (the DOM event) and console errors (where
    Chromium also reports them: "Refused to ...")."""
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def assert_no_violation(page):
    assert page.evaluate("window.__cspViolations") == []
    assert [text for text in page.console_errors if "Content Security Policy" in text or "Refused" in text] == []


def test_job_seeker_search_swaps_under_the_policy(watched, live_server, specialist_sam):
    page = watched
    JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")
    JobSeekerFactory(specialist=specialist_sam, first_name="Paul", last_name="Quennevillers")  # no Faker name holds it
    log_in(page, live_server, "sam")
    response = page.goto(f"{live_server.url}/job-seekers/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.get_by_text("Quennevillers").count() == 1
    with page.expect_response(re.compile(r".*/job-seekers/\?.*q=Ben.*")) as swap:
        page.get_by_role("searchbox").fill("Ben")
    assert swap.value.request.headers.get("hx-request") == "true"  # an htmx swap, not a page load
    page.wait_for_url(re.compile(r".*q=Ben.*"))  # hx-push-url
    page.get_by_text("Quennevillers").wait_for(state="detached")
    expect(page.get_by_text("Benali")).to_be_visible()
    assert_no_violation(page)


def test_completing_a_task_swaps_under_the_policy(watched, live_server, specialist_sam):
    page = watched
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    task = SupportTaskFactory(job_seeker=job_seeker, title="Call the employer after week one")
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/tasks/")
    item = page.locator(f"#task-{task.pk}")
    item.get_by_label("How").select_option("phone")
    item.get_by_label("Type of support").select_option("employer")  # a follow-along contact says it
    with page.expect_response(re.compile(rf".*/tasks/{task.pk}/complete/")) as swap:
        item.get_by_role("button", name="Mark as done").click()
    assert swap.value.request.headers.get("hx-request") == "true"
    page.locator(f"#task-{task.pk}.task-closed").wait_for()
    assert page.url.endswith("/tasks/")  # swapped in place, no navigation
    task.refresh_from_db()
    assert task.status == "done"
    assert_no_violation(page)


def test_language_switch_and_dashboard_chart_under_the_policy(watched, live_server, specialist_sam, leader_a):
    page = watched
    log_in(page, live_server, "lea")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("figure.fidelity-chart svg")).to_be_visible()
    with page.expect_navigation():
        page.get_by_label("Language").select_option("fr")  # app.js, no inline handler
    assert page.locator("html").get_attribute("lang") == "fr"
    assert_no_violation(page)


def test_polling_is_marked_as_background(watched, live_server, specialist_sam):
    """An element that polls (hx-trigger="every ...") sends X-Background-Request, so it
    does not keep an idle session alive."""
    page = watched
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/tasks/")
    with page.expect_request(re.compile(r".*/tasks/\?poll")) as polled:
        page.evaluate(
            """() => {
              const element = document.createElement("div");
              element.setAttribute("hx-get", "/tasks/?poll");
              element.setAttribute("hx-trigger", "every 1s");
              element.setAttribute("hx-swap", "none");
              document.body.appendChild(element);
              htmx.process(element);
            }"""
        )
    assert polled.value.headers.get("x-background-request") == "poll"
    with page.expect_request(re.compile(r".*/job-seekers/\?q=")) as searched:
        page.goto(f"{live_server.url}/job-seekers/")
        page.get_by_role("searchbox").fill("x")
    assert searched.value.headers.get("x-background-request") is None
    assert_no_violation(page)


def test_admin_works_under_the_policy(watched, live_server, organisation):
    page = watched
    UserFactory(username="olga", organisation=None, is_superuser=True, is_staff=True)
    EmployerFactory(organisation=organisation, name="Boulangerie du Port")
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/admin/$"))

    # A change list with actions (admin/js/actions.js): "select all" ticks every row.
    page.goto(f"{live_server.url}/admin/employers/employer/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select").first.is_checked()
    assert page.locator(".action-counter").inner_text().startswith("1 of 1")

    # An add form with an autocomplete (select2, jQuery) and the date/time shortcuts.
    page.goto(f"{live_server.url}/admin/employers/contactperson/add/")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("Boul")
    page.get_by_role("option", name="Boulangerie du Port").click()
    assert "Boulangerie du Port" in page.locator(".select2-selection__rendered").first.inner_text()
    assert_no_violation(page)
    assert JobSeeker.objects.count() == 0
