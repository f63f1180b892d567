"""The API's pages in the app (not the API itself: integrations.api.urls)."""

from django.urls import path

from integrations.api import views

urlpatterns = [
    path("partners/<int:pk>/keys/", views.partner_api_keys, name="partner_api_keys"),
    path("partners/<int:pk>/keys/new/", views.partner_api_key_create, name="partner_api_key_create"),
    path("partners/<int:pk>/keys/<int:key_id>/revoke/", views.partner_api_key_revoke, name="partner_api_key_revoke"),
    path("settings/api-tokens/", views.personal_tokens, name="personal_tokens"),
    path("settings/api-tokens/new/", views.personal_token_create, name="personal_token_create"),
    path("settings/api-tokens/<int:token_id>/revoke/", views.personal_token_revoke, name="personal_token_revoke"),
]
