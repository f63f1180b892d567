"""Who and what the bench measures with, picked from the data there: the program with
the most job seekers, its specialist with the largest caseload, that specialist's team
leader, the program admin, the partner API key of var/bench/dataset.json, a job seeker
and an opening to match, a word of an employer's name and a town to search for."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from crm.access import access_scope
from crm.clock import program_zone
from crm.models import Organisation, User


def dataset_path() -> Path:
    """Where seed_scale writes what it loaded (var/bench/dataset.json under BASE_DIR)."""
    return Path(settings.BASE_DIR) / "var" / "bench" / "dataset.json"


def read_dataset(path: Path) -> dict:
    """var/bench/dataset.json as seed_scale wrote it, or {} when there is none."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _one(sql: str, params=()) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@dataclass
class BenchContext:
    organisation: Organisation
    specialist: User
    leader: User
    admin: User | None
    api_key: str | None
    partner_id: int | None
    job_seeker_id: int | None
    opening_id: int | None
    employer_id: int | None
    name_word: str
    town: str
    team_id: int | None
    today: datetime.date
    tz: object

    def client(self, user: User | None = None, *, api_key: str | None = None) -> Client:
        """A test client as a browser (CSRF checks on) logged in as `user`, or an API
        caller with `api_key` as its Bearer credential."""
        client = Client(enforce_csrf_checks=True, HTTP_HOST="testserver")
        if user is not None:
            client.force_login(user)
        if api_key:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_key}"
        return client

    def scope(self, user: User):
        user = User.objects.get(pk=user.pk)
        return access_scope(user)


def pick_context(dataset: dict) -> BenchContext:
    """Raises LookupError when the database holds no program with a specialist."""
    row = _one(
        "SELECT organisation_id FROM crm_jobseeker GROUP BY organisation_id ORDER BY count(*) DESC, organisation_id"
        " LIMIT 1"
    )
    if row is None:
        raise LookupError("No job seekers: seed the database first (manage.py seed_scale).")
    organisation = Organisation.objects.get(pk=row[0])
    row = _one(
        "SELECT u.id FROM crm_user u JOIN crm_jobseeker j ON j.specialist_id = u.id"
        " WHERE u.organisation_id = %s AND u.role = 'specialist' AND u.is_active"
        " GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1",
        [organisation.pk],
    )
    if row is None:
        raise LookupError("No specialist with a caseload.")
    specialist = User.objects.get(pk=row[0])
    leader = None
    if specialist.team_id:
        row = _one("SELECT leader_id FROM crm_team WHERE id = %s", [specialist.team_id])
        leader = User.objects.filter(pk=row[0], is_active=True).first() if row and row[0] else None
    if leader is None:
        leader = (
            User.objects.filter(organisation=organisation, role=User.Role.TEAM_LEADER, is_active=True)
            .order_by("pk")
            .first()
        ) or specialist
    admin = (
        User.objects.filter(organisation=organisation, role=User.Role.PROGRAM_ADMIN, is_active=True)
        .order_by("pk")
        .first()
    )
    api_key = dataset.get("api_key") or None
    partner_id = None
    if api_key:
        from integrations.api.models import ApiKey

        parsed = ApiKey.parse(api_key)
        key = ApiKey.objects.filter(public_id=parsed[0]).first() if parsed else None
        partner_id = key.partner_id if key else None
        if key is None:
            api_key = None
    row = _one(
        "SELECT j.id FROM crm_jobseeker j JOIN crm_jobpreference p ON p.job_seeker_id = j.id"
        " WHERE j.specialist_id = %s AND j.status = 'job_search' ORDER BY j.id LIMIT 1",
        [specialist.pk],
    ) or _one("SELECT id FROM crm_jobseeker WHERE specialist_id = %s ORDER BY id LIMIT 1", [specialist.pk])
    job_seeker_id = row[0] if row else None
    row = _one(
        "SELECT o.id FROM employers_jobopening o JOIN employers_employer e ON e.id = o.employer_id"
        " WHERE e.organisation_id = %s AND o.status = 'open' ORDER BY o.id LIMIT 1",
        [organisation.pk],
    ) or _one(
        "SELECT o.id FROM employers_jobopening o JOIN employers_employer e ON e.id = o.employer_id"
        " WHERE e.organisation_id = %s ORDER BY o.id LIMIT 1",
        [organisation.pk],
    )
    opening_id = row[0] if row else None
    # An employer with a site near the team's job seekers: the first with a site in the
    # town of the specialist's first job seeker, else the first with a site.
    row = _one(
        "SELECT s.employer_id FROM employers_employersite s JOIN employers_employer e ON e.id = s.employer_id"
        " WHERE e.organisation_id = %s AND s.town = (SELECT town FROM crm_jobseeker WHERE id = %s)"
        " ORDER BY s.employer_id LIMIT 1",
        [organisation.pk, job_seeker_id],
    ) or _one(
        "SELECT s.employer_id FROM employers_employersite s JOIN employers_employer e ON e.id = s.employer_id"
        " WHERE e.organisation_id = %s ORDER BY s.employer_id LIMIT 1",
        [organisation.pk],
    )
    employer_id = row[0] if row else None
    # A word of a name in the middle of the table (at least 4 letters), and the town of
    # a site of another employer.
    count = _one("SELECT count(*) FROM employers_employer WHERE organisation_id = %s", [organisation.pk])[0]
    row = _one(
        "SELECT name FROM employers_employer WHERE organisation_id = %s ORDER BY id OFFSET %s LIMIT 1",
        [organisation.pk, count // 2],
    )
    words = sorted((word for word in (row[0] if row else "").split() if len(word) >= 4 and word.isalpha()), key=len)
    name_word = words[-1] if words else (row[0].split()[0] if row and row[0].split() else "a")
    row = _one(
        "SELECT s.town FROM employers_employersite s JOIN employers_employer e ON e.id = s.employer_id"
        " WHERE e.organisation_id = %s AND s.town <> '' ORDER BY s.id OFFSET %s LIMIT 1",
        [organisation.pk, count // 3],
    ) or _one(
        "SELECT s.town FROM employers_employersite s JOIN employers_employer e ON e.id = s.employer_id"
        " WHERE e.organisation_id = %s AND s.town <> '' ORDER BY s.id LIMIT 1",
        [organisation.pk],
    )
    town = row[0] if row else "Paris"
    tz = program_zone(organisation)
    return BenchContext(
        organisation=organisation,
        specialist=specialist,
        leader=leader,
        admin=admin,
        api_key=api_key,
        partner_id=partner_id,
        job_seeker_id=job_seeker_id,
        opening_id=opening_id,
        employer_id=employer_id,
        name_word=name_word,
        town=town,
        team_id=specialist.team_id,
        today=timezone.localdate(timezone=tz),
        tz=tz,
    )
