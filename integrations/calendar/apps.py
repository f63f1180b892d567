from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    """Calendar subscriptions (iCal feeds). Its tables keep the names they had when the
    models belonged to the former "integrations" app (see migrations/0001_initial.py)."""

    name = "integrations.calendar"
    label = "calendar"
    verbose_name = _("Calendar subscriptions")
