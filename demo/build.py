"""Builds the demo program: the setup no service owns (the organisation, its teams and
staff) written directly, then the story played through the real services under a
moving frozen clock (demo/story.py, demo/driver.py)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from crm import clock as program_clock
from crm.models import Organisation, Team, User
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
            password=password,
        )
    for team in program["teams"]:
        teams[team["name"]].leader = staff[team["leader"]]
        teams[team["name"]].save(update_fields=["leader"])
    return organisation, staff


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
        return driver.counts()
