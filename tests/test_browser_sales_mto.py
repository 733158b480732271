"""The factory clerk's make-to-order path in a real browser (Debian's chromium, Playwright): confirm
an order for 10 hoods with 4 in stock "anyway (make to order)", find its line on the shortage list,
and once the rest is made, "Check availability for all" and deliver the 10. The queued check is run
here by the same call the Celery task makes, as in test_browser_mrp (the real worker is exercised in
erp_modules/sales/tests/test_shortages.py)."""

import re
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from erp_modules.inventory.selectors import stock_on_hand
from erp_modules.sales import services
from erp_modules.sales.models import AvailabilityCheck
from erp_modules.sales.tests.factories import make_customer, make_hood, order_for, receive
from core.testing import browser_login, browser_page, live_site, screenshots_dir
from tenants.models import Membership, Role
from tenants.services import invitation_accept, invitation_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Sales-Clerk-2026-mto!"


def test_confirm_to_order_shortage_list_check_all_and_deliver(live_server, clean_schemas, chromium,
                                                              make_enterprise, make_user):
    owner = make_user(email="owner@hoods.test")
    enterprise = make_enterprise(slug="mto-browser", owner=owner)
    clerk = make_user(email="clerk@hoods.test", password=PASSWORD)
    invitation = invitation_create(actor=Membership.objects.get(user=owner), email=clerk.email, role=Role.CLERK,
                                   base_url="http://localhost")
    invitation_accept(token=invitation.token, user=clerk)
    with tenant_context(enterprise):
        hood = make_hood("HOOD-MTO", stock=4, name="侧吸油烟机 CXW-200")
        order = order_for(make_customer("杭州电器城"), (hood, 10, 1200))  # a draft
    site, host = live_site(live_server), live_site(live_server, "mto-browser")
    page = browser_page(chromium, timeout_ms=30_000)
    SCREENSHOTS = screenshots_dir()
    browser_login(page, site, clerk.email, PASSWORD, then=f"{host}/**")
    line = page.locator("#document-lines tr[data-line]")

    # confirm: refused for stock, the page offers to confirm it to order; confirmed with 4 reserved, 6 short
    page.goto(f"{host}/sales/orders/{order.pk}/")
    page.locator("#confirm-order").click()
    expect(page.locator(".messages .alert-danger")).to_contain_text(
        "Line 1 (HOOD-MTO 侧吸油烟机 CXW-200) cannot be reserved")
    expect(page.locator("#shortage-help")).to_be_visible()
    page.locator("#confirm-order-shortage", has_text="Confirm anyway (make to order)").click()
    expect(page.locator("h1 [data-status=confirmed]")).to_have_text("confirmed")
    expect(page.locator(".messages .alert-warning")).to_contain_text(
        f"{order.number} confirmed to order: 1 line is short")
    expect(line.locator("[data-col=reserved]")).to_have_text("4")
    expect(line.locator("[data-col=short]")).to_have_text("6")
    expect(line.locator("[data-col=short]")).to_have_class(re.compile(r"\btable-danger\b"))

    # the shortage list, from the order page: the line, 6 short
    page.locator("#shortage-link").click()
    expect(page.locator("h1")).to_have_text("Shortage list")
    headers = [h.strip() for h in page.locator("#table-shortages thead th").all_inner_texts()]
    row = page.locator("#table-shortages tbody tr", has_text=order.number)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(headers.index("Item"))).to_have_text("HOOD-MTO")
    expect(row.locator("td").nth(headers.index("Short"))).to_have_text("6")

    # the 6 are made and received; "Check availability for all": progress, then the summary
    with tenant_context(enterprise):
        receive(hood, 6, unit_cost="800")
    page.goto(f"{host}/sales/shortages/")
    page.locator("#check-all").click()
    expect(page.locator("#availability-progress")).to_have_attribute("data-status", "queued")
    with tenant_context(enterprise):
        services.availability_check_execute(check_id=AvailabilityCheck.objects.get().pk)  # what the Celery task does
    expect(page.locator("#check-summary")).to_contain_text("1 order checked, 1 line reserved, 0 lines still short")
    expect(page.locator("#table-shortages tbody")).to_contain_text("Nothing found.")
    expect(page.locator("#table-shortages tbody tr", has_text=order.number)).to_have_count(0)

    # the order: 10 reserved, nothing short; the delivery proposes the 10, and the order is delivered
    page.locator("#check-summary a", has_text="Details").click()
    page.locator("main a", has_text=order.number).click()
    expect(line.locator("[data-col=reserved]")).to_have_text("10")
    expect(line.locator("[data-col=short]")).to_have_text("0")
    expect(page.locator("#deliver-form input[name^=deliver-]")).to_have_value("10")
    page.locator("#deliver-button").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Delivery DN-00001 posted.")
    page.locator("main a", has_text=order.number).click()
    expect(page.locator("h1 [data-status=delivered]")).to_have_text("delivered")
    expect(line.locator("[data-col=delivered]")).to_have_text("10")
    page.screenshot(path=str(SCREENSHOTS / "sales-make-to-order.png"), full_page=True)
    with tenant_context(enterprise):
        assert stock_on_hand(item=hood) == Decimal("0")
    page.context.close()
