"""The partner API's permission matrix, generated from one table.

`ROWS` lists every endpoint once: its method and path, the grant a partner key needs
(or staff only), the consent area its rows tell about, how its target is found in the
world (tests/integrations/api/world.py) and, for writes, the body. Each row meets
every column: a partner key with and without the grant, aimed at its own referral, a
person under a consent covering the row's area, covering another area, no consent, a
consent withdrawn (seen, then 404 at the next request), a consent expired, another
partner's referral, another program's record; a revoked and an expired key; staff (own
caseload, team, team with team cover off, another team, team leader, another team's
leader, program admin, another program's admin); anonymous.

The expected answer is worked out here, from the rules of docs/access-rules.md written
down again (`OWNER`, `REFERRED_BY`, `CONSENTED`...), not from crm.access: a missing grant
is 403, a row outside the scope 404, no credentials 401. A list answers 200 with
exactly the rows the caller may see (compared by id), a detail 404 for the others."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db.models import Q
from django.utils import timezone
from rest_framework.test import APIClient

from crm import clock
from crm.models import Organisation, OutboxEvent
from integrations.api import grants as G
from tests.integrations.api.world import COVERS, World, module_world, world_for_test

world = pytest.fixture(scope="module")(module_world)
api_world = pytest.fixture(world_for_test)

STAFF_ONLY = "staff only"
ANY_READ = "any read grant"
AREAS = ("progress", "support", "benefits")
EVERYTHING = frozenset(AREAS)

# The rules, written down again -----------------------------------------------------------

#: person -> whose caseload they are on
OWNER = {name: "sam" for name in COVERS} | {"sofias": "sofia", "other_partner": "bob", "lyon": "louis"}
#: staff member -> team; team leaders lead their own team
TEAM = {"sam": "A", "sofia": "A", "lea": "A", "bob": "B", "bruno": "B", "louis": "L"}
LEADERS = {"lea", "bruno"}
ADMINS = {"ada": "marseille", "lena": "lyon"}
PROGRAM_OF_STAFF = {name: "lyon" if name in ("louis", "lena") else "marseille" for name in [*TEAM, *ADMINS]}


def program_of(person: str) -> str:
    return "lyon" if person == "lyon" else "marseille"


def staff_reads(user: str, person: str, *, team_cover: bool = True) -> bool:
    if PROGRAM_OF_STAFF[user] != program_of(person):
        return False
    if user in ADMINS:
        return True
    owner = OWNER[person]
    if user == owner:
        return True
    if user in LEADERS or team_cover:
        return TEAM[owner] == TEAM[user]
    return False


def staff_edits(user: str, person: str) -> bool:
    if PROGRAM_OF_STAFF[user] != program_of(person):
        return False
    if user in ADMINS or user == OWNER[person]:
        return True
    return user in LEADERS and TEAM[OWNER[person]] == TEAM[user]


#: person -> the partner that referred them
REFERRED_BY = {"referred": "partner", "other_partner": "other_partner", "lyon": "lyon_partner"}
#: person -> (partner, what its consent in force covers); "expired" ended yesterday
CONSENTED = {
    **{name: ("partner", frozenset(covers)) for name, covers in COVERS.items() if covers and name != "expired"},
    "other_partner": ("other_partner", EVERYTHING),
    "lyon": ("lyon_partner", EVERYTHING),
}


def partner_sees(partner: str, person: str, area: str | None, *, withdrawn: frozenset = frozenset()) -> bool:
    """A partner sees a person's own record when it referred them or holds a consent in
    force about them; the rows of an area only under a consent covering it."""
    if area is None and REFERRED_BY.get(person) == partner:
        return True
    consent = CONSENTED.get(person)
    if consent is None or consent[0] != partner or person in withdrawn:
        return False
    return area is None or area in consent[1]


#: event topic prefix -> consent area (integrations.api.disclosure.PARTNER_TOPICS); others never shared
TOPIC_AREA = {
    "jobseeker.enrolled": "progress",
    "placement.": "progress",
    "accommodation.": "support",
    "benefits.": "benefits",
}
AREA_GRANT = {None: G.JOBSEEKERS_READ, "progress": G.PLACEMENTS_READ, "support": G.SUPPORT_READ}
AREA_GRANT["benefits"] = G.BENEFITS_READ

# The table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One endpoint. `kind`: what its target is (a Person attribute, "event:<area>",
    "employer"...); `scope`: "caseload" (rows of a person), "program" (shared across
    the program, staff only; `edit`: edited by its specialist, their team leader or a
    program admin), "partner" (a partner's own rows: webhook subscriptions and
    deliveries; program admins see every partner's), "create" (a POST naming no row in
    its path), "anyone" (every caller with credentials, each reading its own)."""

    name: str
    method: str
    path: str
    grant: str
    area: str | None = None
    kind: str = "job_seeker"
    scope: str = "caseload"
    many: bool = False
    edit: bool = False
    assigned: bool = False
    body: Callable[[World, str], dict] | None = None
    ok: int = 200
    #: a create naming a row in its body: "person" (the target person, or their
    #: specialist), "employer" (Marseille's), "partner" (the partner's own); out of
    #: the caller's scope it is a 400 on that field (docs/access-rules.md)
    refers: str | None = None
    #: builds a fresh target for `person` (inside the test's savepoint) and returns its id
    make: Callable[[World, str], int] | None = None

    @property
    def staff_only(self) -> bool:
        return self.grant == STAFF_ONLY

    def __str__(self):
        return self.name


def person_kind_ids(world: World, person: str, kind: str) -> set[int]:
    """The ids of `person`'s rows of `kind` (their events by area for "event:<area>")."""
    who = world.people[person]
    if kind.startswith("event:"):
        area = None if kind == "event:None" else kind.split(":", 1)[1]
        prefixes = [prefix for prefix, topic_area in TOPIC_AREA.items() if topic_area == area]
        return set(
            OutboxEvent.objects.filter(
                Q(aggregate_type="jobseeker", aggregate_id=who.job_seeker.pk)
                | Q(aggregate_type="placement", aggregate_id=who.placement.pk),
                Q.create([("topic__startswith", prefix) for prefix in prefixes], connector=Q.OR),
            ).values_list("pk", flat=True)
        )
    return who.ids(kind)


def program_kind_ids(world: World, program: str, kind: str) -> set[int]:
    return {getattr(getattr(world, program), kind).pk}


def person_target(world: World, person: str, kind: str) -> int:
    ids = person_kind_ids(world, person, kind)
    return min(ids)


def _enrol(world, person):
    return {"phone": "+33 6 00 00 00 01"}


def _new_person(world, person):
    return {
        "first_name": "Nouvelle",
        "last_name": "Personne",
        "town": "Marseille",
        "referral_date": str(datetime.date.today() - datetime.timedelta(days=2)),
        "specialist_id": world.people[person].job_seeker.specialist_id,
    }


def _referral(world, person):
    return {"first_name": "Nadia", "last_name": "Benali", "town": "Marseille", "receives_benefits": "yes"}


def _employer(world, program):
    return {"name": "Boulangerie du Port", "industry": "I"}


def _site(world, program):
    return {"address": "1 quai du Port", "town": "Marseille", "postcode": "13002"}


def _contact_person(world, program):
    return {"name": "Claire Martin", "role": "Gérante"}


def _today(world) -> str:
    return clock.program_today(world.marseille.organisation).isoformat()


def _offer(world, person):
    return {
        "job_seeker": world.people[person].job_seeker.pk,
        "employer": world.marseille.employer.pk,
        "job_title": "Baker",
        "is_competitive": True,
        "term": "permanent",
        "offer_date": _today(world),
    }


def _planned_contact(world, person):
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    return {
        "employer": world.marseille.employer.pk,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(hours=1)).isoformat(),
        "mode": "in_person",
        "purpose": "relationship",
    }


def _logged_contact(world, person):
    return {
        "employer": world.marseille.employer.pk,
        "occurred_at": (timezone.now() - datetime.timedelta(hours=2)).replace(microsecond=0).isoformat(),
        "mode": "phone",
        "purpose": "relationship",
    }


def _rescheduled(world, person):
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    return {"starts_at": starts.isoformat(), "ends_at": (starts + datetime.timedelta(hours=1)).isoformat()}


def _subscription(world, person):
    return {"url": "https://hooks.example.org/new", "topics": ["placement.started"], "partner_id": world.partner.pk}


def _new_offer(world, person):
    return world.new_offer(person)


ROWS: list[Row] = [
    # Job seekers and referrals
    Row("job seekers: list", "GET", "/api/v1/job-seekers/", G.JOBSEEKERS_READ, many=True),
    Row("job seeker: read", "GET", "/api/v1/job-seekers/{id}/", G.JOBSEEKERS_READ),
    Row("job seeker: change", "PATCH", "/api/v1/job-seekers/{id}/", STAFF_ONLY, edit=True, body=_enrol),
    Row(
        "job seeker: create",
        "POST",
        "/api/v1/job-seekers/",
        STAFF_ONLY,
        scope="create",
        refers="person",
        body=_new_person,
        ok=201,
    ),
    Row("referral: create", "POST", "/api/v1/referrals/", G.REFERRALS_WRITE, scope="create", body=_referral, ok=201),
    Row("career profile: read", "GET", "/api/v1/job-seekers/{id}/career-profile/", STAFF_ONLY),
    Row(
        "career profile: change",
        "PATCH",
        "/api/v1/job-seekers/{id}/career-profile/",
        STAFF_ONLY,
        edit=True,
        body=lambda world, person: {"work_goal": "Bakery, mornings"},
    ),
    Row("preferences: read", "GET", "/api/v1/job-seekers/{id}/preferences/", STAFF_ONLY),
    Row(
        "preferences: change",
        "PATCH",
        "/api/v1/job-seekers/{id}/preferences/",
        STAFF_ONLY,
        edit=True,
        body=lambda world, person: {"things_to_avoid": "Night shifts"},
    ),
    # Employers, their sites and contact persons (staff only, shared across the program)
    Row("employers: list", "GET", "/api/v1/employers/", STAFF_ONLY, kind="employer", scope="program", many=True),
    Row("employer: read", "GET", "/api/v1/employers/{id}/", STAFF_ONLY, kind="employer", scope="program"),
    Row(
        "employer: change",
        "PATCH",
        "/api/v1/employers/{id}/",
        STAFF_ONLY,
        kind="employer",
        scope="program",
        body=lambda world, program: {"description": "Bakes at night"},
    ),
    Row(
        "employer: create",
        "POST",
        "/api/v1/employers/",
        STAFF_ONLY,
        kind="employer",
        scope="create",
        body=_employer,
        ok=201,
    ),
    Row(
        "employer site: add",
        "POST",
        "/api/v1/employers/{id}/sites/",
        STAFF_ONLY,
        kind="employer",
        scope="program",
        body=_site,
        ok=201,
    ),
    Row(
        "employer site: change",
        "PATCH",
        "/api/v1/employers/{employer}/sites/{id}/",
        STAFF_ONLY,
        kind="site",
        scope="program",
        body=lambda world, program: {"postcode": "13003"},
    ),
    Row(
        "contact person: add",
        "POST",
        "/api/v1/employers/{id}/contact-persons/",
        STAFF_ONLY,
        kind="employer",
        scope="program",
        body=_contact_person,
        ok=201,
    ),
    Row(
        "contact person: change",
        "PATCH",
        "/api/v1/employers/{employer}/contact-persons/{id}/",
        STAFF_ONLY,
        kind="contact_person",
        scope="program",
        body=lambda world, program: {"role": "Directrice"},
    ),
    # Placements with their milestones
    Row("placements: list", "GET", "/api/v1/placements/", G.PLACEMENTS_READ, "progress", "placement", many=True),
    Row("placement: read", "GET", "/api/v1/placements/{id}/", G.PLACEMENTS_READ, "progress", "placement"),
    Row(
        "placement: record an offer",
        "POST",
        "/api/v1/placements/",
        STAFF_ONLY,
        scope="create",
        refers="person",
        body=_offer,
        ok=201,
    ),
    Row(
        "placement: start",
        "POST",
        "/api/v1/placements/{id}/start/",
        STAFF_ONLY,
        "progress",
        "placement",
        edit=True,
        make=_new_offer,
        body=lambda world, person: {"start_date": _today(world)},
    ),
    Row(
        "placement: change terms",
        "POST",
        "/api/v1/placements/{id}/change-terms/",
        STAFF_ONLY,
        "progress",
        "placement",
        edit=True,
        body=lambda world, person: {"hours_per_week": "24.0", "hourly_pay": "12.50", "effective_on": _today(world)},
    ),
    Row(
        "placement: end",
        "POST",
        "/api/v1/placements/{id}/end/",
        STAFF_ONLY,
        "progress",
        "placement",
        edit=True,
        body=lambda world, person: {"end_date": _today(world), "end_reason": "temporary_ended"},
    ),
    # Support tasks
    Row("support tasks: list", "GET", "/api/v1/support-tasks/", G.SUPPORT_READ, "support", "support_tasks", many=True),
    Row("support task: read", "GET", "/api/v1/support-tasks/{id}/", G.SUPPORT_READ, "support", "support_task"),
    Row(
        "support task: complete",
        "POST",
        "/api/v1/support-tasks/{id}/complete/",
        STAFF_ONLY,
        "support",
        "support_task",
        edit=True,
        body=lambda world, person: {
            "completed_on": _today(world),
            "completion_mode": "phone",
            "support_type": "on_the_job",
        },
    ),
    Row(
        "support task: schedule",
        "POST",
        "/api/v1/support-tasks/{id}/schedule/",
        STAFF_ONLY,
        "support",
        "support_task",
        edit=True,
        body=lambda world, person: {"due_date": _today(world)},
    ),
    # Workplace adjustments
    Row(
        "accommodations: list", "GET", "/api/v1/accommodations/", G.SUPPORT_READ, "support", "accommodation", many=True
    ),
    Row("accommodation: read", "GET", "/api/v1/accommodations/{id}/", G.SUPPORT_READ, "support", "accommodation"),
    Row(
        "accommodation: add",
        "POST",
        "/api/v1/accommodations/",
        STAFF_ONLY,
        scope="create",
        refers="person",
        body=lambda world, person: {
            "placement": world.people[person].placement.pk,
            "description": "A stool at the counter",
            "worker_consents_to_disclosure": True,
        },
        ok=201,
    ),
    Row(
        "accommodation: move on",
        "POST",
        "/api/v1/accommodations/{id}/advance/",
        STAFF_ONLY,
        "support",
        "accommodation",
        edit=True,
        body=lambda world, person: {},
    ),
    # Benefits-counselling steps
    Row(
        "benefits steps: list",
        "GET",
        "/api/v1/benefits-steps/",
        G.BENEFITS_READ,
        "benefits",
        "benefits_step",
        many=True,
    ),
    Row("benefits step: read", "GET", "/api/v1/benefits-steps/{id}/", G.BENEFITS_READ, "benefits", "benefits_step"),
    Row(
        "benefits step: offer",
        "POST",
        "/api/v1/benefits-steps/",
        STAFF_ONLY,
        scope="create",
        refers="person",
        body=lambda world, person: {
            "job_seeker": world.people[person].job_seeker.pk,
            "reason": "other",
            "offered_on": _today(world),
        },
        ok=201,
    ),
    Row(
        "benefits step: move on",
        "POST",
        "/api/v1/benefits-steps/{id}/advance/",
        G.BENEFITS_WRITE,
        "benefits",
        "benefits_step",
        edit=True,
        assigned=True,
        body=lambda world, person: {},
    ),
    Row(
        "benefits step: assign",
        "POST",
        "/api/v1/benefits-steps/{id}/assign/",
        STAFF_ONLY,
        "benefits",
        "benefits_step",
        edit=True,
        body=lambda world, person: {"counsellor": world.other_partner.pk},
    ),
    # The employer contact log (staff only, read across the program)
    Row(
        "employer contacts: list",
        "GET",
        "/api/v1/employer-contacts/",
        STAFF_ONLY,
        kind="employer_contact",
        scope="program",
        many=True,
    ),
    Row(
        "employer contact: read",
        "GET",
        "/api/v1/employer-contacts/{id}/",
        STAFF_ONLY,
        kind="employer_contact",
        scope="program",
    ),
    Row(
        "employer contact: plan",
        "POST",
        "/api/v1/employer-contacts/",
        STAFF_ONLY,
        kind="employer_contact",
        scope="create",
        refers="employer",
        body=_planned_contact,
        ok=201,
    ),
    Row(
        "employer contact: log",
        "POST",
        "/api/v1/employer-contacts/log/",
        STAFF_ONLY,
        kind="employer_contact",
        scope="create",
        refers="employer",
        body=_logged_contact,
        ok=201,
    ),
    Row(
        "employer contact: reschedule",
        "POST",
        "/api/v1/employer-contacts/{id}/reschedule/",
        STAFF_ONLY,
        kind="employer_contact",
        scope="program",
        edit=True,
        body=_rescheduled,
    ),
    Row(
        "employer contact: cancel",
        "POST",
        "/api/v1/employer-contacts/{id}/cancel/",
        STAFF_ONLY,
        kind="employer_contact",
        scope="program",
        edit=True,
        body=lambda world, person: {"reason": "The manager is on leave"},
    ),
    Row(
        "employer contact: hold",
        "POST",
        "/api/v1/employer-contacts/{id}/hold/",
        STAFF_ONLY,
        kind="employer_contact",
        scope="program",
        edit=True,
        body=lambda world, person: {"result": "Hiring in spring"},
    ),
    # Webhook subscriptions and their delivery log (a partner's own; program admins all)
    Row(
        "webhook subscriptions: list",
        "GET",
        "/api/v1/webhooks/subscriptions/",
        G.WEBHOOKS_MANAGE,
        kind="subscription",
        scope="partner",
        many=True,
    ),
    Row(
        "webhook subscription: read",
        "GET",
        "/api/v1/webhooks/subscriptions/{id}/",
        G.WEBHOOKS_MANAGE,
        kind="subscription",
        scope="partner",
    ),
    Row(
        "webhook subscription: create",
        "POST",
        "/api/v1/webhooks/subscriptions/",
        G.WEBHOOKS_MANAGE,
        kind="subscription",
        scope="create",
        refers="partner",
        body=_subscription,
        ok=201,
    ),
    Row(
        "webhook subscription: change",
        "PATCH",
        "/api/v1/webhooks/subscriptions/{id}/",
        G.WEBHOOKS_MANAGE,
        kind="subscription",
        scope="partner",
        body=lambda world, person: {"description": "Our CRM"},
    ),
    Row(
        "webhook subscription: delete",
        "DELETE",
        "/api/v1/webhooks/subscriptions/{id}/",
        G.WEBHOOKS_MANAGE,
        kind="subscription",
        scope="partner",
        ok=204,
    ),
    *[
        Row(
            f"webhook subscription: {action}",
            "POST",
            f"/api/v1/webhooks/subscriptions/{{id}}/{action}/",
            G.WEBHOOKS_MANAGE,
            kind="subscription",
            scope="partner",
        )
        for action in ("rotate-secret", "disable", "enable")
    ],
    Row(
        "webhook deliveries: list",
        "GET",
        "/api/v1/webhooks/deliveries/",
        G.WEBHOOKS_MANAGE,
        kind="delivery",
        scope="partner",
        many=True,
    ),
    Row(
        "webhook delivery: read",
        "GET",
        "/api/v1/webhooks/deliveries/{id}/",
        G.WEBHOOKS_MANAGE,
        kind="delivery",
        scope="partner",
    ),
    # What an incremental sync must drop (any read grant; each caller its own)
    Row(
        "tombstones: read",
        "GET",
        "/api/v1/tombstones/?since=2000-01-01T00:00:00Z",
        ANY_READ,
        kind="tombstone",
        scope="anyone",
    ),
    # The events feed
    Row("events: list", "GET", "/api/v1/events/", G.EVENTS_READ, kind="event", many=True),
    *[
        Row(f"event ({area}): read", "GET", "/api/v1/events/{id}/", G.EVENTS_READ, area, f"event:{area}")
        for area in AREAS
    ],
]

# The columns -------------------------------------------------------------------------------

#: the person under a consent covering the area / covering another area only
COVERING = {None: "progress", "progress": "progress", "support": "support", "benefits": "benefits"}
OTHER_AREA = {None: "support", "progress": "support", "support": "benefits", "benefits": "progress"}


@dataclass(frozen=True)
class Column:
    name: str
    #: world.credentials name; "without grant": the partner's key lacking the row's grant; None: anonymous
    credential: str | None
    #: the target's person: a name, or "covering" / "other area" (per the row's area)
    person: str = "shared"
    partner: str | None = None
    staff: str | None = None
    team_cover: bool = True
    withdraw: bool = False

    def __str__(self):
        return self.name


DETAIL_COLUMNS = [
    Column("partner key without the grant", "without grant", "covering", partner="partner"),
    Column("partner: own referral", "partner", "referred", partner="partner"),
    Column("partner: consent covering the area", "partner", "covering", partner="partner"),
    Column("partner: consent covering another area", "partner", "other area", partner="partner"),
    Column("partner: no consent", "partner", "no_consent", partner="partner"),
    Column("partner: consent withdrawn", "partner", "withdrawn", partner="partner", withdraw=True),
    Column("partner: consent expired", "partner", "expired", partner="partner"),
    Column("partner: another partner's referral", "partner", "other_partner", partner="partner"),
    Column("partner: another program's record", "partner", "lyon", partner="partner"),
    Column("partner: revoked key", "revoked", "covering", partner="partner"),
    Column("partner: expired key", "expired_key", "covering", partner="partner"),
    Column("specialist: own caseload", "sam", staff="sam"),
    Column("specialist: team", "sofia", staff="sofia"),
    Column("specialist: team, team cover off", "sofia", staff="sofia", team_cover=False),
    Column("specialist: other team", "bob", staff="bob"),
    Column("team leader", "lea", staff="lea"),
    Column("team leader: other team", "bruno", staff="bruno"),
    Column("program admin", "ada", staff="ada"),
    Column("other program's admin", "lena", staff="lena"),
    Column("anonymous", None),
]

LIST_COLUMNS = [
    Column("partner key", "partner", partner="partner"),
    Column("partner key without the grant", "without grant", partner="partner"),
    Column("partner key: a consent withdrawn", "partner", partner="partner", withdraw=True),
    Column("another partner's key", "other_partner", partner="other_partner"),
    Column("another program's partner key", "lyon_partner", partner="lyon_partner"),
    Column("partner: revoked key", "revoked", partner="partner"),
    Column("specialist", "sam", staff="sam"),
    Column("specialist of the team", "sofia", staff="sofia"),
    Column("specialist, team cover off", "sofia", staff="sofia", team_cover=False),
    Column("specialist: other team", "bob", staff="bob"),
    Column("team leader", "lea", staff="lea"),
    Column("team leader: other team", "bruno", staff="bruno"),
    Column("program admin", "ada", staff="ada"),
    Column("other program's admin", "lena", staff="lena"),
    Column("anonymous", None),
]


def person_of(column: Column, row: Row) -> str:
    if column.person == "covering":
        return COVERING[row.area]
    if column.person == "other area":
        return OTHER_AREA[row.area]
    return column.person


def credential_of(column: Column, row: Row) -> str | None:
    if column.credential != "without grant":
        return column.credential
    if row.grant == STAFF_ONLY:
        return "partner"
    if row.grant == ANY_READ:
        return "without any read grant"
    return f"without {row.grant}"


# Expectations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    status: int
    #: after the consent is withdrawn (withdraw columns)
    then: int | None = None


#: whose benefits steps are assigned to which partner (world.py)
ASSIGNED_TO = {name: "partner" for name in COVERS} | {"other_partner": "other_partner", "lyon": "lyon_partner"}
#: a partner-owned row (webhooks) is the partner's own, unless the column aims at another's
OWNED_BY = {"other_partner": "other_partner", "lyon": "lyon_partner"}


def expect_detail(row: Row, column: Column) -> Expect:
    if column.credential is None or column.credential in ("revoked", "expired_key"):
        return Expect(401)
    person = person_of(column, row)
    if column.partner is not None:
        return _expect_partner(row, column, person)
    return Expect(_expect_staff(row, column, person))


def _expect_partner(row: Row, column: Column, person: str) -> Expect:
    if row.staff_only or column.credential == "without grant":
        return Expect(403)
    if row.scope in ("create", "anyone"):
        return Expect(row.ok)
    if row.scope == "partner":
        own = person not in OWNED_BY
        status = row.ok if own else 404
        return Expect(status, 404 if own and row.method == "DELETE" else status)
    seen = partner_sees(column.partner, person, row.area)
    if row.method != "GET" and not (row.assigned and ASSIGNED_TO[person] == column.partner):
        seen = False  # partners write nothing but what is assigned to them
    return Expect(row.ok if seen else 404, 404 if column.withdraw else None)


def _expect_staff(row: Row, column: Column, person: str) -> int:
    user = column.staff
    marseille = PROGRAM_OF_STAFF[user] == "marseille"
    if row.grant == G.REFERRALS_WRITE:
        return 403  # referrals are made by partners; staff add job seekers
    if row.scope == "partner":
        return row.ok if user == "ada" else 404
    if row.scope == "anyone":
        return row.ok
    if row.scope == "create":
        if row.refers == "partner":  # a subscription for Marseille's partner
            return row.ok if user == "ada" else (403 if marseille else 400)
        if row.refers == "person":  # a job seeker of Sam's caseload (or Sam as the specialist)
            return row.ok if staff_edits(user, person) else 400
        if row.refers == "employer":
            return row.ok if marseille else 400
        return row.ok
    if row.scope == "program":
        if not marseille:
            return 404
        if row.edit:  # an employer contact of Sam's
            return row.ok if staff_edits(user, "shared") else 404
        return row.ok
    if row.kind.startswith("event:"):
        return 200 if user == "ada" else 404
    allowed = staff_edits(user, person) if row.edit else staff_reads(user, person, team_cover=column.team_cover)
    return row.ok if allowed else 404


def expected_list(world: World, row: Row, column: Column) -> tuple[int, set[int] | None]:
    if column.credential is None or column.credential == "revoked":
        return 401, None
    if column.partner is not None and (row.staff_only or column.credential == "without grant"):
        return 403, None
    withdrawn = frozenset({"withdrawn"} if column.withdraw else ())
    ids: set[int] = set()
    if row.scope == "partner":
        owners = {"ada": ["partner", "other_partner"], "lena": ["lyon_partner"]}.get(column.staff, [])
        for owner in [column.partner] if column.partner else owners:
            ids |= world.deliveries(owner) if row.kind == "delivery" else {world.subscriptions[owner].pk}
        return 200, ids
    if row.scope == "program":
        if column.staff is not None:
            ids = {getattr(getattr(world, PROGRAM_OF_STAFF[column.staff]), row.kind).pk}
        return 200, ids
    if row.kind == "event" and column.staff is not None:
        if column.staff in ADMINS:
            organisation = getattr(world, ADMINS[column.staff]).organisation
            ids = set(OutboxEvent.objects.filter(organisation=organisation).values_list("pk", flat=True))
        return 200, ids
    for person in world.people:
        if row.kind == "event":
            for area in AREAS:
                if partner_sees(column.partner, person, area, withdrawn=withdrawn):
                    ids |= person_kind_ids(world, person, f"event:{area}")
            continue
        if column.partner is not None:
            visible = partner_sees(column.partner, person, row.area, withdrawn=withdrawn)
        else:
            visible = staff_reads(column.staff, person, team_cover=column.team_cover)
        if visible:
            ids |= person_kind_ids(world, person, row.kind)
    return 200, ids


# The requests ------------------------------------------------------------------------------


def client_for(world: World, credential: str | None) -> APIClient:
    client = APIClient()
    if credential is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.credentials[credential]}")
    return client


def target_id(world: World, row: Row, column: Column) -> int | None:
    person = person_of(column, row)
    if row.scope in ("create", "anyone"):
        return None
    if row.make is not None:
        return row.make(world, person)
    if row.scope == "program":
        return getattr(world.marseille, row.kind).pk
    if row.scope == "partner":
        owner = OWNED_BY.get(person, "partner")
        return world.subscriptions[owner].pk if row.kind == "subscription" else min(world.deliveries(owner))
    return person_target(world, person, row.kind)


def target_path(world: World, row: Row, target: int | None) -> str:
    return row.path.format(employer=world.marseille.employer.pk, id=target)


def send(client: APIClient, world: World, row: Row, column: Column, path: str):
    if row.method == "GET":
        return client.get(path, {"page_size": 200} if row.many else None)
    body = row.body(world, person_of(column, row)) if row.body else {}
    return client.generic(row.method, path, data=_json(body), content_type="application/json")


def _json(data) -> str:
    import json

    return json.dumps(data)


def prepare(world: World, column: Column) -> None:
    if not column.team_cover:
        Organisation.objects.filter(pk=world.marseille.organisation.pk).update(team_cover=False)


def _cases(columns, many: bool):
    return [
        pytest.param(row, column, id=f"{row.name} | {column.name}")
        for row in ROWS
        if row.many == many
        for column in columns
    ]


@pytest.mark.parametrize(("row", "column"), _cases(DETAIL_COLUMNS, many=False))
def test_detail(api_world, row: Row, column: Column):
    prepare(api_world, column)
    expect = expect_detail(row, column)
    client = client_for(api_world, credential_of(column, row))
    target = target_id(api_world, row, column)
    path = target_path(api_world, row, target)
    response = send(client, api_world, row, column, path)
    assert response.status_code == expect.status, (path, response.content[:500])
    assert_problem_or_json(response)
    if expect.status == 200 and row.method == "GET" and "id" in response.json():
        assert response.json()["id"] == target
    if column.withdraw:
        api_world.withdraw("withdrawn")
        response = send(client, api_world, row, column, path)
        then = expect.status if expect.then is None else expect.then
        assert response.status_code == then, (path, response.content[:500])
        assert_problem_or_json(response)


@pytest.mark.parametrize(("row", "column"), _cases(LIST_COLUMNS, many=True))
def test_list(api_world, row: Row, column: Column):
    prepare(api_world, column)
    if column.withdraw:
        api_world.withdraw("withdrawn")
    status, ids = expected_list(api_world, row, column)
    client = client_for(api_world, credential_of(column, row))
    response = send(client, api_world, row, column, row.path)
    assert response.status_code == status, response.content[:500]
    assert_problem_or_json(response)
    if status == 200:
        page = response.json()
        assert page["next"] is None, "the world fits on one page"
        assert {item["id"] for item in page["results"]} == ids


def assert_problem_or_json(response) -> None:
    content_type = response.headers.get("Content-Type", "")
    if response.status_code >= 400:
        assert content_type.startswith("application/problem+json"), content_type
        problem = response.json()
        assert problem["status"] == response.status_code
        assert problem.get("title")
    elif response.status_code != 204:
        assert content_type.startswith("application/json"), content_type


def test_matrix_size():
    """The table covers what it says (and the report quotes these figures)."""
    detail = len(_cases(DETAIL_COLUMNS, many=False))
    lists = len(_cases(LIST_COLUMNS, many=True))
    assert detail + lists == sum(len(DETAIL_COLUMNS if not row.many else LIST_COLUMNS) for row in ROWS)


def test_world_is_whole(api_world):
    """What the lists are compared with is there: no list passes by being empty."""
    for partner in ("partner", "other_partner", "lyon_partner"):
        assert api_world.deliveries(partner), partner
    for person in api_world.people:
        for kind in ("placement", "support_tasks", "accommodation", "benefits_step"):
            assert person_kind_ids(api_world, person, kind), (person, kind)
        for area in AREAS:
            assert person_kind_ids(api_world, person, f"event:{area}"), (person, area)


@pytest.mark.parametrize("area", AREAS)
def test_events_of_an_area_need_its_read_grant(api_world, area):
    """A key with events:read but not an area's read grant lists no event of that area
    (grants.TOPIC_AREAS); the other areas' events stay."""
    status, expected = expected_list(api_world, ROWS_BY_NAME["events: list"], LIST_COLUMNS[0])
    lacking = {
        pk
        for person in api_world.people
        if partner_sees("partner", person, area)
        for pk in person_kind_ids(api_world, person, f"event:{area}")
    }
    response = client_for(api_world, f"without {AREA_GRANT[area]}").get("/api/v1/events/", {"page_size": 200})
    assert response.status_code == 200
    assert {item["id"] for item in response.json()["results"]} == expected - lacking


ROWS_BY_NAME = {row.name: row for row in ROWS}
