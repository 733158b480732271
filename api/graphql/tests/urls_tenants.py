"""Test URL conf: an enterprise host's routes plus /graphql/ (the lead adds the same line to config/urls_tenants.py)."""

from django.urls import path

from api.graphql.views import graphql_view
from config.urls_tenants import urlpatterns as tenant_patterns

urlpatterns = [path("graphql/", graphql_view, name="graphql"), *tenant_patterns]
