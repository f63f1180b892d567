from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobdevConfig(AppConfig):
    name = "jobdev"
    verbose_name = _("Job development")
