"""The informatization office's main path in a real browser (Debian's chromium, Playwright): log
in, enrol an enterprise in a programme, see it with its adoption status on the dashboard, export
the list to Excel and set up a new programme from the dashboard."""


import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from core.testing import browser_login, browser_page, live_site, screenshots_dir
from office.models import Enrolment, Programme
from office.tests.builders import make_programme, put_snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Office-Cixi-2026!"


def test_office_enrols_an_enterprise_sees_it_on_the_dashboard_and_exports_the_list(
        live_server, clean_schemas, chromium, make_enterprise, make_user, tmp_path):
    # given: the office's login, a programme and an enterprise with last night's figures
    make_user(email="office@cixi.test", password=PASSWORD, platform_role="office", full_name="信息化办公室")
    programme = make_programme(code="erp-browser", name="ERP 上平台试点", criteria={
        "min_active_users_30d": 3, "min_documents_per_month": 50})
    enterprise = make_enterprise(slug="office-browser", name="慈溪市浏览器厨电有限公司", town="观海卫镇")
    put_snapshot(enterprise, timezone.localdate(), users=2, documents=64)
    site = live_site(live_server)
    page = browser_page(chromium, accept_downloads=True)

    # when: the office logs in and opens its pages from the navigation
    browser_login(page, site, "office@cixi.test", PASSWORD, then=f"{site}/")
    page.locator("#nav-office").click()
    page.wait_for_url(f"{site}/office/")
    page.locator(f"[data-programme='{programme.code}'] h2 a").click()
    expect(page.locator("#programme-name")).to_have_text("ERP 上平台试点")

    # ... and enrols the enterprise
    page.locator("#id_enterprise").select_option(str(enterprise.pk))
    page.locator("#id_note").fill("首批试点")
    page.locator("#enrol-submit").click()
    expect(page.locator(".messages .alert-success")).to_contain_text("is enrolled in ERP 上平台试点")

    # then: the dashboard lists it, at risk, with the reason
    page.goto(f"{site}/office/")
    row = page.locator("#table-enrolled-enterprises tbody tr").filter(has_text=enterprise.name)
    expect(row).to_contain_text("at risk")
    expect(row).to_contain_text("2 active users in 30 days (needs 3)")
    expect(page.locator(f"[data-programme='{programme.code}'] .progress-figure")).to_have_text("0 / 10")
    page.screenshot(path=str(screenshots_dir() / "office-dashboard.png"), full_page=True)

    # and the list exports to Excel with the same row
    with page.expect_download() as download:
        page.locator("#table-enrolled-enterprises [data-export]").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert download.value.suggested_filename.startswith("enrolled-enterprises-")
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Enterprise", "Programme")
    assert rows[1][:4] == (enterprise.name, "ERP 上平台试点", "3854 Household kitchen appliances", "观海卫镇")
    assert rows[1][6] == "at risk"
    enrolment = Enrolment.objects.get(enterprise=enterprise)
    assert (enrolment.status, enrolment.note) == ("enrolled", "首批试点")

    # and a new programme is set up from the dashboard
    page.locator("#programme-new").click()
    page.wait_for_url(f"{site}/office/programmes/new/")
    page.locator("#id_code").fill("pdm-browser")
    page.locator("#id_name").fill("PDM 示范（浏览器）")
    page.locator("#id_module").select_option("pdm")
    page.locator("#id_target_count").fill("5")
    page.locator("#id_period_start").fill("2026-01-01")
    page.locator("#id_period_end").fill("2027-12-31")
    page.locator("#id_budget").fill("2000000")
    page.locator("#id_min_active_users_30d").fill("2")
    page.screenshot(path=str(screenshots_dir() / "office-programme-new.png"), full_page=True)
    page.locator("#programme-save").click()
    page.wait_for_url(f"{site}/office/programmes/pdm-browser/")
    expect(page.locator("#programme-name")).to_have_text("PDM 示范（浏览器）")
    created = Programme.objects.get(code="pdm-browser")
    assert (created.module, created.target_count, created.budget, created.criteria) == (
        "pdm", 5, 2000000, {"min_active_users_30d": 2})
    page.context.close()
