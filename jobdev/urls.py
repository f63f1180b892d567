from django.urls import path

from jobdev import views

urlpatterns = [
    path("plan/", views.contact_plan, name="contact_plan"),
    path("log/", views.contact_log, name="contact_log"),
    path("<int:pk>/", views.contact_detail, name="contact_detail"),
    path("employer/<int:employer_pk>/", views.employer_contacts_section, name="employer_contacts_section"),
    path("<int:pk>/reschedule/", views.contact_reschedule, name="contact_reschedule"),
    path("<int:pk>/cancel/", views.contact_cancel, name="contact_cancel"),
    path("<int:pk>/outcome/", views.contact_outcome, name="contact_outcome"),
]
