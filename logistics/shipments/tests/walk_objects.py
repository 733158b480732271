"""Objects of the shipments pages for the isolation walkers (tests/walker.py, tests/isolation_world.py)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from logistics.carriers.models import Carrier
from logistics.shipments.services import parcel_add, proof_upload, shipment_book, shipment_create


def make_shipments_walk_objects(side_label: str, owner) -> dict[str, int | str]:
    """In the current schema: a booked stand-alone shipment with one parcel (its own waybill number) and a
    photo as proof of delivery. Kinds: logistics_shipment, logistics_parcel, logistics_proof,
    logistics_tracking_token."""
    carrier = Carrier.objects.get_or_create(code="SF", defaults={"name": "顺丰速运"})[0]
    shipment = shipment_create(direction="standalone", consignee_name=f"走查收货人 {side_label}",
                               consignee_phone="13800000000", address="浙江省宁波市慈溪市古塘街道新城大道北路 1 号",
                               carrier=carrier, goods_value=Decimal("100"), note=f"walker {side_label}", user=owner)
    serial = (shipment.pk * 7919 + (1 if side_label == "a" else 2)) % 10**13
    parcel = parcel_add(shipment=shipment, weight_kg=Decimal("2.5"), length_cm=Decimal("30"), width_cm=Decimal("20"),
                        height_cm=Decimal("10"), waybill_number=f"SF{serial:013d}", description="walker", user=owner)
    shipment_book(shipment=shipment, user=owner)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 10, 10)).save(buffer, format="PNG")
    proof = proof_upload(shipment=shipment, parcel=parcel, kind="photo", user=owner,
                         file=SimpleUploadedFile(f"walk-{side_label}.png", buffer.getvalue(), content_type="image/png"))
    return {"logistics_shipment": shipment.pk, "logistics_parcel": parcel.pk, "logistics_proof": proof.pk,
            "logistics_tracking_token": shipment.tracking_token}
