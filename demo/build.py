"""Builds the demo program: the setup no service owns (the organisation, its teams and
staff) written directly, then the story played through the real services under a
moving frozen clock (demo/story.py, demo/driver.py)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from crm import clock as program_clock
from crm import services as crm_services
from crm.models import JobSeeker, Organisation, Partner, Team, User
from demo.catalogue import Catalogue, catalogue
from demo.driver import Clock, Driver
from demo.planning import make_plan
from demo.story import Story

DEFAULT_SEED = 2026
DEMO_PASSWORD = "ips-demo-2026"  # noqa: S105 - a published demo login, printed on purpose
SETUP_TIME = time(8, 0)


def demo_organisation_slug() -> str:
    return catalogue().program["organisation"]["slug"]


def staff_usernames() -> list[str]:
    return [member["username"] for member in catalogue().program["staff"]]


def create_program(data: Catalogue) -> tuple[Organisation, dict[str, User]]:
    """The program, its teams and staff: set up by hand in a real program (no service
    owns them). Everyone shares the demo password (hashed once)."""
    program = data.program
    organisation = Organisation.objects.create(**program["organisation"])
    teams = {
        team["name"]: Team.objects.create(organisation=organisation, name=team["name"]) for team in program["teams"]
    }
    password = make_password(DEMO_PASSWORD)
    staff = {}
    for member in program["staff"]:
        staff[member["username"]] = User.objects.create(
            username=member["username"],
            first_name=member["first_name"],
            last_name=member["last_name"],
            email=f"{member['username']}@{program['email_domain']}",
            organisation=organisation,
            role=member["role"],
            team=teams[member["team"]] if member["team"] else None,
            is_staff=member["role"] == User.Role.PROGRAM_ADMIN,
            fte=Decimal(member.get("fte", "1.00")),
            password=password,
        )
    for team in program["teams"]:
        teams[team["name"]].leader = staff[team["leader"]]
        teams[team["name"]].save(update_fields=["leader"])
    for partner in program.get("partners", []):
        Partner.objects.create(
            organisation=organisation,
            name=partner["name"],
            kind=partner["kind"],
            referrals_to=staff[partner["referrals_to"]],
        )
    return organisation, staff


def share_with_partners(data: Catalogue, driver: Driver, today: date) -> None:
    """Consents recorded at the end of the story: each partner's `shared_with` first
    people who found a job (their specialist records it, as in the app), so a partner
    key sees placements and milestones at once."""
    for partner_data in data.program.get("partners", []):
        partner = Partner.objects.get(organisation=driver.organisation, name=partner_data["name"])
        people = (
            JobSeeker.objects.filter(organisation=driver.organisation, placements__isnull=False)
            .distinct()
            .order_by("pk")[: partner_data["shared_with"]]
        )
        for person in people:
            crm_services.sharing_consent_record(
                scope=driver.scope(person.specialist.username),
                job_seeker_id=person.pk,
                partner_id=partner.pk,
                consent={"consented_by": person.first_name, "consented_on": today, "shares_progress": True},
            )


def build_demo(*, seed: int = DEFAULT_SEED, today: date | None = None) -> dict[str, int]:
    """Create the demo program in one transaction; returns what was made. `today`
    defaults to today in the program's time zone: the story ends there."""
    data = catalogue()
    zone = ZoneInfo(data.program["organisation"]["time_zone"])
    today = today or timezone.localdate(timezone.now(), zone)
    plan = make_plan(seed=seed, today=today, zone=zone, catalogue=data)
    start = datetime.combine(plan.start - timedelta(days=1), SETUP_TIME, zone)
    with transaction.atomic(), Clock().frozen(start) as clock:
        organisation, staff = create_program(data)
        driver = Driver(organisation, staff, clock)
        with program_clock.in_program_zone(organisation), driver.watching_events():
            Story(driver, plan, seed=seed, catalogue=data).play()
            share_with_partners(data, driver, today)
        return driver.counts()
