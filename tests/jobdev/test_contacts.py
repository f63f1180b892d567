import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.access import OutOfScope, access_scope
from crm.models import OutboxEvent
from jobdev import services
from jobdev.models import EmployerContact
from jobdev.planning import iso_week_monday, plan_week
from tests.factories import (
    ContactPersonFactory,
    EmployerContactFactory,
    EmployerFactory,
    EmployerSiteFactory,
    JobSeekerFactory,
)

PARIS = timezone.get_fixed_timezone(60)


def at(day, hour, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def employer(specialist_sam):
    return EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")


@pytest.fixture
def job_seeker(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")


def plan(actor, employer, job_seekers, day=2, hour=10, **kwargs):
    return services.employer_contact_plan(
        scope=access_scope(actor),
        employer_id=employer.pk,
        starts_at=at(day, hour),
        ends_at=at(day, hour + 1),
        job_seeker_ids=[job_seeker.pk for job_seeker in job_seekers],
        **kwargs,
    )


class TestServices:
    def test_plan_a_visit_on_behalf_of_a_job_seeker(self, specialist_sam, employer, job_seeker):
        contact = plan(specialist_sam, employer, [job_seeker])
        assert (contact.status, contact.mode, contact.purpose, contact.nature) == (
            "planned",
            "in_person",
            "on_behalf",
            "first",
        )
        assert list(contact.job_seekers.all()) == [job_seeker]
        assert not OutboxEvent.objects.exists()

    def test_on_behalf_needs_job_seekers_from_own_caseload(self, specialist_sam, specialist_sofia, employer):
        with pytest.raises(ValidationError):
            plan(specialist_sam, employer, [])
        other = JobSeekerFactory(specialist=specialist_sofia)
        with pytest.raises(ValidationError):
            plan(specialist_sam, employer, [other])
        assert not EmployerContact.objects.exists()

    def test_a_contact_for_someone_disclosure_was_not_discussed_with_needs_a_confirmation(
        self, specialist_sam, employer, job_seeker
    ):
        undecided = JobSeekerFactory(
            specialist=specialist_sam,
            first_name="Inès",
            last_name="Morel",
            disclosure_preference="undecided",
            disclosure_discussed_on=None,
        )
        with pytest.raises(ValidationError) as refused:
            plan(specialist_sam, employer, [job_seeker, undecided])
        (error,) = refused.value.error_dict["job_seekers"]
        assert error.code == services.DISCLOSURE_NOT_DISCUSSED and "Inès Morel" in error.message
        assert not EmployerContact.objects.exists()
        contact = plan(specialist_sam, employer, [job_seeker, undecided], disclosure_confirmed=True)
        assert set(contact.job_seekers.all()) == {job_seeker, undecided}
        # Relationship-building names nobody: nothing to confirm.
        plan(specialist_sam, employer, [], purpose="relationship", day=3)

    def test_another_programs_employer_is_refused(self, specialist_sam, specialist_louis, job_seeker):
        with pytest.raises(ValidationError):
            plan(specialist_sam, EmployerFactory(organisation=specialist_louis.organisation), [job_seeker])

    def test_reschedule_raises_the_sequence_and_cancel_needs_a_reason(self, specialist_sam, employer, job_seeker):
        contact = plan(specialist_sam, employer, [job_seeker])
        contact = services.employer_contact_reschedule(
            scope=access_scope(specialist_sam), contact_id=contact.pk, starts_at=at(3, 14), ends_at=at(3, 15)
        )
        assert contact.sequence == 1 and contact.starts_at == at(3, 14)
        with pytest.raises(ValidationError):
            services.employer_contact_cancel(scope=access_scope(specialist_sam), contact_id=contact.pk, reason="  ")
        contact = services.employer_contact_cancel(
            scope=access_scope(specialist_sam), contact_id=contact.pk, reason="Manager ill"
        )
        assert (contact.status, contact.sequence, contact.cancel_reason) == ("cancelled", 2, "Manager ill")
        with pytest.raises(ValidationError):
            services.employer_contact_reschedule(
                scope=access_scope(specialist_sam), contact_id=contact.pk, starts_at=at(4, 9), ends_at=at(4, 10)
            )

    def test_end_before_start_is_refused(self, specialist_sam, employer, job_seeker):
        with pytest.raises(ValidationError):
            services.employer_contact_plan(
                scope=access_scope(specialist_sam),
                employer_id=employer.pk,
                starts_at=at(2, 11),
                ends_at=at(2, 10),
                job_seeker_ids=[job_seeker.pk],
            )

    def test_holding_records_the_outcome_emits_and_moves_the_relationship(
        self, specialist_sam, employer, job_seeker, handle_events
    ):
        first = plan(specialist_sam, employer, [job_seeker])
        services.employer_contact_hold(
            scope=access_scope(specialist_sam),
            contact_id=first.pk,
            outcome={
                "learned_hiring_needs": "Weekend sales staff",
                "result": "Interested",
                "met_hiring_authority": True,
            },
        )
        handle_events()
        employer.refresh_from_db()
        assert employer.relationship_stage == "introduced"
        event = OutboxEvent.objects.get(topic="employer_contact.held")
        assert event.payload["job_seeker_ids"] == [job_seeker.pk] and event.payload["mode"] == "in_person"
        second = plan(specialist_sam, employer, [job_seeker], day=9)
        assert second.nature == "second"
        services.employer_contact_hold(scope=access_scope(specialist_sam), contact_id=second.pk, outcome={})
        handle_events()
        employer.refresh_from_db()
        assert employer.relationship_stage == "relationship"
        assert plan(specialist_sam, employer, [job_seeker], day=16).nature == "ongoing"

    def test_no_show_emits_nothing(self, specialist_sam, employer, job_seeker):
        contact = plan(specialist_sam, employer, [job_seeker])
        services.employer_contact_hold(
            scope=access_scope(specialist_sam), contact_id=contact.pk, outcome={}, no_show=True
        )
        assert EmployerContact.objects.get().status == "no_show" and not OutboxEvent.objects.exists()

    def test_quick_log_of_a_phone_call(self, specialist_sam, employer):
        person = ContactPersonFactory(employer=employer)
        contact = services.employer_contact_log(
            scope=access_scope(specialist_sam),
            employer_id=employer.pk,
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            mode="phone",
            purpose="relationship",
            contact_person_id=person.pk,
            outcome={"result": "Call back in May"},
        )
        assert (contact.status, contact.mode, contact.result, contact.contact_person) == (
            "held",
            "phone",
            "Call back in May",
            person,
        )
        assert OutboxEvent.objects.filter(topic="employer_contact.held").count() == 1

    def test_logging_a_future_contact_is_refused(self, specialist_sam, employer):
        with pytest.raises(ValidationError):
            services.employer_contact_log(
                scope=access_scope(specialist_sam),
                employer_id=employer.pk,
                occurred_at=timezone.now() + datetime.timedelta(days=1),
                mode="phone",
                purpose="relationship",
            )
        assert not EmployerContact.objects.exists()

    def test_team_mate_cannot_change_my_visit(self, specialist_sam, specialist_sofia, employer, job_seeker):
        contact = plan(specialist_sam, employer, [job_seeker])
        # Out of scope is answered exactly like a missing record: 404, in every interface.
        with pytest.raises(OutOfScope):
            services.employer_contact_cancel(scope=access_scope(specialist_sofia), contact_id=contact.pk, reason="no")


class TestWeekPlanning:
    def test_overlaps_and_tight_travel_are_flagged(self, specialist_sam, employer):
        old_port = EmployerSiteFactory(
            employer=employer, town="Marseille", latitude=Decimal("43.2951"), longitude=Decimal("5.3740")
        )
        aubagne = EmployerSiteFactory(
            employer=employer, town="Aubagne", latitude=Decimal("43.2927"), longitude=Decimal("5.5708")
        )
        first = EmployerContactFactory(
            specialist=specialist_sam, employer=employer, site=old_port, starts_at=at(2, 9), ends_at=at(2, 10)
        )
        second = EmployerContactFactory(
            specialist=specialist_sam, employer=employer, site=aubagne, starts_at=at(2, 10, 15), ends_at=at(2, 11)
        )
        third = EmployerContactFactory(
            specialist=specialist_sam, employer=employer, site=aubagne, starts_at=at(2, 10, 30), ends_at=at(2, 11, 30)
        )
        with timezone.override(PARIS):
            days = plan_week([first, second, third], datetime.date(2026, 3, 2))
        monday = days[0]
        assert [item.contact for item in monday.items] == [first, second, third]
        assert [item.overlaps for item in monday.items] == [False, True, True]
        travel = monday.items[1]
        assert travel.travel_km == pytest.approx(15.9, abs=0.3)
        assert travel.travel_tight and travel.gap_minutes == 15
        assert monday.items[2].travel_minutes is None  # same site as before

    def test_iso_week_parameter(self):
        today = datetime.date(2026, 11, 22)
        assert iso_week_monday("2026-W48", today) == (datetime.date(2026, 11, 23), True)
        assert iso_week_monday("nonsense", today) == (datetime.date(2026, 11, 16), False)
        assert iso_week_monday("2026-W99", today) == (datetime.date(2026, 11, 16), False)
        assert iso_week_monday(None, today) == (datetime.date(2026, 11, 16), True)


class TestPages:
    def test_plan_from_the_form_then_see_it_in_my_week(self, client_for, specialist_sam, employer, job_seeker):
        client = client_for(specialist_sam)
        site = EmployerSiteFactory(employer=employer)
        response = client.post(
            reverse("contact_plan"),
            {
                "employer": employer.pk,
                "site": site.pk,
                "day": "2026-03-04",
                "start_time": "10:00",
                "end_time": "11:00",
                "mode": "in_person",
                "purpose": "on_behalf",
                "job_seekers": [job_seeker.pk],
                "nature": "first",
                "next_step": "Present Nadia to the manager",
            },
        )
        assert response.status_code == 302 and response.url.endswith("?week=2026-W10")
        assert EmployerContact.objects.get().next_step == "Present Nadia to the manager"
        page = client.get(response.url).content.decode()
        assert "Boulangerie du Port" in page and "Nadia Benali" in page and "10:00" in page

    @pytest.mark.parametrize(
        "overrides,message",
        [
            ({"employer": ""}, "This field is required."),
            ({"end_time": "09:00"}, "The end must be after the start."),
            ({"day": "2026-02-30"}, "Enter a valid date."),
            ({"job_seekers": []}, "Name the job seekers this contact is for."),
            ({"mode": "carrier pigeon"}, "Select a valid choice"),
        ],
    )
    def test_bad_plan_input_changes_nothing(self, client_for, specialist_sam, employer, job_seeker, overrides, message):
        data = {
            "employer": employer.pk,
            "day": "2026-03-04",
            "start_time": "10:00",
            "end_time": "11:00",
            "mode": "in_person",
            "purpose": "on_behalf",
            "job_seekers": [job_seeker.pk],
            "nature": "first",
        }
        data.update(overrides)
        response = client_for(specialist_sam).post(reverse("contact_plan"), data)
        assert response.status_code == 200 and message in response.content.decode()
        assert not EmployerContact.objects.exists()

    def test_planning_for_someone_disclosure_was_not_discussed_with_asks_to_confirm(
        self, client_for, specialist_sam, employer, job_seeker
    ):
        """Fidelity item "disclosure": the service refuses, naming the people; the form
        then shows the box to go ahead, and goes ahead only when it is ticked."""
        undecided = JobSeekerFactory(
            specialist=specialist_sam,
            first_name="Inès",
            last_name="Morel",
            disclosure_preference="undecided",
            disclosure_discussed_on=None,
        )
        client = client_for(specialist_sam)
        data = {
            "employer": employer.pk,
            "day": "2026-03-04",
            "start_time": "10:00",
            "end_time": "11:00",
            "mode": "in_person",
            "purpose": "on_behalf",
            "job_seekers": [job_seeker.pk, undecided.pk],
            "nature": "first",
        }
        refused = client.post(reverse("contact_plan"), data)
        content = refused.content.decode()
        assert refused.status_code == 200
        assert "Disclosure has not been discussed yet with Inès Morel." in content
        assert "Nadia Benali." not in content  # her preference is recorded
        assert 'type="checkbox" name="disclosure_confirmed"' in content
        assert "Go ahead without the disclosure talk" in content
        assert not EmployerContact.objects.exists()
        response = client.post(reverse("contact_plan"), {**data, "disclosure_confirmed": "on"})
        assert response.status_code == 302
        assert set(EmployerContact.objects.get().job_seekers.all()) == {job_seeker, undecided}

    def test_the_disclosure_box_is_not_shown_before_it_is_needed(self, client_for, specialist_sam, employer):
        content = client_for(specialist_sam).get(reverse("contact_plan")).content.decode()
        assert 'type="hidden" name="disclosure_confirmed"' in content
        assert "Go ahead without the disclosure talk" not in content

    def test_plan_link_from_a_match_prefills_employer_and_job_seeker(
        self, client_for, specialist_sam, employer, job_seeker
    ):
        page = client_for(specialist_sam).get(
            reverse("contact_plan"), {"employer": employer.pk, "job_seeker": job_seeker.pk}
        )
        content = page.content.decode()
        assert f'<option value="{employer.pk}" selected>' in content
        assert f'<option value="{job_seeker.pk}" selected>' in content

    def test_hold_with_outcome_from_the_contact_page(self, client_for, specialist_sam, employer, job_seeker):
        contact = EmployerContactFactory(
            specialist=specialist_sam, employer=employer, job_seekers=[job_seeker], purpose="on_behalf"
        )
        client = client_for(specialist_sam)
        response = client.post(
            reverse("contact_outcome", args=[contact.pk]),
            {
                "outcome-happened": "held",
                "outcome-nature": "first",
                "outcome-learned_hiring_needs": "Two cashiers in June",
                "outcome-result": "Will meet Nadia",
                "outcome-next_step": "Bring CV",
                "outcome-next_step_on": "2026-12-01",
            },
        )
        assert response.status_code == 302
        contact.refresh_from_db()
        assert (contact.status, contact.learned_hiring_needs, contact.next_step_on) == (
            "held",
            "Two cashiers in June",
            datetime.date(2026, 12, 1),
        )

    def test_next_step_needs_a_date(self, client_for, specialist_sam, employer):
        contact = EmployerContactFactory(specialist=specialist_sam, employer=employer)
        response = client_for(specialist_sam).post(
            reverse("contact_outcome", args=[contact.pk]),
            {
                "outcome-happened": "held",
                "outcome-nature": "first",
                "outcome-next_step": "Call back",
            },
        )
        assert "Give the next step a date." in response.content.decode()
        contact.refresh_from_db()
        assert contact.status == "planned"

    def test_colleagues_see_the_contact_but_not_other_teams_job_seekers(
        self, client_for, specialist_sam, specialist_bob, employer, job_seeker
    ):
        contact = EmployerContactFactory(
            specialist=specialist_sam, employer=employer, job_seekers=[job_seeker], purpose="on_behalf"
        )
        client = client_for(specialist_bob)
        page = client.get(reverse("contact_detail", args=[contact.pk]))
        assert page.status_code == 200
        assert "Boulangerie du Port" in page.content.decode() and "Nadia" not in page.content.decode()
        assert "Record the outcome" not in page.content.decode()
        response = client.post(reverse("contact_cancel", args=[contact.pk]), {"cancel-reason": "mine now"})
        assert response.status_code == 404
        contact.refresh_from_db()
        assert contact.status == "planned"

    def test_other_organisation_gets_404(self, client_for, specialist_louis, specialist_sam, employer):
        contact = EmployerContactFactory(specialist=specialist_sam, employer=employer)
        assert client_for(specialist_louis).get(reverse("contact_detail", args=[contact.pk])).status_code == 404

    def test_my_week_query_count_is_bounded(
        self, client_for, specialist_sam, employer, job_seeker, django_assert_max_num_queries
    ):
        monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
        for index in range(15):
            start = timezone.make_aware(
                datetime.datetime.combine(monday + datetime.timedelta(days=index % 5), datetime.time(8 + index % 8))
            )
            EmployerContactFactory(
                specialist=specialist_sam,
                employer=employer,
                site=EmployerSiteFactory(employer=employer),
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
                job_seekers=[job_seeker],
            )
        client = client_for(specialist_sam)
        with django_assert_max_num_queries(10):
            page = client.get(reverse("my_week"))
        assert page.content.decode().count("visit status-planned") == 15

    def test_unreadable_week_falls_back_to_this_week(self, client_for, specialist_sam):
        page = client_for(specialist_sam).get(reverse("my_week"), {"week": "2026-W77"})
        assert page.status_code == 200 and "That week was not understood" in page.content.decode()


def test_employer_page_shows_history_needs_and_next_step(
    client_for, specialist_sam, specialist_bob, employer, job_seeker
):
    from crm.models import JobType

    held = EmployerContactFactory(
        specialist=specialist_sam,
        employer=employer,
        job_seekers=[job_seeker],
        purpose="on_behalf",
        status="held",
        learned_hiring_needs="Seasonal staff from May",
        best_time_to_apply="Early mornings",
        next_step="Send Nadia's CV",
        next_step_on=timezone.localdate() + datetime.timedelta(days=3),
        result="Good meeting",
    )
    held.learned_job_types.set([JobType.objects.get(code="baker")])
    EmployerContactFactory(specialist=specialist_bob, employer=employer, status="cancelled", cancel_reason="Strike")
    page = client_for(specialist_bob).get(reverse("employer_contacts_section", args=[employer.pk])).content.decode()
    assert "Seasonal staff from May" in page and "Early mornings" in page and "Baker or pastry cook" in page
    assert "Send Nadia&#x27;s CV" in page and "Strike" in page
    assert "Nadia Benali" not in page  # Bob cannot see Sam's job seeker's name in the history line


def test_employer_contacts_section_of_another_program_is_404(client_for, specialist_louis, employer):
    assert client_for(specialist_louis).get(reverse("employer_contacts_section", args=[employer.pk])).status_code == 404


def test_my_week_shows_the_pace_nudge_on_this_week_only(client_for, specialist_sam):
    """Three people looking for work, no visit by Thursday 7 May 2026: target 6, half (3)
    expected by Thursday, 0 held and 0 planned, so the hourly job nudges Sam; My week
    says so this week, not the next."""
    import time_machine

    from jobdev import nudges

    for _ in range(3):
        JobSeekerFactory(specialist=specialist_sam, status="job_search")
    thursday = datetime.datetime(2026, 5, 7, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(thursday, tick=False):
        assert nudges.pace_nudge() == 1
        client = client_for(specialist_sam)
        page = client.get(reverse("my_week")).content.decode()
        assert "Job development this week:" in page and "Plan 6 more visits" in page
        assert "Job development this week:" not in client.get(reverse("my_week"), {"week": "2026-W20"}).content.decode()


def test_my_tasks_shows_the_pace_nudge_too(client_for, specialist_sam, specialist_louis):
    """The same nudge on My tasks (a placements page: the notice comes from a jobdev
    template tag); another specialist, not nudged, sees none."""
    import time_machine

    from jobdev import nudges

    for _ in range(3):
        JobSeekerFactory(specialist=specialist_sam, status="job_search")
    thursday = datetime.datetime(2026, 5, 7, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(thursday, tick=False):
        assert nudges.pace_nudge() == 1
        page = client_for(specialist_sam).get(reverse("task_list")).content.decode()
        assert "Job development this week:" in page and reverse("contact_plan") in page
        other = client_for(specialist_louis).get(reverse("task_list")).content.decode()
        assert "Job development this week:" not in other
