"""Excel import of BOM lines (see core.imports). The import of items is inventory's
(erp_modules/inventory/importers.py): a row may name the item's default warehouse."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import ImportColumn, Importer, RowCheck, parse_choice, parse_decimal, parse_int
from erp_modules.catalog.models import Bom, BomLine, Item
from erp_modules.catalog.services import bom_create, bom_cycle_path


class BomLineImporter(Importer):
    kind = "bom_lines"
    title = gettext_lazy("BOM lines (one new draft version per parent item)")
    columns = [
        ImportColumn("parent", gettext_lazy("Parent item code"), required=True, example="HOOD-CXW-200"),
        ImportColumn("component", gettext_lazy("Component code"), required=True, example="MOTOR-220V"),
        ImportColumn("quantity", gettext_lazy("Quantity"), required=True, example="1"),
        ImportColumn("scrap_pct", gettext_lazy("Scrap %"), example="0"),
        ImportColumn("line_type", gettext_lazy("Line type"), example=BomLine.LineType.COMPONENT.label,
                     choices=BomLine.LineType.choices),
        ImportColumn("sequence", gettext_lazy("Sequence"), example="10"),
    ]

    def prepare(self) -> dict:
        return {"items": {i.code.lower(): i for i in Item.objects.all()}}

    def validate_row(self, row, context) -> dict:
        check = RowCheck()
        unknown_fix = _("Correct the code, or import the item first.")
        parent = context["items"].get(row["parent"].lower())
        if parent is None and row["parent"]:
            check.add("parent", _("Unknown item %(code)s.") % {"code": row["parent"]}, fix=unknown_fix)
        elif parent is not None and parent.item_type in (Item.Type.RAW, Item.Type.SERVICE):
            check.add("parent", _("%(type)s items have no bill of materials.")
                      % {"type": parent.get_item_type_display()},
                      fix=_("Give a finished good, a sub-assembly or a kit as the parent."))
        component = context["items"].get(row["component"].lower())
        if component is None and row["component"]:
            check.add("component", _("Unknown item %(code)s.") % {"code": row["component"]}, fix=unknown_fix)
        elif component is not None and parent is not None and component.pk == parent.pk:
            check.add("component", _("An item cannot contain itself."), fix=_("Give another item as the component."))
        scrap = check(parse_decimal, row.get("scrap_pct", ""), "scrap_pct", minimum=Decimal("0"))
        if scrap is not None and scrap >= 100:
            check.add("scrap_pct", _("Must be below 100."), fix=_("Write a percentage from 0 to 99.99."))
        clean = {"parent": parent, "component": component,
                 "quantity": check(parse_decimal, row["quantity"], "quantity", allow_blank=False,
                                   minimum=Decimal("0.0001")),
                 "scrap_pct": scrap,
                 "line_type": check(parse_choice, row.get("line_type", ""), "line_type", BomLine.LineType.choices,
                                    default=BomLine.LineType.COMPONENT),
                 "sequence": check(parse_int, row.get("sequence", ""), "sequence", default=0)}
        check.done()
        return clean

    def write(self, rows, *, user, progress) -> int:
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


__all__ = ["BomLineImporter", "Bom"]
