"""The sales flow against real PostgreSQL: quotation → order → reservation → delivery → invoice."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.testing import codes
from erp_modules.catalog.models import Item
from erp_modules.catalog.services import bom_create, bom_release
from erp_modules.common.models import ErpSettings
from erp_modules.common.selectors import audit_history
from erp_modules.inventory.models import MoveType, Reservation, SerialNumber, StockMove
from erp_modules.inventory.selectors import stock_available, stock_on_hand
from erp_modules.inventory.services import MoveLine, lot_get_or_create, stock_moves_post
from erp_modules.partners.models import PriceList, PriceListItem
from erp_modules.sales.models import Invoice, Quotation, SalesOrder
from erp_modules.sales.selectors import sales_backorders
from erp_modules.sales.services import (delivery_create, invoice_cancel, invoice_create, invoice_mark_paid,
                                        line_amounts, quotation_convert, quotation_create, sales_order_cancel,
                                        sales_order_confirm, sales_order_create)
from erp_modules.sales.tests.factories import (D, main_location, make_bom, make_customer, make_filter, make_hood,
                                               make_install, make_item, make_kit, order_for, receive)


def active_reservations(order):
    return list(Reservation.objects.filter(reference_type="sales_order", reference_id=order.pk,
                                           status=Reservation.Status.ACTIVE).order_by("item__code")
                .values_list("item__code", "quantity"))


def _confirmed_order(quantity):
    """A hood with 10 in stock, and a confirmed order of ``quantity`` of them at ¥1299 (a new customer's)."""
    customer = make_customer()
    hood = make_hood(stock=10)
    return hood, order_for(customer, (hood, quantity, "1299"), confirm=True)


def test_quotation_becomes_an_order_whose_confirmation_reserves_exactly_the_ordered_quantities(erp):
    # given a customer, two hoods in stock and a quotation for them
    customer = make_customer()
    hood = make_hood("HOOD-900", stock=10)
    small = make_hood("HOOD-700", stock=5, name="油烟机 CXW-700")
    quotation = quotation_create(customer=customer, lines=[
        {"item": hood, "quantity": D(3), "unit_price": D("1299.00")},
        {"item": small, "quantity": D(2), "unit_price": D("899.00"), "discount_pct": D(10)},
    ])
    # when it is converted and the order confirmed
    order = quotation_convert(quotation=quotation)
    order = sales_order_confirm(order=order)
    # then the order holds the quotation's lines and the stock is reserved exactly
    quotation.refresh_from_db()
    assert (quotation.number, quotation.status) == ("QT-00001", Quotation.Status.ORDERED)
    assert (order.number, order.status, order.quotation_id) == ("SO-00001", SalesOrder.Status.CONFIRMED, quotation.pk)
    assert [(line.item.code, line.quantity, line.unit_price, line.discount_pct, line.location)
            for line in order.lines.all()] == [("HOOD-900", D(3), D("1299.00"), D(0), main_location()),
                                               ("HOOD-700", D(2), D("899.00"), D(10), main_location())]
    assert active_reservations(order) == [("HOOD-700", D(2)), ("HOOD-900", D(3))]
    assert stock_available(item=hood, location=main_location()) == D(7)
    assert stock_on_hand(item=hood) == D(10)
    # 3897.00 + 13 % = 506.61; 2 × 899 − 10 % = 1618.20 + 13 % = 210.37 (210.366)
    assert (order.amount_excl_vat, order.vat_amount, order.amount_incl_vat) == (D("5515.20"), D("716.98"),
                                                                                D("6232.18"))
    assert [e.action for e in audit_history(obj=order)] == ["status", "create"]


def test_prices_default_to_the_customers_price_list_and_vat_to_the_enterprise_rate(erp):
    # given a default sales list and a customer-specific one, and a 9 % VAT setting
    customer = make_customer()
    hood = make_hood()
    default_list = PriceList.objects.create(name="标准价", kind="sales")
    PriceListItem.objects.create(price_list=default_list, item=hood, unit_price=D("1399"))
    own_list = PriceList.objects.create(name="大客户价", kind="sales", partner=customer)
    PriceListItem.objects.create(price_list=own_list, item=hood, min_quantity=D(10), unit_price=D("1199"))
    ErpSettings.objects.update_or_create(singleton=True, defaults={"vat_rate": D("9.00")})
    # when lines come without price and rate
    quotation = quotation_create(customer=customer, lines=[{"item": hood, "quantity": D(2)},
                                                           {"item": hood, "quantity": D(10)}])
    # then the list prices and the enterprise's VAT rate are used
    assert [(line.unit_price, line.vat_rate, line.amount_excl_vat, line.vat_amount)
            for line in quotation.lines.all()] == [(D("1399"), D("9.00"), D("2798.00"), D("251.82")),
                                                   (D("1199"), D("9.00"), D("11990.00"), D("1079.10"))]


def test_a_bad_line_is_refused_with_a_message_naming_the_line_and_the_item_and_nothing_is_written(erp):
    customer = make_customer()
    hood = make_hood()
    filter_item = make_filter()
    with pytest.raises(ValidationError) as exc:
        sales_order_create(customer=customer, lines=[{"item": hood, "quantity": D(1), "unit_price": D(100)},
                                                     {"item": filter_item, "quantity": D(0), "unit_price": D(5)}])
    assert codes(exc) == ["invalid_quantity"]
    assert exc.value.message_dict["lines"] == ["Line 2 (FLT-01 油网): the quantity must be greater than zero."]
    with pytest.raises(ValidationError) as exc:
        sales_order_create(customer=customer, lines=[{"item": filter_item, "quantity": D(1)}])
    assert codes(exc) == ["price_required"]
    assert "Line 1 (FLT-01 油网)" in exc.value.message_dict["lines"][0]
    assert SalesOrder.objects.count() == 0


def test_confirmation_fails_as_a_whole_when_one_line_is_short(erp):
    # given enough of the first item but only 1 of the second
    customer = make_customer()
    hood = make_hood("HOOD-900", stock=10)
    motor = make_item("MOT-01", name="电机", item_type=Item.Type.COMPONENT)
    receive(motor, 1)
    order = order_for(customer, (hood, 3, "1299"), (motor, 2, "150"))
    # when the order is confirmed
    with pytest.raises(ValidationError) as exc:
        sales_order_confirm(order=order)
    # then the error names line 2 and its item, and nothing is reserved
    assert codes(exc) == ["insufficient_stock"]
    assert exc.value.messages[0].startswith("Line 2 (MOT-01 电机) cannot be reserved: Only 1 ")
    assert Reservation.objects.count() == 0
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.DRAFT


def test_a_kit_reserves_its_components_and_services_reserve_nothing(erp):
    # given a kit (hood + 2 filters + installation service) and stock of the parts
    customer = make_customer()
    hood = make_hood("HOOD-900", stock=10)
    filter_item = make_filter(stock=20)
    install = make_install()
    kit = make_item("KIT-900", name="油烟机套装", item_type=Item.Type.KIT)
    make_bom(kit, [(hood, 1), (filter_item, 2), (install, 1)])
    # when 3 kits and an extra installation are ordered and confirmed
    order = order_for(customer, (kit, 3, "1599"), (install, 1, "200"), confirm=True)
    # then the hoods and filters are reserved against the kit line, nothing for the services
    kit_line = order.lines.get(item=kit)
    assert [(r.item.code, r.quantity, r.reference_line_id) for r in
            Reservation.objects.filter(reference_id=order.pk).order_by("item__code")] == [
        ("FLT-01", D(6), kit_line.pk), ("HOOD-900", D(3), kit_line.pk)]
    assert order.lines.get(item=install).location is None


def test_a_kit_takes_the_bom_in_force_on_the_requested_delivery_date(erp):
    # given a kit whose BOM changes in ten days (an engineering change: 2 filters per set become 3)
    customer = make_customer()
    hood, filter_item = make_hood("HOOD-900", stock=10), make_filter(stock=40)
    kit = make_kit((hood, 1), (filter_item, 2))
    today = timezone.localdate()
    bom_release(bom=bom_create(item=kit, lines=[{"component": hood, "quantity": D(1)},
                                                {"component": filter_item, "quantity": D(3)}]),
                effective_from=today + timedelta(days=10))
    # when one order is wanted before the change and one after it
    before = sales_order_create(customer=customer, delivery_date=today + timedelta(days=5),
                                lines=[{"item": kit, "quantity": D(2), "unit_price": D(1599)}])
    after = sales_order_create(customer=customer, delivery_date=today + timedelta(days=20),
                               lines=[{"item": kit, "quantity": D(2), "unit_price": D(1599)}])
    sales_order_confirm(order=before)
    sales_order_confirm(order=after)
    # then each reserves the filters of the BOM in force on its own date, not today's
    def filters(order):
        return Reservation.objects.get(reference_id=order.pk, item=filter_item).quantity
    assert (filters(before), filters(after)) == (D(4), D(6))


def test_partial_delivery_leaves_a_backorder_that_a_second_delivery_completes(erp):
    # given a confirmed order of 5 hoods
    hood, order = _confirmed_order(5)
    line = order.lines.get()
    # when 2 are delivered
    first = delivery_create(order=order, lines=[{"order_line": line, "quantity": D(2)}])
    # then the order is partially delivered with 3 on backorder, still reserved
    order.refresh_from_db()
    line.refresh_from_db()
    assert (first.number, order.status, line.delivered_qty, line.open_qty) == (
        "DN-00001", SalesOrder.Status.PARTIALLY_DELIVERED, D(2), D(3))
    assert [(b.order.number, b.item.code, b.open_quantity) for b in sales_backorders()] == [("SO-00001", "HOOD-900",
                                                                                             D(3))]
    reservation = Reservation.objects.get(reference_id=order.pk)
    assert (reservation.consumed, reservation.status) == (D(2), Reservation.Status.ACTIVE)
    # when the remaining 3 are delivered (no lines given: all that is open)
    second = delivery_create(order=order)
    order.refresh_from_db()
    reservation.refresh_from_db()
    assert (second.number, order.status) == ("DN-00002", SalesOrder.Status.DELIVERED)
    assert (reservation.consumed, reservation.status) == (D(5), Reservation.Status.CONSUMED)
    assert list(sales_backorders()) == []
    assert stock_on_hand(item=hood) == D(5)


def test_a_delivery_posts_delivery_moves_from_the_line_location_and_consumes_the_reservation(erp):
    hood, order = _confirmed_order(4)
    delivery = delivery_create(order=order, lines=[{"order_line": order.lines.get(), "quantity": D(4)}])
    moves = list(StockMove.objects.filter(reference_type="sales_delivery", reference_id=delivery.pk))
    assert [(m.move_type, m.item.code, m.location, m.quantity, m.reference, m.unit_cost) for m in moves] == [
        (MoveType.DELIVERY, "HOOD-900", main_location(), D(-4), delivery.number, D(800))]
    assert stock_on_hand(item=hood, location=main_location()) == D(6)
    assert stock_available(item=hood, location=main_location()) == D(6)
    assert Reservation.objects.get(reference_id=order.pk).status == Reservation.Status.CONSUMED


def test_delivering_more_than_is_open_is_refused(erp):
    hood, order = _confirmed_order(2)
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order, lines=[{"order_line": order.lines.get(), "quantity": D(3)}])
    assert codes(exc) == ["over_delivery"]
    assert exc.value.messages == ["Line 1 (HOOD-900 油烟机 CXW-900): 3 to deliver but only 2 个 still open."]
    assert StockMove.objects.filter(move_type=MoveType.DELIVERY).count() == 0


def test_partial_deliveries_are_refused_when_the_enterprise_switched_them_off(erp):
    ErpSettings.objects.update_or_create(singleton=True, defaults={"allow_partial_delivery": False})
    hood, order = _confirmed_order(5)
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order, lines=[{"order_line": order.lines.get(), "quantity": D(2)}])
    assert codes(exc) == ["partial_delivery_not_allowed"]
    delivery_create(order=order)
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.DELIVERED


def test_a_lot_tracked_item_needs_an_existing_lot(erp):
    customer = make_customer()
    hood = make_hood(tracking=Item.Tracking.LOT)
    lot = lot_get_or_create(item=hood, code="L2501")
    receive(hood, 5, lot=lot)
    order = order_for(customer, (hood, 2, "1299"), confirm=True)
    line = order.lines.get()
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order, lines=[{"order_line": line, "quantity": D(2)}])
    assert codes(exc) == ["lot_required"]
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order, lines=[{"order_line": line, "quantity": D(2), "lot": "L9999"}])
    assert codes(exc) == ["lot_not_found"]
    delivery = delivery_create(order=order, lines=[{"order_line": line, "quantity": D(2), "lot": "L2501"}])
    assert delivery.lines.get().lot == lot
    assert StockMove.objects.get(move_type=MoveType.DELIVERY).lot == lot


def test_delivering_a_kit_takes_its_reserved_components_in_proportion(erp):
    customer = make_customer()
    hood = make_hood(stock=10)
    filter_item = make_filter(stock=20)
    kit = make_item("KIT-900", name="油烟机套装", item_type=Item.Type.KIT)
    make_bom(kit, [(hood, 1), (filter_item, 2)])
    order = order_for(customer, (kit, 3, "1599"), confirm=True)
    delivery_create(order=order, lines=[{"order_line": order.lines.get(), "quantity": D(1)}])
    assert sorted((m.item.code, m.quantity) for m in StockMove.objects.filter(move_type=MoveType.DELIVERY)) == [
        ("FLT-01", D(-2)), ("HOOD-900", D(-1))]
    assert active_reservations(order) == [("FLT-01", D(6)), ("HOOD-900", D(3))]
    assert [(r.item.code, r.consumed) for r in Reservation.objects.filter(reference_id=order.pk).order_by(
        "item__code")] == [("FLT-01", D(2)), ("HOOD-900", D(1))]
    delivery_create(order=order)
    assert stock_on_hand(item=hood) == D(7) and stock_on_hand(item=filter_item) == D(14)
    assert active_reservations(order) == []


def test_line_amounts_round_half_up_per_line():
    assert line_amounts(quantity=D(3), unit_price=D("1299.00"), vat_rate=D(13)) == (D("3897.00"), D("506.61"))
    assert line_amounts(quantity=D(1), unit_price=D("0.05"), vat_rate=D(13)) == (D("0.05"), D("0.01"))  # 0.0065
    assert line_amounts(quantity=D("2.5"), unit_price=D("10.01"), discount_pct=D(10), vat_rate=D(6)) == (
        D("22.52"), D("1.35"))  # 22.5225 → 22.52; 1.3512 → 1.35


def test_an_invoice_charges_delivered_quantities_with_vat_per_line(erp):
    # given 3 hoods at 1,299.00 (13 %) and 2 installations at 200.00 (6 %), all delivered
    customer = make_customer(payment_terms_days=30)
    hood = make_hood(stock=10)
    install = make_install()
    order = sales_order_create(customer=customer, lines=[
        {"item": hood, "quantity": D(3), "unit_price": D("1299.00")},
        {"item": install, "quantity": D(2), "unit_price": D("200.00"), "vat_rate": D(6)}])
    sales_order_confirm(order=order)
    delivery_create(order=order)
    # when the order is invoiced
    invoice = invoice_create(order=order, invoice_date=date(2025, 3, 10))
    # then amounts, VAT and totals are as computed by hand
    assert [(line.item.code, line.quantity, line.amount_excl_vat, line.vat_amount) for line in invoice.lines.all()] == [
        ("HOOD-900", D(3), D("3897.00"), D("506.61")), ("SRV-INST", D(2), D("400.00"), D("24.00"))]
    assert (invoice.number, invoice.currency, invoice.amount_excl_vat, invoice.vat_amount, invoice.amount_incl_vat) == (
        "INV-00001", "CNY", D("4297.00"), D("530.61"), D("4827.61"))
    assert invoice.due_date == date(2025, 4, 9)
    assert [line.invoiced_qty for line in order.lines.all()] == [D(3), D(2)]


def test_invoicing_more_than_delivered_is_refused(erp):
    hood, order = _confirmed_order(5)
    line = order.lines.get()
    with pytest.raises(ValidationError) as exc:
        invoice_create(order=order)
    assert codes(exc) == ["empty"]
    delivery_create(order=order, lines=[{"order_line": line, "quantity": D(2)}])
    with pytest.raises(ValidationError) as exc:
        invoice_create(order=order, lines=[{"order_line": line, "quantity": D(3)}])
    assert codes(exc) == ["over_invoice"]
    assert exc.value.messages == ["Line 1 (HOOD-900 油烟机 CXW-900): 3 to invoice but only 2 个 delivered and not "
                                  "yet invoiced."]
    invoice = invoice_create(order=order, lines=[{"order_line": line, "quantity": D(2)}])
    assert invoice.amount_incl_vat == D("2935.74")  # 2598.00 + 337.74
    assert Invoice.objects.count() == 1


def test_a_cancelled_invoice_gives_its_quantities_back_and_a_paid_one_cannot_be_cancelled(erp):
    hood, order = _confirmed_order(2)
    delivery_create(order=order)
    invoice = invoice_cancel(invoice=invoice_create(order=order))
    assert (invoice.status, order.lines.get().invoiced_qty) == (Invoice.Status.CANCELLED, D(0))
    second = invoice_mark_paid(invoice=invoice_create(order=order), paid_on=date(2025, 5, 1))
    assert (second.status, second.paid_on) == (Invoice.Status.PAID, date(2025, 5, 1))
    with pytest.raises(ValidationError) as exc:
        invoice_cancel(invoice=second)
    assert codes(exc) == ["invalid_status"]


def test_cancelling_an_order_releases_its_reservations(erp):
    hood, order = _confirmed_order(4)
    assert stock_available(item=hood, location=main_location()) == D(6)
    order = sales_order_cancel(order=order, reason="客户取消")
    assert order.status == SalesOrder.Status.CANCELLED
    assert active_reservations(order) == []
    assert stock_available(item=hood, location=main_location()) == D(10)
    assert audit_history(obj=order).first().message == "客户取消 · 1 reservation released"
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order)
    assert codes(exc) == ["invalid_status"]


def test_cancelling_a_partly_delivered_order_closes_it_and_keeps_the_delivered_part_invoiceable(erp):
    hood, order = _confirmed_order(5)
    delivery_create(order=order, lines=[{"order_line": order.lines.get(), "quantity": D(2)}])
    order = sales_order_cancel(order=order)
    assert order.status == SalesOrder.Status.CLOSED
    assert active_reservations(order) == []
    assert stock_available(item=hood, location=main_location()) == D(8)
    assert invoice_create(order=order).lines.get().quantity == D(2)


def test_a_confirmed_order_cannot_be_confirmed_again(erp):
    hood, order = _confirmed_order(1)
    with pytest.raises(ValidationError) as exc:
        sales_order_confirm(order=order)
    assert codes(exc) == ["invalid_status"]
    assert Reservation.objects.count() == 1


def test_totals_are_decimal_cents(erp):
    customer = make_customer()
    hood = make_hood()
    quotation = quotation_create(customer=customer, lines=[{"item": hood, "quantity": D(3), "unit_price": D("1299")}])
    quotation.refresh_from_db()
    assert isinstance(quotation.amount_incl_vat, Decimal)
    assert quotation.amount_incl_vat == D("4403.61")


def test_a_serial_tracked_item_is_delivered_unit_by_unit_with_its_serial_numbers(erp):
    customer = make_customer()
    hood = make_hood(tracking=Item.Tracking.SERIAL)
    serials = [SerialNumber.objects.create(item=hood, serial=f"SN{n}") for n in (1, 2, 3)]
    stock_moves_post(move_type=MoveType.RECEIPT, lines=[MoveLine(hood, main_location(), D(1), serial=s,
                                                                 unit_cost=D(800)) for s in serials])
    order = order_for(customer, (hood, 2, "1299"), confirm=True)
    line = order.lines.get()
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order, lines=[{"order_line": line, "quantity": D(2), "serials": "SN1"}])
    assert codes(exc) == ["lot_required"]
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order, lines=[{"order_line": line, "quantity": D(2), "serials": "SN1, SN9"}])
    assert codes(exc) == ["serial_not_found"]
    delivery = delivery_create(order=order, lines=[{"order_line": line, "quantity": D(2), "serials": "SN1，SN3"}])
    assert delivery.lines.get().serials == "SN1, SN3"
    assert sorted(m.serial.serial for m in StockMove.objects.filter(move_type=MoveType.DELIVERY)) == ["SN1", "SN3"]
    assert [s.serial for s in SerialNumber.objects.filter(item=hood, location__isnull=False)] == ["SN2"]
    assert Reservation.objects.get(reference_id=order.pk).status == Reservation.Status.CONSUMED


def test_delivery_and_invoice_quantities_are_checked_line_by_line(erp):
    customer = make_customer()
    order = order_for(customer, (make_hood(stock=10), 2, "1299"), confirm=True)
    line = order.lines.get()
    for value, code in [("abc", "invalid_number"), ("NaN", "invalid_number"), ("-1", "invalid_quantity"),
                        ("0.00001", "invalid_quantity"), ("0", "empty")]:
        with pytest.raises(ValidationError) as exc:
            delivery_create(order=order, lines=[{"order_line": line, "quantity": value}])
        assert codes(exc) == [code], value
    assert StockMove.objects.filter(move_type=MoveType.DELIVERY).count() == 0
