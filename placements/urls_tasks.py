from django.urls import path

from placements import views

urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("team/", views.team_follow_along, name="team_follow_along"),
    path("<int:task_pk>/complete/", views.task_complete, name="task_complete"),
    path("<int:task_pk>/schedule/", views.task_schedule, name="task_schedule"),
]
