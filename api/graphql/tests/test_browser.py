"""GraphiQL in a real browser (Debian's chromium, Playwright): an owner logs in, opens /graphql/ on the
enterprise host, runs the default query and sees the enterprise's items — with no network beyond the site."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django_tenants.utils import tenant_context
from core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[3] / ".data" / "test" / "screenshots"
PASSWORD = "Graph-QL-2026!"


def test_owner_runs_a_query_in_graphiql(live_server, clean_schemas, chromium, make_enterprise, make_user):
    from playwright.sync_api import expect

    from erp_modules.workspace.testing import make_item, receive

    owner = make_user(email="owner@graphiql.test", password=PASSWORD)
    enterprise = make_enterprise(slug="gql-browser", owner=owner)
    with tenant_context(enterprise):
        receive(make_item("HOOD-900", name="油烟机 CXW-900"), 4)
    port = urlsplit(live_server.url).port
    site, enterprise_site = f"http://localhost:{port}", f"http://gql-browser.localhost:{port}"
    context = chromium.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(20_000)
    outside = []
    context.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
                  if urlsplit(route.request.url).hostname not in ("localhost", "gql-browser.localhost")
                  else route.continue_())
    page = context.new_page()
    browser_login(page, site, "owner@graphiql.test", PASSWORD, then=f"{enterprise_site}/**")

    page.goto(f"{enterprise_site}/graphql/")
    page.locator(".graphiql-execute-button").click()
    expect(page.locator(".graphiql-response")).to_contain_text("HOOD-900")
    expect(page.locator(".graphiql-response")).to_contain_text('"stockOnHand": "4.0000"')
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "graphiql.png"))
    assert outside == []  # GraphiQL is vendored: nothing is fetched from another host
    context.close()
