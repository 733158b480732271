"""A clerk picks a part's revision on a sales order line in a real browser (Debian's chromium, Playwright): the
revision list follows the item typed (htmx under the CSP, no script of ours), the order page shows the revision."""

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.testing import browser_login, browser_page, live_site, screenshots_dir
from erp_modules.sales.models import SalesOrder
from erp_modules.sales.tests.factories import make_customer, part_with_revisions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Sales-Revision-2026!"


def test_the_revision_list_follows_the_item_and_the_order_keeps_b(live_server, clean_schemas, chromium,
                                                                   make_enterprise, make_user):
    owner = make_user(email="owner@revisions.test", password=PASSWORD)
    enterprise = make_enterprise(slug="rev-browser", owner=owner)
    with tenant_context(enterprise):
        part_with_revisions()
        customer = make_customer("杭州电器城")
    site, host = live_site(live_server), live_site(live_server, "rev-browser")
    page = browser_page(chromium, viewport=(1400, 900), timeout_ms=30_000)
    browser_login(page, site, owner.email, PASSWORD, then=f"{host}/**")

    page.goto(f"{host}/sales/orders/new/")
    page.locator("#id_customer").select_option(str(customer.pk))
    expect(page.locator("#revisions-1 option")).to_have_count(0)
    page.locator("input[name=item]").first.fill("CXW-200-A1")
    page.locator("input[name=item]").first.press("Tab")  # "change": htmx fetches the item's revisions
    expect(page.locator("#revisions-1 option")).to_have_count(3)
    expect(page.locator("#revisions-1 option").nth(1)).to_have_attribute("value", "B")
    page.locator("input[name=revision]").first.fill("B")
    page.locator("input[name=quantity]").first.fill("2")
    page.locator("input[name=unit_price]").first.fill("1299")
    page.screenshot(path=str(screenshots_dir() / "sales-order-revision.png"), full_page=True)
    page.locator("#save-document").click()
    expect(page.locator("[data-revision=B]")).to_be_visible()  # "rev. B" / "版次 B" by the browser's language
    with tenant_context(enterprise):
        assert SalesOrder.objects.get().lines.get().revision == "B"
    page.context.close()
