from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0005_support_task_titles_from_text"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="supporttask",
            constraint=models.CheckConstraint(
                condition=models.Q(("title_key", ""), _negated=True) | models.Q(("custom_title", ""), _negated=True),
                name="support_task_has_a_title",
            ),
        ),
    ]
