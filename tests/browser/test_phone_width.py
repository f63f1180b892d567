"""No main page scrolls sideways on a 390-px phone, in English or in French.

Each role logs in and visits every main page at a 390x844 viewport; the document's
width (document.documentElement.scrollWidth) must fit the viewport. A wide table may
scroll inside its own box; the page itself may not. The records are built through the
services and factories with the long names and texts a French program has
(hyphenated names, long employer names and addresses, many benefits steps), so a page
that does not wrap them fails."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("taxonomies")]

PHONE = {"width": 390, "height": 844}

LONG_NOTE = (
    "Rendez-vous confirmé avec la responsable des ressources humaines : apporter l'attestation "
    "d'aménagement du poste de travail et le planning prévisionnel des horaires fractionnés."
)


@dataclass
class PhoneProgram:
    job_seeker_id: int
    employer_id: int
    opening_id: int
    placement_id: int
    review_id: int
    contact_id: int


def _in_program_zone(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def build_phone_program(organisation, specialist, leader, admin) -> PhoneProgram:
    """A program as a French team fills it: every main page has rows to show."""
    from crm.access import access_scope
    from crm.models import Industry, JobPreference, JobType
    from employers.models import JobOpening
    from jobdev import services as jobdev_services
    from jobdev.fidelity import services as fidelity_services
    from placements import services as placement_services
    from placements.models import BenefitsStep
    from tests.factories import (
        ContactPersonFactory,
        EmployerFactory,
        EmployerSiteFactory,
        JobSeekerFactory,
        SupportTaskFactory,
    )

    organisation.name = "Programme IPS Marseille-Provence-Métropole · Emploi accompagné et santé mentale"
    organisation.save()
    team = specialist.team
    team.name = "Équipe Nord-Littoral et quartiers prioritaires de la politique de la ville"
    team.save()
    for person, first, last in (
        (specialist, "Jean-Baptiste-Emmanuel", "de La Rochefoucauld-Montmorency"),
        (leader, "Marie-Françoise-Léopoldine", "Vandenberghe-Desrosiers"),
        (admin, "Anne-Charlotte-Bénédicte", "Castelnau-Lespinasse"),
    ):
        person.first_name, person.last_name = first, last
        person.save()
    scope = access_scope(specialist)
    today = timezone.localdate()
    baker = JobType.objects.get(code="baker")

    job_seeker = JobSeekerFactory(
        specialist=specialist,
        first_name="Marie-Clémence-Éléonore",
        last_name="Bouvier-Desrosiers-Vandenberghe",
        town="Saint-Rémy-de-Provence-sur-Durance",
        postcode="13210",
        status="job_search",
        job_search_since=today - datetime.timedelta(days=60),
        enrolment_date=today - datetime.timedelta(days=60),
        referral_date=today - datetime.timedelta(days=65),
        receives_benefits=True,
        latitude=Decimal("43.2965"),
        longitude=Decimal("5.3698"),
    )
    preference = JobPreference.objects.create(
        job_seeker=job_seeker,
        max_distance_km=15,
        places="Marseille 1er, 2e, 3e arrondissements, Aix-en-Provence, Aubagne, La Ciotat",
        things_to_avoid="Travail de nuit, port de charges lourdes, contact prolongé avec la clientèle en caisse",
    )
    preference.job_types.set([baker, JobType.objects.get(code="kitchen_helper")])
    others = [
        JobSeekerFactory(
            specialist=specialist,
            first_name=first,
            last_name=last,
            town="Châteauneuf-les-Martigues",
            status="job_search",
            job_search_since=today - datetime.timedelta(days=50),
        )
        for first, last in (
            ("Jean-Christophe", "Abdelkader-Benmansour"),
            ("Anne-Sophie", "Montgolfier-Lacroix-Saint-Hilaire"),
            ("Pierre-Alexandre", "Nguyen-Vandermeersch"),
        )
    ]
    employer = EmployerFactory(
        organisation=organisation,
        name="Établissements Boulangerie-Pâtisserie Artisanale Traditionnelle du Vieux-Port SARL",
        industry=Industry.objects.get(code="C"),
    )
    site = EmployerSiteFactory(
        employer=employer,
        address="Zone d'activités commerciales de la Valentine, 1274 boulevard de la Valentine",
        postcode="13011",
        town="Marseille 11e Arrondissement",
        latitude=Decimal("43.2990"),
        longitude=Decimal("5.3670"),
    )
    contact_person = ContactPersonFactory(
        employer=employer,
        name="Marie-Hélène Fontaine-Delacroix-Beauregard",
        role="Responsable des ressources humaines et de la formation professionnelle",
        email="marie-helene.fontaine-delacroix@boulangerie-artisanale-du-vieux-port.example.fr",
    )
    opening = JobOpening.objects.create(
        employer=employer,
        site=site,
        title="Aide-boulanger·ère polyvalent·e en laboratoire de fabrication (contrat à durée indéterminée)",
        job_type=baker,
        hours_per_week=24,
        hourly_pay=Decimal("12.50"),
        source="network",
        learned_on=today,
        note=LONG_NOTE,
    )
    for index in range(6):
        other_employer = EmployerFactory(
            organisation=organisation,
            name=f"Société Coopérative Ouvrière de Production Restauration Collective Méditerranée n°{index}",
            industry=Industry.objects.get(code="I"),
        )
        EmployerSiteFactory(
            employer=other_employer,
            address=f"{index + 3} avenue du Maréchal-de-Lattre-de-Tassigny",
            latitude=Decimal("43.30") + Decimal(index) / 1000,
            longitude=Decimal("5.37"),
        )

    # Employer contacts: held last week and planned this week, on behalf of the person.
    jobdev_services.employer_contact_log(
        scope=scope,
        employer_id=employer.pk,
        occurred_at=_in_program_zone(today - datetime.timedelta(days=7), 10),
        mode="in_person",
        purpose="on_behalf",
        job_seeker_ids=[job_seeker.pk, others[0].pk],
        contact_person_id=contact_person.pk,
        outcome={"result": LONG_NOTE, "learned_hiring_needs": LONG_NOTE},
    )
    for days in (1, 2):
        contact = jobdev_services.employer_contact_plan(
            scope=scope,
            employer_id=employer.pk,
            starts_at=_in_program_zone(today + datetime.timedelta(days=days), 9),
            ends_at=_in_program_zone(today + datetime.timedelta(days=days), 10),
            job_seeker_ids=[job_seeker.pk],
            site_id=site.pk,
            contact_person_id=contact_person.pk,
            next_step=LONG_NOTE,
        )

    # A job with many benefits steps and follow-along tasks.
    worker = others[1]
    placement = placement_services.placement_offer_accept(
        scope=scope,
        job_seeker_id=worker.pk,
        employer_id=employer.pk,
        offer={
            "job_title": "Employée polyvalente de restauration et de préparation en cuisine centrale",
            "is_competitive": True,
            "term": "permanent",
            "hours_per_week": Decimal("24"),
            "hourly_pay": Decimal("12.50"),
            "offer_date": today - datetime.timedelta(days=40),
            "expected_start_date": today - datetime.timedelta(days=35),
        },
    )
    placement_services.placement_start(
        scope=scope, placement_id=placement.pk, start_date=today - datetime.timedelta(days=35)
    )
    placement_services.follow_along_start(scope=scope, placement_id=placement.pk)
    for index, reason in enumerate(
        [BenefitsStep.Reason.BEFORE_START, BenefitsStep.Reason.TERMS_CHANGED, BenefitsStep.Reason.OTHER] * 2
    ):
        step = placement_services.benefits_step_create(
            scope=scope,
            job_seeker_id=worker.pk,
            placement_id=placement.pk,
            reason=reason,
            offered_on=today - datetime.timedelta(days=30 - index),
        )
        for _move in range(index % 3 + 1):
            placement_services.benefits_step_change_status(
                scope=scope, step_id=step.pk, note=LONG_NOTE, on=today - datetime.timedelta(days=20 - index)
            )
    for days in (3, 9, 16):
        SupportTaskFactory(
            job_seeker=worker,
            placement=placement,
            due_date=today - datetime.timedelta(days=days),
            title=f"Contact de suivi dans l'emploi avec {worker.full_name} sur le lieu de travail",
        )

    review = fidelity_services.fidelity_review_create(
        scope=access_scope(leader),
        review_date=today,
        period_from=today - datetime.timedelta(days=83),
        period_to=today,
        team_id=team.pk,
        reviewers="Marie-Françoise Vandenberghe-Desrosiers, Anne-Charlotte Castelnau-Lespinasse",
        notes=LONG_NOTE,
    )
    return PhoneProgram(job_seeker.pk, employer.pk, opening.pk, placement.pk, review.pk, contact.pk)


def main_pages(program: PhoneProgram, *, supervises: bool, program_wide: bool) -> list[str]:
    pages = [
        "/my-week/",
        "/tasks/",
        "/job-seekers/",
        f"/job-seekers/{program.job_seeker_id}/",
        "/employers/",
        f"/employers/{program.employer_id}/",
        f"/employer-contacts/employer/{program.employer_id}/",
        f"/employer-contacts/{program.contact_id}/",
        "/placements/",
        f"/placements/{program.placement_id}/",
        f"/matching/job-seeker/{program.job_seeker_id}/",
        f"/matching/opening/{program.opening_id}/",
        "/dashboard/",
        "/outcomes/",
        "/settings/calendar/",
        "/settings/api-tokens/",
    ]
    if supervises:
        pages += ["/tasks/team/", "/fidelity/", f"/fidelity/{program.review_id}/"]
    if program_wide:
        pages.append("/program/")
    return pages


@pytest.fixture
def phone_program(organisation, specialist_sam, leader_a, program_admin):
    return build_phone_program(organisation, specialist_sam, leader_a, program_admin)


def phone_page(browser, live_server, language: str):
    context = browser.new_context(
        locale="fr-FR" if language == "fr" else "en-GB", timezone_id="Europe/Paris", viewport=PHONE
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context, context.new_page()


def overflowing(page) -> dict:
    """The document's width, and the innermost elements that stick out of the viewport
    (not inside a box that scrolls and fits), to say what to fix."""
    return page.evaluate(
        """(limit) => {
          const width = document.documentElement.scrollWidth;
          const sticksOut = (element) => {
            if (element.getBoundingClientRect().right <= limit + 0.5) return false;
            // An absolutely positioned element escapes a box that scrolls unless that
            // box (or a box inside it) is its containing block.
            let escapes = getComputedStyle(element).position === "absolute";
            for (let parent = element.parentElement; parent; parent = parent.parentElement) {
              const style = getComputedStyle(parent);
              const scrolls = ["auto", "scroll", "hidden"].includes(style.overflowX);
              if (scrolls && !escapes && parent.getBoundingClientRect().right <= limit + 0.5) return false;
              if (style.position !== "static") escapes = false;
            }
            return true;
          };
          const out = [...document.body.querySelectorAll("*")].filter(sticksOut);
          const innermost = out.filter((element) => !out.some((other) => other !== element && element.contains(other)));
          const name = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
            + (typeof element.className === "string" && element.className.trim()
               ? "." + element.className.trim().split(/\\s+/).join(".") : "");
          return {
            width,
            culprits: innermost.slice(0, 6).map((element) =>
              `${name(element)} in ${name(element.parentElement)} right=${Math.round(element.getBoundingClientRect().right)}`),
          };
        }""",
        PHONE["width"],
    )


@pytest.mark.parametrize(
    ("username", "supervises", "program_wide"),
    [("sam", False, False), ("lea", True, False), ("ada", True, True)],
    ids=["specialist", "team-leader", "program-admin"],
)
def test_no_main_page_scrolls_sideways_on_a_phone(
    browser, live_server, phone_program, username, supervises, program_wide
):
    pages = main_pages(phone_program, supervises=supervises, program_wide=program_wide)
    too_wide = []
    for language in ("en", "fr"):
        context, page = phone_page(browser, live_server, language)
        try:
            log_in(page, live_server, username)
            for path in pages:
                response = page.goto(f"{live_server.url}{path}")
                if response.status != 200:
                    too_wide.append(f"{path} ({language}): answered {response.status}")
                    continue
                measured = overflowing(page)
                if measured["width"] > PHONE["width"]:
                    too_wide.append(f"{path} ({language}): {measured['width']} px; {measured['culprits']}")
        finally:
            context.close()
    assert not too_wide, "Pages wider than 390 px (or not shown):\n" + "\n".join(too_wide)


def test_the_header_menu_folds_on_a_phone_and_opens_with_its_button(browser, live_server, phone_program):
    context, page = phone_page(browser, live_server, "fr")
    try:
        log_in(page, live_server, "sam")
        toggle = page.locator("button.menu-toggle")
        nav = page.get_by_role("navigation", name="Navigation principale")
        assert toggle.get_attribute("aria-expanded") == "false"
        expect(nav).to_be_hidden()
        # The folded header takes a line, not half the screen.
        assert page.locator(".site-header").bounding_box()["height"] < 120
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        expect(nav.locator('a[href="/dashboard/"]')).to_be_visible()
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        expect(nav).to_be_hidden()
    finally:
        context.close()


def test_without_javascript_the_menu_is_shown_and_no_button_hides_it(browser, live_server, phone_program):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Paris", viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, live_server, "sam")
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Employers")).to_be_visible()
        assert page.locator(".menu-toggle").is_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
