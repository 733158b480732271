"""The planner's main path in a real browser (Debian's chromium, Playwright): run MRP and watch the
progress until the plan appears, open the time-phased chart and the pegging of a planned order,
and convert a planned order into a purchase order. The queued run is computed here by the same
call the Celery task makes (the real worker is exercised once, in test_isolation).

Browser tests live in tests/ (house style): this file is meant to become tests/test_browser_mrp.py;
under this name pytest does not collect it. It passes as is (about 10 s)."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from erp_modules.mrp import services
from erp_modules.mrp.models import MasterScheduleEntry, MrpRun
from erp_modules.mrp.tests.factories import hood_family, week
from erp_modules.purchasing.models import PurchaseOrder
from core.testing import browser_login, browser_page, live_site, screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Planner-2026-mrp!"


def test_run_mrp_see_the_plan_its_chart_and_pegging_and_convert(live_server, clean_schemas, chromium,
                                                                 make_enterprise, make_user):
    owner = make_user(email="planner@hoods.test", password=PASSWORD)
    enterprise = make_enterprise(slug="mrp-browser", owner=owner)
    with tenant_context(enterprise):
        fg, sa, rm, _supplier = hood_family()
        MasterScheduleEntry.objects.create(item=fg, week_start=week(3), quantity=Decimal(5))
    site, host = live_site(live_server), live_site(live_server, "mrp-browser")
    page = browser_page(chromium, timeout_ms=30_000)
    SCREENSHOTS = screenshots_dir()
    browser_login(page, site, "planner@hoods.test", PASSWORD, then=f"{host}/**")

    # run MRP: queued, the page polls the progress; once computed the page shows the plan by itself
    page.goto(f"{host}/mrp/")
    expect(page.locator("#no-run")).to_be_visible()
    page.locator("#run-button").click()
    expect(page.locator("#mrp-progress")).to_have_attribute("data-status", "queued")
    with tenant_context(enterprise):
        services.mrp_run_execute(run_id=MrpRun.objects.get().pk)  # what the Celery task does
    expect(page.locator("#planned-orders")).to_contain_text("RM-STEEL")
    expect(page.locator("#count-make")).to_have_text("2")
    page.screenshot(path=str(SCREENSHOTS / "mrp-workbench.png"), full_page=True)

    # the time-phased chart of the sub-assembly (ECharts draws it as SVG)
    page.locator("#planned-orders a", has_text="风机组件").first.click()
    expect(page.locator("#item-chart svg")).to_have_count(1)
    expect(page.locator("#time-phased")).to_contain_text("4")
    page.screenshot(path=str(SCREENSHOTS / "mrp-item-chart.png"), full_page=True)

    # the pegging of the raw material's planned order: through SA-FAN and FG-900 to the schedule
    page.goto(f"{host}/mrp/")
    page.locator("#planned-orders a", has_text="RM-STEEL").first.click()
    expect(page.locator("#pegging-tree")).to_contain_text("SA-FAN")
    expect(page.locator("#pegging-tree")).to_contain_text("FG-900")
    expect(page.locator("#top-demands")).to_contain_text("W")
    page.screenshot(path=str(SCREENSHOTS / "mrp-pegging.png"), full_page=True)

    # the owner (a manager and more) converts the purchase into a draft purchase order
    page.goto(f"{host}/mrp/")
    page.locator("#planned-orders tr", has_text="RM-STEEL").locator("input[name=order]").check()
    page.locator("#convert-button").click()
    expect(page.locator(".messages")).to_contain_text("PO-00001")
    expect(page.locator("#planned-orders tr", has_text="RM-STEEL")).to_contain_text("PO-00001")
    with tenant_context(enterprise):
        assert PurchaseOrder.objects.get().lines.get().item == rm
    page.context.close()
