"""The factory clerk's main ERP path in a real browser (Debian's chromium, Playwright): create an
item and its BOM, buy and receive the component, sell and ship it, and see the stock change."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from erp_modules.catalog.models import Bom, Item
from erp_modules.inventory.selectors import stock_on_hand
from erp_modules.partners.services import partner_create
from core.testing import browser_login, browser_page, live_site, screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Factory-Clerk-2026!"


def test_item_bom_purchase_receipt_sale_delivery_and_stock(live_server, clean_schemas, chromium, make_enterprise,
                                                           make_user):
    owner = make_user(email="clerk@hoods.test", password=PASSWORD)
    enterprise = make_enterprise(slug="erp-browser", owner=owner)
    with tenant_context(enterprise):
        supplier = partner_create(code="S-MOT", name="宁波电机厂", is_supplier=True)
        customer = partner_create(code="C-HZ", name="杭州电器城", is_customer=True)
    site, host = live_site(live_server), live_site(live_server, "erp-browser")
    page = browser_page(chromium)
    SCREENSHOTS = screenshots_dir()
    browser_login(page, site, "clerk@hoods.test", PASSWORD, then=f"{host}/**")

    # an item and its component, from the item form
    for code, name, kind in (("MOTOR-BR", "交流电机", "component"), ("HOOD-BR", "侧吸油烟机", "finished")):
        page.goto(f"{host}/catalog/items/new/")
        page.locator("#id_code").fill(code)
        page.locator("#id_name").fill(name)
        page.locator("#id_item_type").select_option(kind)
        page.locator("#id_uom").select_option(label="个")
        page.locator("#id_standard_cost").fill("100")
        page.locator("#item-form button[type=submit]").click()
        expect(page.locator("h1")).to_contain_text(code)
    with tenant_context(enterprise):
        hood, motor = Item.objects.get(code="HOOD-BR"), Item.objects.get(code="MOTOR-BR")

    # its BOM: a draft, one line, released
    page.goto(f"{host}/catalog/boms/new/")
    page.locator("#id_item").select_option(str(hood.pk))
    page.locator("main form button[type=submit]").click()
    page.locator("#id_component").select_option(str(motor.pk))
    page.locator("#id_quantity").fill("1")
    page.locator("#bom-line-form button[type=submit]").click()
    expect(page.locator("#bom-lines")).to_contain_text("MOTOR-BR")
    page.locator("#release-form button").click()
    expect(page.locator("#bom-status")).to_have_text("released")
    expect(page.locator("#explosion")).to_contain_text("MOTOR-BR")

    # buy 10 motors: order, approve, receive
    page.goto(f"{host}/purchasing/orders/new/")
    page.locator("#id_supplier").select_option(str(supplier.pk))
    page.locator("[name=line-0-item]").fill("MOTOR-BR")
    page.locator("[name=line-0-quantity]").fill("10")
    page.locator("[name=line-0-unit_price]").fill("95")
    page.locator("main form button[type=submit]").last.click()
    page.locator("#approve").click()
    page.locator("#receive").click()
    page.locator("#receive-lines input[name^=qty-]").first.fill("10")
    page.locator("#post-receipt").click()
    expect(page.locator("#order-status")).to_have_text("received")

    # sell 4: order, confirm (reserves), deliver
    page.goto(f"{host}/sales/orders/new/")
    page.locator("#id_customer").select_option(str(customer.pk))
    page.locator("input[name=item]").first.fill("MOTOR-BR")
    page.locator("input[name=quantity]").first.fill("4")
    page.locator("input[name=unit_price]").first.fill("180")
    page.locator("#save-document").click()
    page.locator("#confirm-order").click()
    page.locator("#deliver-button").click()
    expect(page.locator(".messages .alert-success").first).to_be_visible()

    # the stock page shows 10 − 4 = 6
    page.goto(f"{host}/inventory/stock/?q=MOTOR-BR")
    expect(page.locator(".db-table tbody tr").first).to_contain_text("6")
    page.screenshot(path=str(SCREENSHOTS / "erp-stock.png"), full_page=True)
    with tenant_context(enterprise):
        assert stock_on_hand(item=motor) == Decimal("6")
        assert Bom.objects.get(item=hood).status == "released"
    page.context.close()
