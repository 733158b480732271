"""Builders for the sales tests (inside the `erp` fixture's schema). Real rows, real services."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils import timezone

from erp_modules.catalog.models import Item
from erp_modules.partners.models import Partner
from erp_modules.partners.services import partner_create
from erp_modules.sales.models import SalesOrder
from erp_modules.sales.services import sales_order_confirm, sales_order_create
from erp_modules.workspace.testing import main_location, make_bom, make_item, receive

_n = itertools.count(1)


def make_customer(name: str = "宁波美厨电器销售有限公司", **fields) -> Partner:
    return partner_create(code=fields.pop("code", f"C{next(_n):04d}"), name=name, is_customer=True,
                          address=fields.pop("address", "浙江省宁波市江北区长兴路 8 号"), **fields)


def make_hood(code: str = "HOOD-900", stock: int | str = 0, **fields) -> Item:
    """A finished range hood, with `stock` units received into WH/STOCK."""
    item = make_item(code, item_type=Item.Type.FINISHED, name=fields.pop("name", "油烟机 CXW-900"), **fields)
    if Decimal(str(stock)) > 0:
        receive(item, stock, unit_cost="800")
    return item


def make_filter(stock: int | str = 0) -> Item:
    """The grease filter FLT-01 (油网), with `stock` units received into WH/STOCK."""
    item = make_item("FLT-01", name="油网")
    if Decimal(str(stock)) > 0:
        receive(item, stock)
    return item


def make_install() -> Item:
    """The installation service SRV-INST (上门安装)."""
    return make_item("SRV-INST", name="上门安装", item_type=Item.Type.SERVICE)


def make_kit(*components: tuple[Item, int]) -> Item:
    """The kit KIT-900 (油烟机套装, sold by the set) of (component, quantity) pairs."""
    kit = make_item("KIT-900", name="油烟机套装", item_type=Item.Type.KIT, uom="set")
    make_bom(kit, list(components))
    return kit


def part_with_revisions(code: str = "CXW-200-A1", name: str = "油烟机 CXW-200") -> dict:
    """A finished hood under PDM with revisions A and B superseded, C released (today), D obsolete; A's and B's
    BOMs have the motor <code>-MOT-B, C's adds <code>-MOT-C. Returns {"item", "A", "B", "C", "D", "mot_b", "mot_c"} (PartRevision rows)."""
    from pdm.parts.services import (part_create, revision_bom_line_add, revision_obsolete, revision_release,
                                    revision_start, revision_submit)

    today = timezone.localdate()
    hood = make_item(code, item_type=Item.Type.FINISHED, name=name)
    mot_b, mot_c = make_item(f"{code}-MOT-B", name="电机 B"), make_item(f"{code}-MOT-C", name="电机 C")
    part = part_create(item=hood, number=f"P-{code}", user=None)
    result = {"item": hood, "mot_b": mot_b, "mot_c": mot_c}
    for letter, motor in (("A", mot_b), ("B", None), ("C", mot_c)):
        revision = revision_start(part=part, user=None)
        if motor is not None:
            revision_bom_line_add(revision=revision, component=motor, quantity=Decimal("1"), user=None)
        revision_submit(revision=revision, user=None)
        result[letter] = revision_release(revision=revision, effective_from=today, user=None)
    result["D"] = revision_obsolete(revision=revision_start(part=part, user=None), user=None)
    for letter in "ABCD":
        result[letter].refresh_from_db()
    return result


def D(value) -> Decimal:  # noqa: N802
    return Decimal(str(value))


def order_for(customer: Partner, *lines: tuple[Item, str | int, str | int], confirm: bool = False) -> SalesOrder:
    """An order with (item, quantity, unit price) lines."""
    order = sales_order_create(customer=customer, lines=[{"item": item, "quantity": D(q), "unit_price": D(p)}
                                                         for item, q, p in lines])
    return sales_order_confirm(order=order) if confirm else order


__all__ = ["D", "main_location", "make_bom", "make_customer", "make_filter", "make_hood", "make_install", "make_item",
           "make_kit", "order_for", "part_with_revisions", "receive"]
