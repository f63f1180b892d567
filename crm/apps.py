from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("IPS program")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from crm import events
        from crm.middleware import stamp_activity_at_login

        user_logged_in.connect(stamp_activity_at_login, dispatch_uid="crm.stamp_activity_at_login")

        # Topics before handlers (handlers refer to them); apps listed later in
        # INSTALLED_APPS subscribe to crm's topics. Add "handlers" here with crm/handlers.py.
        events.import_app_modules(self, "topics", "tasks")
        checks.register(events.check_topics_and_handlers, "events")
