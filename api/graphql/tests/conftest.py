"""Fixtures of the GraphQL tests: /graphql/ routed on both kinds of host, two enterprises, tokens."""

from __future__ import annotations

import json

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def graphql_routes(settings, monkeypatch):
    """Until the lead adds the lines to config/urls_*.py and "/graphql/" to the membership-exempt
    prefixes of tenants/middleware.py, the tests route /graphql/ themselves (same lines)."""
    from tenants import middleware

    settings.ROOT_URLCONF = "api.graphql.tests.urls_tenants"
    settings.PUBLIC_SCHEMA_URLCONF = "api.graphql.tests.urls_public"
    if not "/graphql/".startswith(middleware.MEMBERSHIP_EXEMPT_PREFIXES):
        monkeypatch.setattr(middleware, "MEMBERSHIP_EXEMPT_PREFIXES",
                            middleware.MEMBERSHIP_EXEMPT_PREFIXES + ("/graphql/",))


def host(enterprise=None) -> str:
    return f"{enterprise.slug}.localhost" if enterprise is not None else "localhost"


def gql(client, query: str, variables: dict | None = None, *, enterprise=None, token: str | None = None,
        status: int = 200) -> dict:
    extra = {"HTTP_HOST": host(enterprise)}
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables or {}}),
                           content_type="application/json", **extra)
    assert response.status_code == status, response.content[:2000]
    return response.json()


def error_codes(result: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in result.get("errors", [])]


@pytest.fixture
def two_enterprises(make_enterprise, make_user):
    alice = make_user(email="alice@a.test")
    bob = make_user(email="bob@b.test")
    a = make_enterprise(slug="alpha", owner=alice)
    b = make_enterprise(slug="bravo", owner=bob)
    connection.set_schema_to_public()
    return a, b, alice, bob


@pytest.fixture
def make_token():
    from api.tokens.services import api_token_create

    def make(enterprise, scopes=("catalog:read", "stock:read"), name="integration") -> str:
        return api_token_create(enterprise=enterprise, name=name, scopes=list(scopes)).token

    return make


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in the English source text, whatever the zh-Hans catalogue holds."""
    from django.utils import translation

    with translation.override("en"):
        yield
