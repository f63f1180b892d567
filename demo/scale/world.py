"""Generates a program at scale and writes it with COPY (demo/scale/copying.py).

The program, its teams, staff, partner and API key are made with the ORM and the
credential services (so the key's hash is right); everything else is generated in
Python from seeded random streams (one `random.Random` per part, named after it, so
the same seed gives the same rows) and written with COPY in dependency order.

What the rows keep of what the services would have written (checked in
tests/demo/test_seed_scale.py where marked *):

- Job seekers: enrolled after referral; `job_search_since` is the enrolment or the
  end of their last ended job (the re-entry); `first_employer_contact_on` is the
  earliest held face-to-face contact on their behalf since then (*), as the handler
  `jobdev.start_the_rapid_search_clock` records it; status `working` exactly when
  they hold an active placement (*), `closed` only in job search, `job_search`
  otherwise; one status-change row per change; a career profile and job preference
  each; located (point, precision, `located_address`, `location_pending` false).
- Employer contacts: held, cancelled (with a reason) or no-show before today, planned
  from today (the next two weeks); on-behalf contacts name one job seeker of the
  specialist's caseload, made during one of that person's job-search periods; held
  ones may have learned job types (those of the employer's NACE class); one
  `employer_contact.held` event per held contact.
- Employers: relationship stage from their contacts and hires as the handlers move
  it (*): has hired if a placement started there, else relationship after two held
  face-to-face contacts, introduced after one held contact, not contacted otherwise.
  1-3 located sites, 1-2 contact persons.
- Placements: one person's jobs follow one another (offer, start, end, then job
  search again); at most one is active or waiting to start; a started one has its six
  milestones (reached, `still_working`, as the scheduler and `placement_end` leave
  them), a follow-along plan (active, or ended with the job), and the tasks its
  handlers plan: before the start (benefits step and task when the person receives
  benefits or it is unknown, accommodation needs, the pre-start contact), the
  follow-along contacts on the program's rhythm (placements.follow_along), milestone
  tasks (day 30, 90, 365), the job-end contact and report; tasks due before today are
  done (a few missed and cancelled), later ones open; an ended job's open steps are
  cancelled on its end date.
- Events: every event the services would have emitted (enrolments and re-entries,
  offers, starts, milestones reached, ends, held contacts), with the declared payload
  fields and dedup keys, all `handled`: no worker runs them again. Tasks point to the
  event that planned them.

Not written (the pages do not need them at scale): simple-history rows, handler
records (EventHandling), accommodations, job-end reports, calendar feeds, webhook
subscriptions, nudges. The task total is made exact by workers who declined
follow-along after its first month (too many: their later contacts were never planned,
the plan of a job still held is *declined*) or by hand-written tasks (too few)."""

from __future__ import annotations

import bisect
import datetime
import json
import random
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection

from crm import events as crm_events
from crm.access import StaffScope
from crm.models import (
    CareerProfile,
    Industry,
    JobPreference,
    JobSeeker,
    JobSeekerStatusChange,
    JobType,
    Organisation,
    OutboxEvent,
    Partner,
    SharingConsent,
    Team,
    User,
)
from crm.services import partner_create
from crm.taxonomies import INDUSTRIES, JOB_TYPES, seed_taxonomies
from demo.scale import names
from demo.scale.copying import Table
from demo.scale.profiles import Profile
from employers.models import ContactPerson, Employer, EmployerSite
from integrations.api.grants import ALL_GRANTS
from integrations.api.services import api_key_create
from jobdev.models import EmployerContact
from placements.follow_along import next_due_date
from placements.models import (
    MILESTONE_DAYS,
    BenefitsStep,
    FollowAlongPlan,
    Placement,
    PlacementMilestone,
    SupportTask,
    TaskTitle,
)

PASSWORD = "scale-password"  # noqa: S105 - the documented login of generated users
YEARS = 3
WINDOW_DAYS = 365 * YEARS
FUTURE_DAYS = 14  # planned contacts reach this far after today
ZONE = ZoneInfo("Europe/Paris")


class MODES:
    """EmployerContact.Mode's values as plain strings (enum attribute reads are slow in loops)."""

    IN_PERSON, PHONE, VIDEO, EMAIL, JOB_SEEKER = (str(m) for m in EmployerContact.Mode)


FACE_TO_FACE = {MODES.IN_PERSON, MODES.JOB_SEEKER}
DURATION = {MODES.IN_PERSON: 60, MODES.JOB_SEEKER: 45, MODES.PHONE: 15, MODES.VIDEO: 30, MODES.EMAIL: 15}
HELD, PLANNED, CANCELLED, NO_SHOW = "held", "planned", "cancelled", "no_show"
END_REASONS = list(Placement.EndReason.values)
SUPPORT_TYPES = list(SupportTask.SupportType.values)


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def weighted(rng: random.Random, choices: tuple) -> str:
    """One of `choices` ((value, weight), ...)."""
    point = rng.random() * sum(w for _v, w in choices)
    for value, weight in choices:
        point -= weight
        if point < 0:
            return value
    return choices[-1][0]


@dataclass
class Job:
    id: int
    offer: int  # days since the window's start
    start: int | None
    end: int | None
    expected_start: int | None
    end_reason: str = ""
    employer: int = 0
    site: int | None = None


@dataclass
class Person:
    id: int
    specialist: int
    team: int
    referral: int
    enrolment: int
    jobs: list[Job] = field(default_factory=list)
    periods: list[tuple[int, int, list[int]]] = field(default_factory=list)  # (from, to, employers)
    since: int = 0  # job_search_since
    closed_on: int | None = None
    first_contact: int | None = None
    disclosure: str = "partial"
    benefits: str = "unknown"


class World:
    """Generate and write one program of `profile`'s size. `today` is the program's
    date the data ends on (contacts are planned after it)."""

    def __init__(self, profile: Profile, *, seed: int, today: datetime.date, progress: bool = True, say=print):
        self.profile, self.seed, self.today, self.progress, self.say = profile, seed, today, progress, say
        self.start = today - datetime.timedelta(days=WINDOW_DAYS)
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self.api_key = ""
        self.planned_tasks = 0  # tasks the handlers would have planned, before fitting the count
        self._midnight = {}

    # Helpers ---------------------------------------------------------------------

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{part}")  # noqa: S311 - test data, not secrets

    def day(self, n: int) -> datetime.date:
        return self.start + datetime.timedelta(days=n)

    def at(self, n: int, minutes: int) -> datetime.datetime:
        """Local time `minutes` after midnight on day `n`, as an aware datetime."""
        midnight = self._midnight.get(n)
        if midnight is None:
            midnight = self._midnight[n] = datetime.datetime.combine(self.day(n), datetime.time(), ZONE)
        local = midnight + datetime.timedelta(minutes=minutes)
        return local.replace(fold=0)

    def write(self, model, columns, rows, total=None, key=None) -> int:
        began = time.monotonic()
        count = Table(model, columns).copy(rows, total=total, progress=self.progress)
        name = key or model._meta.db_table
        self.counts[name] = self.counts.get(name, 0) + count
        self.timings[name] = self.timings.get(name, 0.0) + time.monotonic() - began
        return count

    # The whole build -----------------------------------------------------------------

    def build(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            # Foreign keys are checked by the generator (ids it assigned itself), not
            # row by row by deferred triggers that would queue millions of checks.
            cursor.execute("SET session_replication_role = replica")
        try:
            if Industry.objects.count() < len(INDUSTRIES) or JobType.objects.count() < len(JOB_TYPES):
                seed_taxonomies(Industry, JobType)  # what migrations wrote, in a database emptied since
            self.make_program()
            self.make_partner()
            self.plan_people()
            self.plan_employers()
            self.plan_contacts()
            self.settle_people_and_employers()
            self.write_employers()
            self.write_people()
            self.write_contacts()
            self.write_placements_events_and_tasks()
            self.write_held_events()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        return self.counts

    # Program, teams, staff -----------------------------------------------------------

    def make_program(self) -> None:
        p = self.profile
        rng = self.rng("staff")
        self.organisation = Organisation.objects.create(name=p.organisation, slug=p.slug, town="Paris")
        teams = Team.objects.bulk_create(
            [Team(organisation=self.organisation, name=f"Équipe {i + 1:03d}") for i in range(p.teams)]
        )
        self.team_ids = [t.pk for t in teams]
        self.team_town = [i % len(names.TOWNS) for i in range(p.teams)]
        password = make_password(PASSWORD)
        joined = self.at(0, 8 * 60)

        def user(username, role, team, is_staff=False):
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            return User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@scale.example",
                organisation=self.organisation,
                role=role,
                team_id=team,
                is_staff=is_staff,
                password=password,
                date_joined=joined,
            )

        leaders = [user(f"lead{i + 1:03d}", User.Role.TEAM_LEADER, self.team_ids[i]) for i in range(p.teams)]
        self.specialist_team = [i * p.teams // p.specialists for i in range(p.specialists)]
        specialists = [
            user(f"spec{i + 1:04d}", User.Role.SPECIALIST, self.team_ids[self.specialist_team[i]])
            for i in range(p.specialists)
        ]
        admin = user("admin_scale", User.Role.PROGRAM_ADMIN, None, is_staff=True)
        created = User.objects.bulk_create([*leaders, *specialists, admin], batch_size=1000)
        self.leader_ids = [u.pk for u in created[: p.teams]]
        self.specialist_ids = [u.pk for u in created[p.teams : p.teams + p.specialists]]
        self.admin = created[-1]
        for team, leader in zip(teams, self.leader_ids, strict=True):
            team.leader_id = leader
        Team.objects.bulk_update(teams, ["leader"], batch_size=1000)
        self.team_specialists = [[] for _ in range(p.teams)]
        for index, pk in enumerate(self.specialist_ids):
            self.team_specialists[self.specialist_team[index]].append(pk)
        self.counts.update({"teams": p.teams, "users": len(created)})

    def make_partner(self) -> None:
        """A mental-health team partner and its API key with every grant, made through
        the services (the key's plaintext is kept for dataset.json)."""
        scope = StaffScope(self.admin)
        self.partner = partner_create(
            scope=scope,
            details={
                "name": "Centre médico-psychologique partenaire",
                "kind": Partner.Kind.MENTAL_HEALTH_TEAM,
                "referrals_to_id": self.specialist_ids[0],
            },
        )
        _key, self.api_key = api_key_create(
            scope=scope, partner_id=self.partner.pk, name="Scale tests", grants=sorted(ALL_GRANTS)
        )

    # People and their jobs -------------------------------------------------------------

    def plan_people(self) -> None:
        p = self.profile
        rng = self.rng("people")
        people = []
        for index in range(p.job_seekers):
            specialist_index = index % p.specialists
            referral = rng.randrange(0, WINDOW_DAYS - 7)
            enrolment = min(referral + rng.randrange(0, 15), WINDOW_DAYS - 1)
            people.append(
                Person(
                    id=index + 1,
                    specialist=self.specialist_ids[specialist_index],
                    team=self.specialist_team[specialist_index],
                    referral=referral,
                    enrolment=enrolment,
                    since=enrolment,
                    disclosure=weighted(rng, (("partial", 5), ("none", 2), ("full", 2), ("undecided", 1))),
                    benefits=weighted(rng, (("yes", 5), ("no", 3), ("unknown", 2))),
                )
            )
        # Placements go to people in proportion to their time since enrolment.
        cumulative, total = [], 0
        for person in people:
            total += WINDOW_DAYS - person.enrolment
            cumulative.append(total)
        jobs_of = [0] * len(people)
        for _ in range(p.placements):
            jobs_of[bisect.bisect_right(cumulative, rng.random() * total)] += 1
        job_id = 0
        for person, k in zip(people, jobs_of, strict=True):
            job_id = self._lay_out_jobs(rng, person, k, job_id)
        self.people = people
        self.jobs = [job for person in people for job in person.jobs]

    def _lay_out_jobs(self, rng: random.Random, person: Person, k: int, job_id: int) -> int:
        """Searches and jobs one after another from enrolment to today, scaled to fit."""
        cursor = person.enrolment
        if k:
            searches = [rng.randint(10, 90) for _ in range(k)]
            delays = [rng.randint(0, 14) for _ in range(k)]
            lengths = [rng.randint(15, 240) for _ in range(k)]
            ongoing = rng.random() < 0.5
            pending = rng.random() < 0.04
            needed = sum(searches) + sum(delays) + sum(lengths[:-1]) + (1 if ongoing or pending else lengths[-1])
            span = WINDOW_DAYS - 1 - cursor
            factor = min(1.0, span / needed) if needed else 1.0
            for i in range(k):
                job_id += 1
                since = cursor
                offer = cursor + int(searches[i] * factor)
                last = i == k - 1
                if last and pending:
                    offer = max(cursor, WINDOW_DAYS - rng.randint(0, 10))
                    job = Job(job_id, offer, None, None, WINDOW_DAYS + rng.randint(1, 14))
                else:
                    start = offer + int(delays[i] * factor)
                    job = Job(job_id, offer, start, None, start)
                    if not (last and ongoing):
                        job.end = min(WINDOW_DAYS, start + int(lengths[i] * factor))
                        job.end_reason = rng.choice(END_REASONS)
                        cursor = job.end
                person.periods.append((since, offer, []))
                person.jobs.append(job)
        last_job = person.jobs[-1] if person.jobs else None
        if last_job is None or last_job.end is not None:
            person.since = cursor
            until = WINDOW_DAYS + FUTURE_DAYS
            if cursor < WINDOW_DAYS - 60 and rng.random() < 0.25:
                person.closed_on = rng.randint(cursor + 30, WINDOW_DAYS)
                until = person.closed_on
            person.periods.append((cursor, until, []))
        else:
            person.since = person.periods[-1][0]
        return job_id

    # Employers -------------------------------------------------------------------------

    def plan_employers(self) -> None:
        p = self.profile
        rng = self.rng("employers")
        job_types = list(JobType.objects.order_by("pk").values_list("pk", "nace_codes", "label_fr"))
        self.job_type_ids = [pk for pk, _n, _l in job_types]
        self.job_type_label = {pk: label for pk, _n, label in job_types}
        self.sector_job_types = [
            [pk for pk, codes, _l in job_types if any(nace.startswith(code) for code in codes)]
            for _section, nace, _prefixes in names.SECTORS
        ]
        industries = dict(Industry.objects.values_list("code", "pk"))
        self.sector_industry = [industries[section] for section, _n, _p in names.SECTORS]
        n = p.employers
        self.employer_sector = [rng.randrange(len(names.SECTORS)) for _ in range(n)]
        self.employer_team = [e % p.teams for e in range(n)]
        self.first_site, self.n_sites, self.first_person, self.n_persons = [], [], [], []
        site, person = 1, 1
        for _e in range(n):
            sites = weighted(rng, ((1, 6), (2, 3), (3, 1)))
            persons = weighted(rng, ((1, 6), (2, 4)))
            self.first_site.append(site)
            self.n_sites.append(sites)
            self.first_person.append(person)
            self.n_persons.append(persons)
            site += sites
            person += persons
        self.team_employers = [[] for _ in range(p.teams)]
        for e in range(n):
            self.team_employers[self.employer_team[e]].append(e + 1)
        everyone = list(range(1, n + 1))
        for team, pool in enumerate(self.team_employers):
            if not pool:  # fewer employers than teams: such teams share them all
                self.team_employers[team] = pool = list(everyone)
            rng.shuffle(pool)

    def pick_employer(self, rng: random.Random, team: int) -> int:
        """A team's employer, some much more often than others (relationships)."""
        pool = self.team_employers[team]
        return pool[int(len(pool) * rng.random() ** 2.5)]

    # Employer contacts ---------------------------------------------------------------

    def plan_contacts(self) -> None:
        """Contacts on behalf of people during their job-search periods (the first one
        face to face, within a couple of weeks), then relationship-building ones up to
        the total. Kept as compact tuples sorted by time: (minutes since the window's
        start, specialist, employer, mode, job seeker or 0, status)."""
        p = self.profile
        rng = self.rng("contacts")
        on_behalf_target = round(p.contacts * 0.62)
        search_days = sum(max(0, to - since) for person in self.people for since, to, _e in person.periods)
        rate = on_behalf_target / search_days if search_days else 0.0
        contacts = []
        firsts = set()
        for person in self.people:
            for since, to, employers in person.periods:
                length = to - since
                if length <= 0:
                    continue
                employers.extend(self.pick_employer(rng, person.team) for _ in range(rng.randint(2, 6)))
                n = int(rate * length + rng.random())
                for i in range(n):
                    if i == 0:
                        offset = min(length - 1, int(rng.expovariate(1 / 10)))
                        mode = MODES.IN_PERSON
                    else:
                        offset = rng.randrange(length)
                        mode = weighted(
                            rng,
                            (
                                (MODES.IN_PERSON, 70),
                                (MODES.JOB_SEEKER, 10),
                                (MODES.PHONE, 15),
                                (MODES.VIDEO, 2),
                                (MODES.EMAIL, 3),
                            ),
                        )
                    minute = self._working_minute(rng, since + offset)
                    contact = (minute, person.specialist, rng.choice(employers), mode, person.id)
                    if i == 0:
                        firsts.add(contact)
                    contacts.append(contact)
        if len(contacts) > p.contacts:
            extra = [c for c in contacts if c not in firsts]
            drop = set(rng.sample(range(len(extra)), min(len(extra), len(contacts) - p.contacts)))
            contacts = [c for c in contacts if c in firsts] + [c for i, c in enumerate(extra) if i not in drop]
            contacts = contacts[: p.contacts]
        for _ in range(p.contacts - len(contacts)):
            specialist_index = rng.randrange(p.specialists)
            team = self.specialist_team[specialist_index]
            mode = weighted(rng, ((MODES.IN_PERSON, 55), (MODES.PHONE, 35), (MODES.EMAIL, 5), (MODES.VIDEO, 5)))
            minute = self._working_minute(rng, rng.randrange(WINDOW_DAYS + FUTURE_DAYS))
            contacts.append((minute, self.specialist_ids[specialist_index], self.pick_employer(rng, team), mode, 0))
        contacts.sort()
        today_minute = WINDOW_DAYS * 24 * 60
        self.contacts = []
        for contact in contacts:
            if contact[0] >= today_minute:
                status = PLANNED
            elif contact in firsts:
                status = HELD
            else:
                status = weighted(rng, ((HELD, 88), (CANCELLED, 8), (NO_SHOW, 4)))
            self.contacts.append((*contact, status))

    def _working_minute(self, rng: random.Random, day: int) -> int:
        """A time between 8:30 and 17:00 on `day`, moved off the weekend."""
        weekday = self.day(day).weekday()
        if weekday == 5:
            day -= 1
        elif weekday == 6:
            day += 1
        return day * 1440 + 510 + 15 * rng.randrange(35)

    def settle_people_and_employers(self) -> None:
        """What the handlers leave: each person's first face-to-face contact in their
        current job search, each employer's relationship stage; placements' employers."""
        rng = self.rng("placements")
        by_id = {person.id: person for person in self.people}
        held, face_held = {}, {}
        for minute, _s, employer, mode, person_id, status in self.contacts:
            if status != HELD:
                continue
            held[employer] = held.get(employer, 0) + 1
            if mode in FACE_TO_FACE:
                face_held[employer] = face_held.get(employer, 0) + 1
                if person_id:
                    person = by_id[person_id]
                    day = minute // 1440
                    if day >= person.since and (person.first_contact is None or day < person.first_contact):
                        person.first_contact = day
        hired = set()
        for person in self.people:
            for job, (_since, _to, employers) in zip(person.jobs, person.periods, strict=False):
                job.employer = rng.choice(employers) if employers else self.pick_employer(rng, person.team)
                e = job.employer - 1
                job.site = self.first_site[e] + rng.randrange(self.n_sites[e])
                if job.start is not None:
                    hired.add(job.employer)
        stages = []
        for e in range(1, self.profile.employers + 1):
            if e in hired:
                stages.append(Employer.RelationshipStage.HAS_HIRED)
            elif face_held.get(e, 0) >= 2:
                stages.append(Employer.RelationshipStage.RELATIONSHIP)
            elif held.get(e):
                stages.append(Employer.RelationshipStage.INTRODUCED)
            else:
                stages.append(Employer.RelationshipStage.NOT_CONTACTED)
        self.employer_stage = stages

    # Writing -----------------------------------------------------------------------------

    def _point(self, rng: random.Random, town: int) -> tuple[str, str]:
        _name, _postcode, lat, lon = names.TOWNS[town]
        return f"{lat + rng.gauss(0, 0.03):.6f}", f"{lon + rng.gauss(0, 0.04):.6f}"

    def write_employers(self) -> None:
        rng = self.rng("employer-rows")
        org = self.organisation.pk
        n = self.profile.employers
        created = [self.at(-rng.randrange(0, 400), 9 * 60 + rng.randrange(480)) for _ in range(n)]
        self.employer_created = created

        def employers():
            for e in range(n):
                section = self.employer_sector[e]
                _s, nace, prefixes = names.SECTORS[section]
                town = names.TOWNS[self.team_town[self.employer_team[e]]][0]
                last = rng.choice(names.LAST_NAMES)
                style = rng.random()
                if style < 0.4:
                    tail = last
                elif style < 0.6:
                    tail = f"{last}-{rng.choice(names.LAST_NAMES)}"
                elif style < 0.8:
                    tail = f"Chez {rng.choice(names.FIRST_NAMES)}"
                else:
                    tail = f"{last} {town}"
                name = f"{rng.choice(prefixes)} {tail}"
                website = f"https://www.{ascii_slug(name)}.fr" if rng.random() < 0.3 else ""
                team = self.employer_team[e]
                yield (
                    e + 1,
                    org,
                    name,
                    self.sector_industry[section],
                    nace,
                    weighted(rng, (("micro", 5), ("small", 3), ("medium", 1), ("large", 0.5), ("unknown", 1))),
                    self.employer_stage[e],
                    website,
                    rng.choice(self.team_specialists[team]) if self.team_specialists[team] else None,
                    created[e],
                    created[e],
                )

        self.write(
            Employer,
            [
                "id",
                "organisation_id",
                "name",
                "industry_id",
                "nace_code",
                "size",
                "relationship_stage",
                "website",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            employers(),
            total=n,
        )
        site_names = ("Siège", "Magasin centre", "Entrepôt", "Atelier", "Agence")

        def sites():
            for e in range(n):
                town_index = self.team_town[self.employer_team[e]]
                town, postcode, _lat, _lon = names.TOWNS[town_index]
                for i in range(self.n_sites[e]):
                    address = f"{rng.randint(1, 180)} {rng.choice(names.STREETS)}"
                    lat, lon = self._point(rng, town_index)
                    yield (
                        self.first_site[e] + i,
                        e + 1,
                        site_names[i] if self.n_sites[e] > 1 else "",
                        address,
                        postcode,
                        town,
                        lat,
                        lon,
                        "housenumber",
                        f"{address}, {postcode} {town}",
                        False,
                    )

        self.write(
            EmployerSite,
            [
                "id",
                "employer_id",
                "name",
                "address",
                "postcode",
                "town",
                "latitude",
                "longitude",
                "location_precision",
                "located_address",
                "location_pending",
            ],
            sites(),
            total=self.first_site[-1] + self.n_sites[-1] - 1 if n else 0,
        )

        def persons():
            for e in range(n):
                for i in range(self.n_persons[e]):
                    first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
                    yield (
                        self.first_person[e] + i,
                        e + 1,
                        self.first_site[e],
                        f"{first} {last}",
                        rng.choice(names.ROLES),
                        i == 0 and rng.random() < 0.7,
                        weighted(rng, (("in_person", 5), ("phone", 3), ("email", 2))),
                        f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                        f"{ascii_slug(first)}.{ascii_slug(last)}@exemple.fr",
                    )

        self.write(
            ContactPerson,
            [
                "id",
                "employer_id",
                "site_id",
                "name",
                "role",
                "has_hiring_authority",
                "preferred_channel",
                "phone",
                "email",
            ],
            persons(),
            total=self.first_person[-1] + self.n_persons[-1] - 1 if n else 0,
        )

    def write_people(self) -> None:
        rng = self.rng("people-rows")
        org = self.organisation.pk
        partner = self.partner.pk
        people = self.people
        # A partner sees people it referred, and others under a consent (placements
        # and support under their cover): some of each, people with jobs first.
        with_jobs = [person.id for person in people if person.jobs]
        share = max(3, len(people) // 20)
        referred = set(rng.sample([person.id for person in people], min(len(people), share)))
        consenting = with_jobs[:share] if len(with_jobs) >= share else [person.id for person in people][:share]

        def status_of(person: Person) -> str:
            if person.jobs and person.jobs[-1].start is not None and person.jobs[-1].end is None:
                return JobSeeker.Status.WORKING
            if person.closed_on is not None:
                return JobSeeker.Status.CLOSED
            return JobSeeker.Status.JOB_SEARCH

        self.person_status = {}

        def rows():
            for person in people:
                town_index = self.team_town[person.team]
                town, postcode, _lat, _lon = names.TOWNS[town_index]
                lat, lon = self._point(rng, town_index)
                first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
                address = f"{rng.randint(1, 120)} {rng.choice(names.STREETS)}"
                status = status_of(person)
                self.person_status[person.id] = status
                decided = person.disclosure != "undecided"
                disclosure_task_done = not decided and person.enrolment + 7 < WINDOW_DAYS
                disclosure = person.disclosure
                discussed = person.enrolment if decided else None
                if disclosure_task_done:  # the talk planned at enrolment took place
                    disclosure, discussed = "partial", person.enrolment + 7
                is_referred = person.id in referred
                yield (
                    person.id,
                    org,
                    person.specialist,
                    first,
                    last,
                    f"{ascii_slug(first)}.{ascii_slug(last)}{person.id}@exemple.fr" if rng.random() < 0.6 else "",
                    f"07 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    address,
                    postcode,
                    town,
                    lat,
                    lon,
                    "housenumber",
                    f"{address}, {postcode} {town}",
                    False,
                    self.day(person.referral),
                    self.day(person.enrolment),
                    self.day(person.since),
                    self.day(person.first_contact) if person.first_contact is not None else None,
                    "mental_health_team"
                    if is_referred
                    else weighted(rng, (("mental_health_team", 6), ("self", 2), ("family", 1), ("social_services", 1))),
                    status,
                    person.benefits,
                    disclosure,
                    self.day(discussed) if discussed is not None else None,
                    rng.random() < 0.05,
                    partner if is_referred else None,
                    self.at(person.referral, 10 * 60),
                    self.at(max(person.enrolment, person.since), 11 * 60),
                )

        self.write(
            JobSeeker,
            [
                "id",
                "organisation_id",
                "specialist_id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "address",
                "postcode",
                "town",
                "latitude",
                "longitude",
                "location_precision",
                "located_address",
                "location_pending",
                "referral_date",
                "enrolment_date",
                "job_search_since",
                "first_employer_contact_on",
                "referral_source",
                "status",
                "receives_benefits",
                "disclosure_preference",
                "disclosure_discussed_on",
                "in_education",
                "referred_by_partner_id",
                "created_at",
                "updated_at",
            ],
            rows(),
            total=len(people),
        )

        def changes():
            pk = 0
            for person in people:
                steps = [("", "job_search", self.at(person.referral, 10 * 60), None)]
                for job in person.jobs:
                    if job.start is not None:
                        steps.append(("job_search", "working", self.at(job.start, 9 * 60 + 30), ""))
                    if job.end is not None:
                        steps.append(("working", "job_search", self.at(job.end, 18 * 60), "Job ended"))
                if person.closed_on is not None:
                    steps.append(("job_search", "closed", self.at(person.closed_on, 17 * 60), ""))
                for before, after, at, note in steps:
                    pk += 1
                    actor = None if note == "Job ended" else person.specialist
                    yield (pk, person.id, before, after, at, actor, note or "")

        self.write(
            JobSeekerStatusChange,
            ["id", "job_seeker_id", "from_status", "to_status", "changed_at", "changed_by_id", "note"],
            changes(),
        )
        self.write(
            CareerProfile,
            ["id", "job_seeker_id", "work_goal", "updated_at"],
            ((p.id, p.id, rng.choice(names.GOALS), self.at(p.enrolment, 11 * 60)) for p in people),
            total=len(people),
        )
        preferences = {}

        def preference_rows():
            for person in people:
                low = rng.choice((None, 10, 15, 20))
                high = rng.choice((None, 24, 30, 35))
                days = rng.sample(["mon", "tue", "wed", "thu", "fri", "sat"], rng.randint(3, 5))
                shifts = rng.sample(["morning", "afternoon", "evening"], rng.randint(1, 2))
                preferences[person.id] = (
                    rng.sample(self.job_type_ids, rng.randint(1, 3)),
                    rng.sample(self.sector_industry, rng.randint(0, 1)),
                )
                yield (
                    person.id,
                    person.id,
                    low,
                    high,
                    json.dumps(days),
                    json.dumps(shifts),
                    names.TOWNS[self.team_town[person.team]][0],
                    rng.choice((None, 30, 45, 60)),
                    rng.choice((None, 5, 10, 20, 30)),
                    self.at(person.enrolment, 11 * 60),
                )

        self.write(
            JobPreference,
            [
                "id",
                "job_seeker_id",
                "min_hours_per_week",
                "max_hours_per_week",
                "days",
                "shifts",
                "places",
                "max_travel_minutes",
                "max_distance_km",
                "updated_at",
            ],
            preference_rows(),
            total=len(people),
        )
        through = JobPreference.job_types.through
        self.write(
            through,
            ["id", "jobpreference_id", "jobtype_id"],
            (
                (i + 1, pref, jt)
                for i, (pref, jt) in enumerate((pk, jt) for pk, (jts, _i) in preferences.items() for jt in jts)
            ),
        )
        self.write(
            JobPreference.industries.through,
            ["id", "jobpreference_id", "industry_id"],
            (
                (i + 1, pref, ind)
                for i, (pref, ind) in enumerate((pk, ind) for pk, (_j, inds) in preferences.items() for ind in inds)
            ),
        )
        consent_day = WINDOW_DAYS - 30

        def consents():
            for pk, person_id in enumerate(consenting, start=1):
                person = people[person_id - 1]
                on = max(person.enrolment, consent_day)
                yield (
                    pk,
                    org,
                    person_id,
                    partner,
                    True,
                    True,
                    True,
                    "La personne accompagnée",
                    self.day(on),
                    person.specialist,
                    self.at(on, 10 * 60),
                    self.at(on, 10 * 60),
                )

        self.write(
            SharingConsent,
            [
                "id",
                "organisation_id",
                "job_seeker_id",
                "partner_id",
                "shares_progress",
                "shares_support",
                "shares_benefits",
                "consented_by",
                "consented_on",
                "recorded_by_id",
                "recorded_at",
                "updated_at",
            ],
            consents(),
        )

    def write_contacts(self) -> None:
        rng = self.rng("contact-rows")
        org = self.organisation.pk
        learned = []
        on_behalf = []
        self.contact_held_at = []  # (id, updated_at) of held contacts, for their events
        seen = {}

        def rows():
            for index, (minute, specialist, employer, mode, person_id, status) in enumerate(self.contacts):
                pk = index + 1
                day, in_day = divmod(minute, 1440)
                starts = self.at(day, in_day)
                ends = starts + datetime.timedelta(minutes=DURATION[mode])
                e = employer - 1
                before = seen.get(employer, 0)
                nature = "first" if before == 0 else "second" if before == 1 else "ongoing"
                is_held = status == HELD
                if is_held:
                    seen[employer] = before + 1
                person = None
                if status in (HELD, NO_SHOW, PLANNED) and mode == MODES.IN_PERSON and rng.random() < 0.7:
                    person = self.first_person[e] + rng.randrange(self.n_persons[e])
                needs = ""
                if is_held and mode == MODES.IN_PERSON and rng.random() < 0.3:
                    types = self.sector_job_types[self.employer_sector[e]] or self.job_type_ids
                    for jt in rng.sample(types, min(len(types), rng.randint(1, 2))):
                        learned.append((pk, jt))
                    needs = rng.choice(names.HIRING_NEEDS)
                if person_id:
                    on_behalf.append((pk, person_id))
                next_step, next_on = "", None
                if is_held and rng.random() < 0.4:
                    next_step, next_on = rng.choice(names.NEXT_STEPS), self.day(day + rng.randint(3, 21))
                elif status == PLANNED:
                    next_step = rng.choice(names.NEXT_STEPS)
                logged = mode != MODES.IN_PERSON
                created = ends if logged and status != PLANNED else starts - datetime.timedelta(days=rng.randint(1, 10))
                updated = created if status == PLANNED else ends + datetime.timedelta(minutes=30)
                if is_held:
                    self.contact_held_at.append((pk, employer, mode, person_id, starts, updated, specialist))
                yield (
                    pk,
                    org,
                    specialist,
                    employer,
                    self.first_site[e] + rng.randrange(self.n_sites[e]),
                    person,
                    status,
                    mode,
                    nature,
                    "on_behalf" if person_id else "relationship",
                    status != PLANNED or rng.random() < 0.7,
                    starts,
                    ends,
                    (rng.random() < 0.5) if is_held else None,
                    needs,
                    rng.choice(names.RESULTS) if is_held else "",
                    next_step,
                    next_on,
                    rng.choice(names.CANCEL_REASONS) if status == CANCELLED else "",
                    0 if status == PLANNED else 1,
                    created,
                    updated,
                )

        self.write(
            EmployerContact,
            [
                "id",
                "organisation_id",
                "specialist_id",
                "employer_id",
                "site_id",
                "contact_person_id",
                "status",
                "mode",
                "nature",
                "purpose",
                "confirmed",
                "starts_at",
                "ends_at",
                "met_hiring_authority",
                "learned_hiring_needs",
                "result",
                "next_step",
                "next_step_on",
                "cancel_reason",
                "sequence",
                "created_at",
                "updated_at",
            ],
            rows(),
            total=len(self.contacts),
        )
        self.write(
            EmployerContact.job_seekers.through,
            ["id", "employercontact_id", "jobseeker_id"],
            ((i + 1, c, p) for i, (c, p) in enumerate(on_behalf)),
            total=len(on_behalf),
        )
        self.write(
            EmployerContact.learned_job_types.through,
            ["id", "employercontact_id", "jobtype_id"],
            ((i + 1, c, jt) for i, (c, jt) in enumerate(learned)),
            total=len(learned),
        )
        del self.contacts

    # Placements, their events and tasks ----------------------------------------------------

    def _event(self, topic: str, aggregate: str, aggregate_id: int, payload: dict, at, actor, dedup: str) -> int:
        declared = crm_events.topic(topic)
        if set(payload) != declared.fields:
            raise ValueError(f"{topic}: payload {sorted(payload)} is not {sorted(declared.fields)}")
        self.event_id += 1
        self.events.append(
            (
                self.event_id,
                self.organisation.pk,
                topic,
                declared.version,
                aggregate,
                aggregate_id,
                json.dumps(payload),
                at,
                dedup,
                actor,
                "handled",
                at,
                at,
                1,
                at + datetime.timedelta(seconds=2),
            )
        )
        return self.event_id

    EVENT_COLUMNS = [
        "id",
        "organisation_id",
        "topic",
        "payload_version",
        "aggregate_type",
        "aggregate_id",
        "payload",
        "occurred_at",
        "dedup_key",
        "actor_id",
        "status",
        "created_at",
        "last_sent_at",
        "send_count",
        "handled_at",
    ]

    def write_placements_events_and_tasks(self) -> None:
        rng = self.rng("placement-rows")
        org = self.organisation.pk
        today = WINDOW_DAYS
        self.events, self.event_id = [], 0
        tasks = []
        placements, milestones, plans, steps = [], [], [], []
        chains = {}  # placement id -> indexes of its follow-along contacts in `tasks`
        label = {value: str(lab) for value, lab in Placement.EndReason.choices}

        def task(
            person,
            job,
            kind,
            title_key,
            due,
            source,
            *,
            params=None,
            end=None,
            step=None,
            first_of_chain=True,
            created=None,
        ):
            """A task planned by `source`, closed as the services would leave it:
            before today done (or missed), from today open; an ended job's steps
            cancelled on its end date."""
            status, completed, cancelled, reason = "open", None, None, ""
            mode = place = support = given = ""
            if end is not None and due > end and kind != "job_end_contact" and kind != "job_end_report":
                status, cancelled, reason = "cancelled", self.day(end), "Job ended"
            elif due < today:
                if kind == "follow_along" and not first_of_chain and rng.random() < 0.06:
                    status, cancelled, reason = "cancelled", self.day(due), "Missed"
                else:
                    status = "done"
                    completed = self.day(min(today - 1, due + rng.randint(-2, 2)))
                    mode = weighted(rng, (("in_person", 6), ("phone", 3), ("video", 0.5), ("message", 0.5)))
                    if mode == "in_person":
                        place = weighted(rng, (("workplace", 5), ("community", 3), ("office", 2)))
                    if kind == "follow_along":
                        support = rng.choice(SUPPORT_TYPES)
                        given = weighted(rng, (("specialist", 8), ("health_team", 1), ("workplace", 1)))
            tasks.append(
                [
                    0,
                    org,
                    person.id,
                    job.id if job else None,
                    kind,
                    title_key,
                    json.dumps(params or {}),
                    "",
                    self.day(due),
                    self.day(due),
                    0 if status == "open" else 1,
                    person.specialist,
                    status,
                    source,
                    step,
                    reason,
                    cancelled,
                    completed,
                    mode,
                    place,
                    support,
                    given,
                    created or self.at(max(0, min(due, today) - 3), 7 * 60),
                    kind == "follow_along" and status == "done",
                ]
            )

        for person in self.people:
            enrolled = self._event(
                "jobseeker.enrolled",
                "jobseeker",
                person.id,
                {
                    "job_seeker_id": person.id,
                    "job_search_since": self.day(person.enrolment).isoformat(),
                    "reentry": False,
                },
                self.at(person.enrolment, 10 * 60 + 5),
                person.specialist,
                f"jobseeker:{person.id}:enrolled",
            )
            if person.disclosure == "undecided":
                task(
                    person,
                    None,
                    "disclosure_conversation",
                    TaskTitle.DISCLOSURE_CONVERSATION,
                    person.enrolment + 7,
                    enrolled,
                    params={"preference": "undecided"},
                    created=self.at(person.enrolment, 10 * 60 + 6),
                )
            for job in person.jobs:
                e = job.employer - 1
                types = self.sector_job_types[self.employer_sector[e]] or self.job_type_ids
                job_type = rng.choice(types)
                hours = Decimal(rng.randrange(20, 71)) / 2
                pay = Decimal(rng.randrange(1165, 1500)) / 100
                status = "ended" if job.end is not None else "active" if job.start is not None else "offer_accepted"
                placements.append(
                    (
                        job.id,
                        org,
                        person.id,
                        job.employer,
                        job.site,
                        self.job_type_label[job_type],
                        job_type,
                        hours,
                        pay,
                        rng.random() < 0.95,
                        "permanent" if rng.random() < 0.55 else "temporary",
                        self.day(job.offer),
                        self.day(job.expected_start) if job.expected_start is not None else None,
                        self.day(job.start) if job.start is not None else None,
                        self.day(job.end) if job.end is not None else None,
                        status,
                        job.end_reason,
                        self.at(job.offer, 11 * 60),
                        self.at(
                            job.end if job.end is not None else job.start if job.start is not None else job.offer,
                            18 * 60,
                        ),
                    )
                )
                base = {"placement_id": job.id, "job_seeker_id": person.id}
                offered = self._event(
                    "placement.offer_accepted",
                    "placement",
                    job.id,
                    {
                        **base,
                        "employer_id": job.employer,
                        "offer_date": self.day(job.offer).isoformat(),
                        "expected_start_date": self.day(job.expected_start).isoformat(),
                        "receives_benefits": person.benefits,
                        "disclosure_preference": person.disclosure,
                    },
                    self.at(job.offer, 11 * 60),
                    person.specialist,
                    f"placement:{job.id}:offer_accepted",
                )
                before_start = max(job.offer, job.expected_start - 1)
                created = self.at(job.offer, 11 * 60 + 1)
                if person.benefits in ("yes", "unknown"):
                    done = before_start < today and (job.end is None or before_start <= job.end)
                    steps.append(
                        (
                            len(steps) + 1,
                            org,
                            person.id,
                            job.id,
                            "before_start",
                            "plan_in_place" if done else "offered",
                            self.day(job.offer),
                            self.day(before_start) if done else None,
                            created,
                        )
                    )
                    task(
                        person,
                        job,
                        "benefits_planning",
                        TaskTitle.BENEFITS_BEFORE_START,
                        before_start,
                        offered,
                        end=job.end,
                        step=len(steps),
                        created=created,
                    )
                task(
                    person,
                    job,
                    "accommodation",
                    TaskTitle.ACCOMMODATION_NEEDS,
                    before_start,
                    offered,
                    end=job.end,
                    created=created,
                )
                if job.start is None or before_start < job.start:
                    task(
                        person,
                        job,
                        "follow_along",
                        TaskTitle.FOLLOW_ALONG_BEFORE_START,
                        before_start,
                        offered,
                        created=created,
                    )
                else:  # overtaken by the start itself
                    tasks.append(
                        [
                            0,
                            org,
                            person.id,
                            job.id,
                            "follow_along",
                            TaskTitle.FOLLOW_ALONG_BEFORE_START,
                            "{}",
                            "",
                            self.day(before_start),
                            self.day(before_start),
                            1,
                            person.specialist,
                            "cancelled",
                            offered,
                            None,
                            "The job has started.",
                            self.day(job.start),
                            None,
                            "",
                            "",
                            "",
                            "",
                            created,
                            False,
                        ]
                    )
                if job.start is None:
                    continue
                started = self._event(
                    "placement.started",
                    "placement",
                    job.id,
                    {
                        **base,
                        "start_date": self.day(job.start).isoformat(),
                        "hours_per_week": str(hours),
                        "hourly_pay": str(pay),
                    },
                    self.at(job.start, 9 * 60 + 30),
                    person.specialist,
                    f"placement:{job.id}:started",
                )
                plans.append(
                    [
                        job.id,
                        job.id,
                        "standard",
                        "active" if job.end is None else "ended",
                        "" if job.end is None else label[job.end_reason],
                        self.at(job.end if job.end is not None else job.start, 18 * 60),
                    ]
                )
                # Follow-along contacts on the program's rhythm, until the job ended or
                # the first one from today (open).
                start_date = self.day(job.start)
                due_date, first = None, True
                chains[job.id] = chain = []
                while True:
                    chain.append(len(tasks))
                    due_date = next_due_date(
                        program=self.organisation, frequency="standard", start_date=start_date, previous_due=due_date
                    )
                    due = (due_date - self.start).days
                    task(
                        person,
                        job,
                        "follow_along",
                        TaskTitle.FOLLOW_ALONG,
                        due,
                        started if first else None,
                        end=job.end,
                        first_of_chain=first,
                    )
                    first = False
                    if due >= today or (job.end is not None and due > job.end):
                        break
                for name, days in MILESTONE_DAYS.items():
                    due = job.start + days
                    reached = due <= today and (job.end is None or due <= job.end)
                    milestones.append(
                        (
                            len(milestones) + 1,
                            job.id,
                            name,
                            self.day(due),
                            self.at(due, 6 * 60 + 5) if reached else None,
                            True if reached else (False if job.end is not None and due > job.end else None),
                        )
                    )
                    if not reached:
                        continue
                    event = self._event(
                        "placement.milestone_reached",
                        "placement",
                        job.id,
                        {**base, "milestone": str(name), "due_date": self.day(due).isoformat(), "still_working": True},
                        self.at(due, 6 * 60 + 5),
                        None,
                        f"placement:{job.id}:milestone:{name}",
                    )
                    follow_up = {
                        "day_30": ("accommodation", TaskTitle.ACCOMMODATION_FIRST_MONTH, 7),
                        "day_90": ("retention_check", TaskTitle.RETENTION_CHECK, 7),
                        "day_365": ("step_down_review", TaskTitle.STEP_DOWN_ONE_YEAR, 14),
                    }.get(str(name))
                    if follow_up:
                        kind, title, after = follow_up
                        task(
                            person, job, kind, title, due + after, event, end=job.end, created=self.at(due, 6 * 60 + 6)
                        )
                if job.end is not None:
                    ended = self._event(
                        "placement.ended",
                        "placement",
                        job.id,
                        {**base, "end_date": self.day(job.end).isoformat(), "end_reason": job.end_reason},
                        self.at(job.end, 18 * 60),
                        person.specialist,
                        f"placement:{job.id}:ended",
                    )
                    created = self.at(job.end, 18 * 60 + 1)
                    task(person, job, "job_end_contact", TaskTitle.JOB_END_CONTACT, job.end + 3, ended, created=created)
                    task(person, job, "job_end_report", TaskTitle.JOB_END_REPORT, job.end + 7, ended, created=created)
                    self._event(
                        "jobseeker.enrolled",
                        "jobseeker",
                        person.id,
                        {
                            "job_seeker_id": person.id,
                            "job_search_since": self.day(job.end).isoformat(),
                            "reentry": True,
                        },
                        self.at(job.end, 18 * 60),
                        None,
                        f"jobseeker:{person.id}:reentry:placement:{job.id}",
                    )
        self._fit_tasks(rng, tasks, chains, {plan[1]: plan for plan in plans})

        self.write(
            Placement,
            [
                "id",
                "organisation_id",
                "job_seeker_id",
                "employer_id",
                "site_id",
                "job_title",
                "job_type_id",
                "hours_per_week",
                "hourly_pay",
                "is_competitive",
                "term",
                "offer_date",
                "expected_start_date",
                "start_date",
                "end_date",
                "status",
                "end_reason",
                "created_at",
                "updated_at",
            ],
            placements,
            total=len(placements),
        )
        self.write(
            PlacementMilestone,
            ["id", "placement_id", "name", "due_date", "reached_at", "still_working"],
            milestones,
            total=len(milestones),
        )
        self.write(
            FollowAlongPlan,
            ["id", "placement_id", "frequency", "status", "status_reason", "updated_at"],
            (tuple(plan) for plan in plans),
            total=len(plans),
        )
        self.write(
            BenefitsStep,
            [
                "id",
                "organisation_id",
                "job_seeker_id",
                "placement_id",
                "reason",
                "status",
                "offered_on",
                "completed_on",
                "updated_at",
            ],
            steps,
            total=len(steps),
        )
        self.write(OutboxEvent, self.EVENT_COLUMNS, self.events, total=len(self.events), key="crm_outboxevent")
        del self.events
        self.write(
            SupportTask,
            [
                "id",
                "organisation_id",
                "job_seeker_id",
                "placement_id",
                "kind",
                "title_key",
                "title_params",
                "custom_title",
                "due_date",
                "due_by",
                "sequence",
                "owner_id",
                "status",
                "source_event_id",
                "benefits_step_id",
                "cancel_reason",
                "cancelled_on",
                "completed_on",
                "completion_mode",
                "place",
                "support_type",
                "given_by",
                "created_at",
                "updated_at",
            ],
            (tuple(t[:22]) + (t[22], t[22] if t[12] == "open" else t[22] + datetime.timedelta(days=1)) for t in tasks),
            total=len(tasks),
        )

    def _fit_tasks(self, rng: random.Random, tasks: list, chains: dict, plans: dict) -> None:
        """Exactly the profile's number of tasks. Too many: some workers declined
        follow-along after its first month (the plan of a job still held is *declined*;
        their later contacts were never planned), in random placements until the count
        fits, those of ended jobs first. Too few: hand-written tasks. Then number them."""
        target = self.profile.tasks
        self.planned_tasks = len(tasks)
        excess = len(tasks) - target
        if excess > 0:
            drop = set()
            # Ended jobs first (their plan ends with the job either way), then jobs held.
            ended = sorted(pk for pk in chains if plans[pk][3] == FollowAlongPlan.Status.ENDED)
            held = sorted(pk for pk in chains if plans[pk][3] != FollowAlongPlan.Status.ENDED)
            rng.shuffle(ended)
            rng.shuffle(held)
            order = ended + held
            for placement_id in order:
                chain = chains[placement_id]
                kept = max(5, len(chain) - excess)
                if kept >= len(chain):
                    continue
                drop.update(chain[kept:])
                excess -= len(chain) - kept
                plan = plans[placement_id]
                if plan[3] == FollowAlongPlan.Status.ACTIVE:
                    plan[3], plan[4] = FollowAlongPlan.Status.DECLINED, "The worker declined further support."
                if excess <= 0:
                    break
            tasks[:] = [t for i, t in enumerate(tasks) if i not in drop][:target]
        people = self.people
        while len(tasks) < target:
            person = rng.choice(people)
            due = rng.randrange(person.enrolment, WINDOW_DAYS + FUTURE_DAYS)
            done = due < WINDOW_DAYS
            tasks.append(
                [
                    0,
                    self.organisation.pk,
                    person.id,
                    None,
                    "other",
                    "",
                    "{}",
                    rng.choice(names.OTHER_TASKS),
                    self.day(due),
                    self.day(due),
                    1 if done else 0,
                    person.specialist,
                    "done" if done else "open",
                    None,
                    None,
                    "",
                    None,
                    self.day(due) if done else None,
                    "",
                    "",
                    "",
                    "",
                    self.at(max(person.enrolment, due - 5), 9 * 60),
                    False,
                ]
            )
        for pk, row in enumerate(tasks, start=1):
            row[0] = pk

    def write_held_events(self) -> None:
        """One `employer_contact.held` event per held contact, as employer_contact_hold
        emits it (written last: millions of rows streamed, not kept)."""
        declared = crm_events.topic("employer_contact.held")
        org = self.organisation.pk
        first_id = self.event_id

        def rows():
            for i, (pk, employer, mode, person_id, starts, updated, specialist) in enumerate(self.contact_held_at):
                payload = {
                    "employer_contact_id": pk,
                    "employer_id": employer,
                    "mode": str(mode),
                    "purpose": "on_behalf" if person_id else "relationship",
                    "job_seeker_ids": [person_id] if person_id else [],
                    "held_at": starts.astimezone(datetime.UTC).isoformat(),
                }
                yield (
                    first_id + i + 1,
                    org,
                    "employer_contact.held",
                    declared.version,
                    "employer_contact",
                    pk,
                    json.dumps(payload),
                    updated,
                    f"employer_contact:{pk}:held",
                    specialist,
                    "handled",
                    updated,
                    updated,
                    1,
                    updated + datetime.timedelta(seconds=2),
                )

        self.write(OutboxEvent, self.EVENT_COLUMNS, rows(), total=len(self.contact_held_at), key="crm_outboxevent")
        del self.contact_held_at


def analyze(say: Callable[[str], None] = print) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
