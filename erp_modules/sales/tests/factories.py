"""Builders for the sales tests (inside the `erp` fixture's schema). Real rows, real services."""

from __future__ import annotations

import itertools
from decimal import Decimal

from erp_modules.catalog.models import Item
from erp_modules.common.testing import main_location, make_bom, make_item, receive
from erp_modules.partners.models import Partner
from erp_modules.partners.services import partner_create
from erp_modules.sales.models import SalesOrder
from erp_modules.sales.services import sales_order_confirm, sales_order_create

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


def D(value) -> Decimal:  # noqa: N802
    return Decimal(str(value))


def order_for(customer: Partner, *lines: tuple[Item, str | int, str | int], confirm: bool = False) -> SalesOrder:
    """An order with (item, quantity, unit price) lines."""
    order = sales_order_create(customer=customer, lines=[{"item": item, "quantity": D(q), "unit_price": D(p)}
                                                         for item, q, p in lines])
    return sales_order_confirm(order=order) if confirm else order


__all__ = ["D", "main_location", "make_bom", "make_customer", "make_hood", "make_item", "order_for", "receive"]
