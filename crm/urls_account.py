from django.urls import path

from crm import account_views

urlpatterns = [
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/changed/", account_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", account_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", account_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
