"""A feed's version (ETag, Last-Modified) and its events' stamps are decided under the
feed's lock from what the feed last recorded, never from the copy a request loaded
before; they do not follow the host name or scheme the feed is read through; and a
fetch that finds nothing new writes nothing (but, every few minutes, when the feed was
last read)."""

import datetime

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import parse_http_date

from integrations.calendar import views
from integrations.calendar.models import CalendarFeed
from jobdev.models import EmployerContact
from tests.integrations.calendar.conftest import NOW, events_by_uid, fetch

# The feed (with its owner), the preference, the visits and their job seekers, the
# appointments, the all-day tasks, what the feed published: reads only.
UNCHANGED_QUERIES = 7


@pytest.fixture(autouse=True)
def _frozen(frozen):
    return frozen


def interleaved(monkeypatch, meanwhile):
    """The next feed request loads its feed, then `meanwhile()` runs whole (another
    fetch, a change), then the request goes on with the copy it loaded."""
    real = views.active_feed
    state = {"done": False}

    def patched(token):
        calendar_feed = real(token)
        if not state["done"]:
            state["done"] = True
            meanwhile()
        return calendar_feed

    monkeypatch.setattr(views, "active_feed", patched)


def writes(queries) -> list[str]:
    """The statements that write or lock."""
    return [
        query["sql"]
        for query in queries
        if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")) or "FOR UPDATE" in query["sql"]
    ]


def publications(queries) -> list[str]:
    """The statements that write or lock but the throttled `last_fetched_at` UPDATE."""
    return [
        sql for sql in writes(queries) if not ("UPDATE" in sql and "served_" not in sql and "last_fetched_at" in sql)
    ]


class TestConcurrentFetches:
    def test_a_fetch_that_loaded_the_feed_before_another_was_served_gets_a_later_last_modified(
        self, client, world, sam_feed, frozen, monkeypatch
    ):
        """B loads the feed; A is served (with the held visit); the held visit leaves;
        B goes on, in the same second. Each version has its own Last-Modified, so that
        A's client revalidating by If-Modified-Since gets B's body, not a 304."""
        fetch(client, sam_feed)
        frozen.shift(datetime.timedelta(minutes=5))
        world["employer"].name = "Boulangerie du Vieux-Port"
        world["employer"].save()
        first = {}

        def fetch_a_then_remove_a_visit():
            first["a"] = fetch(Client(), sam_feed)
            EmployerContact.objects.filter(pk=world["held"].pk).update(mode=EmployerContact.Mode.PHONE)

        interleaved(monkeypatch, fetch_a_then_remove_a_visit)
        b = fetch(client, sam_feed)
        monkeypatch.undo()
        a = first["a"]

        held = f"visit-803@{world['employer'].organisation.slug}.ips-crm"
        assert held in events_by_uid(a.content) and held not in events_by_uid(b.content)
        assert a["ETag"] != b["ETag"]
        assert parse_http_date(b["Last-Modified"]) > parse_http_date(a["Last-Modified"])
        assert fetch(client, sam_feed, HTTP_IF_MODIFIED_SINCE=a["Last-Modified"]).status_code == 200
        assert fetch(client, sam_feed, HTTP_IF_MODIFIED_SINCE=b["Last-Modified"]).status_code == 304
        served = CalendarFeed.objects.get()
        assert served.served_modified_at.timestamp() == parse_http_date(b["Last-Modified"])

    def test_the_same_version_served_by_two_overlapping_fetches_keeps_its_last_modified(
        self, client, world, sam_feed, frozen, monkeypatch
    ):
        fetch(client, sam_feed)
        frozen.shift(datetime.timedelta(minutes=5))
        world["employer"].name = "Boulangerie du Vieux-Port"
        world["employer"].save()
        first = {}

        def fetch_a_a_second_earlier():
            first["a"] = fetch(Client(), sam_feed)
            frozen.shift(datetime.timedelta(seconds=1))

        interleaved(monkeypatch, fetch_a_a_second_earlier)
        b = fetch(client, sam_feed)
        monkeypatch.undo()
        a = first["a"]

        assert b.content == a.content
        assert (b["ETag"], b["Last-Modified"]) == (a["ETag"], a["Last-Modified"])
        assert fetch(client, sam_feed, HTTP_IF_MODIFIED_SINCE=a["Last-Modified"]).status_code == 304


class TestHostsAndSchemes:
    @override_settings(ALLOWED_HOSTS=["a.example", "b.example", "testserver"])
    def test_reading_a_feed_through_two_hosts_and_schemes_keeps_the_stamps(self, client, world, sam_feed, frozen):
        url = reverse("calendar_feed", args=[sam_feed])
        readers = [
            {"HTTP_HOST": "a.example"},
            {"HTTP_HOST": "b.example"},
            {"HTTP_HOST": "a.example", "secure": True},
        ]
        first = {}
        for round_ in range(3):
            for number, reader in enumerate(readers):
                frozen.shift(datetime.timedelta(minutes=10))  # the rows' stamps would move
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url, **reader)
                assert response.status_code == 200
                if round_ == 0 and number == 0:
                    continue  # the first fetch publishes every event
                assert publications(queries.captured_queries) == []
                events = {
                    uid: (e.decoded("LAST-MODIFIED"), e["SEQUENCE"])
                    for uid, e in events_by_uid(response.content).items()
                }
                if number in first:
                    # The same ETag and stamps for the same host, and the body's links.
                    assert response["ETag"] == first[number][0] and events == first[number][1]
                    assert response["Last-Modified"] == first[number][2]
                first.setdefault(number, (response["ETag"], events, response["Last-Modified"]))
                again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"], **reader)
                assert again.status_code == 304
        assert first[0][1] == first[1][1] == first[2][1]
        assert len({first[0][0], first[1][0], first[2][0]}) == 3  # the body holds the links
        bodies = {number: client.get(url, **reader).content.decode() for number, reader in enumerate(readers)}
        assert "URL:http://a.example/employer-contacts/801/" in bodies[0]
        assert "URL:http://b.example/employer-contacts/801/" in bodies[1]
        assert "URL:https://a.example/employer-contacts/801/" in bodies[2]


class TestFetchesThatChangeNothingWriteNothing:
    """A calendar polls every few minutes: an unchanged feed is answered from what it
    recorded, with no lock and no write but `last_fetched_at`, at most every 5 minutes
    (the settings page shows it to the minute). Queries do not grow with events."""

    def test_an_unchanged_repeat_fetch(self, client, world, sam_feed, django_assert_num_queries):
        first = fetch(client, sam_feed)
        with django_assert_num_queries(UNCHANGED_QUERIES) as queries:
            again = fetch(client, sam_feed)
        assert writes(queries.captured_queries) == []
        assert again.content == first.content
        assert (again["ETag"], again["Last-Modified"]) == (first["ETag"], first["Last-Modified"])

    def test_a_304(self, client, world, sam_feed, django_assert_num_queries):
        first = fetch(client, sam_feed)
        with django_assert_num_queries(UNCHANGED_QUERIES) as queries:
            assert fetch(client, sam_feed, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        with django_assert_num_queries(UNCHANGED_QUERIES) as more:
            assert fetch(client, sam_feed, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
        assert writes(queries.captured_queries) == writes(more.captured_queries) == []

    def test_a_head(self, client, world, sam_feed, django_assert_num_queries):
        url = reverse("calendar_feed", args=[sam_feed])
        get = client.get(url)
        with django_assert_num_queries(UNCHANGED_QUERIES) as queries:
            head = client.head(url)
        assert writes(queries.captured_queries) == []
        for header in ("ETag", "Last-Modified", "Cache-Control", "Content-Language"):
            assert head[header] == get[header]
        assert int(head["Content-Length"]) == len(get.content)

    def test_a_head_on_a_changed_feed_names_the_version_a_get_then_gets(self, client, world, sam_feed, frozen):
        url = reverse("calendar_feed", args=[sam_feed])
        before = client.get(url)
        frozen.shift(datetime.timedelta(minutes=1))
        EmployerContact.objects.filter(pk=world["planned"].pk).update(purpose="relationship")
        head = client.head(url, HTTP_IF_NONE_MATCH=before["ETag"])
        assert head.status_code == 200 and head["ETag"] != before["ETag"]
        frozen.shift(datetime.timedelta(minutes=1))
        with CaptureQueriesContext(connection) as queries:
            get = client.get(url)
        assert writes(queries.captured_queries) == []
        assert (get["ETag"], get["Last-Modified"]) == (head["ETag"], head["Last-Modified"])
        assert int(head["Content-Length"]) == len(get.content)

    def test_the_queries_do_not_grow_with_events(self, client, world, sam_feed, django_assert_num_queries):
        fetch(client, sam_feed)
        for day in range(10, 20):
            contact = EmployerContact.objects.get(pk=world["planned"].pk)
            contact.pk = None
            contact.starts_at += datetime.timedelta(days=day)
            contact.ends_at += datetime.timedelta(days=day)
            contact.save()
            contact.job_seekers.set([world["nadia"]])
        fetch(client, sam_feed)
        with django_assert_num_queries(UNCHANGED_QUERIES):
            fetch(client, sam_feed)

    def test_last_fetched_at_moves_at_most_every_five_minutes(self, client, world, sam_feed, frozen):
        first = fetch(client, sam_feed)
        feed = CalendarFeed.objects.get()
        assert feed.last_fetched_at == NOW
        frozen.shift(datetime.timedelta(minutes=4))
        fetch(client, sam_feed, HTTP_IF_NONE_MATCH=first["ETag"])
        fetch(client, sam_feed)
        assert CalendarFeed.objects.get().last_fetched_at == NOW
        frozen.shift(datetime.timedelta(minutes=2))
        with CaptureQueriesContext(connection) as queries:
            assert fetch(client, sam_feed, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert len(writes(queries.captured_queries)) == 1
        assert CalendarFeed.objects.get().last_fetched_at == NOW + datetime.timedelta(minutes=6)
