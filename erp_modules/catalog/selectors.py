"""Reads of the catalog: item lists, the effective BOM of a date, multi-level explosion, where-used."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from erp_modules.catalog.models import Bom, BomLine, Item

HUNDRED = Decimal("100")


def item_list(*, search: str = "", item_type: str = "", category_id: int | None = None,
              active: bool | None = True) -> QuerySet[Item]:
    qs = Item.objects.select_related("uom", "category", "default_warehouse")
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search) | Q(name_en__icontains=search) |
                       Q(drawing_ref__icontains=search))
    if item_type:
        qs = qs.filter(item_type=item_type)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("code")


def item_get(*, item_id: int) -> Item | None:
    return Item.objects.select_related("uom", "category", "default_warehouse").filter(pk=item_id).first()


def bom_effective(*, item: Item, on: date | None = None) -> Bom | None:
    """The released version in force on a date: the latest effective_from on or before it."""
    on = on or timezone.localdate()
    return (Bom.objects.filter(item=item, status=Bom.Status.RELEASED, effective_from__lte=on)
            .order_by("-effective_from", "-version").first())


def bom_effective_map(*, item_ids, on: date | None = None) -> dict[int, Bom]:
    on = on or timezone.localdate()
    result: dict[int, Bom] = {}
    for bom in (Bom.objects.filter(item_id__in=item_ids, status=Bom.Status.RELEASED, effective_from__lte=on)
                .order_by("item_id", "-effective_from", "-version")):
        result.setdefault(bom.item_id, bom)
    return result


@dataclass
class ExplodedLine:
    level: int
    item: Item
    quantity: Decimal  # per the exploded quantity of the top item, scrap included
    parent: Item
    bom: Bom
    line: BomLine
    path: list[str] = field(default_factory=list)
    is_kit: bool = False
    has_bom: bool = False


def bom_explode(*, item: Item, quantity: Decimal = Decimal("1"), on: date | None = None,
                bom: Bom | None = None) -> list[ExplodedLine]:
    """All levels, quantities multiplied through (line qty / BOM qty × (1 + scrap %)). Each level
    is read with one query; by-products are listed but not exploded."""
    on = on or timezone.localdate()
    top = bom or bom_effective(item=item, on=on)
    if top is None:
        return []
    result: list[ExplodedLine] = []
    frontier = [(top, Decimal(quantity), [item.code], 1)]
    while frontier:
        lines = {b.pk: [] for b, *_ in frontier}
        for line in BomLine.objects.filter(bom_id__in=lines).select_related("component", "component__uom"):
            lines[line.bom_id].append(line)
        children_ids = {line.component_id for group in lines.values() for line in group}
        child_boms = bom_effective_map(item_ids=children_ids, on=on)
        next_frontier = []
        for parent_bom, parent_qty, path, level in frontier:
            for line in sorted(lines[parent_bom.pk], key=lambda x: (x.sequence, x.pk)):
                per_parent = line.quantity / parent_bom.quantity * (1 + line.scrap_pct / HUNDRED)
                qty = parent_qty * per_parent
                child_bom = child_boms.get(line.component_id)
                row = ExplodedLine(level=level, item=line.component, quantity=qty, parent=parent_bom.item,
                                   bom=parent_bom, line=line, path=path + [line.component.code],
                                   is_kit=line.component.item_type == Item.Type.KIT, has_bom=child_bom is not None)
                result.append(row)
                if child_bom is not None and line.line_type == BomLine.LineType.COMPONENT and level < 50:
                    next_frontier.append((child_bom, qty, row.path, level + 1))
        frontier = next_frontier
    order = {id(r): n for n, r in enumerate(result)}
    return sorted(result, key=lambda r: (r.path[:-1], order[id(r)]))


def bom_where_used(*, item: Item, on: date | None = None) -> list[dict]:
    """Every released, effective BOM that uses the item, directly or through sub-assemblies."""
    on = on or timezone.localdate()
    seen: set[int] = set()
    result = []
    frontier = [(item, 1, [item.code])]
    while frontier:
        next_frontier = []
        ids = [i.pk for i, *_ in frontier]
        lines = (BomLine.objects.filter(component_id__in=ids, bom__status=Bom.Status.RELEASED,
                                        bom__effective_from__lte=on)
                 .select_related("bom", "bom__item", "component"))
        by_component: dict[int, list[BomLine]] = {}
        for line in lines:
            by_component.setdefault(line.component_id, []).append(line)
        for component, level, path in frontier:
            for line in by_component.get(component.pk, []):
                parent = line.bom.item
                if bom_effective(item=parent, on=on) != line.bom:
                    continue  # an older version, no longer in force
                result.append({"level": level, "item": parent, "bom": line.bom, "quantity": line.quantity,
                               "path": [parent.code] + path})
                if parent.pk not in seen:
                    seen.add(parent.pk)
                    next_frontier.append((parent, level + 1, [parent.code] + path))
        frontier = next_frontier
    return result
