"""Objects of the tracking pages for the isolation walkers (tests/walker.py, tests/isolation_world.py)."""

from __future__ import annotations

from decimal import Decimal

from logistics.carriers.models import Carrier
from logistics.shipments.services import parcel_add, shipment_book, shipment_create
from logistics.tracking.models import ExceptionTask, Subscription
from logistics.tracking.services import push_receive, sign_param
from logistics.tracking.tests.factories import TRACK, push_param


def make_tracking_walk_objects(side_label: str, owner) -> dict[str, int | str]:
    """In the current schema: a booked shipment's parcel subscribed for pushes, one signed push received that
    reports a problem (疑难), which opens an exception task. Kinds: logistics_exception_task,
    logistics_tracked_parcel, logistics_push_token."""
    carrier = Carrier.objects.get_or_create(code="ZTO", defaults={"name": "中通快递", "tracking_code": "zhongtong"})[0]
    shipment = shipment_create(direction="standalone", consignee_name=f"走查跟踪 {side_label}",
                               consignee_phone="13900000000", address="浙江省宁波市慈溪市白沙路街道北二环东路 2 号",
                               carrier=carrier, goods_value=Decimal("50"), note=f"walker tracking {side_label}",
                               user=owner)
    serial = (shipment.pk * 104729 + (3 if side_label == "a" else 4)) % 10**12
    parcel = parcel_add(shipment=shipment, weight_kg=Decimal("1.2"), waybill_number=f"{serial:012d}",
                        description="walker", user=owner)
    shipment_book(shipment=shipment, user=owner)
    subscription = Subscription.objects.get_or_create(parcel=parcel, defaults={"state": Subscription.State.ACTIVE})[0]
    param = push_param(waybill=parcel.waybill_number, nodes=TRACK[:2] + [("2026-12-02 10:00:00", "疑难件：地址不详", "2")])
    push_receive(callback_token=subscription.callback_token, param=param, sign=sign_param(param, subscription.salt),
                 remote_addr="127.0.0.1")
    task = ExceptionTask.objects.get(parcel=parcel, kind=ExceptionTask.Kind.PROBLEM, resolved_at__isnull=True)
    return {"logistics_exception_task": task.pk, "logistics_tracked_parcel": parcel.pk,
            "logistics_push_token": subscription.callback_token}
