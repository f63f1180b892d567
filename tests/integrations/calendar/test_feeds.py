"""Calendar feeds: correct iCalendar, private by design, cache-friendly."""

import datetime
import re
from pathlib import Path

import pytest
import vobject
from django.urls import reverse
from icalendar import Calendar

from crm.access import access_scope
from crm.models import JobSeeker
from integrations.calendar import services
from integrations.calendar.models import CalendarPreference
from jobdev import services as jobdev_services
from jobdev.models import EmployerContact
from tests.factories import UserFactory
from tests.integrations.calendar import parsers
from tests.integrations.calendar.conftest import PARIS, events_by_uid, fetch

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "personal.ics"


@pytest.fixture(autouse=True)
def _frozen(frozen):
    return frozen


def test_golden_feed(client, world, sam_feed):
    response = fetch(client, sam_feed)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    if not GOLDEN.exists():  # first run writes the reference, to be read and committed
        GOLDEN.write_bytes(body)
    assert body == GOLDEN.read_bytes()


def test_calendar_properties_and_line_format(client, world, sam_feed):
    body = fetch(client, sam_feed).content
    text = body.decode()
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    calendar = Calendar.from_ical(body)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//IPS job development CRM//Calendar feed 1.0//EN"
    assert "METHOD" not in calendar and "X-WR-TIMEZONE" not in text
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == "Sam Martin — visits and appointments"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text and "X-PUBLISHED-TTL:PT1H" in text
    tzids = set(re.findall(r"TZID=([^:;]+)", text))
    assert tzids == {"Europe/Paris"}
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == tzids
    for block in re.findall(r"BEGIN:VEVENT.*?END:VEVENT", text, re.S):
        assert not re.search(r"^DT(START|END):\d{8}T\d{6}\r$", block, re.M), "no floating times in events"


def test_statuses_times_location_and_alarm(client, world, sam_feed):
    events = events_by_uid(fetch(client, sam_feed).content)
    slug = world["employer"].organisation.slug
    assert set(events) == {
        f"visit-801@{slug}.ips-crm",
        f"visit-802@{slug}.ips-crm",
        f"visit-803@{slug}.ips-crm",
        f"visit-804@{slug}.ips-crm",
        f"task-1001@{slug}.ips-crm",
        f"task-1002@{slug}.ips-crm",
    }
    planned, confirmed = events[f"visit-801@{slug}.ips-crm"], events[f"visit-802@{slug}.ips-crm"]
    assert str(planned["STATUS"]) == "TENTATIVE" and str(confirmed["STATUS"]) == "CONFIRMED"
    assert str(events[f"visit-804@{slug}.ips-crm"]["STATUS"]) == "CANCELLED"
    assert planned.decoded("DTSTART") == datetime.datetime(2026, 3, 4, 10, tzinfo=PARIS)
    assert str(planned["LOCATION"]) == "3 place de Lenche, 13002 Marseille"
    assert str(planned["SUMMARY"]) == "Visit: Boulangerie du Port — N.B."
    assert [str(alarm["TRIGGER"].to_ical(), "ascii") for alarm in planned.walk("VALARM")] == ["-PT30M"]
    assert not events[f"visit-804@{slug}.ips-crm"].walk("VALARM")
    appointment = events[f"task-1001@{slug}.ips-crm"]
    assert appointment.decoded("DTEND") - appointment.decoded("DTSTART") == datetime.timedelta(minutes=45)
    all_day = events[f"task-1002@{slug}.ips-crm"]
    assert all_day.decoded("DTSTART") == datetime.date(2026, 3, 6)


def test_no_health_details_names_or_phone_numbers(client, world, sam_feed):
    text = fetch(client, sam_feed).content.decode()
    for secret in ["Benali", "Nadia", "06 12 34 56 78", "anxiety", "medication", "Manager ill", "disclosure with"]:
        assert secret not in text
    assert "N.B." in text


def test_program_may_show_first_names_never_full_names(client, world, sam_feed, organisation):
    organisation.job_seeker_names_in_calendars = "first_name"
    organisation.save()
    text = fetch(client, sam_feed).content.decode()
    assert "Visit: Boulangerie du Port — Nadia" in text and "Benali" not in text


def test_parsed_by_vobject_an_independent_parser(client, world, sam_feed):
    calendar = vobject.readOne(fetch(client, sam_feed).content.decode())
    starts = {event.uid.value: event.dtstart.value for event in calendar.vevent_list}
    assert len(starts) == 6
    planned = next(value for uid, value in starts.items() if uid.startswith("visit-801"))
    assert planned.utcoffset() == datetime.timedelta(hours=1)
    assert planned.astimezone(datetime.UTC) == datetime.datetime(2026, 3, 4, 9, tzinfo=datetime.UTC)


def test_parsed_by_mozilla_ical_js(client, world, sam_feed, tmp_path):
    feed = tmp_path / "feed.ics"
    feed.write_bytes(fetch(client, sam_feed).content)
    (parsed,) = parsers.icaljs_summaries([feed], tmp_path)  # skips without Node.js or ical.js
    assert parsed["version"] == "2.0"
    by_uid = {event["uid"]: event for event in parsed["events"]}
    planned = next(event for uid, event in by_uid.items() if uid.startswith("visit-801"))
    assert planned["start"] == "2026-03-04T09:00:00.000Z"
    assert planned["status"] == "TENTATIVE"


def test_empty_feed_is_a_valid_calendar(client, specialist_bob):
    _feed, token = services.calendar_feed_create(scope=access_scope(specialist_bob), kind="personal")
    body = fetch(client, token).content
    calendar = Calendar.from_ical(body)
    assert not calendar.walk("VEVENT") and calendar.walk("VTIMEZONE")
    assert vobject.readOne(body.decode()).prodid.value.startswith("-//IPS")


def test_uid_stable_and_sequence_grows_on_reschedule_and_cancel(client, world, sam_feed, specialist_sam):
    uid = f"visit-801@{world['employer'].organisation.slug}.ips-crm"
    before = events_by_uid(fetch(client, sam_feed).content)[uid]
    jobdev_services.employer_contact_reschedule(
        scope=access_scope(specialist_sam),
        contact_id=world["planned"].pk,
        starts_at=datetime.datetime(2026, 3, 4, 15, tzinfo=PARIS),
        ends_at=datetime.datetime(2026, 3, 4, 16, tzinfo=PARIS),
        site_id=world["site"].pk,
    )
    after = events_by_uid(fetch(client, sam_feed).content)[uid]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == datetime.datetime(2026, 3, 4, 15, tzinfo=PARIS)
    jobdev_services.employer_contact_cancel(
        scope=access_scope(specialist_sam), contact_id=world["planned"].pk, reason="Closed today"
    )
    cancelled = events_by_uid(fetch(client, sam_feed).content)[uid]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == int(before["SEQUENCE"]) + 2


def test_cancelled_visits_leave_after_the_grace_period(client, world, sam_feed, frozen, settings):
    uid = f"visit-804@{world['employer'].organisation.slug}.ips-crm"
    assert uid in events_by_uid(fetch(client, sam_feed).content)
    frozen.shift(datetime.timedelta(days=settings.CALENDAR_CANCELLED_GRACE_DAYS + 1))
    assert uid not in events_by_uid(fetch(client, sam_feed).content)


def test_unchanged_feed_answers_304_and_is_byte_identical(client, world, sam_feed, django_assert_max_num_queries):
    first = fetch(client, sam_feed)
    second = fetch(client, sam_feed)
    assert first.content == second.content and first["ETag"] == second["ETag"]
    assert first["ETag"].startswith('"') and "Last-Modified" in first
    with django_assert_max_num_queries(8):
        not_modified = fetch(client, sam_feed, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not not_modified.content


def test_etag_changes_when_a_visit_changes(client, world, sam_feed, specialist_sam):
    etag = fetch(client, sam_feed)["ETag"]
    jobdev_services.employer_contact_cancel(
        scope=access_scope(specialist_sam), contact_id=world["confirmed"].pk, reason="Strike"
    )
    response = fetch(client, sam_feed, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_query_count_does_not_grow_with_the_feed(
    client, world, sam_feed, specialist_sam, django_assert_max_num_queries
):
    employer = world["employer"]
    for day in range(30):
        contact = EmployerContact.objects.create(
            organisation=employer.organisation,
            specialist=specialist_sam,
            employer=employer,
            site=world["site"],
            starts_at=datetime.datetime(2026, 4, 1, 9, tzinfo=PARIS) + datetime.timedelta(days=day),
            ends_at=datetime.datetime(2026, 4, 1, 10, tzinfo=PARIS) + datetime.timedelta(days=day),
            purpose="on_behalf",
        )
        contact.job_seekers.set([world["nadia"]])
    with django_assert_max_num_queries(14):
        response = fetch(client, sam_feed)
    assert len(events_by_uid(response.content)) == 36


def test_revoked_rotated_and_unknown_tokens_answer_404(client, world, specialist_sam):
    feed, token = services.calendar_feed_create(scope=access_scope(specialist_sam), kind="personal")
    assert fetch(client, token).status_code == 200
    _new_feed, new_token = services.calendar_feed_rotate(scope=access_scope(specialist_sam), feed_id=feed.pk)
    assert fetch(client, token).status_code == 404
    assert fetch(client, new_token).status_code == 200
    services.calendar_feed_revoke(scope=access_scope(specialist_sam), feed_id=_new_feed.pk)
    assert fetch(client, new_token).status_code == 404
    assert fetch(client, "x" * 43).status_code == 404
    assert client.get("/calendar/" + "y" * 500 + ".ics").status_code == 404


def test_token_is_long_random_and_stored_hashed(specialist_sam):
    feed, token = services.calendar_feed_create(scope=access_scope(specialist_sam), kind="personal")
    assert len(token) >= 43 and token not in feed.token_hash and len(feed.token_hash) == 64


def test_losing_access_to_a_job_seeker_removes_their_appointments(client, world, sam_feed, specialist_sofia):
    uid = f"task-1001@{world['employer'].organisation.slug}.ips-crm"
    assert uid in events_by_uid(fetch(client, sam_feed).content)
    other_team = UserFactory(organisation=world["employer"].organisation)  # no team: Sam cannot see them
    JobSeeker.objects.filter(pk=world["nadia"].pk).update(specialist=other_team)
    events = events_by_uid(fetch(client, sam_feed).content)
    assert uid not in events
    visit = events[f"visit-801@{world['employer'].organisation.slug}.ips-crm"]
    assert str(visit["SUMMARY"]) == "Visit: Boulangerie du Port"  # Nadia no longer named


def test_team_feed_holds_every_visit_of_the_team(client, world, leader_a, specialist_sam):
    _feed, token = services.calendar_feed_create(scope=access_scope(leader_a), kind="team")
    events = events_by_uid(fetch(client, token).content)
    assert len([uid for uid in events if uid.startswith("visit-")]) == 5  # Sam's four and Sofia's one
    assert not [uid for uid in events if uid.startswith("task-")]
    assert "Benali" not in fetch(client, token).content.decode()


def test_only_team_leaders_have_a_team_feed(specialist_sam):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.calendar_feed_create(scope=access_scope(specialist_sam), kind="team")


def test_feed_needs_no_session_and_ignores_one(client_for, client, world, sam_feed, specialist_bob):
    assert fetch(client, sam_feed).status_code == 200
    other = client_for(specialist_bob)  # someone else's session changes nothing
    assert fetch(other, sam_feed).content == fetch(client, sam_feed).content


def test_add_to_calendar_download_has_the_feed_uid(client_for, world, specialist_sam, specialist_louis):
    response = client_for(specialist_sam).get(reverse("calendar_visit_ics", args=[world["planned"].pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == f"visit-801@{world['employer'].organisation.slug}.ips-crm"
    task = client_for(specialist_sam).get(reverse("calendar_task_ics", args=[world["appointment"].pk]))
    assert task.status_code == 200
    assert (
        client_for(specialist_louis).get(reverse("calendar_visit_ics", args=[world["planned"].pk])).status_code == 404
    )


class TestSettingsPage:
    def test_create_shows_the_link_once(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        page = client.post(reverse("calendar_feed_create"), {"kind": "personal"}).content.decode()
        https = re.search(r'value="(http://testserver/calendar/[^"]+\.ics)"', page).group(1)
        assert 'value="webcal://testserver/calendar/' in page
        token = https.rsplit("/", 1)[1][: -len(".ics")]
        assert client.get(reverse("calendar_feed", args=[token])).status_code == 200
        listing = client.get(reverse("calendar_settings")).content.decode()
        assert token not in listing and "My visits and appointments" in listing

    def test_revoke_someone_elses_feed_is_404(self, client_for, specialist_sam, specialist_bob):
        feed, token = services.calendar_feed_create(scope=access_scope(specialist_bob), kind="personal")
        response = client_for(specialist_sam).post(reverse("calendar_feed_revoke", args=[feed.pk]))
        assert response.status_code == 404
        feed.refresh_from_db()
        assert feed.revoked_at is None

    def test_preferences_validate(self, client_for, specialist_sam):
        client = client_for(specialist_sam)
        response = client.post(reverse("calendar_preference"), {"include_tasks": "on", "alarm_minutes": "-5"})
        assert response.status_code == 200 and "greater than or equal to 0" in response.content.decode()
        assert not CalendarPreference.objects.exists()
        client.post(reverse("calendar_preference"), {"include_tasks": "on", "alarm_minutes": "15"})
        assert CalendarPreference.objects.get().alarm_minutes == 15

    def test_bad_feed_kind_changes_nothing(self, client_for, specialist_sam):
        response = client_for(specialist_sam).post(reverse("calendar_feed_create"), {"kind": "everyone"})
        assert response.status_code == 302
        assert not specialist_sam.calendar_feeds.exists()
