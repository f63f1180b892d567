"""The employer list at scale (docs/performance.md): a fixed number of queries whatever
the number of employers, counts of sites and contact persons for the page's rows only,
a count that stops at a cap ("More than 1,000 employers", then Previous / Next without
page numbers), and on PostgreSQL a search served by the trigram indexes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.access import access_scope
from employers import selectors
from employers.models import Employer, EmployerSite
from employers.selectors import EmployerFilter, employer_search, employers_for_list
from tests.factories import ContactPersonFactory, EmployerFactory, EmployerSiteFactory


def _employers(organisation, count, prefix="Employer"):
    return Employer.objects.bulk_create(
        Employer(organisation=organisation, name=f"{prefix} {n:04d}") for n in range(count)
    )


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("employer_list"), params or {}).status_code == 200
    return len(context)


def test_query_count_does_not_grow_with_employers(client_for, specialist_sam, django_assert_max_num_queries):
    organisation = specialist_sam.organisation
    client = client_for(specialist_sam)
    for employer in _employers(organisation, 5):
        EmployerSiteFactory(employer=employer)
    few = _queries(client)
    for employer in _employers(organisation, 120, prefix="More"):
        EmployerSiteFactory(employer=employer)
        ContactPersonFactory(employer=employer)
    assert _queries(client) == few
    assert _queries(client, {"q": "More 01"}) == few
    with django_assert_max_num_queries(few):
        client.get(reverse("employer_list"), {"page": "3"})


def test_the_page_shows_each_rows_counts(client_for, specialist_sam):
    employer = EmployerFactory(organisation=specialist_sam.organisation, name="Aaa Garage")
    EmployerSiteFactory.create_batch(3, employer=employer)
    ContactPersonFactory.create_batch(2, employer=employer)
    EmployerFactory(organisation=specialist_sam.organisation, name="Bbb Bakery")
    page = client_for(specialist_sam).get(reverse("employer_list")).context["page"]
    rows = {row.name: (row.site_count, row.contact_person_count) for row in page.object_list}
    assert rows == {"Aaa Garage": (3, 2), "Bbb Bakery": (0, 0)}
    assert page.count == 2 and page.count_is_exact and page.num_pages == 1


def test_an_exact_count_numbers_the_pages(client_for, specialist_sam):
    _employers(specialist_sam.organisation, 60)
    client = client_for(specialist_sam)
    html = client.get(reverse("employer_list")).content.decode()
    assert "60 employers" in html and "Page 1 of 3" in html and 'rel="next"' in html and 'rel="prev"' not in html
    response = client.get(reverse("employer_list"), {"page": "9999"})
    assert response.context["page"].number == 3 and "Employer 0059" in response.content.decode()
    assert client.get(reverse("employer_list"), {"page": "x"}).context["page"].number == 1


def test_beyond_the_cap_the_list_says_more_than_and_pages_by_next(client_for, specialist_sam, monkeypatch):
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 30)
    _employers(specialist_sam.organisation, 80)
    client = client_for(specialist_sam)
    response = client.get(reverse("employer_list"))
    html = response.content.decode()
    assert "More than 30 employers" in html and "Page 1" in html and " of " not in html.split("Page 1")[1][:10]
    assert 'rel="next"' in html and response.context["page"].num_pages is None
    html = client.get(reverse("employer_list"), {"page": "2"}).content.decode()
    assert 'rel="prev"' in html and 'rel="next"' in html and "Employer 0025" in html
    # Past the end of a list counted beyond the cap: counted exactly, the last page.
    page = client.get(reverse("employer_list"), {"page": "50"}).context["page"]
    assert page.number == 4 and page.count == 80 and page.count_is_exact and not page.has_next
    assert [e.name for e in page.object_list] == [f"Employer {n:04d}" for n in range(75, 80)]


def test_the_htmx_filter_answers_the_rows_only(client_for, specialist_sam):
    EmployerSiteFactory(employer=EmployerFactory(organisation=specialist_sam.organisation, name="Garage"), town="Aix")
    response = client_for(specialist_sam).get(reverse("employer_list"), {"q": "aix"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Garage" in html and "<form" not in html and "1 employer" in html


def test_search_words_each_match_a_name_a_town_or_a_postcode(specialist_sam):
    organisation = specialist_sam.organisation
    garage = EmployerFactory(organisation=organisation, name="Garage du Port")
    EmployerSiteFactory(employer=garage, town="Marseille", postcode="13002")
    EmployerSiteFactory(employer=garage, town="Aubagne", postcode="13400")
    EmployerFactory(organisation=organisation, name="Boulangerie du Port")
    employers = Employer.objects.filter(organisation=organisation)

    def names(value):
        return sorted(employers.filter(employer_search(value)).values_list("name", flat=True))

    assert names("port") == ["Boulangerie du Port", "Garage du Port"]
    assert names("PORT aubagne") == ["Garage du Port"]  # an employer with two sites appears once
    assert names("134") == ["Garage du Port"] and names("400") == []  # a postcode starts with the word
    assert names("port zzz") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_postgresql_search_uses_the_trigram_and_pattern_indexes(specialist_sam):
    organisation = specialist_sam.organisation
    Employer.objects.bulk_create(Employer(organisation=organisation, name=f"Employer {n}") for n in range(3000))
    EmployerSite.objects.bulk_create(
        EmployerSite(
            employer=employer, address="1 rue", town=f"Town {employer.pk % 300}", postcode=f"{employer.pk:05d}"
        )
        for employer in Employer.objects.filter(organisation=organisation)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE employers_employer")
        cursor.execute("ANALYZE employers_employersite")
    queryset = EmployerFilter({"q": "ployer 12"}, queryset=employers_for_list(access_scope(specialist_sam))).qs
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's transaction: a few thousand rows only
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "employer_name_trgm" in plan and "employer_site_town_trgm" in plan, plan
    assert re.search(r"employer_site_postcode_pattern", plan), plan
