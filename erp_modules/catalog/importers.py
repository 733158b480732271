"""Excel imports of items and BOM lines (see core.imports)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import (ImportColumn, ImportError_, Importer, RowError, parse_choice, parse_decimal, parse_int)
from erp_modules.catalog.models import Bom, BomLine, Item, ItemCategory, UnitOfMeasure
from erp_modules.inventory.models import Warehouse

BATCH = 2000


class ItemImporter(Importer):
    kind = "items"
    title = gettext_lazy("Items")
    columns = [
        ImportColumn("code", gettext_lazy("Item code"), required=True, example="HOOD-CXW-200",
                     help=gettext_lazy("Unique; letters, digits, - and _.")),
        ImportColumn("name", gettext_lazy("Name"), required=True, example="侧吸式油烟机 CXW-200"),
        ImportColumn("name_en", gettext_lazy("English name"), example="Side-draft range hood"),
        ImportColumn("item_type", gettext_lazy("Type"), required=True, example="finished",
                     help=gettext_lazy("raw, component, subassembly, finished, kit or service (or the Chinese name)")),
        ImportColumn("uom", gettext_lazy("Unit"), required=True, example="台",
                     help=gettext_lazy("A unit code or name: 个 pcs, 件, 套, 台, kg, m, 卷 …")),
        ImportColumn("category", gettext_lazy("Category"), example="吸油烟机",
                     help=gettext_lazy("Created when it does not exist.")),
        ImportColumn("warehouse", gettext_lazy("Default warehouse"), example="WH"),
        ImportColumn("tracking", gettext_lazy("Tracking"), example="none", help=gettext_lazy("none, lot or serial")),
        ImportColumn("lead_time_days", gettext_lazy("Lead time (days)"), example="7"),
        ImportColumn("safety_stock", gettext_lazy("Safety stock"), example="20"),
        ImportColumn("min_order_qty", gettext_lazy("Minimum order quantity"), example="10"),
        ImportColumn("order_multiple", gettext_lazy("Order multiple"), example="10"),
        ImportColumn("standard_cost", gettext_lazy("Standard cost"), example="650.00"),
        ImportColumn("drawing_ref", gettext_lazy("Drawing / part reference"), example="DWG-CXW200-00"),
    ]

    def prepare(self) -> dict:
        units = {}
        for unit in UnitOfMeasure.objects.all():
            for key in (unit.code, unit.name, unit.name_en):
                if key:
                    units[key.lower()] = unit
        return {
            "existing": {c.lower() for c in Item.objects.values_list("code", flat=True)},
            "units": units,
            "warehouses": {w.code.lower(): w for w in Warehouse.objects.all()},
        }

    def validate_row(self, row: dict, context: dict) -> dict:
        code = row["code"]
        if len(code) > 40:
            raise RowError("code", _("At most 40 characters."))
        if code.lower() in context["existing"]:
            raise RowError("code", _("Item code %(code)s already exists.") % {"code": code})
        unit = context["units"].get(row["uom"].lower())
        if unit is None:
            raise RowError("uom", _("Unknown unit “%(value)s”.") % {"value": row["uom"]})
        warehouse = None
        if row.get("warehouse"):
            warehouse = context["warehouses"].get(row["warehouse"].lower())
            if warehouse is None:
                raise RowError("warehouse", _("Unknown warehouse “%(value)s”.") % {"value": row["warehouse"]})
        if len(row["name"]) > 200:
            raise RowError("name", _("At most 200 characters."))
        return {
            "code": code, "name": row["name"], "name_en": row.get("name_en", "")[:200],
            "item_type": parse_choice(row["item_type"], "item_type", Item.Type.choices),
            "uom": unit, "category": row.get("category", "")[:100], "default_warehouse": warehouse,
            "tracking": parse_choice(row.get("tracking", ""), "tracking", Item.Tracking.choices,
                                     default=Item.Tracking.NONE),
            "lead_time_days": parse_int(row.get("lead_time_days", ""), "lead_time_days"),
            "safety_stock": parse_decimal(row.get("safety_stock", ""), "safety_stock", minimum=Decimal("0")),
            "min_order_qty": parse_decimal(row.get("min_order_qty", ""), "min_order_qty", minimum=Decimal("0")),
            "order_multiple": parse_decimal(row.get("order_multiple", ""), "order_multiple", minimum=Decimal("0")),
            "standard_cost": parse_decimal(row.get("standard_cost", ""), "standard_cost", minimum=Decimal("0")),
            "drawing_ref": row.get("drawing_ref", "")[:100],
        }

    def validate_all(self, rows, context) -> list[ImportError_]:
        seen: dict[str, int] = {}
        errors = []
        for number, row in rows:
            key = row["code"].lower()
            if key in seen:
                errors.append(ImportError_(number, "code", _("Item code %(code)s also appears in row %(row)d.")
                                           % {"code": row["code"], "row": seen[key]}))
            else:
                seen[key] = number
        return errors

    def write(self, rows, *, user, progress) -> int:
        categories = {c.name: c for c in ItemCategory.objects.all()}
        for name in {r["category"] for r in rows if r["category"]} - set(categories):
            categories[name] = ItemCategory.objects.create(code=f"C{len(categories) + 1:04d}", name=name)
        written = 0
        for start in range(0, len(rows), BATCH):
            batch = []
            for r in rows[start:start + BATCH]:
                fields = {k: v for k, v in r.items() if k not in ("_row", "category")}
                batch.append(Item(category=categories.get(r["category"]) if r["category"] else None, **fields))
            Item.objects.bulk_create(batch)
            written += len(batch)
            progress(written)
        return written


class BomLineImporter(Importer):
    kind = "bom_lines"
    title = gettext_lazy("BOM lines (one new draft version per parent item)")
    columns = [
        ImportColumn("parent", gettext_lazy("Parent item code"), required=True, example="HOOD-CXW-200"),
        ImportColumn("component", gettext_lazy("Component code"), required=True, example="MOTOR-220V"),
        ImportColumn("quantity", gettext_lazy("Quantity"), required=True, example="1"),
        ImportColumn("scrap_pct", gettext_lazy("Scrap %"), example="0"),
        ImportColumn("line_type", gettext_lazy("Line type"), example="component",
                     help=gettext_lazy("component or by_product")),
        ImportColumn("sequence", gettext_lazy("Sequence"), example="10"),
    ]

    def prepare(self) -> dict:
        return {"items": {i.code.lower(): i for i in Item.objects.all()}}

    def validate_row(self, row, context) -> dict:
        parent = context["items"].get(row["parent"].lower())
        if parent is None:
            raise RowError("parent", _("Unknown item %(code)s.") % {"code": row["parent"]})
        if parent.item_type in (Item.Type.RAW, Item.Type.SERVICE):
            raise RowError("parent", _("%(type)s items have no bill of materials.")
                           % {"type": parent.get_item_type_display()})
        component = context["items"].get(row["component"].lower())
        if component is None:
            raise RowError("component", _("Unknown item %(code)s.") % {"code": row["component"]})
        if component.pk == parent.pk:
            raise RowError("component", _("An item cannot contain itself."))
        scrap = parse_decimal(row.get("scrap_pct", ""), "scrap_pct", minimum=Decimal("0"))
        if scrap >= 100:
            raise RowError("scrap_pct", _("Must be below 100."))
        return {"parent": parent, "component": component,
                "quantity": parse_decimal(row["quantity"], "quantity", allow_blank=False, minimum=Decimal("0.0001")),
                "scrap_pct": scrap,
                "line_type": parse_choice(row.get("line_type", ""), "line_type", BomLine.LineType.choices,
                                          default=BomLine.LineType.COMPONENT),
                "sequence": parse_int(row.get("sequence", ""), "sequence", default=0)}

    def write(self, rows, *, user, progress) -> int:
        from erp_modules.catalog.services import bom_create, bom_cycle_path

        by_parent = defaultdict(list)
        for row in rows:
            by_parent[row["parent"].pk].append(row)
        written = 0
        for group in by_parent.values():
            bom = bom_create(item=group[0]["parent"], user=user, note=_("imported"))
            BomLine.objects.bulk_create([
                BomLine(bom=bom, component=r["component"], quantity=r["quantity"], scrap_pct=r["scrap_pct"],
                        line_type=r["line_type"], sequence=r["sequence"] or (n + 1) * 10)
                for n, r in enumerate(group)])
            written += len(group)
            progress(written)
        for group in by_parent.values():
            for r in group:
                path = bom_cycle_path(parent=r["parent"], component=r["component"])
                if path:
                    raise ValidationError(_("Row %(row)d makes a cycle: %(path)s")
                                          % {"row": r["_row"], "path": " → ".join(path)})
        return written


__all__ = ["ItemImporter", "BomLineImporter", "Bom"]
