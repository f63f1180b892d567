from django.urls import path

from jobdev import dashboard_views

urlpatterns = [
    path("", dashboard_views.team_dashboard, name="team_dashboard"),
    path("export/<slug:table>.csv", dashboard_views.team_dashboard_export, name="team_dashboard_export"),
]
