"""Reads of MRP: the engine's inputs (a handful of set-based queries straight into pandas), runs,
planned orders, the comparison of two runs, pegging trees and kit availability."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Bom, BomLine, Item, Routing, RoutingOperation, UnitOfMeasure
from erp_modules.inventory.models import Reservation, StockBalance
from erp_modules.mrp.engine import MrpInputs, kit_availability
from erp_modules.mrp.models import MasterScheduleEntry, MrpException, MrpItemPlan, MrpRun, PlannedOrder
from erp_modules.partners.models import Partner, PriceList, PriceListItem
from erp_modules.production.models import WorkOrder, WorkOrderComponent
from erp_modules.purchasing.models import PurchaseOrder, PurchaseOrderLine
from erp_modules.sales.models import SalesOrder, SalesOrderKitComponent, SalesOrderLine

# Purchase orders that count as supply: approved / partially received, and drafts (an order just
# converted from this workbench is a draft until a manager approves it; leaving it out would plan
# the same need again). Work orders: production's open statuses, which include drafts too.
PO_SUPPLY_STATUSES = (PurchaseOrder.Status.DRAFT, *PurchaseOrder.OPEN_STATUSES)


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _frame(sql: str, params: list, columns: list[str]) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pd.DataFrame.from_records(rows, columns=columns)


def mrp_inputs_read(*, today: date) -> MrpInputs:
    """Everything the engine needs, in seven queries (quantities as float8)."""
    # the routing's lead time of an item without its own: the first active routing's setup plus run time
    # for one minimum order (at least one unit), in working days of 8 hours, rounded up
    items = _frame(f"""
        SELECT i.id, i.code, i.item_type, i.lead_time_days, i.safety_stock::float8, i.min_order_qty::float8,
               i.order_multiple::float8, u.decimals, u.name, COALESCE(NULLIF(u.name_en, ''), u.name),
               COALESCE(rt.days, 0)
        FROM {_t(Item)} i JOIN {_t(UnitOfMeasure)} u ON u.id = i.uom_id
        LEFT JOIN LATERAL (
            SELECT CEIL((SUM(o.setup_minutes) + SUM(o.run_minutes_per_unit) * GREATEST(i.min_order_qty, 1))
                        / 480.0)::int AS days
            FROM {_t(RoutingOperation)} o
            WHERE o.routing_id = (SELECT r.id FROM {_t(Routing)} r WHERE r.item_id = i.id AND r.active
                                  ORDER BY r.id LIMIT 1)
        ) rt ON i.lead_time_days = 0""", [],
        ["item_id", "code", "item_type", "lead_time_days", "safety_stock", "min_order_qty", "order_multiple",
         "decimals", "uom_zh", "uom_en", "routing_lead_time"])
    # the default supplier of an item: the active supplier whose purchase price list (valid today)
    # has it — the cheapest base price when several do
    suppliers = _frame(f"""
        SELECT DISTINCT ON (pli.item_id) pli.item_id, pl.partner_id, pli.lead_time_days
        FROM {_t(PriceListItem)} pli
        JOIN {_t(PriceList)} pl ON pl.id = pli.price_list_id
        JOIN {_t(Partner)} p ON p.id = pl.partner_id
        WHERE pl.kind = 'purchase' AND pl.active AND p.active AND p.is_supplier
          AND (pl.valid_from IS NULL OR pl.valid_from <= %s) AND (pl.valid_to IS NULL OR pl.valid_to >= %s)
        ORDER BY pli.item_id, pli.min_quantity, pli.unit_price, p.code""", [today, today],
        ["item_id", "supplier_id", "supplier_lead_time"])
    items = items.merge(suppliers, on="item_id", how="left")
    # released BOM versions with their validity: from effective_from until the day before the
    # next version takes over (the highest version wins between two with the same date)
    bom_lines = _frame(f"""
        WITH v AS (
            SELECT DISTINCT ON (item_id, effective_from) id, item_id, quantity, effective_from
            FROM {_t(Bom)} WHERE status = 'released'
            ORDER BY item_id, effective_from, version DESC),
        w AS (
            SELECT id, item_id, quantity, effective_from AS valid_from,
                   LEAD(effective_from) OVER (PARTITION BY item_id ORDER BY effective_from) - 1 AS valid_to
            FROM v)
        SELECT w.id, w.item_id, l.component_id,
               (l.quantity / w.quantity * (1 + l.scrap_pct / 100))::float8, w.valid_from, w.valid_to
        FROM w JOIN {_t(BomLine)} l ON l.bom_id = w.id
        WHERE l.line_type = 'component'""", [],
        ["bom_id", "parent_id", "component_id", "qty_per", "valid_from", "valid_to"])
    so_statuses = [str(s) for s in SalesOrder.OPEN_STATUSES]
    wo_statuses = [str(s) for s in WorkOrder.OPEN_STATUSES]
    # A kit line confirmed with its components recorded (the BOM of that day) asks for those components,
    # in the open share of the line, as its reservations and deliveries do; others ask for the item.
    demand = _frame(f"""
        SELECT l.item_id, COALESCE(o.delivery_date, o.order_date), (l.quantity - l.delivered_qty)::float8,
               'so', o.number, l.sequence
        FROM {_t(SalesOrderLine)} l JOIN {_t(SalesOrder)} o ON o.id = l.order_id
        WHERE o.status = ANY(%s) AND l.quantity > l.delivered_qty
          AND NOT EXISTS (SELECT 1 FROM {_t(SalesOrderKitComponent)} k WHERE k.line_id = l.id)
        UNION ALL
        SELECT k.item_id, COALESCE(o.delivery_date, o.order_date),
               (k.quantity * (l.quantity - l.delivered_qty) / l.quantity)::float8, 'so', o.number, l.sequence
        FROM {_t(SalesOrderKitComponent)} k JOIN {_t(SalesOrderLine)} l ON l.id = k.line_id
        JOIN {_t(SalesOrder)} o ON o.id = l.order_id
        WHERE o.status = ANY(%s) AND l.quantity > l.delivered_qty
        UNION ALL
        SELECT c.item_id, COALESCE(w.planned_start, %s), (c.quantity_required - c.quantity_issued)::float8,
               'wo', w.number, c.sequence
        FROM {_t(WorkOrderComponent)} c JOIN {_t(WorkOrder)} w ON w.id = c.work_order_id
        WHERE w.status = ANY(%s) AND c.line_type = 'component' AND c.quantity_required > c.quantity_issued""",
        [so_statuses, so_statuses, today, wo_statuses], ["item_id", "date", "quantity", "kind", "ref", "line"])
    receipts = _frame(f"""
        SELECT l.item_id, COALESCE(l.expected_date, o.expected_date, o.order_date),
               (l.quantity - l.received_quantity)::float8, 'po', o.number, l.line_no
        FROM {_t(PurchaseOrderLine)} l JOIN {_t(PurchaseOrder)} o ON o.id = l.order_id
        WHERE o.status = ANY(%s) AND l.quantity > l.received_quantity
        UNION ALL
        SELECT w.item_id, COALESCE(w.planned_end, w.planned_start, %s), (w.quantity - w.quantity_produced)::float8,
               'wo', w.number, 0
        FROM {_t(WorkOrder)} w WHERE w.status = ANY(%s) AND w.quantity > w.quantity_produced""",
        [[str(s) for s in PO_SUPPLY_STATUSES], today, wo_statuses],
        ["item_id", "date", "quantity", "kind", "ref", "line"])
    on_hand = _frame(f"SELECT item_id, SUM(on_hand)::float8 FROM {_t(StockBalance)} GROUP BY item_id", [],
                     ["item_id", "quantity"])
    forecast = _frame(f"SELECT item_id, week_start, quantity::float8 FROM {_t(MasterScheduleEntry)}", [],
                      ["item_id", "week_start", "quantity"])
    return MrpInputs(items=items, bom_lines=bom_lines, demand=demand, receipts=receipts, on_hand=on_hand,
                     forecast=forecast)


# ---- runs ------------------------------------------------------------------------------------


def run_get(*, run_id: int) -> MrpRun | None:
    return MrpRun.objects.filter(pk=run_id).first()


def run_active() -> MrpRun | None:
    return MrpRun.objects.filter(status__in=MrpRun.ACTIVE_STATUSES).order_by("-id").first()


def run_latest_done() -> MrpRun | None:
    return MrpRun.objects.filter(status=MrpRun.Status.DONE).order_by("-id").first()


def run_latest_failed_after(*, run: MrpRun | None) -> MrpRun | None:
    """The most recent failed run, if it is newer than the run whose results are shown."""
    failed = MrpRun.objects.filter(status=MrpRun.Status.FAILED).order_by("-id").first()
    if failed is not None and (run is None or failed.pk > run.pk):
        return failed
    return None


def run_previous(*, run: MrpRun) -> MrpRun | None:
    return MrpRun.objects.filter(status=MrpRun.Status.DONE, pk__lt=run.pk).order_by("-id").first()


def run_list() -> QuerySet[MrpRun]:
    return MrpRun.objects.all().order_by("-id")


def planned_order_list(*, run: MrpRun) -> QuerySet[PlannedOrder]:
    return PlannedOrder.objects.filter(run=run).select_related("item", "item__uom", "supplier")


def planned_order_get(*, order_id: int) -> PlannedOrder | None:
    return (PlannedOrder.objects.select_related("run", "item", "item__uom", "supplier", "bom")
            .filter(pk=order_id).first())


def run_summary(*, run: MrpRun) -> dict:
    orders = PlannedOrder.objects.filter(run=run)
    return {
        "buy": orders.filter(order_type=PlannedOrder.Type.BUY).count(),
        "make": orders.filter(order_type=PlannedOrder.Type.MAKE).count(),
        "late": orders.filter(is_late=True).count(),
        "converted": orders.exclude(converted_ref="").count(),
        "exceptions": run.exceptions.count(),
    }


def exception_list(*, run: MrpRun) -> QuerySet[MrpException]:
    return MrpException.objects.filter(run=run).select_related("item")


def exception_counts(*, run: MrpRun) -> list[tuple[str, str, int]]:
    """(kind, label, count) of the run's exceptions, every kind (0 included), the kinds that need a planner
    first (late, BOM cycle, missing BOM), then the ones that are data to complete (missing lead time, excess)."""
    counts = dict(MrpException.objects.filter(run=run).order_by().values_list("kind").annotate(n=Count("id")))
    order = [MrpException.Kind.LATE, MrpException.Kind.CYCLE, MrpException.Kind.MISSING_BOM,
             MrpException.Kind.MISSING_LEAD_TIME, MrpException.Kind.EXCESS]
    return [(kind.value, kind.label, counts.get(kind.value, 0)) for kind in order]


def supplier_choices(*, run: MrpRun) -> list[tuple[int, str]]:
    ids = (PlannedOrder.objects.filter(run=run, supplier__isnull=False).order_by()
           .values_list("supplier_id", flat=True).distinct())
    return [(p.pk, str(p)) for p in Partner.objects.filter(pk__in=set(ids)).order_by("code")]


# ---- comparison with the previous run --------------------------------------------------------


def _orders_frame(run: MrpRun) -> pd.DataFrame:
    rows = PlannedOrder.objects.filter(run=run).values_list("item_id", "order_type", "quantity", "due_date")
    frame = pd.DataFrame.from_records(list(rows), columns=["item_id", "order_type", "quantity", "due_date"])
    # explicit types, so that an empty run merges with a full one
    return frame.astype({"item_id": "int64", "order_type": object, "quantity": object, "due_date": object})


def run_compare(*, run: MrpRun, previous: MrpRun | None) -> list[dict]:
    """What changed from `previous` to `run`, per item and order type:
    - same due date, another quantity → "quantity";
    - orders left over on both sides are paired in date order → "date" (quantity may change too);
    - the rest → "added" (only in `run`) or "removed" (only in `previous`)."""
    if previous is None:
        return []
    new, old = _orders_frame(run), _orders_frame(previous)
    keys = ["item_id", "order_type", "due_date"]
    for frame in (new, old):
        frame["n"] = frame.groupby(keys).cumcount()
    both = new.merge(old, on=keys + ["n"], how="outer", suffixes=("_new", "_old"), indicator=True)
    changes: list[dict] = []
    same_date = both[both["_merge"] == "both"]
    for row in same_date[same_date["quantity_new"] != same_date["quantity_old"]].itertuples():
        changes.append({"item_id": row.item_id, "order_type": row.order_type, "change": "quantity",
                        "old_quantity": row.quantity_old, "new_quantity": row.quantity_new,
                        "old_due": row.due_date, "new_due": row.due_date})
    only_new = both[both["_merge"] == "left_only"][["item_id", "order_type", "due_date", "quantity_new"]]
    only_old = both[both["_merge"] == "right_only"][["item_id", "order_type", "due_date", "quantity_old"]]
    only_new = only_new.sort_values(keys).assign(r=lambda f: f.groupby(["item_id", "order_type"]).cumcount())
    only_old = only_old.sort_values(keys).assign(r=lambda f: f.groupby(["item_id", "order_type"]).cumcount())
    paired = only_new.merge(only_old, on=["item_id", "order_type", "r"], how="outer", suffixes=("_new", "_old"))
    for row in paired.itertuples():
        moved = pd.notna(row.due_date_new) and pd.notna(row.due_date_old)
        changes.append({
            "item_id": row.item_id, "order_type": row.order_type,
            "change": "date" if moved else ("added" if pd.notna(row.due_date_new) else "removed"),
            "old_quantity": row.quantity_old if pd.notna(row.due_date_old) else None,
            "new_quantity": row.quantity_new if pd.notna(row.due_date_new) else None,
            "old_due": row.due_date_old if pd.notna(row.due_date_old) else None,
            "new_due": row.due_date_new if pd.notna(row.due_date_new) else None})
    items = {i.pk: i for i in Item.objects.filter(pk__in={c["item_id"] for c in changes}).select_related("uom")}
    for change in changes:
        change["item"] = items.get(change["item_id"])
        change["item_code"] = change["item"].code if change["item"] else ""
    order = {"added": 0, "removed": 1, "quantity": 2, "date": 3}
    changes.sort(key=lambda c: (c["item_code"], c["order_type"], order[c["change"]],
                                c["new_due"] or c["old_due"] or date.min))
    return changes


# ---- pegging ---------------------------------------------------------------------------------


@dataclass
class PegNode:
    """One requirement an order serves: a demand (leaf) or a parent planned order (with its own)."""

    kind: str  # so | wo | mps | ss | order
    label: str
    quantity: float
    date: str = ""
    order: PlannedOrder | None = None
    kit: str = ""
    children: list[PegNode] = field(default_factory=list)


def pegging_tree(*, order: PlannedOrder, max_nodes: int = 300) -> tuple[list[PegNode], list[dict]]:
    """The requirements an order serves, up through its parents to the top demands (one query per
    parent level), and the flat list of top demands with how many units of *this* order serve each.
    Quantities are in this order's unit: q units pegged to a parent order of quantity Q serve the
    parent's own requirements in proportion (q × p / Q for a parent peg of p); what a parent makes
    beyond its requirements (lot size) is not attributed to any demand."""
    budget = [max_nodes]
    cache: dict[int, PlannedOrder] = {}

    def fetch(keys: set[int]) -> None:
        missing = keys - set(cache)
        if missing:
            for parent in (PlannedOrder.objects.filter(run_id=order.run_id, key__in=missing)
                           .select_related("item", "item__uom")):
                cache[parent.key] = parent

    def nodes_of(current: PlannedOrder, factor: float, depth: int) -> list[PegNode]:
        pegs = current.pegging or []
        fetch({p["key"] for p in pegs if p.get("k") == "order"})
        result = []
        for peg in pegs:
            if budget[0] <= 0:
                break
            budget[0] -= 1
            qty = float(peg.get("qty", 0)) * factor
            kind = peg.get("k", "")
            if kind == "order" and peg.get("key") in cache and depth < 30:
                parent = cache[peg["key"]]
                node = PegNode(kind="order", label=f"{parent.item.code} {parent.item.name}", quantity=qty,
                               date=parent.release_date.isoformat(), order=parent, kit=peg.get("kit", ""))
                # `qty` units of this order serve the parent; they serve the parent's own requirements
                # in proportion: each parent peg of p (parent units) gets qty × p / parent quantity
                node.children = nodes_of(parent, qty / float(parent.quantity) if parent.quantity else 0.0,
                                         depth + 1)
            else:
                label = peg.get("ref", "")
                if kind == "so":
                    label = f"{peg.get('ref', '')} / {peg.get('line', '')}"
                node = PegNode(kind=kind, label=label, quantity=qty, date=peg.get("date", ""), kit=peg.get("kit", ""))
            result.append(node)
        return result

    tree = nodes_of(order, 1.0, 0)
    tops: dict[tuple[str, str], dict] = {}

    def collect(nodes: list[PegNode]) -> None:
        for node in nodes:
            if node.kind == "order":
                collect(node.children)
            else:
                entry = tops.setdefault((node.kind, node.label), {"kind": node.kind, "label": node.label,
                                                                  "quantity": 0.0, "date": node.date})
                entry["quantity"] += node.quantity

    collect(tree)
    return tree, sorted(tops.values(), key=lambda t: (t["date"] or "", t["label"]))


# ---- the time-phased picture of an item ------------------------------------------------------


def item_plan_get(*, run: MrpRun, item_id: int) -> MrpItemPlan | None:
    return MrpItemPlan.objects.filter(run=run, item_id=item_id).select_related("item", "item__uom").first()


def item_plan_chart(*, run: MrpRun, plan: MrpItemPlan) -> dict:
    """The data-chart spec of static/js/app.js: demand and supply as bars, projected on hand as a line."""
    series = plan.series or {}
    supply = [round(a + b, 4) for a, b in zip(series.get("receipts", []), series.get("planned", []))]
    labels = [d[5:] if i else _("now") for i, d in enumerate(run.bucket_starts[:len(supply)])]
    return {"type": "bar", "labels": labels, "series": [
        {"name": _("Demand"), "values": series.get("gross", []), "type": "bar"},
        {"name": _("Supply (receipts and planned)"), "values": supply, "type": "bar"},
        {"name": _("Projected on hand"), "values": series.get("projected", []), "type": "line"},
    ]}


# ---- kits ------------------------------------------------------------------------------------


def kit_availability_list(*, on: date | None = None) -> list[dict]:
    """Each kit with a BOM in force: how many can be put together from free stock (on hand minus
    active reservations), and the component that limits it."""
    on = on or timezone.localdate()
    lines = _frame(f"""
        SELECT b.item_id, l.component_id, (l.quantity / b.quantity * (1 + l.scrap_pct / 100))::float8
        FROM (SELECT DISTINCT ON (b.item_id) b.id, b.item_id, b.quantity
              FROM {_t(Bom)} b JOIN {_t(Item)} i ON i.id = b.item_id
              WHERE b.status = 'released' AND b.effective_from <= %s AND i.item_type = 'kit'
              ORDER BY b.item_id, b.effective_from DESC, b.version DESC) b
        JOIN {_t(BomLine)} l ON l.bom_id = b.id WHERE l.line_type = 'component'""", [on],
        ["kit_id", "component_id", "qty_per"])
    if lines.empty:
        return []
    free = _frame(f"""
        SELECT item_id, SUM(q)::float8 FROM (
            SELECT item_id, on_hand AS q FROM {_t(StockBalance)}
            UNION ALL
            SELECT item_id, -(quantity - consumed) FROM {_t(Reservation)} WHERE status = 'active') s
        GROUP BY item_id""", [], ["item_id", "quantity"])
    result = kit_availability(lines, free)
    items = Item.objects.in_bulk(set(result["kit_id"].tolist()) | set(result["limiting_component_id"].tolist()))
    free_of = dict(zip(free["item_id"].tolist(), free["quantity"].tolist()))
    return [{"kit": items[int(k)], "available": Decimal(str(a)).normalize(), "limiting": items[int(c)],
             "limiting_free": Decimal(str(round(max(free_of.get(int(c), 0.0), 0.0), 4))).normalize()}
            for k, a, c in zip(result["kit_id"], result["available"], result["limiting_component_id"])
            if int(k) in items and int(c) in items]


def master_schedule_list() -> QuerySet[MasterScheduleEntry]:
    return MasterScheduleEntry.objects.select_related("item", "item__uom").order_by("week_start", "item__code")

