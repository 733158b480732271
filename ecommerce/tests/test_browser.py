"""The RFQ path in a real browser (Debian's chromium, Playwright): a buyer posts a demand asking for
quotations, another enterprise quotes, the buyer compares and accepts."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ecommerce.models import Listing, Notification, Quotation
from core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".data" / "test" / "screenshots"
PASSWORD = "Board-Buyer-2026!"


def login(context, site, email):
    page = context.new_page()
    browser_login(page, site, email, PASSWORD)
    return page


def test_post_a_demand_another_enterprise_quotes_the_buyer_accepts(live_server, clean_schemas, chromium,
                                                                  make_enterprise, make_user):
    # given: a range-hood maker (buyer) and a motor maker (supplier), each with its owner
    buyer_user = make_user(email="buyer@hoods.test", password=PASSWORD)
    make_enterprise(slug="rfq-buyer", owner=buyer_user, name="慈溪市采购方电器有限公司")
    supplier_user = make_user(email="sales@motors.test", password=PASSWORD)
    make_enterprise(slug="rfq-supplier", owner=supplier_user, name="慈溪市供应方电机有限公司")
    site = f"http://localhost:{urlsplit(live_server.url).port}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # the buyer posts a demand that asks for quotations
    buyer = chromium.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    buyer.set_default_timeout(15_000)
    page = login(buyer, site, "buyer@hoods.test")
    page.goto(f"{site}/boards/")
    page.locator("#nav-post").click()
    page.locator("#id_kind_1").check()  # demand
    page.locator("#id_category").select_option(label="家电配件 › 电机")
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
    supplier = chromium.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    supplier.set_default_timeout(15_000)
    spage = login(supplier, site, "sales@motors.test")
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
    buyer.close()
    supplier.close()
