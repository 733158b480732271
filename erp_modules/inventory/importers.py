"""Excel import of opening stock (posted as OPENING ledger rows)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import ImportColumn, Importer, RowError, parse_decimal
from erp_modules.catalog.models import Item
from erp_modules.inventory.models import Location, MoveType

BATCH = 500


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
        item = context["items"].get(row["item"].lower())
        if item is None:
            raise RowError("item", _("Unknown item %(code)s.") % {"code": row["item"]})
        if not item.is_stocked:
            raise RowError("item", _("%(type)s items are not kept in stock.") % {"type": item.get_item_type_display()})
        warehouse = (row.get("warehouse") or "WH").lower()
        if row.get("location"):
            location = context["locations"].get((warehouse, row["location"].lower()))
        else:
            location = context["defaults"].get(warehouse)
        if location is None:
            raise RowError("location" if row.get("location") else "warehouse",
                           _("Unknown location %(wh)s/%(loc)s.") % {"wh": row.get("warehouse") or "WH",
                                                                    "loc": row.get("location") or "—"})
        if item.tracking != Item.Tracking.NONE and not row.get("lot"):
            raise RowError("lot", _("%(code)s is tracked by lot: give the lot.") % {"code": item.code})
        return {"item": item, "location": location, "lot": row.get("lot", "")[:50],
                "quantity": parse_decimal(row["quantity"], "quantity", allow_blank=False, minimum=Decimal("0.0001")),
                "unit_cost": parse_decimal(row["unit_cost"], "unit_cost", allow_blank=False, minimum=Decimal("0"))}

    def write(self, rows, *, user, progress) -> int:
        from erp_modules.inventory.services import MoveLine, lot_get_or_create, stock_moves_post

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
