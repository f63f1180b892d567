"""Settings of a release before the calendar app split: the "integrations" app with its
migration 0001_initial, and no "calendar" app. Used by test_app_split.py only, with
`manage.py migrate --skip-checks` (the calendar's URLs need its app installed)."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "integrations.calendar"] + [
    "tests.integrations.calendar.legacy.apps.LegacyIntegrationsConfig"
]
MIGRATION_MODULES = {"integrations": "tests.integrations.calendar.legacy.migrations"}
