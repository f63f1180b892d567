"""The calendar became its own Django app (label "calendar") keeping its tables. Both a
new database and one made by an earlier version (the former "integrations" app's
migration applied, with rows in it) migrate cleanly to the same schema, keeping the
rows; no migration is missing afterwards.

Each database here is a new one (a file for SQLite; a database of its own on the
PostgreSQL server in `make test-services`), migrated by `manage.py` in a subprocess."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
LEGACY_SETTINGS = "tests.integrations.calendar.legacy.settings"
# The two tables from before the split keep their names; the events a calendar handed
# out (migration 0002) came after it, in a table named after the new app.
TABLES = ["integrations_calendarfeed", "integrations_calendarpreference", "calendar_publishedevent"]
MIGRATIONS = ["calendar.0001_initial", "calendar.0002_published_event", "calendar.0003_feed_served_version"]

# Written as the earlier version would have: a user, their feed and preference, and the
# content types of the "integrations" app with a permission granted to a group.
SEED_AS_BEFORE = """
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from crm.models import Organisation, User

organisation = Organisation.objects.create(name="Old program", slug="old-program")
user = User.objects.create(username="olga", organisation=organisation)
feed_type = ContentType.objects.create(app_label="integrations", model="calendarfeed")
ContentType.objects.create(app_label="integrations", model="calendarpreference")
permission = Permission.objects.create(content_type=feed_type, codename="view_calendarfeed", name="Can view")
Group.objects.create(name="feed readers").permissions.add(permission)
with connection.cursor() as cursor:
    cursor.execute(
        "INSERT INTO integrations_calendarfeed (user_id, kind, token_hash, language, created_at)"
        " VALUES (%s, 'personal', %s, 'fr', CURRENT_TIMESTAMP)",
        [user.pk, "a" * 64],
    )
    cursor.execute(
        "INSERT INTO integrations_calendarpreference (user_id, include_tasks, alarm_minutes, updated_at)"
        " VALUES (%s, TRUE, 30, CURRENT_TIMESTAMP)",
        [user.pk],
    )
print(json.dumps({"feed_content_type": feed_type.pk}))
"""

DESCRIBE = """
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from crm.models import Organisation, User
from integrations.calendar.models import CalendarFeed, CalendarPreference

tables = {}
with connection.cursor() as cursor:
    for table in %(tables)r:
        constraints = connection.introspection.get_constraints(cursor, table)
        tables[table] = {
            "columns": sorted(c.name for c in connection.introspection.get_table_description(cursor, table)),
            "constraints": sorted(
                [sorted(c["columns"] or []), bool(c["primary_key"]), bool(c["unique"]),
                 list(c["foreign_key"] or []), bool(c["check"])]
                for c in constraints.values() if not c.get("index") or c["unique"] or c["primary_key"]
            ),
        }
user = User.objects.filter(username="olga").first()
# The models work: read what was there, write something new.
organisation = Organisation.objects.create(name="New program", slug="new-program-%(suffix)s")
new_user = User.objects.create(username="nina-%(suffix)s", organisation=organisation)
CalendarPreference.objects.create(user=new_user, include_tasks=False)
applied = sorted(f"{app}.{name}" for app, name in MigrationRecorder.Migration.objects.values_list("app", "name")
                 if app in ("calendar", "integrations"))
print(json.dumps({
    "tables": tables,
    "feeds": list(CalendarFeed.objects.filter(user=user).values_list("kind", "token_hash", "language")) if user else [],
    "alarm": CalendarPreference.objects.filter(user=user).values_list("alarm_minutes", flat=True).first(),
    "content_types": sorted(ContentType.objects.filter(model__startswith="calendar").values_list("app_label", "model", "pk")),
    "group_permissions": sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name="feed readers").permissions.all()
    ) if Group.objects.filter(name="feed readers").exists() else [],
    "applied": applied,
}))
"""


@pytest.fixture
def new_database(tmp_path):
    """A URL to an empty database of the kind the tests run on; dropped afterwards."""
    made = []

    def make():
        if connection.vendor == "sqlite":
            return f"sqlite:///{tmp_path / f'db-{len(made)}-{uuid.uuid4().hex[:6]}.sqlite3'}"
        import psycopg

        settings = connection.settings_dict
        name = f"app_split_{uuid.uuid4().hex[:10]}"
        server = {"host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432, "user": settings["USER"]}
        with psycopg.connect(dbname="postgres", autocommit=True, password=settings["PASSWORD"] or None, **server) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        made.append((server, settings["PASSWORD"], name))
        return f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"

    yield make
    if made:
        import psycopg

        for server, password, name in made:
            with psycopg.connect(dbname="postgres", autocommit=True, password=password or None, **server) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(database_url: str, *arguments: str, settings_module: str = "config.settings") -> str:
    environment = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE=settings_module)
    environment.pop("REDIS_URL", None)  # migrations need no broker
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def shell(database_url: str, code: str, **kwargs) -> dict:
    output = manage(database_url, "shell", "--no-imports", "-c", "import json\n" + code, **kwargs)
    return json.loads(output.strip().splitlines()[-1])


def describe(database_url: str) -> dict:
    return shell(database_url, DESCRIBE % {"tables": TABLES, "suffix": uuid.uuid4().hex[:6]})


def test_old_and_new_databases_migrate_to_the_same_calendar_schema(new_database):
    old = new_database()
    # The earlier version: the "integrations" app and its migration, no "calendar" app.
    manage(old, "migrate", "--noinput", "--skip-checks", settings_module=LEGACY_SETTINGS)
    seeded = shell(old, SEED_AS_BEFORE, settings_module=LEGACY_SETTINGS)

    manage(old, "migrate", "--noinput", "--skip-checks")  # this version
    after = describe(old)

    assert after["feeds"] == [["personal", "a" * 64, "fr"]]
    assert after["alarm"] == 30
    # The old content types now belong to the new app (same rows, so permissions follow).
    assert after["content_types"] == [
        ["calendar", "calendarfeed", seeded["feed_content_type"]],
        ["calendar", "calendarpreference", after["content_types"][1][2]],
    ]
    assert after["group_permissions"] == ["calendar.view_calendarfeed"]
    # The earlier version's migration stays recorded; this version's all ran after it.
    assert after["applied"] == sorted([*MIGRATIONS, "integrations.0001_initial"])

    # A new database (one migration run serves both tests' questions: each takes tens
    # of seconds) gets the calendar tables, and the same schema as the old one.
    fresh = new_database()
    manage(fresh, "migrate", "--noinput", "--skip-checks")
    described = describe(fresh)
    assert set(described["tables"]) == set(TABLES)
    assert "token_hash" in described["tables"]["integrations_calendarfeed"]["columns"]
    assert described["applied"] == MIGRATIONS
    assert [row[:2] for row in described["content_types"]] == [
        ["calendar", "calendarfeed"],
        ["calendar", "calendarpreference"],
    ]
    assert after["tables"] == described["tables"]  # the same schema either way

    for database in (old, fresh):
        manage(database, "migrate", "--check", "--skip-checks")  # nothing left to apply
    manage(old, "makemigrations", "--check", "--dry-run")
