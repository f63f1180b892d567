"""A specialist's week of employer contacts: days, overlaps and travel between sites."""

import datetime
import math
from dataclasses import dataclass, field

from django.utils import timezone

from crm.dates import parse_iso_week, week_monday
from jobdev.models import EmployerContact

# Urban travel by public transport or car, door to door, with a margin to park or walk.
TRAVEL_SPEED_KMH = 25
TRAVEL_MARGIN_MINUTES = 10
UNKNOWN_DISTANCE_MINUTES = 30


def iso_week_monday(value: str | None, today: datetime.date) -> tuple[datetime.date, bool]:
    """Monday of the ISO week `value` ("2026-W48"); today's week if missing or invalid.
    Returns (monday, understood). A week outside the date policy (crm.dates) is not
    understood."""
    if value:
        monday = parse_iso_week(value)
        if monday is not None:
            return monday, True
        return week_monday(today), False
    return week_monday(today), True


def distance_km(a, b) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, map(float, (a.latitude, a.longitude, b.latitude, b.longitude)))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


@dataclass
class PlannedItem:
    contact: EmployerContact
    overlaps: bool = False
    travel_km: float | None = None
    travel_minutes: int | None = None
    gap_minutes: int | None = None
    travel_tight: bool = False


@dataclass
class Day:
    date: datetime.date
    items: list[PlannedItem] = field(default_factory=list)


def plan_week(contacts: list[EmployerContact], monday: datetime.date) -> list[Day]:
    days = [Day(monday + datetime.timedelta(days=offset)) for offset in range(7)]
    by_date = {day.date: day for day in days}
    for contact in contacts:
        local_date = timezone.localtime(contact.starts_at).date()
        if local_date in by_date:
            by_date[local_date].items.append(PlannedItem(contact))
    for day in days:
        active = [item for item in day.items if item.contact.status != EmployerContact.Status.CANCELLED]
        for index, item in enumerate(active):
            for other in active[index + 1 :]:
                if other.contact.starts_at < item.contact.ends_at and item.contact.starts_at < other.contact.ends_at:
                    item.overlaps = other.overlaps = True
        visits = [item for item in active if item.contact.is_visit]
        for previous, item in zip(visits, visits[1:], strict=False):
            _travel(previous.contact, item)
    return days


def _travel(previous: EmployerContact, item: PlannedItem) -> None:
    here, there = previous.site, item.contact.site
    if here is None or there is None or here.pk == there.pk:
        return
    gap = int((item.contact.starts_at - previous.ends_at).total_seconds() // 60)
    item.gap_minutes = gap
    km = distance_km(here, there)
    if km is not None:
        item.travel_km = round(km, 1)
        item.travel_minutes = math.ceil(km / TRAVEL_SPEED_KMH * 60) + TRAVEL_MARGIN_MINUTES
    elif here.town.strip().lower() != there.town.strip().lower():
        item.travel_minutes = UNKNOWN_DISTANCE_MINUTES
    else:
        return
    item.travel_tight = gap < item.travel_minutes
