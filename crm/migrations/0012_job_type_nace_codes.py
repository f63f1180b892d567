"""Where each job type is mostly found, as NACE Rev. 2 divisions and groups
(crm.taxonomies.JOB_TYPE_NACE_CODES), set on the existing job types."""

from django.db import migrations

from crm.taxonomies import seed_job_type_nace_codes


def set_nace_codes(apps, schema_editor):
    seed_job_type_nace_codes(apps.get_model("crm", "JobType"))


def clear_nace_codes(apps, schema_editor):
    apps.get_model("crm", "JobType").objects.update(nace_codes=[])


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0011_locations_and_nace"),
    ]

    operations = [
        migrations.RunPython(set_nace_codes, clear_nace_codes),
    ]
