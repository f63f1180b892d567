"""The calendar models, moved from the former "integrations" app (its migration
integrations/0001_initial created the same two tables, under the same names).

Works on both kinds of database:
- a new database: the tables are created here;
- a database made by an earlier version, where integrations/0001_initial was applied:
  the tables and their rows are kept as they are (only Django's state moves to this
  app), and the content types (hence permissions) move to the "calendar" label.
Tested by tests/integrations/calendar/test_app_split.py.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class CreateModelUnlessTableExists(migrations.CreateModel):
    """CreateModel whose database part is skipped when the table is already there
    (created by integrations/0001_initial). The state part always runs: in effect a
    SeparateDatabaseAndState whose database operation is "create if missing"."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            existing = connection.introspection.table_names(cursor)
        if model._meta.db_table not in existing:
            super().database_forwards(app_label, schema_editor, from_state, to_state)


CALENDAR_MODELS = ["calendarfeed", "calendarpreference"]


def adopt_content_types(apps, schema_editor):
    """Permissions and admin history point at content types: give the old ones the new
    app label instead of leaving them stale next to new ones."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for model in CALENDAR_MODELS:
        if not content_types.filter(app_label="calendar", model=model).exists():
            content_types.filter(app_label="integrations", model=model).update(app_label="calendar")


def return_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for model in CALENDAR_MODELS:
        if not content_types.filter(app_label="integrations", model=model).exists():
            content_types.filter(app_label="calendar", model=model).update(app_label="integrations")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('crm', '0005_historicaljobseeker_first_employer_contact_on_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        CreateModelUnlessTableExists(
            name='CalendarPreference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('include_tasks', models.BooleanField(default=False, verbose_name='also show support tasks due, as all-day entries')),
                ('alarm_minutes', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(10080)], verbose_name='reminder, minutes before (empty: none)')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_preference', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'calendar preference',
                'verbose_name_plural': 'calendar preferences',
                'db_table': 'integrations_calendarpreference',
            },
        ),
        CreateModelUnlessTableExists(
            name='CalendarFeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('personal', 'My visits and appointments'), ('team', "My team's visits")], max_length=10, verbose_name='feed')),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('language', models.CharField(default='en', help_text='Calendar clients send no language: the feed keeps its own.', max_length=10, verbose_name='language')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                ('last_fetched_at', models.DateTimeField(blank=True, null=True, verbose_name='last fetched')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='crm.team')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feeds', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'calendar feed',
                'verbose_name_plural': 'calendar feeds',
                'ordering': ['-created_at', '-id'],
                'db_table': 'integrations_calendarfeed',
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'team'), ('team__isnull', False)), models.Q(('kind', 'personal'), ('team__isnull', True)), _connector='OR'), name='calendar_feed_team_iff_team_kind')],
            },
        ),
        migrations.RunPython(adopt_content_types, return_content_types),
    ]
