"""Deliveries: post (part of) a confirmed order out of its reservations, with lots and serial numbers.

`delivery_create` runs in steps: read what the order still needs (`_order_needs`), read and check the
quantities asked for (`_delivery_wanted`), write the delivery and its lines with the stock they take
(`_delivery_line_write`), post the stock, then record what was delivered on the order
(`_order_delivered`)."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Item
from erp_modules.common.services import audit_record, document_number_next, erp_settings_get
from erp_modules.inventory.models import Location, Lot, MoveType, Reservation, SerialNumber
from erp_modules.inventory.services import MoveLine, stock_moves_post
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.formatting import qty
from erp_modules.sales.models import DELIVERY_REFERENCE, Delivery, DeliveryLine, SalesOrder, SalesOrderLine
from erp_modules.sales.selectors import StockNeed, kits_reserved, order_line_needs
from erp_modules.sales.services._common import (QTY_PLACES, ZERO, _action_lines, _error, _line_label,
                                                _status_change, _status_error, _user)
from erp_modules.sales.services.reservations import _order_kit_components, _order_reservations

Wanted = list[tuple[SalesOrderLine, Decimal, dict]]  # (order line, quantity to deliver, the line as given)


@transaction.atomic
def delivery_create(*, order: SalesOrder, lines: list[dict] | None = None, delivery_date: date | None = None,
                    ship_to: str | None = None, note: str = "", user=None) -> Delivery:
    """Deliver (part of) a confirmed order and post the stock out of the lines' locations.

    lines: [{"order_line": SalesOrderLine or its id, "quantity": Decimal, "lot": Lot | lot code | "",
    "serials": "SN1, SN2"}]; None delivers every open quantity that is reserved (services: every
    open quantity). Stocked items leave only out of the order's reservations: a line asked for
    more than is reserved for it is refused with code `not_reserved`, naming the line and its
    reserved quantity (an order confirmed with a shortage delivers the rest after "check
    availability"). Lot-tracked items need a lot, serial-tracked items one serial number per
    unit. Ledger rows have type DELIVERY and consume the reservations; what is not delivered stays
    open (the backorder), unless the enterprise does not allow partial deliveries."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in SalesOrder.OPEN_STATUSES:
        raise _status_error(order, _("delivered"))
    order_lines = {line.pk: line for line in order.lines.select_related("item", "item__uom", "location",
                                                                        "location__warehouse")}
    reservations = _order_reservations(order)
    needs = _order_needs(order, order_lines, reservations)
    wanted = _delivery_wanted(order, order_lines, needs, lines)
    delivery = Delivery(number=document_number_next(code="sales_delivery", prefix="DN-"), order=order,
                        customer=order.customer, delivery_date=delivery_date or timezone.localdate(),
                        ship_to=(order.customer.address if ship_to is None else ship_to).strip()[:255],
                        note=note.strip()[:300], created_by=_user(user))
    delivery.full_clean()
    delivery.save()
    move_lines: list[MoveLine] = []
    for line, quantity, raw in wanted:
        move_lines += _delivery_line_write(delivery, line, quantity, raw, needs=needs[line.pk],
                                           reservations=reservations.get(line.pk, []))
    if move_lines:
        stock_moves_post(move_type=MoveType.DELIVERY, lines=move_lines, reference=delivery.number,
                         reference_type=DELIVERY_REFERENCE, reference_id=delivery.pk, user=user,
                         note=order.number)
    _order_delivered(order, order_lines, wanted, delivery, user=user)
    return delivery


def _order_needs(order: SalesOrder, order_lines: dict[int, SalesOrderLine],
                 reservations: dict[int, list[Reservation]]) -> dict[int, list[StockNeed]]:
    """What each line of the order still needs, and what is reserved for it (kits: per component)."""
    components = _order_kit_components(order)
    return {pk: order_line_needs(line=line, reservations=reservations.get(pk, []),
                                 kit_components=components.get(pk, [])) for pk, line in order_lines.items()}


def _delivery_wanted(order: SalesOrder, order_lines: dict[int, SalesOrderLine], needs: dict[int, list[StockNeed]],
                     lines: list[dict] | None) -> Wanted:
    """The lines to deliver and their quantities, each checked (open, reserved, given once); None:
    everything reserved. Refuses a delivery of nothing, and a partial one where the settings say no."""
    nothing_reserved = False
    if lines is None:
        lines = [{"order_line": line, "quantity": _deliverable(line, needs[line.pk])}
                 for line in order_lines.values() if line.open_qty > 0 and _deliverable(line, needs[line.pk]) > 0]
        nothing_reserved = not lines and any(line.open_qty > 0 for line in order_lines.values())
    wanted: Wanted = []
    for line, label, quantity, raw in _action_lines(order_lines, lines, foreign=_(
            "A delivery line does not belong to %(number)s.") % {"number": order.number}):
        if quantity > line.open_qty:
            raise _error(_("%(where)s: %(wanted)s to deliver but only %(open)s %(uom)s still open.")
                         % {"where": label, "wanted": qty(quantity), "open": qty(line.open_qty),
                            "uom": line.item.uom}, SalesErrorCode.OVER_DELIVERY)
        _reserved_check(line, quantity, needs[line.pk], label)
        wanted.append((line, quantity, raw))
    if nothing_reserved:
        raise _error(_("Nothing of %(number)s is reserved yet; use “Check availability” once the goods are in.")
                     % {"number": order.number}, SalesErrorCode.EMPTY)
    if not wanted:
        raise _error(_("Enter a quantity to deliver on at least one line."), SalesErrorCode.EMPTY)
    if not erp_settings_get().allow_partial_delivery:
        delivering = {line.pk: quantity for line, quantity, _raw in wanted}
        for line in order_lines.values():
            if line.open_qty > 0 and delivering.get(line.pk, ZERO) != line.open_qty:
                raise _error(_("%(where)s: partial deliveries are switched off in the settings; deliver all "
                               "%(open)s %(uom)s.") % {"where": _line_label(line.sequence, line.item),
                                                       "open": qty(line.open_qty), "uom": line.item.uom},
                             SalesErrorCode.PARTIAL_NOT_ALLOWED)
    return wanted


def _delivery_line_write(delivery: Delivery, line: SalesOrderLine, quantity: Decimal, raw: dict, *,
                         needs: list[StockNeed], reservations: list[Reservation]) -> list[MoveLine]:
    """Write one delivery line (its lot or serial numbers checked); return the stock it takes, out of
    the line's active reservations (services take none)."""
    label = _line_label(line.sequence, line.item)
    item = line.item
    delivery_line = DeliveryLine(delivery=delivery, order_line=line, item=item, quantity=quantity,
                                 location=line.location if item.item_type != Item.Type.SERVICE else None)
    serials: list[SerialNumber] = []
    if item.is_stocked and item.tracking == Item.Tracking.LOT:
        delivery_line.lot = _lot_for(item, raw.get("lot"), label)
    elif item.is_stocked and item.tracking == Item.Tracking.SERIAL:
        serials = _serials_for(item, line.location, quantity, raw.get("serials") or raw.get("lot") or "", label)
        delivery_line.serials = ", ".join(s.serial for s in serials)
    delivery_line.full_clean(exclude=["delivery", "order_line", "item", "location", "lot"])
    delivery_line.save()
    if item.item_type == Item.Type.SERVICE:
        return []
    active = [r for r in reservations if r.status == Reservation.Status.ACTIVE]
    if item.item_type == Item.Type.KIT:
        return _kit_move_lines(line, quantity, needs, active, delivery_line, label)
    if serials:
        move_lines: list[MoveLine] = []
        for serial in serials:
            move_lines += _consume(item, line.location, Decimal("1"), active, delivery_line.pk,
                                   lot=serial.lot, serial=serial)
        return move_lines
    return _consume(item, line.location, quantity, active, delivery_line.pk, lot=delivery_line.lot)


def _order_delivered(order: SalesOrder, order_lines: dict[int, SalesOrderLine], wanted: Wanted,
                     delivery: Delivery, *, user) -> None:
    """Add the delivered quantities to the order lines; the order is delivered, or partially (the
    rest is the backorder). Both the delivery's and the order's history say so."""
    for line, quantity, _raw in wanted:
        line.delivered_qty += quantity
        line.save(update_fields=["delivered_qty"])
    all_done = all(line.delivered_qty >= line.quantity for line in order_lines.values())
    new_status = SalesOrder.Status.DELIVERED if all_done else SalesOrder.Status.PARTIALLY_DELIVERED
    audit_record(obj=delivery, action="post", user=user,
                 message=_("%(order)s: %(n)d lines") % {"order": order.number, "n": len(wanted)})
    backorder = sum((line.open_qty for line in order_lines.values()), ZERO)
    message = delivery.number if all_done else _("%(delivery)s; backorder %(qty)s") % {
        "delivery": delivery.number, "qty": qty(backorder)}
    if new_status != order.status:
        _status_change(order, new_status, user=user, message=message)
    else:
        audit_record(obj=order, action="update", user=user, message=message)


def _split_serials(text: str) -> list[str]:
    return [s for s in re.split(r"[\s,;，；]+", text or "") if s]


def _consume(item: Item, location: Location, quantity: Decimal, reservations: list[Reservation],
             reference_line_id: int, lot: Lot | None = None, serial: SerialNumber | None = None) -> list[MoveLine]:
    """Outgoing move lines for `quantity`, each consuming the reservations of the item in turn."""
    result = []
    remaining = quantity
    for reservation in reservations:
        if reservation.item_id != item.pk or remaining <= 0:
            continue
        take = min(remaining, reservation.open_quantity)
        if take <= 0:
            continue
        result.append(MoveLine(item, location, -take, lot=lot, serial=serial, reference_line_id=reference_line_id,
                               reservation=reservation))
        reservation.consumed += take  # local view only: stock_moves_post writes the real figure
        remaining -= take
    if remaining > 0:
        result.append(MoveLine(item, location, -remaining, lot=lot, serial=serial, reference_line_id=reference_line_id))
    return result


def _lot_for(item: Item, value, label: str) -> Lot:
    if isinstance(value, Lot):
        if value.item_id != item.pk:
            raise _error(_("%(where)s: lot %(lot)s belongs to another item.") % {"where": label, "lot": value},
                         SalesErrorCode.LOT_NOT_FOUND)
        return value
    code = (value or "").strip()
    if not code:
        raise _error(_("%(where)s: this item is tracked by lot; give the lot number.") % {"where": label},
                     SalesErrorCode.LOT_REQUIRED)
    lot = Lot.objects.filter(item=item, code=code).first()
    if lot is None:
        raise _error(_("%(where)s: there is no lot %(lot)s of this item.") % {"where": label, "lot": code},
                     SalesErrorCode.LOT_NOT_FOUND)
    return lot


def _serials_for(item: Item, location: Location, quantity: Decimal, text: str, label: str) -> list[SerialNumber]:
    numbers = _split_serials(text)
    if quantity != quantity.to_integral() or len(numbers) != int(quantity):
        raise _error(_("%(where)s: this item is tracked by serial number; give %(n)s serial numbers, one per unit.")
                     % {"where": label, "n": qty(quantity)}, SalesErrorCode.LOT_REQUIRED)
    found = {s.serial: s for s in SerialNumber.objects.select_related("lot").filter(item=item, serial__in=numbers)}
    result = []
    for number in numbers:
        serial = found.get(number)
        if serial is None or serial.location_id != location.pk:
            raise _error(_("%(where)s: serial number %(serial)s is not in stock in %(loc)s.")
                         % {"where": label, "serial": number, "loc": location}, SalesErrorCode.SERIAL_NOT_FOUND)
        result.append(serial)
    if len(set(numbers)) != len(numbers):
        raise _error(_("%(where)s: a serial number is given twice.") % {"where": label}, SalesErrorCode.LOT_REQUIRED)
    return result


def _deliverable(line: SalesOrderLine, needs: list[StockNeed]) -> Decimal:
    """What a delivery can take of a line now: its reserved open quantity (kits: complete kits;
    services and other lines with nothing to reserve: all that is open)."""
    if not needs:
        return line.open_qty
    if line.item.item_type == Item.Type.KIT:
        return kits_reserved(line=line, needs=needs)
    return min(line.open_qty, needs[0].reserved)


def _kit_takes(line: SalesOrderLine, quantity: Decimal, needs: list[StockNeed]) -> list[tuple[StockNeed, Decimal]]:
    """How much of each component `quantity` kits take, in the proportions recorded at
    confirmation. The last delivery takes whatever the components still need, so no rounding
    remainder is left."""
    final = quantity == line.open_qty
    result = []
    for need in needs:
        if final:
            take = need.open
        else:
            take = min((need.required * quantity / line.quantity).quantize(QTY_PLACES, ROUND_HALF_UP), need.open)
        result.append((need, take))
    return result


def _reserved_check(line: SalesOrderLine, quantity: Decimal, needs: list[StockNeed], label: str) -> None:
    """A stocked line delivers only what is reserved for it (kits: complete kits, and each
    component's share out of its own reservations)."""
    if not needs:
        return
    is_kit = line.item.item_type == Item.Type.KIT
    reserved = kits_reserved(line=line, needs=needs) if is_kit else needs[0].reserved
    for need, take in _kit_takes(line, quantity, needs) if is_kit else []:
        if take > need.reserved:
            raise _error(_("%(where)s: %(wanted)s to deliver but only %(reserved)s %(uom)s reserved (component "
                           "%(component)s: %(component_reserved)s of %(component_wanted)s %(component_uom)s); use "
                           "“Check availability” once more stock is in.")
                         % {"where": label, "wanted": qty(quantity), "uom": line.item.uom, "reserved": qty(reserved),
                            "component": need.item.code, "component_reserved": qty(need.reserved),
                            "component_wanted": qty(take), "component_uom": need.item.uom},
                         SalesErrorCode.NOT_RESERVED)
    if quantity > reserved:
        raise _error(_("%(where)s: %(wanted)s to deliver but only %(reserved)s %(uom)s reserved; use “Check "
                       "availability” once more stock is in.")
                     % {"where": label, "wanted": qty(quantity), "reserved": qty(reserved), "uom": line.item.uom},
                     SalesErrorCode.NOT_RESERVED)


def _kit_move_lines(line: SalesOrderLine, quantity: Decimal, needs: list[StockNeed], reservations: list[Reservation],
                    delivery_line: DeliveryLine, label: str) -> list[MoveLine]:
    """Components of `quantity` kits, out of the components' reservations (see `_kit_takes`)."""
    result = []
    for need, take in _kit_takes(line, quantity, needs):
        component = need.item
        if component.tracking != Item.Tracking.NONE:
            raise _error(_("%(where)s: component %(component)s is tracked by lot or serial number; kits with tracked "
                           "components cannot be delivered as a kit.") % {"where": label, "component": component.code},
                         SalesErrorCode.LOT_REQUIRED)
        if take > 0:
            result += _consume(component, line.location, take, reservations, delivery_line.pk)
    return result
