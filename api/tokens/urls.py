"""Settings → API tokens, mounted at /settings/api-tokens/ on enterprise hosts (config/urls_tenants.py)."""

from django.urls import path

from api.tokens import views

urlpatterns = [
    path("", views.token_list, name="api_tokens"),
    path("new/", views.token_create, name="api_token_new"),
    path("<int:token_id>/revoke/", views.token_revoke, name="api_token_revoke"),
]
