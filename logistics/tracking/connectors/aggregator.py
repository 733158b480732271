"""The push/subscribe adapter (kuaidi100 shape): POST /poll with the waybill, our callback URL and the
subscription's salt; the aggregator then POSTs the whole track, signed upper(md5(param + salt)), to the
callback (logistics.tracking.services.push_receive checks and merges it). The same code talks to the real
aggregator with a real key (TRACKING_AGGREGATOR_URL / _KEY) or to logistics.tracking.devserver."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from logistics.tracking.connectors import kuaidi100
from logistics.tracking.connectors.base import ConnectorError, QueryResult, TrackingConnector

# 200 submitted; 501 already subscribed (to the same callback): both mean the waybill is followed
OK_CODES = {"200", "501"}


class AggregatorConnector(TrackingConnector):
    name = "aggregator"
    mode = "push"

    def subscribe(self, subscription, callback_url: str) -> None:
        parcel = subscription.parcel
        carrier = parcel.carrier or parcel.shipment.carrier
        if not parcel.waybill_number or carrier is None or not carrier.tracking_code:
            raise ConnectorError(_("The parcel needs a waybill number and a carrier with a tracking code."),
                                 code=ConnectorError.INCOMPLETE)
        param = {"company": carrier.tracking_code.lower(), "number": parcel.waybill_number,
                 "key": kuaidi100.setting("TRACKING_AGGREGATOR_KEY"),
                 "parameters": {"callbackurl": callback_url, "salt": subscription.salt, "resultv2": "1"}}
        if parcel.shipment.consignee_phone:
            param["parameters"]["phone"] = parcel.shipment.consignee_phone
        answer = kuaidi100.post_form("/poll", {"schema": "json",
                                               "param": json.dumps(param, ensure_ascii=False, separators=(",", ":"))})
        code = str(answer.get("returnCode") or "")
        if answer.get("result") is not True and code not in OK_CODES:
            raise ConnectorError(_("The tracking provider refused the subscription: %(code)s %(message)s")
                                 % {"code": code, "message": str(answer.get("message") or "")[:200]}, code=code)

    def query(self, parcel) -> QueryResult:
        return kuaidi100.query(parcel)
