from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("IPS program")

    def ready(self):
        from django.core import checks

        from crm import events

        # Topics before handlers (handlers refer to them); apps listed later in
        # INSTALLED_APPS subscribe to crm's topics. Add "handlers" here with crm/handlers.py.
        events.import_app_modules(self, "topics", "tasks")
        checks.register(events.check_topics_and_handlers, "events")
