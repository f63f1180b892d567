from django.urls import path

from placements import views

urlpatterns = [
    path("", views.placement_list, name="placement_list"),
    path("job-seeker/<int:job_seeker_pk>/", views.job_seeker_placements, name="job_seeker_placements"),
]
