"""iCalendar (RFC 5545, RFC 7986) for feeds and single-event downloads.

Feeds leave the building: they are copied into other companies' clouds. An event
carries the employer's name, the site, the purpose and a link back to the CRM (which
needs a login), and never health information, notes or phone numbers; job seekers
appear by initials (or first names, if the program chose so), never full names, and
task kinds that would reveal health, disclosure or benefits show under a neutral
label (`task_label`).

An event is first described as an `EventView`: everything it shows, in the calendar's
language, and nothing else. Its stamps (DTSTAMP, LAST-MODIFIED, SEQUENCE) come from
its publication (integrations.calendar.services), which compares the view's content
with what was handed out before; the feed's ETag is a digest of the views, so it
changes whenever anything an event shows does. The link back to the CRM carries the
host and scheme the calendar asked with, but the content compared leaves them out
(`EventView.shown`): a feed read through two host names, or over http and https, does
not make every event look changed at every fetch."""

import datetime
import functools
import hashlib
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event
from icalendar.prop import vDuration

from crm import clock
from crm.models import JobSeeker, Organisation
from integrations.calendar.timezones import observances, vtimezone
from jobdev.models import EmployerContact
from placements.models import SupportTask

PRODID = "-//IPS job development CRM//Calendar feed 1.0//EN"

# Task kinds a calendar names as they are: what they are for says nothing of the
# person's health, disability, disclosure choices or benefits. Every other kind (the
# disclosure conversation, workplace accommodation, work incentives planning, the
# step-down review, "other", and any kind added later) shows under a neutral label.
TASK_KINDS_NAMED = frozenset(
    {
        SupportTask.Kind.FOLLOW_ALONG,
        SupportTask.Kind.JOB_END_CONTACT,
        SupportTask.Kind.JOB_END_REPORT,
        SupportTask.Kind.RETENTION_CHECK,
        SupportTask.Kind.JOB_SEARCH_NUDGE,
    }
)


def person_label(job_seeker: JobSeeker, organisation: Organisation) -> str:
    if organisation.job_seeker_names_in_calendars == Organisation.JobSeekerNames.FIRST_NAME:
        return job_seeker.first_name
    return job_seeker.initials


def task_label(task: SupportTask, *, appointment: bool) -> str:
    """What a calendar calls a task: its kind, or a neutral label for the kinds not in
    TASK_KINDS_NAMED."""
    if task.kind in TASK_KINDS_NAMED:
        return task.get_kind_display()
    return _("Follow-along appointment") if appointment else _("Follow-along task")


def uid(kind: str, pk: int, organisation: Organisation) -> str:
    # Stable for the life of the record: rescheduling or cancelling keeps the UID.
    return f"{kind}-{pk}@{organisation.slug}.ips-crm"


@dataclass(frozen=True)
class EventView:
    """One event as a calendar shows it. `start` and `end` are UTC instants (or dates,
    for an all-day entry). `record_sequence` is the revision the record counts itself
    (the services raise it on every change of time, place, confirmation or status);
    `changed_at` is the latest change of the records it shows, its first LAST-MODIFIED.
    The link back to the CRM is `base_url` (scheme and host the request came with) and
    `path`; DESCRIPTION is `text` followed by the link."""

    uid: str
    summary: str
    start: datetime.datetime | datetime.date
    end: datetime.datetime | datetime.date
    status: str
    location: str
    text: str
    path: str
    base_url: str
    alarm_minutes: int | None
    transparent: bool
    record_sequence: int
    changed_at: datetime.datetime

    @property
    def url(self) -> str:
        return f"{self.base_url}{self.path}"

    @property
    def description(self) -> str:
        return f"{self.text}\n{self.url}"

    def shown(self) -> tuple:
        """Everything the event shows but its stamps, the link without its scheme and
        host: they follow the request, not the event, so a feed read through two host
        names (or http and https) keeps its events' stamps."""
        return (
            self.uid,
            self.summary,
            self.start,
            self.end,
            self.status,
            self.location,
            self.text,
            self.path,
            self.alarm_minutes,
            self.transparent,
        )

    def content_digest(self) -> str:
        """Everything the event shows but its stamps and the link's scheme and host."""
        return _digest(self.shown())

    def significant_digest(self) -> str:
        """The properties whose change is significant for RFC 5546 2.1.4 (start, end,
        status, location): one of them changing raises SEQUENCE (RFC 5545 3.8.7.4)."""
        return _digest((self.start, self.end, self.status, self.location))


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


@dataclass(frozen=True)
class Stamp:
    """An event's revision as published: LAST-MODIFIED (and DTSTAMP), SEQUENCE."""

    modified_at: datetime.datetime
    sequence: int


def _seconds(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC).replace(microsecond=0)


def visit_view(
    contact: EmployerContact, *, organisation: Organisation, base_url: str, alarm_minutes: int | None = None
) -> EventView:
    """A visit; `contact.visible_job_seekers` (with_visible_job_seekers) are named."""
    job_seekers = list(getattr(contact, "visible_job_seekers", []))
    names = [person_label(job_seeker, organisation) for job_seeker in job_seekers]
    summary = _("Visit: %(employer)s") % {"employer": contact.employer.name}
    if names:
        summary += " — " + ", ".join(names)
    if contact.status == EmployerContact.Status.CANCELLED:
        status = "CANCELLED"
    elif contact.status == EmployerContact.Status.PLANNED and not contact.confirmed:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    return EventView(
        uid=uid("visit", contact.pk, organisation),
        summary=summary,
        start=_seconds(contact.starts_at),
        end=_seconds(contact.ends_at),
        status=status,
        location=str(contact.site) if contact.site is not None else "",
        text=contact.get_purpose_display(),
        path=f"/employer-contacts/{contact.pk}/",
        base_url=base_url,
        alarm_minutes=alarm_minutes if contact.status == EmployerContact.Status.PLANNED else None,
        transparent=False,
        record_sequence=contact.sequence,
        changed_at=_seconds(
            max([contact.updated_at, contact.employer.updated_at, *(js.updated_at for js in job_seekers)])
        ),
    )


def appointment_span(task: SupportTask, tz) -> tuple[datetime.datetime, datetime.datetime]:
    """An appointment's start and end as UTC instants: its day and time in the program's
    zone by the product's rule (crm.clock: a repeated time is its first occurrence),
    and its duration in real time. A time the clocks skip, saved before the rule, is
    read as RFC 5545 3.3.5 reads it: with the offset in force before the change."""
    start = clock.wall_instant(task.due_date, task.due_time, tz)
    return clock.utc(start), clock.utc(clock.ends_after(start, task.duration_minutes))


def appointment_view(
    task: SupportTask, *, organisation: Organisation, tz, base_url: str, alarm_minutes: int | None = None
) -> EventView:
    label = task_label(task, appointment=True)
    summary = f"{label} — {person_label(task.job_seeker, organisation)}"
    start, end = appointment_span(task, tz)
    placement = task.placement
    path = f"/placements/{placement.pk}/" if placement is not None else "/tasks/"
    return EventView(
        uid=uid("task", task.pk, organisation),
        summary=summary,
        start=start,
        end=end,
        status="CANCELLED" if task.status == SupportTask.Status.CANCELLED else "CONFIRMED",
        location=str(placement.site) if placement is not None and placement.site is not None else "",
        text=label,
        path=path,
        base_url=base_url,
        alarm_minutes=alarm_minutes if task.status == SupportTask.Status.OPEN else None,
        transparent=False,
        record_sequence=task.sequence,
        changed_at=_seconds(max(task.updated_at, task.job_seeker.updated_at)),
    )


def all_day_task_view(task: SupportTask, *, organisation: Organisation, base_url: str) -> EventView:
    label = task_label(task, appointment=False)
    return EventView(
        uid=uid("task", task.pk, organisation),
        summary=_("Due: %(task)s") % {"task": f"{label} — {person_label(task.job_seeker, organisation)}"},
        start=task.due_date,
        end=task.due_date + datetime.timedelta(days=1),
        status="CONFIRMED",
        location="",
        text=label,
        path="/tasks/",
        base_url=base_url,
        alarm_minutes=None,
        transparent=True,
        record_sequence=task.sequence,
        changed_at=_seconds(max(task.updated_at, task.job_seeker.updated_at)),
    )


def _when(value: datetime.datetime | datetime.date, tz) -> datetime.datetime | datetime.date:
    """A DATE-TIME as RFC 5545 3.3.5 FORM #3 (local time with the program's TZID), which
    calendars show in the program's zone; in UTC (FORM #2) when that local time happens
    twice. RFC 5545 3.3.5 says a repeated local time with a TZID names its first
    occurrence, but Mozilla's ical.js reads the second: only UTC is read alike."""
    if not isinstance(value, datetime.datetime):
        return value
    local = value.astimezone(tz)
    if clock.ambiguous(local):
        return value.astimezone(datetime.UTC)
    return local


def event(view: EventView, stamp: Stamp, tz) -> Event:
    component = Event()
    component.add("uid", view.uid)
    component.add("summary", view.summary)
    component.add("dtstart", _when(view.start, tz))
    component.add("dtend", _when(view.end, tz))
    # No METHOD: DTSTAMP is the last revision, as LAST-MODIFIED (RFC 5545 3.8.7.2).
    component.add("dtstamp", stamp.modified_at)
    component.add("last-modified", stamp.modified_at)
    component.add("sequence", stamp.sequence)
    component.add("status", view.status)
    if view.transparent:
        component.add("transp", "TRANSPARENT")
    if view.location:
        component.add("location", view.location)
    component.add("description", view.description)
    component.add("url", view.url)
    if view.alarm_minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", view.summary)
        alarm.add("trigger", datetime.timedelta(minutes=-view.alarm_minutes))
        component.add_component(alarm)
    return component


# Raise when the way events are written changes, so that every feed's ETag does.
FORMAT_VERSION = 3


@dataclass(frozen=True)
class Heading:
    """What a calendar says besides its events: for a feed, its name and refresh
    interval; the VTIMEZONE of the zone `tz`, covering the years of `first_date` to
    `last_date`."""

    name: str
    tz: zoneinfo.ZoneInfo
    first_date: datetime.date
    last_date: datetime.date
    feed: bool

    def shown(self) -> tuple:
        refresh = settings.CALENDAR_REFRESH_MINUTES if self.feed else None
        zone = observances(self.tz.key, self.first_date.year, self.last_date.year)
        return (PRODID, FORMAT_VERSION, self.name, self.feed, refresh, self.tz.key, zone)


def version(heading: Heading, views: list[EventView], stamps: dict[str, Stamp]) -> str:
    """A digest of everything the calendar is written from but its links' scheme and
    host: what a feed records as the version it last served, whatever host name it was
    read through."""
    parts = [heading.shown(), *((view.shown(), stamps[view.uid]) for view in views)]
    return _digest(parts)[:32]


def etag(heading: Heading, views: list[EventView], stamps: dict[str, Stamp]) -> str:
    """A strong ETag (RFC 9110 8.8.3): a digest of everything the calendar is written
    from, so that it changes whenever a byte of the calendar would. The links' scheme
    and host are in it (the body holds them): the same feed read through two host names
    has two ETags, each stable."""
    base_urls = sorted({view.base_url for view in views})
    return f'"{_digest((version(heading, views, stamps), base_urls))[:32]}"'


def calendar(heading: Heading, views: list[EventView], stamps: dict[str, Stamp]) -> bytes:
    """The calendar: the VTIMEZONE (there even with no event: RFC 5545 wants at least
    one component), then the events with their stamps.

    Byte for byte what the icalendar library writes (`calendar_by_library`, which the
    tests compare it with), about ten times faster: the library's generic property
    machinery and its character-by-character line folding took about 0.5 ms per event,
    most of a feed's time. The heading is still written by the library (once per
    heading: `_heading_lines`), each event by `event_lines`; an event the fast writer
    does not handle (`_plain` refuses it) is written by the library."""
    tz = heading.tz
    parts = [_heading_lines(heading, settings.CALENDAR_REFRESH_MINUTES)]
    parts += [_event_lines_kept(view, stamps[view.uid], tz) for view in views]
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)


def calendar_by_library(heading: Heading, views: list[EventView], stamps: dict[str, Stamp]) -> bytes:
    """The calendar as the icalendar library writes it: the reference `calendar`
    matches byte for byte (tests/integrations/calendar/test_fast_writer.py)."""
    cal = _library_heading(heading, settings.CALENDAR_REFRESH_MINUTES)
    for view in views:
        cal.add_component(event(view, stamps[view.uid], heading.tz))
    return cal.to_ical()


def _library_heading(heading: Heading, refresh_minutes: int) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if heading.feed:
        cal.add("name", heading.name)
        cal.add("x-wr-calname", heading.name)
        cal.add("refresh-interval", datetime.timedelta(minutes=refresh_minutes), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(datetime.timedelta(minutes=refresh_minutes)))
    cal.add_component(vtimezone(heading.tz.key, heading.first_date, heading.last_date))
    return cal


@functools.lru_cache(maxsize=256)
def _heading_lines(heading: Heading, refresh_minutes: int) -> bytes:
    """The calendar's lines before its events (VCALENDAR's properties and the
    VTIMEZONE), as the library writes them."""
    written = _library_heading(heading, refresh_minutes).to_ical()
    end = b"END:VCALENDAR\r\n"
    assert written.endswith(end)
    return written[: -len(end)]


# An event's lines depend only on its view, its stamp and the zone: kept per process
# for the events fetched most recently (about 1.5 kB each with the key), so that a
# feed fetched again writes only the events that changed.
@functools.lru_cache(maxsize=8192)
def _event_lines_kept(view: EventView, stamp: Stamp, tz) -> bytes:
    return event_lines(view, stamp, tz)


def forget_written_events() -> None:
    """Forget the events kept (`_event_lines_kept`): the next build writes every event."""
    _event_lines_kept.cache_clear()


def event_lines(view: EventView, stamp: Stamp, tz) -> bytes:
    """One VEVENT, as icalendar's `event(view, stamp, tz).to_ical()` writes it: the
    properties in the library's order (its canonical ones, then the others
    alphabetically), TEXT escaped as RFC 5545 3.3.11, lines folded at 75 octets as the
    library folds them (never between a backslash and the character it escapes)."""
    if not _plain(view, tz):
        return event(view, stamp, tz).to_ical()
    start, end = _when(view.start, tz), _when(view.end, tz)
    modified = _utc_text(stamp.modified_at)
    lines = [
        "BEGIN:VEVENT",
        "SUMMARY:" + _text(view.summary),
        "DTSTART" + _date_or_time(start),
        "DTEND" + _date_or_time(end),
        "DTSTAMP:" + modified,
        "UID:" + _text(view.uid),
        f"SEQUENCE:{stamp.sequence}",
        "DESCRIPTION:" + _text(view.description),
        "LAST-MODIFIED:" + modified,
    ]
    if view.location:
        lines.append("LOCATION:" + _text(view.location))
    lines.append("STATUS:" + _text(view.status))
    if view.transparent:
        lines.append("TRANSP:TRANSPARENT")
    lines.append("URL:" + view.url)
    if view.alarm_minutes:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:" + _text(view.summary),
            "TRIGGER:" + vDuration(datetime.timedelta(minutes=-view.alarm_minutes)).to_ical().decode(),
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return "".join([_fold(line) + "\r\n" for line in lines]).encode()


_TZID = re.compile(r"[A-Za-z0-9/_+-]+")
# Zones the library may write as UTC ("Z") rather than with a TZID: left to it.
_UTC_NAMES = frozenset({"UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "UNIVERSAL", "ZULU", "GREENWICH", "Z"})


def _plain(view: EventView, tz) -> bool:
    """Whether `event_lines` writes `view` as the library does: aware datetimes in UTC
    or dates, a zone name that needs no quoting, a link the library writes as it is (no
    control character, no line break), a whole number of minutes for the reminder."""
    for value in (view.start, view.end):
        if isinstance(value, datetime.datetime):
            if value.tzinfo is None or value.utcoffset() != datetime.timedelta(0):
                return False
        elif not isinstance(value, datetime.date):
            return False
    url, key = view.url, getattr(tz, "key", None) or ""
    return (
        _TZID.fullmatch(key) is not None
        and not _UTC_NAMES.intersection(key.upper().split("/"))
        and url.isprintable()
        and (view.alarm_minutes is None or isinstance(view.alarm_minutes, int))
        and isinstance(view.summary, str)
    )


def _text(value: str) -> str:
    # RFC 5545 3.3.11, in the library's order (icalendar.parser.string._escape_char).
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _utc_text(value: datetime.datetime) -> str:
    value = value.astimezone(datetime.UTC)
    return f"{value.year:04d}{value.month:02d}{value.day:02d}T{value.hour:02d}{value.minute:02d}{value.second:02d}Z"


def _date_or_time(value: datetime.datetime | datetime.date) -> str:
    """A DTSTART or DTEND's parameters and value, after the property name."""
    if not isinstance(value, datetime.datetime):
        return f";VALUE=DATE:{value.year:04d}{value.month:02d}{value.day:02d}"
    stamp = f"{value.year:04d}{value.month:02d}{value.day:02d}T{value.hour:02d}{value.minute:02d}{value.second:02d}"
    if value.tzinfo is datetime.UTC:
        return f":{stamp}Z"
    return f";TZID={value.tzinfo.key}:{stamp}"


def _fold(line: str) -> str:
    """The library's folding (icalendar.parser.string._foldline), by slices rather than
    character by character: each line as many whole characters as fit in 74 octets, and
    a backslash or caret that would end a line moved to the next (so that an escape is
    never split)."""
    if len(line) < 75 and (len(line) < 75 // 4 or len(line.encode()) < 75):
        return line
    parts, start, length = [], 0, len(line)
    while True:
        # The longest run of whole characters from `start` within 74 octets.
        run = line[start : start + 74].encode()[:74].decode("utf-8", "ignore")
        end = start + len(run)
        if end >= length:
            parts.append(line[start:])
            return "\r\n ".join(parts)
        if len(run) > 1 and run[-1] in "\\^":
            end -= 1
        parts.append(line[start:end])
        start = end


def local_dates(views: list[EventView], tz) -> tuple[datetime.date, datetime.date]:
    """The first and last local dates a single-event file's times fall on."""
    days = [
        value.astimezone(tz).date() if isinstance(value, datetime.datetime) else value
        for view in views
        for value in (view.start, view.end)
    ]
    return min(days), max(days)


def in_language(language: str):
    return translation.override(language)
