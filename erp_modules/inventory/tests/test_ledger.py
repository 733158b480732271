"""The stock ledger: balances, valuation, reservations, snapshots and their invariants."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, transaction
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.testing import run_together
from erp_modules.catalog.models import Item
from erp_modules.inventory import selectors
from erp_modules.inventory.models import (ItemValuation, Location, MoveType, ReasonCode, Reservation, SnapshotPeriod,
                                          StockBalance, StockMove)
from erp_modules.inventory.services import (MoveLine, location_create, lot_get_or_create, reservation_create,
                                            reservation_release, stock_adjust, stock_count_create, stock_count_post,
                                            stock_move_correct, stock_moves_post, stock_snapshot_create,
                                            stock_transfer)
from erp_modules.inventory.tasks import month_end_close, previous_month_end
from erp_modules.workspace.testing import main_location, make_item, receive

D = Decimal


def test_receipts_update_balance_and_moving_average(erp):
    item = make_item("MOTOR-01")
    receive(item, 10, unit_cost="100")
    receive(item, 30, unit_cost="120")
    item.refresh_from_db()
    assert selectors.stock_on_hand(item=item) == D("40")
    assert item.average_cost == D("115.0000")  # (10×100 + 30×120) / 40
    valuation = ItemValuation.objects.get(item=item)
    assert (valuation.quantity, valuation.value) == (D("40"), D("4600"))


def test_issues_are_valued_at_the_moving_average(erp):
    item = make_item()
    receive(item, 10, unit_cost="100")
    receive(item, 10, unit_cost="200")
    [move] = stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(item, main_location(), D("-5"))])
    assert move.unit_cost == D("150.0000") and move.value == D("-750.0000")
    assert ItemValuation.objects.get(item=item).value == D("2250.0000")


def test_negative_stock_is_refused_with_item_and_location_named(erp):
    item = make_item("FAN-01")
    receive(item, 3)
    with pytest.raises(ValidationError) as exc:
        stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(item, main_location(), D("-5"))])
    assert exc.value.code == "insufficient_stock"
    assert "FAN-01" in exc.value.messages[0] and "WH/STOCK" in exc.value.messages[0]
    assert selectors.stock_on_hand(item=item) == D("3")
    assert StockMove.objects.filter(item=item).count() == 1


def test_a_location_may_allow_negative_stock(erp):
    item = make_item()
    floor = location_create(warehouse=main_location().warehouse, code="LINE", allow_negative=True)
    stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(item, floor, D("-2"))])
    assert selectors.stock_on_hand(item=item, location=floor) == D("-2")


def test_kits_and_services_are_not_stocked(erp):
    kit = make_item(item_type=Item.Type.KIT)
    with pytest.raises(ValidationError) as exc:
        receive(kit, 1)
    assert exc.value.code == "not_stocked"


def test_lot_tracked_items_need_a_lot(erp):
    item = make_item(tracking=Item.Tracking.LOT)
    with pytest.raises(ValidationError) as exc:
        receive(item, 5)
    assert exc.value.code == "lot_required"
    lot = lot_get_or_create(item=item, code="L2026-11")
    receive(item, 5, lot=lot)
    assert StockBalance.objects.get(item=item).lot == lot


def test_the_ledger_is_append_only(erp):
    item = make_item()
    move = receive(item, 5)
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            StockMove.objects.filter(pk=move.pk).update(quantity=D("6"))
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            StockMove.objects.filter(pk=move.pk).delete()
    correction = stock_move_correct(move=move)
    assert correction.quantity == D("-5") and correction.corrects == move
    assert selectors.stock_on_hand(item=item) == D("0")
    with pytest.raises(ValidationError):
        stock_move_correct(move=move)


def test_transfer_moves_stock_and_keeps_value(erp):
    item = make_item()
    receive(item, 10, unit_cost="7")
    shelf = location_create(warehouse=main_location().warehouse, code="SHELF-A")
    stock_transfer(item=item, source=main_location(), destination=shelf, quantity=D("4"))
    assert selectors.stock_on_hand(item=item, location=shelf) == D("4")
    assert selectors.stock_on_hand(item=item, location=main_location()) == D("6")
    assert ItemValuation.objects.get(item=item).value == D("70.0000")


def test_reserved_stock_is_not_available_to_other_issues(erp):
    item = make_item()
    receive(item, 10)
    reservation = reservation_create(item=item, location=main_location(), quantity=D("8"), reference_type="test",
                                     reference_id=1)
    assert selectors.stock_available(item=item, location=main_location()) == D("2")
    with pytest.raises(ValidationError) as exc:
        stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(item, main_location(), D("-3"))])
    assert exc.value.code == "insufficient_stock"
    # the order's own delivery consumes its reservation
    stock_moves_post(move_type=MoveType.DELIVERY,
                     lines=[MoveLine(item, main_location(), D("-8"), reservation=reservation)])
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CONSUMED
    assert selectors.stock_available(item=item, location=main_location()) == D("2")
    with pytest.raises(ValidationError):
        reservation_create(item=item, location=main_location(), quantity=D("3"), reference_type="test", reference_id=2)
    second = reservation_create(item=item, location=main_location(), quantity=D("2"), reference_type="test",
                                reference_id=3)
    reservation_release(reservation=second)
    assert selectors.stock_available(item=item, location=main_location()) == D("2")


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_reservations_of_one_unit_with_ten_on_hand(clean_schemas, make_enterprise):
    """Odoo #32857 is the failure to beat: exactly 10 succeed, 10 are refused with a clear error."""
    enterprise = make_enterprise()
    with tenant_context(enterprise):
        item = make_item("HOOD-X1")
        receive(item, 10)
        location = main_location()
    results = []
    barrier = threading.Barrier(20)

    def reserve(n):
        try:
            with tenant_context(enterprise):
                barrier.wait(timeout=10)
                reservation_create(item=item, location=location, quantity=D("1"), reference_type="order",
                                   reference_id=n)
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reserve, args=(n,)) for n in range(20)]
    run_together(threads)
    assert sorted(results) == ["insufficient_stock"] * 10 + ["ok"] * 10
    with tenant_context(enterprise):
        assert Reservation.objects.filter(item=item, status="active").count() == 10
        assert selectors.stock_available(item=item, location=location) == D("0")


def test_cycle_count_posts_differences_with_the_reason(erp):
    a, b = make_item("CNT-A"), make_item("CNT-B")
    receive(a, 10)
    receive(b, 5)
    count = stock_count_create(location=main_location(), reason=ReasonCode.objects.get(code="COUNT"))
    lines = {line.item.code: line for line in count.lines.select_related("item")}
    assert lines["CNT-A"].expected == D("10")
    moves = stock_count_post(count=count, counted={lines["CNT-A"].pk: D("8"), lines["CNT-B"].pk: D("5")})
    assert [(m.item.code, m.quantity, m.reason.code) for m in moves] == [("CNT-A", D("-2"), "COUNT")]
    assert selectors.stock_on_hand(item=a) == D("8")


def test_adjustment_needs_a_non_zero_quantity(erp):
    item = make_item()
    with pytest.raises(ValidationError) as exc:
        stock_adjust(item=item, location=main_location(), quantity=D("0"), reason=ReasonCode.objects.first())
    assert exc.value.error_dict["quantity"][0].code == "invalid_quantity"


def test_snapshot_answers_past_on_hand_and_closes_the_period(erp):
    item = make_item()
    t0 = timezone.now() - timedelta(days=40)
    stock_moves_post(move_type=MoveType.RECEIPT, lines=[MoveLine(item, main_location(), D("10"), unit_cost=D("5"))],
                     posted_at=t0)
    stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(item, main_location(), D("-3"))],
                     posted_at=t0 + timedelta(days=5))
    period_end = t0 + timedelta(days=10)
    stock_snapshot_create(period_end=period_end)
    stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(item, main_location(), D("-2"))],
                     posted_at=t0 + timedelta(days=20))
    for as_of in (t0 + timedelta(days=6), period_end, t0 + timedelta(days=21), timezone.now()):
        assert selectors.stock_on_hand(item=item, as_of=as_of) == \
            selectors.stock_on_hand_from_ledger(item=item, as_of=as_of)
    assert selectors.stock_on_hand(item=item, as_of=t0 + timedelta(days=21)) == D("5")
    report = selectors.stock_valuation_report(as_of=t0 + timedelta(days=21))
    assert [(r["code"], r["quantity"], r["value"]) for r in report] == [(item.code, D("5"), D("25.0000"))]
    with pytest.raises(ValidationError) as exc:
        stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(item, main_location(), D("-1"))],
                         posted_at=period_end - timedelta(hours=1))
    assert exc.value.code == "period_closed"


operations = st.lists(
    st.tuples(st.sampled_from(["in", "out", "transfer", "reserve"]), st.integers(min_value=1, max_value=20),
              st.integers(min_value=0, max_value=2), st.integers(min_value=1, max_value=50)),
    min_size=1, max_size=25)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_sequences_keep_the_ledger_invariants(erp, ops):
    """Σ moves = on-hand per item × location; no location goes negative; value = Σ move values;
    available = on-hand − open reservations ≥ 0."""
    with transaction.atomic():
        sid = transaction.savepoint()
        item = make_item()
        warehouse = main_location().warehouse
        locations = [main_location()] + [Location.objects.get_or_create(warehouse=warehouse, code=f"P{i}")[0]
                                         for i in (1, 2)]
        for kind, qty, loc, cost in ops:
            location = locations[loc]
            try:
                with transaction.atomic():
                    if kind == "in":
                        receive(item, qty, unit_cost=cost, location=location)
                    elif kind == "out":
                        stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(item, location, D(-qty))])
                    elif kind == "transfer":
                        stock_transfer(item=item, source=location, destination=locations[(loc + 1) % 3],
                                       quantity=D(qty))
                    else:
                        reservation_create(item=item, location=location, quantity=D(qty), reference_type="p",
                                           reference_id=1)
            except ValidationError as exc:
                assert exc.code in ("insufficient_stock",) or "quantity" in str(exc)
        for location in locations:
            ledger = StockMove.objects.filter(item=item, location=location).aggregate(q=Sum("quantity"))["q"] or 0
            balance = selectors.stock_on_hand(item=item, location=location)
            assert ledger == balance
            assert balance >= 0
            assert selectors.stock_available(item=item, location=location) >= 0
        valuation = ItemValuation.objects.filter(item=item).first()
        if valuation:
            assert valuation.quantity == StockMove.objects.filter(item=item).aggregate(q=Sum("quantity"))["q"]
            assert valuation.value == StockMove.objects.filter(item=item).aggregate(v=Sum("value"))["v"] or (
                valuation.quantity == 0 and valuation.value == 0)
        transaction.savepoint_rollback(sid)


def test_the_last_units_out_take_the_remaining_value_rounding_included(erp):
    item = make_item()
    receive(item, 3, unit_cost="1")
    receive(item, 1, unit_cost="0.0001")
    stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(item, main_location(), D("-4"))])
    valuation = ItemValuation.objects.get(item=item)
    assert (valuation.quantity, valuation.value) == (D("0"), D("0"))
    assert StockMove.objects.filter(item=item).aggregate(v=Sum("value"))["v"] == D("0")
    assert selectors.stock_valuation_report(as_of=timezone.now()) == []


def test_month_end_close_task_snapshots_the_previous_month(erp):
    item = make_item()
    stock_moves_post(move_type=MoveType.RECEIPT, lines=[MoveLine(item, main_location(), D("5"), unit_cost=D("2"))],
                     posted_at=previous_month_end() - timedelta(days=3))
    month_end_close()  # what the beat-driven task runs in each enterprise's schema
    month_end_close()  # a second run of the same month changes nothing
    assert SnapshotPeriod.objects.get().period_end == previous_month_end()
    assert selectors.stock_on_hand(item=item, as_of=previous_month_end()) == D("5")
