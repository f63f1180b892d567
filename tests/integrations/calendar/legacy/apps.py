from django.apps import AppConfig


class LegacyIntegrationsConfig(AppConfig):
    name = "tests.integrations.calendar.legacy"
    label = "integrations"
