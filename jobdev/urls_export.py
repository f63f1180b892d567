"""Mounted at employer-contacts/export/."""

from django.urls import path

from jobdev import export_views

urlpatterns = [
    path("", export_views.employer_contact_export, name="employer_contact_export"),
]
