"""The job seeker lists' order (last name, first name, id) within a program, so a
program-wide list reads its first page from an index, and counts from it, instead of
sorting every job seeker of the program (docs/performance.md). Raw SQL built
concurrently on PostgreSQL; SQLite skips it."""

from django.db import migrations

from crm.migration_operations import postgresql_indexes

NAME = "job_seeker_program_name"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("crm", "0013_location_retries")]

    operations = [postgresql_indexes((NAME, "crm_jobseeker (organisation_id, last_name, first_name, id)"))]
