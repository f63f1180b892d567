# A contact ends strictly after it starts (the rule the services and forms apply).

import datetime

from django.db import migrations, models


def lengthen_zero_length_contacts(apps, schema_editor):
    # Rows saved before the rule was strict: a contact of no length is read as the
    # 15 minutes a quick logged contact takes (jobdev.services.LOGGED_LENGTH).
    EmployerContact = apps.get_model("jobdev", "EmployerContact")
    for contact in EmployerContact.objects.filter(ends_at=models.F("starts_at")).only("pk", "starts_at"):
        EmployerContact.objects.filter(pk=contact.pk).update(ends_at=contact.starts_at + datetime.timedelta(minutes=15))


class Migration(migrations.Migration):
    dependencies = [
        ("jobdev", "0002_employercontact_confirmed"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="employercontact",
            name="employer_contact_ends_after_start",
        ),
        migrations.RunPython(lengthen_zero_length_contacts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="employercontact",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="employer_contact_ends_after_start"
            ),
        ),
    ]
