"""Forms that help instead of defaulting wrong (issue 12, part 2), in a real browser:
the visit's nature suggested from the employer's history, site lists narrowed to the
chosen employer, the import confirmation rendered whole, a task marked done in place."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jobdev.models import EmployerContact
from placements.models import SupportTask
from tests.browser.conftest import log_in
from tests.factories import (
    ContactPersonFactory,
    EmployerContactFactory,
    EmployerFactory,
    EmployerSiteFactory,
    JobSeekerFactory,
    SupportTaskFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("taxonomies")]

NOT_LOGIN = re.compile(r"^(?!.*/login/).*$")


def _held(employer, specialist, days_ago):
    starts_at = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=days_ago)
    return EmployerContactFactory(specialist=specialist, employer=employer, starts_at=starts_at, status="held")


def test_a_visit_to_an_employer_with_history_gets_the_suggested_nature(page, live_server, specialist_sam):
    organisation = specialist_sam.organisation
    EmployerFactory(organisation=organisation, name="Atelier Neuf")
    known = EmployerFactory(organisation=organisation, name="Boulangerie du Port")
    _held(known, specialist_sam, days_ago=20)
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/employer-contacts/plan/")
    nature = page.get_by_label("Nature")
    assert nature.input_value() == ""  # nothing preselected before the employer is known
    page.locator("#id_employer").select_option(label="Boulangerie du Port")
    page.get_by_text("Suggested from 1 earlier contact with this employer: second meeting.").wait_for()
    assert page.get_by_label("Nature").input_value() == "second"
    page.locator("#id_employer").select_option(label="Atelier Neuf")
    page.get_by_text("No earlier contact with this employer: suggested first meeting.").wait_for()
    assert page.get_by_label("Nature").input_value() == "first"
    page.locator("#id_employer").select_option(label="Boulangerie du Port")
    page.get_by_text("Suggested from 1 earlier contact").wait_for()
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_label("From").fill("14:00")
    page.get_by_label("To").fill("15:00")
    page.get_by_label("Purpose").select_option("relationship")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/my-week/\?week=.*"))
    expect(page.get_by_text("Visit planned.")).to_be_visible()
    assert EmployerContact.objects.get(status="planned").nature == "second"


def test_the_site_list_narrows_to_the_chosen_employer(page, live_server, specialist_sam):
    organisation = specialist_sam.organisation
    port = EmployerFactory(organisation=organisation, name="Boulangerie du Port")
    EmployerSiteFactory(employer=port, name="Quai", address="1 quai du Port")
    ContactPersonFactory(employer=port, name="Claire Martin")
    hotel = EmployerFactory(organisation=organisation, name="Hôtel Belle-Vue")
    EmployerSiteFactory(employer=hotel, name="Plage", address="5 plage des Catalans")
    EmployerSiteFactory(employer=hotel, name="Gare", address="2 rue de la Gare")
    ContactPersonFactory(employer=hotel, name="Louis Garnier")
    log_in(page, live_server, "sam")

    page.goto(f"{live_server.url}/employer-contacts/plan/")
    site, person = page.locator("#id_site option"), page.locator("#id_contact_person option")
    assert site.all_inner_texts() == ["Choose the employer first"]
    page.locator("#id_employer").select_option(label="Hôtel Belle-Vue")
    expect(page.locator("#id_site option")).to_have_count(3)
    assert [text.split(",")[0] for text in site.all_inner_texts()] == ["—", "Gare", "Plage"]
    expect(page.locator("#id_contact_person option")).to_have_count(2)
    assert person.all_inner_texts()[1].startswith("Louis Garnier")
    page.locator("#id_employer").select_option(label="Boulangerie du Port")
    expect(page.locator("#id_site option")).to_have_count(2)
    assert [text.split(",")[0] for text in site.all_inner_texts()] == ["—", "Quai"]

    # The job-offer form narrows its site list the same way.
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    page.goto(f"{live_server.url}/placements/job-seeker/{job_seeker.pk}/new/")
    page.locator("#id_employer").select_option(label="Hôtel Belle-Vue")
    expect(page.locator("#id_site option")).to_have_count(3)
    assert [text.split(",")[0] for text in site.all_inner_texts()] == ["—", "Gare", "Plage"]


def test_the_import_confirmation_page_renders_whole(page, live_server, specialist_sam, tmp_path):
    csv = tmp_path / "employers.csv"
    csv.write_text("name,address,postcode,town\nBoulangerie du Port,1 quai du Port,13002,Marseille\n")
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/employers/import/")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Check the import").wait_for()
    page.get_by_role("button", name="Import 1 employer").click()
    page.wait_for_url(re.compile(r".*/employers/$"))
    page.get_by_text("1 employer imported").wait_for()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert page.get_by_role("heading", level=1).count() == 1
    expect(page.get_by_role("link", name="Boulangerie du Port")).to_be_visible()
    # The whole page, once: not the bare rows, and no page nested in the page.
    assert page.get_by_role("navigation", name="Main").count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "Employers"


def test_mark_as_done_says_so_in_place(page, live_server, specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")
    task = SupportTaskFactory(
        job_seeker=job_seeker, kind=SupportTask.Kind.OTHER, title="Call the job centre about Nadia"
    )
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/tasks/")
    row = page.locator(f"#task-{task.pk}")
    row.get_by_label("How").select_option("phone")
    row.get_by_role("button", name="Mark as done").click()
    status = page.locator(f"#task-{task.pk} [role=status]")
    status.wait_for()
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert status.inner_text() == f"Marked as done: Call the job centre about Nadia, on {today}."
    expect(page.locator(f"#task-{task.pk}").get_by_text(f"Done on {today}")).to_be_visible()
    assert page.locator(f"#task-{task.pk}").get_by_role("button", name="Mark as done").count() == 0
    task.refresh_from_db()
    assert task.status == "done"
