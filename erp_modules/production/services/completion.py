"""Completing a work order: the finished quantity (and by-products) into the output location at actual
cost, lots and serial numbers for tracked items, unused reservations released."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Item
from erp_modules.inventory.models import Lot, MoveType, SerialNumber
from erp_modules.inventory.services import MoveLine, lot_get_or_create, reservations_release_for, stock_moves_post
from erp_modules.production.error_codes import ProductionErrorCode as Code
from erp_modules.production.models import REFERENCE_TYPE, WorkOrder, WorkOrderComponent, WorkOrderOperation
from erp_modules.production.services._common import (MONEY_PLACES, ZERO, _check_decimals, _decimal, _error, _lock,
                                                     _require_status, _status_change, _step, fmt_qty)


def _output_lines(*, work_order: WorkOrder, item: Item, quantity: Decimal, unit_cost: Decimal,
                  serials: list[str] | None, serial_prefix: str, reference_line_id: int | None,
                  field: str) -> tuple[list[MoveLine], Lot | None]:
    location = work_order.output_location
    if item.tracking == Item.Tracking.NONE:
        return [MoveLine(item, location, quantity, unit_cost=unit_cost, reference_line_id=reference_line_id)], None
    lot = lot_get_or_create(item=item, code=work_order.number)
    if item.tracking == Item.Tracking.LOT:
        return [MoveLine(item, location, quantity, lot=lot, unit_cost=unit_cost,
                         reference_line_id=reference_line_id)], lot
    if quantity != quantity.to_integral():
        raise _error(_("%(item)s is serial-numbered: complete a whole number of units.") % {"item": item.code},
                     Code.SERIALS, field)
    count = int(quantity)
    codes = [s.strip() for s in (serials or []) if s and s.strip()]
    if not codes:
        codes = [f"{serial_prefix}-{n:04d}" for n in range(1, count + 1)]
    if len(codes) != count:
        raise _error(_("Serial numbers: %(given)d given for %(count)d units of %(item)s.")
                     % {"given": len(codes), "count": count, "item": item.code}, Code.SERIALS, field)
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    taken = sorted(SerialNumber.objects.filter(item=item, serial__in=codes).values_list("serial", flat=True))
    if duplicates or taken:
        raise _error(_("Serial numbers already used for %(item)s: %(list)s.")
                     % {"item": item.code, "list": ", ".join(duplicates or taken)}, Code.SERIALS, field)
    created = SerialNumber.objects.bulk_create([
        SerialNumber(item=item, serial=code, lot=lot, produced_by_ref=work_order.number) for code in codes])
    # Serial-numbered stock moves carry the serial (not the lot); SerialNumber.lot links to the work order lot.
    return [MoveLine(item, location, Decimal("1"), serial=s, unit_cost=unit_cost, reference_line_id=reference_line_id)
            for s in created], lot


def _produced_quantity(work_order: WorkOrder, operations: list[WorkOrderOperation], quantity) -> Decimal:
    """The good output of the last operation (with a routing; a quantity given must match it) or the
    quantity given (without)."""
    if operations:
        last = operations[-1]
        produced = last.quantity_good
        if quantity not in (None, "") and _decimal(quantity, "quantity", _("Quantity")) != produced:
            raise _error(_("Quantity: the last operation %(op)s reported %(good)s good; that is what is received.")
                         % {"op": f"{last.sequence} {last.name}", "good": fmt_qty(produced)}, Code.QUANTITY,
                         "quantity")
    else:
        if quantity in (None, ""):
            raise _error(_("Quantity: give the quantity produced."), Code.QUANTITY, "quantity")
        produced = _decimal(quantity, "quantity", _("Quantity"))
    if produced <= 0:
        raise _error(_("Nothing to complete: no good output has been reported yet."), Code.NOTHING_TO_COMPLETE,
                     "quantity")
    _check_decimals(produced, work_order.item, "quantity", _("Quantity"))
    return produced


@transaction.atomic
def work_order_complete(*, work_order: WorkOrder, quantity: Decimal | int | str | None = None,
                        serials: list[str] | None = None, user=None) -> WorkOrder:
    """Receive the finished quantity into the output location at ACTUAL unit cost and close the order.

    Quantity = good output of the last operation (with a routing) or the given quantity (without).
    Unit cost = (value of components issued + Σ minutes/60 × work center cost per hour + piece-rate pay
    − by-products at standard cost) / quantity. A lot-tracked item gets lot = the work order number;
    a serial-numbered one gets serial numbers (given, or <WO number>-0001 …) linked to that lot.
    By-products are received in proportion to the quantity produced, at their standard cost (0 if
    none). Unused reservations are released."""
    work_order = _lock(work_order)
    _require_status(work_order, WorkOrder.ACTIVE_STATUSES, _("complete it"))
    item = work_order.item
    operations = list(work_order.operations.order_by("sequence"))
    produced = _produced_quantity(work_order, operations, quantity)
    rows = list(work_order.components.select_for_update(of=("self",)).select_related("item", "item__uom"))
    components_cost = sum((r.value_issued for r in rows if r.line_type == WorkOrderComponent.LineType.COMPONENT), ZERO)
    operations_cost = sum((op.cost for op in operations), ZERO)
    piece_pay = sum((op.pay for op in operations), ZERO)
    total = components_cost + operations_cost + piece_pay
    by_products = []
    for row in rows:
        if row.line_type != WorkOrderComponent.LineType.BY_PRODUCT:
            continue
        qty = (row.quantity_required * produced / work_order.quantity).quantize(_step(row.item.uom), ROUND_HALF_UP)
        if qty > 0:
            by_products.append((row, qty, row.item.standard_cost))
    credit = min(sum((qty * cost for _row, qty, cost in by_products), ZERO), total).quantize(MONEY_PLACES)
    unit_cost = ((total - credit) / produced).quantize(MONEY_PLACES, ROUND_HALF_UP)
    lines, lot = _output_lines(work_order=work_order, item=item, quantity=produced, unit_cost=unit_cost,
                               serials=serials, serial_prefix=work_order.number, reference_line_id=None,
                               field="serials")
    by_product_lines = []
    for row, qty, cost in by_products:
        row_lines, _lot = _output_lines(work_order=work_order, item=row.item, quantity=qty, unit_cost=cost,
                                        serials=None, serial_prefix=f"{work_order.number}-{row.item.code}",
                                        reference_line_id=row.pk, field="by_products")
        by_product_lines.append((row, row_lines))
        lines.extend(row_lines)
    moves = stock_moves_post(move_type=MoveType.PRODUCTION_OUTPUT, lines=lines, reference=work_order.number,
                             reference_type=REFERENCE_TYPE, reference_id=work_order.pk, user=user)
    by_move = {id(line): move for line, move in zip(lines, moves)}
    for row, row_lines in by_product_lines:
        row.quantity_issued += sum((by_move[id(line)].quantity for line in row_lines), ZERO)
        row.value_issued += sum((by_move[id(line)].value for line in row_lines), ZERO)
        row.save(update_fields=["quantity_issued", "value_issued"])
    released = reservations_release_for(reference_type=REFERENCE_TYPE, reference_id=work_order.pk)
    work_order.quantity_produced = produced
    work_order.output_lot = lot
    work_order.cost_components = components_cost
    work_order.cost_operations = operations_cost
    work_order.cost_piece_pay = piece_pay
    work_order.cost_by_products = credit
    work_order.unit_cost = unit_cost
    work_order.completed_at = timezone.now()
    _status_change(work_order, WorkOrder.Status.COMPLETED, user,
                   fields=["quantity_produced", "output_lot", "cost_components", "cost_operations", "cost_piece_pay",
                           "cost_by_products", "unit_cost", "completed_at"],
                   changes={"quantity_produced": [None, produced], "unit_cost": [None, unit_cost]},
                   message=_("%(qty)s %(uom)s received into %(loc)s%(lot)s; %(n)d unused reservations released")
                   % {"qty": fmt_qty(produced), "uom": item.uom, "loc": work_order.output_location,
                      "lot": f" ({lot.code})" if lot else "", "n": released})
    return work_order
