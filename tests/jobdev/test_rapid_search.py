"""IPS principle 6: the rapid-job-search clock and its nudges, with frozen time."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from crm.access import access_scope
from jobdev import services
from jobdev.models import JobSearchNudge
from jobdev.nudges import rapid_search_nudge
from placements.models import SupportTask
from tests.factories import EmployerFactory, JobSeekerFactory

START = datetime.date(2026, 3, 2)


@pytest.fixture
def job_seeker(specialist_sam):
    return JobSeekerFactory(
        specialist=specialist_sam,
        first_name="Nadia",
        last_name="Benali",
        referral_date=START,
        enrolment_date=START,
        job_search_since=START,
    )


def on(day: datetime.date, hour=10):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC), tick=False)


def hold_visit(actor, job_seeker, day, mode="in_person", purpose="on_behalf"):
    employer = EmployerFactory(organisation=actor.organisation)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    contact = services.employer_contact_plan(
        scope=access_scope(actor),
        employer_id=employer.pk,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        mode=mode,
        purpose=purpose,
        job_seeker_ids=[job_seeker.pk] if purpose == "on_behalf" else [],
    )
    return services.employer_contact_hold(scope=access_scope(actor), contact_id=contact.pk, outcome={})


def test_first_face_to_face_contact_stops_the_clock(specialist_sam, job_seeker, handle_events):
    with on(START + datetime.timedelta(days=9)):
        hold_visit(specialist_sam, job_seeker, START + datetime.timedelta(days=9))
        handle_events()
    job_seeker.refresh_from_db()
    assert job_seeker.first_employer_contact_on == START + datetime.timedelta(days=9)
    assert job_seeker.days_to_first_employer_contact() == 9


def test_phone_calls_and_relationship_visits_do_not_count(specialist_sam, job_seeker, handle_events):
    with on(START + datetime.timedelta(days=5)):
        services.employer_contact_log(
            scope=access_scope(specialist_sam),
            employer_id=EmployerFactory(organisation=specialist_sam.organisation).pk,
            occurred_at=timezone.now(),
            mode="phone",
            purpose="on_behalf",
            job_seeker_ids=[job_seeker.pk],
        )
        hold_visit(specialist_sam, job_seeker, START + datetime.timedelta(days=5), purpose="relationship")
        handle_events()
    job_seeker.refresh_from_db()
    assert job_seeker.first_employer_contact_on is None


def test_a_contact_the_job_seeker_made_counts(specialist_sam, job_seeker, handle_events):
    with on(START + datetime.timedelta(days=3)):
        hold_visit(specialist_sam, job_seeker, START + datetime.timedelta(days=3), mode="job_seeker")
        handle_events()
    job_seeker.refresh_from_db()
    assert job_seeker.first_employer_contact_on == START + datetime.timedelta(days=3)


def test_nudges_on_day_14_and_21_once_each(specialist_sam, job_seeker):
    assert rapid_search_nudge(today=START + datetime.timedelta(days=13)) == 0
    assert rapid_search_nudge(today=START + datetime.timedelta(days=14)) == 1
    assert rapid_search_nudge(today=START + datetime.timedelta(days=15)) == 0
    assert rapid_search_nudge(today=START + datetime.timedelta(days=21)) == 1
    assert rapid_search_nudge(today=START + datetime.timedelta(days=22)) == 0
    tasks = SupportTask.objects.filter(kind="job_search_nudge").order_by("due_date")
    assert [t.due_date for t in tasks] == [START + datetime.timedelta(days=14), START + datetime.timedelta(days=21)]
    assert all(t.owner == specialist_sam for t in tasks)
    assert "Day 21 of job search for Nadia Benali" in tasks[1].title


def test_after_downtime_only_the_latest_mark_is_nudged(specialist_sam, job_seeker):
    assert rapid_search_nudge(today=START + datetime.timedelta(days=25)) == 1
    assert list(JobSearchNudge.objects.values_list("day", flat=True)) == [21]


def test_no_nudge_once_an_employer_was_met(specialist_sam, job_seeker, handle_events):
    with on(START + datetime.timedelta(days=10)):
        hold_visit(specialist_sam, job_seeker, START + datetime.timedelta(days=10))
        handle_events()
    assert rapid_search_nudge(today=START + datetime.timedelta(days=21)) == 0


def test_program_nudge_days_are_a_setting(specialist_sam, job_seeker, organisation):
    organisation.rapid_search_nudge_days = "7, nonsense, 10"
    organisation.save()
    assert rapid_search_nudge(today=START + datetime.timedelta(days=7)) == 1
    assert rapid_search_nudge(today=START + datetime.timedelta(days=14)) == 1
    assert sorted(JobSearchNudge.objects.values_list("day", flat=True)) == [7, 10]


def test_reentry_after_a_job_end_restarts_the_clock(specialist_sam, job_seeker):
    from crm import services as crm_services

    job_seeker.first_employer_contact_on = START + datetime.timedelta(days=4)
    job_seeker.status = "working"
    job_seeker.save()
    reentry = START + datetime.timedelta(days=100)
    crm_services.job_seeker_reenter_job_search(
        scope=access_scope(specialist_sam), job_seeker_id=job_seeker.pk, on=reentry, dedup_key="t"
    )
    job_seeker.refresh_from_db()
    assert (job_seeker.job_search_since, job_seeker.first_employer_contact_on) == (reentry, None)
    assert rapid_search_nudge(today=reentry + datetime.timedelta(days=14)) == 1


def test_caseload_list_shows_the_clock_and_filters_past_day_30(client_for, leader_a, specialist_sam, job_seeker):
    met = JobSeekerFactory(
        specialist=specialist_sam,
        first_name="Karim",
        job_search_since=START,
        first_employer_contact_on=START + datetime.timedelta(days=6),
    )
    JobSeekerFactory(specialist=specialist_sam, first_name="Léna", job_search_since=START + datetime.timedelta(days=20))
    client = client_for(leader_a)
    with on(START + datetime.timedelta(days=31)):
        page = client.get(reverse("job_seeker_list")).content.decode()
        assert "day 31, no employer contact yet" in page
        assert "first employer contact on day 6" in page
        past_30 = client.get(reverse("job_seeker_list"), {"rapid_search": "waiting_30"}).content.decode()
        assert "Nadia" in past_30 and "Karim" not in past_30 and "Léna" not in past_30
        detail = client.get(reverse("job_seeker_detail", args=[met.pk])).content.decode()
        assert "first employer contact on day 6" in detail
