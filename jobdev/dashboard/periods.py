"""Periods and ISO weeks. A period is a pair of local dates, both included; the
dashboard's default is the last 12 ISO weeks, this week included."""

import datetime

DEFAULT_WEEKS = 12
MAX_PERIOD_DAYS = 366


def iso_monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def iso_week_label(monday: datetime.date) -> str:
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}"


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 12 ISO weeks, this week included: Monday 11 weeks ago to this Sunday."""
    monday = iso_monday(today)
    return monday - datetime.timedelta(weeks=DEFAULT_WEEKS - 1), monday + datetime.timedelta(days=6)


def iso_weeks(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    """The Mondays of every ISO week the period touches."""
    monday, last = iso_monday(date_from), iso_monday(date_to)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += datetime.timedelta(weeks=1)
    return weeks


def months(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    month, last = date_from.replace(day=1), date_to.replace(day=1)
    result = []
    while month <= last:
        result.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return result


def year_ending(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The 12 months ending on `day`, both ends included: from the day after the same
    date a year before (29 February: the 28th) to `day`."""
    try:
        year_before = day.replace(year=day.year - 1)
    except ValueError:
        year_before = day.replace(year=day.year - 1, day=28)
    return year_before + datetime.timedelta(days=1), day
