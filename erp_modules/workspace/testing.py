"""Small builders for tests of the ERP areas (used inside tenant_context). Real rows, real services."""

from __future__ import annotations

import itertools
from decimal import Decimal

from erp_modules.catalog.models import Item, UnitOfMeasure
from erp_modules.catalog.services import bom_create, bom_release, item_create
from erp_modules.inventory.models import Location, Warehouse
from erp_modules.inventory.services import stock_receive

_n = itertools.count(1)


def unit(code: str = "pcs") -> UnitOfMeasure:
    return UnitOfMeasure.objects.get(code=code)


def main_location() -> Location:
    return Location.objects.get(warehouse__code="WH", is_default=True)


def main_warehouse() -> Warehouse:
    return Warehouse.objects.get(code="WH")


def make_item(code: str | None = None, *, item_type: str = Item.Type.COMPONENT, uom: str = "pcs", **fields) -> Item:
    code = code or f"IT{next(_n):05d}"
    fields.setdefault("name", f"物料 {code}")
    fields.setdefault("default_warehouse", main_warehouse())
    return item_create(code=code, item_type=item_type, uom=unit(uom), **fields)


def make_bom(item: Item, components: list[tuple[Item, str | Decimal]], *, release: bool = True, quantity="1",
             scrap: dict | None = None):
    lines = [{"component": c, "quantity": Decimal(str(q)), "scrap_pct": Decimal(str((scrap or {}).get(c.code, 0)))}
             for c, q in components]
    bom = bom_create(item=item, lines=lines, quantity=Decimal(str(quantity)))
    return bom_release(bom=bom) if release else bom


def receive(item: Item, quantity, unit_cost="10", location: Location | None = None, lot=None):
    return stock_receive(item=item, location=location or main_location(), quantity=Decimal(str(quantity)),
                         unit_cost=Decimal(str(unit_cost)), lot=lot, reference="TEST")
