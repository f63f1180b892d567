from django.urls import path

from jobdev.fidelity import views

urlpatterns = [
    path("", views.review_list, name="fidelity_review_list"),
    path("new/", views.review_create, name="fidelity_review_create"),
    path("<int:pk>/", views.review_detail, name="fidelity_review_detail"),
    path("<int:pk>/print/", views.review_print, name="fidelity_review_print"),
    path("<int:pk>/export.csv", views.review_export, name="fidelity_review_export"),
    path("<int:pk>/delete/", views.review_delete, name="fidelity_review_delete"),
]
