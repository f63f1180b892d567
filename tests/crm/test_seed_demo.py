from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from crm.models import JobSeeker, JobSeekerStatusChange, Organisation, User
from employers.models import Employer
from placements.models import Placement, SupportTask


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
