"""Settings → API tokens on an enterprise host: administrators create a token (shown once, then it works at
/graphql/), list and revoke; lower roles get 403; another enterprise's tokens are invisible and a 404."""

import html
import json
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from api.tokens.models import ApiToken
from api.tokens.services import MAX_ACTIVE_TOKENS, api_token_create
from core.testing import browser_login
from tenants.models import Membership, Role

pytestmark = pytest.mark.django_db
URL = "/settings/api-tokens/"
TOKEN_RE = re.compile(r'id="new-token" value="(dbk_[^"]+)"')


def _host(enterprise) -> dict:
    return {"HTTP_HOST": f"{enterprise.slug}.localhost"}


def _member(make_user, enterprise, role):
    user = make_user(language="en")
    Membership.objects.create(user=user, enterprise=enterprise, role=role)
    return user


def _graphql(token: str, enterprise, query: str = "{ items { totalCount } }"):
    return Client().post("/graphql/", json.dumps({"query": query}), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}", **_host(enterprise))


@pytest.fixture
def alpha(make_enterprise, make_user):
    """Enterprise "alpha" with an administrator (not the owner) logged in on the test client."""
    enterprise = make_enterprise(slug="tok-alpha")
    return enterprise, _member(make_user, enterprise, Role.ADMIN)


def test_admin_creates_a_token_shown_once_that_then_works_at_graphql(client, alpha):
    enterprise, admin = alpha
    client.force_login(admin)

    # given: the settings page links to the token page, which is empty
    settings_page = client.get("/settings/", **_host(enterprise)).content.decode()
    assert 'href="/settings/api-tokens/" id="api-tokens-link"' in settings_page
    assert "Authorization: Bearer dbk_…" in settings_page
    assert "Nothing found." in client.get(URL, **_host(enterprise)).content.decode()

    # when: the administrator creates a token with catalog:read
    response = client.post(f"{URL}new/", {"name": "MES line 2", "scopes": ["catalog:read"]}, **_host(enterprise))

    # then: the answer shows the whole token once, with the warning, and is not cached
    assert response.status_code == 200
    page = response.content.decode()
    token = TOKEN_RE.search(page).group(1)
    row = ApiToken.objects.get()
    assert (row.enterprise, row.name, row.scopes, row.created_by, row.expires_at) == (
        enterprise, "MES line 2", ["catalog:read"], admin, None)
    assert token.startswith(f"dbk_{row.prefix}_") and 'id="token-once"' in page
    assert "it will not be shown again" in page and 'id="copy-token"' in page
    assert "no-store" in response["Cache-Control"]

    # ... the token reads the catalog of its enterprise through /graphql/
    answer = _graphql(token, enterprise)
    assert answer.status_code == 200 and answer.json() == {"data": {"items": {"totalCount": 0}}}

    # ... and the secret is nowhere later: not in the session, not on the list, not in the Excel export
    assert token not in json.dumps(dict(client.session.items()), default=str)
    listing = client.get(URL, **_host(enterprise)).content.decode()
    assert token not in listing and token[len(f"dbk_{row.prefix}_"):] not in listing
    assert "MES line 2" in listing and f"dbk_{row.prefix}_…" in listing
    assert "read items and bills of materials" in listing and ">Active<" in listing
    assert str(admin) in listing  # created by
    export = client.get(f"{URL}?export=xlsx", **_host(enterprise))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert token.encode() not in export.content


def test_token_with_an_expiry_date_expires_at_midnight_of_that_day(client, alpha):
    enterprise, admin = alpha
    client.force_login(admin)
    day = timezone.localdate() + timedelta(days=30)
    client.post(f"{URL}new/", {"name": "shop", "scopes": ["catalog:read", "stock:read"],
                               "expires_at": day.isoformat()}, **_host(enterprise))
    row = ApiToken.objects.get()
    assert timezone.localtime(row.expires_at).date() == day
    assert timezone.localtime(row.expires_at).time().isoformat() == "00:00:00"
    assert row.scopes == ["catalog:read", "stock:read"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.MANAGER])
def test_lower_roles_get_403(client, make_user, alpha, role):
    enterprise, admin = alpha
    token = api_token_create(enterprise=enterprise, name="erp", scopes=["catalog:read"], user=admin).api_token
    client.force_login(_member(make_user, enterprise, role))
    for url in (URL, f"{URL}new/", f"{URL}{token.pk}/revoke/"):
        response = client.get(url, **_host(enterprise))
        assert response.status_code == 403 and "This needs the role" in response.content.decode()
    assert client.post(f"{URL}new/", {"name": "x", "scopes": ["catalog:read"]}, **_host(enterprise)).status_code == 403
    assert client.post(f"{URL}{token.pk}/revoke/", **_host(enterprise)).status_code == 403
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().revoked_at is None
    # and the settings page does not show them the link
    assert "api-tokens-link" not in client.get("/settings/", **_host(enterprise)).content.decode()


def test_owner_may_manage_tokens_too_and_anonymous_must_log_in(client, alpha):
    enterprise, _admin = alpha
    assert client.get(URL, **_host(enterprise)).status_code == 302
    client.force_login(enterprise.memberships.get(role=Role.OWNER).user)
    assert client.get(URL, **_host(enterprise)).status_code == 200


def test_revoke_after_confirmation_then_the_token_gets_401(client, alpha):
    enterprise, admin = alpha
    new = api_token_create(enterprise=enterprise, name="erp bridge", scopes=["catalog:read"], user=admin)
    assert _graphql(new.token, enterprise).status_code == 200
    client.force_login(admin)
    revoke_url = f"{URL}{new.api_token.pk}/revoke/"
    assert f'href="{revoke_url}"' in client.get(URL, **_host(enterprise)).content.decode()

    # the link opens a confirmation; GET changes nothing
    confirm = client.get(revoke_url, **_host(enterprise))
    assert confirm.status_code == 200 and 'id="revoke-form"' in confirm.content.decode()
    assert ApiToken.objects.get().revoked_at is None

    response = client.post(revoke_url, **_host(enterprise))
    assert response.status_code == 302 and response["Location"] == URL
    row = ApiToken.objects.get()
    assert row.revoked_at is not None and row.revoked_by == admin
    listing = client.get(URL, **_host(enterprise)).content.decode()
    assert "is revoked: it no longer works" in listing and ">Revoked<" in listing
    assert f'href="{revoke_url}"' not in listing

    answer = _graphql(new.token, enterprise)
    assert answer.status_code == 401 and answer["WWW-Authenticate"].startswith("Bearer")

    # a second revocation says so and changes nothing
    client.post(revoke_url, **_host(enterprise))
    assert "already revoked" in client.get(URL, **_host(enterprise)).content.decode()
    assert ApiToken.objects.get().revoked_at == row.revoked_at


def test_revoke_needs_the_csrf_token(alpha):
    enterprise, admin = alpha
    token = api_token_create(enterprise=enterprise, name="erp", scopes=["catalog:read"], user=admin).api_token
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    url = f"{URL}{token.pk}/revoke/"
    assert browser.post(url, **_host(enterprise)).status_code == 403
    assert ApiToken.objects.get().revoked_at is None
    browser.get(url, **_host(enterprise))
    assert browser.post(url, {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
                        **_host(enterprise)).status_code == 302
    assert ApiToken.objects.get().revoked_at is not None


def test_an_admin_never_sees_nor_revokes_another_enterprises_tokens(client, make_enterprise, make_user, alpha):
    enterprise_a, admin_a = alpha
    enterprise_b = make_enterprise(slug="tok-bravo")
    mine = api_token_create(enterprise=enterprise_a, name="alpha MES", scopes=["catalog:read"], user=admin_a)
    theirs = api_token_create(enterprise=enterprise_b, name="bravo secret ERP", scopes=["orders:read"])
    client.force_login(admin_a)

    listing = client.get(URL, **_host(enterprise_a)).content.decode()
    assert "alpha MES" in listing and "bravo secret ERP" not in listing
    assert theirs.api_token.prefix not in listing
    assert "bravo secret ERP" not in client.get(f"{URL}?q=bravo", **_host(enterprise_a)).content.decode()
    export = client.get(f"{URL}?export=xlsx", **_host(enterprise_a)).content
    assert theirs.api_token.prefix.encode() not in export

    for method in (client.get, client.post):
        assert method(f"{URL}{theirs.api_token.pk}/revoke/", **_host(enterprise_a)).status_code == 404
        assert method(f"{URL}999999/revoke/", **_host(enterprise_a)).status_code == 404
    # on B's host A's admin is not a member: the host's usual 404
    assert client.get(URL, **_host(enterprise_b)).status_code == 404
    assert client.post(f"{URL}{theirs.api_token.pk}/revoke/", **_host(enterprise_b)).status_code == 404
    assert ApiToken.objects.get(pk=theirs.api_token.pk).revoked_at is None
    assert ApiToken.objects.get(pk=mine.api_token.pk).revoked_at is None


def _errors(page: str, field: str) -> str:
    match = re.search(rf'id="error-{field}">(.*?)</div>\s*</div>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def test_errors_are_shown_on_their_field_and_nothing_is_created(client, alpha):
    enterprise, admin = alpha
    client.force_login(admin)

    page = client.post(f"{URL}new/", {"name": "  ", "expires_at": ""}, **_host(enterprise)).content.decode()
    assert _errors(page, "name") == "Give the token a name (what will use it)."
    assert 'id="error-scopes"' not in page  # the service stops at the first problem

    page = client.post(f"{URL}new/", {"name": "MES"}, **_host(enterprise)).content.decode()
    assert _errors(page, "scopes") == "Choose at least one scope."
    assert 'value="MES"' in page  # what was typed is kept

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    for day in (yesterday, timezone.localdate().isoformat()):  # today 00:00 is already past
        page = client.post(f"{URL}new/", {"name": "MES", "scopes": ["stock:read"], "expires_at": day},
                           **_host(enterprise)).content.decode()
        assert _errors(page, "expires_at") == "The expiry must be in the future."
        assert 'value="stock:read" id="id_scopes_2" checked' in page

    page = client.post(f"{URL}new/", {"name": "MES", "scopes": ["admin:all"]}, **_host(enterprise)).content.decode()
    assert "admin:all" in _errors(page, "scopes")
    assert not ApiToken.objects.exists()

    ApiToken.objects.bulk_create([ApiToken(enterprise=enterprise, name=f"t{n}", prefix=f"pg{n:08d}", token_hash="x",
                                           scopes=["catalog:read"]) for n in range(MAX_ACTIVE_TOKENS)])
    page = client.post(f"{URL}new/", {"name": "one more", "scopes": ["catalog:read"]},
                       **_host(enterprise)).content.decode()
    assert _errors(page, "name") == (f"An enterprise can have at most {MAX_ACTIVE_TOKENS} active tokens; "
                                     "revoke one first.")
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_status_filter_and_paging(client, alpha):
    enterprise, admin = alpha
    api_token_create(enterprise=enterprise, name="live one", scopes=["catalog:read"], user=admin)
    old = api_token_create(enterprise=enterprise, name="old one", scopes=["catalog:read"], user=admin).api_token
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(admin)
    expired = client.get(f"{URL}?status=expired", **_host(enterprise)).content.decode()
    assert "old one" in expired and "live one" not in expired and ">Expired<" in expired
    # an expired token can still be revoked (it counts towards the limit until then)
    assert f'href="{URL}{old.pk}/revoke/"' in expired


# ---- in a real browser ---------------------------------------------------------------------------

PASSWORD = "Api-Tokens-2026!"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_admin_creates_a_token_and_sees_it_once(live_server, clean_schemas, chromium, make_enterprise,
                                                        make_user):
    from playwright.sync_api import expect

    owner = make_user(email="owner@tokens.test", password=PASSWORD, language="en")
    make_enterprise(slug="tok-browser", owner=owner)
    port = urlsplit(live_server.url).port
    site, host = f"http://localhost:{port}", f"http://tok-browser.localhost:{port}"
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=host)
    context.set_default_timeout(20_000)
    page = context.new_page()
    browser_login(page, site, "owner@tokens.test", PASSWORD, then=f"{host}/**")

    page.goto(f"{host}/settings/")
    page.locator("#api-tokens-link").click()
    page.locator("#new-token-link").click()
    page.locator("#token-form button[type=submit]").click()  # nothing filled in: the name is asked for
    expect(page.locator("#error-name")).to_contain_text("Give the token a name")
    screenshots = Path(settings.DATA_DIR) / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "api-token-form.png"), full_page=True)
    page.locator("#id_name").fill("MES line 2")
    page.locator("input[name=scopes][value='catalog:read']").check()
    page.locator("#token-form button[type=submit]").click()

    expect(page.locator("#token-once")).to_be_visible()
    expect(page.locator("#token-once")).to_contain_text("will not be shown again")
    token = page.locator("#new-token").input_value()
    assert re.fullmatch(r"dbk_[0-9a-f]{10}_[A-Za-z0-9_-]{43}", token)
    page.locator("#copy-token").click()
    expect(page.locator("#copy-token")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == token
    page.screenshot(path=str(screenshots / "api-token-created.png"), full_page=True)

    page.locator("#token-done").click()
    expect(page.locator("#table-api-tokens")).to_contain_text("MES line 2")
    assert token not in page.content()
    page.screenshot(path=str(screenshots / "api-token-list.png"), full_page=True)
    context.close()
