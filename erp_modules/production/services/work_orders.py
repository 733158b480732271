"""A work order's life outside the shop floor: created as a draft (one BOM level, kits exploded, the routing's
operations copied), released (its components reserved, all or nothing) and cancelled (nothing issued yet)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Bom, BomLine, Item, Routing
from erp_modules.catalog.revision_source import RevisionError, revision_resolve
from erp_modules.catalog.selectors import bom_effective
from erp_modules.common.services import audit_record, document_number_next
from erp_modules.inventory.models import Location
from erp_modules.inventory.selectors import location_for_item, stock_available
from erp_modules.inventory.services import items_lock, reservation_create, reservations_release_for
from erp_modules.production.error_codes import ProductionErrorCode as Code
from erp_modules.production.models import REFERENCE_TYPE, WorkOrder, WorkOrderComponent, WorkOrderOperation
from erp_modules.production.services._common import (MINUTE_PLACES, ZERO, _check_decimals, _decimal, _error, _lock,
                                                     _require_status, _status_change, _step, fmt_qty)

MAX_KIT_DEPTH = 10


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


def _revision_bom(item: Item, code: str) -> Bom:
    try:
        found = revision_resolve(item=item, code=code)
    except RevisionError as exc:
        raise _error(_("Revision “%(code)s” of %(item)s: %(reason)s.")
                     % {"code": code.strip()[:8], "item": item.code, "reason": exc.messages[0]}, exc.code,
                     "revision") from None
    bom = Bom.objects.filter(pk=found.bom_id, item=item).first() if found.bom_id else None
    if bom is None:
        raise _error(_("Revision %(code)s of %(item)s has no bill of materials.") % {"code": found.code,
                                                                                       "item": item.code},
                     Code.NO_BOM, "revision")
    return bom


@transaction.atomic
def work_order_create(*, item: Item, quantity: Decimal | int | str, bom: Bom | None = None,
                      routing: Routing | None = None, planned_start: date | None = None,
                      planned_end: date | None = None, component_location: Location | None = None,
                      output_location: Location | None = None, note: str = "", revision: str = "",
                      user=None) -> WorkOrder:
    """A draft work order with its component rows (one BOM level, kits exploded, by-products as
    outputs) and its operations copied from the routing. `bom` defaults to the version in force on
    planned_start (else today); both locations default to the item's default location.

    `revision` (a part's revision code, e.g. "B", as a sales order line names it) takes that revision's BOM
    version instead of the one in force, through erp_modules/catalog/revision_source.py (a customer's variant
    stays on B while C is released); an obsolete, unreleased or unknown revision is refused. Not with `bom`."""
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
    if revision and bom is None:
        bom = _revision_bom(item, revision)
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
