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

from django.utils import timezone


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
