"""Reads of the freight board's tenant side and of freight cost (carrier bills, landed cost), in the current
enterprise's schema."""

from __future__ import annotations

from django.db.models import QuerySet

from logistics.carriers.models import Carrier
from logistics.freight.models import FreightBill, FreightBillLine, FreightRequest, LandedCost
from logistics.shipments.models import Shipment


def freight_request_list() -> QuerySet[FreightRequest]:
    return FreightRequest.objects.select_related("shipment", "carrier")


def freight_shipment_get(*, shipment_id: int) -> Shipment | None:
    """A shipment of the current enterprise (another enterprise's id is simply not found)."""
    return Shipment.objects.filter(pk=shipment_id).first()


def freight_bill_list() -> QuerySet[FreightBill]:
    return FreightBill.objects.select_related("carrier")


def freight_bill_get(*, bill_id: int) -> FreightBill | None:
    """A bill of the current enterprise (another enterprise's id is simply not found)."""
    return FreightBill.objects.select_related("carrier").filter(pk=bill_id).first()


def freight_bill_lines(*, bill: FreightBill) -> QuerySet[FreightBillLine]:
    return bill.lines.select_related("shipment")


def landed_cost_list(*, shipment: Shipment | None = None) -> QuerySet[LandedCost]:
    """Freight allocated to goods-receipt lines (inbound shipments), newest first."""
    qs = LandedCost.objects.select_related("shipment", "item", "receipt_line__receipt").order_by("-updated_at", "-id")
    return qs.filter(shipment=shipment) if shipment is not None else qs


def bill_carrier_choices() -> list[tuple[str, str]]:
    return [(str(c.pk), f"{c.code} {c.name}") for c in Carrier.objects.filter(active=True).order_by("code")]
