from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = _("Placements")

    def ready(self):
        from crm.events import import_app_modules

        import_app_modules(self, "topics", "handlers", "tasks")
