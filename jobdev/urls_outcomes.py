from django.urls import path

from jobdev import outcomes_views

urlpatterns = [
    path("", outcomes_views.outcomes_page, name="outcomes"),
    path("export/<slug:table>.csv", outcomes_views.outcomes_export, name="outcomes_export"),
]
