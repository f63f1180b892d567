from django.urls import path

from employers import import_views

urlpatterns = [
    path("", import_views.employer_import, name="employer_import"),
    path("<uuid:plan_id>/confirm/", import_views.employer_import_confirm, name="employer_import_confirm"),
    path("<uuid:plan_id>/cancel/", import_views.employer_import_cancel, name="employer_import_cancel"),
    path("example.csv", import_views.employer_import_example, name="employer_import_example"),
]
