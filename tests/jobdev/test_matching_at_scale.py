"""Matching at scale (docs/matching.md, docs/performance.md): the pages' query counts do
not grow with the number of employers, an employer with a wanted signal and no site
stays a candidate, and on PostgreSQL the candidates' bounding box is read through the
index on the sites' coordinates."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.access import access_scope
from crm.models import Industry, JobPreference, JobType
from employers.models import Employer, EmployerSite, JobOpening
from jobdev import matching
from jobdev.matching.query import _employer_candidates, rank_employers
from jobdev.matching.wishes import wishes_for
from tests.factories import EmployerFactory, JobSeekerFactory

HOME = (Decimal("43.296500"), Decimal("5.369800"))  # Marseille, the Vieux-Port


@pytest.fixture
def amina(specialist_sam):
    person = JobSeekerFactory(specialist=specialist_sam, first_name="Amina", latitude=HOME[0], longitude=HOME[1])
    preference = JobPreference.objects.create(job_seeker=person, max_distance_km=8)
    preference.job_types.set([JobType.objects.get(code="kitchen_helper")])
    preference.industries.set([Industry.objects.get(code="I")])
    return person


def _register(organisation, count, *, start=0):
    """`count` employers around Marseille and beyond: located near and far, not located,
    and a few without a site; every third with an open kitchen-helper opening."""
    hospitality = Industry.objects.get(code="I")
    employers = Employer.objects.bulk_create(
        Employer(organisation=organisation, name=f"Employer {start + n:04d}", industry=hospitality if n % 2 else None)
        for n in range(count)
    )
    sites = []
    for n, employer in enumerate(employers):
        if n % 10 == 9:
            continue  # no site recorded
        located = n % 10 >= 3
        offset = Decimal(n % 50) / Decimal(100)  # up to 0.5 degree: near and far
        sites.append(
            EmployerSite(
                employer=employer,
                address="1 rue",
                town="Marseille" if n % 4 else "Aix-en-Provence",
                postcode="13001",
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


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_job_seeker_page_query_count_does_not_grow_with_employers(
    client_for, specialist_sam, amina, django_assert_max_num_queries
):
    client = client_for(specialist_sam)
    url = reverse("matching_for_job_seeker", args=[amina.pk])
    _register(specialist_sam.organisation, 10)
    few = _queries(client, url)
    _register(specialist_sam.organisation, 300, start=10)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["matches"].employers) == matching.TOP
    assert len(response.context["matches"].openings) == matching.TOP


def test_opening_page_query_count_does_not_grow_with_the_caseload(
    client_for, specialist_sam, amina, django_assert_max_num_queries
):
    employer = _register(specialist_sam.organisation, 3)[0]
    opening = JobOpening.objects.filter(employer=employer).first()
    client = client_for(specialist_sam)
    url = reverse("matching_for_opening", args=[opening.pk])
    few = _queries(client, url)
    for n in range(40):
        person = JobSeekerFactory(specialist=specialist_sam, first_name=f"P{n}", latitude=HOME[0], longitude=HOME[1])
        JobPreference.objects.create(job_seeker=person).job_types.set([JobType.objects.get(code="kitchen_helper")])
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["matches"].job_seekers) == matching.TOP


def test_an_employer_with_a_wanted_signal_and_no_site_is_a_candidate(specialist_sam, amina):
    organisation = specialist_sam.organisation
    EmployerFactory(organisation=organisation, name="Café sans adresse")  # industry I by default
    by_opening = EmployerFactory(organisation=organisation, name="Cantine", industry=Industry.objects.get(code="C"))
    JobOpening.objects.create(
        employer=by_opening,
        title="Commis",
        job_type=JobType.objects.get(code="kitchen_helper"),
        source=JobOpening.Source.EMPLOYER_CONTACT,
        learned_on=datetime.date.today(),
    )
    EmployerFactory(organisation=organisation, name="Usine", industry=Industry.objects.get(code="C"))
    ranked = rank_employers(access_scope(specialist_sam), wishes_for(amina))
    assert set(ranked.values_list("name", flat=True)) == {"Café sans adresse", "Cantine"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_postgresql_reads_the_bounding_box_through_the_coordinates_index(specialist_sam, amina):
    _register(specialist_sam.organisation, 3000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE employers_employersite")
        cursor.execute("ANALYZE employers_employer")
    candidates = _employer_candidates(wishes_for(amina))
    sql, params = candidates.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few thousand rows only: as at national scale
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "employer_site_coordinates" in plan, plan
    assert "Seq Scan on employers_employersite" not in plan, plan
