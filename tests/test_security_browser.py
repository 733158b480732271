"""Pages still work under the Content-Security-Policy, in a real browser (Debian's chromium, Playwright):
an owner logs in and hands off to the enterprise's host, uses the behaviours that used to be inline
handlers (confirm before submit, the language switcher, removing a form line, copying a new API token,
GraphiQL) and the htmx table filter, and the browser reports no CSP violation on any page. Then a
visitor who guesses a password gets the lock-out page, in the browser too."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.testing import browser_login
from erp_modules.catalog.models import UnitOfMeasure
from erp_modules.catalog.services import item_create
from tenants.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parent.parent / ".data" / "test" / "screenshots"
PASSWORD = "Strict-Policy-2026!"

# Records every violation the page reports, before any of its own scripts runs.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_pages_work_under_the_content_security_policy(live_server, clean_schemas, chromium, make_enterprise,
                                                      make_user):
    # given: an owner, a clerk, an item, and a browser that records CSP violations and console errors
    owner = make_user(email="owner@csp.test", password=PASSWORD)
    clerk = make_user(email="clerk@csp.test")
    enterprise = make_enterprise(slug="csp-co", owner=owner)
    Membership.objects.create(user=clerk, enterprise=enterprise, role=Role.CLERK)
    with tenant_context(enterprise):
        unit = UnitOfMeasure.objects.first()
        item_create(code="HOOD-CSP", name="侧吸油烟机", item_type="finished", uom=unit)
        item_create(code="MOTOR-CSP", name="交流电机", item_type="component", uom=unit)
    port = urlsplit(live_server.url).port
    site, host = f"http://localhost:{port}", f"http://csp-co.localhost:{port}"
    context = chromium.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    seen = {}

    def check(label: str) -> None:
        page.wait_for_load_state("load")
        seen[label] = _violations(page)

    # the log-in on the public host posts, then redirects to the enterprise host (form-action allows it)
    browser_login(page, site, "owner@csp.test", PASSWORD, then=f"{host}/**")
    check("dashboard")
    assert page.url == f"{host}/"

    # the language switcher submits its form on change (no onchange= any more)
    page.locator("#language-form select").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator("#language-form select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check("language switch")

    # confirm before submit (no onsubmit=): dismissed, nothing happens; accepted, the clerk is removed
    page.goto(f"{host}/members/")
    row = page.locator("tr[data-email='clerk@csp.test']")
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.locator("button", has_text="Remove").click()
    expect(row).to_be_visible()
    assert Membership.objects.filter(user=clerk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button", has_text="Remove").click()
    expect(page.locator(".messages")).to_contain_text("Member removed.")  # the answer to the post, not the unload
    expect(page.locator("tr[data-email='clerk@csp.test']")).to_have_count(0)
    assert not Membership.objects.filter(user=clerk).exists()
    check("members")

    # the htmx table filter (hx-trigger with a selector, no eval)
    page.goto(f"{host}/catalog/items/")
    page.locator("input[name=q]").fill("MOTOR")
    expect(page.locator(".db-table tbody")).not_to_contain_text("HOOD-CSP")
    expect(page.locator(".db-table tbody")).to_contain_text("MOTOR-CSP")
    check("items table")

    # removing a purchase-order line (no hx-on), after adding one with htmx
    page.goto(f"{host}/purchasing/orders/new/")
    lines = page.locator("#line-table tbody.po-line")
    before = lines.count()
    page.locator("#add-line-button button").click()
    expect(lines).to_have_count(before + 1)
    lines.last.locator("[data-remove-closest]").click()
    expect(lines).to_have_count(before)
    check("purchase order form")

    # the factory overview loads ECharts
    page.goto(f"{host}/erp/")
    check("factory overview")

    # a new API token: the copy button works from the static script
    page.goto(f"{host}/settings/api-tokens/new/")
    page.locator("#token-form input[name=name]").fill("MES line 2")
    page.locator("#token-form input[name=scopes]").first.check()
    page.locator("#token-form button[type=submit]").click()
    expect(page.locator("#new-token")).to_be_visible()
    page.locator("#copy-token").click()
    expect(page.locator("#copy-token")).not_to_have_text("Copy")
    check("token created")

    # GraphiQL starts from its static script and runs the example query
    page.goto(f"{host}/graphql/")
    page.locator(".graphiql-execute-button").click()
    expect(page.locator(".graphiql-response")).to_contain_text("owner@csp.test")
    check("graphiql")
    page.screenshot(path=str(SCREENSHOTS / "csp-graphiql.png"))

    # back on the public host: home, boards
    page.goto(f"{site}/")
    check("public home")
    page.goto(f"{site}/boards/")
    check("boards")

    assert seen == {label: [] for label in seen}
    csp_console = [line for line in console if "Content Security Policy" in line or "Refused to" in line]
    assert csp_console == []
    assert [line for line in console if line.startswith("pageerror")] == []
    context.close()


def test_a_guessed_password_meets_the_lock_out_page_and_the_platform_admin_lifts_it(live_server, clean_schemas,
                                                                                      chromium, make_user, settings):
    # every browser here is 127.0.0.1: as behind the production proxy, each tells its own address
    settings.TRUSTED_PROXY_COUNT = 1
    make_user(email="guessed@csp.test", password=PASSWORD)
    make_user(email="root@csp.test", password=PASSWORD, is_staff=True, is_superuser=True, platform_role="platform_admin")
    site = f"http://localhost:{urlsplit(live_server.url).port}"
    context = chromium.new_context(locale="en-US", extra_http_headers={"X-Forwarded-For": "198.51.100.5"})
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        browser_login(page, site, "guessed@csp.test", f"wrong-{n}")
        expect(page.locator("main .alert-danger")).to_be_visible()
    browser_login(page, site, "guessed@csp.test", "wrong-last")
    expect(page.locator("#locked-out")).to_contain_text("logging in is blocked for 15 minutes")
    browser_login(page, site, "guessed@csp.test", PASSWORD)
    expect(page.locator("#locked-out")).to_be_visible()
    assert page.url == f"{site}/login/"
    assert _violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "locked-out.png"))

    # the platform admin (another browser) sees the lock in the admin and deletes it
    admin_context = chromium.new_context(locale="en-US", extra_http_headers={"X-Forwarded-For": "203.0.113.5"})
    admin_context.set_default_timeout(15_000)
    admin_context.add_init_script(WATCH_VIOLATIONS)
    admin = admin_context.new_page()
    admin.goto(f"{site}/admin/login/?next=/admin/axes/accessattempt/")
    admin.locator("#id_username").fill("root@csp.test")
    admin.locator("#id_password").fill(PASSWORD)
    admin.locator("#login-form [type=submit]").click()
    row = admin.locator("#result_list tbody tr", has_text="guessed@csp.test")
    expect(row).to_have_count(1)
    row.locator("input.action-select").check()
    admin.locator("select[name=action]").select_option("delete_selected")
    admin.locator("button[name=index]").click()
    assert _violations(admin) == []
    admin.locator("input[type=submit]").click()  # "Yes, I'm sure"
    expect(admin.locator(".messagelist .success")).to_be_visible()  # the list again, not the confirmation
    expect(admin.locator("#result_list tbody tr", has_text="guessed@csp.test")).to_have_count(0)
    admin.goto(f"{site}/admin/")  # the admin's index, with its list of applications
    expect(admin.locator("#content-main .app-axes")).to_be_visible()
    assert _violations(admin) == []
    admin_context.close()

    # the user logs in at once
    browser_login(page, site, "guessed@csp.test", PASSWORD)
    expect(page.locator("#user-menu")).to_be_visible()
    context.close()
