"""A small world for the partner API's permission matrix and schemathesis runs, built
through the services (referrals, consents, placements, tasks, adjustments, benefits
steps) as the app builds it, plus the keys and tokens that call it.

Program "Marseille": team A (leader Léa, specialists Sam and Sofia), team B (leader
Bruno, specialist Bob), program admin Ada. Program "Lyon": specialist Louis and program
admin Lena. Partners: `partner` (Marseille's mental-health team, the one whose keys the
matrix turns around), `other_partner` (a Marseille benefits service), `lyon_partner`.

People of Marseille (each one `Person`: the job seeker and one row of every kind that
hangs from them), all on Sam's caseload unless said:
    referred          referred by `partner`, no consent
    progress          a consent to `partner` covering job search and jobs only
    support           ... covering follow-along support only
    benefits          ... covering benefits counselling only
    shared            ... covering all three (the staff columns' target)
    withdrawn         ... covering all three, withdrawn by a test (`withdraw`)
    expired           ... covering all three, ended yesterday
    no_consent        not referred, no consent
    other_partner     referred by `other_partner`, consent to it covering all; on Bob's caseload
    sofias            on Sofia's caseload, consent to `partner` covering all
People of Lyon: lyon (referred by `lyon_partner`, consent to it covering all; Louis's).

Every benefits step is assigned to the partner of its person's consent (`partner`,
except other_partner's and lyon's), so a partner's `benefits:write` has a target."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm import clock
from crm import services as crm_services
from crm.access import PartnerScope, ProgramScope, StaffScope
from crm.models import (
    CareerProfile,
    JobPreference,
    JobSeeker,
    Organisation,
    OutboxEvent,
    Partner,
    SharingConsent,
    User,
)
from employers.models import ContactPerson, Employer, EmployerSite
from placements import services as placement_services
from placements.models import Accommodation, BenefitsStep, Placement, PlacementMilestone, SupportTask
from tests.factories import (
    ContactPersonFactory,
    EmployerContactFactory,
    EmployerFactory,
    EmployerSiteFactory,
    OrganisationFactory,
    PartnerFactory,
    TeamFactory,
    UserFactory,
)

#: What each Marseille person's consent to `partner` covers (None: no consent to it).
COVERS = {
    "referred": None,
    "progress": ("progress",),
    "support": ("support",),
    "benefits": ("benefits",),
    "shared": ("progress", "support", "benefits"),
    "withdrawn": ("progress", "support", "benefits"),
    "expired": ("progress", "support", "benefits"),
    "no_consent": None,
    "other_partner": None,
    "sofias": ("progress", "support", "benefits"),
    "lyon": None,
}


@dataclass
class Person:
    job_seeker: JobSeeker
    placement: Placement
    support_task: SupportTask
    accommodation: Accommodation
    benefits_step: BenefitsStep
    career_profile: CareerProfile
    job_preference: JobPreference
    consent: SharingConsent | None = None

    def ids(self, kind: str) -> set[int]:
        """The ids of this person's rows of `kind` (a Person attribute or "milestone")."""
        if kind == "milestone":
            return set(PlacementMilestone.objects.filter(placement=self.placement).values_list("pk", flat=True))
        if kind == "support_tasks":
            return set(SupportTask.objects.filter(job_seeker=self.job_seeker).values_list("pk", flat=True))
        return {getattr(self, kind).pk}


@dataclass
class Program:
    organisation: Organisation
    employer: Employer
    site: EmployerSite
    contact_person: ContactPerson
    employer_contact: object


@dataclass
class World:
    marseille: Program
    lyon: Program
    staff: dict[str, User]
    partner: Partner
    other_partner: Partner
    lyon_partner: Partner
    people: dict[str, Person]
    #: name -> plaintext credential, filled by `issue_*`.
    credentials: dict[str, str] = field(default_factory=dict)
    #: partner attribute name -> its webhook subscription
    subscriptions: dict[str, object] = field(default_factory=dict)

    def deliveries(self, partner: str) -> set[int]:
        from integrations.webhooks.models import WebhookDelivery

        subscription = self.subscriptions[partner]
        return set(WebhookDelivery.objects.filter(subscription=subscription).values_list("pk", flat=True))

    def new_offer(self, person: str) -> int:
        """A job offer just accepted by `person` (a placement that may start), made by the
        program: the target of "start"."""
        who = self.people[person]
        program = self.lyon if person == "lyon" else self.marseille
        placement = placement_services.placement_offer_accept(
            scope=ProgramScope(program.organisation),
            job_seeker_id=who.job_seeker.pk,
            employer_id=program.employer.pk,
            offer={
                "job_title": "Baker",
                "is_competitive": True,
                "term": "permanent",
                "offer_date": clock.program_today(program.organisation),
            },
        )
        return placement.pk

    def person(self, name: str) -> Person:
        return self.people[name]

    def issue_key(self, name: str, partner: Partner, grants, **fields) -> str:
        from integrations.api.services import api_key_create

        admin = self.staff["ada"] if partner.organisation_id == self.marseille.organisation.pk else self.staff["lena"]
        _key, plaintext = api_key_create(
            scope=StaffScope(admin), partner_id=partner.pk, name=name, grants=sorted(grants), **fields
        )
        self.credentials[name] = plaintext
        return plaintext

    def issue_token(self, user_name: str) -> str:
        from integrations.api.services import personal_token_create

        if user_name not in self.credentials:
            _token, plaintext = personal_token_create(scope=StaffScope(self.staff[user_name]), name="tests")
            self.credentials[user_name] = plaintext
        return self.credentials[user_name]

    def withdraw(self, person: str) -> None:
        crm_services.sharing_consent_withdraw(
            scope=StaffScope(self.staff["sam"]), consent_id=self.people[person].consent.pk
        )


def _program(name: str, slug: str) -> Organisation:
    return OrganisationFactory(name=name, slug=slug, time_zone="Europe/Paris")


def _staff(organisation: Organisation) -> dict[str, User]:
    team_a = TeamFactory(organisation=organisation, name="Team A")
    team_b = TeamFactory(organisation=organisation, name="Team B")
    users = {
        "lea": UserFactory(
            username="m-lea", first_name="Léa", organisation=organisation, role=User.Role.TEAM_LEADER, team=team_a
        ),
        "bruno": UserFactory(
            username="m-bruno", first_name="Bruno", organisation=organisation, role=User.Role.TEAM_LEADER, team=team_b
        ),
        "sam": UserFactory(username="m-sam", first_name="Sam", organisation=organisation, team=team_a),
        "sofia": UserFactory(username="m-sofia", first_name="Sofia", organisation=organisation, team=team_a),
        "bob": UserFactory(username="m-bob", first_name="Bob", organisation=organisation, team=team_b),
        "ada": UserFactory(
            username="m-ada", first_name="Ada", organisation=organisation, role=User.Role.PROGRAM_ADMIN, is_staff=True
        ),
    }
    team_a.leader, team_b.leader = users["lea"], users["bruno"]
    team_a.save()
    team_b.save()
    return users


def _employer_side(organisation: Organisation, specialist: User) -> Program:
    employer = EmployerFactory(organisation=organisation, name=f"Boulangerie {organisation.slug}")
    site = EmployerSiteFactory(employer=employer)
    contact_person = ContactPersonFactory(employer=employer, site=site)
    contact = EmployerContactFactory(specialist=specialist, organisation=organisation, employer=employer)
    return Program(organisation, employer, site, contact_person, contact)


def _person(
    scope, program: Program, job_seeker: JobSeeker, *, counsellor: Partner | None, today: datetime.date
) -> Person:
    """The rows that hang from a person, through the services: a started job (and so
    its milestones), a follow-along task, a workplace adjustment, a benefits step."""
    placement = placement_services.placement_offer_accept(
        scope=scope,
        job_seeker_id=job_seeker.pk,
        employer_id=program.employer.pk,
        offer={
            "site_id": program.site.pk,
            "job_title": "Kitchen helper",
            "is_competitive": True,
            "term": "permanent",
            "hours_per_week": Decimal("20"),
            "hourly_pay": Decimal("12.00"),
            "offer_date": today - datetime.timedelta(days=20),
        },
    )
    placement = placement_services.placement_start(
        scope=scope, placement_id=placement.pk, start_date=today - datetime.timedelta(days=14)
    )
    task = placement_services.support_task_create(
        scope=scope,
        job_seeker_id=job_seeker.pk,
        kind=SupportTask.Kind.FOLLOW_ALONG,
        due_date=today + datetime.timedelta(days=3),
        placement_id=placement.pk,
    )
    accommodation = placement_services.accommodation_add(
        scope=scope, placement_id=placement.pk, description="A quiet corner for breaks", consents=True
    )
    step = placement_services.benefits_step_create(
        scope=scope,
        job_seeker_id=job_seeker.pk,
        placement_id=placement.pk,
        reason=BenefitsStep.Reason.BEFORE_START,
        offered_on=today - datetime.timedelta(days=10),
        counsellor_id=counsellor.pk if counsellor else None,
    )
    profile, _created = CareerProfile.objects.get_or_create(job_seeker=job_seeker, defaults={"work_goal": "Bakery"})
    preference, _created = JobPreference.objects.get_or_create(
        job_seeker=job_seeker, defaults={"min_hours_per_week": 15, "max_hours_per_week": 25}
    )
    return Person(job_seeker, placement, task, accommodation, step, profile, preference)


def _consent(scope, person: Person, partner: Partner, covers, *, today, valid_until=None, consented_on=None):
    consent = crm_services.sharing_consent_record(
        scope=scope,
        job_seeker_id=person.job_seeker.pk,
        partner_id=partner.pk,
        consent={
            **{f"shares_{area}": area in covers for area in SharingConsent.COVERS},
            "consented_by": "The job seeker, in person",
            "consented_on": consented_on or today - datetime.timedelta(days=30),
            "valid_until": valid_until,
        },
    )
    person.consent = consent
    return consent


def _created(scope, specialist: User, first_name: str) -> JobSeeker:
    return crm_services.job_seeker_create(
        scope=scope,
        specialist_id=specialist.pk,
        details={
            "first_name": first_name,
            "last_name": "Matrix",
            "town": "Marseille",
            "postcode": "13001",
            "referral_date": timezone.localdate() - datetime.timedelta(days=60),
            "enrolment_date": timezone.localdate() - datetime.timedelta(days=55),
            # Disclosure talked over at enrolment: employer contacts on their behalf need no confirmation.
            "disclosure_preference": "partial",
        },
    )


def _referred(partner: Partner, first_name: str) -> JobSeeker:
    return crm_services.job_seeker_refer(
        scope=PartnerScope(partner),
        details={
            "first_name": first_name,
            "last_name": "Referred",
            "town": "Marseille",
            "postcode": "13001",
            "referral_date": timezone.localdate() - datetime.timedelta(days=60),
        },
    )


def build_world() -> World:
    marseille_org = _program("IPS Marseille (API)", "api-marseille")
    lyon_org = _program("IPS Lyon (API)", "api-lyon")
    staff = _staff(marseille_org)
    lyon_team = TeamFactory(organisation=lyon_org, name="Lyon team")
    staff["louis"] = UserFactory(username="l-louis", first_name="Louis", organisation=lyon_org, team=lyon_team)
    staff["lena"] = UserFactory(
        username="l-lena", first_name="Lena", organisation=lyon_org, role=User.Role.PROGRAM_ADMIN, is_staff=True
    )
    marseille = _employer_side(marseille_org, staff["sam"])
    lyon = _employer_side(lyon_org, staff["louis"])
    partner = PartnerFactory(
        organisation=marseille_org, name="Équipe de santé mentale", referrals_to=staff["sam"], kind="mental_health_team"
    )
    other_partner = PartnerFactory(
        organisation=marseille_org, name="Conseil prestations", referrals_to=staff["bob"], kind="benefits_counselling"
    )
    lyon_partner = PartnerFactory(organisation=lyon_org, name="CMP Lyon", referrals_to=staff["louis"])

    today = clock.program_today(marseille_org)
    admin = StaffScope(staff["ada"])
    lyon_admin = StaffScope(staff["lena"])
    people: dict[str, Person] = {}

    def add(name, job_seeker, counsellor, scope=admin):
        if job_seeker.enrolment_date is None:  # a referral, enrolled by the program (jobseeker.enrolled)
            crm_services.job_seeker_update(
                scope=scope,
                job_seeker_id=job_seeker.pk,
                details={"enrolment_date": today - timedelta(days=50), "disclosure_preference": "partial"},
            )
        person = _person(scope, marseille if scope is admin else lyon, job_seeker, counsellor=counsellor, today=today)
        # benefits.step_changed: every person has an event in every area.
        person.benefits_step = placement_services.benefits_step_change_status(
            scope=scope, step_id=person.benefits_step.pk
        )
        people[name] = person
        return person

    add("referred", _referred(partner, "Rémi"), partner)
    for name in ("progress", "support", "benefits", "shared", "withdrawn", "no_consent"):
        add(name, _created(admin, staff["sam"], name.capitalize()), partner)
    add("expired", _created(admin, staff["sam"], "Expired"), partner)
    add("sofias", _created(admin, staff["sofia"], "Sofias"), partner)
    add("other_partner", _referred(other_partner, "Olga"), other_partner)
    add("lyon", _referred(lyon_partner, "Lyonel"), lyon_partner, scope=lyon_admin)

    for name, covers in COVERS.items():
        if covers and name != "expired":
            _consent(admin, people[name], partner, covers, today=today)
    _consent(
        admin,
        people["expired"],
        partner,
        COVERS["expired"],
        today=today,
        consented_on=today - datetime.timedelta(days=90),
        valid_until=today - datetime.timedelta(days=1),
    )
    _consent(admin, people["other_partner"], other_partner, SharingConsent.COVERS, today=today)
    _consent(lyon_admin, people["lyon"], lyon_partner, SharingConsent.COVERS, today=today)
    return World(marseille, lyon, staff, partner, other_partner, lyon_partner, people)


def add_webhooks(world: World) -> None:
    """A subscription for each partner, and the deliveries the webhooks' handler records
    for the jobs that started (each partner's own: by its consents and its keys' grants,
    so after `issue_credentials`)."""
    from integrations.api.grants import ALL_GRANTS
    from integrations.webhooks import services as webhook_services
    from integrations.webhooks.handlers import record_deliveries
    from integrations.webhooks.payloads import TOPICS

    for name in ("partner", "other_partner", "lyon_partner"):
        partner = getattr(world, name)
        world.subscriptions[name] = webhook_services.subscription_create(
            scope=PartnerScope(partner, grants=ALL_GRANTS),
            url=f"https://hooks.example.org/{partner.pk}",
            topics=sorted(TOPICS),
            description=f"{name} receiver",
        )
    for event in OutboxEvent.objects.filter(topic="placement.started").order_by("pk"):
        record_deliveries(event)


#: The partner keys every world carries: name -> (partner attribute, grants).
def _keys() -> dict[str, tuple[str, frozenset[str]]]:
    from integrations.api.grants import ALL_GRANTS

    keys = {
        "partner": ("partner", ALL_GRANTS),
        "other_partner": ("other_partner", ALL_GRANTS),
        "lyon_partner": ("lyon_partner", ALL_GRANTS),
        "revoked": ("partner", ALL_GRANTS),
        "expired_key": ("partner", ALL_GRANTS),
    }
    for grant in sorted(ALL_GRANTS):
        keys[f"without {grant}"] = ("partner", ALL_GRANTS - {grant})
    keys["without any read grant"] = (
        "partner",
        frozenset(grant for grant in ALL_GRANTS if not grant.endswith(":read")),
    )
    return keys


def issue_credentials(world: World) -> None:
    """Partner keys (`_keys()`; "revoked" revoked, "expired_key" past its expiry) and a
    personal token for every staff member, in `world.credentials`."""
    from integrations.api.models import ApiKey
    from integrations.api.services import api_key_revoke

    for name, (partner, grants) in _keys().items():
        world.issue_key(name, getattr(world, partner), grants)
    key = ApiKey.objects.get(name="revoked")
    api_key_revoke(scope=StaffScope(world.staff["ada"]), key_id=key.pk)
    ApiKey.objects.filter(name="expired_key").update(expires_at=timezone.now() - timedelta(minutes=1))
    for user_name in world.staff:
        world.issue_token(user_name)


def module_world(django_db_setup, django_db_blocker):
    """A module-scoped fixture (`world = pytest.fixture(scope="module")(module_world)`):
    the world with its credentials, built once per test module inside a transaction
    rolled back at its end. Each test takes `api_world`, which runs it in a savepoint
    inside that transaction (pytest-django's `db`), so what a test writes is undone
    before the next one."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            issue_credentials(built)
            add_webhooks(built)
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def world_for_test(world, db, settings):
    """A function-scoped fixture (`api_world = pytest.fixture(world_for_test)`): the world for
    one test, in its savepoint; throttles lifted (the matrix and schemathesis send
    hundreds of requests a minute with one key)."""
    settings.API_THROTTLE_RATE = settings.API_STAFF_THROTTLE_RATE = "100000/min"
    return world
