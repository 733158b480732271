"""Goods receipts against an approved order: partial or in full, within the over-receipt tolerance, lots
and serial numbers for tracked items; stocked items go into the ledger at the order price."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Item
from erp_modules.common.services import audit_record, document_number_next, erp_settings_get
from erp_modules.inventory.models import Location, MoveType, SerialNumber
from erp_modules.inventory.services import MoveLine, lot_get_or_create, stock_moves_post
from erp_modules.purchasing.error_codes import PurchasingErrorCode as Code
from erp_modules.purchasing.models import ZERO, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine
from erp_modules.purchasing.services._common import (HUNDRED, _Errors, _line_quantity, _line_ref, _lock, _places,
                                                     _error, _set_status, _user, _where, _wrong_status, fmt_qty)

RECEIPT_REFERENCE_TYPE = "purchase_receipt"


def _split_serials(text: str) -> list[str]:
    return [s for s in (text or "").replace(",", " ").replace("，", " ").replace(";", " ").split() if s]


ReceiptTodo = tuple[PurchaseOrderLine, Decimal, str, list[str]]  # order line, quantity, lot code, serials


def _receipt_quantity(data: dict, line: PurchaseOrderLine, errors: _Errors) -> Decimal | None:
    """The quantity to receive on a line; None when there is none (blank or 0) or it is wrong (noted)."""
    item = line.item
    key, where = f"line_{line.line_no}", _where(line.line_no, item)
    quantity = _line_quantity(data.get("quantity"), key, where, errors)
    if quantity is None:
        return None
    if _places(quantity) > item.uom.decimals:
        errors.add(key, _("%(where)s: quantities in %(unit)s have at most %(d)d decimals.")
                   % {"where": where, "unit": item.uom, "d": item.uom.decimals}, Code.QUANTITY)
        return None
    return quantity


def _receipt_tracking(data: dict, line: PurchaseOrderLine, quantity: Decimal, errors: _Errors,
                      seen_serials: set[tuple[int, str]]) -> tuple[str, list[str]]:
    """(lot code, serial numbers) received on a line: a lot for lot-tracked items, one new serial number
    per unit for serial-tracked ones (not known yet, nor given twice in this receipt)."""
    item = line.item
    key, where = f"line_{line.line_no}", _where(line.line_no, item)
    lot_code, serials = "", []
    if item.is_stocked and item.tracking == Item.Tracking.LOT:
        lot_code = (data.get("lot") or "").strip()
        if not lot_code:
            errors.add(key, _("%(where)s: this item is tracked by lot; give the lot number.") % {"where": where},
                       Code.LOT_REQUIRED)
    elif item.is_stocked and item.tracking == Item.Tracking.SERIAL:
        serials = _split_serials(data.get("serials") or data.get("lot") or "")
        if quantity != quantity.to_integral() or len(serials) != quantity or len(set(serials)) != len(serials):
            errors.add(key, _("%(where)s: this item is tracked by serial number; give %(q)s different serial "
                              "numbers (%(n)d given).") % {"where": where, "q": fmt_qty(quantity),
                                                           "n": len(serials)}, Code.SERIAL_COUNT)
        else:
            known = set(SerialNumber.objects.filter(item=item, serial__in=serials).values_list("serial", flat=True))
            taken = sorted(known | {s for s in serials if (item.pk, s) in seen_serials})
            if taken:
                errors.add(key, _("%(where)s: serial numbers already known: %(s)s.")
                           % {"where": where, "s": ", ".join(taken)}, Code.SERIAL_TAKEN)
            seen_serials.update((item.pk, s) for s in serials)
    return lot_code, serials


def _receipt_lines(order: PurchaseOrder, po_lines: dict[int, PurchaseOrderLine], lines: list[dict],
                   errors: _Errors) -> tuple[list[ReceiptTodo], dict[int, Decimal]]:
    """The lines to receive, checked one by one (every problem noted), and the quantity per order line."""
    todo: list[ReceiptTodo] = []
    totals: dict[int, Decimal] = {}
    seen_serials: set[tuple[int, str]] = set()
    for data in lines:
        line = po_lines.get(_line_ref(data))
        if line is None:
            errors.add(None, _("A line is not on order %(number)s.") % {"number": order.number}, Code.UNKNOWN_LINE)
            continue
        quantity = _receipt_quantity(data, line, errors)
        if quantity is None:
            continue
        lot_code, serials = _receipt_tracking(data, line, quantity, errors, seen_serials)
        totals[line.pk] = totals.get(line.pk, ZERO) + quantity
        todo.append((line, quantity, lot_code, serials))
    return todo, totals


def _check_over_receipt(po_lines: dict[int, PurchaseOrderLine], totals: dict[int, Decimal], errors: _Errors) -> None:
    tolerance = erp_settings_get().over_receipt_tolerance_pct
    for line_id, quantity in totals.items():
        line = po_lines[line_id]
        allowed = line.quantity * (1 + tolerance / HUNDRED)
        if line.received_quantity + quantity > allowed:
            errors.add(f"line_{line.line_no}", _(
                "%(where)s: receiving %(q)s %(uom)s would bring the received quantity to %(total)s of %(ordered)s "
                "ordered; at most %(max)s may be received (over-receipt tolerance %(tol)s %%).") % {
                "where": _where(line.line_no, line.item), "q": fmt_qty(quantity), "uom": line.item.uom,
                "total": fmt_qty(line.received_quantity + quantity), "ordered": fmt_qty(line.quantity),
                "max": fmt_qty(allowed), "tol": fmt_qty(tolerance)}, Code.OVER_RECEIPT)


def _receipt_write(order: PurchaseOrder, todo: list[ReceiptTodo], *, location: Location, posted_at, note: str,
                   user) -> Receipt:
    """The receipt and its lines; stocked items into the ledger (RECEIPT moves at the order price, one per
    serial number); each order line's received quantity raised (saved by the caller)."""
    receipt = Receipt(number=document_number_next(code="purchase_receipt", prefix="GR-"), order=order,
                      location=location, posted_at=posted_at, user=_user(user), note=(note or "").strip()[:300])
    receipt.full_clean()
    receipt.save()
    move_lines: list[MoveLine] = []
    for line, quantity, lot_code, serials in todo:
        item = line.item
        lot = lot_get_or_create(item=item, code=lot_code) if lot_code else None
        receipt_line = ReceiptLine.objects.create(receipt=receipt, order_line=line, item=item, quantity=quantity,
                                                  unit_cost=line.unit_price, lot=lot, serial_numbers=" ".join(serials),
                                                  stocked=item.is_stocked)
        if item.is_stocked and serials:
            for serial in serials:
                unit = SerialNumber.objects.create(item=item, serial=serial)
                move_lines.append(MoveLine(item, location, Decimal("1"), serial=unit, unit_cost=line.unit_price,
                                           reference_line_id=receipt_line.pk))
        elif item.is_stocked:
            move_lines.append(MoveLine(item, location, quantity, lot=lot, unit_cost=line.unit_price,
                                       reference_line_id=receipt_line.pk))
        line.received_quantity += quantity
    if move_lines:
        stock_moves_post(move_type=MoveType.RECEIPT, lines=move_lines, reference=receipt.number,
                         reference_type=RECEIPT_REFERENCE_TYPE, reference_id=receipt.pk, user=user,
                         posted_at=posted_at, note=order.number)
    return receipt


@transaction.atomic
def purchase_order_receive(*, order: PurchaseOrder, lines: list[dict], user=None, location: Location | None = None,
                           note: str = "", posted_at=None, subcontract_components_consumed: bool = False) -> Receipt:
    """Post a goods receipt. `lines`: dicts with line (a PurchaseOrderLine or its id), quantity
    (0/blank lines are skipped) and lot (the lot code of a lot-tracked item; for serial-tracked
    items the serial numbers, separated by spaces or commas). A line may appear twice (two lots).
    Stocked items go into the ledger at the order price (excl. VAT) as RECEIPT moves with
    reference = the receipt number; services are marked received without a stock move."""
    order = _lock(order)
    if order.kind == PurchaseOrder.Kind.SUBCONTRACT and not subcontract_components_consumed:
        # purchasing.subcontract receives it, consuming the components held at the subcontractor
        raise _error(_("%(number)s is a subcontracting order: receive it from its page, which consumes the components "
                       "at the subcontractor.") % {"number": order.number}, Code.WRONG_STATUS)
    if not order.can_receive:
        raise _wrong_status(order, _("received"))
    location = location or order.location
    po_lines = {line.pk: line for line in
                order.lines.select_for_update().select_related("item", "item__uom").order_by("line_no")}
    errors = _Errors()
    todo, totals = _receipt_lines(order, po_lines, lines, errors)
    _check_over_receipt(po_lines, totals, errors)
    if not todo and not errors.errors:
        errors.add(None, _("Enter a quantity to receive on at least one line."), Code.NOTHING_TO_RECEIVE)
    if todo and not location.active:
        errors.add("location", _("Location %(loc)s is inactive.") % {"loc": location}, Code.NO_LOCATION)
    errors.raise_if_any()

    receipt = _receipt_write(order, todo, location=location, posted_at=posted_at or timezone.now(), note=note,
                             user=user)
    PurchaseOrderLine.objects.bulk_update([po_lines[i] for i in totals], ["received_quantity"])
    complete = all(line.received_quantity >= line.quantity for line in po_lines.values())
    status = PurchaseOrder.Status.RECEIVED if complete else PurchaseOrder.Status.PARTIALLY_RECEIVED
    message = _("%(receipt)s: %(n)d lines received") % {"receipt": receipt.number, "n": len(todo)}
    if status != order.status:
        _set_status(order, status, user=user, message=message, action="post")
    else:
        audit_record(obj=order, action="post", user=user, message=message)
    audit_record(obj=receipt, action="post", user=user, message=order.number)
    return receipt
