"""Builders for the tracking tests and the bench (inside tenant_context): a shipment's parcel with a push
subscription, and the aggregator's pushes (kuaidi100 shape) signed with the subscription's salt."""

from __future__ import annotations

import itertools
import json

from logistics.carriers.models import Carrier
from logistics.shipments.models import Parcel, Shipment
from logistics.tracking.models import Subscription
from logistics.tracking.services import sign_param

_seq = itertools.count(1)

# a track, oldest first: (time, context, kuaidi100 state code)
TRACK = [
    ("2026-12-01 09:00:00", "【宁波市】慈溪公司 已揽收", "1"),
    ("2026-12-01 21:10:00", "【宁波市】已发往 杭州转运中心", "0"),
    ("2026-12-02 04:30:00", "【杭州市】已到达 杭州转运中心", "0"),
    ("2026-12-02 16:00:00", "【上海市】快件已到达 浦东新区营业部，派件员 张三 18800000000", "5"),
    ("2026-12-02 19:20:00", "【上海市】已签收，签收人：本人", "3"),
]


def make_carrier(code: str = "ZTO", kind: str = Carrier.Kind.EXPRESS) -> Carrier:
    return Carrier.objects.get_or_create(code=code, defaults={"name": code, "kind": kind,
                                                              "tracking_code": code.lower()})[0]


def make_parcel(*, waybill: str | None = None, carrier: Carrier | None = None, subscribe: bool = True) -> Parcel:
    n = next(_seq)
    shipment = Shipment.objects.create(number=f"SH-T{n:05d}", carrier=carrier, status=Shipment.Status.BOOKED)
    parcel = Parcel.objects.create(shipment=shipment, seq=1, carrier=carrier,
                                   waybill_number=waybill if waybill is not None else f"7531{n:08d}")
    if subscribe:
        Subscription.objects.create(parcel=parcel, state=Subscription.State.ACTIVE)
    return parcel


def push_param(*, waybill: str, nodes, push_status: str = "polling", state: str | None = None,
               message: str = "", resultv2: bool = True) -> str:
    """The ``param`` field of a push: the whole track given (oldest first) as (time, context, code), sent
    newest first as the aggregator does."""
    data = [{"context": context, "time": time, "ftime": time, **({"status": code} if resultv2 else {}),
             "areaCode": "", "areaName": ""} for time, context, code in reversed(list(nodes))]
    last = {"message": "ok", "state": state if state is not None else (nodes[-1][2] if nodes else "0"),
            "status": "200", "condition": "F00", "ischeck": "1" if state == "3" else "0", "com": "zhongtong",
            "nu": waybill, "data": data}
    return json.dumps({"status": push_status, "billstatus": "got", "message": message, "autoCheck": "0",
                       "comOld": "", "comNew": "", "lastResult": last}, ensure_ascii=False)


def signed(parcel: Parcel, param: str) -> dict:
    """callback_token, param and sign of a push for ``parcel``'s subscription."""
    sub = parcel.subscription
    return {"callback_token": sub.callback_token, "param": param, "sign": sign_param(param, sub.salt)}
