"""The employer-contact export at scale (issue 13): a fixed number of queries whatever
the rows, the first chunk written before the rest is read, the rest through one
cursor, the same file as row-by-row reading would give."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from crm.access import access_scope
from crm.csv_export import CsvFormat
from jobdev import exports
from jobdev.models import EmployerContact
from tests.factories import EmployerFactory, EmployerSiteFactory, JobSeekerFactory

START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def many_contacts(specialist_sam, specialist_bob):
    """`add(count)` adds contacts with a site, for Nadia (Sam's) and Omar (Bob's)."""
    employer = EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")
    site = EmployerSiteFactory(employer=employer, town="Marseille")
    nadia = JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")
    omar = JobSeekerFactory(specialist=specialist_bob, first_name="Omar", last_name="Diallo")
    link = EmployerContact.job_seekers.through
    added = []

    def add(count):
        first = len(added)
        contacts = EmployerContact.objects.bulk_create(
            EmployerContact(
                organisation=specialist_sam.organisation,
                specialist=specialist_sam,
                employer=employer,
                site=site,
                starts_at=START + datetime.timedelta(hours=index),
                ends_at=START + datetime.timedelta(hours=index, minutes=30),
                purpose="on_behalf",
            )
            for index in range(first, first + count)
        )
        added.extend(contacts)
        link.objects.bulk_create(
            [link(employercontact_id=contact.pk, jobseeker_id=nadia.pk) for contact in contacts]
            + [link(employercontact_id=contact.pk, jobseeker_id=omar.pk) for contact in contacts[::2]]
        )

    return add


def _file(scope) -> tuple[str, int, int]:
    """The whole file, the queries for its first piece and for all of it."""
    with CaptureQueriesContext(connection) as queries:
        pieces = exports.contact_export_stream(scope, csv_format=CsvFormat.for_language("en"))
        first = next(pieces)
        first_queries = len(queries.captured_queries)
        text = first + "".join(pieces)
    return text, first_queries, len(queries.captured_queries)


@pytest.fixture
def in_paris():
    with translation.override("en"), timezone.override("Europe/Paris"):
        yield


def test_queries_do_not_grow_with_rows_and_the_first_chunk_comes_first(
    specialist_sam, many_contacts, monkeypatch, in_paris
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 40)
    monkeypatch.setattr(exports, "CURSOR_FETCH", 50)  # the rest in chunks of 50 rows
    scope = access_scope(specialist_sam)
    many_contacts(120)
    text, first_queries, small = _file(scope)
    # The first 40 rows and the visible job seekers' names (SQLite: and their links).
    assert first_queries <= 3
    assert len(text.splitlines()) == 121
    many_contacts(280)
    text, first_queries, large = _file(scope)
    assert first_queries <= 3 and len(text.splitlines()) == 401
    if connection.vendor == "postgresql":
        assert large == small  # 400 rows as 120: no query per chunk or row
    else:
        assert large - small <= 280 // 50 + 1  # one query per further chunk for its links
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][:3] == ["2026-03-02", "09:00", "09:30"]
    assert {row[11] for row in rows[1::2]} == {"Nadia Benali, 1 other"}
    assert {row[11] for row in rows[2::2]} == {"Nadia Benali"}


def test_the_file_is_the_same_whatever_the_chunk_size(specialist_sam, many_contacts, monkeypatch, in_paris):
    scope = access_scope(specialist_sam)
    many_contacts(90)
    whole, _first, _all = _file(scope)  # one chunk
    monkeypatch.setattr(exports, "CHUNK_SIZE", 7)
    monkeypatch.setattr(exports, "CURSOR_FETCH", 11)
    assert _file(scope)[0] == whole
