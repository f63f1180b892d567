from django.urls import path

from placements import views

urlpatterns = [
    path("", views.placement_list, name="placement_list"),
    path("job-seeker/<int:job_seeker_pk>/", views.job_seeker_placements, name="job_seeker_placements"),
    path("job-seeker/<int:job_seeker_pk>/new/", views.placement_create, name="placement_create"),
    path("<int:pk>/", views.placement_detail, name="placement_detail"),
    path("<int:pk>/start/", views.placement_start, name="placement_start"),
    path("<int:pk>/terms/", views.placement_terms, name="placement_terms"),
    path("<int:pk>/end/", views.placement_end, name="placement_end"),
    path("<int:pk>/follow-along/", views.placement_follow_along, name="placement_follow_along"),
    path("<int:pk>/accommodations/new/", views.accommodation_create, name="accommodation_create"),
    path(
        "<int:pk>/accommodations/<int:accommodation_pk>/status/",
        views.accommodation_status,
        name="accommodation_status",
    ),
    path("<int:pk>/benefits/<int:step_pk>/status/", views.benefits_status, name="benefits_status"),
    path("<int:pk>/benefits/<int:step_pk>/counsellor/", views.benefits_counsellor, name="benefits_counsellor"),
    path("<int:pk>/job-end-report/", views.job_end_report, name="job_end_report"),
]
