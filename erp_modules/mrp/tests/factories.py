"""Builders for the MRP tests that use the database (inside the `erp` fixture's schema).
Real rows through the real services of each area."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from erp_modules.catalog.models import Item
from erp_modules.partners.models import Partner, PriceList, PriceListItem
from erp_modules.partners.services import partner_create
from erp_modules.purchasing.services import purchase_order_approve, purchase_order_create
from erp_modules.sales.models import SalesOrder
from erp_modules.sales.services import sales_order_confirm, sales_order_create
from erp_modules.workspace.testing import main_location, make_bom, make_item, receive

_n = itertools.count(1)


def monday0() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def week(n: int) -> date:
    """The Monday of the n-th week from now (0 = this week)."""
    return monday0() + timedelta(days=7 * n)


def make_supplier(name: str = "宁波精密五金有限公司", items: list[tuple[Item, str, int | None]] = ()) -> Partner:
    """A supplier with a purchase price list of (item, unit price, lead time days or None)."""
    supplier = partner_create(code=f"S{next(_n):04d}", name=name, is_supplier=True)
    price_list = PriceList.objects.create(name=f"{name} 采购价", kind=PriceList.Kind.PURCHASE, partner=supplier)
    for item, price, lead in items:
        PriceListItem.objects.create(price_list=price_list, item=item, unit_price=Decimal(price), lead_time_days=lead)
    return supplier


def make_customer() -> Partner:
    return partner_create(code=f"C{next(_n):04d}", name="宁波美厨电器销售有限公司", is_customer=True)


def confirmed_order(customer: Partner, lines: list[tuple[Item, int]], delivery: date) -> SalesOrder:
    """A confirmed sales order. The shipping location allows negative stock, so an order can be
    confirmed before the goods exist (made to order) — which is what MRP plans for."""
    location = main_location()
    if not location.allow_negative:
        location.allow_negative = True
        location.save(update_fields=["allow_negative"])
    order = sales_order_create(customer=customer, delivery_date=delivery,
                               lines=[{"item": item, "quantity": Decimal(q), "unit_price": Decimal("100"),
                                       "location": location} for item, q in lines])
    return sales_order_confirm(order=order)


def hood_family():
    """FG (finished, 2 days) = 2 × SA (sub-assembly, 3 days); SA = 3 × RM (raw, 5 days; its
    supplier's price list says 7). 4 SA in stock."""
    fg = make_item("FG-900", item_type=Item.Type.FINISHED, lead_time_days=2, name="油烟机 900")
    sa = make_item("SA-FAN", item_type=Item.Type.SUBASSEMBLY, lead_time_days=3, name="风机组件")
    rm = make_item("RM-STEEL", item_type=Item.Type.RAW, lead_time_days=5, name="不锈钢板")
    make_bom(fg, [(sa, 2)])
    make_bom(sa, [(rm, 3)])
    receive(sa, 4)
    supplier = make_supplier(items=[(rm, "12.5", 7)])
    return fg, sa, rm, supplier


def approved_po(supplier: Partner, item: Item, quantity: int, expected: date):
    order = purchase_order_create(supplier=supplier, expected_date=expected,
                                  lines=[{"item": item, "quantity": Decimal(quantity)}])
    return purchase_order_approve(order=order)


__all__ = ["make_bom", "make_item", "receive"]
