"""iCalendar (RFC 5545, RFC 7986) for feeds and single-event downloads.

Feeds leave the building: they are copied into other companies' clouds. An event
carries the employer's name, the site, the purpose and a link back to the CRM (which
needs a login), and never health information, notes or phone numbers; job seekers
appear by initials (or first names, if the program chose so), never full names."""

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone
from icalendar.prop import vDuration

from crm.models import JobSeeker, Organisation
from jobdev.models import EmployerContact
from placements.models import SupportTask

PRODID = "-//IPS job development CRM//Calendar feed 1.0//EN"


def person_label(job_seeker: JobSeeker, organisation: Organisation) -> str:
    if organisation.job_seeker_names_in_calendars == Organisation.JobSeekerNames.FIRST_NAME:
        return job_seeker.first_name
    return job_seeker.initials


def uid(kind: str, pk: int, organisation: Organisation) -> str:
    # Stable for the life of the record: rescheduling or cancelling keeps the UID.
    return f"{kind}-{pk}@{organisation.slug}.ips-crm"


def _stamp(event: Event, updated_at: datetime.datetime, sequence: int) -> None:
    updated_at = updated_at.astimezone(datetime.UTC).replace(microsecond=0)
    event.add("dtstamp", updated_at)
    event.add("last-modified", updated_at)
    event.add("sequence", sequence)


def _alarm(event: Event, minutes: int | None, summary: str) -> None:
    if minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", datetime.timedelta(minutes=-minutes))
        event.add_component(alarm)


def visit_event(
    contact: EmployerContact, *, organisation: Organisation, tz, base_url: str, alarm_minutes: int | None = None
) -> Event:
    names = [person_label(job_seeker, organisation) for job_seeker in getattr(contact, "visible_job_seekers", [])]
    summary = _("Visit: %(employer)s") % {"employer": contact.employer.name}
    if names:
        summary += " — " + ", ".join(names)
    event = Event()
    event.add("uid", uid("visit", contact.pk, organisation))
    event.add("summary", summary)
    event.add("dtstart", contact.starts_at.astimezone(tz).replace(microsecond=0))
    event.add("dtend", contact.ends_at.astimezone(tz).replace(microsecond=0))
    _stamp(event, contact.updated_at, contact.sequence)
    if contact.status == EmployerContact.Status.CANCELLED:
        event.add("status", "CANCELLED")
    elif contact.status == EmployerContact.Status.PLANNED and not contact.confirmed:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    if contact.site is not None:
        event.add("location", str(contact.site))
    url = f"{base_url}/employer-contacts/{contact.pk}/"
    purpose = contact.get_purpose_display()
    event.add("description", f"{purpose}\n{url}")
    event.add("url", url)
    if contact.status == EmployerContact.Status.PLANNED:
        _alarm(event, alarm_minutes, summary)
    return event


def appointment_event(
    task: SupportTask, *, organisation: Organisation, tz, base_url: str, alarm_minutes: int | None = None
) -> Event:
    summary = f"{task.get_kind_display()} — {person_label(task.job_seeker, organisation)}"
    event = Event()
    event.add("uid", uid("task", task.pk, organisation))
    event.add("summary", summary)
    start = datetime.datetime.combine(task.due_date, task.due_time, tzinfo=tz)
    event.add("dtstart", start)
    event.add("dtend", start + datetime.timedelta(minutes=task.duration_minutes))
    _stamp(event, task.updated_at, task.sequence)
    event.add("status", "CANCELLED" if task.status == SupportTask.Status.CANCELLED else "CONFIRMED")
    placement = task.placement
    if placement is not None and placement.site is not None:
        event.add("location", str(placement.site))
    url = f"{base_url}/placements/{placement.pk}/" if placement is not None else f"{base_url}/tasks/"
    event.add("description", f"{task.get_kind_display()}\n{url}")
    event.add("url", url)
    if task.status == SupportTask.Status.OPEN:
        _alarm(event, alarm_minutes, summary)
    return event


def all_day_task_event(task: SupportTask, *, organisation: Organisation, base_url: str) -> Event:
    summary = _("Due: %(task)s") % {
        "task": f"{task.get_kind_display()} — {person_label(task.job_seeker, organisation)}"
    }
    event = Event()
    event.add("uid", uid("task", task.pk, organisation))
    event.add("summary", summary)
    event.add("dtstart", task.due_date)
    event.add("dtend", task.due_date + datetime.timedelta(days=1))
    _stamp(event, task.updated_at, task.sequence)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    url = f"{base_url}/tasks/"
    event.add("description", f"{task.get_kind_display()}\n{url}")
    event.add("url", url)
    return event


def calendar(
    *, name: str, events: list[Event], tz_name: str, first_date: datetime.date, last_date: datetime.date, feed: bool
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if feed:
        minutes = settings.CALENDAR_REFRESH_MINUTES
        cal.add("name", name)
        cal.add("x-wr-calname", name)
        cal.add("refresh-interval", datetime.timedelta(minutes=minutes), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(datetime.timedelta(minutes=minutes)))
    # The program's VTIMEZONE, covering only the dates the calendar spans. It is there
    # even with no event: RFC 5545 wants at least one component in a calendar.
    cal.add_component(Timezone.from_tzid(tz_name, first_date=first_date, last_date=last_date))
    for event in events:
        cal.add_component(event)
    cal.add_missing_timezones(first_date=first_date, last_date=last_date)
    return cal.to_ical()


def in_language(language: str):
    return translation.override(language)
