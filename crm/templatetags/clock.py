"""Template filters for times as crm.clock shows them.

    {% load clock %}{{ contact.starts_at|time_label }}

gives "10:00", or "02:30 (UTC+02:00)" for a wall time that happens twice on the night
the clocks go back, so that the two 02:30s can be told apart."""

import datetime

from django import template

from crm import clock

register = template.Library()


@register.filter
def time_label(value):
    """The wall time of an aware datetime in the current time zone (the program's on a
    web request), with its UTC offset when that wall time happens twice."""
    if not isinstance(value, datetime.datetime):
        return ""
    return clock.time_label(value)


@register.filter
def time_label_on(value, day):
    """A wall time on `day` (an appointment's due_time and due_date) as `time_label`
    shows it: a repeated time is its first occurrence (crm.clock), with its offset."""
    if not isinstance(value, datetime.time) or not isinstance(day, datetime.date):
        return ""
    instant = clock.wall_instant(day, value)
    if clock.skipped(instant):  # saved before the rule refused such times
        return value.strftime("%H:%M")
    return clock.time_label(instant)
