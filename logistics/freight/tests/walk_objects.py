"""Objects of logistics.freight for the isolation walkers (tests/walker.py, tests/isolation_world.py).

The freight pages take no path parameter (the list, and the post action that reads a shipment id from the
form), so the walk needs no PARAM_RULES line; this gives the world one freight request per side, posted
through the service, so that a walk sees B's row absent from A's list."""

from __future__ import annotations

from django.db import connection

from logistics.freight.services import freight_request_post
from logistics.freight.tests.factories import shipment_with_parcels


def make_freight_walk_objects(side_label: str, owner) -> dict[str, int | str]:
    """In the current enterprise's schema: a shipment posted on the freight board (``owner``: a member,
    clerk or above). Returns kind -> id."""
    shipment = shipment_with_parcels(number=f"FRT-{side_label}-1")
    request = freight_request_post(shipment=shipment, enterprise=connection.tenant, user=owner)
    return {"freight_request": request.pk, "freight_shipment": shipment.pk, "freight_listing": request.listing_id}
