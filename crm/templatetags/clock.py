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
