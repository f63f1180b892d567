from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Signed webhook deliveries of placement events to partners (docs/webhooks.md)."""

    name = "integrations.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from crm.events import import_app_modules

        import_app_modules(self, "handlers", "tasks", "selectors")
