"""Settings → API tokens, mounted at /settings/api-tokens/ on enterprise hosts (config/urls_tenants.py)."""

from django.urls import path

from api.govdata import views_tokens

urlpatterns = [
    path("", views_tokens.token_list, name="api_tokens"),
    path("new/", views_tokens.token_create, name="api_token_new"),
    path("<int:token_id>/revoke/", views_tokens.token_revoke, name="api_token_revoke"),
]
