"""Handlers run in their program's time zone; `crm.clock.program_today()` is the
program's date whatever the server's time zone."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from crm import clock, events

# 23:30 UTC on 31 March 2026: already 1 April in Paris (UTC+2 since 29 March), still
# 31 March in New York (UTC-4).
LATE_EVENING_UTC = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture
def server_in_utc(settings):
    settings.TIME_ZONE = "UTC"  # as a worker host often is; Django re-reads it for this test
    timezone.deactivate()  # a zone a web request activated in this thread would hide the default
    yield
    timezone.deactivate()


@pytest.fixture
def seen_by_handler():
    seen = {}

    def look_at_the_clock(event):
        seen["localdate"] = timezone.localdate()
        seen["localtime"] = timezone.localtime()

    events.handles("jobseeker.enrolled", name="tests.look_at_the_clock")(look_at_the_clock)
    yield seen
    events.unregister("tests.look_at_the_clock")


@pytest.mark.parametrize(
    "time_zone, program_date",
    [("Europe/Paris", datetime.date(2026, 4, 1)), ("America/New_York", datetime.date(2026, 3, 31))],
)
def test_a_handler_sees_the_programs_date(organisation, server_in_utc, seen_by_handler, time_zone, program_date):
    organisation.time_zone = time_zone
    organisation.save()
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        with transaction.atomic():
            event = events.emit(
                topic="jobseeker.enrolled",
                organisation_id=organisation.pk,
                aggregate_type="jobseeker",
                aggregate_id=1,
                payload={"job_seeker_id": 1, "job_search_since": None, "reentry": False},
            )
        assert timezone.localdate() == datetime.date(2026, 3, 31)  # the server's date
        events.dispatch(event.pk)
        assert timezone.localdate() == datetime.date(2026, 3, 31)  # restored after the handler
    assert seen_by_handler["localdate"] == program_date
    assert str(seen_by_handler["localtime"].tzinfo) == time_zone


def test_program_today_is_the_programs_date(organisation, server_in_utc):
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        assert clock.program_today(organisation) == datetime.date(2026, 4, 1)
        assert timezone.localdate() == datetime.date(2026, 3, 31)
    organisation.time_zone = "America/New_York"
    assert clock.program_today(organisation, at=LATE_EVENING_UTC) == datetime.date(2026, 3, 31)


def test_an_unknown_zone_falls_back_to_the_servers(organisation, server_in_utc):
    organisation.time_zone = "Mars/Olympus_Mons"
    assert clock.program_today(organisation, at=LATE_EVENING_UTC) == datetime.date(2026, 3, 31)
    with clock.in_program_zone(organisation) as zone:
        assert str(zone) == "UTC"
