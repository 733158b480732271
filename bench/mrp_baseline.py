"""The baseline of bench/mrp.py: MRP written the straightforward way, item by item with the ORM.

Low-level codes by recursion over where-used (one query per item), then, for each item in that
order, its demand, stock, receipts and supplier read with the ORM, gross-to-net bucket by bucket,
and every planned order exploded with `bom_effective` + its lines (two queries per order). Same
planning rules as erp_modules/mrp/engine/ (buckets, safety stock, lot sizing, lead times,
kits passed through, forecast consumed by orders, an order due on the first need it covers),
so both must give the same plan.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Q, Sum

from erp_modules.catalog.models import Bom, BomLine, Item
from erp_modules.catalog.selectors import bom_effective
from erp_modules.inventory.models import StockBalance
from erp_modules.mrp.models import MasterScheduleEntry
from erp_modules.partners.models import PriceListItem
from erp_modules.production.models import WorkOrder, WorkOrderComponent
from erp_modules.purchasing.models import PurchaseOrder, PurchaseOrderLine
from erp_modules.sales.models import SalesOrder, SalesOrderLine

EPS = 1e-9
TOL = 1e-6


def _ceil_step(quantity: float, decimals: int) -> float:
    scale = 10.0 ** min(decimals, 4)
    return math.ceil(quantity * scale - TOL) / scale


def baseline_plan(*, today: date, bucket: str = "week") -> list[tuple[int, date, float]]:
    """(item id, due date, quantity) of every planned order."""
    monday0 = today - timedelta(days=today.weekday())

    def bucket_of(day: date) -> int:
        if bucket == "week":
            return max(0, (day - monday0).days // 7)
        return max(0, (day - today).days)

    def start_of(k: int) -> date:
        if bucket == "week":
            return today if k == 0 else monday0 + timedelta(days=7 * k)
        return today + timedelta(days=k)

    def end_of(k: int) -> date:
        return start_of(k + 1) - timedelta(days=1)

    # -- low-level codes, recursively over where-used ------------------------------------------
    levels: dict[int, int] = {}

    def low_level_code(item_id: int, seen: tuple = ()) -> int:
        if item_id in levels:
            return levels[item_id]
        parents = set(BomLine.objects.filter(component_id=item_id, bom__status=Bom.Status.RELEASED,
                                             line_type=BomLine.LineType.COMPONENT)
                      .values_list("bom__item_id", flat=True))
        level = 0
        for parent in parents:
            if parent not in seen:
                level = max(level, low_level_code(parent, seen + (item_id,)) + 1)
        levels[item_id] = level
        return level

    items = list(Item.objects.select_related("uom").order_by("id"))
    for item in items:
        low_level_code(item.pk)
    items.sort(key=lambda i: (levels[i.pk], i.pk))

    dependent: dict[int, list[tuple[date, float]]] = defaultdict(list)
    plan: list[tuple[int, date, float]] = []
    so_open = [str(s) for s in SalesOrder.OPEN_STATUSES]
    wo_open = [str(s) for s in WorkOrder.OPEN_STATUSES]
    po_open = [str(s) for s in (PurchaseOrder.Status.DRAFT, *PurchaseOrder.OPEN_STATUSES)]

    def explode(item: Item, quantity: float, on: date, need: date) -> bool:
        bom = bom_effective(item=item, on=on)
        if bom is None:
            return False
        for line in bom.lines.filter(line_type=BomLine.LineType.COMPONENT).select_related("component",
                                                                                           "component__uom"):
            component = line.component
            if component.item_type == Item.Type.SERVICE:
                continue
            per = float(line.quantity) / float(bom.quantity) * (1 + float(line.scrap_pct) / 100)
            qty = quantity * per
            if component.item_type != Item.Type.KIT:
                qty = _ceil_step(qty, component.uom.decimals)
            dependent[component.pk].append((need, qty))
        return True

    for item in items:
        if item.item_type == Item.Type.SERVICE:
            continue
        needs: list[tuple[date, float]] = list(dependent.pop(item.pk, []))
        so_lines = SalesOrderLine.objects.filter(item=item, order__status__in=so_open).select_related("order")
        ordered_per_week: dict[date, float] = defaultdict(float)
        for line in so_lines:
            open_qty = float(line.quantity - line.delivered_qty)
            if open_qty > EPS:
                day = line.order.delivery_date or line.order.order_date
                needs.append((day, open_qty))
                ordered_per_week[day - timedelta(days=day.weekday())] += open_qty
        for comp in WorkOrderComponent.objects.filter(item=item, work_order__status__in=wo_open,
                                                      line_type="component").select_related("work_order"):
            remaining = float(comp.quantity_required - comp.quantity_issued)
            if remaining > EPS:
                needs.append((comp.work_order.planned_start or today, remaining))
        forecast: dict[date, float] = defaultdict(float)
        for entry in MasterScheduleEntry.objects.filter(item=item, week_start__gte=monday0):
            forecast[entry.week_start] += float(entry.quantity)
        for week, qty in forecast.items():
            rest = qty - ordered_per_week.get(week, 0.0)
            if rest > EPS:
                needs.append((max(week, today), rest))
        if item.item_type == Item.Type.KIT:  # a phantom: its demand goes straight to its components
            for day, qty in needs:
                explode(item, qty, max(day, today), day)
            continue
        receipts: list[tuple[date, float]] = []
        for line in PurchaseOrderLine.objects.filter(item=item, order__status__in=po_open).select_related("order"):
            open_qty = float(line.quantity - line.received_quantity)
            if open_qty > EPS:
                receipts.append((line.expected_date or line.order.expected_date or line.order.order_date, open_qty))
        for wo in WorkOrder.objects.filter(item=item, status__in=wo_open):
            remaining = float(wo.quantity - wo.quantity_produced)
            if remaining > EPS:
                receipts.append((wo.planned_end or wo.planned_start or today, remaining))
        on_hand = float(StockBalance.objects.filter(item=item).aggregate(s=Sum("on_hand"))["s"] or 0)
        has_bom = Bom.objects.filter(item=item, status=Bom.Status.RELEASED).exists()
        make = has_bom or item.item_type in (Item.Type.FINISHED, Item.Type.SUBASSEMBLY)
        lead = item.lead_time_days
        if not make:
            row = (PriceListItem.objects.filter(
                price_list__kind="purchase", price_list__active=True, price_list__partner__isnull=False,
                price_list__partner__active=True, price_list__partner__is_supplier=True)
                .filter(Q(price_list__valid_from__isnull=True) | Q(price_list__valid_from__lte=today))
                .filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=today))
                .filter(item=item).order_by("min_quantity", "unit_price", "price_list__partner__code").first())
            if row is not None and row.lead_time_days is not None:
                lead = row.lead_time_days
        gross: dict[int, float] = defaultdict(float)
        sched: dict[int, float] = defaultdict(float)
        needs_in: dict[int, list[tuple[date, float]]] = defaultdict(list)
        for day, qty in needs:
            gross[bucket_of(day)] += qty
            needs_in[bucket_of(day)].append((day, qty))
        for day, qty in receipts:
            sched[bucket_of(day)] += qty
        ss = float(item.safety_stock)
        moq, multiple = float(item.min_order_qty), float(item.order_multiple)
        decimals = item.uom.decimals
        pab = on_hand
        for k in sorted(set(gross) | set(sched) | {0}):
            available = pab + sched.get(k, 0.0) - gross.get(k, 0.0)
            short = ss - available
            if short > EPS:
                qty = max(_ceil_step(short, decimals), moq)
                if multiple > 0:
                    qty = math.ceil(qty / multiple - TOL) * multiple
                qty = _ceil_step(qty, decimals)
                available += qty
                # due on the first need of the bucket that what is there does not cover (the bucket
                # start when safety stock is short before any need), within the bucket
                due, left = start_of(k), pab + sched.get(k, 0.0) - ss
                if left > -TOL:
                    for day, need in sorted(needs_in[k]):
                        left -= need
                        if left < -TOL:
                            due = min(max(day, start_of(k)), end_of(k))
                            break
                release = due - timedelta(days=lead)
                plan.append((item.pk, due, qty))
                if make:
                    explode(item, qty, max(release, today), release)
            pab = available
    return plan
