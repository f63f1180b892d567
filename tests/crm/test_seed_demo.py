from datetime import datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from crm.models import JobSeeker, JobSeekerStatusChange, Organisation, OutboxEvent, User
from employers.models import Employer
from placements.models import (
    MILESTONE_DAYS,
    Accommodation,
    BenefitsStep,
    FollowAlongPlan,
    JobEndReport,
    Placement,
    PlacementMilestone,
    SupportTask,
)
from placements.services import follow_along_ensure_next, milestones_emit_due

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def seeded_snapshot(seed_value: int) -> tuple[list, list]:
    """Job seeker names and placements from a seed, rolled back afterwards."""
    with transaction.atomic():
        seed(seed=seed_value)
        names = list(JobSeeker.objects.order_by("id").values_list("first_name", "last_name"))
        placements = list(
            Placement.objects.order_by("id").values_list("job_seeker__last_name", "employer__name", "status")
        )
        transaction.set_rollback(True)
    return names, placements


def row_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "job seekers": JobSeeker.objects.count(),
        "status changes": JobSeekerStatusChange.objects.count(),
        "employers": Employer.objects.count(),
        "placements": Placement.objects.count(),
        "support tasks": SupportTask.objects.count(),
        "milestones": PlacementMilestone.objects.count(),
        "follow-along plans": FollowAlongPlan.objects.count(),
        "accommodations": Accommodation.objects.count(),
        "benefits steps": BenefitsStep.objects.count(),
        "job-end reports": JobEndReport.objects.count(),
    }


@pytest.mark.django_db
def test_seed_creates_a_demo_program():
    seed()

    organisation = Organisation.objects.get(slug="ips-marseille")
    assert Organisation.objects.count() == 1
    assert organisation.users.count() == 5
    assert 35 <= organisation.job_seekers.count() <= 45
    assert 55 <= organisation.employers.count() <= 70
    assert set(organisation.placements.values_list("status", flat=True)) == set(Placement.Status.values)


@pytest.mark.django_db
def test_seed_creates_the_team_and_roles():
    seed()

    users = {user.username: user for user in User.objects.select_related("team")}
    assert users["leader"].role == User.Role.TEAM_LEADER
    assert users["leader"].team.leader == users["leader"]
    assert users["admin"].role == User.Role.PROGRAM_ADMIN and users["admin"].is_staff
    for username in ("specialist1", "specialist2", "specialist3"):
        assert users[username].role == User.Role.SPECIALIST
        assert users[username].team == users["leader"].team
    assert users["specialist1"].check_password("ips-demo-2026")


@pytest.mark.django_db
def test_every_job_seeker_has_a_specialist_of_the_program_within_the_caseload_limit():
    seed()

    organisation = Organisation.objects.get(slug="ips-marseille")
    for job_seeker in JobSeeker.objects.select_related("specialist"):
        assert job_seeker.specialist.organisation_id == organisation.pk
        assert job_seeker.specialist.role == User.Role.SPECIALIST
        assert job_seeker.status_changes.exists()
    for specialist in User.objects.filter(role=User.Role.SPECIALIST):
        active = specialist.caseload.exclude(status=JobSeeker.Status.CLOSED).count()
        assert 0 < active <= organisation.caseload_limit


@pytest.mark.django_db
def test_job_seekers_statuses_agree_with_their_placements():
    seed()

    for placement in Placement.objects.filter(status=Placement.Status.ACTIVE).select_related("job_seeker"):
        assert placement.job_seeker.status in (JobSeeker.Status.WORKING, JobSeeker.Status.FOLLOW_ALONG)
    working = JobSeeker.objects.filter(status__in=[JobSeeker.Status.WORKING, JobSeeker.Status.FOLLOW_ALONG])
    for job_seeker in working:
        assert job_seeker.placements.filter(status=Placement.Status.ACTIVE).exists()
    for job_seeker in JobSeeker.objects.all():
        assert job_seeker.status_changes.order_by("-changed_at", "-id").first().to_status == job_seeker.status


@pytest.mark.django_db
def test_support_tasks_are_owned_by_the_job_seekers_specialist():
    seed()

    tasks = SupportTask.objects.select_related("job_seeker")
    assert tasks.filter(status=SupportTask.Status.OPEN).exists()
    assert tasks.filter(status=SupportTask.Status.DONE).exists()
    for task in tasks:
        assert task.owner_id == task.job_seeker.specialist_id


@pytest.mark.django_db
def test_seed_records_an_initial_audit_history():
    seed()

    job_seeker = JobSeeker.objects.first()
    assert job_seeker.history.filter(history_type="+").count() == 1
    assert job_seeker.career_profile.history.exists()
    assert job_seeker.job_preference.history.exists()


@pytest.mark.django_db
def test_running_twice_creates_nothing_more():
    seed()
    before = row_counts()

    output = seed()

    assert row_counts() == before
    assert "already exists" in output
    assert "specialist1" in output


@pytest.mark.django_db
def test_same_seed_gives_the_same_data():
    first = seeded_snapshot(7)
    assert not JobSeeker.objects.exists()

    assert seeded_snapshot(7) == first
    assert seeded_snapshot(8)[0] != first[0]


@pytest.mark.django_db
def test_logins_are_printed():
    output = seed()

    for username in ("leader", "specialist1", "specialist2", "specialist3", "admin"):
        assert username in output
    assert "ips-demo-2026" in output
    assert "http://127.0.0.1:8000/" in output


@pytest.mark.django_db
def test_if_empty_leaves_a_real_program_alone(organisation):
    from io import StringIO

    from django.core.management import call_command

    from crm.models import Organisation

    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert list(Organisation.objects.all()) == [organisation]
    assert "no demo data added" in out.getvalue()


@pytest.mark.django_db
def test_started_placements_have_their_six_milestones_and_the_due_ones_are_reached():
    seed()
    today = timezone.localdate()

    started = Placement.objects.exclude(status=Placement.Status.OFFER_ACCEPTED)
    assert started.filter(status=Placement.Status.ACTIVE).exists() and started.filter(status=Placement.Status.ENDED)
    for placement in started:
        milestones = {milestone.name: milestone for milestone in placement.milestones.all()}
        assert set(milestones) == set(MILESTONE_DAYS)
        last_day = placement.end_date or today
        for name, days in MILESTONE_DAYS.items():
            milestone = milestones[name]
            assert milestone.due_date == placement.start_date + timedelta(days=days)
            if milestone.due_date <= last_day:
                assert milestone.still_working is True
                assert timezone.is_aware(milestone.reached_at)
                morning = datetime.combine(milestone.due_date, time(9), PARIS)
                assert milestone.reached_at == morning or milestone.reached_at.astimezone(PARIS).date() == today
            else:
                assert milestone.reached_at is None and milestone.still_working is None
    assert PlacementMilestone.objects.filter(reached_at__isnull=False).exists()
    assert not PlacementMilestone.objects.filter(placement__status=Placement.Status.OFFER_ACCEPTED).exists()


@pytest.mark.django_db
def test_the_scheduler_has_nothing_to_catch_up_on_after_seeding():
    seed()
    today = timezone.localdate()
    tasks_before = SupportTask.objects.count()

    assert milestones_emit_due(today=today) == 0
    assert follow_along_ensure_next(today=today) == 0
    assert SupportTask.objects.count() == tasks_before
    assert not OutboxEvent.objects.exists()  # the demo history predates the event log


@pytest.mark.django_db
def test_follow_along_plans_go_with_the_jobs():
    seed()
    today = timezone.localdate()

    active_plans = FollowAlongPlan.objects.filter(placement__status=Placement.Status.ACTIVE)
    assert active_plans.count() == Placement.objects.filter(status=Placement.Status.ACTIVE).count()
    assert active_plans.filter(frequency=FollowAlongPlan.Frequency.MONTHLY).count() == 1
    paused = active_plans.get(status=FollowAlongPlan.Status.PAUSED)
    assert paused.status_reason
    assert (
        active_plans.filter(frequency=FollowAlongPlan.Frequency.STANDARD, status=FollowAlongPlan.Status.ACTIVE).count()
        >= 4
    )
    for plan in active_plans.filter(status=FollowAlongPlan.Status.ACTIVE):
        upcoming = plan.placement.support_tasks.filter(
            kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN, due_date__gte=today
        )
        assert upcoming.exists()
    assert not paused.placement.support_tasks.filter(
        kind=SupportTask.Kind.FOLLOW_ALONG, status=SupportTask.Status.OPEN, due_date__gte=today
    ).exists()
    for placement in Placement.objects.filter(status=Placement.Status.ENDED):
        plan = placement.follow_along_plan
        assert plan.status == FollowAlongPlan.Status.ENDED
        assert plan.status_reason and len(plan.status_reason) <= 300
    assert not SupportTask.objects.filter(status=SupportTask.Status.CANCELLED, cancel_reason="").exists()


@pytest.mark.django_db
def test_accommodations_are_requested_from_the_employer_only_with_consent():
    seed()

    accommodations = Accommodation.objects.select_related("placement")
    assert accommodations.count() >= 4
    assert len({accommodation.status for accommodation in accommodations}) >= 4
    requested_or_later = Accommodation.ORDER[Accommodation.ORDER.index(Accommodation.Status.REQUESTED) :]
    for accommodation in accommodations:
        assert accommodation.placement.status != Placement.Status.ENDED
        if accommodation.status in requested_or_later:
            assert accommodation.worker_consents_to_disclosure
    assert accommodations.filter(status__in=requested_or_later).exists()
    assert SupportTask.objects.filter(accommodation__isnull=False, kind=SupportTask.Kind.ACCOMMODATION).exists()


@pytest.mark.django_db
def test_upcoming_starts_have_an_expected_start_date_and_benefits_steps():
    seed()
    today = timezone.localdate()

    upcoming = Placement.objects.filter(status=Placement.Status.OFFER_ACCEPTED).select_related("job_seeker")
    for placement in upcoming:
        assert placement.start_date is None
        assert placement.offer_date <= today < placement.expected_start_date <= today + timedelta(days=14)
    on_benefits = upcoming.filter(
        expected_start_date__gte=today,
        job_seeker__receives_benefits__in=[JobSeeker.Benefits.YES, JobSeeker.Benefits.UNKNOWN],
    )
    assert on_benefits.count() >= 2
    for placement in on_benefits:
        step = placement.benefits_steps.get()
        assert step.reason == BenefitsStep.Reason.BEFORE_START
        assert step.status in (BenefitsStep.Status.OFFERED, BenefitsStep.Status.REFERRED)
        assert step.support_tasks.filter(kind=SupportTask.Kind.BENEFITS_PLANNING, placement=placement).exists()


@pytest.mark.django_db
def test_benefits_steps_belong_to_job_seekers_on_benefits_with_a_placement():
    seed()

    steps = BenefitsStep.objects.select_related("job_seeker", "placement")
    assert steps.exists()
    assert {step.status for step in steps} <= set(BenefitsStep.ORDER)
    for step in steps:
        assert step.placement.job_seeker_id == step.job_seeker_id
        assert step.job_seeker.receives_benefits != JobSeeker.Benefits.NO
        assert step.offered_on == step.placement.offer_date
        assert step.support_tasks.exists()
        if step.status == BenefitsStep.Status.PLAN_IN_PLACE:
            assert not step.support_tasks.filter(status=SupportTask.Status.OPEN).exists()


@pytest.mark.django_db
def test_job_end_reports_and_their_tasks_agree():
    seed()

    ended = Placement.objects.filter(status=Placement.Status.ENDED)
    reports = JobEndReport.objects.select_related("placement")
    assert reports.count() >= ended.count() / 2
    for report in reports:
        assert report.worker_perspective and report.staff_perspective and report.next_steps
        assert report.written_on >= report.placement.end_date
    for placement in ended:
        task = placement.support_tasks.get(kind=SupportTask.Kind.JOB_END_REPORT)
        has_report = JobEndReport.objects.filter(placement=placement).exists()
        assert (task.status == SupportTask.Status.DONE) == has_report
        assert placement.support_tasks.filter(kind=SupportTask.Kind.JOB_END_CONTACT).exists()


@pytest.mark.django_db
def test_job_search_restarts_after_a_job_end():
    seed()

    for job_seeker in JobSeeker.objects.prefetch_related("placements", "status_changes"):
        back_to_search = [
            change.changed_at.astimezone(PARIS).date()
            for change in job_seeker.status_changes.all()
            if change.to_status == JobSeeker.Status.JOB_SEARCH and change.from_status
        ]
        expected = max(back_to_search, default=job_seeker.enrolment_date)
        assert job_seeker.job_search_since == expected
    ended = Placement.objects.filter(status=Placement.Status.ENDED).exclude(
        end_reason=Placement.EndReason.QUIT_BETTER_JOB
    )
    for placement in ended:
        assert placement.job_seeker.job_search_since >= placement.end_date
