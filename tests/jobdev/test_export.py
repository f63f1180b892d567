"""CSV export of employer contacts: BOM and header, visible rows only, hidden job
seekers counted but never named, filters validated, constant query count."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from jobdev.models import EmployerContact
from tests.factories import (
    ContactPersonFactory,
    EmployerContactFactory,
    EmployerFactory,
    EmployerSiteFactory,
    JobSeekerFactory,
)

PARIS = timezone.get_fixed_timezone(60)  # March: CET


def at(day, hour):
    return datetime.datetime(2026, 3, day, hour, tzinfo=PARIS)


def export(client, **params):
    response = client.get(reverse("employer_contact_export"), params)
    assert response.status_code == 200, response.content
    content = b"".join(response.streaming_content)
    return response, content


def rows(content: bytes, delimiter=",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


@pytest.fixture
def employer(specialist_sam):
    return EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")


@pytest.fixture
def nadia(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")


@pytest.fixture
def held_contact(specialist_sam, employer, nadia, specialist_bob):
    site = EmployerSiteFactory(employer=employer, town="Marseille")
    person = ContactPersonFactory(employer=employer, name="Claire Martin")
    other_team_job_seeker = JobSeekerFactory(specialist=specialist_bob, first_name="Omar", last_name="Diallo")
    return EmployerContactFactory(
        specialist=specialist_sam,
        employer=employer,
        site=site,
        contact_person=person,
        starts_at=at(2, 10),
        ends_at=at(2, 11),
        status=EmployerContact.Status.HELD,
        mode="in_person",
        nature="second",
        purpose="on_behalf",
        met_hiring_authority=True,
        learned_hiring_needs="Deux vendeurs·ses pour l'été",
        result="Entretien proposé",
        next_step="Rappeler Claire",
        next_step_on=datetime.date(2026, 3, 9),
        job_seekers=[nadia, other_team_job_seeker],
    )


def test_the_file_has_a_bom_a_header_and_one_row_per_contact(client_for, specialist_sam, held_contact):
    response, content = export(client_for(specialist_sam))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="employer-contacts-')
    assert content.startswith(b"\xef\xbb\xbf")
    header, row = rows(content)
    assert header[:3] == ["Date", "Time", "End time"] and header[-1] == "Next step date"
    assert row == [
        "2026-03-02",
        "10:00",
        "11:00",
        str(specialist_sam),
        "Boulangerie du Port",
        "Marseille",
        "Claire Martin",
        "In person",
        "Second meeting",
        "On behalf of job seekers",
        "Held",
        "Nadia Benali, 1 other",
        "yes",
        "Deux vendeurs·ses pour l'été",
        "Entretien proposé",
        "Rappeler Claire",
        "2026-03-09",
    ]


def test_job_seekers_the_user_may_not_see_are_counted_never_named(client_for, specialist_bob, held_contact):
    _response, content = export(client_for(specialist_bob))
    (row,) = rows(content)[1:]
    assert row[11] == "Omar Diallo, 1 other"
    assert "Nadia" not in content.decode("utf-8-sig")


def test_other_organisations_contacts_are_never_exported(client_for, specialist_louis, held_contact):
    EmployerContactFactory(specialist=specialist_louis, employer__name="Boulangerie de Lyon")
    _response, content = export(client_for(specialist_louis))
    data = rows(content)
    assert len(data) == 2 and data[1][4] == "Boulangerie de Lyon"


def test_filters_by_date_range_and_specialist(client_for, specialist_sam, specialist_sofia, employer):
    for day, specialist in ((1, specialist_sam), (2, specialist_sam), (3, specialist_sofia), (9, specialist_sam)):
        EmployerContactFactory(specialist=specialist, employer=employer, starts_at=at(day, 23))
    client = client_for(specialist_sam)
    _response, content = export(client, date_from="2026-03-02", date_to="2026-03-08")
    assert [row[0] for row in rows(content)[1:]] == ["2026-03-02", "2026-03-03"]  # local dates, 23:00 included
    _response, content = export(client, date_from="2026-03-02", date_to="2026-03-08", specialist=specialist_sofia.pk)
    assert [row[0] for row in rows(content)[1:]] == ["2026-03-03"]


def test_semicolon_on_request_and_by_default_in_french(client_for, specialist_sam, held_contact):
    client = client_for(specialist_sam)
    _response, content = export(client, delimiter="semicolon")
    assert content.decode("utf-8-sig").startswith("Date;Time;End time;")
    client.cookies["django_language"] = "fr"
    _response, content = export(client)
    assert len(rows(content, delimiter=";")[1]) == 17
    _response, content = export(client, delimiter="comma")
    assert len(rows(content)[1]) == 17


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "not a date"},
        {"date_from": "2026-03-09", "date_to": "2026-03-01"},
        {"specialist": "999999"},
        {"specialist": "abc"},
        {"delimiter": "pipe"},
    ],
)
def test_invalid_filters_answer_400(client_for, specialist_sam, params):
    response = client_for(specialist_sam).get(reverse("employer_contact_export"), params)
    assert response.status_code == 400
    assert "The export could not be made" in response.content.decode()


def test_a_specialist_of_another_program_is_not_a_valid_filter(client_for, specialist_sam, specialist_louis):
    response = client_for(specialist_sam).get(reverse("employer_contact_export"), {"specialist": specialist_louis.pk})
    assert response.status_code == 400


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(client_for, specialist_sam):
    employer = EmployerFactory(organisation=specialist_sam.organisation, name='=HYPERLINK("http://evil","x")')
    EmployerContactFactory(specialist=specialist_sam, employer=employer, result="+33 rappeler", starts_at=at(2, 10))
    _response, content = export(client_for(specialist_sam))
    row = rows(content)[1]
    assert row[4] == '\'=HYPERLINK("http://evil","x")' and row[14] == "'+33 rappeler"


def test_a_user_outside_any_program_is_refused(client_for, db):
    from tests.factories import UserFactory

    operator = UserFactory(organisation=None, is_superuser=True, is_staff=True)
    # Answered like every other out-of-scope request (it was a lone 403).
    assert client_for(operator).get(reverse("employer_contact_export")).status_code == 404


def test_query_count_does_not_grow_with_rows(
    client_for, specialist_sam, specialist_bob, employer, nadia, django_assert_max_num_queries
):
    client = client_for(specialist_sam)
    others = [JobSeekerFactory(specialist=specialist_bob) for _ in range(2)]

    def add(count):
        for index in range(count):
            EmployerContactFactory(
                specialist=specialist_sam,
                employer=employer,
                site=EmployerSiteFactory(employer=employer),
                contact_person=ContactPersonFactory(employer=employer),
                starts_at=at(1 + index % 28, 9),
                job_seekers=[nadia, *others],
            )

    add(2)
    with django_assert_max_num_queries(6):
        _response, content = export(client)
    assert len(rows(content)) == 3
    add(40)
    with django_assert_max_num_queries(6):
        _response, content = export(client)
    assert len(rows(content)) == 43 and all(row[11] == "Nadia Benali, 2 others" for row in rows(content)[1:])


class TestFailsBeforeItSendsA200:
    """A streamed export fails before its 200, never after (issue 9, section 3): the
    parameters are checked and the first chunk is read before the response starts."""

    @pytest.mark.parametrize(
        "params",
        [
            {"date_from": "0001-01-01"},  # was a 200 with only the header row
            {"date_to": "9999-12-31"},  # was a 500
            {"date_from": "0001-01-01", "date_to": "9999-12-31"},
            {"date_from": "1999-12-31"},
            {"date_to": "2101-01-01"},
        ],
    )
    def test_dates_outside_the_products_range_answer_400_with_a_clear_message(
        self, client_for, specialist_sam, held_contact, params
    ):
        response = client_for(specialist_sam).get(reverse("employer_contact_export"), params)
        assert response.status_code == 400 and not response.streaming
        assert "The export could not be made" in response.content.decode()
        assert "Choose a date between 2000 and 2100." in response.content.decode()

    def test_the_range_is_explained_in_french(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        client.cookies["django_language"] = "fr"
        response = client.get(reverse("employer_contact_export"), {"date_from": "0001-01-01"})
        assert response.status_code == 400 and "2000" in response.content.decode()

    def test_the_edges_of_the_range_export(self, client_for, specialist_sam, held_contact):
        _response, content = export(client_for(specialist_sam), date_from="2000-01-01", date_to="2100-12-31")
        assert len(rows(content)) == 2

    def test_a_database_error_in_the_first_chunk_is_an_error_response_not_a_200(
        self, client_for, specialist_sam, held_contact
    ):
        def fail_on_contacts(execute, sql, params, many, context):
            if "jobdev_employercontact" in sql and sql.lstrip().upper().startswith("SELECT"):
                raise OperationalError("server closed the connection unexpectedly")
            return execute(sql, params, many, context)

        client = client_for(specialist_sam)
        client.raise_request_exception = False
        with connection.execute_wrapper(fail_on_contacts):
            response = client.get(reverse("employer_contact_export"))
        assert response.status_code == 500
        assert not response.streaming and not response["Content-Type"].startswith("text/csv")

    def test_the_first_chunk_is_read_before_the_response_starts(
        self, client_for, specialist_sam, held_contact, django_assert_num_queries
    ):
        client = client_for(specialist_sam)
        response = client.get(reverse("employer_contact_export"))
        with django_assert_num_queries(0):  # everything was read in the view
            content = b"".join(response.streaming_content)
        assert len(rows(content)) == 2

    def test_later_chunks_are_read_while_streaming_in_the_users_language(
        self, client_for, specialist_sam, employer, monkeypatch
    ):
        from jobdev import exports

        monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
        for day in range(1, 6):
            EmployerContactFactory(specialist=specialist_sam, employer=employer, starts_at=at(day, 9), mode="phone")
        client = client_for(specialist_sam)
        client.cookies["django_language"] = "fr"
        response = client.get(reverse("employer_contact_export"))
        data = rows(b"".join(response.streaming_content), delimiter=";")
        assert [row[0] for row in data[1:]] == [f"2026-03-0{day}" for day in range(1, 6)]
        assert {row[7] for row in data[1:]} == {"Téléphone"}  # later chunks too


@pytest.mark.parametrize(
    "language,delimiter,filename",
    [("en", ",", "employer-contacts-2026-03-18.csv"), ("fr", ";", "contacts-employeurs-2026-03-18.csv")],
)
def test_the_file_follows_the_readers_language(client_for, specialist_sam, held_contact, language, delimiter, filename):
    client = client_for(specialist_sam)
    client.cookies["django_language"] = language
    with time_machine.travel(datetime.datetime(2026, 3, 18, 10, tzinfo=PARIS), tick=False):
        response, content = export(client)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert content.startswith(b"\xef\xbb\xbf")
    header, row = rows(content, delimiter=delimiter)
    assert len(header) == len(row) == 17
    assert row[:3] == ["2026-03-02", "10:00", "11:00"] and row[16] == "2026-03-09"  # ISO in every language
    assert row[12] == ("oui" if language == "fr" else "yes")


class TestAnErrorWhileWritingRows:
    """An error while the rows are written never gives a file that passes for the whole
    export: in the first chunk it is an error response, later the file says it is
    incomplete and the transfer is cut (the error propagates to the server)."""

    @pytest.fixture
    def five_contacts(self, specialist_sam, employer, monkeypatch):
        from jobdev import exports

        monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
        for day in range(1, 6):
            EmployerContactFactory(specialist=specialist_sam, employer=employer, starts_at=at(day, 9))

    @staticmethod
    def fail_from(monkeypatch, count):
        from jobdev import exports

        real_row, calls = exports.RowWriter.row, []

        def row(self, contact):
            calls.append(contact)
            if len(calls) >= count:
                raise ValueError("a row could not be written")
            return real_row(self, contact)

        monkeypatch.setattr(exports.RowWriter, "row", row)

    def test_in_the_first_chunk_it_is_an_error_response_not_a_200(
        self, client_for, specialist_sam, five_contacts, monkeypatch
    ):
        self.fail_from(monkeypatch, 2)
        client = client_for(specialist_sam)
        client.raise_request_exception = False
        response = client.get(reverse("employer_contact_export"))
        assert response.status_code == 500 and not response.streaming

    @pytest.mark.parametrize("language", ["en", "fr"])
    def test_later_the_file_ends_saying_it_is_incomplete_and_the_transfer_fails(
        self, client_for, specialist_sam, five_contacts, monkeypatch, language
    ):
        from django.utils import translation

        from jobdev.exports import incomplete_export_message

        self.fail_from(monkeypatch, 3)  # the second chunk
        client = client_for(specialist_sam)
        client.cookies["django_language"] = language
        response = client.get(reverse("employer_contact_export"))
        assert response.status_code == 200  # sent with the first chunk
        received = []
        with pytest.raises(ValueError, match="a row could not be written"):
            for piece in response.streaming_content:
                received.append(piece)
        data = rows(b"".join(received), delimiter="," if language == "en" else ";")
        assert [row[0] for row in data[1:-1]] == ["2026-03-01", "2026-03-02"]
        with translation.override(language):
            message = incomplete_export_message(2)
        assert data[-1] == [message]  # in the reader's language, written with its separator
        with translation.override("en"):
            assert incomplete_export_message(2).startswith("INCOMPLETE EXPORT: an error stopped it after 2 contacts.")


def test_the_two_0230s_of_the_october_night_are_told_apart(client_for, specialist_sam, employer, organisation):
    """The clocks go back at 03:00 CEST on 25 October 2026 in Paris: 02:30 happens at
    00:30 UTC (summer time) and again at 01:30 UTC (winter time). The export shows the
    offset on those two rows, as My week does, and plain times elsewhere."""
    organisation.time_zone = "Europe/Paris"
    organisation.save()
    utc = datetime.UTC
    for hour in (0, 1):
        EmployerContactFactory(
            specialist=specialist_sam,
            employer=employer,
            starts_at=datetime.datetime(2026, 10, 25, hour, 30, tzinfo=utc),
            ends_at=datetime.datetime(2026, 10, 25, hour, 45, tzinfo=utc),
            status=EmployerContact.Status.HELD,
        )
    EmployerContactFactory(
        specialist=specialist_sam,
        employer=employer,
        starts_at=datetime.datetime(2026, 10, 25, 9, 0, tzinfo=utc),
        ends_at=datetime.datetime(2026, 10, 25, 10, 0, tzinfo=utc),
        status=EmployerContact.Status.HELD,
    )
    _response, content = export(client_for(specialist_sam))
    times = [row[:3] for row in rows(content)[1:]]
    assert times == [
        ["2026-10-25", "02:30 (UTC+02:00)", "02:45 (UTC+02:00)"],
        ["2026-10-25", "02:30 (UTC+01:00)", "02:45 (UTC+01:00)"],
        ["2026-10-25", "10:00", "11:00"],
    ]
