"""Shared fixtures: named users per role in two programs, and the dramatiq broker.

Program "Marseille" has team A (leader Léa, specialists Sam and Sofia) and team B
(leader Bruno, specialist Bob); program "Lyon" has specialist Louis. Each fixture
below is one of them."""

import dramatiq
import pytest

from crm.models import User
from tests.factories import OrganisationFactory, TeamFactory, UserFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="IPS Marseille", slug="ips-marseille-test")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="IPS Lyon", slug="ips-lyon-test", time_zone="Europe/Paris")


@pytest.fixture
def team_a(organisation):
    return TeamFactory(organisation=organisation, name="Team A")


@pytest.fixture
def team_b(organisation):
    return TeamFactory(organisation=organisation, name="Team B")


def _leader(team, username, first_name):
    leader = UserFactory(
        username=username, first_name=first_name, organisation=team.organisation, role=User.Role.TEAM_LEADER, team=team
    )
    team.leader = leader
    team.save()
    return leader


@pytest.fixture
def leader_a(team_a):
    return _leader(team_a, "lea", "Léa")


@pytest.fixture
def leader_b(team_b):
    return _leader(team_b, "bruno", "Bruno")


@pytest.fixture
def specialist_sam(team_a):
    return UserFactory(username="sam", first_name="Sam", organisation=team_a.organisation, team=team_a)


@pytest.fixture
def specialist_sofia(team_a):
    return UserFactory(username="sofia", first_name="Sofia", organisation=team_a.organisation, team=team_a)


@pytest.fixture
def specialist_bob(team_b):
    return UserFactory(username="bob", first_name="Bob", organisation=team_b.organisation, team=team_b)


@pytest.fixture
def program_admin(organisation):
    return UserFactory(
        username="ada", first_name="Ada", organisation=organisation, role=User.Role.PROGRAM_ADMIN, is_staff=True
    )


@pytest.fixture
def specialist_louis(other_organisation):
    team = TeamFactory(organisation=other_organisation, name="Lyon team")
    return UserFactory(username="louis", first_name="Louis", organisation=other_organisation, team=team)


@pytest.fixture
def client_for(client):
    """Log a named user in: `client_for(specialist_sam)`."""

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture
def broker():
    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


@pytest.fixture
def worker(broker):
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=1)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a French request (or a French worker)
    leaves French active in the test's thread, which made later tests read French."""
    from django.utils import translation

    translation.activate(settings_language())
    yield
    translation.activate(settings_language())


def settings_language() -> str:
    from django.conf import settings

    return settings.LANGUAGE_CODE


@pytest.fixture
def taxonomies(transactional_db):
    """Transactional tests flush the database, migration-seeded rows included: re-seed."""
    from crm.models import Industry, JobType
    from crm.taxonomies import seed_taxonomies

    seed_taxonomies(Industry, JobType)


@pytest.fixture
def handle_events():
    """Dispatch every pending event in this thread, as a worker would (and the events
    their handlers emit, in turn)."""
    from crm import events
    from crm.models import OutboxEvent

    def run():
        for _round in range(10):
            pending = list(
                OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not pending:
                return
            for event_id in pending:
                events.dispatch(event_id)

    return run
