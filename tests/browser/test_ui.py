"""A specialist's first session, as a person would do it, in a real browser."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from crm.models import JobSeeker
from employers.models import Employer
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("taxonomies")]


def test_log_in_and_create_a_job_seeker_with_preferences(page, live_server, specialist_sam):
    log_in(page, live_server, "sam")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Job seekers").click()  # sam lands on My week
    page.get_by_role("link", name="Add a job seeker").click()
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Benali")
    page.get_by_label("Referral date").fill("2026-10-01")
    page.get_by_label("Enrolment date").fill("2026-10-06")
    page.get_by_label("Receives benefits").select_option("yes")
    page.get_by_label("Job types wanted").select_option(label="Baker or pastry cook")
    page.get_by_label("Minimum hours per week").fill("15")
    page.get_by_label("Maximum hours per week").fill("25")
    page.get_by_label("Monday").check()
    page.get_by_label("Morning").check()
    page.get_by_label("Work goal").fill("Travailler en boulangerie")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/job-seekers/\d+/$"))
    expect(page.get_by_role("heading", name=re.compile("Nadia Benali"))).to_be_visible()
    expect(page.get_by_text("Baker or pastry cook")).to_be_visible()
    job_seeker = JobSeeker.objects.get(last_name="Benali")
    assert job_seeker.job_preference.days == ["mon"]


def test_bad_input_is_shown_next_to_the_field(page, live_server, specialist_sam):
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/job-seekers/new/")
    page.get_by_label("Last name").fill("Benali")
    page.get_by_label("Referral date").fill("2026-10-10")
    page.get_by_label("Enrolment date").fill("2026-10-01")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#id_first_name_error").inner_text() == "This field is required."
    assert "cannot be before the referral date" in page.locator("#id_enrolment_date_error").inner_text()
    assert not JobSeeker.objects.exists()


def test_create_an_employer_with_a_site_and_a_contact_person(page, live_server, specialist_sam):
    log_in(page, live_server, "sam")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Employers").click()
    page.get_by_role("link", name="Add an employer").click()
    page.locator("#id_name").fill("Boulangerie Le Panier")
    page.get_by_label("Industry").select_option(label="Manufacturing")
    page.get_by_label("Address").fill("3 place de Lenche")
    page.get_by_label("Postcode").fill("13002")
    page.get_by_label("Town").fill("Marseille")
    page.locator("#id_contact-name").fill("Claire Martin")
    page.locator("#id_contact-role").fill("Gérante")
    page.get_by_label("Has hiring authority").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/employers/\d+/$"))
    expect(page.get_by_text("3 place de Lenche", exact=False).first).to_be_visible()
    expect(page.locator("strong", has_text="Claire Martin")).to_be_visible()
    employer = Employer.objects.get()
    assert employer.sites.count() == 1 and employer.contact_persons.get().has_hiring_authority


def test_switch_to_french_shows_french_labels(page, live_server, specialist_sam):
    log_in(page, live_server, "sam")
    with page.expect_navigation():
        page.get_by_label("Language").select_option("fr")
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Demandeurs d'emploi")).to_be_visible()
    expect(nav.get_by_role("link", name="Employeurs")).to_be_visible()
    page.goto(f"{live_server.url}/job-seekers/new/")
    expect(page.get_by_label("Prénom")).to_be_visible()
    expect(page.get_by_label("Date d'orientation")).to_be_visible()


def test_start_a_placement_and_see_follow_along_tasks_appear(page, live_server, specialist_sam, worker):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from crm.access import access_scope
    from placements import services
    from tests.factories import EmployerFactory, JobSeekerFactory

    job_seeker = JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")
    employer = EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")
    today = timezone.localdate()
    placement = services.placement_offer_accept(
        scope=access_scope(specialist_sam),
        job_seeker_id=job_seeker.pk,
        employer_id=employer.pk,
        offer={
            "job_title": "Vendeuse",
            "is_competitive": True,
            "term": "permanent",
            "hours_per_week": Decimal("20"),
            "offer_date": today,
            "expected_start_date": today + datetime.timedelta(days=2),
        },
    )
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/placements/{placement.pk}/")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_role("button", name="Record the job start").click()
    page.wait_for_url(re.compile(rf".*/placements/{placement.pk}/$"))
    expect(page.get_by_text("Job start recorded")).to_be_visible()
    first_contact = "Follow-along contact with Nadia Benali"
    for _ in range(20):  # the worker handles the event in the background
        if page.locator("ul.tasks").get_by_text(first_contact, exact=True).count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(page.locator("ul.tasks").get_by_text(first_contact, exact=True)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My tasks").click()
    page.wait_for_url(re.compile(r".*/tasks/$"))
    # Disclosure was talked over at enrolment (the factory's preference): the offer planned the adjustments talk.
    adjustments_talk = page.get_by_text("Talk with Nadia Benali about workplace adjustments", exact=False)
    for _ in range(20):  # the offer's event may be handled after the start's
        if adjustments_talk.count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(adjustments_talk.first).to_be_visible()


def test_plan_a_visit_from_a_match_hold_it_and_see_the_dashboard_count_it(page, live_server, specialist_sam, leader_a):
    from decimal import Decimal

    from django.utils import timezone

    from crm.models import Industry, JobPreference, JobType
    from employers.models import JobOpening
    from jobdev.models import EmployerContact
    from tests.factories import EmployerFactory, EmployerSiteFactory, JobSeekerFactory

    job_seeker = JobSeekerFactory(
        specialist=specialist_sam,
        first_name="Nadia",
        last_name="Benali",
        status="job_search",
        latitude=Decimal("43.2965"),
        longitude=Decimal("5.3698"),
    )
    preference = JobPreference.objects.create(job_seeker=job_seeker, max_distance_km=10)
    preference.job_types.set([JobType.objects.get(code="baker")])
    employer = EmployerFactory(
        organisation=specialist_sam.organisation, name="Boulangerie du Panier", industry=Industry.objects.get(code="C")
    )
    EmployerSiteFactory(employer=employer, latitude=Decimal("43.2990"), longitude=Decimal("5.3670"))
    JobOpening.objects.create(
        employer=employer,
        title="Aide-boulanger",
        job_type=JobType.objects.get(code="baker"),
        source="network",
        learned_on=timezone.localdate(),
    )

    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/job-seekers/{job_seeker.pk}/")
    page.get_by_role("link", name="Matching employers").click()
    page.get_by_role("link", name="Plan a visit for Nadia Benali").first.click()
    page.wait_for_url(re.compile(r".*/employer-contacts/plan/.*"))
    # Earlier today, whatever the hour the suite runs at: a visit is held once begun.
    now = timezone.localtime()
    begun = max(now.replace(hour=0, minute=0, second=0, microsecond=0), now - datetime.timedelta(hours=1))
    begun = begun.replace(minute=begun.minute // 15 * 15, second=0, microsecond=0)
    page.get_by_label("Date").fill(begun.date().isoformat())
    page.get_by_label("From").fill(f"{begun:%H:%M}")
    page.get_by_label("To").fill(f"{begun + datetime.timedelta(minutes=45):%H:%M}")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/my-week/\?week=.*"))
    page.get_by_role("link", name=re.compile("Boulangerie du Panier")).click()
    page.get_by_label("Hiring needs learned").fill("Two bakers' helpers for the summer")
    page.get_by_label("Result").fill("Will meet Nadia next week")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_text("Outcome recorded.")).to_be_visible()
    assert EmployerContact.objects.get().status == "held"

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "lea")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team dashboard").click()
    year, week, _day = timezone.localdate().isocalendar()
    row = page.locator("table tr", has=page.locator(f"th:text-is('{year}-W{week:02d}')")).first
    assert row.locator("td").nth(1).inner_text() == "1"
