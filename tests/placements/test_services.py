"""Each rule of placements/services.py, called directly with a scope, unhappy paths
included. The lifecycle as a whole is in test_lifecycle.py."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError

from crm.access import OutOfScope, ProgramScope, access_scope
from crm.models import OutboxEvent
from placements import services
from placements.models import Accommodation, BenefitsStep, JobEndReport, Placement, SupportTask, TaskTitle
from tests.factories import EmployerFactory, EmployerSiteFactory, JobSeekerFactory, PlacementFactory
from tests.placements.conftest import end, offer, start

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def working(specialist_sam, nadia, bakery):
    placement = offer(specialist_sam, nadia, bakery, on=TODAY)
    return start(specialist_sam, placement, TODAY)


def sam(specialist_sam):
    return access_scope(specialist_sam)


class TestOffer:
    def test_a_site_of_another_employer_is_refused(self, specialist_sam, nadia, bakery):
        other_site = EmployerSiteFactory(employer=EmployerFactory(organisation=specialist_sam.organisation))
        with pytest.raises(ValidationError) as error:
            offer(specialist_sam, nadia, bakery, on=TODAY, site_id=other_site.pk)
        assert "site" in error.value.message_dict
        assert not Placement.objects.exists() and not OutboxEvent.objects.exists()

    def test_the_employers_own_site_is_accepted(self, specialist_sam, nadia, bakery):
        site = EmployerSiteFactory(employer=bakery)
        assert offer(specialist_sam, nadia, bakery, on=TODAY, site_id=site.pk).site == site

    def test_expected_start_before_the_offer_is_refused_on_its_field(self, specialist_sam, nadia, bakery):
        with pytest.raises(ValidationError) as error:
            offer(specialist_sam, nadia, bakery, on=TODAY, expected_start_date=TODAY - datetime.timedelta(days=1))
        assert error.value.message_dict["expected_start_date"] == ["The start cannot be before the offer was accepted."]

    def test_an_unknown_field_is_a_programming_error(self, specialist_sam, nadia, bakery):
        with pytest.raises(ValueError, match="status"):
            offer(specialist_sam, nadia, bakery, on=TODAY, status="active")

    def test_another_programs_job_seeker_is_out_of_scope(self, specialist_sam, specialist_louis, bakery):
        theirs = JobSeekerFactory(specialist=specialist_louis)
        with pytest.raises(OutOfScope):
            offer(specialist_sam, theirs, bakery, on=TODAY)

    def test_the_placement_model_checks_site_employer_and_program_for_the_admin(
        self, specialist_sam, specialist_louis, nadia, bakery
    ):
        foreign_employer = EmployerFactory(organisation=specialist_louis.organisation)
        placement = PlacementFactory.build(
            job_seeker=nadia,
            organisation=nadia.organisation,
            employer=bakery,
            site=EmployerSiteFactory(employer=foreign_employer),
            job_type=None,
        )
        with pytest.raises(ValidationError) as error:
            placement.full_clean()
        assert "site" in error.value.message_dict
        placement.site, placement.employer = None, foreign_employer
        with pytest.raises(ValidationError) as error:
            placement.full_clean()
        assert "employer" in error.value.message_dict


class TestLifecycleRules:
    def test_a_team_mate_who_reads_the_placement_cannot_start_it(self, specialist_sam, specialist_sofia, nadia, bakery):
        placement = offer(specialist_sam, nadia, bakery, on=TODAY)
        with pytest.raises(OutOfScope):
            start(specialist_sofia, placement, TODAY)
        placement.refresh_from_db()
        assert placement.status == "offer_accepted"

    def test_an_ended_job_takes_no_new_terms(self, specialist_sam, working):
        end(specialist_sam, working, TODAY)
        with pytest.raises(ValidationError):
            services.placement_change_terms(
                scope=sam(specialist_sam),
                placement_id=working.pk,
                hours_per_week=Decimal("30"),
                hourly_pay=None,
                effective_on=TODAY,
            )

    def test_a_job_cannot_end_before_it_started(self, specialist_sam, working):
        with pytest.raises(ValidationError) as error:
            end(specialist_sam, working, TODAY - datetime.timedelta(days=1))
        assert "end_date" in error.value.message_dict

    def test_a_start_tomorrow_is_refused_and_changes_nothing(self, specialist_sam, nadia, bakery):
        placement = offer(specialist_sam, nadia, bakery, on=TODAY, expected_start_date=TODAY + datetime.timedelta(1))
        events_before = OutboxEvent.objects.count()
        with pytest.raises(ValidationError) as error:
            start(specialist_sam, placement, TODAY + datetime.timedelta(days=1))
        assert "on the day it happens" in error.value.message_dict["start_date"][0]
        placement.refresh_from_db()
        nadia.refresh_from_db()
        assert placement.status == "offer_accepted" and placement.start_date is None
        assert nadia.status == "job_search" and not placement.milestones.exists()
        assert OutboxEvent.objects.count() == events_before

    def test_a_start_today_in_the_programs_time_zone_is_accepted(self, specialist_sam, nadia, bakery):
        placement = offer(specialist_sam, nadia, bakery, on=TODAY)
        assert start(specialist_sam, placement, TODAY).status == "active"

    def test_an_end_tomorrow_is_refused_and_the_person_is_still_working(self, specialist_sam, nadia, working):
        with pytest.raises(ValidationError) as error:
            end(specialist_sam, working, TODAY + datetime.timedelta(days=1))
        assert "end_date" in error.value.message_dict
        working.refresh_from_db()
        nadia.refresh_from_db()
        assert working.status == "active" and nadia.status == "working"

    def test_an_offer_not_started_cannot_end(self, specialist_sam, nadia, bakery):
        placement = offer(specialist_sam, nadia, bakery, on=TODAY)
        with pytest.raises(ValidationError):
            end(specialist_sam, placement, TODAY)

    def test_the_start_moves_the_employer_through_its_one_writer(self, specialist_sam, nadia, bakery):
        bakery.relationship_stage = "relationship"
        bakery.save()
        start(specialist_sam, offer(specialist_sam, nadia, bakery, on=TODAY), TODAY)
        bakery.refresh_from_db()
        assert bakery.relationship_stage == "has_hired"

    def test_follow_along_cannot_change_before_the_job_has_one(self, specialist_sam, nadia, bakery):
        placement = offer(specialist_sam, nadia, bakery, on=TODAY)
        with pytest.raises(ValidationError):
            services.follow_along_plan_change(scope=sam(specialist_sam), placement_id=placement.pk, action="pause")

    @pytest.mark.parametrize("action,extra", [("juggle", {}), ("frequency", {"frequency": "hourly"})])
    def test_unknown_follow_along_changes_are_refused(self, specialist_sam, working, handle_events, action, extra):
        handle_events()
        with pytest.raises(ValidationError):
            services.follow_along_plan_change(
                scope=sam(specialist_sam), placement_id=working.pk, action=action, **extra
            )


class TestAccommodations:
    def test_the_next_step_is_on_the_model(self, working):
        accommodation = Accommodation(placement=working, description="Quiet desk")
        steps = []
        while accommodation.next_status:
            steps.append(accommodation.next_status)
            accommodation.status = accommodation.next_status
        assert steps == ["discussed", "requested", "agreed", "in_place", "reviewed"]
        assert Accommodation(status="dropped").next_status is None

    def test_an_omitted_status_moves_to_the_next_step(self, specialist_sam, working):
        accommodation = services.accommodation_add(
            scope=sam(specialist_sam), placement_id=working.pk, description="Quiet desk", consents=True
        )
        for expected in ["discussed", "requested", "agreed", "in_place", "reviewed"]:
            moved = services.accommodation_change_status(scope=sam(specialist_sam), accommodation_id=accommodation.pk)
            assert moved.status == expected
        changes = [
            e.payload["to"] for e in OutboxEvent.objects.filter(topic="accommodation.status_changed").order_by("pk")
        ]
        assert changes == ["identified", "discussed", "requested", "agreed", "in_place", "reviewed"]

    def test_a_finished_adjustment_changes_no_more(self, specialist_sam, working):
        accommodation = services.accommodation_add(
            scope=sam(specialist_sam), placement_id=working.pk, description="Quiet desk", consents=True
        )
        services.accommodation_change_status(
            scope=sam(specialist_sam), accommodation_id=accommodation.pk, status="dropped"
        )
        for status in ("discussed", None):
            with pytest.raises(ValidationError):
                services.accommodation_change_status(
                    scope=sam(specialist_sam), accommodation_id=accommodation.pk, status=status
                )
        assert Accommodation.objects.get().status == "dropped"

    def test_the_omitted_next_step_still_needs_consent_before_requesting(self, specialist_sam, working):
        accommodation = services.accommodation_add(
            scope=sam(specialist_sam), placement_id=working.pk, description="Quiet desk", consents=False
        )
        services.accommodation_change_status(scope=sam(specialist_sam), accommodation_id=accommodation.pk)
        with pytest.raises(ValidationError):
            services.accommodation_change_status(scope=sam(specialist_sam), accommodation_id=accommodation.pk)

    def test_another_teams_specialist_is_out_of_scope(self, specialist_sam, specialist_bob, working):
        accommodation = services.accommodation_add(
            scope=sam(specialist_sam), placement_id=working.pk, description="Quiet desk", consents=True
        )
        with pytest.raises(OutOfScope):
            services.accommodation_add(
                scope=access_scope(specialist_bob), placement_id=working.pk, description="x", consents=True
            )
        with pytest.raises(OutOfScope):
            services.accommodation_change_status(scope=access_scope(specialist_bob), accommodation_id=accommodation.pk)

    def test_an_ended_job_takes_no_new_adjustment(self, specialist_sam, working):
        end(specialist_sam, working, TODAY)
        with pytest.raises(ValidationError):
            services.accommodation_add(
                scope=sam(specialist_sam), placement_id=working.pk, description="x", consents=True
            )


class TestBenefitsSteps:
    @pytest.fixture
    def step(self, specialist_sam, working, nadia):
        return services.benefits_step_create(
            scope=sam(specialist_sam), job_seeker_id=nadia.pk, placement_id=working.pk, reason="other", offered_on=TODAY
        )

    def test_an_omitted_status_moves_to_the_next_step_until_finished(self, specialist_sam, step):
        for expected in ["referred", "session_held", "plan_in_place"]:
            assert services.benefits_step_change_status(scope=sam(specialist_sam), step_id=step.pk).status == expected
        assert BenefitsStep.objects.get().is_finished
        with pytest.raises(ValidationError):
            services.benefits_step_change_status(scope=sam(specialist_sam), step_id=step.pk)
        with pytest.raises(ValidationError):
            services.benefits_step_change_status(scope=sam(specialist_sam), step_id=step.pk, status="declined")

    def test_a_step_for_someone_elses_job_is_refused(self, specialist_sam, working):
        other = JobSeekerFactory(specialist=specialist_sam)
        with pytest.raises(ValidationError):
            services.benefits_step_create(
                scope=sam(specialist_sam),
                job_seeker_id=other.pk,
                placement_id=working.pk,
                reason="other",
                offered_on=TODAY,
            )

    def test_another_teams_specialist_is_out_of_scope(self, specialist_bob, step):
        with pytest.raises(OutOfScope):
            services.benefits_step_change_status(scope=access_scope(specialist_bob), step_id=step.pk)


class TestSupportTaskCreate:
    def test_the_owner_is_the_job_seekers_specialist_whoever_creates_it(
        self, specialist_sam, leader_a, organisation, nadia
    ):
        for scope in (access_scope(leader_a), ProgramScope(organisation)):
            task = services.support_task_create(
                scope=scope, job_seeker_id=nadia.pk, kind="job_end_contact", due_date=TODAY
            )
            assert task.owner == specialist_sam and task.organisation == organisation
            assert task.title_key == TaskTitle.JOB_END_CONTACT and task.custom_title == ""

    def test_the_name_is_never_stored(self, organisation, nadia):
        with pytest.raises(ValueError, match="name"):
            services.support_task_create(
                scope=ProgramScope(organisation),
                job_seeker_id=nadia.pk,
                kind="job_search_nudge",
                params={"day": 14, "name": "Nadia Benali"},
                due_date=TODAY,
            )
        assert not SupportTask.objects.exists()

    def test_a_task_needs_a_title(self, organisation, nadia):
        with pytest.raises(ValidationError):
            services.support_task_create(
                scope=ProgramScope(organisation), job_seeker_id=nadia.pk, kind="other", due_date=TODAY
            )
        task = services.support_task_create(
            scope=ProgramScope(organisation), job_seeker_id=nadia.pk, kind="other", title="Call back", due_date=TODAY
        )
        assert (task.title, task.title_key) == ("Call back", "")

    @pytest.mark.parametrize("due_date", [datetime.date(9999, 12, 31), datetime.date(1999, 12, 31)])
    def test_a_due_date_outside_the_derived_bound_is_refused(self, organisation, nadia, due_date):
        with pytest.raises(ValidationError) as refused:
            services.support_task_create(
                scope=ProgramScope(organisation), job_seeker_id=nadia.pk, kind="job_end_contact", due_date=due_date
            )
        assert "due_date" in refused.value.message_dict
        assert not SupportTask.objects.exists()

    def test_a_milestone_a_year_after_the_policys_last_day_is_made(self, organisation, nadia):
        task = services.support_task_create(
            scope=ProgramScope(organisation),
            job_seeker_id=nadia.pk,
            kind="retention_check",
            due_date=datetime.date(2101, 12, 31),
        )
        assert task.due_date == datetime.date(2101, 12, 31)

    def test_links_to_someone_elses_records_are_refused(self, specialist_sam, organisation, nadia, working):
        other = JobSeekerFactory(specialist=specialist_sam)
        scope = ProgramScope(organisation)
        accommodation = services.accommodation_add(
            scope=sam(specialist_sam), placement_id=working.pk, description="Quiet desk", consents=True
        )
        other_job = PlacementFactory(job_seeker=other)
        step = services.benefits_step_create(
            scope=scope, job_seeker_id=nadia.pk, placement_id=None, reason="other", offered_on=TODAY
        )
        for links in (
            {"placement_id": working.pk},
            {"placement_id": other_job.pk, "accommodation_id": accommodation.pk},
            {"benefits_step_id": step.pk},
        ):
            with pytest.raises(ValidationError):
                services.support_task_create(
                    scope=scope, job_seeker_id=other.pk, kind="follow_along", due_date=TODAY, **links
                )
        assert not SupportTask.objects.filter(job_seeker=other).exists()

    def test_a_job_seeker_out_of_scope_gets_no_task(self, specialist_bob, nadia):
        with pytest.raises(OutOfScope):
            services.support_task_create(
                scope=access_scope(specialist_bob), job_seeker_id=nadia.pk, kind="follow_along", due_date=TODAY
            )

    def test_every_task_of_the_code_base_is_made_by_the_one_constructor(self):
        """One writer: no other module (handlers, nudges, the demo data) makes SupportTask
        rows."""
        root = Path(__file__).resolve().parents[2]
        creation = re.compile(r"(?<!class )SupportTask\(|SupportTask\.objects\.(create|bulk_create|get_or_create)")
        offenders = []
        for path in root.rglob("*.py"):
            relative = path.relative_to(root).as_posix()
            if relative.startswith((".venv/", "tests/")) or "/migrations/" in relative:
                continue
            if relative == "placements/services.py":
                continue
            offenders += [
                f"{relative}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1) if creation.search(line)
            ]
        assert offenders == []


class TestTaskScheduleAndComplete:
    @pytest.fixture
    def task(self, organisation, nadia):
        return services.support_task_create(
            scope=ProgramScope(organisation), job_seeker_id=nadia.pk, kind="retention_check", due_date=TODAY
        )

    def test_an_appointment_raises_the_revision_only_when_it_changes(self, specialist_sam, task):
        at = datetime.time(14, 30)
        moved = services.support_task_schedule(
            scope=sam(specialist_sam), task_id=task.pk, due_date=TODAY, due_time=at, duration_minutes=45
        )
        assert (moved.due_time, moved.duration_minutes, moved.sequence) == (at, 45, 1)
        again = services.support_task_schedule(
            scope=sam(specialist_sam), task_id=task.pk, due_date=TODAY, due_time=at, duration_minutes=45
        )
        assert again.sequence == 1

    @pytest.mark.parametrize("minutes", [4, 721])
    def test_an_appointment_lasts_5_minutes_to_12_hours(self, specialist_sam, task, minutes):
        with pytest.raises(ValidationError):
            services.support_task_schedule(
                scope=sam(specialist_sam), task_id=task.pk, due_date=TODAY, due_time=None, duration_minutes=minutes
            )

    def test_a_closed_task_takes_no_appointment(self, specialist_sam, task):
        services.support_task_complete(scope=sam(specialist_sam), task_id=task.pk, completed_on=TODAY, mode="phone")
        with pytest.raises(ValidationError):
            services.support_task_schedule(scope=sam(specialist_sam), task_id=task.pk, due_date=TODAY, due_time=None)

    def test_another_teams_specialist_is_out_of_scope(self, specialist_bob, task):
        with pytest.raises(OutOfScope):
            services.support_task_complete(
                scope=access_scope(specialist_bob), task_id=task.pk, completed_on=TODAY, mode="phone"
            )
        task.refresh_from_db()
        assert task.status == "open"


class TestJobEndReport:
    def test_only_an_ended_job_has_a_report(self, specialist_sam, working):
        with pytest.raises(ValidationError):
            services.job_end_report_save(
                scope=sam(specialist_sam), placement_id=working.pk, report={"worker_perspective": "x"}
            )
        assert not JobEndReport.objects.exists()

    def test_an_unknown_field_is_a_programming_error(self, specialist_sam, working):
        end(specialist_sam, working, TODAY)
        with pytest.raises(ValueError, match="placement"):
            services.job_end_report_save(scope=sam(specialist_sam), placement_id=working.pk, report={"placement": None})

    def test_the_report_is_signed_by_whoever_writes_it_last(self, specialist_sam, leader_a, working):
        end(specialist_sam, working, TODAY)
        services.job_end_report_save(scope=sam(specialist_sam), placement_id=working.pk, report={"what_worked": "a"})
        report = services.job_end_report_save(
            scope=access_scope(leader_a), placement_id=working.pk, report={"next_steps": "b"}
        )
        assert (report.what_worked, report.next_steps, report.written_by) == ("a", "b", leader_a)
        assert JobEndReport.objects.count() == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda scope, p: services.placement_start(scope=scope, placement_id=p.pk, start_date=TODAY),
        lambda scope, p: services.placement_change_terms(
            scope=scope, placement_id=p.pk, hours_per_week=Decimal("30"), hourly_pay=None, effective_on=TODAY
        ),
        lambda scope, p: services.placement_end(scope=scope, placement_id=p.pk, end_date=TODAY, end_reason="fired"),
        lambda scope, p: services.follow_along_plan_change(scope=scope, placement_id=p.pk, action="resume"),
        lambda scope, p: services.job_end_report_save(scope=scope, placement_id=p.pk, report={}),
        lambda scope, p: services.accommodation_add(scope=scope, placement_id=p.pk, description="x", consents=True),
    ],
)
def test_every_placement_service_answers_out_of_scope_to_another_team(specialist_bob, specialist_louis, working, call):
    for outsider in (specialist_bob, specialist_louis):
        with pytest.raises(OutOfScope):
            call(access_scope(outsider), working)
    working.refresh_from_db()
    assert working.status == "active" and working.hours_per_week == Decimal("20")


def test_a_known_hours_or_pay_cannot_be_erased_by_a_change_of_terms(specialist_sam, nadia, bakery):
    day = datetime.date(2026, 3, 2)
    placement = offer(specialist_sam, nadia, bakery, on=day)
    start(specialist_sam, placement, day)
    placement.refresh_from_db()
    known = (placement.hours_per_week, placement.hourly_pay)
    assert None not in known
    with pytest.raises(ValidationError) as error:
        services.placement_change_terms(
            scope=access_scope(specialist_sam),
            placement_id=placement.pk,
            hours_per_week=None,
            hourly_pay=None,
            effective_on=day,
        )
    assert {"hours_per_week", "hourly_pay"} <= set(error.value.error_dict)
    placement.refresh_from_db()
    assert (placement.hours_per_week, placement.hourly_pay) == known
    assert not OutboxEvent.objects.filter(topic="placement.terms_changed").exists()


def test_a_job_seeker_with_a_job_under_way_is_not_closed_by_hand(specialist_sam, nadia, bakery):
    from crm import services as crm_services

    offer(specialist_sam, nadia, bakery, on=datetime.date(2026, 3, 2))
    with pytest.raises(ValidationError) as error:
        crm_services.job_seeker_change_status(
            scope=access_scope(specialist_sam), job_seeker_id=nadia.pk, status="closed"
        )
    assert "status" in error.value.error_dict
    nadia.refresh_from_db()
    assert nadia.status != "closed"


def test_a_site_or_employer_id_naming_no_row_is_a_validation_error_not_a_crash(organisation):
    from django.core.exceptions import ValidationError as DjangoValidationError

    from placements.models import Placement as PlacementModel
    from tests.factories import JobSeekerFactory as People

    person = People(organisation=organisation, specialist__organisation=organisation)
    placement = PlacementModel(
        organisation=organisation, job_seeker=person, employer_id=2**40, site_id=2**40, job_title="x"
    )
    with pytest.raises(DjangoValidationError) as refused:
        placement.clean()
    assert set(refused.value.message_dict) == {"employer", "site"}
