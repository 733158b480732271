"""stock_value_adjust: a value-only ledger row (landed cost), the moving average, what is no longer on hand."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from core.testing import codes
from erp_modules.inventory.models import ItemValuation, MoveType, StockBalance, StockMove
from erp_modules.inventory.services import MoveLine, stock_moves_post, stock_value_adjust
from erp_modules.workspace.testing import main_location, make_item, receive

D = Decimal


def _issue(item, quantity):
    stock_moves_post(move_type=MoveType.ISSUE, lines=[MoveLine(item, main_location(), D(quantity) * -1)],
                     reference="ISSUE")


def test_value_adjust_raises_value_and_average_not_quantity(erp):
    item = make_item("HOOD-01")
    receive(item, 10, unit_cost="100")
    result = stock_value_adjust(item=item, location=main_location(), amount=D("50"), quantity_basis=D("10"),
                                reference="SH00001", reference_type="shipment_freight", reference_id=7)
    item.refresh_from_db()
    valuation = ItemValuation.objects.get(item=item)
    assert (result.capitalised, result.variance) == (D("50.0000"), D("0"))
    assert (valuation.quantity, valuation.value) == (D("10"), D("1050"))
    assert item.average_cost == D("105.0000")
    assert StockBalance.objects.get(item=item).on_hand == D("10")
    move = result.move
    assert (move.move_type, move.quantity, move.value, move.reference, move.reference_id) == (
        MoveType.LANDED_COST, D("0"), D("50"), "SH00001", 7)
    # the ledger still adds up to the valuation
    assert StockMove.objects.filter(item=item).aggregate(v=Sum("value"))["v"] == D("1050")


def test_value_adjust_after_partial_issue_capitalises_what_is_on_hand(erp):
    item = make_item("HOOD-02")
    receive(item, 10, unit_cost="100")
    _issue(item, 6)  # 4 left
    result = stock_value_adjust(item=item, location=main_location(), amount=D("50"), quantity_basis=D("10"))
    item.refresh_from_db()
    assert (result.capitalised, result.variance) == (D("20.0000"), D("30.0000"))  # 50 × 4/10 on hand
    assert ItemValuation.objects.get(item=item).value == D("420")
    assert item.average_cost == D("105.0000")


def test_value_adjust_without_stock_is_all_variance(erp):
    item = make_item("HOOD-03")
    receive(item, 5, unit_cost="10")
    _issue(item, 5)
    result = stock_value_adjust(item=item, location=main_location(), amount=D("8"), quantity_basis=D("5"))
    assert (result.move, result.capitalised, result.variance) == (None, D("0"), D("8.0000"))
    assert not StockMove.objects.filter(item=item, move_type=MoveType.LANDED_COST).exists()


def test_value_adjust_negative_lowers_value_never_below_zero(erp):
    item = make_item("HOOD-04")
    receive(item, 2, unit_cost="10")
    result = stock_value_adjust(item=item, location=main_location(), amount=D("-5"))
    assert result.capitalised == D("-5.0000")
    assert ItemValuation.objects.get(item=item).value == D("15")
    result = stock_value_adjust(item=item, location=main_location(), amount=D("-100"))
    assert (result.capitalised, result.variance) == (D("-15"), D("-85.0000"))
    assert ItemValuation.objects.get(item=item).value == D("0")


def test_value_adjust_refuses_bad_input(erp):
    item = make_item("HOOD-05")
    receive(item, 2, unit_cost="10")
    with pytest.raises(ValidationError) as caught:
        stock_value_adjust(item=item, location=main_location(), amount="abc")
    assert codes(caught) == ["invalid_amount"]
    with pytest.raises(ValidationError) as caught:
        stock_value_adjust(item=item, location=main_location(), amount=D("1"), quantity_basis=D("0"))
    assert codes(caught) == ["invalid_quantity"]


def test_only_landed_cost_rows_may_move_no_quantity(erp):
    item = make_item("HOOD-06")
    receive(item, 1, unit_cost="10")
    move = StockMove.objects.filter(item=item).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.create(group=move.group, posted_at=move.posted_at, move_type=MoveType.ADJUSTMENT,
                                 item=item, location=main_location(), quantity=D("0"), unit_cost=D("0"),
                                 value=D("1"))
