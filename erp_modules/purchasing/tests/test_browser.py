"""A clerk's main path in a real browser (Debian's chromium, Playwright): log in, write a purchase
order with an extra line added through htmx, have it approved, receive part of it."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from core.testing import browser_login, browser_page, live_site, screenshots_dir
from erp_modules.inventory.selectors import stock_on_hand
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.purchasing.tests.factories import make_supplier
from erp_modules.workspace.testing import make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Purchase-Order-2026!"


def test_clerk_orders_manager_approves_clerk_receives(live_server, clean_schemas, chromium, make_enterprise,
                                                      make_user):
    # given an enterprise with a supplier and two items, its owner in an English browser
    owner = make_user(email="buyer@purchase.test", password=PASSWORD)
    enterprise = make_enterprise(slug="po-browser", owner=owner)
    with tenant_context(enterprise):
        supplier = make_supplier("宁波精密五金有限公司")
        bolt = make_item("BOLT-M6", standard_cost=Decimal("2.5"))
        make_item("NUT-M6")
    site, enterprise_site = live_site(live_server), live_site(live_server, "po-browser")
    page = browser_page(chromium, viewport=(1400, 900))
    browser_login(page, site, "buyer@purchase.test", PASSWORD, then=f"{enterprise_site}/**")
    SCREENSHOTS = screenshots_dir()

    # when the clerk writes an order: one line typed, one more row added with htmx
    page.goto(f"{enterprise_site}/purchasing/orders/new/")
    page.locator("#id_supplier").select_option(str(supplier.pk))
    page.locator("#id_expected_date").fill("2030-01-15")
    page.locator("[name=line-0-item]").fill("BOLT-M6")
    page.locator("[name=line-0-quantity]").fill("100")
    page.locator("#add-line-button button").click()
    expect(page.locator("#line-table tbody.po-line")).to_have_count(4)
    page.locator("[name=line-3-item]").fill("NUT-M6")
    page.locator("[name=line-3-quantity]").fill("50")
    page.locator("[name=line-3-unit_price]").fill("0.1")
    page.screenshot(path=str(SCREENSHOTS / "purchase-order-form.png"), full_page=True)
    page.locator("#save-order").click()

    # then the draft is shown with its totals (100 × 2.50 + 50 × 0.10 = 255.00, VAT 33.15)
    expect(page.locator("#order-status")).to_have_text("draft")
    expect(page.locator("#amount-total")).to_have_text("¥288.15")

    # when it is approved and 60 bolts and all nuts are received
    page.locator("#approve").click()
    expect(page.locator("#order-status")).to_have_text("approved")
    page.locator("#receive").click()
    page.locator("#receive-lines input[name^=qty-]").first.fill("60")
    page.screenshot(path=str(SCREENSHOTS / "purchase-receive.png"), full_page=True)
    page.locator("#post-receipt").click()

    # then the order is partially received and the bolts are in stock
    expect(page.locator("#order-status")).to_have_text("partially received")
    expect(page.locator(".messages .alert-success")).to_contain_text("Receipt GR-00001 posted.")
    page.screenshot(path=str(SCREENSHOTS / "purchase-order-detail.png"), full_page=True)
    with tenant_context(enterprise):
        assert PurchaseOrder.objects.get().status == "partially_received"
        assert stock_on_hand(item=bolt) == Decimal("60")
    page.context.close()
