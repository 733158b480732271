"""Reads of the capacity / outsourcing page on the enterprise host: the enterprise's own capacity listings and
processing demands, by the ERP row they came from."""

from __future__ import annotations

from ecommerce.models import Listing
from tenants.models import Enterprise


def erp_listings_by_source(*, enterprise: Enterprise, source: str) -> dict[int, Listing]:
    """The enterprise's newest open (draft or published) listing per ERP row of ``source``."""
    found: dict[int, Listing] = {}
    for listing in (Listing.objects.filter(enterprise=enterprise, erp_source=source,
                                           status__in=(Listing.Status.DRAFT, Listing.Status.PUBLISHED))
                    .order_by("-created_at", "-id")):
        found.setdefault(listing.erp_source_id, listing)
    return found


def capacity_listing_get(*, enterprise: Enterprise, listing_id: int) -> Listing | None:
    """One of the enterprise's capacity listings; None when missing or another enterprise's."""
    return Listing.objects.filter(pk=listing_id, enterprise=enterprise, trade_type=Listing.TradeType.CAPACITY).first()
