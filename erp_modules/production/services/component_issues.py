"""Issuing components to a work order: out of its component location (PRODUCTION_CONSUME, valued at moving
average), against its reservations, lot by lot and serial by serial for tracked components."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Item
from erp_modules.common.services import audit_record
from erp_modules.inventory.models import Location, Lot, MoveType, Reservation, SerialNumber, StockBalance, StockMove
from erp_modules.inventory.services import MoveLine, stock_moves_post
from erp_modules.production.error_codes import ProductionErrorCode as Code
from erp_modules.production.models import REFERENCE_TYPE, WorkOrder, WorkOrderComponent
from erp_modules.production.services._common import (_check_decimals, _decimal, _error, _lock, _require_status, _start,
                                                     _started, fmt_qty)


@dataclass
class IssueLine:
    """One line of an issue: a component row of the work order, a quantity and, for tracked
    components, the lot (code or Lot) or serial number (code or SerialNumber) taken."""

    component: WorkOrderComponent | int
    quantity: Decimal | int | str
    lot: Lot | str | None = None
    serial: SerialNumber | str | None = None



def _resolve_lot(item: Item, lot, where: str) -> Lot:
    if isinstance(lot, Lot):
        if lot.item_id != item.pk:
            raise _error(_("%(where)s: lot %(lot)s belongs to another item.") % {"where": where, "lot": lot.code},
                         Code.LOT_NOT_FOUND, "lines")
        return lot
    code = (lot or "").strip()
    if not code:
        raise _error(_("%(where)s: this component is tracked by lot; say which lot is issued.") % {"where": where},
                     Code.LOT_REQUIRED, "lines")
    found = Lot.objects.filter(item=item, code=code).first()
    if found is None:
        raise _error(_("%(where)s: there is no lot %(lot)s of this item.") % {"where": where, "lot": code},
                     Code.LOT_NOT_FOUND, "lines")
    return found


def _resolve_serial(item: Item, serial, location: Location, where: str) -> SerialNumber:
    if not isinstance(serial, SerialNumber):
        code = (serial or "").strip()
        if not code:
            raise _error(_("%(where)s: this component is tracked by serial number; give the serial number.")
                         % {"where": where}, Code.SERIAL_REQUIRED, "lines")
        serial = SerialNumber.objects.filter(item=item, serial=code).first()
        if serial is None:
            raise _error(_("%(where)s: there is no serial number %(serial)s of this item.")
                         % {"where": where, "serial": code}, Code.SERIAL_NOT_FOUND, "lines")
    if serial.item_id != item.pk or serial.location_id != location.pk:
        raise _error(_("%(where)s: serial number %(serial)s is not in stock in %(loc)s.")
                     % {"where": where, "serial": serial.serial, "loc": location}, Code.SERIAL_NOT_FOUND, "lines")
    return serial


def _issue_line(n: int, raw: IssueLine | dict, *, work_order: WorkOrder, rows: dict[int, WorkOrderComponent],
                location: Location) -> tuple[WorkOrderComponent, Decimal, Lot | None, SerialNumber | None] | None:
    """The n-th line of an issue checked: its component row, quantity, lot and serial (None: quantity 0)."""
    line = IssueLine(**raw) if isinstance(raw, dict) else raw
    component_id = line.component.pk if isinstance(line.component, WorkOrderComponent) else line.component
    component = rows.get(component_id)
    if component is None:
        raise _error(_("Line %(n)d: not a component of %(number)s.") % {"n": n, "number": work_order.number},
                     Code.NOT_A_COMPONENT, "lines")
    item = component.item
    where = _("Line %(n)d (%(item)s)") % {"n": n, "item": f"{item.code} {item.name}"}
    if component.line_type != WorkOrderComponent.LineType.COMPONENT:
        raise _error(_("%(where)s: by-products are received at completion, not issued.") % {"where": where},
                     Code.NOT_A_COMPONENT, "lines")
    quantity = _decimal(line.quantity, "lines", where)
    if quantity == 0:
        return None
    if quantity < 0:
        raise _error(_("%(where)s: the quantity cannot be negative.") % {"where": where}, Code.QUANTITY, "lines")
    _check_decimals(quantity, item, "lines", where)
    lot = serial = None
    if item.tracking == Item.Tracking.LOT:
        lot = _resolve_lot(item, line.lot, where)
    elif item.tracking == Item.Tracking.SERIAL:
        if quantity != 1:
            raise _error(_("%(where)s: serial-numbered units are issued one per line.") % {"where": where},
                         Code.QUANTITY, "lines")
        serial = _resolve_serial(item, line.serial, location, where)
        received = (StockMove.objects.filter(serial=serial, quantity__gt=0).order_by("-posted_at", "-id")
                    .values_list("lot_id", flat=True).first())
        lot = Lot.objects.get(pk=received) if received else None
    elif (line.lot or line.serial) and str(line.lot or line.serial).strip():
        raise _error(_("%(where)s: this component is not tracked by lot or serial number; leave the lot empty.")
                     % {"where": where}, Code.LOT_NOT_FOUND, "lines")
    return component, quantity, lot, serial


def _check_over_issue(rows: dict[int, WorkOrderComponent], wanted: dict[int, Decimal]) -> None:
    for component_id, quantity in wanted.items():
        component = rows[component_id]
        if component.quantity_issued + quantity > component.quantity_required:
            raise _error(_("%(item)s: issuing %(qty)s would exceed the requirement of %(required)s "
                           "(%(issued)s already issued). Confirm the over-issue to go ahead.")
                         % {"item": f"{component.item.code} {component.item.name}", "qty": fmt_qty(quantity),
                            "required": fmt_qty(component.quantity_required),
                            "issued": fmt_qty(component.quantity_issued)}, Code.OVER_ISSUE, "lines")


@transaction.atomic
def work_order_issue_components(*, work_order: WorkOrder, lines: list[IssueLine | dict],
                                allow_over_issue: bool = False, user=None) -> list[StockMove]:
    """Take components out of the component location (PRODUCTION_CONSUME, valued at moving average),
    consuming the work order's reservations. Partial issues are fine; issuing more than a
    component's requirement needs allow_over_issue=True. Lines with quantity 0 are skipped."""
    work_order = _lock(work_order)
    _require_status(work_order, WorkOrder.ACTIVE_STATUSES, _("issue components"))
    location = work_order.component_location
    rows = {c.pk: c for c in (work_order.components.select_for_update(of=("self",))
                              .select_related("item", "item__uom"))}
    reservations = {r.reference_line_id: r for r in Reservation.objects.filter(
        reference_type=REFERENCE_TYPE, reference_id=work_order.pk, status=Reservation.Status.ACTIVE)}
    move_lines: list[MoveLine] = []
    line_rows: list[WorkOrderComponent] = []
    wanted: dict[int, Decimal] = defaultdict(Decimal)
    for n, raw in enumerate(lines, start=1):
        checked = _issue_line(n, raw, work_order=work_order, rows=rows, location=location)
        if checked is None:
            continue
        component, quantity, lot, serial = checked
        wanted[component.pk] += quantity
        move_lines.append(MoveLine(component.item, location, -quantity, lot=lot, serial=serial,
                                   reference_line_id=component.pk, reservation=reservations.get(component.pk)))
        line_rows.append(component)
    if not move_lines:
        raise _error(_("Enter the quantity to issue for at least one component."), Code.NOTHING_TO_ISSUE, "lines")
    if not allow_over_issue:
        _check_over_issue(rows, wanted)
    moves = stock_moves_post(move_type=MoveType.PRODUCTION_CONSUME, lines=move_lines, reference=work_order.number,
                             reference_type=REFERENCE_TYPE, reference_id=work_order.pk, user=user)
    for component, move in zip(line_rows, moves):
        component.quantity_issued += -move.quantity
        component.value_issued += -move.value
    for component in {c.pk: c for c in line_rows}.values():
        component.save(update_fields=["quantity_issued", "value_issued"])
    fields = _start(work_order)
    if fields:
        work_order.save(update_fields=fields)
    audit_record(obj=work_order, action="post", user=user, changes=_started(fields),
                 message=_("Issued %(lines)s") % {"lines": ", ".join(
                     f"{m.item.code}{'/' + m.lot.code if m.lot else ''}{'#' + m.serial.serial if m.serial else ''}"
                     f" {fmt_qty(-m.quantity)}" for m in moves)})
    return moves


@transaction.atomic
def work_order_issue_remaining(*, work_order: WorkOrder, user=None) -> list[StockMove]:
    """Issue what every component still needs (required − issued), taking lot-tracked components
    from the oldest lots in the component location first and serial-numbered ones in serial order.
    All or nothing: a component that is short stops the whole issue with its name."""
    work_order = _lock(work_order)
    _require_status(work_order, WorkOrder.ACTIVE_STATUSES, _("issue components"))
    location = work_order.component_location
    lines: list[IssueLine] = []
    for component in (work_order.components.filter(line_type=WorkOrderComponent.LineType.COMPONENT)
                      .select_related("item", "item__uom").order_by("sequence", "id")):
        remaining = component.quantity_remaining
        if remaining <= 0:
            continue
        item = component.item
        if item.tracking == Item.Tracking.NONE:
            lines.append(IssueLine(component, remaining))
            continue
        if item.tracking == Item.Tracking.LOT:
            sources = [(b.lot, b.on_hand) for b in StockBalance.objects.filter(
                item=item, location=location, on_hand__gt=0, lot__isnull=False).select_related("lot")
                .order_by("lot__created_at", "lot__code")]
        else:
            sources = [(s, Decimal("1")) for s in SerialNumber.objects.filter(item=item, location=location)
                       .order_by("serial")]
        for source, on_hand in sources:
            if remaining <= 0:
                break
            take = min(on_hand, remaining)
            if item.tracking == Item.Tracking.LOT:
                lines.append(IssueLine(component, take, lot=source))
            else:
                lines.append(IssueLine(component, take, serial=source))
            remaining -= take
        if remaining > 0:
            raise _error(_("%(item)s: %(short)s %(uom)s more are needed than %(loc)s holds in lots or serial "
                           "numbers.") % {"item": f"{item.code} {item.name}", "short": fmt_qty(remaining),
                                          "uom": item.uom, "loc": location}, Code.INSUFFICIENT_STOCK, "lines")
    if not lines:
        raise _error(_("Every component has been issued in full."), Code.NOTHING_TO_ISSUE, "lines")
    return work_order_issue_components(work_order=work_order, lines=lines, user=user)
