"""Test URL conf: the public host's routes plus /graphql/ (the lead adds the same line to config/urls_public.py)."""

from django.urls import path

from api.graphql.views import graphql_view
from config.urls_public import urlpatterns as public_patterns

urlpatterns = [path("graphql/", graphql_view, name="graphql"), *public_patterns]
