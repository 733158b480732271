"""Purchase orders, receipts and supplier invoices through the services, on a real enterprise schema."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.testing import codes_by_field
from erp_modules.catalog.models import Item
from erp_modules.common.selectors import audit_history
from erp_modules.common.services import erp_settings_get
from erp_modules.inventory.models import ItemValuation, Lot, SerialNumber, StockBalance, StockMove
from erp_modules.inventory.selectors import stock_on_hand
from erp_modules.partners.models import PriceList, PriceListItem
from erp_modules.partners.services import partner_create
from erp_modules.purchasing.models import PurchaseOrder, Receipt, ReceiptLine, SupplierInvoice
from erp_modules.purchasing.services import (purchase_order_approve, purchase_order_cancel, purchase_order_close,
                                             purchase_order_create, purchase_order_receive, purchase_order_update,
                                             supplier_invoice_create)
from erp_modules.purchasing.tests.factories import make_po, make_supplier
from erp_modules.workspace.testing import main_location, make_item, receive

D = Decimal
S = PurchaseOrder.Status


def first_line(order):
    return order.lines.order_by("line_no").first()


def test_create_approve_receive_in_two_parts(erp):
    # given
    supplier = make_supplier()
    bolt = make_item("BOLT-M6")
    # when
    order = purchase_order_create(supplier=supplier,
                                  lines=[{"item": bolt, "quantity": D("100"), "unit_price": D("2.5")}])
    # then
    assert (order.number, order.status, order.currency) == ("PO-00001", S.DRAFT, "CNY")
    assert order.location == main_location()
    line = first_line(order)
    assert (line.quantity, line.uom, line.unit_price, line.vat_rate) == (D("100"), bolt.uom, D("2.5"), D("13.00"))
    assert (line.net_amount, line.vat_amount) == (D("250.00"), D("32.50"))
    assert (order.amount_net, order.amount_vat, order.amount_total) == (D("250.00"), D("32.50"), D("282.50"))

    order = purchase_order_approve(order=order)
    assert order.status == S.APPROVED

    first = purchase_order_receive(order=order, lines=[{"line": line, "quantity": "40"}])
    order.refresh_from_db()
    assert (first.number, order.status) == ("GR-00001", S.PARTIALLY_RECEIVED)
    assert first_line(order).received_quantity == D("40")

    second = purchase_order_receive(order=order, lines=[{"line": line.pk, "quantity": "60"}])
    order.refresh_from_db()
    assert (second.number, order.status) == ("GR-00002", S.RECEIVED)
    assert first_line(order).received_quantity == D("100")
    assert stock_on_hand(item=bolt) == D("100")
    assert [e.action for e in audit_history(obj=order)] == ["post", "post", "status", "create"]


def test_receipt_posts_ledger_rows_and_moving_average_cost(erp):
    # given 10 on hand at 8.00 (value 80)
    supplier = make_supplier()
    plate = make_item("PLATE-2MM")
    receive(plate, 10, unit_cost="8")
    order = make_po(supplier, [(plate, 50, "11")])
    line = first_line(order)
    # when 30 arrive at 11.00
    receipt = purchase_order_receive(order=order, lines=[{"line": line, "quantity": "30"}])
    # then value 80 + 330 = 410 for 40 → 10.25
    plate.refresh_from_db()
    assert stock_on_hand(item=plate, location=main_location()) == D("40")
    assert plate.average_cost == D("10.2500")
    assert (ItemValuation.objects.get(item=plate).quantity, ItemValuation.objects.get(item=plate).value) == (
        D("40"), D("410"))
    move = StockMove.objects.get(reference=receipt.number)
    assert (move.move_type, move.reference_type, move.reference_id, move.quantity, move.unit_cost, move.value) == (
        "receipt", "purchase_receipt", receipt.pk, D("30"), D("11"), D("330"))
    assert move.reference_line_id == ReceiptLine.objects.get(receipt=receipt).pk
    # when the other 20 arrive: 410 + 220 = 630 for 60 → 10.50
    purchase_order_receive(order=order, lines=[{"line": line, "quantity": "20"}])
    plate.refresh_from_db()
    assert (stock_on_hand(item=plate), plate.average_cost) == (D("60"), D("10.5000"))


def test_over_receipt_is_refused_and_nothing_is_written(erp):
    # given
    supplier = make_supplier()
    bolt = make_item("BOLT-M8")
    nut = make_item("NUT-M8")
    order = make_po(supplier, [(nut, 10, "0.2"), (bolt, 100, "2.5")])
    nut_line, bolt_line = order.lines.order_by("line_no")
    # when one good line and one over-receipt are posted together
    with pytest.raises(ValidationError) as exc:
        purchase_order_receive(order=order, lines=[{"line": nut_line, "quantity": "10"},
                                                   {"line": bolt_line, "quantity": "101"}])
    # then the error names line 2 and its item, and nothing was posted
    assert codes_by_field(exc) == {"line_2": ["over_receipt"]}
    assert exc.value.error_dict["line_2"][0].message.startswith("Line 2 (BOLT-M8): receiving 101 ")
    assert (Receipt.objects.count(), StockMove.objects.count(), stock_on_hand(item=nut)) == (0, 0, D("0"))
    order.refresh_from_db()
    assert order.status == S.APPROVED
    assert purchase_order_receive(order=order, lines=[{"line": nut_line, "quantity": "10"}]).number == "GR-00001"


def test_over_receipt_within_tolerance_is_accepted(erp):
    # given a 5 % tolerance
    settings = erp_settings_get()
    settings.over_receipt_tolerance_pct = D("5")
    settings.save()
    supplier = make_supplier()
    wire = make_item("WIRE-1.5", uom="m")
    order = make_po(supplier, [(wire, 100, "1.2")])
    line = first_line(order)
    # when
    purchase_order_receive(order=order, lines=[{"line": line, "quantity": "104.5"}])
    # then
    order.refresh_from_db()
    assert (order.status, first_line(order).received_quantity) == (S.RECEIVED, D("104.5"))
    with pytest.raises(ValidationError) as exc:
        purchase_order_receive(order=order, lines=[{"line": line, "quantity": "0.51"}])
    assert codes_by_field(exc) == {"line_1": ["over_receipt"]}


def test_lot_tracked_item_needs_a_lot(erp):
    # given
    supplier = make_supplier()
    resin = make_item("RESIN-PA66", uom="kg", tracking=Item.Tracking.LOT)
    order = make_po(supplier, [(resin, 25, "18")])
    line = first_line(order)
    # when no lot is given
    with pytest.raises(ValidationError) as exc:
        purchase_order_receive(order=order, lines=[{"line": line, "quantity": "25"}])
    assert codes_by_field(exc) == {"line_1": ["lot_required"]}
    # when it is given
    receipt = purchase_order_receive(order=order, lines=[{"line": line, "quantity": "20", "lot": "L2403-01"},
                                                         {"line": line, "quantity": "5", "lot": "L2403-02"}])
    # then
    lots = {b.lot.code: b.on_hand for b in StockBalance.objects.filter(item=resin).select_related("lot")}
    assert lots == {"L2403-01": D("20"), "L2403-02": D("5")}
    assert sorted(receipt.lines.values_list("lot__code", flat=True)) == ["L2403-01", "L2403-02"]
    assert Lot.objects.filter(item=resin).count() == 2


def test_serial_tracked_item_needs_one_serial_per_unit(erp):
    supplier = make_supplier()
    motor = make_item("MOTOR-750W", tracking=Item.Tracking.SERIAL)
    order = make_po(supplier, [(motor, 2, "450")])
    line = first_line(order)
    with pytest.raises(ValidationError) as exc:
        purchase_order_receive(order=order, lines=[{"line": line, "quantity": "2", "lot": "SN001"}])
    assert codes_by_field(exc) == {"line_1": ["serial_count"]}

    purchase_order_receive(order=order, lines=[{"line": line, "quantity": "2", "lot": "SN001, SN002"}])

    assert sorted(SerialNumber.objects.filter(item=motor, location=main_location()).values_list("serial", flat=True)) \
        == ["SN001", "SN002"]
    assert stock_on_hand(item=motor) == D("2")


def test_kits_are_never_purchased(erp):
    supplier = make_supplier()
    kit = make_item("KIT-SCREWS", item_type=Item.Type.KIT)
    bolt = make_item()
    with pytest.raises(ValidationError) as exc:
        purchase_order_create(supplier=supplier, lines=[{"item": bolt, "quantity": "1", "unit_price": "1"},
                                                        {"item": kit, "quantity": "3", "unit_price": "1"}])
    assert codes_by_field(exc) == {"line_2": ["kit_not_purchasable"]}
    assert PurchaseOrder.objects.count() == 0


def test_services_are_received_without_a_stock_move(erp):
    supplier = make_supplier()
    plating = make_item("SVC-PLATING", item_type=Item.Type.SERVICE)
    order = make_po(supplier, [(plating, 500, "0.3")])
    receipt = purchase_order_receive(order=order, lines=[{"line": first_line(order), "quantity": "500"}])
    order.refresh_from_db()
    assert order.status == S.RECEIVED
    assert receipt.lines.get().stocked is False
    assert StockMove.objects.count() == 0


def test_invalid_lines_are_all_reported_by_line(erp):
    supplier = make_supplier()
    bolt = make_item("BOLT-X")
    with pytest.raises(ValidationError) as exc:
        purchase_order_create(supplier=supplier, expected_date=date(2020, 1, 1), order_date=date(2020, 1, 2), lines=[
            {"item": bolt, "quantity": "0"}, {"item": bolt, "quantity": "1.5"}, {"item": None, "quantity": "1"},
            {"item": bolt, "quantity": "1", "unit_price": "-1", "vat_rate": "101"}])
    assert codes_by_field(exc) == {"expected_date": ["invalid_date"], "line_1": ["invalid_quantity"],
                          "line_2": ["invalid_quantity"], "line_3": ["item_required"],
                          "line_4": ["invalid_price", "invalid_vat_rate"]}
    assert exc.value.error_dict["line_2"][0].message == "Line 2 (BOLT-X): quantities in 个 have at most 0 decimals."


def test_customer_only_partner_is_not_a_supplier(erp):
    customer = partner_create(code="C1", name="客户", is_customer=True)
    with pytest.raises(ValidationError) as exc:
        purchase_order_create(supplier=customer, lines=[{"item": make_item(), "quantity": "1"}])
    assert codes_by_field(exc) == {"supplier": ["not_supplier"]}


def test_price_defaults_to_the_supplier_price_list_then_standard_cost(erp):
    # given a supplier list with a quantity break, and an item without any list
    supplier = make_supplier()
    listed = make_item("CAP-10UF", standard_cost=D("0.5"))
    unlisted = make_item("CAP-22UF", standard_cost=D("0.8"))
    price_list = PriceList.objects.create(name="供应商价", kind=PriceList.Kind.PURCHASE, partner=supplier)
    PriceListItem.objects.create(price_list=price_list, item=listed, min_quantity=D("0"), unit_price=D("0.42"))
    PriceListItem.objects.create(price_list=price_list, item=listed, min_quantity=D("1000"), unit_price=D("0.38"))
    # when
    order = purchase_order_create(supplier=supplier, lines=[{"item": listed, "quantity": "1000"},
                                                            {"item": unlisted, "quantity": "10", "vat_rate": "3"}])
    # then
    a, b = order.lines.order_by("line_no")
    assert (a.unit_price, a.net_amount, a.vat_amount) == (D("0.38"), D("380.00"), D("49.40"))
    assert (b.unit_price, b.vat_rate, b.net_amount, b.vat_amount) == (D("0.8"), D("3"), D("8.00"), D("0.24"))
    assert order.amount_total == D("437.64")


def test_only_drafts_can_be_updated(erp):
    supplier = make_supplier()
    bolt = make_item()
    order = make_po(supplier, [(bolt, 10, "1")], approve=False)
    order = purchase_order_update(order=order, note="加急", lines=[{"item": bolt, "quantity": "20", "unit_price": "1.1"}])
    assert (order.note, order.amount_net, order.lines.get().quantity) == ("加急", D("22.00"), D("20"))
    assert audit_history(obj=order).first().changes == {"note": ["", "加急"], "amount_total": ["11.30", "24.86"]}
    purchase_order_approve(order=order)
    with pytest.raises(ValidationError) as exc:
        purchase_order_update(order=order, note="改")
    assert exc.value.code == "wrong_status"


def test_cancel_only_before_anything_is_received_and_close_after(erp):
    supplier = make_supplier()
    bolt = make_item()
    draft = make_po(supplier, [(bolt, 10, "1")], approve=False)
    assert purchase_order_cancel(order=draft).status == S.CANCELLED
    with pytest.raises(ValidationError) as exc:
        purchase_order_approve(order=draft)
    assert exc.value.code == "wrong_status"

    order = make_po(supplier, [(bolt, 10, "1")])
    with pytest.raises(ValidationError) as exc:
        purchase_order_close(order=order)
    assert exc.value.code == "wrong_status"
    purchase_order_receive(order=order, lines=[{"line": first_line(order), "quantity": "4"}])
    with pytest.raises(ValidationError) as exc:
        purchase_order_cancel(order=order)
    assert exc.value.code == "has_receipts"
    assert purchase_order_close(order=order, note="供应商停产").status == S.CLOSED
    with pytest.raises(ValidationError) as exc:
        purchase_order_receive(order=order, lines=[{"line": first_line(order), "quantity": "1"}])
    assert exc.value.code == "wrong_status"


def test_nothing_to_receive_and_drafts_cannot_be_received(erp):
    supplier = make_supplier()
    bolt = make_item()
    draft = make_po(supplier, [(bolt, 10, "1")], approve=False)
    with pytest.raises(ValidationError) as exc:
        purchase_order_receive(order=draft, lines=[{"line": first_line(draft), "quantity": "1"}])
    assert exc.value.code == "wrong_status"
    order = purchase_order_approve(order=draft)
    with pytest.raises(ValidationError) as exc:
        purchase_order_receive(order=order, lines=[{"line": first_line(order), "quantity": ""}])
    assert codes_by_field(exc) == {"__all__": ["nothing_to_receive"]}


def test_invoice_may_bill_at_most_what_was_received(erp):
    # given 40 of 100 received
    supplier = make_supplier()
    bolt = make_item("BOLT-M10")
    order = make_po(supplier, [(bolt, 100, "2.5")])
    line = first_line(order)
    purchase_order_receive(order=order, lines=[{"line": line, "quantity": "40"}])
    # when 30 are billed
    invoice = supplier_invoice_create(order=order, invoice_number="04412345", invoice_date=date(2025, 3, 1),
                                      lines=[{"line": line, "quantity": "30"}])
    # then
    assert (invoice.number, invoice.amount_net, invoice.amount_vat, invoice.amount_total) == (
        "PINV-00001", D("75.00"), D("9.75"), D("84.75"))
    assert first_line(order).invoiced_quantity == D("30")
    # when 11 more are billed (41 > 40 received): refused, nothing written
    with pytest.raises(ValidationError) as exc:
        supplier_invoice_create(order=order, invoice_number="04412346", lines=[{"line": line, "quantity": "11"}])
    assert codes_by_field(exc) == {"line_1": ["over_invoice"]}
    assert (SupplierInvoice.objects.count(), first_line(order).invoiced_quantity) == (1, D("30"))
    # the same supplier invoice number cannot be recorded twice
    with pytest.raises(ValidationError) as exc:
        supplier_invoice_create(order=order, invoice_number="04412345", lines=[{"line": line, "quantity": "10"}])
    assert codes_by_field(exc) == {"invoice_number": ["invoice_number_taken"]}
    supplier_invoice_create(order=order, invoice_number="04412346", lines=[{"line": line, "quantity": "10"}])
    assert first_line(order).invoiced_quantity == D("40")


def test_drafts_cannot_be_invoiced(erp):
    supplier = make_supplier()
    draft = make_po(supplier, [(make_item(), 10, "1")], approve=False)
    with pytest.raises(ValidationError) as exc:
        supplier_invoice_create(order=draft, invoice_number="1", lines=[{"line": first_line(draft), "quantity": "1"}])
    assert exc.value.code == "wrong_status"
