"""Writes of production: work orders from creation to completion.

    draft ──release──▶ released ──issue / report──▶ in_progress ──complete──▶ completed
      └──────────────────────┴──────────cancel (nothing issued yet)──────────▶ cancelled

Stock only moves through `erp_modules.inventory.services` (reservations at release, PRODUCTION_CONSUME
at issue, PRODUCTION_OUTPUT at completion), always with reference_type="work_order",
reference_id=<work order id> and, for components, reference_line_id=<component row id>.
Every write locks the work order row first, so two people reporting or issuing on the same order
are serialised.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from erp_modules.catalog.models import Bom, BomLine, Item, Routing, UnitOfMeasure
from erp_modules.catalog.selectors import bom_effective
from erp_modules.common.services import audit_record, document_number_next
from erp_modules.inventory.models import Location, Lot, MoveType, Reservation, SerialNumber, StockMove
from erp_modules.inventory.selectors import location_for_item, stock_available
from erp_modules.inventory.services import (MoveLine, items_lock, lot_get_or_create, reservation_create,
                                            reservations_release_for, stock_moves_post)
from erp_modules.production.error_codes import ProductionErrorCode as Code
from erp_modules.production.models import (REFERENCE_TYPE, OperationReport, WorkOrder, WorkOrderComponent,
                                           WorkOrderOperation)

ZERO = Decimal("0")
MONEY_PLACES = Decimal("0.0001")
MINUTE_PLACES = Decimal("0.01")
SIXTY = Decimal("60")
MAX_KIT_DEPTH = 10


@dataclass
class IssueLine:
    """One line of an issue: a component row of the work order, a quantity and, for tracked
    components, the lot (code or Lot) or serial number (code or SerialNumber) taken."""

    component: WorkOrderComponent | int
    quantity: Decimal | int | str
    lot: Lot | str | None = None
    serial: SerialNumber | str | None = None


# ---- helpers -----------------------------------------------------------------------------------


def _error(message: str, code: Code, field: str | None = None) -> ValidationError:
    return field_error(field, message, code) if field else ValidationError(message, code=str(code))


def fmt_qty(quantity: Decimal) -> str:
    """12.5000 → "12.5", 10.0000 → "10"."""
    quantity = Decimal(quantity)
    return f"{quantity.normalize():f}" if quantity == quantity.to_integral() else f"{quantity:f}".rstrip("0")


def _decimal(value, field: str, label: str) -> Decimal:
    try:
        result = Decimal(str(value).strip()) if value not in (None, "") else ZERO
    except (InvalidOperation, ValueError):
        raise _error(_("%(label)s: “%(value)s” is not a number.") % {"label": label, "value": value}, Code.QUANTITY,
                     field)
    if not result.is_finite():
        raise _error(_("%(label)s: “%(value)s” is not a number.") % {"label": label, "value": value}, Code.QUANTITY,
                     field)
    return result


def _step(uom: UnitOfMeasure) -> Decimal:
    return Decimal(1).scaleb(-min(uom.decimals, 4))


def _check_decimals(quantity: Decimal, item: Item, field: str, label: str) -> None:
    if quantity != quantity.quantize(_step(item.uom)):
        raise _error(_("%(label)s: %(item)s is counted in %(uom)s, which allows %(n)d decimal places.")
                     % {"label": label, "item": item.code, "uom": item.uom, "n": item.uom.decimals}, Code.QUANTITY,
                     field)


def _lock(work_order: WorkOrder) -> WorkOrder:
    return (WorkOrder.objects.select_for_update(of=("self",))
            .select_related("item", "item__uom", "component_location", "output_location", "bom", "routing")
            .get(pk=work_order.pk))


def _require_status(work_order: WorkOrder, allowed, action: str) -> None:
    if work_order.status in allowed:
        return
    if work_order.status == WorkOrder.Status.DRAFT:
        message = _("%(number)s is a draft: release it before you %(action)s.")
    else:
        message = _("%(number)s is %(status)s: you cannot %(action)s.")
    raise _error(message % {"number": work_order.number, "status": work_order.get_status_display(), "action": action},
                 Code.STATUS)


def _status_change(work_order: WorkOrder, new: str, user, *, fields: list[str] | None = None, message: str = "",
                   changes: dict | None = None) -> None:
    old = work_order.status
    work_order.status = new
    work_order.save(update_fields=["status", *(fields or [])])
    audit_record(obj=work_order, action="status", user=user, message=message,
                 changes={"status": [old, new], **(changes or {})})


def _start(work_order: WorkOrder) -> list[str]:
    """released → in_progress on the first issue or report; the fields to save."""
    if work_order.status == WorkOrder.Status.RELEASED:
        work_order.status = WorkOrder.Status.IN_PROGRESS
        work_order.started_at = timezone.now()
        return ["status", "started_at"]
    return []


def _started(fields: list[str]) -> dict:
    return {"status": [WorkOrder.Status.RELEASED.value, WorkOrder.Status.IN_PROGRESS.value]} if fields else {}


# ---- create ------------------------------------------------------------------------------------


def _material_rows(*, bom: Bom, quantity: Decimal, on: date) -> list[dict]:
    """ONE level of the BOM for `quantity` of its item: quantity × line qty × (1 + scrap %) / BOM qty,
    computed exactly (fractions) and rounded UP to the component's unit decimals (nobody issues
    half a screw). Kit lines are replaced by the kit's own lines (recursively: kits are never made or
    stocked); services are not material and are left out; by-products are kept as outputs
    (no scrap factor, rounded half up)."""
    rows: list[dict] = []

    def walk(current: Bom, factor: Fraction, kit: Item | None, depth: int) -> None:
        for line in current.lines.select_related("component", "component__uom").order_by("sequence", "id"):
            component = line.component
            base = factor * Fraction(line.quantity) / Fraction(current.quantity)
            if line.line_type == BomLine.LineType.BY_PRODUCT:
                exact = base
            else:
                exact = base * (1 + Fraction(line.scrap_pct) / 100)
            if line.line_type == BomLine.LineType.COMPONENT and component.item_type == Item.Type.KIT:
                kit_bom = bom_effective(item=component, on=on)
                if kit_bom is None or depth >= MAX_KIT_DEPTH:
                    raise _error(_("Kit %(kit)s has no released bill of materials in force on %(date)s, so its "
                                   "components are unknown.") % {"kit": f"{component.code} {component.name}",
                                                                 "date": on.isoformat()},
                                 Code.KIT_WITHOUT_BOM, "bom")
                walk(kit_bom, exact, kit or component, depth + 1)
                continue
            if component.item_type == Item.Type.SERVICE:
                continue
            scale = 10 ** min(component.uom.decimals, 4)
            if line.line_type == BomLine.LineType.BY_PRODUCT:
                units = int((exact * scale * 2 + 1) // 2)  # half up
                if units <= 0:
                    continue
            else:
                units = -((-exact.numerator * scale) // exact.denominator)  # ceiling, exactly
            rounded = (Decimal(units) / scale).quantize(_step(component.uom))
            rows.append({"line_type": line.line_type, "item": component, "bom_line": line, "kit": kit,
                         "scrap_pct": line.scrap_pct,
                         "quantity_required": rounded})

    walk(bom, Fraction(quantity), None, 0)
    return rows


@transaction.atomic
def work_order_create(*, item: Item, quantity: Decimal | int | str, bom: Bom | None = None,
                      routing: Routing | None = None, planned_start: date | None = None,
                      planned_end: date | None = None, component_location: Location | None = None,
                      output_location: Location | None = None, note: str = "", user=None) -> WorkOrder:
    """A draft work order with its component rows (one BOM level, kits exploded, by-products as
    outputs) and its operations copied from the routing. `bom` defaults to the version in force on
    planned_start (else today); both locations default to the item's default location."""
    quantity = _decimal(quantity, "quantity", _("Quantity"))
    if item.item_type in (Item.Type.KIT, Item.Type.SERVICE, Item.Type.RAW):
        raise _error(_("%(item)s is a %(type)s: only finished goods, sub-assemblies and made components are "
                       "produced.") % {"item": item.code, "type": item.get_item_type_display()},
                     Code.ITEM_NOT_PRODUCIBLE, "item")
    if quantity <= 0:
        raise _error(_("Quantity: produce a positive quantity."), Code.QUANTITY, "quantity")
    _check_decimals(quantity, item, "quantity", _("Quantity"))
    if planned_start and planned_end and planned_end < planned_start:
        raise _error(_("The planned end cannot be before the planned start."), Code.DATES, "planned_end")
    # the version in force when production starts (a late order, planned in the past, is made today)
    on = max(planned_start or timezone.localdate(), timezone.localdate())
    if bom is None:
        bom = bom_effective(item=item, on=on)
        if bom is None:
            raise _error(_("%(item)s has no released bill of materials in force on %(date)s.")
                         % {"item": f"{item.code} {item.name}", "date": on.isoformat()}, Code.NO_BOM, "bom")
    elif bom.item_id != item.pk:
        raise _error(_("BOM %(bom)s is not a bill of materials of %(item)s.") % {"bom": bom, "item": item.code},
                     Code.BOM_MISMATCH, "bom")
    elif bom.status != Bom.Status.RELEASED:
        raise _error(_("BOM %(bom)s is %(status)s; only released versions can be produced.")
                     % {"bom": bom, "status": bom.get_status_display()}, Code.NO_BOM, "bom")
    if routing is not None and (routing.item_id != item.pk or not routing.active):
        raise _error(_("Routing %(routing)s is not an active routing of %(item)s.")
                     % {"routing": routing.name, "item": item.code}, Code.ROUTING_MISMATCH, "routing")
    default_location = location_for_item(item=item)
    component_location = component_location or default_location
    output_location = output_location or default_location
    if component_location is None or output_location is None:
        raise _error(_("There is no warehouse to take components from or put output into; create one first."),
                     Code.STATUS, "output_location")
    rows = _material_rows(bom=bom, quantity=quantity, on=on)
    work_order = WorkOrder(
        number=document_number_next(code="work_order", prefix="WO-"), item=item, bom=bom, routing=routing,
        quantity=quantity, planned_start=planned_start, planned_end=planned_end,
        component_location=component_location, output_location=output_location, note=(note or "").strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None)
    work_order.full_clean()
    work_order.save()
    WorkOrderComponent.objects.bulk_create([
        WorkOrderComponent(work_order=work_order, sequence=n * 10, **row) for n, row in enumerate(rows, start=1)])
    if routing is not None:
        operations = []
        for op in routing.operations.select_related("work_center").order_by("sequence"):
            planned = (op.setup_minutes + op.run_minutes_per_unit * quantity).quantize(MINUTE_PLACES, ROUND_HALF_UP)
            operations.append(WorkOrderOperation(
                work_order=work_order, sequence=op.sequence, name=op.name, work_center=op.work_center,
                routing_operation=op, setup_minutes=op.setup_minutes, run_minutes_per_unit=op.run_minutes_per_unit,
                planned_minutes=planned, piece_rate=op.piece_rate, cost_per_hour=op.work_center.cost_per_hour))
        WorkOrderOperation.objects.bulk_create(operations)
    audit_record(obj=work_order, action="create", user=user,
                 changes={"item": [None, item.code], "quantity": [None, quantity], "bom": [None, str(bom)],
                          "routing": [None, routing.name if routing else None]})
    return work_order


# ---- release -----------------------------------------------------------------------------------


@transaction.atomic
def work_order_release(*, work_order: WorkOrder, user=None) -> WorkOrder:
    """draft → released: reserve every component in the component location, all or nothing. When
    components are short, nothing is reserved and the error lists each short component."""
    work_order = _lock(work_order)
    _require_status(work_order, (WorkOrder.Status.DRAFT,), _("release it"))
    location = work_order.component_location
    components = list(work_order.components.filter(line_type=WorkOrderComponent.LineType.COMPONENT)
                      .select_related("item", "item__uom").order_by("sequence", "id"))
    needed: dict[int, Decimal] = defaultdict(Decimal)
    for component in components:
        needed[component.item_id] += component.quantity_required
    items_lock(needed)  # no one else can take these items until we commit
    if not location.allow_negative:
        shortages = []
        seen = set()
        for component in components:
            if component.item_id in seen:
                continue
            seen.add(component.item_id)
            available = stock_available(item=component.item, location=location)
            if available < needed[component.item_id]:
                shortages.append(_("%(item)s: %(need)s %(uom)s needed, %(available)s available (%(short)s short)")
                                 % {"item": f"{component.item.code} {component.item.name}",
                                    "need": fmt_qty(needed[component.item_id]), "uom": component.item.uom,
                                    "available": fmt_qty(max(available, ZERO)),
                                    "short": fmt_qty(needed[component.item_id] - max(available, ZERO))})
        if shortages:
            raise _error(_("Cannot release %(number)s: components are short in %(loc)s. %(list)s.")
                         % {"number": work_order.number, "loc": location, "list": "; ".join(shortages)},
                         Code.INSUFFICIENT_STOCK, "components")
    for component in components:
        reservation_create(item=component.item, location=location, quantity=component.quantity_required,
                           reference_type=REFERENCE_TYPE, reference_id=work_order.pk,
                           reference_line_id=component.pk, reference=work_order.number)
    work_order.released_at = timezone.now()
    _status_change(work_order, WorkOrder.Status.RELEASED, user, fields=["released_at"],
                   message=_("%(n)d components reserved") % {"n": len(components)})
    return work_order


# ---- issue -------------------------------------------------------------------------------------


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
            continue
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
        wanted[component.pk] += quantity
        move_lines.append(MoveLine(item, location, -quantity, lot=lot, serial=serial, reference_line_id=component.pk,
                                   reservation=reservations.get(component.pk)))
        line_rows.append(component)
    if not move_lines:
        raise _error(_("Enter the quantity to issue for at least one component."), Code.NOTHING_TO_ISSUE, "lines")
    if not allow_over_issue:
        for component_id, quantity in wanted.items():
            component = rows[component_id]
            if component.quantity_issued + quantity > component.quantity_required:
                raise _error(_("%(item)s: issuing %(qty)s would exceed the requirement of %(required)s "
                               "(%(issued)s already issued). Confirm the over-issue to go ahead.")
                             % {"item": f"{component.item.code} {component.item.name}", "qty": fmt_qty(quantity),
                                "required": fmt_qty(component.quantity_required),
                                "issued": fmt_qty(component.quantity_issued)}, Code.OVER_ISSUE, "lines")
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
    from erp_modules.inventory.models import StockBalance

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


# ---- operations --------------------------------------------------------------------------------


@transaction.atomic
def work_order_report_operation(*, work_order: WorkOrder, operation: WorkOrderOperation | int,
                                quantity_good: Decimal | int | str, operator_name: str,
                                quantity_scrap: Decimal | int | str = ZERO,
                                piece_count: Decimal | int | str | None = None,
                                minutes: Decimal | int | str = ZERO, work_date: date | None = None, note: str = "",
                                allow_over_production: bool = False, user=None) -> OperationReport:
    """An operator's output on one operation. Pay = good × the operation's piece rate; work center
    cost = minutes / 60 × its cost per hour. An operation's good output can never exceed the
    previous operation's good output; the first operation's cannot exceed the work order quantity
    unless allow_over_production. Scrap is recorded only (it never reaches stock)."""
    work_order = _lock(work_order)
    _require_status(work_order, WorkOrder.ACTIVE_STATUSES, _("report work"))
    operation_id = operation.pk if isinstance(operation, WorkOrderOperation) else operation
    operation = WorkOrderOperation.objects.select_for_update().filter(pk=operation_id, work_order=work_order).first()
    if operation is None:
        raise _error(_("Choose an operation of %(number)s.") % {"number": work_order.number}, Code.OPERATION_MISMATCH,
                     "operation")
    item = work_order.item
    good = _decimal(quantity_good, "quantity_good", _("Good quantity"))
    scrap = _decimal(quantity_scrap, "quantity_scrap", _("Scrap quantity"))
    minutes = _decimal(minutes, "minutes", _("Minutes"))
    for value, field, label in ((good, "quantity_good", _("Good quantity")),
                                (scrap, "quantity_scrap", _("Scrap quantity")), (minutes, "minutes", _("Minutes"))):
        if value < 0:
            raise _error(_("%(label)s cannot be negative.") % {"label": label}, Code.QUANTITY, field)
    _check_decimals(good, item, "quantity_good", _("Good quantity"))
    _check_decimals(scrap, item, "quantity_scrap", _("Scrap quantity"))
    if good == 0 and scrap == 0 and minutes == 0:
        raise _error(_("Report a good or scrap quantity, or the minutes worked."), Code.NOTHING_REPORTED,
                     "quantity_good")
    operator_name = " ".join((operator_name or "").split())
    if not operator_name:
        raise _error(_("Give the operator's name (the piece-rate pay goes to them)."), Code.OPERATOR_REQUIRED,
                     "operator_name")
    pieces = good + scrap if piece_count in (None, "") else _decimal(piece_count, "piece_count", _("Pieces"))
    if pieces < 0:
        raise _error(_("%(label)s cannot be negative.") % {"label": _("Pieces")}, Code.QUANTITY, "piece_count")
    previous = work_order.operations.filter(sequence__lt=operation.sequence).order_by("-sequence").first()
    this_op, total = f"{operation.sequence} {operation.name}", fmt_qty(operation.quantity_good + good)
    if previous is not None:
        if operation.quantity_good + good > previous.quantity_good:
            raise _error(_("Good quantity: %(op)s would have %(total)s good, but the previous operation %(prev)s has "
                           "only %(prev_good)s good so far.")
                         % {"op": this_op, "total": total, "prev": f"{previous.sequence} {previous.name}",
                            "prev_good": fmt_qty(previous.quantity_good)},
                         Code.EXCEEDS_PREVIOUS_OPERATION, "quantity_good")
    elif operation.quantity_good + good > work_order.quantity and not allow_over_production:
        raise _error(_("Good quantity: %(op)s would have %(total)s good, more than the %(qty)s ordered. Confirm the "
                       "over-production to go ahead.")
                     % {"op": this_op, "total": total, "qty": fmt_qty(work_order.quantity)}, Code.OVER_PRODUCTION,
                     "quantity_good")
    pay = (good * operation.piece_rate).quantize(MONEY_PLACES, ROUND_HALF_UP)
    cost = (minutes / SIXTY * operation.cost_per_hour).quantize(MONEY_PLACES, ROUND_HALF_UP)
    report = OperationReport(
        work_order=work_order, operation=operation, work_date=work_date or timezone.localdate(),
        operator_name=operator_name[:100], quantity_good=good, quantity_scrap=scrap, piece_count=pieces,
        minutes=minutes, piece_rate=operation.piece_rate, pay=pay, cost=cost, note=(note or "").strip()[:200],
        user=user if getattr(user, "is_authenticated", False) else None)
    report.full_clean()
    report.save()
    operation.quantity_good += good
    operation.quantity_scrap += scrap
    operation.minutes += minutes
    operation.pay += pay
    operation.cost += cost
    operation.save(update_fields=["quantity_good", "quantity_scrap", "minutes", "pay", "cost"])
    fields = _start(work_order)
    if fields:
        work_order.save(update_fields=fields)
    audit_record(obj=work_order, action="post", user=user, changes=_started(fields),
                 message=_("%(op)s: %(good)s good, %(scrap)s scrap, %(minutes)s min by %(operator)s (pay %(pay)s)")
                 % {"op": f"{operation.sequence} {operation.name}", "good": fmt_qty(good), "scrap": fmt_qty(scrap),
                    "minutes": fmt_qty(minutes), "operator": operator_name, "pay": fmt_qty(pay)})
    return report


@transaction.atomic
def work_order_report_reverse(*, report: OperationReport, user=None) -> None:
    """Take back a wrong report (before completion). Refused when the next operation already
    reported the good output this report gave it."""
    work_order = _lock(report.work_order)
    _require_status(work_order, WorkOrder.ACTIVE_STATUSES, _("change reports"))
    report = OperationReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    operation = WorkOrderOperation.objects.select_for_update().get(pk=report.operation_id)
    following = work_order.operations.filter(sequence__gt=operation.sequence).order_by("sequence").first()
    if following is not None and operation.quantity_good - report.quantity_good < following.quantity_good:
        raise _error(_("The next operation %(next)s already reported %(good)s good; reverse its reports first.")
                     % {"next": f"{following.sequence} {following.name}", "good": fmt_qty(following.quantity_good)},
                     Code.EXCEEDS_PREVIOUS_OPERATION)
    operation.quantity_good -= report.quantity_good
    operation.quantity_scrap -= report.quantity_scrap
    operation.minutes -= report.minutes
    operation.pay -= report.pay
    operation.cost -= report.cost
    operation.save(update_fields=["quantity_good", "quantity_scrap", "minutes", "pay", "cost"])
    audit_record(obj=work_order, action="delete", user=user,
                 message=_("Report reversed: %(op)s, %(good)s good, %(scrap)s scrap by %(operator)s on %(date)s")
                 % {"op": f"{operation.sequence} {operation.name}", "good": fmt_qty(report.quantity_good),
                    "scrap": fmt_qty(report.quantity_scrap), "operator": report.operator_name,
                    "date": report.work_date.isoformat()})
    report.delete()


# ---- complete ----------------------------------------------------------------------------------


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
    _check_decimals(produced, item, "quantity", _("Quantity"))
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


# ---- cancel ------------------------------------------------------------------------------------


@transaction.atomic
def work_order_cancel(*, work_order: WorkOrder, user=None, reason: str = "") -> WorkOrder:
    """Cancel an order from which nothing has been issued yet; its reservations are released."""
    work_order = _lock(work_order)
    _require_status(work_order, WorkOrder.OPEN_STATUSES, _("cancel it"))
    if work_order.components.filter(line_type=WorkOrderComponent.LineType.COMPONENT, quantity_issued__gt=0).exists():
        raise _error(_("%(number)s cannot be cancelled: components have already been issued to it.")
                     % {"number": work_order.number}, Code.ALREADY_ISSUED)
    released = reservations_release_for(reference_type=REFERENCE_TYPE, reference_id=work_order.pk)
    work_order.cancelled_at = timezone.now()
    reason = (reason or "").strip()
    _status_change(work_order, WorkOrder.Status.CANCELLED, user, fields=["cancelled_at"],
                   message=(_("%(n)d reservations released") % {"n": released}) + (f" · {reason}" if reason else ""))
    return work_order
