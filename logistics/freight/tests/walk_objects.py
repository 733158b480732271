"""Objects of logistics.freight for the isolation walkers (tests/walker.py, tests/isolation_world.py).

The freight board's pages take no path parameter (the list, and the post action that reads a shipment id from
the form); the carriers' bills do (``bill_id``: PARAM_RULES ("logistics.freight", "bill_id") ->
"freight_bill"). This gives the world one freight request per side, posted through the service, so that a
walk sees B's row absent from A's list, and one carrier's bill per side, uploaded through the service (kept
for checking, not applied) for a shipment of the side's own with a waybill number."""

from __future__ import annotations

from django.db import connection

from django.core.files.uploadedfile import SimpleUploadedFile

from logistics.carriers.models import Carrier
from logistics.freight.services import freight_bill_upload, freight_request_post
from logistics.freight.tests.factories import shipment_with_parcels
from logistics.shipments.models import Shipment


def make_freight_walk_objects(side_label: str, owner) -> dict[str, int | str]:
    """In the current enterprise's schema: a shipment posted on the freight board (``owner``: a member,
    clerk or above). Returns kind -> id."""
    shipment = shipment_with_parcels(number=f"FRT-{side_label}-1")
    request = freight_request_post(shipment=shipment, enterprise=connection.tenant, user=owner)
    return {"freight_request": request.pk, "freight_shipment": shipment.pk, "freight_listing": request.listing_id,
            **make_freight_bill_walk_objects(side_label, owner)}


def make_freight_bill_walk_objects(side_label: str, owner) -> dict[str, int]:
    """In the current enterprise's schema: a booked shipment whose parcel has a waybill number, and a
    carrier's bill (.csv) naming it, uploaded through the service (kept for checking, not applied)."""
    carrier = Carrier.objects.get_or_create(code="SF", defaults={"name": "顺丰速运"})[0]
    billed = shipment_with_parcels(number=f"FRT-{side_label}-BILL", weights=["1"], carrier=carrier,
                                   status=Shipment.Status.BOOKED)
    waybill = f"SF{billed.pk:012d}"
    billed.parcels.update(waybill_number=waybill, carrier=carrier)
    csv = f"运单号,运费,重量,日期\n{waybill},25.00,1,2026-12-01\n".encode()
    bill = freight_bill_upload(file=SimpleUploadedFile("账单.csv", csv, content_type="text/csv"), carrier=None,
                               user=owner)
    return {"freight_bill": bill.pk, "freight_bill_shipment": billed.pk}
