"""Reads of the freight board's tenant side (the current enterprise's schema)."""

from __future__ import annotations

from django.db.models import QuerySet

from logistics.freight.models import FreightRequest
from logistics.shipments.models import Shipment


def freight_request_list() -> QuerySet[FreightRequest]:
    return FreightRequest.objects.select_related("shipment", "carrier")


def freight_shipment_get(*, shipment_id: int) -> Shipment | None:
    """A shipment of the current enterprise (another enterprise's id is simply not found)."""
    return Shipment.objects.filter(pk=shipment_id).first()
