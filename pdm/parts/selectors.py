"""Reads of PDM parts: part lists, the multi-level BOM tree with rolled-up cost, where-used up to the
top-level products (with the open orders and stock they touch), and the multi-level BOM diff.

The tree and where-used are one recursive SQL query each (a constant number of queries whatever the
depth or size: tests assert the counts). Below the BOM asked for, each sub-assembly is exploded with
its BOM version in force on the date ``on`` (today by default), as the ERP does
(``catalog.selectors.bom_effective``: released, the latest ``effective_from`` on or before the date,
then the highest version).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Bom, Item, UnitOfMeasure
from erp_modules.common.history import object_history
from erp_modules.common.models import AuditEntry
from erp_modules.inventory.selectors import item_on_hand_expression
from erp_modules.partners.models import Partner
from erp_modules.production.models import WorkOrder
from erp_modules.production.selectors import work_order_component_demand, work_order_supply
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.purchasing.selectors import purchase_order_list
from erp_modules.sales.models import SalesOrder
from erp_modules.sales.selectors import sales_order_list
from pdm.parts.models import NumberingRule, Part, PartRevision

ZERO = Decimal("0")
MAX_DEPTH = 50

# The BOM version of an item in force on %(on)s (the same rule as catalog.selectors.bom_effective).
_EFFECTIVE = """
    SELECT eb.id, eb.quantity FROM catalog_bom eb
     WHERE eb.item_id = {item} AND eb.status = 'released' AND eb.effective_from <= %(on)s
     ORDER BY eb.effective_from DESC, eb.version DESC LIMIT 1
"""


# ---- lists --------------------------------------------------------------------------------------


def part_list(*, search: str = "") -> QuerySet[Part]:
    """Parts with their item, annotated with ``current_revision`` and ``current_state`` (the released
    revision in force today, else the newest one) and ``revision_count``."""
    today = timezone.localdate()
    in_force = (PartRevision.objects.filter(part=OuterRef("pk"), state=PartRevision.State.RELEASED,
                                            effective_from__lte=today).order_by("-effective_from", "-id"))
    newest = PartRevision.objects.filter(part=OuterRef("pk")).order_by("-id")
    count = (PartRevision.objects.filter(part=OuterRef("pk")).order_by().values("part")
             .annotate(n=Count("id")).values("n"))
    qs = (Part.objects.select_related("item", "item__uom", "rule")
          .annotate(current_revision=Coalesce(Subquery(in_force.values("revision")[:1]),
                                              Subquery(newest.values("revision")[:1])),
                    current_state=Coalesce(Subquery(in_force.values("state")[:1]), Subquery(newest.values("state")[:1])),
                    revision_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0))))
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(item__code__icontains=search) | Q(item__name__icontains=search))
    return qs.order_by("number")


def part_get(*, part_id: int) -> Part | None:
    """None whether the part is missing or belongs to another enterprise (another schema)."""
    return Part.objects.select_related("item", "item__uom", "rule").filter(pk=part_id).first()


def revision_get(*, revision_id: int) -> PartRevision | None:
    return (PartRevision.objects.select_related("part", "part__item", "part__item__uom", "bom", "based_on")
            .filter(pk=revision_id).first())


def part_revisions(*, part: Part) -> list[PartRevision]:
    revisions = list(PartRevision.objects.filter(part=part).select_related("bom", "based_on"))
    return sorted(revisions, key=lambda r: (len(r.revision), r.revision))


def part_current_revision(*, part: Part, revisions: list[PartRevision] | None = None) -> PartRevision | None:
    """The released revision in force today (latest effective date, then latest letter), else the
    newest revision of any state."""
    revisions = revisions if revisions is not None else part_revisions(part=part)
    today = timezone.localdate()
    released = [r for r in revisions if r.state == PartRevision.State.RELEASED and r.effective_from
                and r.effective_from <= today]
    if released:
        return max(released, key=lambda r: (r.effective_from, len(r.revision), r.revision))
    return max(revisions, key=lambda r: (len(r.revision), r.revision)) if revisions else None


def numbering_rule_list() -> QuerySet[NumberingRule]:
    return NumberingRule.objects.select_related("category").order_by("prefix", "category_code")


def numbering_rule_get(*, rule_id: int) -> NumberingRule | None:
    return NumberingRule.objects.filter(pk=rule_id).first()


# ---- the BOM tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeRow:
    """One line of a multi-level BOM, in depth-first order."""

    key: tuple[int, ...]  # the item ids from the top's first component down to this one (unique per path)
    level: int  # 1 = a line of the BOM itself
    line_id: int
    bom_id: int  # the BOM version the line belongs to
    item_id: int
    code: str
    name: str
    uom: str
    line_type: str
    quantity: Decimal  # per one unit of the parent (line quantity / the parent BOM's quantity, scrap included)
    line_quantity: Decimal  # as written on the line
    extended_quantity: Decimal  # per one unit of the top item, every level multiplied through
    unit_cost: Decimal  # the item's standard cost (leaves) or the rolled-up cost of one unit (assemblies)
    extended_cost: Decimal  # unit cost × extended quantity (by-products: 0)
    has_children: bool


@dataclass
class BomTree:
    bom_id: int
    on: date
    rows: list[TreeRow]
    total_cost: Decimal  # rolled-up cost of one unit of the top item
    truncated: bool = False  # more than MAX_TREE_ROWS rows: the deepest were left out (cost incomplete)


_TREE_SQL = """
WITH RECURSIVE tree AS (
    SELECT l.id AS line_id, 1 AS level, l.bom_id, l.component_id, l.line_type, l.quantity AS line_quantity,
           (l.quantity / b.quantity * (1 + l.scrap_pct / 100))::numeric AS per_parent,
           (l.quantity / b.quantity * (1 + l.scrap_pct / 100))::numeric AS extended,
           ARRAY[l.sequence, l.id] AS sort_path, ARRAY[b.item_id, l.component_id] AS items
      FROM catalog_bomline l JOIN catalog_bom b ON b.id = l.bom_id
     WHERE l.bom_id = %(bom)s
    UNION ALL
    SELECT l.id, t.level + 1, l.bom_id, l.component_id, l.line_type, l.quantity,
           (l.quantity / e.quantity * (1 + l.scrap_pct / 100))::numeric,
           (t.extended * l.quantity / e.quantity * (1 + l.scrap_pct / 100))::numeric,
           t.sort_path || ARRAY[l.sequence, l.id], t.items || l.component_id
      FROM tree t
      CROSS JOIN LATERAL (""" + _EFFECTIVE.format(item="t.component_id") + """) e
      JOIN catalog_bomline l ON l.bom_id = e.id
     WHERE t.line_type = 'component' AND t.level < %(depth)s AND NOT l.component_id = ANY(t.items)
)
SELECT t.line_id, t.level, t.bom_id, t.component_id, i.code, i.name, u.code, t.line_type, t.per_parent,
       t.line_quantity, t.extended, i.standard_cost, t.items
  FROM (SELECT * FROM tree LIMIT %(limit)s) t
  JOIN catalog_item i ON i.id = t.component_id JOIN catalog_unitofmeasure u ON u.id = i.uom_id
 ORDER BY t.sort_path
"""
MAX_TREE_ROWS = 20_000  # a guard: the recursion stops pulling rows past it (the tree is then marked truncated)


def bom_tree(*, bom: Bom, on: date | None = None) -> BomTree:
    """Every level of ``bom`` (one query): quantity per parent, extended quantity per unit of the top
    item, and cost rolled up from the leaves' standard cost (a sub-assembly's cost is that of its
    components; by-products are listed and cost nothing)."""
    on = on or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_TREE_SQL, {"bom": bom.pk, "on": on, "depth": MAX_DEPTH, "limit": MAX_TREE_ROWS + 1})
        raw = cursor.fetchall()
    truncated = len(raw) > MAX_TREE_ROWS
    if truncated:  # rows come level by level: the deepest level read is incomplete, leave it out
        deepest = max(r[1] for r in raw)
        raw = [r for r in raw if r[1] < deepest] if deepest > 1 else raw[:MAX_TREE_ROWS]
    keys = [tuple(r[12][1:]) for r in raw]
    parents = {k[:-1] for k in keys}
    # roll costs up: children come after their parent in depth-first order, so walk backwards
    rolled: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    costs: list[tuple[Decimal, Decimal]] = [(ZERO, ZERO)] * len(raw)
    for n in range(len(raw) - 1, -1, -1):
        r, key = raw[n], keys[n]
        extended = r[10]
        if r[7] != "component":
            unit, total = r[11], ZERO
        elif key in parents:
            # pop: the same sub-assembly on two lines of one parent has the same item path; each line
            # takes only the children walked since (its own), not those of the later line as well
            total = rolled.pop(key, ZERO)
            unit = total / extended if extended else ZERO
        else:
            unit, total = r[11], r[11] * extended
        costs[n] = (unit, total)
        rolled[key[:-1]] += total
    rows = [TreeRow(key=keys[n], level=r[1], line_id=r[0], bom_id=r[2], item_id=r[3], code=r[4], name=r[5], uom=r[6],
                    line_type=r[7], quantity=r[8], line_quantity=r[9], extended_quantity=r[10],
                    unit_cost=costs[n][0], extended_cost=costs[n][1], has_children=keys[n] in parents)
            for n, r in enumerate(raw)]
    return BomTree(bom_id=bom.pk, on=on, rows=rows, total_cost=rolled[()], truncated=truncated)


# ---- where-used ---------------------------------------------------------------------------------


@dataclass(slots=True)
class UsedIn:
    """One BOM line in force that uses ``child`` in ``parent``."""

    level: int  # 1: the parent uses the item itself; 2: uses a parent of level 1 …
    parent_id: int
    parent_code: str
    parent_name: str
    parent_uom: str
    child_id: int
    child_code: str
    quantity: Decimal  # of the child per one unit of the parent
    is_top: bool  # the parent is used in nothing (a top-level product)


@dataclass(slots=True)
class TopProduct:
    item_id: int
    code: str
    name: str
    uom: str
    quantity: Decimal  # of the item in one unit of this product, over every path


@dataclass
class WhereUsed:
    item: Item
    on: date
    lines: list[UsedIn]  # by level, then parent code, then child code
    tops: list[TopProduct]
    sales_orders: list = field(default_factory=list)  # open orders with a line of the item or of a parent
    work_orders: list = field(default_factory=list)  # open orders making a parent, or consuming the item/a parent
    purchase_orders: list = field(default_factory=list)  # open orders buying the item or a parent
    stock: list = field(default_factory=list)  # the item and its parents with their on-hand (non-zero)


# One statement. ``walk`` goes up from the item breadth first with one row per level, not one per
# ancestor: a level's lines are those that use an item of the level below (one probe of the component
# index for the whole array), kept when their BOM version is its item's version in force, each version
# checked once however many of its lines were found (one index-only probe of bom_released_in_force_idx
# on (effective_from, version), which identify a version of an item). Those lines are the level's
# edges: (line, parent, child, quantity of the child per unit of the parent, without the trailing
# zeros of the division), in line order; the items of their versions not ``seen`` before (a hashed
# NOT IN) are the level's new ancestors, with their code, name and unit. So every ancestor is walked
# once, at its level (its shortest distance from the item), and every line in force above the item is
# found once, when its child is walked. The rows are the levels (a handful whatever the size): each
# holds its edges and items as parallel arrays, read by the driver's C array loader, and nothing has to
# be joined or looked up again after the walk. When documents are asked for, the row of level 0 also
# carries the open orders and the stock of the item and its ancestors (the querysets of the ERP's
# selectors, compiled into it, filtered by the ids of ``walk``): one round trip in all.
_WHERE_USED_SQL = """
WITH RECURSIVE walk(level, ids, seen, line_ids, parents, children, quantities, codes, names, uoms) AS (
    SELECT 0, ARRAY[i.id], ARRAY[i.id], NULL::bigint[], NULL::bigint[], NULL::bigint[], NULL::text[],
           ARRAY[i.code::text], ARRAY[i.name::text], ARRAY[u.code::text]
      FROM catalog_item i JOIN catalog_unitofmeasure u ON u.id = i.uom_id
     WHERE i.id = %s
    UNION ALL
    SELECT w.level + 1, x.ids, w.seen || x.ids, x.line_ids, x.parents, x.children, x.quantities,
           x.codes, x.names, x.uoms
      FROM walk w CROSS JOIN LATERAL (
           WITH l AS MATERIALIZED (
                SELECT l.id, l.bom_id, l.component_id, l.quantity, l.scrap_pct FROM catalog_bomline l
                 WHERE l.component_id = ANY(w.ids) AND l.line_type = 'component'),
           b AS MATERIALIZED (
                SELECT b.id, b.item_id, b.quantity FROM catalog_bom b
                 WHERE b.id IN (SELECT bom_id FROM l) AND b.status = 'released' AND b.effective_from <= %s
                   AND (b.effective_from, b.version) = (
                       SELECT eb.effective_from, eb.version FROM catalog_bom eb
                        WHERE eb.item_id = b.item_id AND eb.status = 'released' AND eb.effective_from <= %s
                        ORDER BY eb.effective_from DESC, eb.version DESC LIMIT 1))
           SELECT * FROM (
                SELECT array_agg(l.id ORDER BY l.id) AS line_ids, array_agg(b.item_id ORDER BY l.id) AS parents,
                       array_agg(l.component_id ORDER BY l.id) AS children,
                       array_agg(trim_scale(l.quantity / b.quantity * (1 + l.scrap_pct / 100))::text ORDER BY l.id)
                       AS quantities
                  FROM l JOIN b ON b.id = l.bom_id) e,
                (SELECT array_agg(i.id) AS ids, array_agg(i.code::text) AS codes, array_agg(i.name::text) AS names,
                        array_agg(u.code::text) AS uoms
                  FROM b JOIN catalog_item i ON i.id = b.item_id JOIN catalog_unitofmeasure u ON u.id = i.uom_id
                 WHERE b.item_id NOT IN (SELECT unnest(w.seen))) n) x
     WHERE x.line_ids IS NOT NULL
)
SELECT w.level, w.line_ids, w.parents, w.children, w.quantities, w.ids, w.codes, w.names, w.uoms{documents}
  FROM walk w"""
_UP_IDS = "SELECT unnest(ids) FROM walk"


def _documents_sql() -> tuple[list[str], list]:
    """The open orders and the stock of the items of ``walk`` (the ERP's own selectors, so "open" and
    "still to make / to issue" mean what they mean there), each as a JSON array compiled into the
    where-used statement: (select expressions, their parameters)."""
    up = RawSQL(_UP_IDS, ())
    sales = (sales_order_list().filter(status__in=SalesOrder.OPEN_STATUSES, lines__item_id__in=up).order_by()
             .values("id", "number", "order_date", "customer_id", customer_name=F("customer__name")).distinct())
    producing = work_order_supply(item_ids=up).order_by().values(wo_id=F("id"), wo_number=F("number"))
    consuming = (work_order_component_demand(item_ids=up).order_by()
                 .values(wo_id=F("work_order_id"), wo_number=F("work_order__number")))
    purchases = (purchase_order_list().filter(status__in=PurchaseOrder.OPEN_STATUSES, lines__item_id__in=up)
                 .order_by().values("id", "number", "order_date", "supplier_id", supplier_name=F("supplier__name"))
                 .distinct())
    stock = (Item.objects.filter(pk__in=up).annotate(on_hand=item_on_hand_expression()).exclude(on_hand=0)
             .order_by().values("id", "code", "name", "uom_id", "on_hand", uom_code=F("uom__code"),
                                uom_name=F("uom__name"), uom_name_en=F("uom__name_en"), uom_kind=F("uom__kind"),
                                uom_decimals=F("uom__decimals")))
    selects, params = [], []
    for qs in (sales, producing, consuming, purchases, stock):
        sql, qs_params = qs.query.sql_with_params()
        selects.append(f"(SELECT json_agg(d) FROM ({sql}) d)::text")
        params.extend(qs_params)
    return selects, params


def _instance(model, data: dict, **related):
    """An instance of ``model`` as loaded from the database with the fields in ``data`` (the others are
    deferred: read on access), with ``related`` objects set on their foreign keys."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in data]
    obj = model.from_db(DEFAULT_DB_ALIAS, names, [data[name] for name in names])
    for name, value in related.items():
        setattr(obj, name, value)
    return obj


@dataclass(slots=True)
class _Walk:
    """What the where-used statement returns, as parallel lists: the edges (every BOM line in force above
    the item: line id, parent id, child id, quantity of the child per unit of the parent) and the items
    (the item and its ancestors: id, level, code, name, unit code)."""

    line_ids: list[int] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    quantities: list[Decimal] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    uoms: list[str] = field(default_factory=list)


def _where_used_fetch(*, item_id: int, on: date, documents: bool = False) -> tuple[_Walk, list | None]:
    """(walk, documents): the edges and items of the where-used of the item on ``on`` (the levels' arrays
    put end to end, quantities as Decimal), and the JSON texts of the documents (or None)."""
    params, selects, texts = [item_id, on, on], "", None
    if documents:  # only on the row of level 0: each document once
        more_selects, more = _documents_sql()
        selects = "".join(f",\n       CASE WHEN w.level = 0 THEN {select} END" for select in more_selects)
        params, texts = params + more, [None] * len(more_selects)
    with connection.cursor() as cursor:
        cursor.execute(_WHERE_USED_SQL.replace("{documents}", selects), params)
        rows = cursor.fetchall()  # none if the item is not in this schema
    walk = _Walk()
    for level, line_ids, parents, children, quantities, ids, codes, names, uoms, *docs in rows:
        if line_ids:
            walk.line_ids += line_ids
            walk.parents += parents
            walk.children += children
            walk.quantities += quantities
        if ids:  # None when every parent of the level had been seen before
            walk.ids += ids
            walk.levels += [level] * len(ids)
            walk.codes += codes
            walk.names += names
            walk.uoms += uoms
        if level == 0 and documents:
            texts = docs
    # most lines share a handful of quantities: each text is read once
    decimals = {text: Decimal(text) for text in set(walk.quantities)}
    walk.quantities = list(map(decimals.__getitem__, walk.quantities))
    return walk, texts


def where_used_edges(*, item_id: int, on: date) -> list[tuple]:
    """The raw edges (line id, parent id, parent code, name, unit, child id, child code, quantity per parent)
    of every BOM line in force on ``on`` above the item: one query (the benchmark times it)."""
    walk, _docs = _where_used_fetch(item_id=item_id, on=on)
    items = dict(zip(walk.ids, zip(walk.codes, walk.names, walk.uoms)))
    return [(line, parent, *items[parent], child, items[child][0], quantity)
            for line, parent, child, quantity in zip(walk.line_ids, walk.parents, walk.children, walk.quantities)]


def _documents_load(texts: list) -> dict:
    sales, producing, consuming, purchases, stock = (json.loads(t, parse_float=Decimal) if t else [] for t in texts)
    for rows in (sales, purchases):
        for row in rows:
            row["order_date"] = date.fromisoformat(row["order_date"])
    sales_orders = [_instance(SalesOrder, row, customer=_instance(Partner, {"id": row["customer_id"],
                                                                             "name": row["customer_name"]}))
                    for row in sorted(sales, key=lambda r: (r["order_date"], r["id"]), reverse=True)]
    orders = {row["wo_id"]: row["wo_number"] for row in producing + consuming}
    work_orders = [_instance(WorkOrder, {"id": pk, "number": number})
                   for pk, number in sorted(orders.items(), key=lambda o: o[1])]
    purchase_orders = [_instance(PurchaseOrder, row, supplier=_instance(Partner, {"id": row["supplier_id"],
                                                                                  "name": row["supplier_name"]}))
                       for row in sorted(purchases, key=lambda r: (r["order_date"], r["id"]), reverse=True)]
    items = []
    for row in sorted(stock, key=lambda r: r["code"]):
        uom = _instance(UnitOfMeasure, {"id": row["uom_id"], "code": row["uom_code"], "name": row["uom_name"],
                                        "name_en": row["uom_name_en"], "kind": row["uom_kind"],
                                        "decimals": row["uom_decimals"]})
        obj = _instance(Item, row, uom=uom)
        obj.on_hand = row["on_hand"]
        items.append(obj)
    return {"sales_orders": sales_orders, "work_orders": work_orders, "purchase_orders": purchase_orders,
            "stock": items}


def where_used(*, item: Item, on: date | None = None, documents: bool = True) -> WhereUsed:
    """Every parent of the item up to the top-level products, through the BOM versions in force on
    ``on``, with the quantity of the item in one unit of each top product; and, when ``documents``, the
    open sales, work and purchase orders and the stock of the item and its parents. One query either way.

    The orders and items of the documents are instances with the fields the pages show loaded (number,
    order date, the customer's or supplier's name; code, name, unit and ``on_hand``); any other field is
    read from the database on access.

    The statement gives the lines and the items with their levels (see _WHERE_USED_SQL); what is left to
    Python is linear in the lines (but the sort): the contained quantities (Decimal, exact), the order
    (one int key per line) and the result's objects, each built once."""
    on = on or timezone.localdate()
    walk, texts = _where_used_fetch(item_id=item.pk, on=on, documents=documents)
    parents, children, quantities = walk.parents, walk.children, walk.quantities
    # the item's quantity in one unit of each ancestor: pushed up from the item, a parent once all of
    # its lines have been counted (released BOMs have no cycles: catalog refuses them)
    lines_using: dict[int, list[int]] = defaultdict(list)  # item id: the positions of the lines that use it
    for n, child in enumerate(children):
        lines_using[child].append(n)
    contained: dict[int, Decimal] = {item.pk: Decimal("1")}
    waiting = Counter(parents)
    ready = [item.pk]
    while ready:
        child = ready.pop()
        amount = contained[child]
        for n in lines_using.get(child, ()):
            parent = parents[n]
            contained[parent] = contained.get(parent, ZERO) + quantities[n] * amount
            waiting[parent] -= 1
            if not waiting[parent]:
                ready.append(parent)
    # lines by level, parent code, child code: one int per line from the items' ranks by code (ints
    # compare far faster than tuples of strings); equal keys (lines of one child in one version) keep
    # the statement's line order
    size = len(walk.ids)
    by_code = sorted(range(size), key=walk.codes.__getitem__)
    rank = {walk.ids[n]: r for r, n in enumerate(by_code)}
    row_key = {pk: (level * size + rank[pk]) * size for pk, level in zip(walk.ids, walk.levels)}
    keys = [row_key[parent] + rank[child] for parent, child in zip(parents, children)]
    items = {pk: (level, code, name, uom, pk not in lines_using)
             for pk, level, code, name, uom in zip(walk.ids, walk.levels, walk.codes, walk.names, walk.uoms)}
    lines = []
    for n in sorted(range(len(keys)), key=keys.__getitem__):
        parent, child = parents[n], children[n]
        level, code, name, uom, is_top = items[parent]
        lines.append(UsedIn(level, parent, code, name, uom, child, items[child][1], quantities[n], is_top))
    tops = [TopProduct(walk.ids[n], walk.codes[n], walk.names[n], walk.uoms[n], contained[walk.ids[n]])
            for n in by_code if walk.ids[n] not in lines_using and walk.ids[n] != item.pk]
    result = WhereUsed(item=item, on=on, lines=lines, tops=tops)
    if documents:
        for name, value in _documents_load(texts).items():
            setattr(result, name, value)
    return result


# ---- the BOM diff -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    """One difference between two BOM versions at one place of the tree (``key``: the item ids from
    the top's component down; lines of one item under one parent are added together)."""

    kind: str  # "added" | "removed" | "changed"
    key: tuple[int, ...]
    level: int
    item_id: int
    code: str
    name: str
    old: TreeRow | None  # None when added
    new: TreeRow | None  # None when removed
    changes: tuple[str, ...]  # of "quantity", "uom", "line_type" (changed rows only)


@dataclass
class BomDiff:
    old_bom_id: int
    new_bom_id: int
    on: date
    rows: list[DiffRow]  # in the new tree's order, removed rows after their old neighbours
    unchanged: int  # places of the tree equal in both

    @property
    def added(self) -> list[DiffRow]:
        return [r for r in self.rows if r.kind == "added"]

    @property
    def removed(self) -> list[DiffRow]:
        return [r for r in self.rows if r.kind == "removed"]

    @property
    def changed(self) -> list[DiffRow]:
        return [r for r in self.rows if r.kind == "changed"]


def _by_key(tree: BomTree) -> dict[tuple, TreeRow]:
    out: dict[tuple, TreeRow] = {}
    for row in tree.rows:
        if row.key in out:  # two lines of one item under one parent: one place, quantities added
            first = out[row.key]
            out[row.key] = replace(first, quantity=first.quantity + row.quantity,
                                   line_quantity=first.line_quantity + row.line_quantity,
                                   extended_quantity=first.extended_quantity + row.extended_quantity,
                                   extended_cost=first.extended_cost + row.extended_cost)
        else:
            out[row.key] = row
    return out


def bom_diff(*, old_bom: Bom, new_bom: Bom, on: date | None = None) -> BomDiff:
    """Multi-level differences between two BOM versions (usually of one item), two queries: lines
    added, removed, and changed in quantity per parent, unit or line type, old and new side by side.
    Sub-assemblies below either version are exploded with their BOM version in force on ``on``."""
    on = on or timezone.localdate()
    old, new = _by_key(bom_tree(bom=old_bom, on=on)), _by_key(bom_tree(bom=new_bom, on=on))
    rows: list[DiffRow] = []
    unchanged = 0
    for key, n in new.items():
        o = old.get(key)
        if o is None:
            rows.append(DiffRow("added", key, n.level, n.item_id, n.code, n.name, None, n, ()))
            continue
        changes = tuple(name for name, a, b in (("quantity", o.quantity, n.quantity), ("uom", o.uom, n.uom),
                                                ("line_type", o.line_type, n.line_type)) if a != b)
        if changes:
            rows.append(DiffRow("changed", key, n.level, n.item_id, n.code, n.name, o, n, changes))
        else:
            unchanged += 1
    order = {key: n for n, key in enumerate(new)}
    sort_keys = {key: (order[key], 0, 0) for key in new}
    for n, (key, o) in enumerate(old.items()):
        if key not in new:  # right after the new tree's row of its nearest kept ancestor (or at the top)
            anchor = next((order[key[:i]] for i in range(len(key) - 1, 0, -1) if key[:i] in order), -1)
            rows.append(DiffRow("removed", key, o.level, o.item_id, o.code, o.name, o, None, ()))
            sort_keys[key] = (anchor, 1, n)
    rows.sort(key=lambda r: sort_keys[r.key])
    return BomDiff(old_bom_id=old_bom.pk, new_bom_id=new_bom.pk, on=on, rows=rows, unchanged=unchanged)


# ---- history -------------------------------------------------------------------------------------------


def history_entries(*, obj: Part | PartRevision, limit: int = 30) -> list[AuditEntry]:
    """The newest ``limit`` audit entries of a part or revision for the shared history (templates/_history.html),
    read by the one renderer of histories (erp_modules.common.history): unsaved copies whose ``changes`` are
    keyed by the field's label, states by their label, in the active language. The stored entries keep the
    raw names and values (what services and tests write and read)."""
    return object_history(obj, limit=limit, labels={"bom_line": _("BOM line"), "superseded_by": _("superseded by")})
