"""The RFQ path in a real browser (Debian's chromium, Playwright): a buyer posts a demand asking for
quotations, another enterprise quotes, the buyer compares and accepts."""

import re

import pytest
from playwright.sync_api import expect

from ecommerce.models import Category, Listing, Notification, Quotation
from core.testing import browser_login, browser_page, live_site, screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Board-Buyer-2026!"


def login(chromium, site, email):
    page = browser_page(chromium)
    browser_login(page, site, email, PASSWORD)
    return page


def test_post_a_demand_another_enterprise_quotes_the_buyer_accepts(live_server, clean_schemas, chromium,
                                                                  make_enterprise, make_user):
    # given: a range-hood maker (buyer) and a motor maker (supplier), each with its owner
    buyer_user = make_user(email="buyer@hoods.test", password=PASSWORD)
    make_enterprise(slug="rfq-buyer", owner=buyer_user, name="慈溪市采购方电器有限公司")
    supplier_user = make_user(email="sales@motors.test", password=PASSWORD)
    make_enterprise(slug="rfq-supplier", owner=supplier_user, name="慈溪市供应方电机有限公司")
    site = live_site(live_server)
    SCREENSHOTS = screenshots_dir()

    # the buyer posts a demand that asks for quotations
    page = login(chromium, site, "buyer@hoods.test")
    page.goto(f"{site}/boards/")
    page.locator("#nav-post").click()
    page.locator("#id_kind_1").check()  # demand
    page.locator("#id_category").select_option(value=str(Category.objects.get(code="appl-parts-motor").pk))
    page.locator("#id_title").fill("求购油烟机用交流电机 220V 180W")
    page.locator("#id_description").fill("长期采购，低噪音，铜线绕组。")
    page.locator("#id_attributes").fill("电压: 220V\n功率: 180W")
    page.locator("#id_quantity").fill("3000")
    page.locator("#id_unit").fill("个")
    page.locator("#id_price_min").fill("100")
    page.locator("#id_price_max").fill("125")
    page.locator("#id_is_rfq").check()
    page.locator("#submit-publish").click()
    expect(page.locator("#listing-title")).to_contain_text("求购油烟机用交流电机")
    expect(page.locator("#quotation-count")).to_have_text("0 / 10")
    listing_url = page.url

    # another enterprise finds it by search and quotes
    spage = login(chromium, site, "sales@motors.test")
    spage.goto(f"{site}/boards/search/?q=抽油烟机+电机")
    spage.locator(".listing-title", has_text="求购油烟机用交流电机").click()
    expect(spage.locator("#contact-phone")).to_be_visible()
    form = spage.locator("#quotation-form")
    form.locator("[name=unit_price]").fill("112.5")
    form.locator("[name=quantity]").fill("3000")
    form.locator("[name=lead_time_days]").fill("20")
    form.locator("[name=note]").fill("含税到厂价，样品 3 天")
    spage.locator("#send-quotation").click()
    expect(spage.locator("#my-quotation")).to_contain_text("Submitted")

    # the buyer compares the quotations side by side and accepts
    page.goto(listing_url)
    table = page.locator("#quotation-compare")
    expect(table).to_contain_text("慈溪市供应方电机有限公司")
    expect(table).to_contain_text("¥112.50")
    expect(table).to_contain_text("¥337,500.00")
    page.screenshot(path=str(SCREENSHOTS / "boards-rfq-compare.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".accept-quotation").first.click()
    expect(page.locator(".quotation-status")).to_have_text("Accepted")
    expect(page.locator("#listing-status")).to_have_text("Closed")

    # the supplier is told
    spage.goto(f"{site}/boards/notifications/")
    # (notifications are written in the platform's default language when the event happens)
    expect(spage.locator("#notification-list")).to_contain_text(re.compile("Your quotation was accepted|您的报价已被接受"))
    listing = Listing.objects.get(title="求购油烟机用交流电机 220V 180W")
    assert (listing.status, listing.closed_reason, listing.is_rfq) == ("closed", "accepted", True)
    assert Quotation.objects.get(listing=listing).status == "accepted"
    assert Notification.objects.filter(user=supplier_user, kind="accepted").count() == 1
    page.context.close()
    spage.context.close()
