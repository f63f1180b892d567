"""The job seeker lists' order (last name, first name, id) within a program, so a
program-wide list reads its first page from an index, and counts from it, instead of
sorting every job seeker of the program (docs/performance.md). Raw SQL built
concurrently on PostgreSQL; SQLite skips it."""

from django.db import migrations

NAME = "job_seeker_program_name"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON crm_jobseeker (organisation_id, last_name, first_name, id)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("crm", "0013_location_retries")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
