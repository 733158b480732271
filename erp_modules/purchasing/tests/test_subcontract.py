"""Subcontracting (外协): the order, the components sent to the subcontractor's location, and the processed
item received back consuming them — every quantity and value exact."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from erp_modules.catalog.models import Item
from erp_modules.inventory.models import MoveType, Reservation, StockBalance, StockMove
from erp_modules.inventory.selectors import location_default
from erp_modules.purchasing.models import PurchaseOrder, Receipt
from erp_modules.purchasing.services import purchase_order_approve
from erp_modules.purchasing.subcontract import (subcontract_components, subcontract_components_issue,
                                                subcontract_order_create, subcontract_order_receive)
from erp_modules.purchasing.tests.factories import make_supplier
from erp_modules.workspace.testing import main_location, make_item, receive

pytestmark = pytest.mark.django_db


def D(value) -> Decimal:
    return Decimal(str(value))


def _on_hand(item, location) -> Decimal:
    return sum((b.on_hand for b in StockBalance.objects.filter(item=item, location=location)), D(0))


def _plating_order(*, approve: bool = True):
    """100 brackets plated by 慈溪电镀厂 at ¥1.50 each: 100 blanks (¥4.00) and 200 clips (¥0.05) go out."""
    plater = make_supplier("慈溪电镀厂", code="PLATER")
    blank, clip = make_item("BLANK", name="支架毛坯"), make_item("CLIP", name="卡子")
    plated = make_item("BRACKET", item_type=Item.Type.SUBASSEMBLY, name="镀锌支架")
    receive(blank, 100, "4")
    receive(clip, 300, "0.05")
    order = subcontract_order_create(supplier=plater, item=plated, quantity=100, unit_price="1.50", vat_rate="13",
                                     expected_date=None, operation_id=77, components=[(blank, 100), (clip, 200)],
                                     user=None, board_listing_id=5, board_quotation_id=9)
    if approve:
        order = purchase_order_approve(order=order)
    return order, blank, clip, plated


def test_the_order_is_a_subcontract_with_its_components_promised_at_the_subcontractor(erp):
    order, blank, clip, plated = _plating_order(approve=False)

    line = order.lines.get()
    assert (order.kind, order.status, order.source_operation_id, order.board_listing_id, order.board_quotation_id) == (
        PurchaseOrder.Kind.SUBCONTRACT, PurchaseOrder.Status.DRAFT, 77, 5, 9)
    assert (line.item, line.quantity, line.unit_price, line.vat_rate, line.net_amount) == (
        plated, D(100), D("1.50"), D(13), D("150.00"))
    assert (order.subcontract_location.warehouse.code, order.subcontract_location.code) == ("SUBCON", "PLATER")
    assert [(c.item.code, c.planned, c.issued, c.consumed) for c in subcontract_components(order=order)] == [
        ("BLANK", D(100), D(0), D(0)), ("CLIP", D(200), D(0), D(0))]
    assert location_default() == main_location()  # the subcontractors' warehouse is never a default
    # a second order of the same supplier uses the same location
    again = subcontract_order_create(supplier=order.supplier, item=plated, quantity=5, unit_price="1", vat_rate="13",
                                     expected_date=None, operation_id=None, components=[(blank, 5)], user=None)
    assert again.subcontract_location == order.subcontract_location


def test_issue_then_receipts_move_stock_and_value_exactly(erp):
    order, blank, clip, plated = _plating_order()
    sub = order.subcontract_location

    subcontract_components_issue(order=order, user=None)

    assert (_on_hand(blank, main_location()), _on_hand(blank, sub)) == (D(0), D(100))
    assert (_on_hand(clip, main_location()), _on_hand(clip, sub)) == (D(100), D(200))
    # part of it back: 40 of 100 consume 40 blanks and 80 clips at the subcontractor
    receipt = subcontract_order_receive(order=order, quantity=40, user=None)
    plated.refresh_from_db()
    assert (_on_hand(plated, main_location()), _on_hand(blank, sub), _on_hand(clip, sub)) == (D(40), D(60), D(120))
    # value: 40 × ¥1.50 charge + 40 × ¥4 blanks + 80 × ¥0.05 clips = 224 → ¥5.60 a bracket
    assert plated.average_cost == D("5.6000")
    assert sum(m.value for m in StockMove.objects.filter(item=plated)) == D("224.0000")
    consumed = StockMove.objects.filter(move_type=MoveType.PRODUCTION_CONSUME, reference=receipt.number)
    assert sorted((m.item.code, m.quantity, m.value) for m in consumed) == [
        ("BLANK", D(-40), D("-160.0000")), ("CLIP", D(-80), D("-4.0000"))]
    # the rest: everything left at the subcontractor is consumed, the order is received
    subcontract_order_receive(order=order, quantity=60, user=None)
    order.refresh_from_db()
    plated.refresh_from_db()
    assert order.status == PurchaseOrder.Status.RECEIVED
    assert (_on_hand(plated, main_location()), _on_hand(blank, sub), _on_hand(clip, sub)) == (D(100), D(0), D(0))
    assert sum(m.value for m in StockMove.objects.filter(item=plated)) == D("560.0000")  # 150 + 400 + 10
    assert sum(m.value for m in StockMove.objects.filter(item=blank, location=sub)) == D(0)
    assert [(c.item.code, c.issued, c.consumed, c.at_subcontractor) for c in subcontract_components(order=order)] == [
        ("BLANK", D(100), D(100), D(0)), ("CLIP", D(200), D(200), D(0))]
    assert set(Reservation.objects.filter(reference_id=order.pk).values_list("status", flat=True)) == {"consumed"}


def test_nothing_comes_back_before_its_components_went_out(erp):
    order, blank, clip, plated = _plating_order()
    subcontract_components_issue(order=order, user=None, quantities={blank.pk: D(100), clip.pk: D(20)})

    with pytest.raises(ValidationError) as exc:
        subcontract_order_receive(order=order, quantity=40, user=None)  # needs 80 clips, 20 are there

    assert exc.value.code == "subcontract_components_not_issued"
    assert "CLIP 60" in exc.value.messages[0]
    assert not Receipt.objects.exists() and _on_hand(plated, main_location()) == 0


def test_issue_refuses_a_draft_more_than_planned_and_nothing_left(erp):
    draft, blank, _clip, _plated = _plating_order(approve=False)
    with pytest.raises(ValidationError) as exc:
        subcontract_components_issue(order=draft, user=None)
    assert exc.value.code == "wrong_status"
    order = purchase_order_approve(order=draft)
    with pytest.raises(ValidationError) as exc:
        subcontract_components_issue(order=order, user=None, quantities={blank.pk: D(101)})
    assert exc.value.error_dict["quantities"][0].code == "subcontract_over_issue"
    subcontract_components_issue(order=order, user=None)
    with pytest.raises(ValidationError) as exc:
        subcontract_components_issue(order=order, user=None)
    assert exc.value.code == "subcontract_nothing_to_issue"


def test_serial_tracked_or_missing_components_are_refused(erp):
    plater = make_supplier("慈溪电镀厂")
    plated = make_item("BRACKET", item_type=Item.Type.SUBASSEMBLY)
    serial = make_item("SN-PART", tracking=Item.Tracking.SERIAL)
    for components, code in (([], "subcontract_no_components"), ([(serial, 1)], "subcontract_component")):
        with pytest.raises(ValidationError) as exc:
            subcontract_order_create(supplier=plater, item=plated, quantity=1, unit_price="1", vat_rate="13",
                                     expected_date=None, operation_id=None, components=components, user=None)
        assert exc.value.error_dict["components"][0].code == code
    assert not PurchaseOrder.objects.exists()


def test_the_order_page_shows_the_components_and_issues_them(make_enterprise, make_user):
    clerk = make_user()
    enterprise = make_enterprise(owner=clerk)
    with tenant_context(enterprise):
        order, blank, _clip, _plated = _plating_order()
    connection.set_schema_to_public()
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST=f"{enterprise.slug}.localhost")
    client.force_login(clerk)

    page = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert 'id="issue-components"' in page and "Subcontracting (外协)" in page and 'id="component-BLANK"' in page
    response = client.post(f"/purchasing/orders/{order.pk}/subcontract/issue/")
    assert response.status_code == 302
    response = client.post(f"/purchasing/orders/{order.pk}/subcontract/receive/", {"quantity": "100"})
    assert response.status_code == 302
    # the standard receiving page sends a subcontracting order back to its own page
    assert client.get(f"/purchasing/orders/{order.pk}/receive/").status_code == 302
    with tenant_context(enterprise):
        order.refresh_from_db()
        assert order.status == PurchaseOrder.Status.RECEIVED
        assert _on_hand(blank, order.subcontract_location) == 0
    connection.set_schema_to_public()


def test_another_enterprise_cannot_issue_or_receive_b_subcontract_orders(enterprise_pair):
    a, b, alice, _bob = enterprise_pair("sub-alpha", "sub-bravo")
    with tenant_context(b):
        order, blank, _clip, _plated = _plating_order()
    connection.set_schema_to_public()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)
    for host in (f"{a.slug}.localhost", f"{b.slug}.localhost"):
        for action in ("issue", "receive"):
            response = client.post(f"/purchasing/orders/{order.pk}/subcontract/{action}/", {"quantity": "1"},
                                   HTTP_HOST=host)
            assert response.status_code == 404, (host, action)
    with tenant_context(b):
        assert _on_hand(blank, order.subcontract_location) == 0 and not Receipt.objects.exists()
    connection.set_schema_to_public()
