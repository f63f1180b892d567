"""The outcomes page (jobdev/outcomes.py, docs/outcomes.md): the standard outcome
measures, the supervisor's monthly view and the job ends, proven on a story built
through the services, day after day under a frozen clock (program time zone
Europe/Paris), with every expected value worked out by hand below.

The program (tests/conftest.py): team A = leader Léa (no caseload), specialists Sam and
Sofia; team B = leader Bruno, specialist Bob; program admin Ada; Lyon's Louis elsewhere.

The story (dates 2025-2026; "h" hours a week, "€" hourly pay; every job competitive):

  Sam's caseload
    Emma    enrolled 2025-10-01, closed 2026-02-10 (before the period: not counted)
    Amina   enrolled 2025-12-01; job 1 offered 12-15, started 2026-01-05, 20 h at 12.00 €,
            from 04-01 25 h at 12.50 € (change recorded 04-01); still working.
            In education from 03-10, no longer from 05-04 (after the period).
    David   enrolled 2026-01-05, never works; in education from 03-05; closed 04-15.
    Bilal   enrolled 2026-01-12; job 1 offered 01-14, started 01-19, 30 h at 11.00 €,
            ended 03-13 (fired): job-end contact done in person 03-16, report written
            03-18 (it says face to face on 03-17). Job 2 offered 04-01, started 04-06,
            15 h at 11.50 €; still working.
    Chloé   enrolled 2026-02-02; job 1 (temporary) offered 03-02, started 03-09, 10 h at
            12.00 €, at employer "@Cuisine centrale"; ended 04-10 (temporary job ended):
            job-end contact done by phone 04-13 (not face to face), report written 04-24
            (it says face to face on 04-15). In education from 04-20.
  Sofia's caseload
    Gaëlle  enrolled 2025-11-03; job offered 11-24, started 12-01, 35 h at 13.00 €, ended
            2026-02-27 (laid off), before the period and before its day 90 (03-01).
    Farid   enrolled 2026-03-09; job offered 04-13, started 04-20, hours and pay not
            recorded; ended 05-08 (quit for health reasons), after the period.
    Hugo    referred 2026-03-02, never enrolled (not on the caseload).
  Bob's caseload (team B)
    Ines    enrolled 2026-01-26; job offered 02-23, started 03-02, 20 h at 12.00 €.
  Employer contacts held (all on behalf of the specialist's own job seekers, unless
  said): Sam 02-20 in person (before the period); 03-03, 03-11, 03-20 in person, 03-24
  by phone; 04-08, 04-21 in person. Sofia 03-12 in person, 03-19 made by Farid alone
  (mode "job seeker"); 04-07, 04-14 in person. Léa 03-06 in person, relationship-
  building. Bob 03-04 in person. A contact Sam plans for 05-20 is not held.

Period: 2026-03-01 to 2026-04-30 (61 days); today 2026-05-11. Team A's figures (Léa):

  On the caseload during the period: Amina, Bilal, Chloé, David, Farid, Gaëlle = 6.
  Employed at any time: Amina, Bilal, Chloé, Farid = 4 of 6 = 66.7 % (IPS Works:
    excellent, >= 50 %; meets the program's 40 % target).
  Days to first job (first job since enrolment started in the period): Chloé 02-02 ->
    03-09 = 35, Farid 03-09 -> 04-20 = 42: mean 38.5, median 38.5.
  Days worked in the period: Amina 61; Bilal 03-01..03-13 = 13 + 04-06..04-30 = 25 = 38;
    Chloé 03-09..04-10 = 23 + 10 = 33; Farid 04-20..04-30 = 11. Total 143 days = 20.4
    weeks; mean per person employed 143 / 4 / 7 = 5.1 weeks.
  Longest job, start to end or 04-30: Amina 01-05..04-30 = 27 + 28 + 31 + 30 = 116 days;
    Bilal job 1 01-19..03-13 = 13 + 28 + 13 = 54; Chloé 33; Farid 11. Mean 214 / 4 / 7
    = 7.6 weeks; median (33 + 54) / 2 / 7 = 6.2 weeks.
  Hours per week, per job over its days: Amina (20 x 31 + 25 x 30) / 61 = 22.459, Bilal
    30 and 15, Chloé 10 (Farid: none recorded). Mean 77.459 / 4 = 19.4.
  Hours worked: (620 + 750 + 30 x 13 + 15 x 25 + 10 x 33) / 7 = 2465 / 7 = 352.1; mean
    over the 3 people with hours 117.4.
  Wages: (20 x 12 x 31 + 25 x 12.5 x 30 + 30 x 11 x 13 + 15 x 11.5 x 25 + 10 x 12 x 33)
    / 7 = 29377.5 / 7 = 4196.79 €; per person: Amina 16815 / 7 = 2402.14, Bilal
    8602.5 / 7 = 1228.93, Chloé 3960 / 7 = 565.71; mean 4196.79 / 3 = 1398.93.
  20 hours a week or more: Amina (20), Bilal (30) of Amina, Bilal, Chloé = 2 of 3.
  Still working after 13 weeks: day 90 in the period for Gaëlle (12-01 + 90 = 03-01,
    ended 02-27: no), Amina (04-05: yes), Bilal job 1 (04-19, ended 03-13: no) = 1 of 3.
  Job ends: Bilal 03-13: face to face 03-16 (the task; the report's 03-17 is later) =
    3 days, within 3; report 03-18 = 5 days, within 7. Chloé 04-10: face to face 04-15
    (the report; the phone call does not count) = 5 days, late; report 04-24 = 14
    days, late. 1 of 2 each.
  Monthly view (caseload read at the end of 03-31 and 04-30):
    March: contacts held by staff 6 (Sam 4, Sofia 1, Léa 1), in person 5 (not the phone
      call), made by the job seeker alone 1 (Farid's 03-19, logged by Sofia: apart);
      specialists 2 (Sam, Sofia: active specialists; Léa is a team leader with nobody
      on her caseload in March, so not one), per specialist (4 + 1) / 2 = 2.5 (Léa's
      contact is not a specialist's); starts 1 (Chloé);
      caseload 6 (Sam: Amina, Bilal, Chloé, David; Sofia: Farid, Gaëlle), working 2
      (Amina, Chloé) = 33.3 %, in education 2 (Amina, David) = 33.3 %; day 90: 1
      (Gaëlle), retained 0; job ends 1 (fired); left 0.
    April: contacts 4 (Sam 2, Sofia 2), all in person, none by a job seeker alone;
      specialists 2, per specialist 4 / 2 = 2.0; starts 2
      (Bilal, Farid); caseload 5 (David left), working 3 (Amina, Bilal, Farid) = 60 %,
      in education 2 (Amina, Chloé) = 40 %; day 90: 2 (Amina yes, Bilal no); job ends
      1 (temporary job ended); left 1 (David).
Whole program (Ada): Ines too: 7 on the caseload, 5 employed (71.4 %); first jobs 35
  (Chloé), 35 (Ines: 01-26 -> 03-02), 42 (Farid): mean 37.3, median 35.
Sam's own figures: Amina, Bilal, Chloé, David = 4 on the caseload, 3 employed (75 %).
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from crm import events
from crm import services as crm_services
from crm.access import access_scope
from crm.models import Organisation, OutboxEvent, Team, User
from jobdev import services as jobdev_services
from jobdev.dashboard import DashboardFilters
from jobdev.outcomes import TABLES, Job, Outcomes, ips_works_level, job_terms, outcomes_table
from placements import services as placement_services
from placements.models import Placement, SupportTask
from tests.factories import EmployerFactory, OrganisationFactory, TeamFactory, UserFactory

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 5, 11)
PERIOD = {"date_from": "2026-03-01", "date_to": "2026-04-30"}


def d(year, month, day):
    return datetime.date(year, month, day)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


class Story:
    """Drives the services as the program's staff would, the clock moved to each day."""

    def __init__(self, traveller, handle_events, organisation):
        self.traveller = traveller
        self.handle_events = handle_events
        self.employers = {}
        self.organisation = organisation
        self.people = {}
        self.jobs = {}

    def on(self, day: datetime.date, hour: int = 10):
        self.traveller.move_to(datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS))

    def employer(self, name):
        if name not in self.employers:
            self.employers[name] = EmployerFactory(organisation=self.organisation, name=name)
        return self.employers[name]

    def enrol(self, user, name, day, *, enrolled=True):
        self.on(day)
        first, last = name.split()
        details = {
            "first_name": first,
            "last_name": last,
            "referral_date": day,
            "enrolment_date": day if enrolled else None,
            "disclosure_preference": "partial",
            "receives_benefits": "no",
        }
        person = crm_services.job_seeker_create(scope=access_scope(user), details=details)
        self.handle_events()
        self.people[first] = person
        return person

    def offer(self, user, key, first_name, employer, day, *, start, hours, pay, term="permanent"):
        self.on(day)
        offer = {
            "job_title": "Agent",
            "hours_per_week": None if hours is None else Decimal(hours),
            "hourly_pay": None if pay is None else Decimal(pay),
            "is_competitive": True,
            "term": term,
            "offer_date": day,
            "expected_start_date": start,
        }
        placement = placement_services.placement_offer_accept(
            scope=access_scope(user),
            job_seeker_id=self.people[first_name].pk,
            employer_id=self.employer(employer).pk,
            offer=offer,
        )
        self.handle_events()
        self.jobs[key] = placement
        return placement

    def start(self, user, key, day):
        self.on(day)
        placement_services.placement_start(scope=access_scope(user), placement_id=self.jobs[key].pk, start_date=day)
        self.handle_events()

    def change_terms(self, user, key, day, *, hours, pay):
        self.on(day)
        placement_services.placement_change_terms(
            scope=access_scope(user),
            placement_id=self.jobs[key].pk,
            hours_per_week=Decimal(hours),
            hourly_pay=Decimal(pay),
            effective_on=day,
        )
        self.handle_events()

    def end(self, user, key, day, reason):
        self.on(day)
        placement_services.placement_end(
            scope=access_scope(user), placement_id=self.jobs[key].pk, end_date=day, end_reason=reason
        )
        self.handle_events()

    def job_end_contact(self, user, key, day, mode):
        self.on(day)
        task = self.jobs[key].support_tasks.get(kind=SupportTask.Kind.JOB_END_CONTACT, status="open")
        placement_services.support_task_complete(scope=access_scope(user), task_id=task.pk, completed_on=day, mode=mode)
        self.handle_events()

    def job_end_report(self, user, key, day, face_to_face_on):
        self.on(day)
        placement_services.job_end_report_save(
            scope=access_scope(user),
            placement_id=self.jobs[key].pk,
            report={"face_to_face_contact_on": face_to_face_on, "wants_another_job": True},
        )
        self.handle_events()

    def in_education(self, user, first_name, day, value):
        self.on(day)
        crm_services.job_seeker_update(
            scope=access_scope(user), job_seeker_id=self.people[first_name].pk, details={"in_education": value}
        )
        self.handle_events()

    def close(self, user, first_name, day):
        self.on(day)
        crm_services.job_seeker_change_status(
            scope=access_scope(user), job_seeker_id=self.people[first_name].pk, status="closed", note="Moved away"
        )
        self.handle_events()

    def contact(self, user, day, *, mode="in_person", for_=(), hour=10):
        self.on(day, hour=hour + 1)
        purpose = "on_behalf" if for_ else "relationship"
        jobdev_services.employer_contact_log(
            scope=access_scope(user),
            employer_id=self.employer("Boulangerie du Port").pk,
            occurred_at=datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS),
            mode=mode,
            purpose=purpose,
            job_seeker_ids=[self.people[name].pk for name in for_],
        )
        self.handle_events()

    def plan_contact(self, user, day, when: datetime.date, *, for_=()):
        self.on(day)
        starts_at = datetime.datetime.combine(when, datetime.time(10), tzinfo=PARIS)
        jobdev_services.employer_contact_plan(
            scope=access_scope(user),
            employer_id=self.employer("Boulangerie du Port").pk,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1),
            job_seeker_ids=[self.people[name].pk for name in for_],
        )


def dispatch_pending_events():
    """Every pending event handled in this thread, as a worker would (tests/conftest.py's
    handle_events, for a fixture built once per module)."""
    for _round in range(10):
        pending = list(
            OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).order_by("pk").values_list("pk", flat=True)
        )
        if not pending:
            return
        for event_id in pending:
            events.dispatch(event_id)


@dataclass
class Program:
    """The program and its staff (as tests/conftest.py names them), and the story."""

    organisation: Organisation
    other_organisation: Organisation
    team_a: Team
    lea: User
    sam: User
    sofia: User
    bruno: User
    bob: User
    ada: User
    story: Story


def _leader(team, username, first_name):
    leader = UserFactory(
        username=username, first_name=first_name, organisation=team.organisation, role=User.Role.TEAM_LEADER, team=team
    )
    team.leader = leader
    team.save()
    return leader


def build_program() -> Program:
    organisation = OrganisationFactory(name="IPS Marseille", slug="ips-marseille-outcomes")
    other = OrganisationFactory(name="IPS Lyon", slug="ips-lyon-outcomes")
    team_a = TeamFactory(organisation=organisation, name="Team A")
    team_b = TeamFactory(organisation=organisation, name="Team B")
    lea, bruno = _leader(team_a, "lea", "Léa"), _leader(team_b, "bruno", "Bruno")
    sam = UserFactory(username="sam", first_name="Sam", organisation=organisation, team=team_a)
    sofia = UserFactory(username="sofia", first_name="Sofia", organisation=organisation, team=team_a)
    bob = UserFactory(username="bob", first_name="Bob", organisation=organisation, team=team_b)
    ada = UserFactory(username="ada", first_name="Ada", organisation=organisation, role=User.Role.PROGRAM_ADMIN)
    with time_machine.travel(datetime.datetime(2025, 10, 1, 10, tzinfo=PARIS), tick=False) as traveller:
        s = Story(traveller, dispatch_pending_events, organisation)
        s.enrol(sam, "Emma Roux", d(2025, 10, 1))
        s.enrol(sofia, "Gaëlle Morel", d(2025, 11, 3))
        s.offer(
            sofia, "gaelle", "Gaëlle", "Hôtel Bellevue", d(2025, 11, 24), start=d(2025, 12, 1), hours=35, pay="13.00"
        )
        s.enrol(sam, "Amina Diallo", d(2025, 12, 1))
        s.start(sofia, "gaelle", d(2025, 12, 1))
        s.offer(
            sam, "amina", "Amina", "Boulangerie du Port", d(2025, 12, 15), start=d(2026, 1, 5), hours=20, pay="12.00"
        )
        s.start(sam, "amina", d(2026, 1, 5))
        s.enrol(sam, "David Petit", d(2026, 1, 5))
        s.enrol(sam, "Bilal Haddad", d(2026, 1, 12))
        s.offer(sam, "bilal1", "Bilal", "Garage Sud", d(2026, 1, 14), start=d(2026, 1, 19), hours=30, pay="11.00")
        s.start(sam, "bilal1", d(2026, 1, 19))
        s.enrol(bob, "Ines Garcia", d(2026, 1, 26))
        s.enrol(sam, "Chloé Martin", d(2026, 2, 2))
        s.close(sam, "Emma", d(2026, 2, 10))
        s.contact(sam, d(2026, 2, 20), for_=["David"])
        s.offer(bob, "ines", "Ines", "Pharmacie Nord", d(2026, 2, 23), start=d(2026, 3, 2), hours=20, pay="12.00")
        s.end(sofia, "gaelle", d(2026, 2, 27), "laid_off")
        # The period: March and April 2026.
        s.offer(
            sam, "chloe", "Chloé", "@Cuisine centrale", d(2026, 3, 2), start=d(2026, 3, 9), hours=10, pay="12.00",
            term="temporary",
        )  # fmt: skip
        s.start(bob, "ines", d(2026, 3, 2))
        s.enrol(sofia, "Hugo Blanc", d(2026, 3, 2), enrolled=False)
        s.contact(sam, d(2026, 3, 3), for_=["Chloé"])
        s.contact(bob, d(2026, 3, 4), for_=["Ines"])
        s.in_education(sam, "David", d(2026, 3, 5), True)
        s.contact(lea, d(2026, 3, 6))
        s.start(sam, "chloe", d(2026, 3, 9))
        s.enrol(sofia, "Farid Benali", d(2026, 3, 9))
        s.in_education(sam, "Amina", d(2026, 3, 10), True)
        s.contact(sam, d(2026, 3, 11), for_=["David"])
        s.contact(sofia, d(2026, 3, 12), for_=["Farid"])
        s.end(sam, "bilal1", d(2026, 3, 13), "fired")
        s.job_end_contact(sam, "bilal1", d(2026, 3, 16), "in_person")
        s.job_end_report(sam, "bilal1", d(2026, 3, 18), face_to_face_on=d(2026, 3, 17))
        s.contact(sofia, d(2026, 3, 19), mode="job_seeker", for_=["Farid"])
        s.contact(sam, d(2026, 3, 20), for_=["Bilal"])
        s.contact(sam, d(2026, 3, 24), mode="phone", for_=["David"])
        s.change_terms(sam, "amina", d(2026, 4, 1), hours=25, pay="12.50")
        s.offer(sam, "bilal2", "Bilal", "Garage Sud", d(2026, 4, 1), start=d(2026, 4, 6), hours=15, pay="11.50")
        s.start(sam, "bilal2", d(2026, 4, 6))
        s.contact(sofia, d(2026, 4, 7), for_=["Gaëlle"])
        s.contact(sam, d(2026, 4, 8), for_=["David"])
        s.end(sam, "chloe", d(2026, 4, 10), "temporary_ended")
        s.job_end_contact(sam, "chloe", d(2026, 4, 13), "phone")
        s.offer(sofia, "farid", "Farid", "Hôtel Bellevue", d(2026, 4, 13), start=d(2026, 4, 20), hours=None, pay=None)
        s.contact(sofia, d(2026, 4, 14), for_=["Farid"])
        s.close(sam, "David", d(2026, 4, 15))
        s.start(sofia, "farid", d(2026, 4, 20))
        s.in_education(sam, "Chloé", d(2026, 4, 20), True)
        s.contact(sam, d(2026, 4, 21), for_=["Chloé"])
        s.job_end_report(sam, "chloe", d(2026, 4, 24), face_to_face_on=d(2026, 4, 15))
        # After the period.
        s.plan_contact(sam, d(2026, 4, 30), d(2026, 5, 20), for_=["Chloé"])
        s.in_education(sam, "Amina", d(2026, 5, 4), False)
        s.end(sofia, "farid", d(2026, 5, 8), "quit_health")
    return Program(organisation, other, team_a, lea, sam, sofia, bruno, bob, ada, s)


@pytest.fixture(scope="module")
def program(django_db_setup, django_db_blocker):
    """The story, built once for the module (it takes a few seconds through the
    services) in a transaction rolled back at the module's end; each test runs in a
    savepoint of it (pytest-django's `db`), so a test's own changes are undone too."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_program()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def today(program, db):
    with time_machine.travel(
        datetime.datetime.combine(TODAY, datetime.time(10), tzinfo=PARIS), tick=False
    ) as traveller:
        yield traveller


def outcomes_for(user, *, date_from=None, date_to=None, **filters) -> Outcomes:
    filters = DashboardFilters(date_from=date_from or d(2026, 3, 1), date_to=date_to or d(2026, 4, 30), **filters)
    return Outcomes(access_scope(user), filters, today=TODAY)


def measure(outcomes, key):
    return next(m for m in outcomes.measures if m.key == key)


def by_name(rows, person_of):
    return {person_of(row).first_name: row for row in rows}


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


class TestStandardMeasures:
    def test_team_leader_reads_the_team_figures_worked_out_by_hand(self, program):
        outcomes = outcomes_for(program.lea)
        assert sorted(person.first_name for person in outcomes.people) == [
            "Amina", "Bilal", "Chloé", "David", "Farid", "Gaëlle",
        ]  # fmt: skip
        employed = measure(outcomes, "employed")
        assert (employed.share.numerator, employed.share.denominator, employed.value) == (4, 6, 66.7)
        assert (employed.level, employed.meets) == ("excellent", True)
        days = measure(outcomes, "days_to_first_job")
        assert (days.value, days.second_value) == (38.5, 38.5)
        assert [(p.first_name, p.days_to_first_job) for p in outcomes.first_jobs] == [("Chloé", 35), ("Farid", 42)]
        weeks = measure(outcomes, "weeks_worked")
        assert (weeks.value, weeks.second_value) == (20.4, 5.1)
        tenure = measure(outcomes, "longest_job_tenure")
        assert (tenure.value, tenure.second_value) == (7.6, 6.2)
        assert measure(outcomes, "hours_per_week").value == 19.4
        hours = measure(outcomes, "hours_worked")
        assert (hours.value, hours.second_value) == (352.1, 117.4)
        wages = measure(outcomes, "wages")
        assert (wages.value, wages.second_value) == (Decimal("4196.79"), Decimal("1398.93"))
        twenty = measure(outcomes, "twenty_hours")
        assert (twenty.share.numerator, twenty.share.denominator) == (2, 3)
        retention = measure(outcomes, "retention_90_days")
        assert (retention.share.numerator, retention.share.denominator, retention.value) == (1, 3, 33.3)
        assert retention.meets is False

    def test_each_worker_adds_up_their_own_days_hours_and_wages(self, program):
        workers = by_name(outcomes_for(program.lea).workers, lambda worker: worker.person)
        assert {name: worker.days_worked for name, worker in workers.items()} == {
            "Amina": 61, "Bilal": 38, "Chloé": 33, "Farid": 11,
        }  # fmt: skip
        assert {name: worker.longest_job_days for name, worker in workers.items()} == {
            "Amina": 116, "Bilal": 54, "Chloé": 33, "Farid": 11,
        }  # fmt: skip
        assert {name: worker.wages for name, worker in workers.items()} == {
            "Amina": Decimal("2402.14"), "Bilal": Decimal("1228.93"), "Chloé": Decimal("565.71"), "Farid": None,
        }  # fmt: skip
        assert {name: worker.twenty_hours for name, worker in workers.items()} == {
            "Amina": True, "Bilal": True, "Chloé": False, "Farid": None,
        }  # fmt: skip

    def test_program_admin_reads_every_team_and_a_specialist_their_own(self, program):
        everyone = outcomes_for(program.ada)
        employed = measure(everyone, "employed")
        assert (employed.share.numerator, employed.share.denominator) == (5, 7)
        days = measure(everyone, "days_to_first_job")
        assert (days.value, days.second_value) == (37.3, 35)
        own = measure(outcomes_for(program.sam), "employed")
        assert (own.share.numerator, own.share.denominator, own.value) == (3, 4, 75.0)
        team_b = measure(outcomes_for(program.ada, team=program.bob.team), "employed")
        assert (team_b.share.numerator, team_b.share.denominator) == (1, 1)

    def test_a_period_that_has_not_begun_counts_nothing(self, program):
        outcomes = outcomes_for(program.lea, date_from=d(2026, 6, 1), date_to=d(2026, 6, 30))
        assert outcomes.people == [] and outcomes.job_ends == []
        assert all(m.value is None for m in outcomes.measures)
        assert [(row.caseload, row.contacts) for row in outcomes.monthly] == [(None, 0)]


class TestMonthlyView:
    def test_team_months_worked_out_by_hand(self, program):
        march, april = outcomes_for(program.lea).monthly
        assert (march.contacts, march.contacts_in_person, march.contacts_by_job_seeker) == (6, 5, 1)
        assert (march.specialists, march.per_specialist, march.starts) == (2, 2.5, 1)
        assert (march.caseload, march.working, march.in_education) == (6, 2, 2)
        assert (march.retention_due, march.retained, march.ends, march.leavers) == (1, 0, {"fired": 1}, 0)
        assert (april.contacts, april.contacts_in_person, april.contacts_by_job_seeker) == (4, 4, 0)
        assert (april.specialists, april.per_specialist, april.starts) == (2, 2.0, 2)
        assert (april.caseload, april.working, april.in_education) == (5, 3, 2)
        assert (april.retention_due, april.retained, april.ends, april.leavers) == (2, 1, {"temporary_ended": 1}, 1)
        assert (round(april.working_share.percent, 1), april.education_share.percent) == (60.0, 40.0)

    def test_per_specialist_rows_and_the_leader_only_with_activity(self, program):
        rows = [
            (
                row.month.month,
                row.specialist.first_name,
                row.counted_as_specialist,
                row.contacts,
                row.contacts_by_job_seeker,
                row.caseload,
                row.working,
                row.leavers,
            )
            for row in outcomes_for(program.lea).monthly_by_specialist
        ]
        assert rows == [
            (3, "Léa", False, 1, 0, 0, 0, 0),
            (3, "Sam", True, 4, 0, 4, 2, 0),
            (3, "Sofia", True, 1, 1, 2, 0, 0),
            (4, "Sam", True, 2, 0, 3, 2, 1),
            (4, "Sofia", True, 2, 0, 2, 1, 0),
        ]

    def test_whole_period_footer_sums_events_not_month_end_figures(self, program):
        table = outcomes_table(outcomes_for(program.lea), "monthly")
        footer = dict(zip(table.headers, table.footer[0], strict=True))
        assert footer["Month"] == "Whole period"
        assert (footer["Employer contacts held by staff"], footer["Made by the job seeker alone"]) == (10, 1)
        assert (footer["Job starts"], footer["Left the service"]) == (3, 1)
        # The number of specialists may change from month to month: no whole-period value.
        assert footer["Specialists that month"] is None and footer["Employer contacts per specialist"] is None
        assert (footer["Jobs at day 90"], footer["Still working at day 90"], footer["90-day retention (%)"]) == (
            3, 1, 33.3,
        )  # fmt: skip
        assert footer["Caseload at the month's end"] is None and footer["Working (%)"] is None


@dataclass
class Staffing:
    """A second program (IPS Toulon), for who divides "employer contacts per specialist"
    and for dates after today: team T = leader Lou, specialists Tom (active), Max (who
    leaves at the end of January) and Zoé (deactivated before the story, never a
    caseload)."""

    lou: User
    tom: User
    max: User
    zoe: User
    story: Story


def build_staffing(traveller) -> Staffing:
    """Built through the services under the frozen clock (`traveller`), 2026:

    01-05 Tom enrols Paul.          01-07 Lou (team leader) enrols Nina.
    01-08 Max enrols Omar.
    01-12 Tom meets an employer in person for Paul; 01-13 phones one for Paul;
    01-14 Paul meets one alone (mode "job seeker", logged by Tom).
    01-15, 01-16 Lou meets an employer in person for Nina.
    01-19 Tom records a job offer for Paul (start 01-26); 01-20 Max meets an employer
          in person for Omar; 01-26 Paul starts.
    01-28 Lou closes Nina; 01-30 Max closes Omar; then Max is deactivated (the admin's
          change form: is_active off).
    02-02 Paul's job ends (fired); 02-03 Tom writes the job-end report (no
          face-to-face date yet); 02-04 the job-end contact is done by phone;
    02-05 Tom sees Paul face to face; 02-06 he rewrites the report with that date
          (written_on stays 02-03).
    02-10 Tom meets an employer in person for Paul; 02-11 Lou meets one in person to
          build the relationship (for nobody)."""
    organisation = OrganisationFactory(name="IPS Toulon", slug="ips-toulon-outcomes")
    team = TeamFactory(organisation=organisation, name="Team T")
    lou = _leader(team, "lou", "Lou")
    tom = UserFactory(username="tom", first_name="Tom", organisation=organisation, team=team)
    max_ = UserFactory(username="max", first_name="Max", organisation=organisation, team=team)
    zoe = UserFactory(username="zoe", first_name="Zoé", organisation=organisation, team=team, is_active=False)
    s = Story(traveller, dispatch_pending_events, organisation)
    s.enrol(tom, "Paul Durand", d(2026, 1, 5))
    s.enrol(lou, "Nina Roche", d(2026, 1, 7))
    s.enrol(max_, "Omar Said", d(2026, 1, 8))
    s.contact(tom, d(2026, 1, 12), for_=["Paul"])
    s.contact(tom, d(2026, 1, 13), mode="phone", for_=["Paul"])
    s.contact(tom, d(2026, 1, 14), mode="job_seeker", for_=["Paul"])
    s.contact(lou, d(2026, 1, 15), for_=["Nina"])
    s.contact(lou, d(2026, 1, 16), for_=["Nina"])
    s.offer(tom, "paul", "Paul", "Garage Sud", d(2026, 1, 19), start=d(2026, 1, 26), hours=20, pay="12.00")
    s.contact(max_, d(2026, 1, 20), for_=["Omar"])
    s.start(tom, "paul", d(2026, 1, 26))
    s.close(lou, "Nina", d(2026, 1, 28))
    s.close(max_, "Omar", d(2026, 1, 30))
    max_.is_active = False
    max_.save(update_fields=["is_active"])
    s.end(tom, "paul", d(2026, 2, 2), "fired")
    s.job_end_report(tom, "paul", d(2026, 2, 3), face_to_face_on=None)
    s.job_end_contact(tom, "paul", d(2026, 2, 4), "phone")
    s.job_end_report(tom, "paul", d(2026, 2, 6), face_to_face_on=d(2026, 2, 5))
    s.contact(tom, d(2026, 2, 10), for_=["Paul"])
    s.contact(lou, d(2026, 2, 11))
    return Staffing(lou, tom, max_, zoe, s)


class TestEmployerContactsPerSpecialist:
    """Review of issue 11, finding 10. Lou's view of January and February 2026, read on
    03-02 (hand-computed from `build_staffing`):

    January: contacts held by staff 5 (Tom 2: the visit and the call; Lou 2; Max 1), in
      person 4 (not Tom's call), made by the job seeker alone 1 (Paul's 01-14: apart, and
      not in Tom's count). Specialists 3: Tom (an active specialist), Lou (a team leader,
      with Nina on his caseload 01-07..01-28), Max (deactivated, but with Omar on his
      caseload 01-08..01-30); not Zoé (deactivated, nobody on her caseload). Per
      specialist (2 + 2 + 1) / 3 = 1.67. (Read at the month's end, Lou's and Max's
      caseloads are empty: the rule is "on the caseload on a day of the month".)
    February: contacts held by staff 2 (Tom 1, Lou 1), in person 2, by a job seeker 0.
      Specialists 1: Tom (Lou has nobody on his caseload in February, Max is gone). Per
      specialist 1 / 1 = 1.0 (Lou's visit is not a specialist's that month).
    Before the fix: specialists = the specialist role, active or not (Tom, Max, Zoé = 3),
      contacts of every mode: January (3 + 1) / 3 = 1.33, February 1 / 3 = 0.33."""

    def test_divided_by_the_specialists_who_carried_a_caseload_that_month(self, today):
        staff = build_staffing(today)
        january, february = outcomes_for(staff.lou, date_from=d(2026, 1, 1), date_to=d(2026, 2, 28)).monthly
        assert (january.contacts, january.contacts_in_person, january.contacts_by_job_seeker) == (5, 4, 1)
        assert (january.specialists, round(january.per_specialist, 2)) == (3, 1.67)
        assert (february.contacts, february.contacts_in_person, february.contacts_by_job_seeker) == (2, 2, 0)
        assert (february.specialists, february.per_specialist) == (1, 1.0)

    def test_who_counts_each_month_is_shown_per_person(self, today):
        staff = build_staffing(today)
        outcomes = outcomes_for(staff.lou, date_from=d(2026, 1, 1), date_to=d(2026, 2, 28))
        rows = {
            (row.month.month, row.specialist.first_name): (
                row.counted_as_specialist,
                row.caseload_during,
                row.contacts,
                row.contacts_by_job_seeker,
            )
            for row in outcomes.monthly_by_specialist
        }
        # Zoé (deactivated, no figures) is not listed; Max and Lou only in months with figures.
        assert rows == {
            (1, "Lou"): (True, 1, 2, 0),
            (1, "Max"): (True, 1, 1, 0),
            (1, "Tom"): (True, 1, 2, 1),
            (2, "Lou"): (False, 0, 1, 0),
            (2, "Tom"): (True, 1, 1, 0),
        }
        table = outcomes_table(outcomes, "monthly")
        january = {column.header: column.value(table.rows[0]) for column in table.columns}
        assert (january["Specialists that month"], january["Employer contacts per specialist"]) == (3, 1.7)
        per_person = outcomes_table(outcomes, "monthly-specialists")
        counted = [column.value(per_person.rows[0]) for column in per_person.columns[:4]]
        assert counted == [d(2026, 1, 1), str(staff.lou), "Team T", "Yes"]


class TestJobEnds:
    def test_face_to_face_contact_and_report_against_their_deadlines(self, program):
        outcomes = outcomes_for(program.lea)
        ends = by_name(outcomes.job_ends, lambda end: end.placement.job_seeker)
        bilal, chloe = ends["Bilal"], ends["Chloé"]
        assert (bilal.contact_on, bilal.contact_days, bilal.contact_within) == (d(2026, 3, 16), 3, True)
        assert (bilal.report_on, bilal.report_days, bilal.report_within) == (d(2026, 3, 18), 5, True)
        assert (chloe.contact_on, chloe.contact_days, chloe.contact_within) == (d(2026, 4, 15), 5, False)
        assert (chloe.report_on, chloe.report_days, chloe.report_within) == (d(2026, 4, 24), 14, False)
        face_to_face, report = measure(outcomes, "job_end_face_to_face"), measure(outcomes, "job_end_report")
        assert (face_to_face.share.numerator, face_to_face.share.denominator, face_to_face.meets) == (1, 2, False)
        assert (report.share.numerator, report.share.denominator) == (1, 2)

    def test_a_face_to_face_date_after_today_is_not_counted(self, today):
        """Review of issue 11, finding 12. Paul's job ended 02-02 (`build_staffing`); the
        report, first written 02-03, gives (since its rewrite on 02-06) a face-to-face
        contact on 02-05. Read as of 02-04, 02-05 has not happened: no contact yet, and
        with 2 days elapsed of the 3 allowed the answer is "not yet" (not counted); the
        report, written 02-03, is 1 day after the end, within 7. Read as of 02-05: the
        contact 02-05 is 3 days after the end, within 3. (The service refuses a future
        date now; the figure ignores one all the same.)"""
        staff = build_staffing(today)
        scope, filters = access_scope(staff.lou), DashboardFilters(date_from=d(2026, 2, 1), date_to=d(2026, 2, 28))
        before = Outcomes(scope, filters, today=d(2026, 2, 4))
        (paul,) = before.job_ends
        assert (paul.contact_on, paul.contact_days, paul.contact_within) == (None, None, None)
        assert (paul.report_on, paul.report_days, paul.report_within) == (d(2026, 2, 3), 1, True)
        assert measure(before, "job_end_face_to_face").share.denominator == 0
        (paul,) = Outcomes(scope, filters, today=d(2026, 2, 5)).job_ends
        assert (paul.contact_on, paul.contact_days, paul.contact_within) == (d(2026, 2, 5), 3, True)

    def test_an_end_whose_deadline_has_not_passed_is_not_counted_yet(self, program):
        # Farid's job ended on 05-08; today is 05-11: 3 days, the contact is still due.
        outcomes = outcomes_for(program.lea, date_from=d(2026, 5, 1), date_to=d(2026, 5, 31))
        (farid,) = outcomes.job_ends
        assert (farid.contact_within, farid.report_within) == (None, None)
        assert measure(outcomes, "job_end_face_to_face").share.denominator == 0
        assert measure(outcomes, "job_end_face_to_face").status == "no_data"


class TestPage:
    def test_page_in_english_and_french(self, program, client_for):
        client = client_for(program.lea)
        response = client.get(reverse("outcomes"), PERIOD)
        assert response.status_code == 200
        page = response.content.decode()
        for text in ("Employed at any time in the period", "66.7%", "IPS Works", "The supervisor's monthly view"):
            assert text in page
        assert "Ines" not in page  # team B
        french = client.get(reverse("outcomes"), PERIOD, HTTP_ACCEPT_LANGUAGE="fr")
        assert french.status_code == 200 and 'lang="fr"' in french.content.decode()

    @pytest.mark.parametrize("who", ["sam", "lea", "ada"])
    def test_every_role_of_the_program_sees_the_page(self, program, client_for, who):
        assert client_for(getattr(program, who)).get(reverse("outcomes"), PERIOD).status_code == 200

    def test_outside_any_program_is_404_and_anonymous_goes_to_log_in(self, program, client, client_for):
        operator = UserFactory(organisation=None, is_superuser=True, is_staff=True)
        assert client_for(operator).get(reverse("outcomes")).status_code == 404
        assert client_for(operator).get(reverse("outcomes_export", args=["monthly"])).status_code == 404
        client.logout()
        assert client.get(reverse("outcomes")).status_code == 302

    def test_another_programs_admin_never_sees_this_program(self, program, client_for):
        lyon_admin = UserFactory(organisation=program.other_organisation, role=User.Role.PROGRAM_ADMIN)
        response = client_for(lyon_admin).get(reverse("outcomes"), {**PERIOD, "team": program.team_a.pk})
        page = response.content.decode()
        assert response.status_code == 200 and "That team was not found" in page
        assert "Amina" not in page and "Bilal" not in page

    def test_a_leader_cannot_read_another_teams_specialist(self, program, client_for):
        response = client_for(program.bruno).get(reverse("outcomes"), {**PERIOD, "specialist": program.sam.pk})
        page = response.content.decode()
        assert response.status_code == 200 and "That specialist was not found" in page
        assert "Amina" not in page

    @pytest.mark.parametrize(
        "params,message",
        [
            ({"date_from": "2026-13-45"}, "Enter a date"),
            ({"date_from": "2026-05-01", "date_to": "2026-03-01"}, "The start date is after the end date"),
            ({"date_from": "2024-01-01", "date_to": "2026-04-30"}, "at most 366 days"),
            ({"date_from": "1000-01-01"}, "between"),
        ],
    )
    def test_bad_input_falls_back_on_the_page_and_is_refused_by_the_export(self, program, client_for, params, message):
        client = client_for(program.lea)
        page = client.get(reverse("outcomes"), params)
        assert page.status_code == 200 and message in page.content.decode()
        assert client.get(reverse("outcomes_export", args=["monthly"]), params).status_code == 400

    def test_unknown_table_is_404(self, program, client_for):
        assert client_for(program.lea).get(reverse("outcomes_export", args=["nothing"])).status_code == 404

    def test_post_is_not_allowed(self, program, client_for):
        assert client_for(program.lea).post(reverse("outcomes"), PERIOD).status_code == 405


def read_csv(response, delimiter=","):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


class TestCsv:
    def test_each_table_downloads_with_the_pages_headers(self, program, client_for):
        client = client_for(program.lea)
        outcomes = outcomes_for(program.lea)
        for slug in TABLES:
            response = client.get(reverse("outcomes_export", args=[slug]), PERIOD)
            assert response.status_code == 200, slug
            assert "2026-03-01-2026-04-30.csv" in response["Content-Disposition"]
            assert read_csv(response)[0] == outcomes_table(outcomes, slug).headers

    def test_monthly_csv_values_and_formula_escaping(self, program, client_for):
        client = client_for(program.lea)
        header, march, april, total = read_csv(client.get(reverse("outcomes_export", args=["monthly"]), PERIOD))
        assert (march[0], march[1], march[2]) == ("2026-03", "2026-03-01", "2026-03-31")
        assert dict(zip(header, april, strict=True))["Working (%)"] == "60.0"
        assert total[0] == "Whole period"
        ends = read_csv(client.get(reverse("outcomes_export", args=["job-ends"]), PERIOD))
        employers = [dict(zip(ends[0], row, strict=True))["Employer"] for row in ends[1:]]
        assert employers == ["Garage Sud", "'@Cuisine centrale"]

    def test_french_csv_uses_semicolons_and_decimal_commas(self, program, client_for):
        client = client_for(program.lea)
        response = client.get(reverse("outcomes_export", args=["measures"]), PERIOD, HTTP_ACCEPT_LANGUAGE="fr")
        rows = read_csv(response, delimiter=";")
        assert "66,7" in rows[1]


# The page: the session and its user, the staff, the people (with their month-end
# readings), the jobs and their changes of terms, the day-90 jobs, the job ends, the
# contacts, the leavers, and the filter form's choices; a CSV file, those its table needs.
PAGE_QUERIES = 12
CSV_QUERIES = 11


class TestQueries:
    def test_query_count_does_not_grow_with_rows(self, program, client_for, today, django_assert_max_num_queries):
        client = client_for(program.lea)
        client.get(reverse("outcomes"), PERIOD)
        with django_assert_max_num_queries(PAGE_QUERIES) as before:
            client.get(reverse("outcomes"), PERIOD)
        # More of everything: people, jobs (each with a change of terms), job ends, contacts.
        story = Story(today, dispatch_pending_events, program.organisation)
        story.employers = dict(program.story.employers)
        for index in range(3):
            name = f"Extra{index}"
            story.enrol(program.sam, f"{name} Person", d(2026, 3, 2 + index))
            story.offer(program.sam, name, name, "Garage Sud", d(2026, 3, 9), start=d(2026, 3, 16), hours=24, pay="12")
            story.start(program.sam, name, d(2026, 3, 16))
            story.change_terms(program.sam, name, d(2026, 4, 1), hours=28, pay="12")
            story.end(program.sam, name, d(2026, 4, 17), "quit_better_job")
            story.contact(program.sam, d(2026, 4, 22), for_=[name], hour=9 + index)
        story.on(TODAY)
        with django_assert_max_num_queries(len(before.captured_queries)):
            response = client.get(reverse("outcomes"), PERIOD)
        assert "Extra2" in response.content.decode()
        for slug in TABLES:
            with django_assert_max_num_queries(CSV_QUERIES):
                client.get(reverse("outcomes_export", args=[slug]), PERIOD)


class TestRules:
    @pytest.mark.parametrize(
        "percent,level",
        [(None, ""), (30.9, "below"), (31, "minimal"), (40.9, "minimal"), (41, "average"), (50, "excellent")],
    )
    def test_ips_works_level_of_an_employment_rate(self, percent, level):
        assert ips_works_level(percent) == level

    def test_terms_apply_from_their_effective_date_whatever_the_order_recorded(self):
        placement = Placement(hours_per_week=Decimal(30), hourly_pay=Decimal("13.00"))
        changes = [  # recorded in this order; the second was effective first
            {"old": {"hours_per_week": "20.0", "hourly_pay": "12.00"}, "new": {"hours_per_week": "30.0", "hourly_pay": "13.00"},
             "effective_on": "2026-04-01"},
            {"old": {"hours_per_week": "30.0", "hourly_pay": "13.00"}, "new": {"hours_per_week": "25.0", "hourly_pay": "12.50"},
             "effective_on": "2026-03-15"},
        ]  # fmt: skip
        job = Job(placement, job_terms(placement, changes))
        assert [(t.hours, t.pay) for t in (job.terms_on(d(2026, 3, 1)), job.terms_on(d(2026, 3, 20)))] == [
            (Decimal(20), Decimal("12.00")),
            (Decimal(25), Decimal("12.50")),
        ]
        assert job.terms_on(d(2026, 4, 1)).hours == Decimal(30)
        unchanged = Job(placement, job_terms(placement, []))
        assert unchanged.terms_on(d(2026, 1, 1)).hours == Decimal(30)
