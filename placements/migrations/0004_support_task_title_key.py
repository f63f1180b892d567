"""Task titles become a key and its parameters, rendered in the reader's language
(SupportTask.title); the stored text is kept only for tasks written by hand."""

from django.db import migrations, models

import placements.models


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0003_supporttask_due_time_supporttask_duration_minutes_and_more"),
    ]

    operations = [
        migrations.RenameField(model_name="supporttask", old_name="title", new_name="custom_title"),
        migrations.AlterField(
            model_name="supporttask",
            name="custom_title",
            field=models.CharField(
                blank=True, help_text="For a task written by hand.", max_length=200, verbose_name="title"
            ),
        ),
        migrations.AddField(
            model_name="supporttask",
            name="title_key",
            field=models.CharField(
                blank=True, choices=placements.models.TaskTitle.choices, max_length=40, verbose_name="title"
            ),
        ),
        migrations.AddField(
            model_name="supporttask",
            name="title_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="title details"),
        ),
    ]
