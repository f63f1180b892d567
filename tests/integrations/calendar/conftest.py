"""Shared pieces of the calendar tests: Sam's week of visits and appointments in March
2026 (the `world`), Sam's personal feed, and short ways to fetch and read it."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from crm.access import access_scope
from integrations.calendar import services
from integrations.calendar.models import CalendarPreference
from jobdev.models import EmployerContact
from placements.models import SupportTask
from tests.factories import EmployerFactory, EmployerSiteFactory, JobSeekerFactory, PlacementFactory

PARIS = datetime.timezone(datetime.timedelta(hours=1))
NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)  # Monday 2 March 2026, 09:00 in Paris


@pytest.fixture
def frozen():
    """Monday 2 March 2026, 09:00 in Paris."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(organisation, specialist_sam, specialist_sofia):
    """Sam's week: a planned visit, a confirmed one, a held one, a cancelled one, an
    appointment with a worker and a task without a time. Explicit ids keep the golden
    file stable on every database."""
    specialist_sam.first_name, specialist_sam.last_name = "Sam", "Martin"
    specialist_sam.save()
    nadia = JobSeekerFactory(
        pk=501, specialist=specialist_sam, first_name="Nadia", last_name="Benali", phone="06 12 34 56 78"
    )
    employer = EmployerFactory(pk=601, organisation=organisation, name="Boulangerie du Port")
    site = EmployerSiteFactory(
        pk=701, employer=employer, name="", address="3 place de Lenche", postcode="13002", town="Marseille"
    )

    def visit(pk, day, hour, **fields):
        contact = EmployerContact.objects.create(
            pk=pk,
            organisation=organisation,
            specialist=specialist_sam,
            employer=employer,
            site=site,
            starts_at=datetime.datetime(2026, 3, day, hour, tzinfo=PARIS),
            ends_at=datetime.datetime(2026, 3, day, hour + 1, tzinfo=PARIS),
            purpose="on_behalf",
            **fields,
        )
        contact.job_seekers.set([nadia])
        return contact

    contacts = {
        "planned": visit(801, 4, 10),
        "confirmed": visit(802, 5, 14, confirmed=True),
        "held": visit(803, 2, 9, status="held", result="Ms Benali's anxiety was discussed"),
        "cancelled": visit(804, 6, 11, status="cancelled", cancel_reason="Manager ill"),
    }
    placement = PlacementFactory(pk=901, job_seeker=nadia, employer=employer, site=site)
    appointment = SupportTask.objects.create(
        pk=1001,
        organisation=organisation,
        job_seeker=nadia,
        placement=placement,
        kind="follow_along",
        title="Follow-along contact with Nadia Benali",
        due_date=datetime.date(2026, 3, 3),
        due_time=datetime.time(16, 30),
        duration_minutes=45,
        owner=specialist_sam,
        completion_note="Talked about her medication",
    )
    all_day = SupportTask.objects.create(
        pk=1002,
        organisation=organisation,
        job_seeker=nadia,
        kind="disclosure_conversation",
        title="Talk about disclosure with Nadia Benali",
        due_date=datetime.date(2026, 3, 6),
        owner=specialist_sam,
    )
    # Someone else's visit, which must never show in Sam's feed.
    EmployerContact.objects.create(
        organisation=organisation,
        specialist=specialist_sofia,
        employer=employer,
        site=site,
        starts_at=datetime.datetime(2026, 3, 4, 15, tzinfo=PARIS),
        ends_at=datetime.datetime(2026, 3, 4, 16, tzinfo=PARIS),
    )
    CalendarPreference.objects.create(user=specialist_sam, include_tasks=True, alarm_minutes=30)
    return {
        "nadia": nadia,
        "employer": employer,
        "site": site,
        "appointment": appointment,
        "all_day": all_day,
        **contacts,
    }


@pytest.fixture
def sam_feed(specialist_sam):
    feed, token = services.calendar_feed_create(scope=access_scope(specialist_sam), kind="personal", language="en")
    return token


def fetch(client, token, **headers):
    return client.get(reverse("calendar_feed", args=[token]), **headers)


def events_by_uid(body: bytes) -> dict:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}
