"""Issue 15's billing path in a real browser (Debian's chromium, Playwright): an enterprise's owner on ERP (paid by
corporate bank transfer) sees no PDM in the menu, upgrades to ERP + PDM on the billing page, sees PDM appear in
the menu at once (the entitlements), and downloads the proration invoice as a PDF from the invoices page. Then
the platform administrator opens the billing dashboard (the MRR chart drawn by the vendored ECharts under the
strict CSP), finds the invoice and records the bank transfer that pays it. No page answers 500, no console
error, no script error. A screenshot per step (screenshots_dir()/billing-NN-*.png)."""

from __future__ import annotations

import pytest
from django.urls import include, path
from playwright.sync_api import expect

from billing.models import BankTransfer, Invoice, Plan, Subscription
from billing.services.plans import plans_default_ensure
from billing.services.subscriptions import subscription_start
from core.testing import browser_login, browser_page, live_site, screenshots_dir
from tenants.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Billing-Owner-2026!"
SLUG = "bill-browser"

# The public host's URLs with the platform administrator's billing pages mounted as config/urls_public.py does
# once the include (reported to the lead) is there.
urlpatterns = [path("platform/billing/", include("billing.urls_admin")), path("", include("config.urls_public"))]


def watched(page, problems: list[str]):
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} @ {page.url}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e} @ {page.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    return page


def shot(page, n: int, name: str) -> None:
    page.screenshot(path=str(screenshots_dir() / f"billing-{n:02d}-{name}.png"), full_page=True)


@pytest.fixture
def billing_urls(settings):
    settings.PUBLIC_SCHEMA_URLCONF = __name__
    settings.ROOT_URLCONF = "billing.tests.urls_tenant_host"  # the enterprise host with the owner's billing pages


def test_owner_upgrades_sees_pdm_downloads_the_invoice_and_the_admin_records_the_transfer(
        live_server, clean_schemas, billing_urls, chromium, make_enterprise, make_user):
    # given: an owner whose enterprise is on ERP, monthly, paid by corporate bank transfer (its first invoice open)
    plans_default_ensure()
    owner = make_user(email="owner@bill-browser.test", password=PASSWORD, full_name="王老板")
    enterprise = make_enterprise(slug=SLUG, owner=owner, name="慈溪浏览器计费测试有限公司")
    assert Membership.objects.filter(user=owner, enterprise=enterprise, role=Role.OWNER).exists()
    subscription_start(enterprise=enterprise, plan=Plan.objects.get(code="erp"), actor=owner,
                       payment_method="bank_transfer", trial=False)
    admin = make_user(email="finance@bill-browser.test", password=PASSWORD, platform_role="platform_admin",
                      full_name="平台财务")
    site, enterprise_site = live_site(live_server), live_site(live_server, SLUG)
    problems: list[str] = []

    page = watched(browser_page(chromium, locale="zh-CN", accept_downloads=True), problems)
    try:
        browser_login(page, site, owner.email, PASSWORD, then=f"{enterprise_site}/**")
        # the menu has ERP, not PDM
        page.goto(f"{enterprise_site}/billing/")
        expect(page.locator("#current-plan-name")).to_have_text("ERP")
        expect(page.locator("#nav-erp")).to_be_visible()
        expect(page.locator("#nav-pdm")).to_have_count(0)
        shot(page, 1, "owner-on-erp")
        # when: the owner upgrades to ERP + PDM
        page.locator("#id_plan").select_option(str(Plan.objects.get(code="erp-pdm").pk))
        page.locator("#id_interval").select_option("month")
        page.locator("#plan-submit").click()
        page.wait_for_load_state()
        # then: the plan is ERP + PDM now, and PDM is in the menu
        expect(page.locator("#current-plan-name")).to_have_text("ERP + PDM")
        expect(page.locator("#nav-pdm")).to_be_visible()
        shot(page, 2, "owner-upgraded-pdm-in-menu")
        page.locator("#nav-pdm > a").click()
        expect(page.locator("#nav-pdm .dropdown-menu a[href='/pdm/parts/']")).to_be_visible()
        # the invoices: the first period's and the upgrade's proration; the newest downloads as a PDF
        page.goto(f"{enterprise_site}/billing/invoices/")
        newest = Invoice.objects.filter(enterprise=enterprise).order_by("-issued_at", "-id").first()
        assert Invoice.objects.filter(enterprise=enterprise).count() == 2
        shot(page, 3, "owner-invoices")
        with page.expect_download() as download_info:
            page.get_by_role("link", name=newest.number).first.click()
        download = download_info.value
        assert download.suggested_filename == f"invoice-{newest.number}.pdf"
        with open(download.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
    finally:
        page.context.close()

    # the platform administrator: the dashboard's charts, then the transfer that pays the proration invoice
    page = watched(browser_page(chromium), problems)
    try:
        browser_login(page, site, admin.email, PASSWORD)
        page.goto(f"{site}/platform/billing/")
        expect(page.locator("#mrr-chart svg")).to_have_count(1)
        expect(page.locator("#subscribers-chart svg")).to_have_count(1)
        shot(page, 4, "admin-dashboard")
        page.goto(f"{site}/platform/billing/invoices/?q={newest.number}")
        page.get_by_role("link", name=newest.number).click()
        expect(page.locator("#invoice-status")).to_have_text("Open")
        page.locator("#id_amount").fill(str(newest.amount_due))
        page.locator("#id_bank_reference").fill("ICBC-BROWSER-1")
        page.locator("#transfer-save").click()
        expect(page.locator("#invoice-status")).to_have_text("Paid")
        shot(page, 5, "admin-transfer-recorded")
    finally:
        page.context.close()

    assert BankTransfer.objects.get(bank_reference="ICBC-BROWSER-1").invoice_id == newest.pk
    assert Subscription.objects.get(enterprise=enterprise, status__in=["active", "trialing"]).plan.code == "erp-pdm"
    assert problems == []
