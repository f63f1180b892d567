"""The one date policy: which dates the product accepts (docs/development.md).

Every date a person or a partner gives (referral, offer, start, end, contact, task,
next step, a report's period, a week to show) lies between EARLIEST and LATEST: the
years 2000 to 2100. Nothing in an IPS program's working life falls outside them, and
the margin to Python's and the databases' limits (years 1 and 9999) is so wide that
no arithmetic the product does on a stored date (a milestone a year on, an appointment
of 12 hours, a week's Sunday, a follow-along contact 30 days later, a feed window) can
overflow: the date that crashed becomes impossible by construction.

It is enforced at every door: forms (crm.forms.SaneDateField), services
(`check_sane_dates`, raising ValidationError keyed by field), query parameters
(`parse_iso_date`, `parse_iso_week`: not understood is None, never an exception).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
#: The latest date the product derives from a sane one (a milestone a year after a
#: start on LATEST, a follow-along contact, a nudge): services that only take derived
#: dates check this wider bound (`check_derived_dates`).
LATEST_DERIVED = datetime.date(2102, 12, 31)
CODE = "date_out_of_range"


def _message() -> str:
    return str(_("Choose a date between %(first)s and %(last)s.") % {"first": EARLIEST.year, "last": LATEST.year})


#: "Choose a date between 2000 and 2100." in the reader's language.
OUT_OF_RANGE_MESSAGE = lazy(_message, str)()


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    # An aware datetime is judged by its own calendar date: within 2000-2100 the zones
    # move it by hours, never across the range's edges far from Python's limits.
    return value.date() if isinstance(value, datetime.datetime) else value


def is_sane(value: datetime.date | datetime.datetime | None) -> bool:
    """Whether a date (or a datetime's date) is within the policy. None is not a date:
    False (callers with optional dates skip None themselves)."""
    if not isinstance(value, datetime.date):
        return False
    return EARLIEST <= _as_date(value) <= LATEST


def validate_sane_date(value: datetime.date | datetime.datetime | None) -> None:
    """A field validator (forms, serializers): ValidationError outside the policy."""
    if value is not None and not is_sane(value):
        raise ValidationError(OUT_OF_RANGE_MESSAGE, code=CODE)


def check_derived_dates(**values: datetime.date | datetime.datetime | None) -> None:
    """For services whose dates the product derives (support_task_create): each is
    between EARLIEST and LATEST_DERIVED, or a ValidationError keyed by its name. A
    caller passing a person's date should check it with `check_sane_dates` first."""
    errors = {
        name: [ValidationError(OUT_OF_RANGE_MESSAGE, code=CODE)]
        for name, value in values.items()
        if value is not None and not EARLIEST <= _as_date(value) <= LATEST_DERIVED
    }
    if errors:
        raise ValidationError(errors)


def check_sane_dates(**values: datetime.date | datetime.datetime | None) -> None:
    """For services: every named date given (None skipped) is within the policy, or a
    ValidationError keyed by the names of those that are not.

        check_sane_dates(start_date=start_date)
    """
    errors = {
        name: [ValidationError(OUT_OF_RANGE_MESSAGE, code=CODE)]
        for name, value in values.items()
        if value is not None and not is_sane(value)
    }
    if errors:
        raise ValidationError(errors)


def parse_iso_date(value: object) -> datetime.date | None:
    """A query parameter "2026-03-02" as a date within the policy; None for anything
    else (missing, malformed, a list, out of range): never an exception."""
    if not isinstance(value, str) or len(value) > 10:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if is_sane(day) else None


def parse_iso_week(value: object) -> datetime.date | None:
    """The Monday of an ISO week given as "2026-W48" (any case) that holds a date of the
    policy (so the week of any sane date is understood: 1999-W52 holds 2000-01-01);
    None for anything else: never an exception."""
    if not isinstance(value, str) or len(value) > 8:
        return None
    year, separator, week = value.upper().partition("-W")
    if not (separator and year.isascii() and year.isdigit() and week.isascii() and week.isdigit()):
        return None
    try:
        monday = datetime.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return None
    return monday if EARLIEST - datetime.timedelta(days=6) <= monday <= LATEST else None


def week_monday(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s ISO week."""
    return day - datetime.timedelta(days=day.weekday())
