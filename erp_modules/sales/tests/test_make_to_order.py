"""Make to order: confirming with a shortage, "check availability" top-ups, deliveries out of
reservations only, kits, and MRP planning the shortage. Real PostgreSQL, real services."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django_tenants.utils import tenant_context

from core.testing import codes, run_together
from erp_modules.common.models import ErpSettings
from erp_modules.common.selectors import audit_history
from erp_modules.inventory.models import MoveType, Reservation, StockMove
from erp_modules.inventory.selectors import stock_available, stock_on_hand
from erp_modules.mrp import services as mrp_services
from erp_modules.mrp.models import PlannedOrder
from erp_modules.mrp.tests.factories import hood_family, week
from erp_modules.partners.services import partner_create
from erp_modules.purchasing.services import purchase_order_approve, purchase_order_create, purchase_order_receive
from erp_modules.sales.models import SalesOrder, SalesOrderKitComponent
from erp_modules.sales.selectors import sales_order_lines
from erp_modules.sales.services import (delivery_create, sales_order_cancel, sales_order_confirm,
                                        sales_order_create, sales_order_reserve_available)
from erp_modules.sales.tests.factories import (D, main_location, make_bom, make_customer, make_filter, make_hood,
                                               make_install, make_item, make_kit, order_for, receive)

HOOD = "Line 1 (HOOD-900 油烟机 CXW-900)"


def reserved_rows(order) -> list[tuple[str, Decimal, Decimal, str]]:
    """(item, quantity, consumed, status) of every reservation of the order, oldest first."""
    return list(Reservation.objects.filter(reference_type="sales_order", reference_id=order.pk).order_by("pk")
                .values_list("item__code", "quantity", "consumed", "status"))


def figures(order) -> list[tuple[Decimal, Decimal, Decimal, Decimal]]:
    """(ordered, delivered, reserved, short) per line, as the order page shows them."""
    return [(v.line.quantity, v.line.delivered_qty, v.reserved, v.short) for v in sales_order_lines(order=order)]


def test_confirming_with_a_shortage_reserves_what_is_in_stock_line_by_line_and_records_the_shortage(erp):
    # given 4 hoods, no motors and 20 filters in stock
    customer = make_customer()
    hood = make_hood("HOOD-900", stock=4)
    motor = make_item("MOT-01", name="电机")
    filter_item = make_filter(stock=20)
    order = order_for(customer, (hood, 10, "1299"), (motor, 3, "150"), (filter_item, 5, "12"))
    # when the order is confirmed to order
    order = sales_order_confirm(order=order, allow_shortage=True)
    # then it is confirmed, each line reserved what there is, and the shortage is visible per line
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.CONFIRMED and order.confirmed_at is not None
    assert reserved_rows(order) == [("HOOD-900", D(4), D(0), "active"), ("FLT-01", D(5), D(0), "active")]
    assert figures(order) == [(D(10), D(0), D(4), D(6)), (D(3), D(0), D(0), D(3)), (D(5), D(0), D(5), D(0))]
    assert stock_available(item=hood, location=main_location()) == D(0)
    assert stock_available(item=filter_item, location=main_location()) == D(15)
    entry = audit_history(obj=order).first()
    assert (entry.action, entry.changes) == ("status", {"status": ["draft", "confirmed"]})
    assert entry.message == (f"2 reservations; short, to make or buy: {HOOD}: 6 个; Line 2 (MOT-01 电机): 3 个")


def test_without_allow_shortage_confirmation_is_still_all_or_nothing(erp):
    # given 4 hoods in stock and an order for 10 (and 1 filter, in stock)
    customer = make_customer()
    hood = make_hood("HOOD-900", stock=4)
    filter_item = make_filter(stock=1)
    order = order_for(customer, (filter_item, 1, "12"), (hood, 10, "1299"))
    # when it is confirmed the usual way
    with pytest.raises(ValidationError) as exc:
        sales_order_confirm(order=order)
    # then nothing is reserved and the error names the short line
    assert codes(exc) == ["insufficient_stock"]
    assert exc.value.messages == ["Line 2 (HOOD-900 油烟机 CXW-900) cannot be reserved: Only 4 个 of HOOD-900 油烟机 "
                                  "CXW-900 available in WH/STOCK; 10 requested."]
    order.refresh_from_db()
    assert (order.status, Reservation.objects.count()) == (SalesOrder.Status.DRAFT, 0)
    # and with everything in stock, allow_shortage confirms exactly like the usual way
    full = order_for(customer, (hood, 4, "1299"))
    sales_order_confirm(order=full, allow_shortage=True)
    assert reserved_rows(full) == [("HOOD-900", D(4), D(0), "active")]
    assert audit_history(obj=full).first().message == "1 reservation"


def test_check_availability_tops_up_from_a_purchase_receipt_only_with_free_stock_and_is_idempotent(erp):
    # given an order for 10 hoods confirmed with 4 in stock
    customer = make_customer()
    hood = make_hood("HOOD-900", stock=4)
    order = sales_order_confirm(order=order_for(customer, (hood, 10, "1299")), allow_shortage=True)
    # and 5 hoods bought and received, 2 of which another order takes first
    supplier = partner_create(code="S0001", name="宁波整机代工厂", is_supplier=True)
    po = purchase_order_approve(order=purchase_order_create(supplier=supplier, lines=[
        {"item": hood, "quantity": D(5), "unit_price": D(800)}]))
    purchase_order_receive(order=po, lines=[{"line": po.lines.get(), "quantity": D(5)}])
    other = order_for(customer, (hood, 2, "1299"), confirm=True)
    # when availability is checked
    history_before = audit_history(obj=order).count()
    sales_order_reserve_available(order=order)
    # then the 3 free hoods are added to the order's reservations, 3 stay short
    assert reserved_rows(order) == [("HOOD-900", D(4), D(0), "active"), ("HOOD-900", D(3), D(0), "active")]
    assert figures(order) == [(D(10), D(0), D(7), D(3))]
    assert reserved_rows(other) == [("HOOD-900", D(2), D(0), "active")]
    assert stock_available(item=hood, location=main_location()) == D(0)
    assert audit_history(obj=order).count() == history_before + 1
    assert audit_history(obj=order).first().message == (f"Availability checked, reserved {HOOD}: 3 个; "
                                                        f"still short: {HOOD}: 3 个")
    # when it is checked again with nothing new in stock, then nothing changes and nothing is written
    sales_order_reserve_available(order=order)
    assert len(reserved_rows(order)) == 2 and audit_history(obj=order).count() == history_before + 1
    # when more arrives than is short, then only the shortage is reserved
    receive(hood, 5)
    sales_order_reserve_available(order=order)
    assert figures(order) == [(D(10), D(0), D(10), D(0))]
    assert stock_available(item=hood, location=main_location()) == D(2)
    assert audit_history(obj=order).first().message == f"Availability checked, reserved {HOOD}: 3 个"


def test_check_availability_needs_an_open_order(erp):
    customer = make_customer()
    hood = make_hood(stock=1)
    draft = order_for(customer, (hood, 2, "1299"))
    cancelled = sales_order_cancel(order=sales_order_confirm(order=order_for(customer, (hood, 2, "1299")),
                                                             allow_shortage=True))
    for order, status in [(draft, "draft"), (cancelled, "cancelled")]:
        with pytest.raises(ValidationError) as exc:
            sales_order_reserve_available(order=order)
        assert codes(exc) == ["invalid_status"]
        assert exc.value.messages == [f"{order.number} is {status}; it cannot be checked for availability."]
    assert Reservation.objects.filter(status="active").count() == 0


def test_a_delivery_takes_only_reserved_stock_and_the_rest_after_check_availability(erp):
    # given an order for 10 hoods confirmed with 4 in stock, then 3 hoods received but not yet reserved
    customer = make_customer()
    hood = make_hood("HOOD-900", stock=4)
    order = sales_order_confirm(order=order_for(customer, (hood, 10, "1299")), allow_shortage=True)
    line = order.lines.get()
    receive(hood, 3)
    # when more than is reserved is delivered, then it is refused naming the line and its reserved quantity
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order, lines=[{"order_line": line, "quantity": D(5)}])
    assert codes(exc) == ["not_reserved"]
    assert exc.value.messages == [f"{HOOD}: 5 to deliver but only 4 个 reserved; use “Check availability” once more "
                                  "stock is in."]
    assert StockMove.objects.filter(move_type=MoveType.DELIVERY).count() == 0
    # when the reserved 4 are delivered (no lines given: what is reserved), then 6 are on backorder
    first = delivery_create(order=order)
    order.refresh_from_db()
    assert (first.lines.get().quantity, order.status) == (D(4), SalesOrder.Status.PARTIALLY_DELIVERED)
    assert figures(order) == [(D(10), D(4), D(0), D(6))]
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order)
    assert codes(exc) == ["empty"]
    assert exc.value.messages == [f"Nothing of {order.number} is reserved yet; use “Check availability” once the "
                                  "goods are in."]
    # when availability is checked, the 3 received hoods can be delivered, then the last 3 after another receipt
    sales_order_reserve_available(order=order)
    assert figures(order) == [(D(10), D(4), D(3), D(3))]
    delivery_create(order=order)
    receive(hood, 3)
    sales_order_reserve_available(order=order)
    delivery_create(order=order, lines=[{"order_line": line, "quantity": D(3)}])
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.DELIVERED
    assert sorted(StockMove.objects.filter(move_type=MoveType.DELIVERY).values_list("quantity", flat=True)) == [
        D(-4), D(-3), D(-3)]
    assert stock_on_hand(item=hood) == D(0)
    assert [status for *_rest, status in reserved_rows(order)] == ["consumed", "consumed", "consumed"]


def test_partial_deliveries_switched_off_still_refuse_a_short_order_until_it_is_fully_reserved(erp):
    ErpSettings.objects.update_or_create(singleton=True, defaults={"allow_partial_delivery": False})
    customer = make_customer()
    hood = make_hood("HOOD-900", stock=4)
    order = sales_order_confirm(order=order_for(customer, (hood, 10, "1299")), allow_shortage=True)
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order)
    assert codes(exc) == ["partial_delivery_not_allowed"]
    receive(hood, 6)
    sales_order_reserve_available(order=order)
    delivery_create(order=order)
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.DELIVERED


def test_a_kit_is_reserved_topped_up_and_delivered_per_component_in_the_proportions_of_its_confirmation(erp):
    # given a kit of 1 hood + 2 filters + installation, 2 hoods and no filters in stock
    customer = make_customer()
    hood = make_hood("HOOD-900", stock=2)
    filter_item = make_filter()
    install = make_install()
    kit = make_kit((hood, 1), (filter_item, 2), (install, 1))
    # when 3 kits are confirmed to order
    order = sales_order_confirm(order=order_for(customer, (kit, 3, "1599")), allow_shortage=True)
    line = order.lines.get()
    # then the hoods are reserved, no filter, so no complete kit; what each component needs is recorded
    assert list(SalesOrderKitComponent.objects.filter(line=line).values_list("item__code", "quantity")) == [
        ("FLT-01", D(6)), ("HOOD-900", D(3))]
    assert reserved_rows(order) == [("HOOD-900", D(2), D(0), "active")]
    view = sales_order_lines(order=order)[0]
    assert (view.reserved, view.short) == (D(0), D(3))
    assert [(c.item.code, c.required, c.reserved, c.short) for c in view.components] == [
        ("FLT-01", D(6), D(0), D(6)), ("HOOD-900", D(3), D(2), D(1))]
    assert audit_history(obj=order).first().message == (
        "1 reservation; short, to make or buy: Line 1 (KIT-900 油烟机套装), component HOOD-900: 1 个; "
        "Line 1 (KIT-900 油烟机套装), component FLT-01: 6 个")
    # when 20 filters arrive and availability is checked, then 2 complete kits are reserved
    receive(filter_item, 20)
    sales_order_reserve_available(order=order)
    assert figures(order) == [(D(3), D(0), D(2), D(1))]
    # when 3 kits are delivered, then it is refused; 2 are delivered
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order, lines=[{"order_line": line, "quantity": D(3)}])
    assert codes(exc) == ["not_reserved"]
    assert exc.value.messages == ["Line 1 (KIT-900 油烟机套装): 3 to deliver but only 2 套 reserved (component "
                                  "HOOD-900: 2 of 3 个); use “Check availability” once more stock is in."]
    delivery_create(order=order, lines=[{"order_line": line, "quantity": D(2)}])
    assert sorted(StockMove.objects.filter(move_type=MoveType.DELIVERY).values_list("item__code", "quantity")) == [
        ("FLT-01", D(-4)), ("HOOD-900", D(-2))]
    # when the BOM changes (3 filters a kit) and the last hood arrives, then the order keeps its proportions
    make_bom(kit, [(hood, 1), (filter_item, 3)])
    receive(hood, 1)
    sales_order_reserve_available(order=order)
    assert figures(order) == [(D(3), D(2), D(1), D(0))]
    delivery_create(order=order)
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.DELIVERED
    assert stock_on_hand(item=hood) == D(0) and stock_on_hand(item=filter_item) == D(14)
    assert Reservation.objects.filter(status="active").count() == 0


def test_a_kit_line_counts_complete_kits_only(erp):
    # given a kit (套, whole units) of 1 hood + 2 filters, 2 hoods and 3 filters in stock
    hood = make_hood("HOOD-900", stock=2)
    filter_item = make_filter(stock=3)
    kit = make_kit((hood, 1), (filter_item, 2))
    # when 3 kits are confirmed to order
    order = sales_order_confirm(order=order_for(make_customer(), (kit, 3, "1599")), allow_shortage=True)
    # then 2 hoods and 3 filters are reserved, which make 1 complete kit (not 1.5): 2 are short
    assert sorted((code, q) for code, q, _c, _s in reserved_rows(order)) == [("FLT-01", D(3)), ("HOOD-900", D(2))]
    assert figures(order) == [(D(3), D(0), D(1), D(2))]
    with pytest.raises(ValidationError) as exc:
        delivery_create(order=order, lines=[{"order_line": order.lines.get(), "quantity": D("1.5")}])
    assert codes(exc) == ["not_reserved"]
    assert exc.value.messages == ["Line 1 (KIT-900 油烟机套装): 1.5 to deliver but only 1 套 reserved; use “Check "
                                  "availability” once more stock is in."]
    delivery = delivery_create(order=order)
    assert delivery.lines.get().quantity == D(1)
    assert sorted(StockMove.objects.filter(move_type=MoveType.DELIVERY).values_list("item__code", "quantity")) == [
        ("FLT-01", D(-2)), ("HOOD-900", D(-1))]


@pytest.mark.django_db(transaction=True)
def test_mrp_plans_exactly_the_shortage_of_an_order_confirmed_to_order(clean_schemas, make_enterprise):
    """FG = 2 × SA, SA = 3 × RM; 4 SA in stock. 4 FG in stock are reserved by the order for 10:
    the 4 reserved FG still count as on hand (not subtracted again), so MRP plans 6 FG, 2 × 6 − 4 =
    8 SA and 3 × 8 = 24 RM — not 10 FG (reservation subtracted from stock) nor 2 (reserved stock
    counted as supply a second time).

    Transactional, so that the schema it runs MRP in is dropped afterwards and never handed to a
    later test with its id sequences advanced (the MRP isolation test relies on fresh ids)."""
    with tenant_context(make_enterprise()):
        fg, sa, rm, _supplier = hood_family()
        receive(fg, 4)
        assert not main_location().allow_negative
        order = sales_order_create(customer=make_customer(), delivery_date=week(3) + timedelta(days=2),
                                   lines=[{"item": fg, "quantity": D(10), "unit_price": D(100)}])
        order = sales_order_confirm(order=order, allow_shortage=True)
        assert figures(order) == [(D(10), D(0), D(4), D(6))]

        run = mrp_services.mrp_run_execute(run_id=mrp_services.mrp_run_request(bucket="week").pk)

        assert run.status == "done", run.error

        def planned(item):
            return [(o.order_type, o.quantity, o.due_date) for o in
                    PlannedOrder.objects.filter(run=run, item=item).order_by("due_date")]

        # each proposal is due on the date of the need it covers (week buckets only merge quantities)
        assert planned(fg) == [("make", 6, order.delivery_date)]
        fg_release = PlannedOrder.objects.get(run=run, item=fg).release_date
        assert planned(sa) == [("make", 8, fg_release)]
        sa_release = PlannedOrder.objects.get(run=run, item=sa).release_date
        assert planned(rm) == [("buy", 24, sa_release)]
        assert PlannedOrder.objects.get(run=run, item=fg).reason_en.startswith(
            f"Demand {order.number} line 1, short 6")


@pytest.mark.django_db(transaction=True)
def test_concurrent_checks_of_two_orders_never_reserve_more_than_is_in_stock(clean_schemas, make_enterprise):
    # given two orders for 10 hoods each, confirmed with none in stock, then 12 hoods received
    enterprise = make_enterprise()
    with tenant_context(enterprise):
        customer = make_customer()
        hood = make_hood("HOOD-900")
        orders = [sales_order_confirm(order=order_for(customer, (hood, 10, "1299")), allow_shortage=True)
                  for _ in range(2)]
        receive(hood, 12)
    barrier = threading.Barrier(4)
    errors = []

    def check(order):
        try:
            with tenant_context(enterprise):
                barrier.wait(timeout=10)
                sales_order_reserve_available(order=order)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when each order is checked twice at the same moment
    threads = [threading.Thread(target=check, args=(order,)) for order in orders + orders]
    run_together(threads)
    # then the 12 hoods are all reserved, none twice, and no order holds more than it ordered
    assert errors == []
    with tenant_context(enterprise):
        reserved = [sum((q for _c, q, _d, _s in reserved_rows(order)), D(0)) for order in orders]
        assert sorted(reserved) == [D(2), D(10)]
        assert stock_available(item=hood, location=main_location()) == D(0)


@pytest.mark.django_db(transaction=True)
def test_orders_with_the_same_items_in_opposite_order_confirm_side_by_side(clean_schemas, make_enterprise):
    # given two draft orders for the same two items, their lines in opposite order, 5 rounds
    enterprise = make_enterprise()
    with tenant_context(enterprise):
        customer = make_customer()
        hood, motor = make_hood("HOOD-900"), make_hood("MOT-01")
        receive(hood, 100)
        receive(motor, 100)
        rounds = [(order_for(customer, (hood, 1, "1299"), (motor, 1, "99")),
                   order_for(customer, (motor, 1, "99"), (hood, 1, "1299"))) for _ in range(5)]
    errors = []

    def confirm(order, barrier, allow_shortage):
        try:
            with tenant_context(enterprise):
                barrier.wait(timeout=10)
                sales_order_confirm(order=order, allow_shortage=allow_shortage)
        except Exception as exc:  # noqa: BLE001 - reported below (a deadlock would be one)
            errors.append(exc)
        finally:
            connections.close_all()

    # when each pair is confirmed at the same moment (the plain and the make-to-order path)
    for n, pair in enumerate(rounds):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=confirm, args=(order, barrier, n % 2 == 1)) for order in pair]
        run_together(threads)
    # then every order is confirmed and nothing deadlocked
    assert errors == []
    with tenant_context(enterprise):
        assert set(SalesOrder.objects.values_list("status", flat=True)) == {"confirmed"}
        assert stock_available(item=hood, location=main_location()) == D(90)
