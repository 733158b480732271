"""The endpoint: GraphiQL (vendored) for logged-in users, CSRF for sessions, 401 for bad tokens."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.graphql.tests.conftest import error_codes, gql
from api.tokens.models import ApiToken

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


# ---- failed token authentications per address (django-axes) ----------------------------------------

def _ask(client, token, address):
    return client.post("/graphql/", json.dumps({"query": "{ ping }"}), content_type="application/json",
                       HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address)


def test_failed_tokens_lock_the_address_for_a_cool_off(client, two_enterprises, make_token, settings):
    from axes.models import AccessAttempt

    a, b = two_enterprises[0], two_enterprises[1]
    good = make_token(a)
    wrong = [make_token(b), "dbk_0000000000_nope", good[:-2] + "xx"]  # another enterprise's, unknown, mangled
    limit = settings.AXES_FAILURE_LIMIT
    answers = [_ask(client, wrong[n % len(wrong)], "203.0.113.7") for n in range(limit)]
    assert [r.status_code for r in answers] == [401] * (limit - 1) + [429]
    locked = _ask(client, good, "203.0.113.7")  # even the right token waits: guessing cannot go on
    assert locked.status_code == 429 and int(locked["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert locked.json()["errors"][0]["extensions"] == {"code": "TOO_MANY_FAILED_ATTEMPTS",
                                                         "retryAfter": int(locked["Retry-After"])}
    assert _ask(client, good, "198.51.100.9").status_code == 200  # another address is not concerned
    anonymous = client.post("/graphql/", json.dumps({"query": "{ ping }"}), content_type="application/json",
                            HTTP_HOST="localhost", REMOTE_ADDR="203.0.113.7")
    assert anonymous.status_code == 200  # no token, nothing to guess
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").exists()  # the platform admin sees it …
    AccessAttempt.objects.filter(ip_address="203.0.113.7").delete()  # … and lifts it
    assert _ask(client, good, "203.0.113.7").status_code == 200
