"""A subscribed calendar that revalidates (If-None-Match) gets 304 only while nothing an
event shows has changed. For each thing a feed event shows, changed behind the services'
back (a plain UPDATE, so that no record revision counts it): the feed answers 200 with a
new ETag and a later Last-Modified, the event's LAST-MODIFIED moves forward and shows the
new value, and its SEQUENCE goes up exactly when a significant property (start, end,
status, location: RFC 5546 2.1.4) changed. HEAD answers as GET does, without a body."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date, parse_http_date

from crm.models import JobSeeker, Organisation
from employers.models import Employer, EmployerSite
from integrations.calendar.models import CalendarFeed, CalendarPreference
from jobdev.models import EmployerContact
from placements.models import SupportTask
from tests.integrations.calendar.conftest import PARIS, events_by_uid, fetch


@pytest.fixture(autouse=True)
def _frozen(frozen):
    return frozen


def visit_uid(world) -> str:
    return f"visit-801@{world['employer'].organisation.slug}.ips-crm"


def task_uid(world, pk=1001) -> str:
    return f"task-{pk}@{world['employer'].organisation.slug}.ips-crm"


def rename_employer(world):
    Employer.objects.filter(pk=world["employer"].pk).update(name="Boulangerie du Vieux-Port")
    return visit_uid(world), "SUMMARY", "Visit: Boulangerie du Vieux-Port — N.B."


def move_site(world):
    EmployerSite.objects.filter(pk=world["site"].pk).update(address="12 quai du Port")
    return visit_uid(world), "LOCATION", "12 quai du Port, 13002 Marseille"


def remove_site(world):
    EmployerContact.objects.filter(pk=world["planned"].pk).update(site=None)
    return visit_uid(world), "LOCATION", None


def new_initials(world):
    JobSeeker.objects.filter(pk=world["nadia"].pk).update(last_name="Martin")
    return visit_uid(world), "SUMMARY", "Visit: Boulangerie du Port — N.M."


def first_names(world):
    Organisation.objects.filter(pk=world["employer"].organisation_id).update(job_seeker_names_in_calendars="first_name")
    return visit_uid(world), "SUMMARY", "Visit: Boulangerie du Port — Nadia"


def no_longer_on_behalf(world):
    world["planned"].job_seekers.clear()
    return visit_uid(world), "SUMMARY", "Visit: Boulangerie du Port"


def confirm(world):
    EmployerContact.objects.filter(pk=world["planned"].pk).update(confirmed=True)
    return visit_uid(world), "STATUS", "CONFIRMED"


def cancel(world):
    EmployerContact.objects.filter(pk=world["planned"].pk).update(status="cancelled", cancel_reason="Closed")
    return visit_uid(world), "STATUS", "CANCELLED"


def move_visit(world):
    EmployerContact.objects.filter(pk=world["planned"].pk).update(
        starts_at=datetime.datetime(2026, 3, 4, 11, tzinfo=PARIS),
        ends_at=datetime.datetime(2026, 3, 4, 12, tzinfo=PARIS),
    )
    return visit_uid(world), "DTSTART", "20260304T110000"


def lengthen_visit(world):
    EmployerContact.objects.filter(pk=world["planned"].pk).update(
        ends_at=datetime.datetime(2026, 3, 4, 12, tzinfo=PARIS)
    )
    return visit_uid(world), "DTEND", "20260304T120000"


def change_purpose(world):
    EmployerContact.objects.filter(pk=world["planned"].pk).update(purpose="relationship")
    return visit_uid(world), "DESCRIPTION", "Relationship-building\nhttp://testserver/employer-contacts/801/"


def change_alarm(world):
    CalendarPreference.objects.filter(user=world["planned"].specialist).update(alarm_minutes=10)
    return visit_uid(world), "VALARM", "-PT10M"


def feed_in_french(world):
    CalendarFeed.objects.filter(user=world["planned"].specialist).update(language="fr")
    return visit_uid(world), "SUMMARY", "Visite\xa0: Boulangerie du Port — N.B."


def move_appointment(world):
    SupportTask.objects.filter(pk=1001).update(due_time=datetime.time(17))
    return task_uid(world), "DTSTART", "20260303T170000"


def lengthen_appointment(world):
    SupportTask.objects.filter(pk=1001).update(duration_minutes=90)
    return task_uid(world), "DTEND", "20260303T180000"


def appointment_kind(world):
    SupportTask.objects.filter(pk=1001).update(kind="disclosure_conversation")
    return task_uid(world), "SUMMARY", "Follow-along appointment — N.B."


def appointment_site(world):
    EmployerSite.objects.filter(pk=world["site"].pk).update(town="Aix-en-Provence", postcode="13100")
    return task_uid(world), "LOCATION", "3 place de Lenche, 13100 Aix-en-Provence"


def all_day_task_moved(world):
    SupportTask.objects.filter(pk=1002).update(due_date=datetime.date(2026, 3, 9))
    return task_uid(world, 1002), "DTSTART", "20260309"


SIGNIFICANT = {
    move_site,
    remove_site,
    confirm,
    cancel,
    move_visit,
    lengthen_visit,
    move_appointment,
    lengthen_appointment,
    appointment_site,
    all_day_task_moved,
}
CHANGES = [
    rename_employer,
    move_site,
    remove_site,
    new_initials,
    first_names,
    no_longer_on_behalf,
    confirm,
    cancel,
    move_visit,
    lengthen_visit,
    change_purpose,
    change_alarm,
    feed_in_french,
    move_appointment,
    lengthen_appointment,
    appointment_kind,
    appointment_site,
    all_day_task_moved,
]


def shown(event, name: str):
    if name == "VALARM":
        return [alarm["TRIGGER"].to_ical().decode() for alarm in event.walk("VALARM")][0]
    if name not in event:
        return None
    return event[name].to_ical().decode() if name.startswith("DT") else str(event[name])


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_every_field_an_event_shows_makes_revalidation_see_the_change(client, world, sam_feed, frozen, change):
    first = fetch(client, sam_feed)
    assert fetch(client, sam_feed, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    frozen.shift(datetime.timedelta(hours=2))
    uid, name, value = change(world)
    before = events_by_uid(first.content)[uid]
    assert shown(before, name) != value

    second = fetch(client, sam_feed, HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    after = events_by_uid(second.content)[uid]
    assert shown(after, name) == value
    assert parse_http_date(second["Last-Modified"]) > parse_http_date(first["Last-Modified"])
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert after.decoded("DTSTAMP") == after.decoded("LAST-MODIFIED")
    raised = 1 if change in SIGNIFICANT else 0
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + raised
    # Revalidating again: nothing more changed.
    assert fetch(client, sam_feed, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304
    third = fetch(client, sam_feed)
    assert third.content == second.content
    # Every other event keeps its stamps unless what it shows changed too (an employer
    # renamed shows in each of its visits).
    earlier = events_by_uid(first.content)
    for key, event in events_by_uid(third.content).items():
        if key not in earlier:
            continue
        if without_stamps(event) == without_stamps(earlier[key]):
            assert event.decoded("LAST-MODIFIED") == earlier[key].decoded("LAST-MODIFIED"), key
            assert event["SEQUENCE"] == earlier[key]["SEQUENCE"], key
        else:
            assert event.decoded("LAST-MODIFIED") > earlier[key].decoded("LAST-MODIFIED"), key


def without_stamps(event) -> bytes:
    lines = event.to_ical().split(b"\r\n")
    return b"\n".join(line for line in lines if not line.startswith((b"DTSTAMP", b"LAST-MODIFIED", b"SEQUENCE")))


def test_the_feeds_name_and_time_zone_are_in_the_etag(client, world, sam_feed, specialist_sam, organisation):
    first = fetch(client, sam_feed)
    specialist_sam.last_name = "Martin-Durand"
    specialist_sam.save()
    renamed = fetch(client, sam_feed, HTTP_IF_NONE_MATCH=first["ETag"])
    assert renamed.status_code == 200 and "Martin-Durand" in renamed.content.decode()
    organisation.time_zone = "America/Montreal"
    organisation.save()
    moved = fetch(client, sam_feed, HTTP_IF_NONE_MATCH=renamed["ETag"])
    assert moved.status_code == 200 and "TZID:America/Montreal" in moved.content.decode()


class TestHead:
    def test_head_on_a_feed_answers_as_get_without_a_body(self, client, world, sam_feed):
        url = reverse("calendar_feed", args=[sam_feed])
        get = client.get(url)
        head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control"):
            assert head[header] == get[header], header
        assert int(head["Content-Length"]) == len(get.content)
        not_modified = client.head(url, HTTP_IF_NONE_MATCH=get["ETag"])
        assert not_modified.status_code == 304 and not_modified["ETag"] == get["ETag"]
        assert client.head(reverse("calendar_feed", args=["x" * 43])).status_code == 404
        assert client.post(url).status_code == 405

    @pytest.mark.parametrize("route,key", [("calendar_visit_ics", "planned"), ("calendar_task_ics", "appointment")])
    def test_head_on_a_download_answers_as_get_without_a_body(self, client_for, world, specialist_sam, route, key):
        client = client_for(specialist_sam)
        url = reverse(route, args=[world[key].pk])
        get = client.get(url)
        head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        for header in ("Content-Type", "ETag", "Content-Disposition"):
            assert head[header] == get[header], header
        assert int(head["Content-Length"]) == len(get.content)
        assert client.head(url, HTTP_IF_NONE_MATCH=get["ETag"]).status_code == 304


SENSITIVE = ["disclosure_conversation", "accommodation", "benefits_planning", "step_down_review", "other"]


class TestNeutralLabels:
    @pytest.mark.parametrize("kind", SENSITIVE)
    def test_sensitive_kinds_show_a_neutral_label_in_feeds_and_downloads(
        self, client_for, client, world, sam_feed, specialist_sam, kind
    ):
        SupportTask.objects.filter(pk__in=[1001, 1002]).update(kind=kind, custom_title="Medication and benefits")
        display = str(dict(SupportTask.Kind.choices)[kind])
        feed = fetch(client, sam_feed).content.decode().replace("\r\n ", "")
        download = client_for(specialist_sam).get(reverse("calendar_task_ics", args=[1001])).content.decode()
        download = download.replace("\r\n ", "")
        for text in (feed, download):
            assert "Follow-along appointment — N.B." in text
            assert display not in text and "Medication" not in text
        assert "Due: Follow-along task — N.B." in feed

    @pytest.mark.parametrize("kind", ["follow_along", "retention_check", "job_end_contact"])
    def test_other_kinds_keep_their_name(self, client_for, client, world, sam_feed, specialist_sam, kind):
        SupportTask.objects.filter(pk=1001).update(kind=kind)
        display = str(dict(SupportTask.Kind.choices)[kind])
        download = client_for(specialist_sam).get(reverse("calendar_task_ics", args=[1001])).content.decode()
        assert f"SUMMARY:{display} — N.B." in download.replace("\r\n ", "")

    def test_a_french_feed_does_not_name_them_either(self, client, world, sam_feed):
        SupportTask.objects.filter(pk=1001).update(kind="accommodation")
        CalendarFeed.objects.update(language="fr")
        with translation.override("fr"):
            display = str(SupportTask.Kind.ACCOMMODATION.label)
        feed = fetch(client, sam_feed).content.decode().replace("\r\n ", "")
        assert display != "Workplace accommodation" and display not in feed
        assert "Visite\xa0: Boulangerie du Port" in feed


class TestConditionalRequests:
    """RFC 9110 13.1.2: If-None-Match compares weakly (a proxy compressing the feed
    turns its ETag weak), takes a list and *; If-Modified-Since counts only without
    If-None-Match (13.2.2), and a feed's Last-Modified moves whenever its ETag does."""

    @pytest.mark.parametrize("header", ["W/{etag}", '"other", W/{etag}', '{etag}, "other"', "*"])
    @pytest.mark.parametrize("method", ["get", "head"])
    def test_weak_listed_and_any_etags_answer_304(self, client, world, sam_feed, header, method):
        url = reverse("calendar_feed", args=[sam_feed])
        first = client.get(url)
        response = getattr(client, method)(url, HTTP_IF_NONE_MATCH=header.format(etag=first["ETag"]))
        assert response.status_code == 304 and not response.content
        assert response["ETag"] == first["ETag"] and response["Cache-Control"] == first["Cache-Control"]
        assert response["ETag"].startswith('"')  # still strong

    def test_another_etag_answers_200(self, client, world, sam_feed):
        assert fetch(client, sam_feed, HTTP_IF_NONE_MATCH='W/"other", "else"').status_code == 200

    def test_if_modified_since(self, client, world, sam_feed, frozen):
        first = fetch(client, sam_feed)
        second = fetch(client, sam_feed)
        assert second["Last-Modified"] == first["Last-Modified"]
        assert fetch(client, sam_feed, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
        earlier = http_date(parse_http_date(first["Last-Modified"]) - 1)
        assert fetch(client, sam_feed, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
        # If-None-Match wins (RFC 9110 13.2.2).
        both = fetch(client, sam_feed, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"], HTTP_IF_NONE_MATCH='"other"')
        assert both.status_code == 200

    def test_an_event_leaving_the_feed_moves_last_modified(self, client, world, sam_feed, frozen):
        first = fetch(client, sam_feed)
        fetch(client, sam_feed)
        frozen.shift(datetime.timedelta(minutes=5))
        world["held"].delete()  # no remaining event's LAST-MODIFIED moves
        response = fetch(client, sam_feed, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert response.status_code == 200 and response["ETag"] != first["ETag"]
        assert parse_http_date(response["Last-Modified"]) > parse_http_date(first["Last-Modified"])
        assert fetch(client, sam_feed, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304

    @pytest.mark.parametrize("route,key", [("calendar_visit_ics", "planned"), ("calendar_task_ics", "appointment")])
    def test_downloads_compare_weakly_too(self, client_for, world, specialist_sam, route, key):
        client = client_for(specialist_sam)
        url = reverse(route, args=[world[key].pk])
        etag = client.get(url)["ETag"]
        response = client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}")
        assert response.status_code == 304 and response["ETag"] == etag
        assert client.get(url)["Content-Disposition"].startswith("attachment")


class TestContentLanguage:
    def test_a_feed_states_its_own_language_whatever_the_request_asks(self, client, world, sam_feed):
        response = fetch(client, sam_feed, HTTP_ACCEPT_LANGUAGE="fr")
        assert response["Content-Language"] == "en" and "Visit: Boulangerie du Port" in response.content.decode()
        assert (
            fetch(client, sam_feed, HTTP_IF_NONE_MATCH=response["ETag"], HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"]
            == "en"
        )
        CalendarFeed.objects.update(language="fr")
        french = fetch(client, sam_feed, HTTP_ACCEPT_LANGUAGE="en")
        assert french["Content-Language"] == "fr" and "Visite\xa0:" in french.content.decode()

    def test_a_download_states_the_language_it_is_written_in(self, client_for, world, specialist_sam):
        client = client_for(specialist_sam)
        url = reverse("calendar_visit_ics", args=[world["planned"].pk])
        for language, summary in (("fr", "Visite\xa0:"), ("en", "Visit:")):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response["Content-Language"] == language and summary in response.content.decode()
