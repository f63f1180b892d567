"""VTIMEZONE components (RFC 5545 3.6.5) that every parser reads alike.

One observance per change of the clocks, each with only a DTSTART: no RRULE and no
RDATE, which parsers expand differently (Mozilla's ical.js read a STANDARD observance
carrying an RDATE for the next October as if winter had not begun, and put every
winter event one hour early). The observances are derived from the zone database
(Python's zoneinfo, the same zones the database's instants are converted with) and
cover whole calendar years around the dates asked for, so that a feed's VTIMEZONE
changes at a new year, not every day its window moves.

DTSTART of an observance is the wall time of the change in the offset in force before
it (TZOFFSETFROM), as in RFC 5545's own examples: the spring change in Europe/Paris is
`DTSTART:20260329T020000` with `TZOFFSETFROM:+0100`."""

import datetime
import functools
import zoneinfo
from dataclasses import dataclass

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

# How far before the first year a change is looked for, to date the observance in
# force when the calendar begins. Zones with no change within it (Asia/Tokyo,
# America/Sao_Paulo since 2019) get one observance from 1970.
LOOKBACK = datetime.timedelta(days=400)
SCAN_STEP = datetime.timedelta(hours=6)
EPOCH = datetime.datetime(1970, 1, 1)


@dataclass(frozen=True)
class Observance:
    starts: datetime.datetime  # wall time, in the offset in force before (RFC 5545 3.8.2.4)
    offset_from: datetime.timedelta
    offset_to: datetime.timedelta
    name: str
    daylight: bool


def _state(zone: zoneinfo.ZoneInfo, instant: datetime.datetime) -> tuple:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.tzname(), bool(local.dst())


def _changes(zone: zoneinfo.ZoneInfo, start: datetime.datetime, end: datetime.datetime) -> list[datetime.datetime]:
    """The UTC instants in [start, end) at which the zone's offset, name or daylight
    flag changes, to the second."""
    changes = []
    here, state = start, _state(zone, start)
    while here < end:
        there = min(here + SCAN_STEP, end)
        if _state(zone, there) != state:
            low, high = here, there
            while high - low > datetime.timedelta(seconds=1):
                middle = (low + (high - low) / 2).replace(microsecond=0)
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            changes.append(high)
            state = _state(zone, high)
            here = high
        else:
            here = there
    return changes


def _observance(zone: zoneinfo.ZoneInfo, change: datetime.datetime) -> Observance:
    before = _state(zone, change - datetime.timedelta(seconds=1))
    offset_to, name, daylight = _state(zone, change)
    return Observance(
        starts=(change + before[0]).replace(tzinfo=None),
        offset_from=before[0],
        offset_to=offset_to,
        name=name,
        daylight=daylight,
    )


@functools.lru_cache(maxsize=256)
def observances(tz_name: str, first_year: int, last_year: int) -> tuple[Observance, ...]:
    """The observance in force on 1 January of `first_year`, then one per change of the
    clocks until the end of `last_year`."""
    zone = zoneinfo.ZoneInfo(tz_name)
    year_start = datetime.datetime(first_year, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(last_year + 1, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=1)
    earlier = _changes(zone, year_start - LOOKBACK, year_start)
    if earlier:
        first = _observance(zone, earlier[-1])
    else:
        offset, name, daylight = _state(zone, year_start)
        first = Observance(starts=EPOCH, offset_from=offset, offset_to=offset, name=name, daylight=daylight)
    return (first, *(_observance(zone, change) for change in _changes(zone, year_start, end)))


def vtimezone(tz_name: str, first_date: datetime.date, last_date: datetime.date) -> Timezone:
    """The VTIMEZONE of `tz_name` for a calendar whose times fall between `first_date`
    and `last_date` (whole years around them)."""
    component = Timezone()
    component.add("tzid", tz_name)
    for observance in observances(tz_name, first_date.year, last_date.year):
        part = TimezoneDaylight() if observance.daylight else TimezoneStandard()
        part.add("dtstart", observance.starts)
        part.add("tzoffsetfrom", observance.offset_from)
        part.add("tzoffsetto", observance.offset_to)
        part.add("tzname", observance.name)
        component.add_component(part)
    return component
