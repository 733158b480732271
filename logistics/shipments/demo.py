"""Logistics demo data for the range-hood maker (瑞丰厨电), on top of the ERP demo's deliveries
(erp_modules/workspace/demo.py) and the carriers' demo (logistics/carriers, registered before this one).

Shipments made through the services from the demo deliveries, one in each state:

- delivered, with a photo of the signed receipt (签回单) as proof of delivery and its whole track;
- delivered in two parcels (SF), each with its own waybill number and track;
- in transit (ZTO), picked up and moving;
- exception: the carrier reports a problem (疑难) on the way;
- booked (YTO), waiting for the pickup;
- a draft for the open order's partial delivery, with one parcel and no waybill number yet;

and three stand-alone ones (spare parts and a display unit, not of a sales delivery):

- delivering (德邦 大件物流): the parcel is out for delivery (派件), the shipment in transit;
- returned (YTO): refused by the consignee (拒签), sent back and signed for by the sender (退签);
- cancelled: booked, then called off before the pickup.

Tracking events are written as rows of logistics_tracking.TrackingEvent through ``apps.get_model`` (shipments
does not import tracking: layers), as the tracking app would have merged them from the aggregator's pushes.
Idempotent: once the enterprise has shipments of its deliveries, and stand-alone ones, a second run adds nothing
(returns False)."""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp_modules.sales.models import Delivery
from logistics.carriers.models import Carrier
from logistics.shipments.models import Parcel, ParcelStatus, ProofOfDelivery, Shipment
from logistics.shipments.services import (parcel_add, proof_upload, shipment_book, shipment_cancel, shipment_create,
                                          shipment_freight_record, shipment_from_delivery, shipment_status_refresh)
from tenants.models import Enterprise

log = logging.getLogger(__name__)
D = Decimal

ADDRESSES = {
    "C-HZDQ": "浙江省杭州市西湖区文三路90号西溪电器城",
    "C-NBJJ": "浙江省宁波市鄞州区天童南路588号家居建材广场B座",
    "C-SHKD": "上海市闵行区漕宝路1555号康达大厦",
    "C-ONLINE": "江苏省苏州市工业园区星湖街328号菜鸟仓",
}
CARRIERS = {"SF": "顺丰速运", "ZTO": "中通快递", "YTO": "圆通速递", "DBL": "德邦快递"}

# (status of the shipment, carrier, waybill numbers, track: [(hours after pickup, parcel status, text, area)])
TRACK_DELIVERED = [(0, ParcelStatus.PICKED_UP, "【宁波市】顺丰速运 已收取快件", "浙江省宁波市"),
                   (6, ParcelStatus.IN_TRANSIT, "【宁波市】快件已发车，下一站【杭州中转场】", "浙江省宁波市"),
                   (14, ParcelStatus.IN_TRANSIT, "【杭州市】快件到达【杭州中转场】", "浙江省杭州市"),
                   (20, ParcelStatus.OUT_FOR_DELIVERY, "【杭州市】快件交给王师傅，正在派送途中（联系电话：138****5210）",
                    "浙江省杭州市"),
                   (24, ParcelStatus.DELIVERED, "【杭州市】快件已签收，签收人：前台，感谢使用顺丰", "浙江省杭州市")]
TRACK_MOVING = [(0, ParcelStatus.PICKED_UP, "【宁波慈溪】中通快递 已揽收", "浙江省宁波市"),
                (8, ParcelStatus.IN_TRANSIT, "【宁波中心】已发出，下一站【上海中心】", "浙江省宁波市")]
TRACK_PROBLEM = [(0, ParcelStatus.PICKED_UP, "【宁波慈溪】中通快递 已揽收", "浙江省宁波市"),
                 (9, ParcelStatus.IN_TRANSIT, "【宁波中心】已发出，下一站【苏州中心】", "浙江省宁波市"),
                 (30, ParcelStatus.PROBLEM, "【苏州市】收件地址不详，电话无人接听，快件滞留待处理", "江苏省苏州市")]

TRACK_DELIVERING = [(0, ParcelStatus.PICKED_UP, "【慈溪营业部】德邦快递 已揽收（大件）", "浙江省宁波市"),
                    (10, ParcelStatus.IN_TRANSIT, "【宁波枢纽中心】已发出，下一站【上海浦东分拨中心】", "浙江省宁波市"),
                    (22, ParcelStatus.IN_TRANSIT, "【上海浦东分拨中心】已到达", "上海市"),
                    (28, ParcelStatus.OUT_FOR_DELIVERY, "【上海闵行营业部】派送中，派送员：陈师傅（电话 139****0716），"
                                                       "大件送货上楼", "上海市")]
TRACK_RETURNED = [(0, ParcelStatus.PICKED_UP, "【宁波慈溪】圆通速递 已揽收", "浙江省宁波市"),
                  (9, ParcelStatus.IN_TRANSIT, "【宁波转运中心】已发出，下一站【合肥转运中心】", "浙江省宁波市"),
                  (26, ParcelStatus.OUT_FOR_DELIVERY, "【合肥市蜀山区】快件派送中", "安徽省合肥市"),
                  (30, ParcelStatus.REFUSED, "【合肥市蜀山区】收件人拒收：包装破损，拒签", "安徽省合肥市"),
                  (34, ParcelStatus.RETURNING, "【合肥市】快件已退回，退回寄件人", "安徽省合肥市"),
                  (70, ParcelStatus.RETURNED, "【宁波慈溪】退回件已由寄件人签收", "浙江省宁波市")]
# (consignee, phone, address, value, note) of the stand-alone shipments
STANDALONE = {
    "delivering": ("上海康达厨卫 展厅 张经理", "021-64851555", "上海市闵行区漕宝路1555号康达大厦一楼展厅", D("4680.00"),
                   "展厅样机 CXW-200-A1"),
    "returned": ("合肥美居电器 刘先生", "0551-65321888", "安徽省合肥市蜀山区长江西路669号", D("1560.00"),
                 "售后换新机"),
    "cancelled": ("宁波甬美电器 售后部", "0574-87112233", "浙江省宁波市海曙区中山西路138号", D("320.00"),
                  "售后配件：风机电容 ×10（客户取消）"),
}


def _carrier(code: str) -> Carrier:
    carrier = Carrier.objects.filter(code=code).first()
    if carrier is None:  # the carriers' demo makes them; stand on our own when it has not run
        carrier, _made = Carrier.objects.get_or_create(code=code, defaults={"name": CARRIERS[code]})
    return carrier


def _png() -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 300), outline=(40, 40, 40), width=3)
    draw.line((60, 240, 200, 200, 280, 250, 420, 210), fill=(20, 40, 160), width=4)  # a signature
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("签回单.jpg", buffer.getvalue(), content_type="image/jpeg")


def _track(parcel: Parcel, track, start) -> None:
    """Events written as the tracking app would have merged them, and the parcel's status moved."""
    event_model = apps.get_model("logistics_tracking", "TrackingEvent")
    last = None
    for hours, status, text, area in track:
        moment = start + timedelta(hours=hours)
        fingerprint = hashlib.sha1(f"{moment.isoformat()}|{text}".encode()).hexdigest()
        event_model.objects.get_or_create(parcel=parcel, fingerprint=fingerprint, defaults={
            "time": moment, "context": text, "status": status, "area_name": area, "source": "push"})
        last = (status, moment)
    if last is not None:
        Parcel.objects.filter(pk=parcel.pk).update(status=last[0], status_at=last[1], last_event_at=last[1])


def _ship(delivery: Delivery, carrier: Carrier, parcels: list[tuple[str, str, str]], *, book: bool = True) -> Shipment:
    """parcels: [(weight kg, waybill number, contents)]"""
    shipment = shipment_from_delivery(delivery=delivery, user=None, address=ADDRESSES.get(delivery.customer.code))
    Shipment.objects.filter(pk=shipment.pk).update(carrier=carrier,
                                                   pickup_at=timezone.make_aware(datetime.combine(delivery.delivery_date,
                                                                                                time(15, 0))))
    shipment.refresh_from_db()
    for weight, number, contents in parcels:
        parcel_add(shipment=shipment, weight_kg=D(weight), length_cm=D("95"), width_cm=D("55"), height_cm=D("60"),
                   waybill_number=number, carrier=carrier, description=contents, user=None)
    if book:
        shipment_book(shipment=shipment, user=None)
    return shipment


def _alone(kind: str, carrier: Carrier, parcels: list[tuple[str, str, str]], *, pickup) -> Shipment:
    """A booked stand-alone shipment of STANDALONE[kind]; parcels: [(weight kg, waybill number, contents)]"""
    name, phone, address, value, note = STANDALONE[kind]
    shipment = shipment_create(direction=Shipment.Direction.STANDALONE, consignee_name=name, consignee_phone=phone,
                               address=address, carrier=carrier, goods_value=value, pickup_at=pickup, note=note,
                               user=None)
    for weight, number, contents in parcels:
        parcel_add(shipment=shipment, weight_kg=D(weight), length_cm=D("95"), width_cm=D("55"), height_cm=D("60"),
                   waybill_number=number, carrier=carrier, description=contents, user=None)
    return shipment_book(shipment=shipment, user=None)


@transaction.atomic
def seed_shipments_demo_here() -> bool:
    """Inside tenant_context of an enterprise with the ERP demo. False when there is nothing to do."""
    made = _from_deliveries()
    return _standalone() or made


def _from_deliveries() -> bool:
    """The shipments of the demo deliveries, once (none yet of any delivery)."""
    if Shipment.objects.exclude(direction=Shipment.Direction.STANDALONE).exists():
        return False
    deliveries = list(Delivery.objects.select_related("customer").order_by("delivery_date", "pk"))
    if len(deliveries) < 6:
        return False
    sf, zto, yto = _carrier("SF"), _carrier("ZTO"), _carrier("YTO")
    oldest, older, old, recent, last_month, newest = deliveries[:6]
    now = timezone.now()
    # delivered, one parcel, a signed receipt photographed
    done = _ship(oldest, sf, [("28.5", "SF1402583917266", "侧吸式吸油烟机 CXW-200-A1 ×2")])
    _track(done.parcels.get(), TRACK_DELIVERED, done.pickup_at)
    shipment_status_refresh(shipment=done)
    proof_upload(shipment=done, kind=ProofOfDelivery.Kind.SIGNED_RECEIPT, file=_png(), user=None,
                 note="客户签回单")
    shipment_freight_record(shipment=done, actual_freight=D("68.00"), user=None)
    # delivered in two parcels
    two = _ship(older, sf, [("28.5", "SF1402583917301", "CXW-200-A1 ×2"), ("14.5", "SF1402583917318", "CXW-200-A1 ×1")])
    for n, parcel in enumerate(two.parcels.order_by("seq")):
        _track(parcel, TRACK_DELIVERED, two.pickup_at + timedelta(hours=n))
    shipment_status_refresh(shipment=two)
    # in transit
    moving = _ship(old, zto, [("42.0", "773058124957021", "侧吸式吸油烟机 ×3")])
    _track(moving.parcels.get(), TRACK_MOVING, now - timedelta(hours=10))
    shipment_status_refresh(shipment=moving)
    # exception: 疑难
    problem = _ship(recent, zto, [("70.0", "773058124957038", "侧吸式吸油烟机 ×5")])
    _track(problem.parcels.get(), TRACK_PROBLEM, now - timedelta(hours=32))
    shipment_status_refresh(shipment=problem)
    # booked, waiting for the pickup
    _ship(last_month, yto, [("14.5", "YT7521864039217", "侧吸式吸油烟机 ×1")])
    # a draft: the open order's partial delivery, waybill number not yet given
    _ship(newest, sf, [("56.0", "", "侧吸式吸油烟机 CXW-200-A1 ×4")], book=False)
    return True


def _standalone() -> bool:
    """The stand-alone shipments (out for delivery, returned, cancelled), once (also for a demo made before
    they were added: seed_demo runs on every start)."""
    if Shipment.objects.filter(direction=Shipment.Direction.STANDALONE).exists():
        return False
    zto, yto, dbl = _carrier("ZTO"), _carrier("YTO"), _carrier("DBL")
    now = timezone.now()
    # delivering: out for delivery (派件)
    delivering = _alone("delivering", dbl, [("31.0", "DPK202612070381", "展厅样机 CXW-200-A1 ×1（木架）")],
                        pickup=now - timedelta(hours=30))
    _track(delivering.parcels.get(), TRACK_DELIVERING, delivering.pickup_at)
    shipment_status_refresh(shipment=delivering)
    # returned: refused (拒签) and signed back by the sender (退签)
    returned = _alone("returned", yto, [("15.0", "YT7521864039231", "侧吸式吸油烟机 ×1")],
                      pickup=now - timedelta(days=4))
    _track(returned.parcels.get(), TRACK_RETURNED, returned.pickup_at)
    shipment_status_refresh(shipment=returned)
    shipment_freight_record(shipment=returned, actual_freight=D("36.00"), user=None)
    # cancelled before the pickup
    cancelled = _alone("cancelled", zto, [("2.0", "773058124957045", "风机电容 ×10")], pickup=now + timedelta(days=1))
    shipment_cancel(shipment=cancelled, user=None)
    return True


def seed_shipments_demo() -> bool:
    """The seeder of `manage.py seed_demo` (core.demo): 瑞丰's shipments."""
    enterprise = Enterprise.objects.filter(slug="ruifeng").first()
    if enterprise is None:
        return False
    with tenant_context(enterprise):
        try:
            return seed_shipments_demo_here()
        except ValidationError as exc:  # e.g. an address the region data cannot place: the demo goes on
            log.warning("logistics shipments demo skipped: %s", exc.messages)
            return False
