"""Dates and times as an IPS program lives them.

A program's day starts at midnight in its own time zone (`Organisation.time_zone`),
not the server's: a follow-along contact "due today" or a milestone "reached today"
means today where the specialist and the worker are. Web requests activate the
program's zone (crm.middleware.ProgramTimeZoneMiddleware); event handlers run inside
`in_program_zone()` (crm.events.dispatch); anything else that needs the program's
date asks `program_today()`.
"""

import datetime
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext


def program_zone(organisation) -> datetime.tzinfo:
    """The program's time zone, or the server's (settings.TIME_ZONE) if the stored name
    is not a zone this machine knows (the field's choices prevent that in forms)."""
    try:
        return zoneinfo.ZoneInfo(organisation.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return timezone.get_default_timezone()


def program_today(organisation, *, at: datetime.datetime | None = None) -> datetime.date:
    """Today's date in the program (or the date of the aware instant `at` there)."""
    return timezone.localdate(at or timezone.now(), program_zone(organisation))


@contextmanager
def in_program_zone(organisation) -> Iterator[datetime.tzinfo]:
    """Make the program's time zone the current one, so that `timezone.localdate()` and
    `timezone.localtime()` inside the block give the program's date and time."""
    zone = program_zone(organisation)
    with timezone.override(zone):
        yield zone


# Clock changes ------------------------------------------------------------------------
#
# The product's one rule for local times around a change of the clocks, used by every
# form and service that turns a day and a time into an instant, by My week, the
# exports and the calendar feeds:
#
# - a local time the clocks skip (02:30 on the spring-forward night in Europe/Paris)
#   does not exist: it is refused with `clock_change_message`, never shifted;
# - a local time that happens twice (02:30 on the October night) is its first
#   occurrence (fold=0, still on summer time), as RFC 5545 3.3.5 reads a DATE-TIME
#   with a TZID; where it matters, it is shown with its UTC offset (`time_label`);
# - lengths are real elapsed time: an end is compared with, and a duration added to,
#   the start in UTC (`elapsed`, `ends_after`), never on the wall clock.


def skipped(value: datetime.datetime) -> bool:
    """Whether the aware `value` names a wall time its zone skips (a spring-forward gap):
    such a time does not survive a round trip through UTC."""
    back = value.astimezone(datetime.UTC).astimezone(value.tzinfo)
    return back.replace(tzinfo=None, fold=0) != value.replace(tzinfo=None, fold=0)


def ambiguous(value: datetime.datetime) -> bool:
    """Whether the aware `value`'s wall time happens twice in its zone (the hour the
    clocks go back)."""
    if value.tzinfo is None or skipped(value):
        return False
    return value.replace(fold=0).utcoffset() != value.replace(fold=1).utcoffset()


def _change_around(value: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """For a skipped wall time: the local wall times just before and just after the
    change of the clocks (02:00 and 03:00 in Europe/Paris), found in UTC."""
    zone = value.tzinfo
    before, after = value.replace(fold=0).utcoffset(), value.replace(fold=1).utcoffset()
    naive = value.replace(tzinfo=None, fold=0)
    # The change happens at an instant t with t + before <= naive < t + after.
    low, high = naive - after, naive - before  # as UTC wall times: offset `after` not yet / already in force
    low, high = low.replace(tzinfo=datetime.UTC), high.replace(tzinfo=datetime.UTC)
    while high - low > datetime.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    change = high.replace(microsecond=0)
    return (change + before).replace(tzinfo=None), (change + after).replace(tzinfo=None)


def clock_change_message(value: datetime.datetime) -> str:
    """The plain words for a skipped local time (see `skipped`)."""
    gap_from, gap_to = _change_around(value)
    return gettext(
        "%(time)s does not exist on %(date)s: the clocks change that night, going forward from %(from)s to "
        "%(to)s. Choose another time."
    ) % {
        "time": time_format(value.time(), "H:i"),
        "date": date_format(value.date(), "SHORT_DATE_FORMAT"),
        "from": time_format(gap_from.time(), "H:i"),
        "to": time_format(gap_to.time(), "H:i"),
    }


def require_existing(value: datetime.datetime, *, field: str | None = None) -> datetime.datetime:
    """`value` itself, or ValidationError (on `field`, if given) with the clock-change
    message when its wall time does not exist."""
    if value.tzinfo is not None and skipped(value):
        message = clock_change_message(value)
        raise ValidationError({field: message} if field else message)
    return value


def wall_instant(
    day: datetime.date, time: datetime.time, zone: datetime.tzinfo | None = None, *, fold: int = 0
) -> datetime.datetime:
    """A day and a wall time in `zone` (default: the current time zone, the program's
    on web requests) as an aware datetime, unchecked: its first occurrence when it
    happens twice (`fold=1` names the second). `local_instant` checks it exists."""
    zone = zone or timezone.get_current_timezone()
    return datetime.datetime.combine(day, time.replace(tzinfo=None, fold=fold), tzinfo=zone)


def local_instant(
    day: datetime.date, time: datetime.time, zone: datetime.tzinfo | None = None, *, field: str | None = None
) -> datetime.datetime:
    """The instant a day and a wall time name in `zone` (default: the current time
    zone, the program's on web requests), by the rule above: a skipped time raises
    ValidationError (on `field`, if given), a repeated one is its first occurrence."""
    return require_existing(wall_instant(day, time, zone), field=field)


def utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def elapsed(start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
    """Real time from `start` to `end`. (Python subtracts two datetimes of the same zone
    on the wall clock, which is wrong by the change across a clock change.)"""
    return utc(end) - utc(start)


def ends_after(start: datetime.datetime, minutes: int) -> datetime.datetime:
    """The instant `minutes` of real time after `start`, in `start`'s zone."""
    return (utc(start) + datetime.timedelta(minutes=minutes)).astimezone(start.tzinfo)


def checked_span(
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    *,
    fields: tuple[str, str] = ("starts_at", "ends_at"),
) -> tuple[datetime.datetime, datetime.datetime]:
    """A start and an end checked by the rule above, as UTC instants: ValidationError
    (on `fields`) for a skipped wall time, or an end not after the start in real time."""
    errors = {}
    for name, value in zip(fields, (starts_at, ends_at), strict=True):
        if value.tzinfo is not None and skipped(value):
            errors[name] = clock_change_message(value)
    if errors:
        raise ValidationError(errors)
    if elapsed(starts_at, ends_at) <= datetime.timedelta(0):
        raise ValidationError({fields[1]: gettext("The end must be after the start.")})
    return utc(starts_at), utc(ends_at)


def utc_offset_label(value: datetime.datetime) -> str:
    """ "UTC+02:00" for an aware datetime."""
    offset = value.utcoffset() or datetime.timedelta(0)
    sign = "-" if offset < datetime.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def time_label(instant: datetime.datetime, zone: datetime.tzinfo | None = None) -> str:
    """The wall time of `instant` in `zone` (default: the current time zone), "H:i";
    followed by its UTC offset, "02:30 (UTC+02:00)", when that wall time happens twice
    that night, so that the two 02:30s of the October change can be told apart."""
    local = instant.astimezone(zone or timezone.get_current_timezone())
    label = time_format(local.time(), "H:i")
    if ambiguous(local):
        label += f" ({utc_offset_label(local)})"
    return label
