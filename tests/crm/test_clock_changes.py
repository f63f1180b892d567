"""The product's one rule for local times on the nights the clocks change (crm.clock),
in Europe/Paris: 29 March 2026 (02:00 becomes 03:00) and 25 October 2026 (03:00 becomes
02:00 again, the hour from 02:00 happens twice).

- A time the clocks skip is refused with a plain message, through the form and the
  service alike, for visits, quick logs and appointments; nothing is saved.
- A time that happens twice is its first occurrence (still summer time), shown with its
  UTC offset where both could be meant (My week, a contact's page).
- A length is real time: the duration entered is the duration every calendar parser
  reads."""

import datetime
import html
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from crm import clock
from crm.access import access_scope
from integrations.calendar import services as calendar_services
from jobdev import services as jobdev_services
from jobdev.models import EmployerContact
from placements import services as placement_services
from placements.models import SupportTask
from tests.factories import EmployerFactory, JobSeekerFactory, SupportTaskFactory
from tests.integrations.calendar import parsers

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = datetime.UTC
SPRING = datetime.date(2026, 3, 29)
AUTUMN = datetime.date(2026, 10, 25)
SKIPPED_MESSAGE = "the clocks change that night, going forward from 02:00 to 03:00"


def paris(day: datetime.date, hour: int, minute: int = 0, fold: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute, fold=fold), tzinfo=PARIS)


def utc(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=UTC)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def frozen():
    """1 March 2026: both nights are ahead."""
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def employer(specialist_sam):
    return EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")


@pytest.fixture
def nadia(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")


class TestTheRule:
    def test_skipped_and_repeated_times(self):
        assert clock.skipped(paris(SPRING, 2, 30)) and not clock.ambiguous(paris(SPRING, 2, 30))
        assert not clock.skipped(paris(SPRING, 1, 59)) and not clock.skipped(paris(SPRING, 3))
        assert clock.ambiguous(paris(AUTUMN, 2, 30)) and not clock.skipped(paris(AUTUMN, 2, 30))
        assert not clock.ambiguous(paris(AUTUMN, 1, 59)) and not clock.ambiguous(paris(AUTUMN, 3))
        sydney = zoneinfo.ZoneInfo("Australia/Sydney")  # the southern hemisphere: October skips
        assert clock.skipped(datetime.datetime(2026, 10, 4, 2, 30, tzinfo=sydney))
        assert clock.ambiguous(datetime.datetime(2026, 4, 5, 2, 30, tzinfo=sydney))

    def test_a_skipped_time_is_refused_in_plain_words(self):
        with pytest.raises(ValidationError) as refused:
            clock.local_instant(SPRING, datetime.time(2, 30), PARIS, field="due_time")
        (message,) = refused.value.message_dict["due_time"]
        assert message == (
            "02:30 does not exist on 29/03/2026: the clocks change that night, going forward from 02:00 to 03:00. "
            "Choose another time."
        )

    def test_a_repeated_time_is_its_first_occurrence_and_labelled_with_its_offset(self):
        first = clock.local_instant(AUTUMN, datetime.time(2, 30), PARIS)
        assert clock.utc(first) == utc(AUTUMN, 0, 30)
        second = clock.ends_after(first, 60)
        assert clock.utc(second) == utc(AUTUMN, 1, 30)
        assert clock.time_label(first, PARIS) == "02:30 (UTC+02:00)"
        assert clock.time_label(second, PARIS) == "02:30 (UTC+01:00)"
        assert clock.time_label(utc(AUTUMN, 9), PARIS) == "10:00"

    def test_lengths_are_real_time(self):
        assert clock.elapsed(paris(SPRING, 1, 30), paris(SPRING, 3, 30)) == datetime.timedelta(hours=1)
        assert clock.elapsed(paris(AUTUMN, 2, 30), paris(AUTUMN, 3, 30)) == datetime.timedelta(hours=2)
        with pytest.raises(ValidationError) as refused:
            clock.checked_span(paris(SPRING, 2, 30), paris(SPRING, 3))
        assert SKIPPED_MESSAGE in refused.value.message_dict["starts_at"][0]


def plan_data(employer, nadia, day, start, end) -> dict:
    return {
        "employer": employer.pk,
        "day": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "mode": "in_person",
        "purpose": "on_behalf",
        "job_seekers": [nadia.pk],
        "nature": "first",
    }


class TestVisits:
    @pytest.mark.parametrize("start,end,field", [("02:30", "03:30", "start_time"), ("02:30", "03:00", "start_time")])
    def test_a_visit_at_a_skipped_time_gets_a_plain_message_from_the_form(
        self, frozen, client_for, specialist_sam, employer, nadia, start, end, field
    ):
        response = client_for(specialist_sam).post(
            reverse("contact_plan"), plan_data(employer, nadia, SPRING, start, end)
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert SKIPPED_MESSAGE in " ".join(form.errors[field])
        assert SKIPPED_MESSAGE in html.unescape(response.content.decode())
        assert "constraint" not in response.content.decode().lower()
        assert not EmployerContact.objects.exists()

    def test_a_visit_ending_at_a_skipped_time_is_refused_on_its_end(
        self, frozen, client_for, specialist_sam, employer, nadia
    ):
        response = client_for(specialist_sam).post(
            reverse("contact_plan"), plan_data(employer, nadia, SPRING, "01:30", "02:30")
        )
        assert response.status_code == 200
        assert SKIPPED_MESSAGE in " ".join(response.context["form"].errors["end_time"])
        assert not EmployerContact.objects.exists()

    @pytest.mark.parametrize(
        "start,end,field",
        [((2, 30), (3, 30), "starts_at"), ((2, 30), (3, 0), "starts_at"), ((1, 30), (2, 30), "ends_at")],
    )
    def test_the_service_refuses_a_skipped_time_too(self, frozen, specialist_sam, employer, nadia, start, end, field):
        with pytest.raises(ValidationError) as refused:
            jobdev_services.employer_contact_plan(
                scope=access_scope(specialist_sam),
                employer_id=employer.pk,
                starts_at=paris(SPRING, *start),
                ends_at=paris(SPRING, *end),
                job_seeker_ids=[nadia.pk],
            )
        assert SKIPPED_MESSAGE in refused.value.message_dict[field][0]
        assert not EmployerContact.objects.exists()

    def test_the_service_measures_a_visit_across_the_change_in_real_time(self, frozen, specialist_sam, employer, nadia):
        scope = access_scope(specialist_sam)
        across = jobdev_services.employer_contact_plan(
            scope=scope,
            employer_id=employer.pk,
            starts_at=paris(SPRING, 1, 30),
            ends_at=paris(SPRING, 3, 30),
            job_seeker_ids=[nadia.pk],
        )
        across.refresh_from_db()
        assert (across.starts_at, across.ends_at) == (utc(SPRING, 0, 30), utc(SPRING, 1, 30))
        # The wall clock says 02:45 to 02:15, but the second 02:15 is 30 minutes after the
        # first 02:45: named explicitly (fold=1), the service takes it.
        second = jobdev_services.employer_contact_plan(
            scope=scope,
            employer_id=employer.pk,
            starts_at=paris(AUTUMN, 2, 45),
            ends_at=paris(AUTUMN, 2, 15, fold=1),
            job_seeker_ids=[nadia.pk],
        )
        second.refresh_from_db()
        assert (second.starts_at, second.ends_at) == (utc(AUTUMN, 0, 45), utc(AUTUMN, 1, 15))
        with pytest.raises(ValidationError) as refused:  # both first occurrences: the end is before the start
            jobdev_services.employer_contact_reschedule(
                scope=scope, contact_id=second.pk, starts_at=paris(AUTUMN, 2, 45), ends_at=paris(AUTUMN, 2, 15)
            )
        assert refused.value.message_dict["ends_at"] == ["The end must be after the start."]

    def test_the_reschedule_form_and_service_refuse_a_skipped_time(
        self, frozen, client_for, specialist_sam, employer, nadia
    ):
        contact = jobdev_services.employer_contact_plan(
            scope=access_scope(specialist_sam),
            employer_id=employer.pk,
            starts_at=paris(SPRING, 10),
            ends_at=paris(SPRING, 11),
            job_seeker_ids=[nadia.pk],
        )
        response = client_for(specialist_sam).post(
            reverse("contact_reschedule", args=[contact.pk]),
            {"reschedule-day": SPRING.isoformat(), "reschedule-start_time": "02:15", "reschedule-end_time": "04:00"},
        )
        assert SKIPPED_MESSAGE in html.unescape(response.content.decode())
        with pytest.raises(ValidationError):
            jobdev_services.employer_contact_reschedule(
                scope=access_scope(specialist_sam),
                contact_id=contact.pk,
                starts_at=paris(SPRING, 2, 15),
                ends_at=paris(SPRING, 4),
            )
        contact.refresh_from_db()
        assert (contact.starts_at, contact.sequence) == (utc(SPRING, 8), 0)

    def test_october_02_30_is_the_first_occurrence_in_the_form_my_week_and_the_feed(
        self, frozen, client_for, specialist_sam, employer, nadia, tmp_path
    ):
        client = client_for(specialist_sam)
        response = client.post(reverse("contact_plan"), plan_data(employer, nadia, AUTUMN, "02:30", "03:30"))
        assert response.status_code == 302
        contact = EmployerContact.objects.get()
        # From the first 02:30 (summer time) to 03:30 (winter time): two hours of real time.
        assert (contact.starts_at, contact.ends_at) == (utc(AUTUMN, 0, 30), utc(AUTUMN, 2, 30))
        week = html.unescape(client.get(response.url).content.decode())
        assert "02:30 (UTC+02:00)–03:30" in week
        detail = html.unescape(client.get(reverse("contact_detail", args=[contact.pk])).content.decode())
        assert "02:30 (UTC+02:00)–03:30" in detail
        _feed, token = calendar_services.calendar_feed_create(scope=access_scope(specialist_sam), kind="personal")
        body = client.get(reverse("calendar_feed", args=[token])).content
        download = client.get(reverse("calendar_visit_ics", args=[contact.pk])).content
        expected = {
            f"visit-{contact.pk}@{specialist_sam.organisation.slug}.ips-crm": (contact.starts_at, contact.ends_at)
        }
        for calendar in (body, download):
            assert parsers.by_icalendar(calendar) == expected
            assert parsers.by_vobject(calendar) == expected
        assert_icaljs_reads(tmp_path, [body, download], expected)

    def test_rescheduling_keeps_the_second_0230_when_the_time_is_left_as_it_was(
        self, frozen, client_for, specialist_sam, employer, nadia
    ):
        # Planned at the second 02:30 (winter time, 01:30 UTC) through the service.
        contact = jobdev_services.employer_contact_plan(
            scope=access_scope(specialist_sam),
            employer_id=employer.pk,
            starts_at=paris(AUTUMN, 2, 30, fold=1),
            ends_at=paris(AUTUMN, 3, 15),
            job_seeker_ids=[nadia.pk],
        )
        assert contact.starts_at == utc(AUTUMN, 1, 30)
        client = client_for(specialist_sam)
        data = {"reschedule-day": AUTUMN.isoformat(), "reschedule-start_time": "02:30", "reschedule-end_time": "03:15"}
        response = client.post(reverse("contact_reschedule", args=[contact.pk]), {**data, "reschedule-confirmed": "on"})
        assert response.status_code == 302
        contact.refresh_from_db()
        assert (contact.starts_at, contact.ends_at, contact.confirmed) == (utc(AUTUMN, 1, 30), utc(AUTUMN, 2, 15), True)
        # A time typed anew follows the rule: the first occurrence.
        data["reschedule-start_time"] = "02:45"
        assert client.post(reverse("contact_reschedule", args=[contact.pk]), data).status_code == 302
        contact.refresh_from_db()
        assert contact.starts_at == utc(AUTUMN, 0, 45)

    def test_a_quick_log_at_a_skipped_time_is_refused_by_form_and_service(self, client_for, specialist_sam, employer):
        with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=UTC), tick=False):
            response = client_for(specialist_sam).post(
                reverse("contact_log"),
                {
                    "employer": employer.pk,
                    "mode": "phone",
                    "purpose": "relationship",
                    "day": SPRING.isoformat(),
                    "time": "02:30",
                },
            )
            assert response.status_code == 200
            assert SKIPPED_MESSAGE in " ".join(response.context["form"].errors["time"])
            with pytest.raises(ValidationError) as refused:
                jobdev_services.employer_contact_log(
                    scope=access_scope(specialist_sam),
                    employer_id=employer.pk,
                    mode="phone",
                    purpose="relationship",
                    occurred_at=paris(SPRING, 2, 30),
                )
            assert SKIPPED_MESSAGE in refused.value.message_dict["occurred_at"][0]
        assert not EmployerContact.objects.exists()


def schedule(client, task, day, time, minutes):
    prefix = f"schedule{task.pk}"
    return client.post(
        reverse("task_schedule", args=[task.pk]),
        {f"{prefix}-due_date": day.isoformat(), f"{prefix}-due_time": time, f"{prefix}-duration_minutes": minutes},
        follow=True,
    )


class TestAppointments:
    def test_my_tasks_shows_the_octobers_first_0230_with_its_offset(self, frozen, client_for, specialist_sam, nadia):
        SupportTaskFactory(job_seeker=nadia, due_date=AUTUMN, due_time=datetime.time(2, 30))
        SupportTaskFactory(job_seeker=nadia, due_date=AUTUMN, due_time=datetime.time(10, 0))
        # Saved before the rule refused it: shown as it was stored, never a server error.
        SupportTaskFactory(job_seeker=nadia, due_date=SPRING, due_time=datetime.time(2, 30))
        frozen.move_to(datetime.datetime(2026, 3, 27, 9, tzinfo=UTC))
        page = html.unescape(client_for(specialist_sam).get(reverse("task_list")).content.decode())
        assert "29/03/2026 02:30</span>" in page
        frozen.move_to(datetime.datetime(2026, 10, 23, 9, tzinfo=UTC))
        page = html.unescape(client_for(specialist_sam).get(reverse("task_list")).content.decode())
        assert "25/10/2026 02:30 (UTC+02:00)</span>" in page
        assert "25/10/2026 10:00</span>" in page

    def test_an_appointment_at_a_skipped_time_gets_a_plain_message(self, frozen, client_for, specialist_sam, nadia):
        task = SupportTaskFactory(job_seeker=nadia, due_date=datetime.date(2026, 3, 20))
        page = html.unescape(schedule(client_for(specialist_sam), task, SPRING, "02:30", 60).content.decode())
        assert "The appointment was not changed" in page and SKIPPED_MESSAGE in page
        assert "Time: 02:30 does not exist" in page and "due_time" not in page  # the label, not the name
        with pytest.raises(ValidationError) as refused:
            placement_services.support_task_schedule(
                scope=access_scope(specialist_sam),
                task_id=task.pk,
                due_date=SPRING,
                due_time=datetime.time(2, 30),
                duration_minutes=60,
            )
        assert SKIPPED_MESSAGE in refused.value.message_dict["due_time"][0]
        task.refresh_from_db()
        assert (task.due_date, task.due_time, task.sequence) == (datetime.date(2026, 3, 20), None, 0)

    def test_the_duration_entered_is_the_duration_every_parser_reads(
        self, frozen, client_for, specialist_sam, nadia, tmp_path
    ):
        client = client_for(specialist_sam)
        across_spring = SupportTaskFactory(job_seeker=nadia)
        first_0230 = SupportTaskFactory(job_seeker=nadia)
        assert schedule(client, across_spring, SPRING, "01:30", 60).status_code == 200
        placement_services.support_task_schedule(
            scope=access_scope(specialist_sam),
            task_id=first_0230.pk,
            due_date=AUTUMN,
            due_time=datetime.time(2, 30),
            duration_minutes=60,
        )
        across_spring.refresh_from_db()
        assert (across_spring.due_date, across_spring.due_time) == (SPRING, datetime.time(1, 30))
        slug = specialist_sam.organisation.slug
        expected = {
            # 01:30 winter time for 60 minutes: 03:30 summer time.
            f"task-{across_spring.pk}@{slug}.ips-crm": (utc(SPRING, 0, 30), utc(SPRING, 1, 30)),
            # The first 02:30 (summer time) for 60 minutes: the second 02:30.
            f"task-{first_0230.pk}@{slug}.ips-crm": (utc(AUTUMN, 0, 30), utc(AUTUMN, 1, 30)),
        }
        _feed, token = calendar_services.calendar_feed_create(scope=access_scope(specialist_sam), kind="personal")
        body = client.get(reverse("calendar_feed", args=[token])).content
        assert parsers.by_icalendar(body) == expected
        assert parsers.by_vobject(body) == expected
        calendars = [body]
        for task in (across_spring, first_0230):
            download = client.get(reverse("calendar_task_ics", args=[task.pk])).content
            uid = f"task-{task.pk}@{slug}.ips-crm"
            assert parsers.by_icalendar(download) == {uid: expected[uid]}
            assert parsers.by_vobject(download) == {uid: expected[uid]}
            calendars.append(download)
        assert_icaljs_reads(tmp_path, calendars, expected)
        assert SupportTask.objects.filter(due_time__isnull=False).count() == 2


def assert_icaljs_reads(tmp_path, calendars: list[bytes], expected: dict) -> None:
    """Mozilla's ical.js reads each calendar's events at the `expected` times (skips the
    test, at its end, without Node.js or ical.js)."""
    paths = []
    for index, body in enumerate(calendars):
        path = tmp_path / f"calendar-{index}.ics"
        path.write_bytes(body)
        paths.append(path)
    for summary in parsers.icaljs_summaries(paths, tmp_path):
        read = parsers.by_icaljs(summary)
        assert read and read == {uid: expected[uid] for uid in read}, summary["file"]
