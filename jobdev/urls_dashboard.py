from django.urls import path

from jobdev import dashboard_views

urlpatterns = [
    path("", dashboard_views.team_dashboard, name="team_dashboard"),
]
