"""Shipments with parcels for the freight board's tests (written directly: the shipments' services are
another app's), in the current enterprise's schema."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from logistics.shipments.models import Parcel, Shipment

D = Decimal
_numbers = itertools.count(1)

CONSIGNEE = {"consignee_name": "王小明", "consignee_phone": "13905741234",
             "address": "上海市浦东新区世纪大道1088号品牌大厦17楼"}


def shipment_with_parcels(*, weights=("12.5", "20"), **fields) -> Shipment:
    values = {**CONSIGNEE, "number": f"SH{next(_numbers):06d}", "region_name": "上海市 浦东新区",
              "province_code": "310000", "district_code": "310115",
              "pickup_at": timezone.now() + timedelta(days=1),
              "promised_date": timezone.localdate() + timedelta(days=4), **fields}
    shipment = Shipment.objects.create(**values)
    for seq, weight in enumerate(weights, start=1):
        Parcel.objects.create(shipment=shipment, seq=seq, weight_kg=D(weight), length_cm=D("50"), width_cm=D("40"),
                              height_cm=D("30"))
    return shipment
