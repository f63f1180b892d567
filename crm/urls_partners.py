from django.urls import path

from crm import partner_views

urlpatterns = [
    path("", partner_views.partner_list, name="partner_list"),
    path("new/", partner_views.partner_create, name="partner_create"),
    path("<int:pk>/edit/", partner_views.partner_edit, name="partner_edit"),
]
