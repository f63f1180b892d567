"""Every parser reads the same times, on every day of the year.

A calendar is fetched every 5 days for a year in Europe/Paris, and every 15 days in a
southern-hemisphere zone (Australia/Sydney: summer time from October to April) and in a
zone without a change of the clocks any more (America/Sao_Paulo): the suite runs twice in
CI (SQLite, PostgreSQL), and every 15 days still puts the window's start on each side of
every change. For each fetch, every event's start
and end as read by `icalendar`, `vobject` and Mozilla's ical.js (Thunderbird) must be
the instants the database holds. The events include ordinary ones all year round and,
around every change of the clocks, visits and appointments that cross the change,
start right after it, or start in the second occurrence of the repeated hour. The
single-event downloads ("Add to calendar") of every event are checked the same way.

ical.js reads every file of a zone in one Node.js call; without Node.js or ical.js the
test is skipped with the reason (CI installs both)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from crm.access import access_scope
from integrations.calendar import services
from integrations.calendar.models import CalendarPreference
from jobdev.models import EmployerContact
from placements.models import SupportTask
from tests.factories import EmployerFactory, EmployerSiteFactory, JobSeekerFactory, PlacementFactory
from tests.integrations.calendar import parsers

UTC = datetime.UTC
FIRST_FETCH = datetime.date(2026, 1, 1)
# Days between two fetch dates, by zone.
FETCH_EVERY = {"Europe/Paris": 5, "Australia/Sydney": 15, "America/Sao_Paulo": 15}
# Events from the earliest window start (90 days before the first fetch) to the end of
# the latest window (a year after the last fetch).
SPAN = (datetime.date(2025, 9, 1), datetime.date(2027, 12, 31))


def changes(zone: zoneinfo.ZoneInfo, first: datetime.date, last: datetime.date) -> list[datetime.datetime]:
    """The UTC instants the zone's offset changes between two dates, to the minute (an
    independent scan: not the code under test)."""
    found = []
    here = datetime.datetime.combine(first, datetime.time(), tzinfo=UTC)
    end = datetime.datetime.combine(last, datetime.time(), tzinfo=UTC)
    step = datetime.timedelta(hours=1)
    while here < end:
        if here.astimezone(zone).utcoffset() != (here + step).astimezone(zone).utcoffset():
            minute = here
            while minute.astimezone(zone).utcoffset() == here.astimezone(zone).utcoffset():
                minute += datetime.timedelta(minutes=1)
            found.append(minute)
        here += step
    return found


def _days(first: datetime.date, last: datetime.date, every: int):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=every)


@pytest.fixture
def year_of_events(organisation, specialist_sam):
    def make(zone_name: str) -> dict:
        organisation.time_zone = zone_name
        organisation.save()
        zone = zoneinfo.ZoneInfo(zone_name)
        nadia = JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")
        employer = EmployerFactory(organisation=organisation, name="Boulangerie du Port")
        site = EmployerSiteFactory(employer=employer)
        placement = PlacementFactory(job_seeker=nadia, employer=employer, site=site)

        def visit(starts_at: datetime.datetime, minutes: int) -> None:
            contact = EmployerContact.objects.create(
                organisation=organisation,
                specialist=specialist_sam,
                employer=employer,
                site=site,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=minutes),
                purpose="on_behalf",
            )
            contact.job_seekers.set([nadia])

        def appointment(day: datetime.date, time: datetime.time, minutes: int, kind: str = "follow_along") -> None:
            SupportTask.objects.create(
                organisation=organisation,
                job_seeker=nadia,
                placement=placement,
                kind=kind,
                custom_title="Appointment",
                due_date=day,
                due_time=time,
                duration_minutes=minutes,
                owner=specialist_sam,
            )

        def due(day: datetime.date) -> None:
            SupportTask.objects.create(
                organisation=organisation,
                job_seeker=nadia,
                kind="retention_check",
                custom_title="Retention check",
                due_date=day,
                owner=specialist_sam,
            )

        hours = [datetime.time(9), datetime.time(14, 30), datetime.time(18), datetime.time(23, 30)]
        for index, day in enumerate(_days(*SPAN, every=9)):
            local = datetime.datetime.combine(day, hours[index % len(hours)], tzinfo=zone)
            visit(local.astimezone(UTC), 60)
        for index, day in enumerate(_days(SPAN[0] + datetime.timedelta(days=4), SPAN[1], every=13)):
            appointment(day, datetime.time(16, 30) if index % 2 else datetime.time(8, 15), 45)
        for day in _days(SPAN[0] + datetime.timedelta(days=2), SPAN[1], every=61):
            due(day)
        for change in changes(zone, *SPAN):
            offset_before = (change - datetime.timedelta(minutes=1)).astimezone(zone).utcoffset()
            offset_after = change.astimezone(zone).utcoffset()
            visit(change - datetime.timedelta(hours=1), 120)  # across the change
            visit(change, 60)  # from the first minute after it
            visit(change + datetime.timedelta(minutes=30), 30)  # a repeated hour's second occurrence
            visit(change - datetime.timedelta(minutes=30), 90)
            wall = (change + offset_before).replace(tzinfo=None)  # the wall time of the change, before it
            if offset_after > offset_before:  # spring forward: 02:00 becomes 03:00
                start = wall - datetime.timedelta(minutes=30)
                appointment(start.date(), start.time(), 90)  # 01:30 for 90 minutes: ends at 04:00
                appointment(start.date(), start.time(), 30, kind="disclosure_conversation")
            else:  # fall back: 03:00 becomes 02:00, the hour from 02:00 happens twice
                repeated = (change + offset_after).replace(tzinfo=None) + datetime.timedelta(minutes=30)
                appointment(repeated.date(), repeated.time(), 60)  # the first 02:30, ends at the second
                appointment(repeated.date(), repeated.time(), 120)
                early = repeated - datetime.timedelta(hours=1)
                appointment(early.date(), early.time(), 90)
            due(wall.date())
        CalendarPreference.objects.create(user=specialist_sam, include_tasks=True, alarm_minutes=15)
        return {"zone": zone}

    return make


def expected_times(zone: zoneinfo.ZoneInfo, organisation, window: tuple[datetime.date, datetime.date]) -> dict:
    """What the database says: each event of the window, its start and end in UTC."""
    slug = organisation.slug
    first, last = window
    expected = {}
    for contact in EmployerContact.objects.all():
        if first <= contact.starts_at.astimezone(zone).date() <= last:
            expected[f"visit-{contact.pk}@{slug}.ips-crm"] = (contact.starts_at, contact.ends_at)
    for task in SupportTask.objects.all():
        if not first <= task.due_date <= last:
            continue
        if task.due_time is None:
            expected[f"task-{task.pk}@{slug}.ips-crm"] = (task.due_date, task.due_date + datetime.timedelta(days=1))
        else:
            start = datetime.datetime.combine(task.due_date, task.due_time, tzinfo=zone).astimezone(UTC)
            expected[f"task-{task.pk}@{slug}.ips-crm"] = (
                start,
                start + datetime.timedelta(minutes=task.duration_minutes),
            )
    return expected


@pytest.mark.parametrize("zone_name", list(FETCH_EVERY))
def test_every_parser_reads_the_database_times_on_every_fetch_date(
    zone_name, year_of_events, organisation, specialist_sam, client_for, tmp_path
):
    node_missing = None
    try:
        parsers.icaljs_or_skip()
    except pytest.skip.Exception as skipped:
        node_missing = str(skipped)
    with time_machine.travel(datetime.datetime(2025, 8, 1, tzinfo=UTC), tick=False):
        world = year_of_events(zone_name)
        _feed, token = services.calendar_feed_create(scope=access_scope(specialist_sam), kind="personal")
    zone = world["zone"]
    client = client_for(specialist_sam)
    files, expectations = [], []
    fetch_date = FIRST_FETCH
    while fetch_date < FIRST_FETCH + datetime.timedelta(days=365):
        with time_machine.travel(datetime.datetime.combine(fetch_date, datetime.time(12), tzinfo=zone), tick=False):
            response = client.get(reverse("calendar_feed", args=[token]))
        assert response.status_code == 200
        body = response.content
        window = (fetch_date - datetime.timedelta(days=90), fetch_date + datetime.timedelta(days=365))
        expected = expected_times(zone, organisation, window)
        assert len(expected) > 60
        assert parsers.by_icalendar(body) == expected, f"icalendar, fetched on {fetch_date}"
        assert parsers.by_vobject(body) == expected, f"vobject, fetched on {fetch_date}"
        path = tmp_path / f"feed-{fetch_date}.ics"
        path.write_bytes(body)
        files.append(path)
        expectations.append((f"feed fetched on {fetch_date}", expected))
        fetch_date += datetime.timedelta(days=FETCH_EVERY[zone_name])

    # Each event's own file, as "Add to calendar" gives it.
    everything = expected_times(zone, organisation, SPAN)
    with time_machine.travel(datetime.datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        client = client_for(specialist_sam)  # a session opened that day (sessions end when idle)
        for uid, times in everything.items():
            kind, pk = uid.split("@")[0].split("-")
            if kind == "task" and isinstance(times[0], datetime.date) and not isinstance(times[0], datetime.datetime):
                continue  # a task without a time has no download
            url = reverse("calendar_visit_ics" if kind == "visit" else "calendar_task_ics", args=[int(pk)])
            response = client.get(url)
            assert response.status_code == 200, (uid, response.status_code, response.get("Location"))
            body = response.content
            assert parsers.by_icalendar(body) == {uid: times}, uid
            assert parsers.by_vobject(body) == {uid: times}, uid
            path = tmp_path / f"{kind}-{pk}.ics"
            path.write_bytes(body)
            files.append(path)
            expectations.append((uid, {uid: times}))

    if node_missing:
        pytest.skip(node_missing)
    summaries = parsers.icaljs_summaries(files, tmp_path)
    for (what, expected), summary in zip(expectations, summaries, strict=True):
        assert summary["version"] == "2.0"
        assert parsers.by_icaljs(summary) == expected, f"ical.js, {what}"
