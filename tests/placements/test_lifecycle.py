"""Each rule of the placement lifecycle, with frozen time."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from crm.access import OutOfScope, access_scope
from crm.models import JobSeeker, OutboxEvent
from placements import services
from placements.models import Accommodation, BenefitsStep, FollowAlongPlan, Placement, PlacementMilestone
from tests.factories import EmployerFactory

TODAY = datetime.date(2026, 3, 2)  # a Monday


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def job_seeker(nadia):
    return nadia


@pytest.fixture
def employer(bakery):
    return bakery


def accept(actor, job_seeker, employer, **overrides):
    fields = {
        "employer": employer,
        "job_title": "Vendeuse",
        "is_competitive": True,
        "term": "permanent",
        "hours_per_week": Decimal("20"),
        "hourly_pay": Decimal("12.02"),
        "offer_date": TODAY,
        "expected_start_date": TODAY + datetime.timedelta(days=7),
    }
    fields.update(overrides)
    employer = fields.pop("employer")
    return services.placement_offer_accept(
        scope=access_scope(actor), job_seeker_id=job_seeker.pk, employer_id=employer.pk, offer=fields
    )


def tasks(placement, **filters):
    return list(placement.support_tasks.filter(**filters).order_by("due_date", "id"))


class TestOfferAccepted:
    def test_creates_benefits_accommodation_and_pre_start_contact(
        self, specialist_sam, job_seeker, employer, handle_events
    ):
        """Nadia's disclosure preference is recorded (talked over at enrolment): no
        second disclosure talk at the offer."""
        placement = accept(specialist_sam, job_seeker, employer)
        handle_events()
        by_kind = {task.kind: task for task in tasks(placement)}
        assert set(by_kind) == {"benefits_planning", "accommodation", "follow_along"}
        day_before_start = TODAY + datetime.timedelta(days=6)
        assert by_kind["benefits_planning"].due_date == day_before_start
        assert by_kind["follow_along"].due_date == day_before_start
        assert by_kind["accommodation"].due_date == day_before_start
        assert all(task.owner == specialist_sam for task in by_kind.values())
        event = OutboxEvent.objects.get(topic="placement.offer_accepted")
        assert all(task.source_event == event for task in by_kind.values())
        step = BenefitsStep.objects.get()
        assert (step.reason, step.status, step.placement) == ("before_start", "offered", placement)

    def test_a_disclosure_talk_never_held_is_planned_at_the_offer(
        self, specialist_sam, job_seeker, employer, handle_events
    ):
        """Preference still "not yet discussed" and no talk planned: the offer plans it
        within 3 days, once, whatever the order the events are handled in."""
        job_seeker.disclosure_preference, job_seeker.disclosure_discussed_on = "undecided", None
        job_seeker.save()
        placement = accept(specialist_sam, job_seeker, employer)
        handle_events()
        talk = tasks(placement, kind="disclosure_conversation")
        assert [task.due_date for task in talk] == [TODAY + datetime.timedelta(days=3)]
        assert "Not yet discussed" in talk[0].title and talk[0].owner == specialist_sam

    def test_an_open_disclosure_talk_is_not_planned_twice(self, specialist_sam, organisation, employer, handle_events):
        """Enrolled through the service with no preference: the talk is planned at
        enrolment (within a week); the offer then adds none."""
        from crm import services as crm_services

        enrolled = crm_services.job_seeker_create(
            scope=access_scope(specialist_sam),
            details={
                "first_name": "Inès",
                "last_name": "Morel",
                "referral_date": TODAY - datetime.timedelta(days=3),
                "enrolment_date": TODAY,
            },
        )
        handle_events()
        talk = list(enrolled.support_tasks.filter(kind="disclosure_conversation"))
        assert [(task.due_date, task.placement_id) for task in talk] == [(TODAY + datetime.timedelta(days=7), None)]
        accept(specialist_sam, enrolled, employer)
        handle_events()
        assert enrolled.support_tasks.filter(kind="disclosure_conversation").count() == 1

    @pytest.mark.parametrize("benefits,expected", [("yes", True), ("unknown", True), ("no", False)])
    def test_benefits_step_only_when_on_benefits_or_unknown(
        self, specialist_sam, job_seeker, employer, handle_events, benefits, expected
    ):
        job_seeker.receives_benefits = benefits
        job_seeker.save()
        placement = accept(specialist_sam, job_seeker, employer)
        handle_events()
        assert bool(tasks(placement, kind="benefits_planning")) is expected
        assert BenefitsStep.objects.exists() is expected

    def test_without_expected_start_steps_are_due_within_a_week(
        self, specialist_sam, job_seeker, employer, handle_events
    ):
        placement = accept(specialist_sam, job_seeker, employer, expected_start_date=None)
        handle_events()
        assert tasks(placement, kind="benefits_planning")[0].due_date == TODAY + datetime.timedelta(days=7)

    def test_only_the_caseload_owner_side_may_accept(self, specialist_sofia, job_seeker, employer):
        with pytest.raises(OutOfScope):
            accept(specialist_sofia, job_seeker, employer)
        assert not Placement.objects.exists() and not OutboxEvent.objects.exists()

    def test_other_programs_employer_is_refused(self, specialist_sam, job_seeker, specialist_louis):
        foreign = EmployerFactory(organisation=specialist_louis.organisation)
        with pytest.raises(ValidationError):
            accept(specialist_sam, job_seeker, foreign)
        assert not OutboxEvent.objects.exists()


class TestStarted:
    def test_job_start_sets_working_stores_milestones_and_first_contact_within_3_days(
        self, specialist_sam, job_seeker, employer, handle_events
    ):
        placement = accept(specialist_sam, job_seeker, employer)
        services.placement_start(scope=access_scope(specialist_sam), placement_id=placement.pk, start_date=TODAY)
        handle_events()
        job_seeker.refresh_from_db()
        assert job_seeker.status == JobSeeker.Status.WORKING
        assert {m.name: (m.due_date - TODAY).days for m in PlacementMilestone.objects.all()} == {
            "day_3": 3,
            "week_1": 7,
            "day_30": 30,
            "day_90": 90,
            "day_182": 182,
            "day_365": 365,
        }
        follow_along = tasks(placement, kind="follow_along", status="open", due_date__gte=TODAY)
        assert [t.due_date for t in follow_along] == [TODAY + datetime.timedelta(days=3)]
        placement.employer.refresh_from_db()
        assert placement.employer.relationship_stage == "has_hired"

    def test_completing_contacts_gives_weekly_then_monthly_rhythm(
        self, specialist_sam, job_seeker, employer, handle_events
    ):
        placement = accept(specialist_sam, job_seeker, employer)
        services.placement_start(scope=access_scope(specialist_sam), placement_id=placement.pk, start_date=TODAY)
        handle_events()
        dues = []
        for _ in range(7):
            task = tasks(placement, kind="follow_along", status="open", due_date__gte=TODAY)[-1]
            dues.append((task.due_date - TODAY).days)
            with time_machine.travel(datetime.datetime.combine(task.due_date, datetime.time(10), tzinfo=datetime.UTC)):
                services.support_task_complete(
                    scope=access_scope(specialist_sam),
                    task_id=task.pk,
                    completed_on=task.due_date,
                    mode="in_person",
                    note="ok",
                    support_type="on_the_job",
                )
        assert dues == [3, 7, 14, 21, 28, 58, 88]

    def test_a_passed_due_date_creates_the_next_contact_and_keeps_the_overdue_one(
        self, specialist_sam, job_seeker, employer, handle_events
    ):
        placement = accept(specialist_sam, job_seeker, employer)
        services.placement_start(scope=access_scope(specialist_sam), placement_id=placement.pk, start_date=TODAY)
        handle_events()
        services.follow_along_ensure_next(today=TODAY + datetime.timedelta(days=5))
        open_contacts = tasks(placement, kind="follow_along", status="open", due_date__gte=TODAY)
        assert [(t.due_date - TODAY).days for t in open_contacts] == [3, 7]
        services.follow_along_ensure_next(today=TODAY + datetime.timedelta(days=5))
        assert len(tasks(placement, kind="follow_along", status="open", due_date__gte=TODAY)) == 2

    def test_start_twice_is_refused(self, specialist_sam, job_seeker, employer):
        placement = accept(specialist_sam, job_seeker, employer)
        services.placement_start(scope=access_scope(specialist_sam), placement_id=placement.pk, start_date=TODAY)
        with pytest.raises(ValidationError):
            services.placement_start(scope=access_scope(specialist_sam), placement_id=placement.pk, start_date=TODAY)
        assert OutboxEvent.objects.filter(topic="placement.started").count() == 1

    def test_start_before_offer_is_refused(self, specialist_sam, job_seeker, employer):
        placement = accept(specialist_sam, job_seeker, employer)
        with pytest.raises(ValidationError):
            services.placement_start(
                scope=access_scope(specialist_sam),
                placement_id=placement.pk,
                start_date=TODAY - datetime.timedelta(days=1),
            )
        placement.refresh_from_db()
        assert placement.status == "offer_accepted" and not PlacementMilestone.objects.exists()


@pytest.fixture
def working(specialist_sam, job_seeker, employer, handle_events):
    placement = accept(specialist_sam, job_seeker, employer)
    services.placement_start(scope=access_scope(specialist_sam), placement_id=placement.pk, start_date=TODAY)
    handle_events()
    return placement


class TestIndividualizedFollowAlong:
    def test_change_frequency_applies_from_the_next_contact(self, specialist_sam, working):
        services.follow_along_plan_change(
            scope=access_scope(specialist_sam), placement_id=working.pk, action="frequency", frequency="fortnightly"
        )
        upcoming = tasks(working, kind="follow_along", status="open", due_date__gte=TODAY)
        assert [(t.due_date - TODAY).days for t in upcoming] == [3]
        with time_machine.travel(datetime.datetime(2026, 3, 5, 10, tzinfo=datetime.UTC)):
            services.support_task_complete(
                scope=access_scope(specialist_sam),
                task_id=upcoming[0].pk,
                completed_on=upcoming[0].due_date,
                mode="phone",
                support_type="employer",
            )
        upcoming = tasks(working, kind="follow_along", status="open")
        assert [(t.due_date - TODAY).days for t in upcoming] == [17]

    def test_pause_needs_a_reason_and_stops_contacts_until_resumed(self, specialist_sam, working):
        with pytest.raises(ValidationError):
            services.follow_along_plan_change(
                scope=access_scope(specialist_sam), placement_id=working.pk, action="pause", reason=" "
            )
        services.follow_along_plan_change(
            scope=access_scope(specialist_sam), placement_id=working.pk, action="pause", reason="Hospital stay"
        )
        assert not tasks(working, kind="follow_along", status="open", due_date__gte=TODAY)
        assert services.follow_along_ensure_next(today=TODAY + datetime.timedelta(days=10)) == 0
        services.follow_along_plan_change(scope=access_scope(specialist_sam), placement_id=working.pk, action="resume")
        assert len(tasks(working, kind="follow_along", status="open", due_date__gte=TODAY)) == 1

    def test_worker_declining_support_is_respected(self, specialist_sam, working):
        services.follow_along_plan_change(
            scope=access_scope(specialist_sam), placement_id=working.pk, action="decline", reason="Doing fine"
        )
        working.follow_along_plan.refresh_from_db()
        assert working.follow_along_plan.status == FollowAlongPlan.Status.DECLINED
        assert services.follow_along_ensure_next(today=TODAY + datetime.timedelta(days=40)) == 0

    def test_step_down_needs_the_workers_agreement(self, specialist_sam, working):
        with pytest.raises(ValidationError):
            services.follow_along_plan_change(
                scope=access_scope(specialist_sam),
                placement_id=working.pk,
                action="step_down",
                step_down_date=TODAY + datetime.timedelta(days=300),
                step_down_agreed=False,
            )
        services.follow_along_plan_change(
            scope=access_scope(specialist_sam),
            placement_id=working.pk,
            action="step_down",
            step_down_date=TODAY + datetime.timedelta(days=300),
            step_down_agreed=True,
        )
        assert tasks(working, kind="step_down_review")[0].due_date == TODAY + datetime.timedelta(days=300)

    def test_team_mate_cannot_change_the_plan(self, specialist_sofia, working):
        with pytest.raises(OutOfScope):
            services.follow_along_plan_change(
                scope=access_scope(specialist_sofia), placement_id=working.pk, action="decline"
            )


class TestTermsAndMilestones:
    def test_terms_changed_creates_a_benefits_recheck(self, specialist_sam, working, handle_events):
        services.placement_change_terms(
            scope=access_scope(specialist_sam),
            placement_id=working.pk,
            hours_per_week=Decimal("28"),
            hourly_pay=Decimal("12.02"),
            effective_on=TODAY,
        )
        handle_events()
        event = OutboxEvent.objects.get(topic="placement.terms_changed")
        assert event.payload["old"]["hours_per_week"] == "20.0" and event.payload["new"]["hours_per_week"] == "28"
        recheck = BenefitsStep.objects.get(reason="terms_changed")
        assert recheck.status == "offered"
        assert tasks(working, kind="benefits_planning", source_event=event)[0].due_date == TODAY + datetime.timedelta(7)

    def test_unchanged_terms_are_refused(self, specialist_sam, working):
        with pytest.raises(ValidationError):
            services.placement_change_terms(
                scope=access_scope(specialist_sam),
                placement_id=working.pk,
                hours_per_week=Decimal("20"),
                hourly_pay=Decimal("12.02"),
                effective_on=TODAY,
            )

    def test_day_30_90_365_create_review_retention_and_step_down_tasks(self, working, handle_events):
        services.milestones_emit_due(today=TODAY + datetime.timedelta(days=365))
        handle_events()
        titles = {t.kind: t for t in tasks(working) if t.source_event and t.source_event.topic.endswith("reached")}
        assert set(titles) == {"accommodation", "retention_check", "step_down_review"}
        day_90 = PlacementMilestone.objects.get(placement=working, name="day_90")
        assert day_90.still_working is True and day_90.reached_at is not None

    def test_catch_up_after_40_days_emits_each_missed_milestone_once(self, working, handle_events):
        assert services.milestones_emit_due(today=TODAY + datetime.timedelta(days=40)) == 3
        assert services.milestones_emit_due(today=TODAY + datetime.timedelta(days=40)) == 0
        names = sorted(e.payload["milestone"] for e in OutboxEvent.objects.filter(topic="placement.milestone_reached"))
        assert names == ["day_3", "day_30", "week_1"]
        handle_events()
        assert len(tasks(working, kind="accommodation", source_event__topic="placement.milestone_reached")) == 1


class TestJobEnded:
    def test_job_end_contact_report_closed_follow_along_and_back_to_job_search(
        self, specialist_sam, working, job_seeker, handle_events
    ):
        end = TODAY + datetime.timedelta(days=20)
        with time_machine.travel(datetime.datetime.combine(end, datetime.time(9), tzinfo=datetime.UTC)):
            services.placement_end(
                scope=access_scope(specialist_sam), placement_id=working.pk, end_date=end, end_reason="laid_off"
            )
            handle_events()
        contact = tasks(working, kind="job_end_contact")[0]
        assert contact.due_date == end + datetime.timedelta(days=3)
        assert tasks(working, kind="job_end_report")[0].due_date == end + datetime.timedelta(days=7)
        cancelled = tasks(working, kind="follow_along", status="cancelled", cancel_reason__contains="Laid off")
        assert [(t.due_date - TODAY).days for t in cancelled] == [3]
        assert not tasks(working, kind="follow_along", status="open")
        job_seeker.refresh_from_db()
        assert job_seeker.status == "job_search" and job_seeker.job_search_since == end
        reentry = OutboxEvent.objects.get(topic="jobseeker.enrolled", payload__reentry=True)
        assert reentry.payload["job_search_since"] == end.isoformat()
        # The handler acts for the program, recorded as done by whoever ended the job.
        assert reentry.actor == specialist_sam
        assert job_seeker.status_changes.filter(to_status="job_search").get().changed_by == specialist_sam
        working.follow_along_plan.refresh_from_db()
        assert working.follow_along_plan.status == "ended"
        assert services.milestones_emit_due(today=end + datetime.timedelta(days=400)) == 0

    def test_unknown_end_reason_is_refused(self, specialist_sam, working):
        with pytest.raises(ValidationError):
            services.placement_end(
                scope=access_scope(specialist_sam), placement_id=working.pk, end_date=TODAY, end_reason="bored"
            )
        working.refresh_from_db()
        assert working.status == "active"

    def test_job_end_report_completes_its_task(self, specialist_sam, working, handle_events):
        services.placement_end(
            scope=access_scope(specialist_sam), placement_id=working.pk, end_date=TODAY, end_reason="quit_health"
        )
        handle_events()
        services.job_end_report_save(
            scope=access_scope(specialist_sam),
            placement_id=working.pk,
            report={"wants_another_job": True, "worker_perspective": "Too tiring", "face_to_face_contact_on": TODAY},
        )
        assert tasks(working, kind="job_end_report")[0].status == "done"


class TestAccommodationAndBenefits:
    def test_accommodation_steps_emit_events_and_need_consent_before_requesting(
        self, specialist_sam, working, handle_events
    ):
        accommodation = services.accommodation_add(
            scope=access_scope(specialist_sam),
            placement_id=working.pk,
            description="Later start on Mondays",
            consents=False,
        )
        services.accommodation_change_status(
            scope=access_scope(specialist_sam), accommodation_id=accommodation.pk, status="discussed"
        )
        with pytest.raises(ValidationError):
            services.accommodation_change_status(
                scope=access_scope(specialist_sam), accommodation_id=accommodation.pk, status="requested"
            )
        services.accommodation_change_status(
            scope=access_scope(specialist_sam), accommodation_id=accommodation.pk, status="requested", consents=True
        )
        for status in ["agreed", "in_place"]:
            services.accommodation_change_status(
                scope=access_scope(specialist_sam), accommodation_id=accommodation.pk, status=status
            )
        with pytest.raises(ValidationError):
            services.accommodation_change_status(
                scope=access_scope(specialist_sam), accommodation_id=accommodation.pk, status="discussed"
            )
        handle_events()
        changes = [
            (e.payload["from"], e.payload["to"])
            for e in OutboxEvent.objects.filter(topic="accommodation.status_changed").order_by("pk")
        ]
        assert changes == [
            ("", "identified"),
            ("identified", "discussed"),
            ("discussed", "requested"),
            ("requested", "agreed"),
            ("agreed", "in_place"),
        ]
        open_steps = accommodation.support_tasks.filter(status="open")
        assert [t.due_date for t in open_steps] == [TODAY + datetime.timedelta(days=30)]
        assert Accommodation.objects.get().status == "in_place"

    def test_benefits_steps_move_forward_and_emit_events(self, specialist_sam, working, handle_events):
        step = BenefitsStep.objects.get(reason="before_start")
        services.benefits_step_change_status(scope=access_scope(specialist_sam), step_id=step.pk, status="referred")
        services.benefits_step_change_status(scope=access_scope(specialist_sam), step_id=step.pk, status="session_held")
        with pytest.raises(ValidationError):
            services.benefits_step_change_status(scope=access_scope(specialist_sam), step_id=step.pk, status="offered")
        services.benefits_step_change_status(
            scope=access_scope(specialist_sam), step_id=step.pk, status="plan_in_place"
        )
        handle_events()
        assert [e.payload["to"] for e in OutboxEvent.objects.filter(topic="benefits.step_changed").order_by("pk")] == [
            "referred",
            "session_held",
            "plan_in_place",
        ]
        assert not step.support_tasks.filter(status="open").exists()


def test_completing_a_task_records_how(specialist_sam, working):
    task = tasks(working, kind="follow_along", status="open", due_date__gte=TODAY)[0]
    with pytest.raises(ValidationError):
        services.support_task_complete(
            scope=access_scope(specialist_sam), task_id=task.pk, completed_on=TODAY, mode="telepathy"
        )
    with pytest.raises(ValidationError):
        services.support_task_complete(
            scope=access_scope(specialist_sam),
            task_id=task.pk,
            completed_on=TODAY + datetime.timedelta(days=1),
            mode="phone",
            support_type="career",
        )
    with pytest.raises(ValidationError) as refused:  # a follow-along contact says what support was given
        services.support_task_complete(
            scope=access_scope(specialist_sam), task_id=task.pk, completed_on=TODAY, mode="phone"
        )
    assert set(refused.value.error_dict) == {"support_type"}
    with pytest.raises(ValidationError) as refused:  # a place only for a contact in person
        services.support_task_complete(
            scope=access_scope(specialist_sam),
            task_id=task.pk,
            completed_on=TODAY,
            mode="phone",
            support_type="career",
            place="community",
        )
    assert set(refused.value.error_dict) == {"place"}
    services.support_task_complete(
        scope=access_scope(specialist_sam),
        task_id=task.pk,
        completed_on=TODAY,
        mode="video",
        note="Went well",
        support_type="career",
    )
    task.refresh_from_db()
    assert (task.status, task.completed_on, task.completion_mode, task.completion_note) == (
        "done",
        TODAY,
        "video",
        "Went well",
    )
    # No giver named: the specialist gave it.
    assert (task.support_type, task.given_by, task.place) == ("career", "specialist", "")
    with pytest.raises(ValidationError):
        services.support_task_complete(
            scope=access_scope(specialist_sam), task_id=task.pk, completed_on=TODAY, mode="phone"
        )


def test_events_handled_out_of_order_give_the_same_tasks(specialist_sam, job_seeker, employer):
    from crm import events

    placement = accept(specialist_sam, job_seeker, employer)
    services.placement_start(scope=access_scope(specialist_sam), placement_id=placement.pk, start_date=TODAY)
    for event in OutboxEvent.objects.order_by("-pk"):  # started before offer_accepted
        events.dispatch(event.pk)
    open_contacts = tasks(placement, kind="follow_along", status="open")
    assert [(t.due_date - TODAY).days for t in open_contacts] == [3]


def test_follow_along_rhythm_and_job_end_contact_follow_program_settings(
    specialist_sam, job_seeker, employer, organisation, handle_events
):
    organisation.follow_along_first_contact_days = 2
    organisation.follow_along_weekly_weeks = 2
    organisation.follow_along_monthly_days = 28
    organisation.job_end_contact_days = 2
    organisation.save()
    placement = accept(specialist_sam, job_seeker, employer)
    services.placement_start(scope=access_scope(specialist_sam), placement_id=placement.pk, start_date=TODAY)
    handle_events()
    dues = []
    for _ in range(4):
        task = tasks(placement, kind="follow_along", status="open", due_date__gte=TODAY)[-1]
        dues.append((task.due_date - TODAY).days)
        with time_machine.travel(datetime.datetime.combine(task.due_date, datetime.time(10), tzinfo=datetime.UTC)):
            services.support_task_complete(
                scope=access_scope(specialist_sam),
                task_id=task.pk,
                completed_on=task.due_date,
                mode="phone",
                support_type="coping",
            )
    assert dues == [2, 7, 14, 42]
    end = TODAY + datetime.timedelta(days=50)
    with time_machine.travel(datetime.datetime.combine(end, datetime.time(9), tzinfo=datetime.UTC)):
        services.placement_end(
            scope=access_scope(specialist_sam), placement_id=placement.pk, end_date=end, end_reason="fired"
        )
        handle_events()
    assert tasks(placement, kind="job_end_contact")[0].due_date == end + datetime.timedelta(days=2)
