"""Item 16 at scale (docs/performance.md): the dashboard's fitting pairs are exactly the
employers the matching page ranks for each person (jobdev.matching.rank_employers), and
the number of queries does not grow with the number of employers contacted."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.access import access_scope
from crm.models import Industry, JobPreference, JobType
from employers.models import Employer, EmployerSite, JobOpening
from jobdev.dashboard import DashboardFilters, TeamDashboard
from jobdev.matching import rank_employers, wishes_for
from jobdev.models import EmployerContact
from tests.factories import JobSeekerFactory, OrganisationFactory

HOME = (Decimal("43.296500"), Decimal("5.369800"))  # Marseille, the Vieux-Port


def _employers(organisation, count, *, start=0):
    """`count` employers: near and far, located or by town only, a few without a site,
    hospitality or manufacturing or unknown, every third hiring kitchen helpers."""
    industries = [Industry.objects.get(code="I"), Industry.objects.get(code="C"), None]
    employers = Employer.objects.bulk_create(
        Employer(organisation=organisation, name=f"Employer {start + n:04d}", industry=industries[n % 3])
        for n in range(count)
    )
    sites = []
    for n, employer in enumerate(employers):
        if n % 7 == 6:
            continue  # no site recorded
        located = n % 5 >= 2
        offset = Decimal(n % 40) / Decimal(80)  # up to 0.5 degree: near and far
        sites.append(
            EmployerSite(
                employer=employer,
                address="1 rue",
                town=("Marseille", "Aix-en-Provence", "Toulon")[n % 3],
                postcode=("13001", "13100", "83000")[n % 3],
                latitude=HOME[0] + offset if located else None,
                longitude=HOME[1] + offset if located else None,
            )
        )
    EmployerSite.objects.bulk_create(sites)
    kitchen_helper = JobType.objects.get(code="kitchen_helper")
    JobOpening.objects.bulk_create(
        JobOpening(
            employer=employer,
            title="Commis",
            job_type=kitchen_helper,
            source=JobOpening.Source.EMPLOYER_CONTACT,
            learned_on=datetime.date.today(),
        )
        for employer in employers[::3]
    )
    return employers


@pytest.fixture
def people(specialist_sam):
    kitchen_helper = JobType.objects.get(code="kitchen_helper")
    hospitality, manufacturing = Industry.objects.get(code="I"), Industry.objects.get(code="C")
    amina = JobSeekerFactory(specialist=specialist_sam, first_name="Amina", latitude=HOME[0], longitude=HOME[1])
    preference = JobPreference.objects.create(job_seeker=amina, max_distance_km=8)
    preference.job_types.set([kitchen_helper])
    preference.industries.set([hospitality])
    bilal = JobSeekerFactory(specialist=specialist_sam, first_name="Bilal", town="Aix-en-Provence", postcode="13100")
    preference = JobPreference.objects.create(job_seeker=bilal, max_distance_km=20)
    preference.industries.set([manufacturing])
    preference.avoid_industries.set([hospitality])
    chloe = JobSeekerFactory(specialist=specialist_sam, first_name="Chloé", town="", postcode="")
    JobPreference.objects.create(job_seeker=chloe).job_types.set([kitchen_helper])
    dina = JobSeekerFactory(specialist=specialist_sam, first_name="Dina", latitude=HOME[0], longitude=HOME[1])
    JobPreference.objects.create(job_seeker=dina, max_distance_km=30).avoid_job_types.set([kitchen_helper])
    paul = JobSeekerFactory(specialist=specialist_sam, first_name="Paul", town="", postcode="")
    return [amina, bilal, chloe, dina, paul]


def _contact_everyone(specialist, employers, people, *, on=lambda employer_index, person_index: True):
    """One held on-behalf contact yesterday with each employer, for the people `on` picks."""
    starts_at = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=1)
    contacts = EmployerContact.objects.bulk_create(
        EmployerContact(
            organisation=specialist.organisation,
            specialist=specialist,
            employer=employer,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1),
            mode=EmployerContact.Mode.IN_PERSON,
            purpose=EmployerContact.Purpose.ON_BEHALF,
            status=EmployerContact.Status.HELD,
        )
        for employer in employers
    )
    EmployerContact.job_seekers.through.objects.bulk_create(
        EmployerContact.job_seekers.through(employercontact=contact, jobseeker=person)
        for n, contact in enumerate(contacts)
        for k, person in enumerate(people)
        if on(n, k)
    )


def _dashboard(user):
    today = timezone.localdate()
    filters = DashboardFilters(date_from=today - datetime.timedelta(days=6), date_to=today)
    return TeamDashboard(access_scope(user), filters, today=today)


def test_the_fitting_pairs_are_the_employers_the_matching_ranks(leader_a, specialist_sam, people):
    employers = _employers(specialist_sam.organisation, 60)
    # Another program's employer, contacted by mistake: never ranked, never fits.
    elsewhere = _employers(OrganisationFactory(name="IPS Lyon", slug="ips-lyon-t16"), 1, start=900)
    contacted = employers + elsewhere
    # Each person has their own contacted employers (each candidate set is restricted to
    # them): about two in three of the employers, a different two for each person.
    picked = lambda n, k: (n + k) % 3 != 0  # noqa: E731
    _contact_everyone(specialist_sam, contacted, people, on=picked)
    scope = access_scope(leader_a)
    expected = {}
    for k, person in enumerate(people):
        wishes = wishes_for(person)
        ranked = set(rank_employers(scope, wishes).values_list("pk", flat=True))
        for n, employer in enumerate(contacted):
            if picked(n, k):
                expected[person.pk, employer.pk] = (employer.pk in ranked) if wishes.has_anything_to_match else None
    got = {
        (pair.job_seeker.pk, EmployerContact.objects.get(pk=pair.contact_id).employer_id): pair.fits
        for pair in _dashboard(leader_a).contacts_for_people
    }
    assert got == expected
    # The fixture is not trivial: each comparable person has pairs that fit and pairs that do not.
    for person in people[:4]:
        assert {fits for (pk, _), fits in got.items() if pk == person.pk} == {True, False}, person.first_name
    assert {fits for (pk, _), fits in got.items() if pk == people[4].pk} == {None}


def _queries(user) -> int:
    with CaptureQueriesContext(connection) as context:
        assert _dashboard(user).contacts_for_people
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_the_employers(leader_a, specialist_sam, people):
    employers = _employers(specialist_sam.organisation, 10)
    _contact_everyone(specialist_sam, employers, people)
    few = _queries(leader_a)
    more = _employers(specialist_sam.organisation, 90, start=10)
    _contact_everyone(specialist_sam, more, people)
    # The pairs, the people with their preferences (two), one query for up to
    # PEOPLE_PER_MATCH_QUERY people.
    assert _queries(leader_a) == few == 4
