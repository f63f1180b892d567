from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployersConfig(AppConfig):
    name = "employers"
    verbose_name = _("Employers")

    def ready(self):
        # Registers the periodic jobs (dramatiq actors and their cron schedule).
        from employers import tasks  # noqa: F401
