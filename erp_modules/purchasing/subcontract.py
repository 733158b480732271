"""Subcontracting (外协): a purchase order for an operation done by a subcontractor on our own material.

    subcontract_order_create      a draft PO (kind=subcontract) for the processed item at the subcontractor's
                                  price, and the components it needs, promised at the subcontractor's location
    subcontract_components_issue  the components sent out: stock moves from our warehouse to that location
    subcontract_order_receive     the processed item back (a goods receipt at the PO price) consuming, at the
                                  subcontractor's location, the components it was made from

Stock stays right because every quantity goes through the inventory ledger (erp_modules.inventory.services,
the one write path for stock) and value is kept:
- Each supplier has one stock location in the "subcontractors" warehouse (SUBCON), made when first needed.
  The warehouse has no default location, so no receipt, work order or order ever lands in it by default.
- The components an order needs are inventory reservations at that location (reference_type
  ``subcontract_order``, reference_id = the PO's id, reference = its number): promised to the order (MRP nets
  them as demand) until consumed. The location allows negative stock for that reason only (the promise is
  there before the components are); this module itself never lets it go below what the order holds.
- Issuing is a transfer (TRANSFER_OUT rows, reference_type ``subcontract_issue``, reference_id = the PO) from
  our location to the subcontractor's, at the moving average (value neutral), lot by lot (oldest first) for
  lot-tracked components. What an order holds at the subcontractor = issued − consumed, per component.
- A receipt of n of the ordered N units consumes n/N of each component (the last receipt what is left), as
  PRODUCTION_CONSUME rows at the subcontractor's location fulfilling the reservations (reference_type
  ``subcontract_consume``, reference = the receipt number), and adds the value consumed to the received item
  (a LANDED_COST row, stock_value_adjust): the processed item's value = components + the subcontractor's
  charge, which is the PO price (the receipt's RECEIPT row). Nothing is received before the components it
  consumes are at the subcontractor.
Serial-tracked components are not sent out (refused at creation).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Item
from erp_modules.common.services import audit_record
from erp_modules.inventory.models import Location, MoveType, Reservation, StockBalance, StockMove, Warehouse
from erp_modules.inventory.services import (MoveLine, items_lock, location_create, reservation_create,
                                            reservations_release_for, stock_moves_post, stock_value_adjust)
from erp_modules.partners.models import Partner
from erp_modules.purchasing.models import ZERO, PurchaseOrder, Receipt
from erp_modules.purchasing.services import fmt_qty, purchase_order_create, purchase_order_receive
from erp_modules.purchasing.services._common import _lock, _user, _wrong_status

SUBCONTRACT_WAREHOUSE = "SUBCON"
RESERVATION_REFERENCE = "subcontract_order"
ISSUE_REFERENCE = "subcontract_issue"
CONSUME_REFERENCE = "subcontract_consume"


class SubcontractErrorCode(str, Enum):
    NOT_SUBCONTRACT = "subcontract_not_subcontract"
    NO_COMPONENTS = "subcontract_no_components"
    COMPONENT = "subcontract_component"
    ITEM = "subcontract_item"
    NOTHING_TO_ISSUE = "subcontract_nothing_to_issue"
    OVER_ISSUE = "subcontract_over_issue"
    NOT_ISSUED = "subcontract_components_not_issued"
    QUANTITY = "subcontract_quantity"

    def __str__(self) -> str:
        return self.value


Code = SubcontractErrorCode


def _error(message: str, code: Code, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=str(code))
    return ValidationError({field: error}) if field else error


# ---- the subcontractor's location ---------------------------------------------------------------------------


def _subcontract_warehouse() -> Warehouse:
    warehouse = Warehouse.objects.filter(code=SUBCONTRACT_WAREHOUSE).first()
    if warehouse is None:
        # no default location on purpose (see the module doc): not warehouse_create, which makes one
        warehouse = Warehouse(code=SUBCONTRACT_WAREHOUSE, name=_("Subcontractors"),
                              address=_("Stock held at subcontractors"))
        warehouse.full_clean()
        warehouse.save()
    return warehouse


@transaction.atomic
def subcontract_location_for(*, supplier: Partner) -> Location:
    """The supplier's location in the subcontractors' warehouse, made when first needed."""
    warehouse = _subcontract_warehouse()
    code = (supplier.code or f"P{supplier.pk}").strip().upper()[:30]
    location = Location.objects.filter(warehouse=warehouse, code=code).first()
    if location is None:
        location = location_create(warehouse=warehouse, code=code, name=supplier.name[:100], allow_negative=True)
    return location


# ---- create ------------------------------------------------------------------------------------------------


def _components_clean(components) -> dict[int, tuple[Item, Decimal]]:
    merged: dict[int, tuple[Item, Decimal]] = {}
    for item, quantity in components or []:
        try:
            quantity = Decimal(str(quantity))
        except ArithmeticError:
            quantity = None
        if item is None or quantity is None or not quantity.is_finite() or quantity <= 0:
            raise _error(_("Each component needs an item and a quantity above zero."), Code.COMPONENT, "components")
        if not item.is_stocked:
            raise _error(_("%(item)s is not kept in stock, so it cannot be sent to a subcontractor.")
                         % {"item": item.code}, Code.COMPONENT, "components")
        if item.tracking == Item.Tracking.SERIAL:
            raise _error(_("%(item)s is tracked by serial number; serial-tracked components are not sent to "
                           "subcontractors.") % {"item": item.code}, Code.COMPONENT, "components")
        previous = merged.get(item.pk)
        merged[item.pk] = (item, quantity + (previous[1] if previous else ZERO))
    if not merged:
        raise _error(_("Give the components the subcontractor works on."), Code.NO_COMPONENTS, "components")
    return merged


@transaction.atomic
def subcontract_order_create(*, supplier: Partner, item: Item, quantity, unit_price, vat_rate, expected_date,
                             operation_id: int | None, components: list[tuple[Item, Decimal]], user,
                             board_listing_id: int | None = None,
                             board_quotation_id: int | None = None) -> PurchaseOrder:
    """A draft subcontracting order: one line, ``quantity`` of the processed ``item`` at ``unit_price`` (the
    subcontractor's charge per unit, excl. VAT), and ``components`` [(item, total quantity)] promised at the
    supplier's subcontracting location. ``operation_id``: the work order operation it does (a plain id)."""
    if item is None or not item.is_stocked:
        raise _error(_("The processed item must be a stocked item."), Code.ITEM, "item")
    planned = _components_clean(components)
    order = purchase_order_create(
        supplier=supplier, user=user, expected_date=expected_date,
        lines=[{"item": item, "quantity": quantity, "unit_price": unit_price, "vat_rate": vat_rate,
                "description": _("processing (外协)")}])
    location = subcontract_location_for(supplier=supplier)
    order.kind = PurchaseOrder.Kind.SUBCONTRACT
    order.subcontract_location = location
    order.source_operation_id = operation_id
    order.board_listing_id, order.board_quotation_id = board_listing_id, board_quotation_id
    order.full_clean()
    order.save(update_fields=["kind", "subcontract_location", "source_operation_id", "board_listing_id",
                              "board_quotation_id", "updated_at"])
    for component, total in planned.values():
        reservation_create(item=component, location=location, quantity=total, reference_type=RESERVATION_REFERENCE,
                           reference_id=order.pk, reference=order.number)
    audit_record(obj=order, action="update", user=user,
                 message=_("subcontracting: %(n)d components to send to %(loc)s")
                 % {"n": len(planned), "loc": location})
    return order


# ---- what the order holds ---------------------------------------------------------------------------------


@dataclass
class SubcontractComponent:
    reservation: Reservation
    item: Item
    planned: Decimal
    issued: Decimal
    consumed: Decimal

    @property
    def at_subcontractor(self) -> Decimal:
        return self.issued - self.consumed

    @property
    def to_issue(self) -> Decimal:
        return max(self.planned - self.issued, ZERO)


def subcontract_components(*, order: PurchaseOrder) -> list[SubcontractComponent]:
    """The components of a subcontracting order: planned, issued to the subcontractor, consumed by receipts,
    and so held there now. [] for any other order."""
    if order.kind != PurchaseOrder.Kind.SUBCONTRACT or order.subcontract_location_id is None:
        return []
    issued = dict(StockMove.objects.filter(reference_type=ISSUE_REFERENCE, reference_id=order.pk,
                                           location_id=order.subcontract_location_id)
                  .values("item_id").annotate(q=Sum("quantity")).values_list("item_id", "q"))
    return [SubcontractComponent(reservation=r, item=r.item, planned=r.quantity, issued=issued.get(r.item_id, ZERO),
                                 consumed=r.consumed)
            for r in (Reservation.objects.filter(reference_type=RESERVATION_REFERENCE, reference_id=order.pk)
                      .exclude(status=Reservation.Status.RELEASED).select_related("item", "item__uom")
                      .order_by("item__code", "pk"))]


def _lot_picks(item: Item, location: Location, quantity: Decimal) -> list[tuple[object, Decimal]]:
    """Where to take ``quantity`` from in a location: (lot, qty) oldest lot first for a lot-tracked item (as
    much as the lots hold; the ledger refuses what is short), else [(None, quantity)]."""
    if item.tracking != Item.Tracking.LOT:
        return [(None, quantity)]
    picks, left = [], quantity
    for balance in (StockBalance.objects.filter(item=item, location=location, on_hand__gt=0, lot__isnull=False)
                    .select_related("lot").order_by("lot__created_at", "lot__code")):
        take = min(left, balance.on_hand)
        picks.append((balance.lot, take))
        left -= take
        if left <= 0:
            break
    if left > 0:
        picks.append((picks[-1][0] if picks else None, left))  # short: the ledger names the shortage
    return picks


def _subcontract_lock(order: PurchaseOrder) -> PurchaseOrder:
    order = _lock(order)
    if order.kind != PurchaseOrder.Kind.SUBCONTRACT or order.subcontract_location_id is None:
        raise _error(_("%(number)s is not a subcontracting order.") % {"number": order.number},
                     Code.NOT_SUBCONTRACT)
    return order


# ---- issue ----------------------------------------------------------------------------------------------


@transaction.atomic
def subcontract_components_issue(*, order: PurchaseOrder, user, quantities: dict[int, Decimal] | None = None,
                                 source: Location | None = None) -> list[StockMove]:
    """Send components to the subcontractor: each component's quantity still to issue (or ``quantities``
    {item id: qty}, at most that) moved from ``source`` (the order's location) to the subcontractor's."""
    order = _subcontract_lock(order)
    if order.status not in PurchaseOrder.OPEN_STATUSES:
        raise _wrong_status(order, _("sent components (approve it first)"))
    source = source or order.location
    destination = order.subcontract_location
    rows = subcontract_components(order=order)
    wanted: list[tuple[SubcontractComponent, Decimal]] = []
    for row in rows:
        quantity = row.to_issue if quantities is None else Decimal(str(quantities.get(row.item.pk, 0) or 0))
        if quantity < 0 or quantity > row.to_issue:
            raise _error(_("%(item)s: at most %(max)s %(uom)s is still to send.")
                         % {"item": row.item.code, "max": fmt_qty(row.to_issue), "uom": row.item.uom},
                         Code.OVER_ISSUE, "quantities")
        if quantity > 0:
            wanted.append((row, quantity))
    if not wanted:
        raise _error(_("Nothing is left to send to the subcontractor."), Code.NOTHING_TO_ISSUE)
    items = items_lock(row.item.pk for row, _q in wanted)
    lines: list[MoveLine] = []
    for row, quantity in wanted:
        item = items[row.item.pk]
        for lot, take in _lot_picks(item, source, quantity):
            lines.append(MoveLine(item, source, -take, lot=lot, reference_line_id=row.reservation.pk))
            lines.append(MoveLine(item, destination, take, lot=lot, unit_cost=item.average_cost,
                                  reference_line_id=row.reservation.pk))
    moves = stock_moves_post(move_type=MoveType.TRANSFER_OUT, lines=lines, reference=order.number,
                             reference_type=ISSUE_REFERENCE, reference_id=order.pk, user=user,
                             note=_("components to %(loc)s") % {"loc": destination})
    audit_record(obj=order, action="post", user=user,
                 message=_("components sent to %(loc)s: %(items)s")
                 % {"loc": destination, "items": ", ".join(f"{r.item.code} {fmt_qty(q)}" for r, q in wanted)})
    return moves


# ---- receive --------------------------------------------------------------------------------------------


def _share(planned: Decimal, quantity: Decimal, ordered: Decimal, item: Item) -> Decimal:
    places = Decimal(1).scaleb(-item.uom.decimals)
    return (planned * quantity / ordered).quantize(places, ROUND_HALF_UP)


@transaction.atomic
def subcontract_order_receive(*, order: PurchaseOrder, quantity, user, lot_code: str = "", note: str = "",
                              posted_at=None) -> Receipt:
    """Receive ``quantity`` of the processed item (a goods receipt at the PO price, the subcontractor's charge)
    and consume the components it was made from at the subcontractor; their value goes onto the item."""
    order = _subcontract_lock(order)
    line = order.lines.select_related("item", "item__uom").order_by("line_no").first()
    try:
        quantity = Decimal(str(quantity))
    except ArithmeticError:
        quantity = None
    if line is None or quantity is None or not quantity.is_finite() or quantity <= 0:
        raise _error(_("Give the quantity received, above zero."), Code.QUANTITY, "quantity")
    rows = subcontract_components(order=order)
    last = line.received_quantity + quantity >= line.quantity
    takes: list[tuple[SubcontractComponent, Decimal]] = []
    short = []
    for row in rows:
        open_quantity = row.planned - row.consumed
        take = open_quantity if last else min(open_quantity, _share(row.planned, quantity, line.quantity, row.item))
        if take > row.at_subcontractor:
            short.append(_("%(item)s %(missing)s %(uom)s") % {"item": row.item.code, "uom": row.item.uom,
                                                              "missing": fmt_qty(take - row.at_subcontractor)})
        if take > 0:
            takes.append((row, take))
    if short:
        raise _error(_("Send the components first; the subcontractor does not hold enough: %(short)s.")
                     % {"short": "; ".join(short)}, Code.NOT_ISSUED)
    posted_at = posted_at or timezone.now()
    receipt = purchase_order_receive(order=order, lines=[{"line": line, "quantity": quantity, "lot": lot_code}],
                                     user=user, note=note, posted_at=posted_at, subcontract_components_consumed=True)
    if not takes:
        return receipt
    location = order.subcontract_location
    items_lock(row.item.pk for row, _t in takes)
    lines = [MoveLine(row.item, location, -take_lot, lot=lot, reservation=row.reservation,
                      reference_line_id=row.reservation.pk)
             for row, take in takes for lot, take_lot in _lot_picks(row.item, location, take)]
    moves = stock_moves_post(move_type=MoveType.PRODUCTION_CONSUME, lines=lines, reference=receipt.number,
                             reference_type=CONSUME_REFERENCE, reference_id=order.pk, user=user,
                             posted_at=posted_at, note=order.number)
    consumed_value = -sum((m.value for m in moves), ZERO)
    if consumed_value:
        stock_value_adjust(item=line.item, location=receipt.location, amount=consumed_value, quantity_basis=quantity,
                           reference=receipt.number, reference_type=CONSUME_REFERENCE, reference_id=order.pk,
                           user=user, note=_("components of %(number)s") % {"number": order.number})
    audit_record(obj=order, action="post", user=_user(user),
                 message=_("%(receipt)s: components consumed at %(loc)s, value %(value)s")
                 % {"receipt": receipt.number, "loc": location, "value": consumed_value.quantize(Decimal("0.01"))})
    return receipt


def subcontract_order_release(*, order: PurchaseOrder) -> int:
    """Drop the components' promise of a cancelled or closed subcontracting order (what is still at the
    subcontractor stays there, visible in its location, to be transferred back)."""
    return reservations_release_for(reference_type=RESERVATION_REFERENCE, reference_id=order.pk)
