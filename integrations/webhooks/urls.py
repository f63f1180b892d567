"""The program admins' webhook pages; mounted under /partners/webhooks/ (config/urls.py)."""

from django.urls import path

from integrations.webhooks import views

urlpatterns = [
    path("", views.webhook_log, name="webhook_log"),
    path("<int:pk>/enable/", views.webhook_enable, name="webhook_enable"),
    path("<int:pk>/disable/", views.webhook_disable, name="webhook_disable"),
]
