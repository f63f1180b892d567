"""The small program chaos drives: built through the services like a real one (the
program, its team and staff by hand, as demo.build does: no service owns them)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from crm import clock
from crm import services as crm_services
from crm.access import PartnerScope, access_scope
from crm.models import Organisation, Partner, Team, User
from employers import services as employer_services
from integrations.api.models import ApiKey
from integrations.webhooks import payloads
from integrations.webhooks import services as webhook_services

GRANTS = ["placements:read", "support:read", "benefits:read", "webhooks:manage"]


@dataclass
class Program:
    organisation: Organisation
    specialists: list[User]
    employer_ids: list[int]
    job_seeker_ids: list[int]
    subscription_id: int


def build(*, job_seekers: int, specialists: int = 3, employers: int = 4, receiver_url: str) -> Program:
    """A program named chaos-<time>: one team, `specialists` specialists and a leader,
    `employers` employers, `job_seekers` people (receiving benefits, disclosure
    discussed, each consenting to share everything with the partner), and a partner
    subscribed to every webhook topic at `receiver_url`."""
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    organisation = Organisation.objects.create(name=f"Chaos {stamp}", slug=f"chaos-{stamp}", town="Marseille")
    team = Team.objects.create(organisation=organisation, name="Chaos team")
    password = make_password(None)
    leader = User.objects.create(
        username=f"chaos-lead-{stamp}",
        organisation=organisation,
        role=User.Role.TEAM_LEADER,
        team=team,
        password=password,
    )
    team.leader = leader
    team.save(update_fields=["leader"])
    staff = [
        User.objects.create(
            username=f"chaos-spec{i}-{stamp}",
            first_name=f"Spec{i}",
            last_name="Chaos",
            organisation=organisation,
            role=User.Role.SPECIALIST,
            team=team,
            password=password,
        )
        for i in range(specialists)
    ]
    partner = Partner.objects.create(
        organisation=organisation, name="Chaos partner", kind=Partner.Kind.MENTAL_HEALTH_TEAM, referrals_to=staff[0]
    )
    key, _plaintext = ApiKey.issue(partner=partner, name="chaos", grants=GRANTS)
    key.save()
    subscription = webhook_services.subscription_create(
        scope=PartnerScope(partner, grants=frozenset(key.grants)), url=receiver_url, topics=list(payloads.TOPICS)
    )
    today = clock.program_today(organisation)
    employer_ids = [
        employer_services.employer_create(
            scope=access_scope(staff[i % len(staff)]), details={"name": f"Employer {i}"}
        ).pk
        for i in range(employers)
    ]
    people = []
    for i in range(job_seekers):
        specialist = staff[i % len(staff)]
        scope = access_scope(specialist)
        person = crm_services.job_seeker_create(
            scope=scope,
            details={
                "first_name": f"Person{i}",
                "last_name": "Chaos",
                "town": "Marseille",
                "postcode": "13001",
                "referral_date": today - datetime.timedelta(days=90),
                "enrolment_date": today - datetime.timedelta(days=85),
                "receives_benefits": "yes",
                "disclosure_preference": "partial",
            },
        )
        crm_services.sharing_consent_record(
            scope=scope,
            job_seeker_id=person.pk,
            partner_id=partner.pk,
            consent={
                "consented_by": person.first_name,
                "consented_on": today - datetime.timedelta(days=80),
                "shares_progress": True,
                "shares_support": True,
                "shares_benefits": True,
            },
        )
        people.append(person.pk)
    return Program(organisation, staff, employer_ids, people, subscription.pk)


HOURS = [Decimal("20"), Decimal("24"), Decimal("28"), Decimal("30"), Decimal("35")]
