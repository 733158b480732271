"""Builders for purchasing tests (inside tenant_context). Real rows through the real services."""

from __future__ import annotations

import itertools
from decimal import Decimal

from erp_modules.partners.models import Partner
from erp_modules.partners.services import partner_create
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.purchasing.services import purchase_order_approve, purchase_order_create

_n = itertools.count(1)


def make_supplier(name: str = "宁波精密五金有限公司", **fields) -> Partner:
    n = next(_n)
    return partner_create(code=fields.pop("code", f"S{n:04d}"), name=name, is_supplier=True, **fields)


def make_po(supplier: Partner, lines: list[tuple], *, approve: bool = True, **fields) -> PurchaseOrder:
    """lines: (item, quantity, unit_price) tuples; prices as strings."""
    order = purchase_order_create(
        supplier=supplier, lines=[{"item": item, "quantity": Decimal(str(q)), "unit_price": Decimal(str(p))}
                                  for item, q, p in lines], **fields)
    return purchase_order_approve(order=order) if approve else order
