"""The catalog, inventory, partner and import pages as a clerk and a manager use them, and
their isolation between enterprises."""

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from erp_modules.catalog.models import Bom, Item
from erp_modules.inventory.models import ReasonCode, StockCount
from erp_modules.inventory.selectors import stock_on_hand
from erp_modules.partners.models import Partner
from erp_modules.workspace.testing import main_location, make_bom, make_item, receive
from tenants.models import Membership, Role

LIST_URLS = ["/catalog/items/", "/catalog/boms/", "/catalog/routings/", "/inventory/stock/", "/inventory/moves/",
             "/inventory/valuation/", "/inventory/counts/", "/inventory/warehouses/", "/partners/", "/erp/imports/"]
EXPORT_URLS = ["/catalog/items/", "/catalog/boms/", "/inventory/stock/", "/inventory/moves/", "/inventory/valuation/",
               "/inventory/counts/", "/partners/"]


@pytest.fixture
def factory(make_enterprise, make_user):
    owner = make_user()
    enterprise = make_enterprise(owner=owner)
    client = Client()
    client.force_login(owner)
    with tenant_context(enterprise):
        hood = make_item("HOOD-P1", item_type="finished")
        motor = make_item("MOTOR-P1")
        make_bom(hood, [(motor, 1)])
        receive(motor, 12, unit_cost="80")
    return enterprise, client, owner


def _get(client, enterprise, url, **kw):
    return client.get(url, HTTP_HOST=f"{enterprise.slug}.localhost", **kw)


def _post(client, enterprise, url, data):
    return client.post(url, data, HTTP_HOST=f"{enterprise.slug}.localhost")


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_pages_render(factory, url):
    enterprise, client, _owner = factory
    response = _get(client, enterprise, url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", EXPORT_URLS)
def test_every_list_exports_to_excel(factory, url):
    enterprise, client, _owner = factory
    response = _get(client, enterprise, url + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_item_list_searches_filters_sorts_and_pages(factory):
    enterprise, client, _owner = factory
    with tenant_context(enterprise):
        for n in range(30):
            make_item(f"SCREW-{n:02d}")
    page = _get(client, enterprise, "/catalog/items/?q=SCREW&sort=-code").content.decode()
    assert "SCREW-29" in page and "SCREW-04" not in page  # 25 per page, newest code first
    assert "HOOD-P1" not in page
    page2 = _get(client, enterprise, "/catalog/items/?q=SCREW&sort=-code&page=2").content.decode()
    assert "SCREW-04" in page2
    finished = _get(client, enterprise, "/catalog/items/?item_type=finished").content.decode()
    assert "HOOD-P1" in finished and "MOTOR-P1" not in finished


def test_create_item_with_a_clear_error_then_success(factory):
    enterprise, client, _owner = factory
    with tenant_context(enterprise):
        pcs = Item.objects.get(code="MOTOR-P1").uom_id
    data = {"code": "MOTOR-P1", "name": "重复", "item_type": "component", "uom": pcs, "tracking": "none",
            "lead_time_days": 1, "safety_stock": 0, "min_order_qty": 0, "order_multiple": 0, "standard_cost": 0,
            "active": "on"}
    response = _post(client, enterprise, "/catalog/items/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["code"][0].code == "code_taken"
    response = _post(client, enterprise, "/catalog/items/new/", dict(data, code="FAN-P1", name="风轮"))
    assert response.status_code == 302
    with tenant_context(enterprise):
        assert Item.objects.get(code="FAN-P1").name == "风轮"


def test_build_and_release_a_bom_from_the_pages(factory):
    enterprise, client, _owner = factory
    with tenant_context(enterprise):
        hood = Item.objects.get(code="HOOD-P1")
        motor = Item.objects.get(code="MOTOR-P1")
    response = _post(client, enterprise, "/catalog/boms/new/", {"item": hood.pk, "quantity": "1"})
    bom_url = response["Location"]
    response = _post(client, enterprise, bom_url, {"component": hood.pk, "quantity": "1", "scrap_pct": "0",
                                                   "line_type": "component", "sequence": "10"})
    assert response.context["line_form"].errors.as_data()["component"][0].code == "bom_cycle"
    _post(client, enterprise, bom_url, {"component": motor.pk, "quantity": "2", "scrap_pct": "0",
                                        "line_type": "component", "sequence": "10"})
    _post(client, enterprise, bom_url + "release/", {"effective_from": "2026-01-01"})
    with tenant_context(enterprise):
        bom = Bom.objects.get(item=hood, version=2)
        assert (bom.status, bom.lines.get().quantity) == ("released", 2)
    page = _get(client, enterprise, bom_url + "?qty=5").content.decode()
    assert "MOTOR-P1" in page


def test_adjust_transfer_and_count_from_the_pages(factory):
    enterprise, client, _owner = factory
    with tenant_context(enterprise):
        motor = Item.objects.get(code="MOTOR-P1")
        location = main_location()
        reason = ReasonCode.objects.get(code="DAMAGE")
    response = _post(client, enterprise, "/inventory/adjust/", {"item": motor.pk, "location": location.pk,
                                                               "quantity": "-20", "reason": reason.pk})
    assert response.status_code == 200  # refused: only 12 on hand
    assert response.context["form"].non_field_errors()
    _post(client, enterprise, "/inventory/adjust/", {"item": motor.pk, "location": location.pk, "quantity": "-2",
                                                    "reason": reason.pk})
    _post(client, enterprise, "/inventory/warehouses/", {"form": "location", "warehouse": location.warehouse_id,
                                                         "code": "LINE-1", "name": "装配线"})
    with tenant_context(enterprise):
        line = location.warehouse.locations.get(code="LINE-1")
    _post(client, enterprise, "/inventory/transfer/", {"item": motor.pk, "source": location.pk,
                                                      "destination": line.pk, "quantity": "4"})
    response = _post(client, enterprise, "/inventory/counts/", {"location": location.pk, "reason": reason.pk})
    count_url = response["Location"]
    with tenant_context(enterprise):
        count_line = StockCount.objects.get().lines.get()
    _post(client, enterprise, count_url, {f"counted-{count_line.pk}": "5"})
    with tenant_context(enterprise):
        assert stock_on_hand(item=motor, location=location) == 5
        assert stock_on_hand(item=motor, location=line) == 4


def test_partner_create_checks_the_credit_code(factory):
    enterprise, client, _owner = factory
    data = {"code": "S-001", "name": "宁波电机厂", "is_supplier": "on", "uscc": "91330282671205242X",
            "payment_terms_days": 30, "currency": "CNY", "active": "on"}
    response = _post(client, enterprise, "/partners/new/", data)
    assert "uscc" in response.context["form"].errors
    assert _post(client, enterprise, "/partners/new/", dict(data, uscc="91330282671205242Y")).status_code == 302
    with tenant_context(enterprise):
        assert Partner.objects.get(code="S-001").is_supplier


def test_a_viewer_reads_but_cannot_post(factory, make_user):
    enterprise, _client, _owner = factory
    viewer = make_user()
    Membership.objects.create(user=viewer, enterprise=enterprise, role=Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    assert _get(client, enterprise, "/catalog/items/").status_code == 200
    assert _get(client, enterprise, "/catalog/items/new/").status_code == 403
    assert _post(client, enterprise, "/inventory/adjust/", {}).status_code == 403


def test_enterprise_a_cannot_reach_b_items_boms_stock_or_counts(factory, make_enterprise, make_user):
    enterprise_b, client_b, _ = factory
    with tenant_context(enterprise_b):
        item_b = Item.objects.get(code="MOTOR-P1")
        bom_b = Bom.objects.get()
    alice = make_user()
    enterprise_a = make_enterprise(owner=alice)
    client_a = Client()
    client_a.force_login(alice)
    for url in (f"/catalog/items/{item_b.pk}/", f"/catalog/boms/{bom_b.pk}/", "/inventory/stock/"):
        assert client_a.get(url, HTTP_HOST=f"{enterprise_b.slug}.localhost").status_code == 404
    # On A's own host the same ids are A's rows (or nothing): B's data never shows.
    page = client_a.get("/catalog/items/", HTTP_HOST=f"{enterprise_a.slug}.localhost").content.decode()
    assert "MOTOR-P1" not in page
    assert client_a.get(f"/catalog/boms/{bom_b.pk}/", HTTP_HOST=f"{enterprise_a.slug}.localhost").status_code == 404
    stock = client_a.get("/inventory/stock/", HTTP_HOST=f"{enterprise_a.slug}.localhost").content.decode()
    assert "MOTOR-P1" not in stock
