from django.urls import path

from jobdev import matching_views

urlpatterns = [
    path("job-seeker/<int:pk>/", matching_views.matching_for_job_seeker, name="matching_for_job_seeker"),
    path("employer/<int:pk>/", matching_views.matching_for_employer, name="matching_for_employer"),
    path("opening/<int:pk>/", matching_views.matching_for_opening, name="matching_for_opening"),
]
