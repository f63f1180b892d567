"""The records the fidelity figures are read from, as the services write them (issue 11):
one behaviour per test, unhappy paths included, built through the services with a
frozen clock and the events handled as a worker would (the `handle_events` fixture).

The clock stands at Monday 2 March 2026, 09:00 UTC (10:00 in Paris, the test program's
zone) unless a test moves it. Nadia (tests/placements/conftest.py) receives benefits and
recorded a "partial" disclosure preference at enrolment; the bakery is the program's
employer. The program's defaults (crm.models.Organisation): first follow-along contact
within 3 days of the start, weekly for 4 weeks, then monthly; the face-to-face contact
after a job end within 3 days."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm import events
from crm import services as crm_services
from crm.access import access_scope
from crm.models import EventHandling, JobSeeker, OutboxEvent
from jobdev import services as jobdev_services
from jobdev.models import EmployerContact
from placements import services
from placements.models import (
    BenefitsStep,
    FollowAlongPlan,
    JobEndReport,
    Placement,
    PlacementMilestone,
    SupportTask,
    TaskTitle,
)
from tests.factories import EmployerFactory, JobSeekerFactory, OrganisationFactory, TeamFactory, UserFactory
from tests.placements.conftest import end, offer, start

TODAY = datetime.date(2026, 3, 2)  # a Monday
STATE_CONFLICT = "state_conflict"


def day(n: int) -> datetime.date:
    """TODAY + n days."""
    return TODAY + datetime.timedelta(days=n)


def on_day(n: int, hour: int = 9):
    """Move the frozen clock to TODAY + n days, `hour`:00 UTC (the program's same day)."""
    return time_machine.travel(datetime.datetime.combine(day(n), datetime.time(hour), tzinfo=datetime.UTC), tick=False)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def working(specialist_sam, nadia, bakery, handle_events):
    """Nadia's job at the bakery: offer accepted and started today, events handled, so
    the plan is active and the first contact is due on day 3."""
    placement = start(specialist_sam, offer(specialist_sam, nadia, bakery, on=TODAY), TODAY)
    handle_events()
    return placement


def scope_of(user):
    return access_scope(user)


def tasks(placement, **filters) -> list[SupportTask]:
    return list(placement.support_tasks.filter(**filters).order_by("due_date", "id"))


def next_contact(placement) -> SupportTask:
    (contact,) = tasks(placement, kind="follow_along", status="open")
    return contact


def complete(user, task, *, on: datetime.date, mode: str = "in_person", **fields) -> SupportTask:
    return services.support_task_complete(scope=scope_of(user), task_id=task.pk, completed_on=on, mode=mode, **fields)


def plan_step_down(user, placement, on: datetime.date, *, agreed: bool = True) -> FollowAlongPlan:
    return services.follow_along_plan_change(
        scope=scope_of(user), placement_id=placement.pk, action="step_down", step_down_date=on, step_down_agreed=agreed
    )


def handover(placement) -> SupportTask:
    (task,) = tasks(placement, title_key=TaskTitle.STEP_DOWN_HANDOVER, status="open")
    return task


def enrol(user, *, first_name="Inès", last_name="Morel", **details) -> JobSeeker:
    """A new person enrolled today through crm.services (no preference given: the
    model's default, "not yet discussed")."""
    return crm_services.job_seeker_create(
        scope=scope_of(user),
        details={
            "first_name": first_name,
            "last_name": last_name,
            "referral_date": TODAY - datetime.timedelta(days=3),
            "enrolment_date": TODAY,
            **details,
        },
    )


# 1. The offer asks whether the job is competitive, and permanent or temporary ----------------


class TestOfferAsksCompetitiveAndTerm:
    FIELDS = {
        "job_title": "Vendeuse",
        "is_competitive": True,
        "term": "permanent",
        "hours_per_week": Decimal("20"),
        "hourly_pay": Decimal("12.02"),
        "offer_date": TODAY,
        "expected_start_date": day(7),
    }

    def accept(self, user, job_seeker, employer, *, omit=(), **overrides):
        fields = {name: value for name, value in {**self.FIELDS, **overrides}.items() if name not in omit}
        return services.placement_offer_accept(
            scope=scope_of(user), job_seeker_id=job_seeker.pk, employer_id=employer.pk, offer=fields
        )

    @pytest.mark.parametrize(
        "omit,overrides,fields",
        [
            (("is_competitive",), {}, {"is_competitive"}),
            ((), {"is_competitive": None}, {"is_competitive"}),
            ((), {"is_competitive": "yes"}, {"is_competitive"}),
            ((), {"is_competitive": 1}, {"is_competitive"}),
            (("term",), {}, {"term"}),
            ((), {"term": ""}, {"term"}),
            ((), {"term": "seasonal"}, {"term"}),
            (("is_competitive", "term"), {}, {"is_competitive", "term"}),
        ],
        ids=[
            "competitive-missing",
            "competitive-none",
            "competitive-text",
            "competitive-int",
            "term-missing",
            "term-blank",
            "term-unknown",
            "both-missing",
        ],
    )
    def test_a_missing_or_invalid_answer_is_refused_on_its_field_recording_nothing(
        self, specialist_sam, nadia, bakery, omit, overrides, fields
    ):
        with pytest.raises(ValidationError) as refused:
            self.accept(specialist_sam, nadia, bakery, omit=omit, **overrides)
        assert set(refused.value.message_dict) == fields
        assert not Placement.objects.exists()
        assert not OutboxEvent.objects.exists()

    def test_both_answers_are_recorded_as_given(self, specialist_sam, nadia, bakery):
        placement = self.accept(specialist_sam, nadia, bakery, is_competitive=False, term="temporary")
        placement.refresh_from_db()
        assert (placement.is_competitive, placement.term) == (False, Placement.Term.TEMPORARY)


# 2. A job's end answers the milestones it never reached ----------------------------------------


class TestMilestonesAtTheEnd:
    """Started today: day_3 (day 3), week_1 (day 7), day_30, day_90, day_182, day_365."""

    def test_milestones_after_the_end_are_not_working_and_never_emitted(self, specialist_sam, working, handle_events):
        assert services.milestones_emit_due(today=day(40)) == 3  # day_3, week_1, day_30
        handle_events()
        with on_day(45):
            end(specialist_sam, working, day(45))
            handle_events()
        assert services.milestones_emit_due(today=day(400)) == 0
        handle_events()
        answers = dict(PlacementMilestone.objects.filter(placement=working).values_list("name", "still_working"))
        assert answers == {
            "day_3": True,
            "week_1": True,
            "day_30": True,
            "day_90": False,
            "day_182": False,
            "day_365": False,
        }
        unreached = PlacementMilestone.objects.filter(placement=working, name__in=["day_90", "day_182", "day_365"])
        assert not unreached.filter(reached_at__isnull=False).exists()
        emitted = OutboxEvent.objects.filter(topic="placement.milestone_reached")
        assert sorted(e.payload["milestone"] for e in emitted) == ["day_3", "day_30", "week_1"]

    def test_a_milestone_due_on_the_last_day_is_not_answered_not_working(self, specialist_sam, working):
        """The job ends on day 30 itself: the worker was there that day, so day_30 is not
        among the milestones the job never reached."""
        with on_day(30, hour=0):  # before the scheduler's run that day
            end(specialist_sam, working, day(30))
        assert PlacementMilestone.objects.get(placement=working, name="day_30").still_working is not False

    def test_a_job_end_recorded_late_corrects_a_milestone_emitted_after_the_real_end(
        self, specialist_sam, working, handle_events
    ):
        """The job ended on day 25 and the specialist learns it on day 35: the scheduler
        had emitted day_30 (due on day 30) in between. The job never reached day 30."""
        assert services.milestones_emit_due(today=day(30)) == 3
        handle_events()
        with on_day(35):
            end(specialist_sam, working, day(25))
            handle_events()
        assert PlacementMilestone.objects.get(placement=working, name="day_30").still_working is False


# 3. A cancellation is dated on the program's day --------------------------------------------


@pytest.fixture
def auckland_specialist(db):
    program = OrganisationFactory(name="IPS Auckland", slug="ips-auckland-test", time_zone="Pacific/Auckland")
    team = TeamFactory(organisation=program, name="Auckland team")
    return UserFactory(username="aroha", first_name="Aroha", organisation=program, team=team)


# 20:00 UTC on Monday 2 March is 09:00 on Tuesday 3 March in Auckland (NZDT, UTC+13) and
# 21:00 on Monday 2 March in Paris.
UTC_EVENING = datetime.datetime(2026, 3, 2, 20, 0, tzinfo=datetime.UTC)
AUCKLAND_DAY = datetime.date(2026, 3, 3)


class TestCancelledOnTheProgramsDay:
    @pytest.fixture(autouse=True)
    def server_in_utc(self, settings):
        settings.TIME_ZONE = "UTC"

    def test_a_paused_plans_contact_is_cancelled_on_aucklands_date(self, auckland_specialist, handle_events):
        with time_machine.travel(UTC_EVENING, tick=False):
            person = JobSeekerFactory(specialist=auckland_specialist, enrolment_date=AUCKLAND_DAY)
            employer = EmployerFactory(organisation=auckland_specialist.organisation)
            placement = start(
                auckland_specialist, offer(auckland_specialist, person, employer, on=AUCKLAND_DAY), AUCKLAND_DAY
            )
            handle_events()
            contact = next_contact(placement)
            services.follow_along_plan_change(
                scope=scope_of(auckland_specialist), placement_id=placement.pk, action="pause", reason="Travelling"
            )
        contact.refresh_from_db()
        assert (contact.status, contact.cancelled_on) == ("cancelled", AUCKLAND_DAY)

    def test_one_close_dates_each_programs_tasks_on_its_own_day(self, auckland_specialist, specialist_sam):
        with time_machine.travel(UTC_EVENING, tick=False):
            in_auckland = services.support_task_create(
                scope=scope_of(auckland_specialist),
                job_seeker_id=JobSeekerFactory(specialist=auckland_specialist).pk,
                kind="other",
                title="Call the GP",
                due_date=AUCKLAND_DAY,
            )
            in_paris = services.support_task_create(
                scope=scope_of(specialist_sam),
                job_seeker_id=JobSeekerFactory(specialist=specialist_sam).pk,
                kind="other",
                title="Call the GP",
                due_date=TODAY,
            )
            closed = SupportTask.objects.filter(pk__in=[in_auckland.pk, in_paris.pk]).close(
                SupportTask.Status.CANCELLED, cancel_reason="No longer needed"
            )
        assert closed == 2
        cancelled_on = dict(SupportTask.objects.values_list("pk", "cancelled_on"))
        assert cancelled_on == {in_auckland.pk: AUCKLAND_DAY, in_paris.pk: TODAY}

    def test_a_task_done_has_no_cancellation_date(self, specialist_sam):
        task = services.support_task_create(
            scope=scope_of(specialist_sam),
            job_seeker_id=JobSeekerFactory(specialist=specialist_sam).pk,
            kind="other",
            title="Call the GP",
            due_date=TODAY,
        )
        SupportTask.objects.filter(pk=task.pk).close(SupportTask.Status.DONE, completed_on=TODAY)
        task.refresh_from_db()
        assert (task.status, task.cancelled_on) == ("done", None)


# 4. A task keeps the day it was first due ---------------------------------------------------


class TestDueBy:
    def test_a_new_task_is_due_by_its_due_date(self, specialist_sam, nadia):
        task = services.support_task_create(
            scope=scope_of(specialist_sam), job_seeker_id=nadia.pk, kind="other", title="Call the GP", due_date=day(4)
        )
        task.refresh_from_db()
        assert (task.due_date, task.due_by) == (day(4), day(4))

    def test_an_appointment_moved_to_another_day_keeps_due_by(self, specialist_sam, working):
        contact = next_contact(working)  # first contact, due on day 3
        services.support_task_schedule(
            scope=scope_of(specialist_sam), task_id=contact.pk, due_date=day(6), due_time=datetime.time(14, 30)
        )
        contact.refresh_from_db()
        assert (contact.due_date, contact.due_time, contact.due_by) == (day(6), datetime.time(14, 30), day(3))
        services.support_task_schedule(
            scope=scope_of(specialist_sam), task_id=contact.pk, due_date=day(1), due_time=None
        )
        contact.refresh_from_db()
        assert (contact.due_date, contact.due_by) == (day(1), day(3))


# 5. What a completed contact records --------------------------------------------------------


class TestCompletingAContact:
    def test_a_follow_along_contact_needs_its_type_of_support(self, specialist_sam, working):
        contact = next_contact(working)
        with pytest.raises(ValidationError) as refused:
            complete(specialist_sam, contact, on=TODAY, mode="phone")
        assert set(refused.value.message_dict) == {"support_type"}
        contact.refresh_from_db()
        assert (contact.status, contact.completed_on) == ("open", None)

    def test_a_place_is_refused_for_a_phone_call(self, specialist_sam, working):
        contact = next_contact(working)
        with pytest.raises(ValidationError) as refused:
            complete(specialist_sam, contact, on=TODAY, mode="phone", support_type="coping", place="workplace")
        assert set(refused.value.message_dict) == {"place"}
        contact.refresh_from_db()
        assert contact.status == "open"

    @pytest.mark.parametrize(
        "fields,field",
        [
            ({"place": "moon", "support_type": "coping"}, "place"),
            ({"support_type": "magic"}, "support_type"),
            ({"support_type": "coping", "given_by": "ghost"}, "given_by"),
        ],
        ids=["place", "support-type", "given-by"],
    )
    def test_an_unknown_choice_is_refused_on_its_field(self, specialist_sam, working, fields, field):
        contact = next_contact(working)
        with pytest.raises(ValidationError) as refused:
            complete(specialist_sam, contact, on=TODAY, mode="in_person", **fields)
        assert set(refused.value.message_dict) == {field}
        contact.refresh_from_db()
        assert contact.status == "open"

    def test_support_given_by_nobody_named_was_given_by_the_specialist(self, specialist_sam, working):
        contact = complete(
            specialist_sam, next_contact(working), on=TODAY, support_type="on_the_job", place="workplace"
        )
        contact.refresh_from_db()
        assert (contact.support_type, contact.given_by, contact.place) == ("on_the_job", "specialist", "workplace")

    def test_support_given_by_someone_else_is_recorded_as_theirs(self, specialist_sam, working):
        contact = complete(
            specialist_sam, next_contact(working), on=TODAY, mode="video", support_type="family", given_by="family"
        )
        contact.refresh_from_db()
        assert (contact.support_type, contact.given_by, contact.place) == ("family", "family", "")

    def test_a_task_that_is_not_a_contact_needs_no_type_of_support(self, specialist_sam, working):
        (benefits,) = tasks(working, kind="benefits_planning", status="open")
        benefits = complete(specialist_sam, benefits, on=TODAY, mode="phone")
        benefits.refresh_from_db()
        assert (benefits.status, benefits.support_type, benefits.given_by) == ("done", "", "")

    @pytest.mark.parametrize("offset", [0, -1], ids=["same-day", "day-before"])
    def test_one_meeting_is_one_contact(self, specialist_sam, working, offset):
        """The first contact done on day 3 brings the next one (due on day 7); that one
        cannot be ticked off on day 3 or before, with a message giving the day."""
        with on_day(3):
            complete(specialist_sam, next_contact(working), on=day(3), support_type="coping")
            second = next_contact(working)
            assert second.due_date == day(7)
            with pytest.raises(ValidationError) as refused:
                complete(specialist_sam, second, on=day(3 + offset), support_type="coping")
        assert refused.value.message_dict["completed_on"] == [
            "The previous follow-along contact was recorded on 05/03/2026: one meeting is one contact. "
            "Give the day this one took place."
        ]
        second.refresh_from_db()
        assert (second.status, second.completed_on) == ("open", None)

    def test_the_next_contact_on_a_later_day_is_fine(self, specialist_sam, working):
        with on_day(3):
            complete(specialist_sam, next_contact(working), on=day(3), support_type="coping")
        second = next_contact(working)
        with on_day(7):
            complete(specialist_sam, second, on=day(4), support_type="employer")
        second.refresh_from_db()
        assert (second.status, second.completed_on) == ("done", day(4))


# 6. Step-down ----------------------------------------------------------------------------


class TestPlanningAStepDown:
    def test_a_step_down_in_the_past_is_refused(self, specialist_sam, working):
        """Started today; on day 30 a step-down dated day 29 is after the start but past."""
        with on_day(30), pytest.raises(ValidationError) as refused:
            plan_step_down(specialist_sam, working, day(29))
        assert set(refused.value.message_dict) == {"step_down_date"}
        assert not tasks(working, title_key=TaskTitle.STEP_DOWN_HANDOVER)

    def test_planning_again_cancels_the_earlier_hand_over(self, specialist_sam, working):
        plan_step_down(specialist_sam, working, day(100))
        first = handover(working)
        plan_step_down(specialist_sam, working, day(200))
        first.refresh_from_db()
        assert (first.status, first.cancel_reason, first.cancelled_on) == (
            "cancelled",
            "The step-down was planned again.",
            TODAY,
        )
        assert handover(working).due_date == day(200)
        working.follow_along_plan.refresh_from_db()
        assert working.follow_along_plan.step_down_date == day(200)


@pytest.fixture
def stepped_down(specialist_sam, working):
    """Step-down planned for day 60 with Nadia's agreement; on day 60 its hand-over task
    is done. No scheduler ran meanwhile: the day-3 contact is still open (overdue)."""
    plan_step_down(specialist_sam, working, day(60))
    with on_day(60):
        complete(specialist_sam, handover(working), on=day(60))
    return working


class TestCompletingTheHandOver:
    def test_the_plan_is_stepped_down_on_that_day(self, stepped_down):
        plan = FollowAlongPlan.objects.get(placement=stepped_down)
        assert (plan.status, plan.stepped_down_on) == (FollowAlongPlan.Status.STEPPED_DOWN, day(60))

    def test_open_follow_along_contacts_are_cancelled(self, stepped_down):
        assert not tasks(stepped_down, kind="follow_along", status="open")
        (cancelled,) = tasks(stepped_down, kind="follow_along", status="cancelled", due_date__gte=TODAY)
        assert (cancelled.due_date, cancelled.cancel_reason, cancelled.cancelled_on) == (
            day(3),
            "Follow-along stepped down.",
            day(60),
        )

    def test_the_person_leaves_the_caseload_still_in_the_job(self, specialist_sam, stepped_down, nadia):
        nadia.refresh_from_db()
        stepped_down.refresh_from_db()
        assert (nadia.status, stepped_down.status) == (JobSeeker.Status.CLOSED, Placement.Status.ACTIVE)
        change = nadia.status_changes.get(to_status="closed")
        assert (change.from_status, change.changed_by) == ("working", specialist_sam)
        assert "Follow-along stepped down" in change.note

    def test_the_scheduler_plans_no_more_contacts(self, stepped_down):
        assert services.follow_along_ensure_next(today=day(120)) == 0
        assert not tasks(stepped_down, kind="follow_along", status="open")

    def test_milestones_plan_no_more_tasks(self, stepped_down, handle_events):
        """Still working, so the milestones are emitted (all six by day 400); the day-30,
        day-90 and one-year tasks are not planned."""
        assert services.milestones_emit_due(today=day(400)) == 6
        handle_events()
        assert not tasks(stepped_down, source_event__topic="placement.milestone_reached")
        assert not tasks(stepped_down, status="open", kind__in=["follow_along", "retention_check", "step_down_review"])

    @pytest.mark.parametrize(
        "action,extra",
        [
            ("frequency", {"frequency": "weekly"}),
            ("pause", {"reason": "Holiday"}),
            ("resume", {}),
            ("decline", {"reason": "Doing fine"}),
            ("step_down", {"step_down_date": day(90), "step_down_agreed": True}),
        ],
    )
    def test_a_stepped_down_plan_changes_no_more(self, specialist_sam, stepped_down, action, extra):
        with on_day(61), pytest.raises(ValidationError) as refused:
            services.follow_along_plan_change(
                scope=scope_of(specialist_sam), placement_id=stepped_down.pk, action=action, **extra
            )
        assert refused.value.code == STATE_CONFLICT
        plan = FollowAlongPlan.objects.get(placement=stepped_down)
        assert (plan.status, plan.frequency, plan.step_down_date) == ("stepped_down", "standard", day(60))
        assert not tasks(stepped_down, status="open", kind__in=["follow_along", "step_down_review"])


class TestStepDownComplete:
    def test_completing_the_planned_step_down_does_what_the_hand_over_does(self, specialist_sam, working, nadia):
        plan_step_down(specialist_sam, working, day(30))
        task = handover(working)
        with on_day(31):
            plan = services.follow_along_step_down_complete(
                scope=scope_of(specialist_sam), placement_id=working.pk, on=day(30)
            )
        assert (plan.status, plan.stepped_down_on) == ("stepped_down", day(30))
        task.refresh_from_db()
        assert (task.status, task.completed_on) == ("done", day(30))
        assert not tasks(working, kind="follow_along", status="open")
        nadia.refresh_from_db()
        working.refresh_from_db()
        assert (nadia.status, working.status) == ("closed", "active")

    def test_a_second_completion_keeps_the_first_date(self, specialist_sam, working):
        plan_step_down(specialist_sam, working, day(30))
        with on_day(40):
            for on in (day(30), day(35)):
                services.follow_along_step_down_complete(scope=scope_of(specialist_sam), placement_id=working.pk, on=on)
        assert FollowAlongPlan.objects.get(placement=working).stepped_down_on == day(30)

    def test_without_an_agreed_step_down_it_is_refused(self, specialist_sam, working, nadia):
        with pytest.raises(ValidationError) as refused:
            services.follow_along_step_down_complete(scope=scope_of(specialist_sam), placement_id=working.pk, on=TODAY)
        assert refused.value.code == STATE_CONFLICT
        plan = FollowAlongPlan.objects.get(placement=working)
        assert (plan.status, plan.stepped_down_on) == ("active", None)
        nadia.refresh_from_db()
        assert nadia.status == "working"

    def test_it_cannot_be_dated_before_the_last_follow_along_contact(self, specialist_sam, working, nadia):
        """A step-down dated before contacts that were held would erase the contacts due
        after it from item 23 (found in the trial: backdated before the start)."""
        with on_day(3):
            complete(specialist_sam, next_contact(working), on=day(3), support_type="on_the_job")
        plan_step_down(specialist_sam, working, day(30))
        with on_day(31):
            for too_early in (day(-10), day(2)):
                with pytest.raises(ValidationError) as refused:
                    services.follow_along_step_down_complete(
                        scope=scope_of(specialist_sam), placement_id=working.pk, on=too_early
                    )
                assert set(refused.value.message_dict) == {"on"}
        assert FollowAlongPlan.objects.get(placement=working).status == "active"
        nadia.refresh_from_db()
        assert nadia.status == "working"

    def test_a_future_date_is_refused(self, specialist_sam, working, nadia):
        plan_step_down(specialist_sam, working, day(30))
        with on_day(29), pytest.raises(ValidationError) as refused:
            services.follow_along_step_down_complete(
                scope=scope_of(specialist_sam), placement_id=working.pk, on=day(30)
            )
        assert set(refused.value.message_dict) == {"on"}
        assert FollowAlongPlan.objects.get(placement=working).status == "active"
        assert handover(working).status == "open"
        nadia.refresh_from_db()
        assert nadia.status == "working"

    def test_the_hand_over_of_an_ended_job_is_refused(self, specialist_sam, working, nadia):
        """The job ends on day 20 before the step-down planned for day 30; the end's
        events are not handled yet, so the hand-over task is still open."""
        plan_step_down(specialist_sam, working, day(30))
        task = handover(working)
        with on_day(20):
            end(specialist_sam, working, day(20))
            with pytest.raises(ValidationError) as refused:
                complete(specialist_sam, task, on=day(20))
            assert refused.value.code == STATE_CONFLICT
            with pytest.raises(ValidationError):
                services.follow_along_step_down_complete(
                    scope=scope_of(specialist_sam), placement_id=working.pk, on=day(20)
                )
        task.refresh_from_db()
        assert (task.status, task.completed_on) == ("open", None)
        plan = FollowAlongPlan.objects.get(placement=working)
        assert (plan.status, plan.stepped_down_on) == ("active", None)
        nadia.refresh_from_db()
        assert nadia.status == "working"


# 7. After a job end ---------------------------------------------------------------------


class TestAfterAJobEnd:
    @pytest.mark.parametrize(
        "days_late,due",
        [(0, day(23)), (2, day(25)), (10, day(33))],
        ids=["on-the-day", "two-days-late", "ten-days-late"],
    )
    def test_the_face_to_face_contact_counts_from_when_the_end_was_recorded(
        self, specialist_sam, working, handle_events, days_late, due
    ):
        """The job ends on day 20; its end is recorded `days_late` days later: the
        contact is due 3 days after the later of the two."""
        with on_day(20 + days_late):
            end(specialist_sam, working, day(20))
            handle_events()
        (contact,) = tasks(working, kind="job_end_contact")
        assert (contact.due_date, contact.due_by) == (due, due)

    def test_handling_the_end_late_does_not_move_the_contact(self, specialist_sam, working, handle_events):
        """Recorded on day 30 (10 days late), handled by the worker on day 34: still due on
        day 33, from the day the end was recorded."""
        with on_day(30):
            end(specialist_sam, working, day(20))
        with on_day(34):
            handle_events()
        assert tasks(working, kind="job_end_contact")[0].due_date == day(33)

    def test_the_reports_face_to_face_date_cannot_be_in_the_future(self, specialist_sam, working, handle_events):
        end(specialist_sam, working, TODAY)
        handle_events()
        with pytest.raises(ValidationError) as refused:
            services.job_end_report_save(
                scope=scope_of(specialist_sam), placement_id=working.pk, report={"face_to_face_contact_on": day(1)}
            )
        assert set(refused.value.message_dict) == {"face_to_face_contact_on"}
        assert not JobEndReport.objects.exists()
        assert tasks(working, kind="job_end_report")[0].status == "open"

    def test_the_reports_face_to_face_date_cannot_be_before_the_end(self, specialist_sam, working, handle_events):
        with on_day(20):
            end(specialist_sam, working, day(20))
            handle_events()
            with pytest.raises(ValidationError) as refused:
                services.job_end_report_save(
                    scope=scope_of(specialist_sam),
                    placement_id=working.pk,
                    report={"face_to_face_contact_on": day(19)},
                )
        assert set(refused.value.message_dict) == {"face_to_face_contact_on"}
        assert not JobEndReport.objects.exists()

    def test_the_reports_face_to_face_date_may_be_the_end_date(self, specialist_sam, working, handle_events):
        with on_day(20):
            end(specialist_sam, working, day(20))
            handle_events()
        with on_day(22):
            report = services.job_end_report_save(
                scope=scope_of(specialist_sam), placement_id=working.pk, report={"face_to_face_contact_on": day(20)}
            )
        assert report.face_to_face_contact_on == day(20)


# 8. Benefits steps record the day they were completed ----------------------------------------


@pytest.fixture
def benefits_step(working):
    """The work incentives planning step offered at the offer (today): Nadia receives
    benefits."""
    return BenefitsStep.objects.get(placement=working, reason="before_start")


class TestBenefitsCompletion:
    def change(self, user, step, status, **kwargs):
        return services.benefits_step_change_status(scope=scope_of(user), step_id=step.pk, status=status, **kwargs)

    def test_steps_on_the_way_have_no_completion_date(self, specialist_sam, benefits_step):
        self.change(specialist_sam, benefits_step, "referred")
        self.change(specialist_sam, benefits_step, "session_held")
        benefits_step.refresh_from_db()
        assert (benefits_step.offered_on, benefits_step.completed_on) == (TODAY, None)

    @pytest.mark.parametrize("status", ["plan_in_place", "declined"])
    def test_finishing_is_dated_today(self, specialist_sam, benefits_step, status):
        with on_day(5):
            self.change(specialist_sam, benefits_step, status)
        benefits_step.refresh_from_db()
        assert (benefits_step.status, benefits_step.completed_on) == (status, day(5))

    def test_finishing_recorded_late_keeps_the_day_it_happened(self, specialist_sam, benefits_step):
        with on_day(5):
            self.change(specialist_sam, benefits_step, "plan_in_place", on=day(2))
        benefits_step.refresh_from_db()
        assert benefits_step.completed_on == day(2)

    def test_a_future_day_is_refused(self, specialist_sam, benefits_step):
        with on_day(5), pytest.raises(ValidationError) as refused:
            self.change(specialist_sam, benefits_step, "plan_in_place", on=day(6))
        assert set(refused.value.message_dict) == {"on"}
        benefits_step.refresh_from_db()
        assert (benefits_step.status, benefits_step.completed_on) == ("offered", None)
        assert not OutboxEvent.objects.filter(topic="benefits.step_changed").exists()

    def test_a_day_before_the_step_was_offered_is_refused(self, specialist_sam, benefits_step):
        with on_day(5), pytest.raises(ValidationError):
            self.change(specialist_sam, benefits_step, "plan_in_place", on=day(-30))
        benefits_step.refresh_from_db()
        assert benefits_step.completed_on is None


# 9. When disclosure was first discussed -------------------------------------------------------


# 23:30 UTC on Monday 2 March is already 00:30 on Tuesday 3 March in Paris (the program).
PARIS_AFTER_MIDNIGHT = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)
PARIS_DAY = datetime.date(2026, 3, 3)


class TestDisclosureDiscussedOn:
    @pytest.fixture(autouse=True)
    def server_in_utc(self, settings):
        settings.TIME_ZONE = "UTC"

    def update(self, user, person, **details):
        return crm_services.job_seeker_update(scope=scope_of(user), job_seeker_id=person.pk, details=details)

    def test_a_preference_given_at_creation_is_dated_on_the_programs_today(self, specialist_sam):
        with time_machine.travel(PARIS_AFTER_MIDNIGHT, tick=False):
            person = enrol(specialist_sam, disclosure_preference="none")
        person.refresh_from_db()
        assert person.disclosure_discussed_on == PARIS_DAY

    def test_never_set_while_undecided(self, specialist_sam):
        person = enrol(specialist_sam)
        self.update(specialist_sam, person, town="Aubagne")
        self.update(specialist_sam, person, disclosure_preference="undecided")
        person.refresh_from_db()
        assert (person.disclosure_preference, person.disclosure_discussed_on) == ("undecided", None)

    def test_set_the_first_time_the_preference_leaves_undecided(self, specialist_sam):
        person = enrol(specialist_sam)
        with time_machine.travel(PARIS_AFTER_MIDNIGHT, tick=False):
            self.update(specialist_sam, person, disclosure_preference="partial")
        person.refresh_from_db()
        assert person.disclosure_discussed_on == PARIS_DAY

    def test_later_changes_keep_the_first_date(self, specialist_sam):
        person = enrol(specialist_sam, disclosure_preference="partial")
        for n, preference in enumerate(["full", "undecided", "none"], start=1):
            with on_day(n * 7):
                self.update(specialist_sam, person, disclosure_preference=preference)
        person.refresh_from_db()
        assert (person.disclosure_preference, person.disclosure_discussed_on) == ("none", TODAY)


# 10. The disclosure talk before contacting employers -----------------------------------------


def disclosure_talks(person) -> list[SupportTask]:
    return list(person.support_tasks.filter(kind="disclosure_conversation").order_by("pk"))


class TestDisclosureTalkAtEnrolment:
    def test_enrolment_plans_one_talk_within_a_week(self, specialist_sam, handle_events):
        person = enrol(specialist_sam)
        handle_events()
        (talk,) = disclosure_talks(person)
        assert (talk.status, talk.due_date, talk.placement_id, talk.owner) == ("open", day(7), None, specialist_sam)
        assert talk.title_params == {"preference": "undecided"}

    def test_a_redelivered_enrolment_plans_no_second_talk(self, specialist_sam, handle_events):
        person = enrol(specialist_sam)
        handle_events()
        enrolled = OutboxEvent.objects.get(topic="jobseeker.enrolled", aggregate_id=person.pk)
        EventHandling.objects.filter(event=enrolled).delete()  # as if its success was never recorded
        OutboxEvent.objects.filter(pk=enrolled.pk).update(status=OutboxEvent.Status.PENDING)
        events.dispatch(enrolled.pk)
        assert len(disclosure_talks(person)) == 1

    def test_a_person_whose_preference_is_recorded_gets_none(self, specialist_sam, handle_events):
        person = enrol(specialist_sam, disclosure_preference="full")
        handle_events()
        assert disclosure_talks(person) == []

    def test_enrolment_recorded_later_plans_the_talk(self, specialist_sam, handle_events):
        person = enrol(specialist_sam, enrolment_date=None)
        handle_events()
        assert disclosure_talks(person) == []
        with on_day(3):
            crm_services.job_seeker_update(
                scope=scope_of(specialist_sam), job_seeker_id=person.pk, details={"enrolment_date": day(3)}
            )
            handle_events()
        assert [talk.due_date for talk in disclosure_talks(person)] == [day(10)]

    def test_a_reentry_plans_none(self, specialist_sam, handle_events):
        """The talk was held (its task done) without a preference recorded; the file is
        closed and reopened: the re-entry plans no new talk."""
        person = enrol(specialist_sam)
        handle_events()
        with on_day(2):
            complete(specialist_sam, disclosure_talks(person)[0], on=day(2))
        with on_day(20):
            for status in ("closed", "job_search"):
                crm_services.job_seeker_change_status(
                    scope=scope_of(specialist_sam), job_seeker_id=person.pk, status=status
                )
            handle_events()
        assert OutboxEvent.objects.filter(topic="jobseeker.enrolled", payload__reentry=True).count() == 1
        assert [talk.status for talk in disclosure_talks(person)] == ["done"]


class TestOnBehalfContactsNeedTheTalk:
    def plan(self, user, employer, people, **kwargs):
        starts_at = timezone.now() + datetime.timedelta(days=2)
        return jobdev_services.employer_contact_plan(
            scope=scope_of(user),
            employer_id=employer.pk,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1),
            job_seeker_ids=[person.pk for person in people],
            **kwargs,
        )

    def test_a_contact_for_someone_undecided_is_refused_naming_them(self, specialist_sam, nadia, bakery):
        undecided = enrol(specialist_sam)
        with pytest.raises(ValidationError) as refused:
            self.plan(specialist_sam, bakery, [nadia, undecided])
        (error,) = refused.value.error_dict["job_seekers"]
        assert error.code == "disclosure_not_discussed"
        assert "Inès Morel" in error.messages[0] and "Benali" not in error.messages[0]
        assert not EmployerContact.objects.exists()

    def test_the_specialist_may_confirm_and_go_ahead(self, specialist_sam, bakery):
        undecided = enrol(specialist_sam)
        contact = self.plan(specialist_sam, bakery, [undecided], disclosure_confirmed=True)
        assert list(contact.job_seekers.all()) == [undecided]
        assert contact.status == "planned"

    def test_a_past_contact_is_logged_without_confirmation(self, specialist_sam, bakery):
        undecided = enrol(specialist_sam)
        contact = jobdev_services.employer_contact_log(
            scope=scope_of(specialist_sam),
            employer_id=bakery.pk,
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            mode="in_person",
            purpose="on_behalf",
            job_seeker_ids=[undecided.pk],
        )
        assert (contact.status, list(contact.job_seekers.all())) == ("held", [undecided])


# 11. A contact in the future is neither held nor logged -------------------------------------


class TestFutureEmployerContacts:
    def plan(self, user, employer, person, starts_at):
        return jobdev_services.employer_contact_plan(
            scope=scope_of(user),
            employer_id=employer.pk,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1),
            job_seeker_ids=[person.pk],
        )

    def test_holding_a_contact_that_has_not_begun_changes_nothing(self, specialist_sam, nadia, bakery):
        contact = self.plan(specialist_sam, bakery, nadia, timezone.now() + datetime.timedelta(hours=1))
        with pytest.raises(ValidationError):
            jobdev_services.employer_contact_hold(
                scope=scope_of(specialist_sam), contact_id=contact.pk, outcome={"result": "Met the manager"}
            )
        contact.refresh_from_db()
        assert (contact.status, contact.result, contact.sequence) == ("planned", "", 0)
        assert not OutboxEvent.objects.filter(topic="employer_contact.held").exists()
        nadia.refresh_from_db()
        assert nadia.first_employer_contact_on is None

    def test_a_contact_beginning_within_five_minutes_may_be_held(self, specialist_sam, nadia, bakery):
        """A few minutes' grace for clocks (jobdev.services.HELD_GRACE)."""
        contact = self.plan(specialist_sam, bakery, nadia, timezone.now() + datetime.timedelta(minutes=4))
        jobdev_services.employer_contact_hold(scope=scope_of(specialist_sam), contact_id=contact.pk, outcome={})
        contact.refresh_from_db()
        assert contact.status == "held"

    def test_a_contact_beginning_in_six_minutes_may_not(self, specialist_sam, nadia, bakery):
        contact = self.plan(specialist_sam, bakery, nadia, timezone.now() + datetime.timedelta(minutes=6))
        with pytest.raises(ValidationError):
            jobdev_services.employer_contact_hold(scope=scope_of(specialist_sam), contact_id=contact.pk, outcome={})
        contact.refresh_from_db()
        assert contact.status == "planned"

    def test_logging_a_contact_in_the_future_changes_nothing(self, specialist_sam, nadia, bakery):
        with pytest.raises(ValidationError) as refused:
            jobdev_services.employer_contact_log(
                scope=scope_of(specialist_sam),
                employer_id=bakery.pk,
                occurred_at=timezone.now() + datetime.timedelta(hours=1),
                mode="in_person",
                purpose="on_behalf",
                job_seeker_ids=[nadia.pk],
            )
        assert set(refused.value.message_dict) == {"occurred_at"}
        assert not EmployerContact.objects.exists()
        assert not OutboxEvent.objects.exists()
        nadia.refresh_from_db()
        assert nadia.first_employer_contact_on is None


class TestFactsAreNotDatedAhead:
    """Found in the trial: dates in the future that started clocks and counts early."""

    @pytest.mark.parametrize("field", ["referral_date", "enrolment_date"])
    def test_a_referral_or_enrolment_in_the_future_is_refused(self, specialist_sam, field):
        with pytest.raises(ValidationError) as refused:
            enrol(specialist_sam, **{field: day(1), "referral_date": day(1) if field == "referral_date" else TODAY})
        assert field in refused.value.message_dict
        assert not JobSeeker.objects.filter(last_name="Morel").exists()

    def test_an_offer_accepted_tomorrow_is_refused(self, specialist_sam, nadia, bakery):
        with pytest.raises(ValidationError) as refused:
            offer(specialist_sam, nadia, bakery, on=day(1))
        assert set(refused.value.message_dict) == {"offer_date"}
        assert not nadia.placements.exists()

    def test_a_contact_cannot_be_done_before_the_offer(self, specialist_sam, working):
        with on_day(3), pytest.raises(ValidationError) as refused:
            complete(specialist_sam, next_contact(working), on=day(-30), support_type="on_the_job")
        assert set(refused.value.message_dict) == {"completed_on"}
        assert next_contact(working).status == "open"
