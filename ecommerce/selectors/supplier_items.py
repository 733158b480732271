"""The catalog items of a quoting supplier's own ERP: the item a quotation sells (Quotation.supplier_item_id,
used for the supplier's sales order when the quotation is accepted). Read in the supplier's schema, one
schema at a time, like a supply listing's stock (selectors.listings.listing_stock)."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from erp_modules.catalog.models import Item
from tenants.entitlements import ERP, module_enabled
from tenants.models import Enterprise

SUPPLIER_ITEMS_LIMIT = 500  # the quotation form's drop-down: the first items by code


def enterprise_runs_erp(enterprise: Enterprise) -> bool:
    """The enterprise runs its ERP on the platform: active, with the ERP module in its plan."""
    return enterprise.status == Enterprise.Status.ACTIVE and module_enabled(enterprise, ERP)


def _sellable(queryset):
    return queryset.filter(active=True)


def supplier_items(*, enterprise: Enterprise, limit: int = SUPPLIER_ITEMS_LIMIT) -> list[tuple[int, str]]:
    """[(item id, "code name"), …] of the enterprise's active items by code; [] without an ERP here."""
    if not enterprise_runs_erp(enterprise):
        return []
    with tenant_context(enterprise):
        rows = list(_sellable(Item.objects.all()).order_by("code").values_list("pk", "code", "name")[:limit])
    return [(pk, f"{code} {name}") for pk, code, name in rows]


def supplier_item_label(*, enterprise: Enterprise, item_id: int | None) -> str | None:
    """"code name" of an active item of the enterprise's ERP, or None (no such item, or no ERP here)."""
    if item_id is None or not enterprise_runs_erp(enterprise):
        return None
    with tenant_context(enterprise):
        row = _sellable(Item.objects.filter(pk=item_id)).values_list("code", "name").first()
    return None if row is None else f"{row[0]} {row[1]}"
