"""Kits (phantom items): the stocked items a kit stands for, from its bill of materials."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from erp_modules.catalog.models import BomLine, Item
from erp_modules.catalog.selectors import bom_explode
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.services._common import QTY_PLACES, ZERO, _error


def kit_components(*, item: Item, quantity: Decimal, on: date | None = None) -> list[tuple[Item, Decimal]]:
    """The stocked items a kit (phantom) stands for: its BOM exploded through nested kits, down to
    the first stocked item on each branch (services and by-products are left out), summed per item."""
    rows = bom_explode(item=item, quantity=quantity, on=on)
    if not rows:
        raise _error(_("Kit %(item)s has no released bill of materials; release one before selling it.")
                     % {"item": f"{item.code} {item.name}"}, SalesErrorCode.KIT_WITHOUT_BOM)
    by_path = {tuple(row.path): row for row in rows}
    totals: dict[int, list] = {}
    for row in rows:
        if row.line.line_type != BomLine.LineType.COMPONENT:
            continue
        ancestors = [by_path.get(tuple(row.path[:k])) for k in range(2, len(row.path))]
        if not all(a is not None and a.is_kit for a in ancestors):
            continue  # below a stocked item: that item is what we ship
        if row.is_kit:
            if not row.has_bom:
                raise _error(_("Kit %(item)s has no released bill of materials; release one before selling it.")
                             % {"item": f"{row.item.code} {row.item.name}"}, SalesErrorCode.KIT_WITHOUT_BOM)
            continue
        if not row.item.is_stocked:
            continue
        entry = totals.setdefault(row.item.pk, [row.item, ZERO])
        entry[1] += row.quantity
    return [(component, qty.quantize(QTY_PLACES, ROUND_HALF_UP)) for component, qty in totals.values()]
