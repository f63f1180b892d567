from django.urls import path

from integrations.calendar import views

urlpatterns = [
    path("calendar/<str:token>.ics", views.feed, name="calendar_feed"),
    path("calendar/visit/<int:pk>.ics", views.visit_ics, name="calendar_visit_ics"),
    path("calendar/appointment/<int:pk>.ics", views.task_ics, name="calendar_task_ics"),
    path("settings/calendar/", views.calendar_settings, name="calendar_settings"),
    path("settings/calendar/help/", views.calendar_help, name="calendar_help"),
    path("settings/calendar/feeds/", views.calendar_feed_create, name="calendar_feed_create"),
    path("settings/calendar/feeds/<int:feed_id>/rotate/", views.calendar_feed_rotate, name="calendar_feed_rotate"),
    path("settings/calendar/feeds/<int:feed_id>/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("settings/calendar/preferences/", views.calendar_preference, name="calendar_preference"),
]
