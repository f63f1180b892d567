from django.db import migrations

from crm.taxonomies import seed_taxonomies


def seed(apps, schema_editor):
    seed_taxonomies(apps.get_model("crm", "Industry"), apps.get_model("crm", "JobType"))


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
