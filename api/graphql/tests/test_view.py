"""The endpoint: GraphiQL (vendored) for logged-in users, CSRF for sessions, 401 for bad tokens."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.govdata.models import ApiToken
from api.graphql.tests.conftest import error_codes, gql

HTML = {"HTTP_ACCEPT": "text/html"}


def test_graphiql_for_logged_in_users_only(client, two_enterprises):
    a, _b, alice, _bob = two_enterprises
    assert client.get("/graphql/", HTTP_HOST="localhost", **HTML).status_code == 302
    anonymous = client.get("/graphql/", HTTP_HOST="alpha.localhost", **HTML)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("http://localhost/login/")
    client.force_login(alice)
    page = client.get("/graphql/", HTTP_HOST="alpha.localhost", **HTML)
    assert page.status_code == 200
    html = page.content.decode()
    assert "vendor/graphiql-2.4.7/graphiql.min.js" in html and "cdn." not in html and "https://" not in html
    assert "alice@a.test" in html


def test_session_posts_need_the_csrf_token(two_enterprises):
    a, _b, alice, _bob = two_enterprises
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    body = json.dumps({"query": "{ me { email role } }"})
    refused = browser.post("/graphql/", body, content_type="application/json", HTTP_HOST="alpha.localhost")
    assert refused.status_code == 403
    browser.get("/graphql/", HTTP_HOST="alpha.localhost", **HTML)  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post("/graphql/", body, content_type="application/json", HTTP_HOST="alpha.localhost",
                            HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 200
    assert accepted.json() == {"data": {"me": {"email": "alice@a.test", "role": "owner"}}}


def test_tokens_need_no_csrf(two_enterprises, make_token):
    a = two_enterprises[0]
    integration = Client(enforce_csrf_checks=True)
    result = gql(integration, "{ me { authKind } }", enterprise=a, token=make_token(a))
    assert result == {"data": {"me": {"authKind": "TOKEN"}}}


def test_anonymous_on_an_enterprise_host_is_unauthenticated(client, two_enterprises):
    result = gql(client, "{ ping }", enterprise=two_enterprises[0], status=401)
    assert error_codes(result) == ["UNAUTHENTICATED"]


def test_public_host_answers_anonymous_public_queries(client, two_enterprises):
    assert gql(client, "{ ping me { authKind isOffice } }") == {"data": {"ping": "pong", "me": {
        "authKind": "ANONYMOUS", "isOffice": False}}}


@pytest.mark.parametrize("change", ["revoked", "expired", "mangled", "scheme"])
def test_unusable_tokens(client, make_enterprise, make_token, change):
    a = make_enterprise(slug="alpha")
    token = make_token(a)
    row = ApiToken.objects.get()
    if change == "revoked":
        row.revoked_at = timezone.now()
    elif change == "expired":
        row.expires_at = timezone.now() - timedelta(seconds=1)
    row.save()
    if change == "mangled":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    headers = {"HTTP_AUTHORIZATION": f"Basic {token}" if change == "scheme" else f"Bearer {token}"}
    response = client.post("/graphql/", json.dumps({"query": "{ ping }"}), content_type="application/json",
                           HTTP_HOST="alpha.localhost", **headers)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_token_last_used_is_stamped(client, two_enterprises, make_token):
    a = two_enterprises[0]
    token = make_token(a)
    gql(client, "{ ping }", enterprise=a, token=token)
    assert ApiToken.objects.get().last_used_at is not None


def test_mutations_are_post_only(client, two_enterprises, make_token):
    a = two_enterprises[0]
    response = client.get("/graphql/", {"query": "mutation { apiTokenRevoke(id: \"x\") { errors { code } } }"},
                          HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {make_token(a)}")
    assert response.status_code == 405
