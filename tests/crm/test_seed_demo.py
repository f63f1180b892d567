from collections import Counter
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from crm.models import JobSeeker, JobSeekerStatusChange, Organisation, OutboxEvent, User
from employers.models import Employer, JobOpening
from jobdev.models import EmployerContact, JobSearchNudge
from jobdev.nudges import rapid_search_nudge
from jobdev.planning import plan_week
from jobdev.selectors import with_rapid_search_clock
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
SPECIALISTS = ("specialist1", "specialist2", "specialist3")
FACE_TO_FACE = EmployerContact.FACE_TO_FACE_MODES
# A Wednesday morning: the current week has days left to plan.
WEDNESDAY_MORNING = datetime(2026, 11, 18, 8, 30, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def seeded_snapshot(seed_value: int) -> tuple[list, list, list]:
    """Job seeker names, placements and employer contacts from a seed, rolled back afterwards."""
    with transaction.atomic():
        seed(seed=seed_value)
        names = list(JobSeeker.objects.order_by("id").values_list("first_name", "last_name"))
        placements = list(
            Placement.objects.order_by("id").values_list("job_seeker__last_name", "employer__name", "status")
        )
        contacts = list(
            EmployerContact.objects.order_by("id").values_list("employer__name", "starts_at", "status", "result")
        )
        transaction.set_rollback(True)
    return names, placements, contacts


def local_day(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), PARIS)


def rapid_search_contacts():
    """Held face-to-face contacts on behalf of job seekers: what starts the rapid-search clock."""
    return EmployerContact.objects.filter(
        status=EmployerContact.Status.HELD, mode__in=FACE_TO_FACE, purpose=EmployerContact.Purpose.ON_BEHALF
    )


def assert_first_employer_contacts_follow_the_contacts() -> None:
    first_held = {}
    for contact in rapid_search_contacts().prefetch_related("job_seekers"):
        for job_seeker in contact.job_seekers.all():
            if local_day(contact.starts_at) >= job_seeker.job_search_since:
                day = local_day(contact.starts_at)
                first_held[job_seeker.pk] = min(day, first_held.get(job_seeker.pk, day))
    for job_seeker in with_rapid_search_clock(JobSeeker.objects.all()):
        assert job_seeker.first_employer_contact_on == first_held.get(job_seeker.pk)
        annotated = job_seeker.first_face_to_face_at
        assert job_seeker.first_employer_contact_on == (local_day(annotated) if annotated else None)


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
        "employer contacts": EmployerContact.objects.count(),
        "job openings": JobOpening.objects.count(),
        "rapid-search nudges": JobSearchNudge.objects.count(),
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
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        first = seeded_snapshot(7)
        assert not JobSeeker.objects.exists()

        assert seeded_snapshot(7) == first
        assert seeded_snapshot(8)[0] != first[0]
    assert first[2]


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
    assert rapid_search_nudge(today=today) == 0
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


# -- job development ----------------------------------------------------------------


@pytest.mark.django_db
def test_employer_contacts_fill_the_past_weeks_and_the_coming_ones():
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        seed()
        now, today = timezone.now(), timezone.localdate()

    monday = monday_of(today)
    contacts = EmployerContact.objects.select_related("specialist")
    held_before = contacts.filter(status=EmployerContact.Status.HELD, starts_at__lt=midnight(monday))
    for username in (*SPECIALISTS, "leader"):
        weeks = {
            local_day(contact.starts_at).isocalendar()[:2]
            for contact in held_before.filter(specialist__username=username)
        }
        assert len(weeks) >= 14  # sixteen weeks back, less a week off
    planned = contacts.filter(status=EmployerContact.Status.PLANNED)
    this_week = planned.filter(starts_at__gte=now, starts_at__lt=midnight(monday + timedelta(days=7)))
    next_week = planned.filter(
        starts_at__gte=midnight(monday + timedelta(days=7)), starts_at__lt=midnight(monday + timedelta(days=14))
    )
    assert this_week.exists()
    for username in SPECIALISTS:
        assert next_week.filter(specialist__username=username, mode=EmployerContact.Mode.IN_PERSON).exists()
    assert not planned.filter(starts_at__lt=now).exists()
    assert (
        not contacts.exclude(status=EmployerContact.Status.PLANNED)
        .filter(ends_at__gt=now)
        .exclude(status=EmployerContact.Status.CANCELLED)
        .exists()
    )
    assert held_before.filter(starts_at__lt=midnight(monday - timedelta(weeks=15))).exists()


@pytest.mark.django_db
def test_specialist1s_coming_days_show_a_tight_journey_and_an_overlap():
    seed()
    specialist = User.objects.get(username="specialist1")
    monday = monday_of(timezone.localdate())

    items = []
    for week in (monday, monday + timedelta(days=7)):
        contacts = EmployerContact.objects.filter(
            specialist=specialist, starts_at__gte=midnight(week), starts_at__lt=midnight(week + timedelta(days=7))
        ).select_related("site")
        items += [item for day in plan_week(list(contacts.order_by("starts_at", "id")), week) for item in day.items]
    planned = [item for item in items if item.contact.status == EmployerContact.Status.PLANNED]
    tight = [item for item in planned if item.travel_tight and item.gap_minutes is not None and item.gap_minutes >= 0]
    assert tight
    previous = [
        item.contact
        for item in planned
        if item.contact.is_visit
        and local_day(item.contact.starts_at) == local_day(tight[0].contact.starts_at)
        and item.contact.ends_at <= tight[0].contact.starts_at
    ][-1]
    assert previous.site.town != tight[0].contact.site.town
    assert len([item for item in planned if item.overlaps]) >= 2


@pytest.mark.django_db
def test_face_to_face_contacts_per_week_specialist1_meets_the_ips_target_specialist3_less():
    seed()
    monday = monday_of(timezone.localdate())
    weeks = [(monday - timedelta(weeks=count)).isocalendar()[:2] for count in range(1, 17)]

    counts = {username: Counter() for username in (*SPECIALISTS, "leader")}
    for contact in rapid_search_contacts().filter(starts_at__lt=midnight(monday)).select_related("specialist"):
        counts[contact.specialist.username][local_day(contact.starts_at).isocalendar()[:2]] += 1
    per_week = {username: [counts[username][week] for week in weeks] for username in counts}
    assert max(per_week["specialist1"]) >= 6
    assert sum(count >= 6 for count in per_week["specialist1"]) >= 4
    assert any(count < 6 for count in per_week["specialist1"])  # not every week
    assert sum(per_week["specialist1"]) > sum(per_week["specialist2"]) > sum(per_week["specialist3"])
    assert max(per_week["specialist3"]) <= 6 and sorted(per_week["specialist3"])[8] <= 5
    assert not any(per_week["leader"])  # the team leader builds relationships for the team


@pytest.mark.django_db
def test_employer_contacts_are_consistent():
    seed()

    contacts = EmployerContact.objects.select_related("employer", "site", "contact_person").order_by("starts_at", "id")
    assert set(contacts.values_list("status", flat=True)) == set(EmployerContact.Status.values)
    assert set(contacts.values_list("mode", flat=True)) == set(EmployerContact.Mode.values)
    assert set(contacts.values_list("purpose", flat=True)) == set(EmployerContact.Purpose.values)
    held_so_far = Counter()
    for contact in contacts.prefetch_related("job_seekers", "learned_job_types"):
        assert timezone.is_aware(contact.starts_at)
        assert contact.starts_at <= contact.ends_at <= contact.starts_at + timedelta(hours=12)
        if contact.status == EmployerContact.Status.CANCELLED:
            assert contact.cancel_reason.strip()
        else:
            assert contact.cancel_reason == ""
        job_seekers = list(contact.job_seekers.all())
        if contact.purpose == EmployerContact.Purpose.ON_BEHALF:
            assert 1 <= len(job_seekers) <= 2
            assert all(job_seeker.specialist_id == contact.specialist_id for job_seeker in job_seekers)
        else:
            assert job_seekers == []
        assert contact.site is None or contact.site.employer_id == contact.employer_id
        assert contact.contact_person is None or contact.contact_person.employer_id == contact.employer_id
        if contact.is_face_to_face and contact.status != EmployerContact.Status.CANCELLED:
            assert contact.site is not None
        natures = [EmployerContact.Nature.FIRST, EmployerContact.Nature.SECOND, EmployerContact.Nature.ONGOING]
        assert contact.nature == natures[min(held_so_far[contact.employer_id], 2)]
        if contact.status == EmployerContact.Status.HELD:
            held_so_far[contact.employer_id] += 1
            assert contact.result
            if contact.is_face_to_face:
                assert contact.learned_hiring_needs
        else:
            assert not contact.learned_hiring_needs and not contact.learned_job_types.exists()
        assert bool(contact.next_step_on) <= bool(contact.next_step)
    held = contacts.filter(status=EmployerContact.Status.HELD)
    assert held.exclude(learned_hiring_process="").exists() and held.exclude(best_time_to_apply="").exists()
    assert held.filter(learned_job_types__isnull=False).exists()
    assert not OutboxEvent.objects.exists()
    # Disclosure is discussed before an employer is approached on someone's behalf, and
    # those who want none disclosed meet employers themselves rather than being presented.
    past = contacts.exclude(status=EmployerContact.Status.PLANNED)
    approached = JobSeeker.objects.filter(employer_contacts__in=past).distinct()
    assert not approached.filter(disclosure_preference=JobSeeker.Disclosure.UNDECIDED).exists()
    undisclosed = past.filter(job_seekers__disclosure_preference=JobSeeker.Disclosure.NONE)
    assert not undisclosed.exclude(mode__in=FACE_TO_FACE).exists()
    assert undisclosed.filter(mode=EmployerContact.Mode.JOB_SEEKER).count() > undisclosed.count() / 2


@pytest.mark.django_db
def test_first_employer_contact_follows_the_contacts_and_a_few_still_wait():
    seed()
    today = timezone.localdate()

    assert_first_employer_contacts_follow_the_contacts()
    waiting = JobSeeker.objects.filter(
        status=JobSeeker.Status.JOB_SEARCH,
        first_employer_contact_on__isnull=True,
        job_search_since__gte=today - timedelta(days=40),
        job_search_since__lte=today - timedelta(days=15),
    )
    days = sorted(job_seeker.days_in_job_search(today) for job_seeker in waiting)
    assert len(days) >= 3
    assert days[0] < 21 <= days[1] < 30 <= days[-1]
    # Their specialists have a visit planned on their behalf.
    for job_seeker in waiting:
        assert job_seeker.employer_contacts.filter(status=EmployerContact.Status.PLANNED).exists()
    # The others in job search for two weeks had one.
    searching = JobSeeker.objects.filter(
        status=JobSeeker.Status.JOB_SEARCH, job_search_since__lte=today - timedelta(days=14)
    ).exclude(pk__in=waiting)
    assert not searching.filter(first_employer_contact_on__isnull=True).exists()


@pytest.mark.django_db
def test_the_rapid_search_nudges_due_are_already_sent():
    seed()
    today = timezone.localdate()
    tasks_before = SupportTask.objects.count()

    assert rapid_search_nudge(today=today) == 0
    assert SupportTask.objects.count() == tasks_before
    nudges = JobSearchNudge.objects.select_related("job_seeker")
    assert nudges.filter(day=14).exists() and nudges.filter(day=21).exists()
    tasks = SupportTask.objects.filter(kind=SupportTask.Kind.JOB_SEARCH_NUDGE)
    assert tasks.count() == nudges.count()
    for nudge in nudges:
        job_seeker = nudge.job_seeker
        due = nudge.job_search_since + timedelta(days=nudge.day)
        task = tasks.get(job_seeker=job_seeker, due_date=due)
        assert task.title.startswith(f"Jour {nudge.day} de recherche d'emploi pour {job_seeker.full_name}")
        assert task.owner_id == job_seeker.specialist_id
        assert local_day(nudge.created_at) == due <= today
        first = job_seeker.first_employer_contact_on
        if nudge.job_search_since == job_seeker.job_search_since:
            assert first is None or due < first
        if task.status == SupportTask.Status.DONE:
            assert due <= task.completed_on <= today
    assert tasks.filter(status=SupportTask.Status.OPEN).exists() and tasks.filter(status=SupportTask.Status.DONE)


@pytest.mark.django_db
def test_relationship_stages_follow_the_contacts_and_the_placements():
    seed()

    for employer in Employer.objects.all():
        held = EmployerContact.objects.filter(employer=employer, status=EmployerContact.Status.HELD)
        if employer.placements.filter(start_date__isnull=False).exists():
            expected = Employer.RelationshipStage.HAS_HIRED
        elif held.filter(mode__in=FACE_TO_FACE).count() >= 2:
            expected = Employer.RelationshipStage.RELATIONSHIP
        elif held.exists():
            expected = Employer.RelationshipStage.INTRODUCED
        else:
            expected = Employer.RelationshipStage.NOT_CONTACTED
        assert employer.relationship_stage == expected, employer.name
    assert set(Employer.objects.values_list("relationship_stage", flat=True)) == set(Employer.RelationshipStage.values)
    for placement in Placement.objects.select_related("job_seeker"):
        before_the_offer = rapid_search_contacts().filter(
            employer=placement.employer_id,
            job_seekers=placement.job_seeker,
            specialist=placement.job_seeker.specialist,
            starts_at__lt=midnight(placement.offer_date),
        )
        assert before_the_offer.exists()


@pytest.mark.django_db
def test_job_openings_were_learned_at_employers_visited():
    seed()
    today = timezone.localdate()

    openings = JobOpening.objects.select_related("employer", "created_by")
    assert 20 <= openings.count() <= 30
    assert set(openings.values_list("status", flat=True)) == set(JobOpening.Status.values)
    for opening in openings:
        learned_by = {
            contact.specialist_id
            for contact in opening.employer.contacts.filter(status=EmployerContact.Status.HELD)
            if local_day(contact.starts_at) <= opening.learned_on
        }
        assert opening.created_by_id in learned_by
        assert opening.learned_on <= today
        assert opening.job_type is not None and opening.hours_per_week and opening.shifts
    hired = openings.filter(status=JobOpening.Status.FILLED, employer__placements__isnull=False)
    assert hired.exists()


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 16, 7, 0, tzinfo=PARIS),  # Monday, before work
        datetime(2026, 11, 20, 18, 30, tzinfo=PARIS),  # Friday evening
        datetime(2026, 3, 29, 23, 30, tzinfo=PARIS),  # Sunday night, the day clocks went forward
    ],
)
@pytest.mark.django_db
def test_the_demo_holds_together_whatever_the_day_and_time(moment):
    with time_machine.travel(moment, tick=False):
        seed()
        now, today = timezone.now(), timezone.localdate()

        assert milestones_emit_due(today=today) == 0
        assert follow_along_ensure_next(today=today) == 0
        assert rapid_search_nudge(today=today) == 0
    assert_first_employer_contacts_follow_the_contacts()
    contacts = EmployerContact.objects.all()
    assert not contacts.filter(status=EmployerContact.Status.PLANNED, starts_at__lt=now).exists()
    assert not contacts.filter(status=EmployerContact.Status.HELD, ends_at__gt=now).exists()
    next_monday = monday_of(today) + timedelta(days=7)
    coming = contacts.filter(
        status=EmployerContact.Status.PLANNED,
        starts_at__gte=midnight(next_monday),
        starts_at__lt=midnight(next_monday + timedelta(days=7)),
    )
    assert set(coming.values_list("specialist__username", flat=True)) >= set(SPECIALISTS)
