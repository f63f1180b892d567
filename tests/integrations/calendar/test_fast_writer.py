"""The feed's own iCalendar writer (ical.calendar) writes byte for byte what the
icalendar library writes (ical.calendar_by_library), which the parser-agreement and
golden tests were written against: times around every change of the clocks in zones
north and south, all-day entries, reminders, escapes, long lines with accents, emoji,
backslashes and carets where lines fold."""

import datetime
import random
import zoneinfo

import pytest
from icalendar.parser.string import _foldline

from integrations.calendar import ical

TEXTS = [
    "Visit: Boulangerie du Port — N.B.",
    "Visite : Hôtel du Vieux-Port — Z.S., N.B.",
    "a" * 80,
    "é" * 50,
    "x" * 73 + "\\",
    "x" * 64 + "^" + "x" * 20,
    "Line\nbreak\r\nand\rCR",
    "back\\slash \\N ; semi , comma",
    "😀" * 30,
    "e\u0301" * 40,
    "x" * 72 + "😀é",
    "",
]
ZONES = ["Europe/Paris", "Australia/Sydney", "America/Sao_Paulo", "Pacific/Chatham", "UTC", "Etc/GMT+5"]


def _clock_changes(tz: zoneinfo.ZoneInfo, years=(2025, 2026)) -> list[datetime.datetime]:
    """Instants (UTC) around each change of the clocks of `tz` in `years`."""
    instants = []
    moment = datetime.datetime(years[0], 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(years[-1] + 1, 1, 1, tzinfo=datetime.UTC)
    while moment < end:
        later = moment + datetime.timedelta(hours=1)
        if moment.astimezone(tz).utcoffset() != later.astimezone(tz).utcoffset():
            instants += [later + datetime.timedelta(minutes=minutes) for minutes in (-90, -60, -30, 0, 30, 60)]
        moment = later
    return instants


def _views(tz: zoneinfo.ZoneInfo, seed: int) -> tuple[list[ical.EventView], dict[str, ical.Stamp]]:
    rng = random.Random(seed)
    starts = _clock_changes(tz) + [
        datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(minutes=rng.randrange(0, 1_000_000))
        for _ in range(60)
    ]
    views, stamps = [], {}
    for index, start in enumerate(starts):
        all_day = index % 11 == 0
        text = rng.choice(TEXTS)
        view = ical.EventView(
            uid=f"visit-{index}@ips-test.ips-crm" if index % 7 else f"task-{index}@odd,uid;here.ips-crm",
            summary=rng.choice(TEXTS),
            start=start.date() if all_day else start,
            end=start.date() + datetime.timedelta(days=1)
            if all_day
            else start + datetime.timedelta(minutes=rng.choice([15, 60, 90, 600])),
            status=rng.choice(["CONFIRMED", "TENTATIVE", "CANCELLED"]),
            location=rng.choice(["", "3 place de Lenche, 13002 Marseille", text]),
            text=text,
            path=f"/employer-contacts/{index}/" + "x" * rng.choice([0, 40, 70]),
            base_url=rng.choice(["https://ips.example.org", "http://testserver"]),
            alarm_minutes=rng.choice([None, 0, 15, 30, 90, 1440, 2000]),
            transparent=all_day,
            record_sequence=index % 3,
            changed_at=start,
        )
        views.append(view)
        seconds = rng.choice([0, 5])
        stamps[view.uid] = ical.Stamp(datetime.datetime(2026, 3, 2, 8, 0, seconds, tzinfo=datetime.UTC), index % 4)
    return views, stamps


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("feed", [True, False])
def test_the_writer_writes_what_the_library_writes(zone, feed):
    tz = zoneinfo.ZoneInfo(zone)
    views, stamps = _views(tz, seed=len(zone))
    heading = ical.Heading(
        name="Sam Martin — visits, and; appointments",
        tz=tz,
        first_date=datetime.date(2025, 1, 1),
        last_date=datetime.date(2026, 12, 31),
        feed=feed,
    )
    assert ical.calendar(heading, views, stamps) == ical.calendar_by_library(heading, views, stamps)


def test_events_in_zones_with_a_tzid_take_the_fast_path():
    tz = zoneinfo.ZoneInfo("Europe/Paris")
    views, _stamps = _views(tz, seed=1)
    assert all(ical._plain(view, tz) for view in views)
    assert not ical._plain(views[0], zoneinfo.ZoneInfo("UTC"))  # left to the library


def test_lines_fold_as_the_library_folds_them():
    rng = random.Random(3)
    for index in range(3000):
        alphabet = "ab\\^;,é😀 " if index % 2 else "ab\\^^\\\\ "
        line = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 300)))
        assert ical._fold(line) == _foldline(line), line


def test_an_event_written_again_comes_from_what_was_kept():
    tz = zoneinfo.ZoneInfo("Europe/Paris")
    views, stamps = _views(tz, seed=2)
    heading = ical.Heading(
        name="Sam", tz=tz, first_date=datetime.date(2025, 1, 1), last_date=datetime.date(2026, 12, 31), feed=True
    )
    first = ical.calendar(heading, views, stamps)
    hits = ical._event_lines_kept.cache_info().hits
    assert ical.calendar(heading, views, stamps) == first
    assert ical._event_lines_kept.cache_info().hits >= hits + len(views)
