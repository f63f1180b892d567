from django.urls import path

from employers import views

urlpatterns = [
    path("", views.employer_list, name="employer_list"),
    path("new/", views.employer_create, name="employer_create"),
    path("part-options/<slug:part>/", views.employer_part_options, name="employer_part_options"),
    path("<int:pk>/", views.employer_detail, name="employer_detail"),
    path("<int:pk>/edit/", views.employer_edit, name="employer_edit"),
    path("<int:pk>/sites/new/", views.employer_site_form, name="employer_site_create"),
    path("<int:pk>/sites/<int:site_pk>/edit/", views.employer_site_form, name="employer_site_edit"),
    path("<int:pk>/contacts/new/", views.contact_person_form, name="contact_person_create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_person_form, name="contact_person_edit"),
    path("<int:pk>/openings/new/", views.job_opening_form, name="job_opening_create"),
    path("<int:pk>/openings/<int:opening_pk>/edit/", views.job_opening_form, name="job_opening_edit"),
]
