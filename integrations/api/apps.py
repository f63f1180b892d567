from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The partner REST API at /api/v1/: staff tokens, partner keys and their scopes,
    idempotent writes, incremental sync (docs/api.md)."""

    name = "integrations.api"
    label = "api"
    verbose_name = _("Partner API")

    def ready(self):
        from . import tombstones

        tombstones.connect()
