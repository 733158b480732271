"""Excel imports of items (a row may name the item's default warehouse, hence here and not in the catalog)
and of opening stock (posted as OPENING ledger rows); see core.imports."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import ImportColumn, ImportError_, Importer, RowCheck, parse_choice, parse_decimal, parse_int
from erp_modules.catalog.models import Item, ItemCategory, UnitOfMeasure
from erp_modules.inventory.models import Location, MoveType, Warehouse
from erp_modules.inventory.services import MoveLine, lot_get_or_create, stock_moves_post

ITEM_BATCH = 2000
BATCH = 500


class ItemImporter(Importer):
    kind = "items"
    title = gettext_lazy("Items")
    columns = [
        ImportColumn("code", gettext_lazy("Item code"), required=True, example="HOOD-CXW-200",
                     help=gettext_lazy("Unique; letters, digits, - and _.")),
        ImportColumn("name", gettext_lazy("Name"), required=True, example="侧吸式油烟机 CXW-200"),
        ImportColumn("name_en", gettext_lazy("English name"), example="Side-draft range hood"),
        ImportColumn("item_type", gettext_lazy("Type"), required=True, example=Item.Type.FINISHED.label,
                     choices=Item.Type.choices),
        ImportColumn("uom", gettext_lazy("Unit"), required=True, example="台",
                     help=gettext_lazy("A unit code or name: 个 pcs, 件, 套, 台, kg, m, 卷 …")),
        ImportColumn("category", gettext_lazy("Category"), example="吸油烟机",
                     help=gettext_lazy("Created when it does not exist.")),
        ImportColumn("warehouse", gettext_lazy("Default warehouse"), example="WH",
                     help=gettext_lazy("The code of one of your warehouses (WH is the main one), or empty.")),
        ImportColumn("tracking", gettext_lazy("Tracking"), example=Item.Tracking.NONE.label,
                     choices=Item.Tracking.choices),
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
        check = RowCheck()
        code = row["code"]
        if len(code) > 40:
            check.add("code", _("At most 40 characters."), fix=_("Shorten the code to 40 characters."))
        elif code and code.lower() in context["existing"]:
            check.add("code", _("Item code %(code)s already exists.") % {"code": code},
                      fix=_("Use a new code, or leave the existing item out of the file."))
        if len(row["name"]) > 200:
            check.add("name", _("At most 200 characters."), fix=_("Shorten the name to 200 characters."))
        item_type = check(parse_choice, row["item_type"], "item_type", Item.Type.choices) if row["item_type"] else None
        unit = context["units"].get(row["uom"].lower())
        if unit is None and row["uom"]:
            check.add("uom", _("Unknown unit “%(value)s”.") % {"value": row["uom"]})
        warehouse = None
        if row.get("warehouse"):
            warehouse = context["warehouses"].get(row["warehouse"].lower())
            if warehouse is None:
                check.add("warehouse", _("Unknown warehouse “%(value)s”.") % {"value": row["warehouse"]})
        clean = {
            "code": code, "name": row["name"], "name_en": row.get("name_en", "")[:200],
            "item_type": item_type, "uom": unit, "category": row.get("category", "")[:100],
            "default_warehouse": warehouse,
            "tracking": check(parse_choice, row.get("tracking", ""), "tracking", Item.Tracking.choices,
                              default=Item.Tracking.NONE),
            "lead_time_days": check(parse_int, row.get("lead_time_days", ""), "lead_time_days"),
            "safety_stock": check(parse_decimal, row.get("safety_stock", ""), "safety_stock", minimum=Decimal("0")),
            "min_order_qty": check(parse_decimal, row.get("min_order_qty", ""), "min_order_qty", minimum=Decimal("0")),
            "order_multiple": check(parse_decimal, row.get("order_multiple", ""), "order_multiple",
                                    minimum=Decimal("0")),
            "standard_cost": check(parse_decimal, row.get("standard_cost", ""), "standard_cost", minimum=Decimal("0")),
            "drawing_ref": row.get("drawing_ref", "")[:100],
        }
        check.done()
        return clean

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
        for start in range(0, len(rows), ITEM_BATCH):
            batch = []
            for r in rows[start:start + ITEM_BATCH]:
                fields = {k: v for k, v in r.items() if k not in ("_row", "category")}
                batch.append(Item(category=categories.get(r["category"]) if r["category"] else None, **fields))
            Item.objects.bulk_create(batch)
            written += len(batch)
            progress(written)
        return written


class OpeningStockImporter(Importer):
    kind = "opening_stock"
    title = gettext_lazy("Opening stock")
    columns = [
        ImportColumn("item", gettext_lazy("Item code"), required=True, example="MOTOR-220V"),
        ImportColumn("warehouse", gettext_lazy("Warehouse"), example="WH", help=gettext_lazy("Default: WH")),
        ImportColumn("location", gettext_lazy("Location"), example="STOCK",
                     help=gettext_lazy("Default: the warehouse's default location")),
        ImportColumn("quantity", gettext_lazy("Quantity"), required=True, example="120"),
        ImportColumn("unit_cost", gettext_lazy("Unit cost"), required=True, example="85.50"),
        ImportColumn("lot", gettext_lazy("Lot"), example="", help=gettext_lazy("Required for lot-tracked items")),
    ]

    def prepare(self) -> dict:
        locations = {}
        defaults = {}
        for loc in Location.objects.select_related("warehouse").filter(active=True):
            locations[(loc.warehouse.code.lower(), loc.code.lower())] = loc
            if loc.is_default:
                defaults[loc.warehouse.code.lower()] = loc
        return {"items": {i.code.lower(): i for i in Item.objects.select_related("uom")},
                "locations": locations, "defaults": defaults}

    def validate_row(self, row, context) -> dict:
        check = RowCheck()
        item = context["items"].get(row["item"].lower())
        if item is None and row["item"]:
            check.add("item", _("Unknown item %(code)s.") % {"code": row["item"]},
                      fix=_("Correct the code, or import the item first."))
        elif item is not None and not item.is_stocked:
            check.add("item", _("%(type)s items are not kept in stock.") % {"type": item.get_item_type_display()},
                      fix=_("Leave this row out."))
        warehouse = (row.get("warehouse") or "WH").lower()
        if row.get("location"):
            location = context["locations"].get((warehouse, row["location"].lower()))
        else:
            location = context["defaults"].get(warehouse)
        if location is None:
            check.add("location" if row.get("location") else "warehouse",
                      _("Unknown location %(wh)s/%(loc)s.") % {"wh": row.get("warehouse") or "WH",
                                                               "loc": row.get("location") or "—"},
                      fix=_("Write the code of one of your warehouses and of a location in it."))
        if item is not None and item.tracking != Item.Tracking.NONE and not row.get("lot"):
            check.add("lot", _("%(code)s is tracked by lot: give the lot.") % {"code": item.code})
        clean = {"item": item, "location": location, "lot": row.get("lot", "")[:50],
                 "quantity": check(parse_decimal, row["quantity"], "quantity", allow_blank=False,
                                   minimum=Decimal("0.0001")),
                 "unit_cost": check(parse_decimal, row["unit_cost"], "unit_cost", allow_blank=False,
                                    minimum=Decimal("0"))}
        check.done()
        return clean

    def write(self, rows, *, user, progress) -> int:
        written = 0
        for start in range(0, len(rows), BATCH):
            lines = []
            for r in rows[start:start + BATCH]:
                lot = lot_get_or_create(item=r["item"], code=r["lot"]) if r["lot"] else None
                lines.append(MoveLine(r["item"], r["location"], r["quantity"], lot=lot, unit_cost=r["unit_cost"]))
            stock_moves_post(move_type=MoveType.OPENING, lines=lines, reference=_("opening stock"),
                             reference_type="import", user=user)
            written += len(lines)
            progress(written)
        return written
