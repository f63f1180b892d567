"""seed_scale (demo/scale): the tiny profile on PostgreSQL (COPY, session settings and
sequences are PostgreSQL's), its counts, determinism, refusal of a non-empty database,
and invariants the services would have kept, read through the app's selectors and pages."""

import datetime
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Exists, Min, OuterRef
from django.test import Client

from crm.access import StaffScope
from crm.events import resend_pending
from crm.models import JobSeeker, OutboxEvent, User
from crm.selectors import job_seekers_visible
from demo.scale.profiles import PROFILES
from demo.scale.world import ZONE
from employers.models import Employer
from jobdev.models import EmployerContact
from placements.models import Placement, PlacementMilestone, SupportTask
from placements.selectors import my_tasks, placements_visible

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="seed_scale writes with PostgreSQL COPY: run with DATABASE_URL=postgres://...",
    ),
    # COPY and TRUNCATE outside a test transaction (pytest-django runs transactional
    # tests after the others; seed_scale writes the taxonomies the flush removed).
    pytest.mark.django_db(transaction=True),
]

TODAY = datetime.date(2026, 6, 15)

DIGEST = """
SELECT md5(string_agg(row, '|' ORDER BY row)) FROM (
  SELECT concat_ws(',', 'js', id, first_name, last_name, status, job_search_since, first_employer_contact_on,
                   latitude, specialist_id) AS row FROM crm_jobseeker
  UNION ALL SELECT concat_ws(',', 'ec', id, employer_id, specialist_id, starts_at, status, mode, purpose)
    FROM jobdev_employercontact
  UNION ALL SELECT concat_ws(',', 'ecj', employercontact_id, jobseeker_id) FROM jobdev_employercontact_job_seekers
  UNION ALL SELECT concat_ws(',', 'em', id, name, relationship_stage) FROM employers_employer
  UNION ALL SELECT concat_ws(',', 'pl', id, job_seeker_id, employer_id, status, offer_date, start_date, end_date)
    FROM placements_placement
  UNION ALL SELECT concat_ws(',', 'st', id, kind, status, due_date, completed_on, source_event_id)
    FROM placements_supporttask
  UNION ALL SELECT concat_ws(',', 'ev', id, topic, dedup_key, payload::text, occurred_at) FROM crm_outboxevent
) rows
"""


def digest() -> str:
    with connection.cursor() as cursor:
        cursor.execute(DIGEST)
        return cursor.fetchone()[0]


FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND c.connamespace = 'public'::regnamespace
"""


def dangling_foreign_keys() -> list[str]:
    """Every single-column foreign key whose rows name a missing row (seed_scale writes
    with the triggers that check them off)."""
    dangling = []
    with connection.cursor() as cursor:
        cursor.execute(FOREIGN_KEYS)
        for table, column, target, key in cursor.fetchall():
            cursor.execute(
                f'SELECT count(*) FROM {table} t WHERE t."{column}" IS NOT NULL '  # noqa: S608 - catalogue names
                f'AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r."{key}" = t."{column}")'
            )
            if cursor.fetchone()[0]:
                dangling.append(f"{table}.{column} -> {target}")
    return dangling


def seed(tmp_path, **options):
    call_command(
        "seed_scale",
        profile="tiny",
        seed=7,
        today=TODAY,
        no_progress=True,
        dataset=tmp_path / "dataset.json",
        stdout=open(tmp_path / "out.txt", "w"),  # noqa: SIM115 - closed with the test's temporary directory
        **options,
    )
    return json.loads((tmp_path / "dataset.json").read_text())


def test_tiny_profile_counts_invariants_and_determinism(tmp_path):
    dataset = seed(tmp_path)
    tiny = PROFILES["tiny"]

    # Counts, as the profile says and dataset.json reports.
    assert dataset["profile"] == "tiny" and dataset["seed"] == 7 and dataset["database_bytes"] > 0
    assert User.objects.filter(role=User.Role.SPECIALIST).count() == tiny.specialists
    assert JobSeeker.objects.count() == tiny.job_seekers
    assert Employer.objects.count() == tiny.employers
    assert EmployerContact.objects.count() == tiny.contacts
    assert Placement.objects.count() == tiny.placements
    assert SupportTask.objects.count() == tiny.tasks
    assert dangling_foreign_keys() == []
    assert not Employer.objects.filter(sites__isnull=True).exists()
    assert not Employer.objects.filter(contact_persons__isnull=True).exists()

    # Generated users log in with the documented password; the partner key works.
    specialist = User.objects.get(username="spec0001")
    assert specialist.check_password(dataset["password"])
    partner = Client(HTTP_AUTHORIZATION=f"Bearer {dataset['api_key']}")
    response = partner.get("/api/v1/placements/")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["results"]

    # A job seeker is working exactly when one of their placements is active.
    active = Placement.objects.filter(job_seeker=OuterRef("pk"), status=Placement.Status.ACTIVE)
    working = JobSeeker.objects.filter(status=JobSeeker.Status.WORKING)
    assert working.exists()
    assert not working.filter(~Exists(active)).exists()
    assert not JobSeeker.objects.exclude(status=JobSeeker.Status.WORKING).filter(Exists(active)).exists()

    # The rapid-job-search clock: the first held face-to-face contact on their behalf
    # since job_search_since, as jobdev.start_the_rapid_search_clock records it.
    for person in JobSeeker.objects.all():
        held = EmployerContact.objects.held().face_to_face_on_behalf().filter(job_seekers=person)
        first = held.aggregate(first=Min("starts_at"))["first"]
        since = [c.starts_at for c in held if c.starts_at.astimezone(ZONE).date() >= person.job_search_since]
        expected = min(since).astimezone(ZONE).date() if since else None
        assert person.first_employer_contact_on == expected, (person.pk, first)

    # Employers' relationship stage follows their contacts and hires.
    for employer in Employer.objects.all():
        held = EmployerContact.objects.held().filter(employer=employer)
        face = held.filter(mode__in=EmployerContact.FACE_TO_FACE_MODES).count()
        if employer.placements.filter(start_date__isnull=False).exists():
            expected = Employer.RelationshipStage.HAS_HIRED
        elif face >= 2:
            expected = Employer.RelationshipStage.RELATIONSHIP
        elif held.exists():
            expected = Employer.RelationshipStage.INTRODUCED
        else:
            expected = Employer.RelationshipStage.NOT_CONTACTED
        assert employer.relationship_stage == expected, employer.pk

    # Started placements have their six milestones; every event is handled, so the
    # sweep has nothing to send; tasks due before today are closed, and nothing was
    # done or cancelled from today on.
    started = Placement.objects.filter(start_date__isnull=False)
    assert PlacementMilestone.objects.count() == 6 * started.count()
    assert not OutboxEvent.objects.exclude(status=OutboxEvent.Status.HANDLED).exists()
    assert resend_pending() == 0
    assert not SupportTask.objects.filter(status=SupportTask.Status.OPEN, due_date__lt=TODAY).exists()
    assert not SupportTask.objects.filter(status=SupportTask.Status.DONE, due_date__gte=TODAY).exists()
    assert not SupportTask.objects.filter(completed_on__gte=TODAY).exists()
    assert not SupportTask.objects.filter(cancelled_on__gte=TODAY).exists()
    midnight = datetime.datetime.combine(TODAY, datetime.time(), ZONE)
    assert not EmployerContact.objects.filter(status=EmployerContact.Status.PLANNED, starts_at__lt=midnight).exists()
    assert not EmployerContact.objects.exclude(status=EmployerContact.Status.PLANNED).filter(starts_at__gte=midnight)

    # The app's selectors and pages run on the data.
    scope = StaffScope(specialist)
    assert job_seekers_visible(scope).filter(specialist=specialist).count() == specialist.caseload.count()
    assert placements_visible(scope).exists()
    my_tasks(scope, today=TODAY)
    leader = Client()
    leader.force_login(User.objects.get(username="lead001"))
    for url in ("/job-seekers/", "/employers/", "/dashboard/", "/my-week/", "/tasks/"):
        assert leader.get(url).status_code == 200, url

    # A second run refuses a non-empty database; with --reset the same seed gives the
    # same rows.
    first_digest = digest()
    with pytest.raises(CommandError, match="not empty"):
        seed(tmp_path)
    seed(tmp_path, reset=True)
    assert digest() == first_digest
