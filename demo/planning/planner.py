"""The planner: one Random, drawn in a fixed order by each part of the story."""

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

from demo.catalogue import Catalogue
from demo.planning.contacts import ContactPlanner
from demo.planning.employers import EmployerPlanner
from demo.planning.people import PeoplePlanner
from demo.planning.plan import ContactPlan, EmployerPlan, JobSeekerPlan, OpeningPlan, Plan
from demo.planning.reviews import ReviewPlanner
from demo.planning.support import SupportPlanner


class Planner(PeoplePlanner, EmployerPlanner, ContactPlanner, SupportPlanner, ReviewPlanner):
    """Draws the plan. Its parts (people, employers, contacts, support) share the state
    set up here; `plan()` calls them in a fixed order, so the one Random is drawn in the
    same order for a seed."""

    def __init__(self, *, seed: int, today: date, zone: ZoneInfo, catalogue: Catalogue):
        self.rng = random.Random(seed)
        self.today = today
        self.zone = zone
        self.data = catalogue
        self.towns = {town["postcode"]: town for town in catalogue.places["towns"]}
        self.used_employers: set[int] = set()
        self.used_names: set[tuple[str, str]] = set()
        self.plans: list[JobSeekerPlan] = []
        self.employers: list[EmployerPlan] = []
        self.contacts: list[ContactPlan] = []
        self.openings: list[OpeningPlan] = []
        self.busy: dict[tuple[str, date], list[tuple[datetime, datetime, bool]]] = {}
        self.contact_counts: dict[int, int] = {}
        self.visited: set[tuple[str, int]] = set()
        self.contact_days: dict[tuple[str, int], list[date]] = {}
        self.contacted: set[int] = set()
        self.prospects: list[int] = []
        self.stretches: list[list[tuple[date, date | None]]] = []
        self.caseloads: dict[str, list[int]] = {}
        self.benefits_outcomes: dict[int, str] = {}  # id(placement plan) -> how its benefits planning went

    def plan(self) -> Plan:
        self.plan_job_seekers()
        self.plan_employers()
        self.plan_employer_contacts()
        self.plan_support()
        self.plan_contact_timing()
        self.plan_disclosure_talks()
        self.plan_education()
        self.plan_employer_creation()
        reassignments = self.plan_reassignments()
        reviews = self.plan_fidelity_reviews()
        for plan in self.plans:
            self.draw_details(plan)
        start = min(plan.referral_date for plan in self.plans)
        start = min([start, *(employer.created_on for employer in self.employers)])
        return Plan(
            today=self.today,
            start=start,
            zone=self.zone,
            job_seekers=self.plans,
            employers=self.employers,
            contacts=sorted(self.contacts, key=lambda contact: contact.starts_at),
            openings=self.openings,
            reassignments=reassignments,
            reviews=reviews,
        )


def make_plan(*, seed: int, today: date, zone: ZoneInfo, catalogue: Catalogue) -> Plan:
    return Planner(seed=seed, today=today, zone=zone, catalogue=catalogue).plan()
