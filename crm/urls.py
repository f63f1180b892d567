from django.urls import path

from crm import consent_views, views

urlpatterns = [
    path("", views.job_seeker_list, name="job_seeker_list"),
    path("new/", views.job_seeker_create, name="job_seeker_create"),
    path("<int:pk>/", views.job_seeker_detail, name="job_seeker_detail"),
    path("<int:pk>/edit/", views.job_seeker_edit, name="job_seeker_edit"),
    path("<int:pk>/status/", views.job_seeker_status, name="job_seeker_status"),
    path("<int:pk>/sharing/", consent_views.sharing, name="job_seeker_sharing"),
    path("<int:pk>/sharing/<int:consent_pk>/withdraw/", consent_views.sharing_withdraw, name="sharing_withdraw"),
]
