"""Freight cost: a carrier's bill imported from Excel/CSV onto the shipments (sums per shipment, flags against
the quote, per-row problems, nothing half-written), the landed cost of inbound freight, and isolation."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context
from openpyxl import Workbook, load_workbook

from core.testing import codes
from erp_modules.inventory.models import ItemValuation, MoveType, StockMove
from erp_modules.inventory.services import MoveLine, stock_moves_post
from erp_modules.purchasing.services import purchase_order_receive
from erp_modules.purchasing.tests.factories import make_po, make_supplier
from erp_modules.workspace.testing import main_location, make_item
from logistics.carriers.models import Carrier
from logistics.freight.models import FreightBill, LandedCost
from logistics.freight.services import (freight_bill_apply, freight_bill_check, freight_bill_upload,
                                        shipment_freight_apply)
from logistics.freight.tests.factories import shipment_with_parcels
from logistics.shipments.models import Shipment
from tenants.models import Role

pytestmark = pytest.mark.django_db
D = Decimal


def _carrier(code="SF", name="顺丰速运"):
    return Carrier.objects.get_or_create(code=code, defaults={"name": name})[0]


def _shipment(waybills, *, quoted=None, carrier=None, **fields):
    carrier = carrier or _carrier()
    shipment = shipment_with_parcels(weights=["1"] * len(waybills), carrier=carrier, quoted_freight=quoted,
                                     status=Shipment.Status.BOOKED, **fields)
    for parcel, number in zip(shipment.parcels.order_by("seq"), waybills):
        parcel.waybill_number, parcel.carrier = number, carrier
        parcel.save()
    return shipment


def _csv(rows, header="运单号,运费,重量,日期") -> SimpleUploadedFile:
    text = header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    return SimpleUploadedFile("账单.csv", text.encode("utf-8"), content_type="text/csv")


def _xlsx(rows, header=("运单号", "金额")) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("bill.xlsx", buffer.getvalue())


def _receipt(lines):
    """A goods receipt of (item, quantity, price) lines through the purchasing services."""
    order = make_po(make_supplier(), lines)
    return purchase_order_receive(order=order, lines=[{"line": line, "quantity": str(line.quantity)}
                                                      for line in order.lines.all()])


def _inbound(receipt, waybill):
    shipment = _shipment([waybill], direction=Shipment.Direction.INBOUND, receipt=receipt)
    return shipment


# ---- the bill ----------------------------------------------------------------------------------------


def test_bill_sums_parcels_per_shipment_and_flags_over_the_limit(erp, owner, settings):
    settings.LOGISTICS_FREIGHT_DIFF_PCT = 10
    two = _shipment(["SF1000000000001", "SF1000000000002"], quoted=D("40"))
    one = _shipment(["SF1000000000003"], quoted=D("20"))
    bill = freight_bill_upload(file=_csv([("SF1000000000001", "25.00", "2.5", "2026-12-01"),
                                          ("SF1000000000002", "20", "", ""),
                                          ("sf1000000000003", "21.5", "1", "2026/12/02")]),
                               carrier=None, user=owner)
    check = freight_bill_check(bill=bill)
    assert check.errors == []
    assert [(c.shipment.number, c.amount, c.parcels_billed, c.flagged) for c in check.charges] == [
        (two.number, D("45.00"), 2, True), (one.number, D("21.50"), 1, False)]  # +12.5 % and +7.5 %
    assert Shipment.objects.get(pk=two.pk).actual_freight is None  # the check writes nothing

    bill = freight_bill_apply(bill=bill, user=owner)
    assert (bill.status, bill.shipment_count, bill.flagged_count, bill.total_amount) == (
        FreightBill.Status.APPLIED, 2, 1, D("66.50"))
    assert Shipment.objects.get(pk=two.pk).actual_freight == D("45.00")
    assert Shipment.objects.get(pk=one.pk).actual_freight == D("21.50")
    line = bill.lines.get(shipment=two)
    assert (line.waybills, line.rows, line.difference_pct, line.flagged) == (
        "SF1000000000001 SF1000000000002", "2, 3", D("12.5"), True)
    with pytest.raises(ValidationError) as caught:
        freight_bill_apply(bill=bill, user=owner)
    assert codes(caught) == ["bill_applied"]


def test_bill_from_excel_with_numbers_stored_as_numbers(erp, owner):
    shipment = _shipment(["773012345678901"], carrier=_carrier("ZTO", "中通快递"))
    bill = freight_bill_upload(file=_xlsx([(773012345678901, 12.5)]), carrier=None, user=owner)
    freight_bill_apply(bill=bill, user=owner)
    assert Shipment.objects.get(pk=shipment.pk).actual_freight == D("12.50")


def test_bill_problems_name_row_and_column_and_nothing_is_written(erp, owner):
    known = _shipment(["SF2000000000001"], quoted=D("10"))
    bill = freight_bill_upload(file=_csv([("SF2000000000001", "10", "", ""),
                                          ("SF9999999999999", "5", "", ""),
                                          ("SF2000000000001", "10", "", ""),
                                          ("SF2000000000001", "十元", "", ""),
                                          ("SF2000000000001", "-3", "", ""),
                                          ("SF2000000000001", "1.234", "", "")]),
                               carrier=None, user=owner)
    check = freight_bill_check(bill=bill)
    assert [(e.row, e.column, e.message) for e in check.errors] == [
        (3, "waybill", "Waybill number SF9999999999999 is not on any parcel of your shipments."),
        (4, "waybill", "Waybill number SF2000000000001 is also in row 2."),
        (5, "amount", "“十元” is not a number."),
        (6, "amount", "Must be at least 0."),
        (7, "amount", "“1.234” is not an amount in yuan with at most two decimals."),
    ]
    with pytest.raises(ValidationError) as caught:
        freight_bill_apply(bill=bill, user=owner)
    assert codes(caught) == ["bill_invalid"]
    assert Shipment.objects.get(pk=known.pk).actual_freight is None
    assert FreightBill.objects.get(pk=bill.pk).status == FreightBill.Status.PREVIEW


def test_bill_without_the_columns_or_not_a_spreadsheet(erp, owner):
    bill = freight_bill_upload(file=_csv([("x", "y")], header="单号X,钱"), carrier=None, user=owner)
    assert [(e.row, e.column) for e in freight_bill_check(bill=bill).errors] == [(1, "waybill"), (1, "amount")]
    with pytest.raises(ValidationError) as caught:
        freight_bill_upload(file=SimpleUploadedFile("bill.pdf", b"%PDF"), carrier=None, user=owner)
    assert codes(caught) == ["bill_file"]
    with pytest.raises(ValidationError) as caught:
        freight_bill_upload(file=SimpleUploadedFile("bill.xlsx", b"not a workbook"), carrier=None, user=owner)
    assert codes(caught) == ["bill_file"]


def test_bill_of_a_chosen_carrier_matches_only_its_parcels(erp, owner):
    _shipment(["YT1234567890"], carrier=_carrier("YTO", "圆通速递"))
    bill = freight_bill_upload(file=_csv([("YT1234567890", "8", "", "")]), carrier=_carrier(), user=owner)
    assert [e.message for e in freight_bill_check(bill=bill).errors] == [
        "Waybill number YT1234567890 is not on any parcel of your shipments with 顺丰速运."]


# ---- landed cost -------------------------------------------------------------------------------------


def test_inbound_freight_goes_into_the_stock_value_by_value_and_moves_only_the_difference(erp, owner):
    motor, panel = make_item("MOTOR-LC"), make_item("PANEL-LC")
    receipt = _receipt([(motor, 10, "30"), (panel, 20, "10")])  # values 300 and 200
    shipment = _inbound(receipt, "SF3000000000001")
    bill = freight_bill_upload(file=_csv([("SF3000000000001", "50", "", "")]), carrier=None, user=owner)
    freight_bill_apply(bill=bill, user=owner)
    motor.refresh_from_db()
    panel.refresh_from_db()
    assert ItemValuation.objects.get(item=motor).value == D("330")  # 300 + 50 × 3/5
    assert ItemValuation.objects.get(item=panel).value == D("220")  # 200 + 50 × 2/5
    assert (motor.average_cost, panel.average_cost) == (D("33.0000"), D("11.0000"))
    assert ItemValuation.objects.get(item=motor).quantity == D("10")

    # the same freight again moves nothing; a corrected freight moves only the difference
    shipment_freight_apply(shipment=shipment, actual_freight="50", user=owner)
    assert StockMove.objects.filter(move_type=MoveType.LANDED_COST).count() == 2
    shipment_freight_apply(shipment=shipment, actual_freight="40", user=owner)
    assert ItemValuation.objects.get(item=motor).value == D("324")
    assert ItemValuation.objects.get(item=panel).value == D("216")
    assert sorted(LandedCost.objects.values_list("amount", "capitalised", "variance")) == [
        (D("16"), D("16"), D("0")), (D("24"), D("24"), D("0"))]


def test_freight_of_stock_already_partly_issued_is_variance_for_the_issued_part(erp, owner):
    motor = make_item("MOTOR-VAR")
    receipt = _receipt([(motor, 10, "30")])
    shipment = _inbound(receipt, "SF3000000000002")
    stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(motor, main_location(), D("-6"))], reference="WO")
    shipment_freight_apply(shipment=shipment, actual_freight="20", user=owner)
    landed = LandedCost.objects.get(shipment=shipment)
    assert (landed.amount, landed.capitalised, landed.variance) == (D("20"), D("8"), D("12"))
    assert ItemValuation.objects.get(item=motor).value == D("128")  # 4 left at 30 + 8
    motor.refresh_from_db()
    assert motor.average_cost == D("32.0000")


def test_outbound_freight_does_not_touch_stock(erp, owner):
    shipment = _shipment(["SF3000000000003"])
    shipment_freight_apply(shipment=shipment, actual_freight="9", user=owner)
    assert not LandedCost.objects.exists()
    assert not StockMove.objects.filter(move_type=MoveType.LANDED_COST).exists()


# ---- pages -------------------------------------------------------------------------------------------


def test_pages_upload_check_apply_and_template(erp, owner, web):
    client = web()
    _shipment(["SF4000000000001"], quoted=D("10"))
    page = client.get("/logistics/freight/bills/")
    assert page.status_code == 200 and b"Download the template" in page.content
    template = client.get("/logistics/freight/bills/template.xlsx")
    headers = [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]]
    assert headers == ["Waybill number (waybill)", "Freight (amount)", "Billed weight (kg) (weight)", "Date (date)"]
    response = client.post("/logistics/freight/bills/", {"file": _csv([("SF4000000000001", "15", "", ""),
                                                                       ("SF4000000000009", "1", "", "")])})
    bill = FreightBill.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/logistics/freight/bills/{bill.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Waybill number SF4000000000009 is not on any parcel of your shipments." in detail
    assert 'id="apply-form"' not in detail
    good = client.post("/logistics/freight/bills/", {"file": _csv([("SF4000000000001", "15", "", "")])})
    detail = client.get(good["Location"]).content.decode()
    assert 'id="apply-form"' in detail and "over the limit" in detail
    applied = client.post(good["Location"] + "apply/", follow=True).content.decode()
    assert "The bill is applied: the actual freight of 1 shipments is recorded, 1 of them flagged." in applied
    assert client.get("/logistics/freight/landed-cost/").status_code == 200
    assert client.get("/logistics/freight/bills/?export=xlsx").status_code == 200


def test_viewer_cannot_upload_or_apply(erp, web):
    client = web(Role.VIEWER)
    assert client.post("/logistics/freight/bills/", {"file": _csv([("SF1", "1", "", "")])}).status_code == 403
    assert not FreightBill.objects.exists()


# ---- isolation ---------------------------------------------------------------------------------------


def test_enterprise_a_bill_cannot_touch_b_shipments_and_a_pages_do_not_show_b(enterprise_pair):
    a, b, alice, bob = enterprise_pair("frta", "frtb")
    with tenant_context(b):
        b_shipment = _shipment(["SF5000000000001"], quoted=D("10"))
        b_bill = freight_bill_upload(file=_csv([("SF5000000000001", "4321.87", "", "")]), carrier=None, user=bob)
        freight_bill_apply(bill=b_bill, user=bob)
        b_bill_id = b_bill.pk
    client = Client(HTTP_HOST=f"{a.slug}.localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)
    assert client.get(f"/logistics/freight/bills/{b_bill_id}/").status_code == 404
    assert client.post(f"/logistics/freight/bills/{b_bill_id}/apply/").status_code == 404
    for url in ("/logistics/freight/bills/", "/logistics/freight/landed-cost/"):
        body = client.get(url).content.decode()
        assert "4,321.87" not in body and "4321.87" not in body and "SF5000000000001" not in body
    with tenant_context(a):
        bill = freight_bill_upload(file=_csv([("SF5000000000001", "1", "", "")]), carrier=None, user=alice)
        check = freight_bill_check(bill=bill)
        assert [(e.row, e.column) for e in check.errors] == [(2, "waybill")]
        with pytest.raises(ValidationError):
            freight_bill_apply(bill=bill, user=alice)
    with tenant_context(b):
        assert Shipment.objects.get(pk=b_shipment.pk).actual_freight == D("4321.87")
