"""The project's URLs with the webhook pages mounted where config/urls.py is to mount
them (until it does)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("partners/webhooks/", include("integrations.webhooks.urls")),
    *project_urlpatterns,
]
