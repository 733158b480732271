"""kuaidi100's HTTP shapes, shared by the push and the polling adapters: settings, signatures, form POSTs
and the parsing of a track (``lastResult`` of a push, the answer of ``/poll/query.do``).

Settings (django settings, else the environment, else the local tracking server's defaults):
TRACKING_AGGREGATOR_URL (``http://127.0.0.1:8421``; the real one is ``https://poll.kuaidi100.com``),
TRACKING_AGGREGATOR_KEY, TRACKING_AGGREGATOR_CUSTOMER, TRACKING_HTTP_TIMEOUT (seconds)."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from logistics.tracking.codes import status_from_kuaidi100
from logistics.tracking.connectors.base import ConnectorError, QueryResult
from logistics.tracking.services import EventIn

BEIJING = ZoneInfo("Asia/Shanghai")  # the carriers' clocks
DEFAULTS = {"TRACKING_AGGREGATOR_URL": "http://127.0.0.1:8421", "TRACKING_AGGREGATOR_KEY": "devkey",
            "TRACKING_AGGREGATOR_CUSTOMER": "DEVCUSTOMER", "TRACKING_HTTP_TIMEOUT": "10"}


def setting(name: str) -> str:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name) or DEFAULTS[name]
    return str(value)


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def post_form(path: str, fields: dict[str, str]) -> dict:
    """POST form fields to the aggregator; its JSON answer. ConnectorError when unreachable or not JSON."""
    base = setting("TRACKING_AGGREGATOR_URL").rstrip("/")
    host = urlsplit(base).netloc
    try:
        response = requests.post(f"{base}{path}", data=urlencode(fields),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"},
                                 timeout=float(setting("TRACKING_HTTP_TIMEOUT")))
    except requests.RequestException as exc:
        raise ConnectorError(_("The tracking provider at %(host)s could not be reached (%(error)s).")
                             % {"host": host, "error": type(exc).__name__}, code="unreachable") from exc
    try:
        answer = response.json()
        if not isinstance(answer, dict):
            raise ValueError
    except ValueError as exc:
        raise ConnectorError(_("The tracking provider answered HTTP %(status)s without a usable body.")
                             % {"status": response.status_code}, code="bad_answer") from exc
    return answer


def _time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(value.strip(), fmt).replace(tzinfo=BEIJING)
        except ValueError:
            continue
    return None


def track_parse(result: dict) -> QueryResult:
    """A kuaidi100 track ({state, ischeck, data[{time|ftime, context, status, areaCode, areaName}]}) as a
    QueryResult; nodes without a readable time or text are skipped."""
    events = []
    data = result.get("data")
    for node in data if isinstance(data, list) else []:
        if not isinstance(node, dict):
            continue
        when = _time(node.get("ftime")) or _time(node.get("time"))
        context = node.get("context")
        if when is None or not isinstance(context, str) or not context.strip():
            continue
        status = status_from_kuaidi100(node.get("statusCode")) or status_from_kuaidi100(node.get("status"))
        area_code = node.get("areaCode") if isinstance(node.get("areaCode"), str) else ""
        area_name = node.get("areaName") if isinstance(node.get("areaName"), str) else ""
        events.append(EventIn(time=when, context=context.strip()[:500], status=status,
                              area_code=(area_code or "")[:12], area_name=(area_name or "")[:100]))
    events.sort(key=lambda e: e.time, reverse=True)
    return QueryResult(state=status_from_kuaidi100(result.get("state")), events=events,
                       checked=str(result.get("ischeck")) == "1")


def query_param(parcel) -> dict:
    carrier = parcel.carrier or parcel.shipment.carrier
    param = {"com": (carrier.tracking_code if carrier else "").lower(), "num": parcel.waybill_number,
             "resultv2": "1", "order": "desc"}
    phone = parcel.shipment.consignee_phone
    if phone:  # SF asks for the consignee's phone (its last four digits suffice)
        param["phone"] = phone[-4:]
    return param


def query(parcel) -> QueryResult:
    """POST /poll/query.do, signed upper(md5(param + key + customer))."""
    key, customer = setting("TRACKING_AGGREGATOR_KEY"), setting("TRACKING_AGGREGATOR_CUSTOMER")
    param = json.dumps(query_param(parcel), ensure_ascii=False, separators=(",", ":"))
    answer = post_form("/poll/query.do", {"customer": customer, "param": param,
                                          "sign": md5_upper(param + key + customer)})
    if answer.get("message") == "ok" and str(answer.get("status")) == "200":
        return track_parse(answer)
    code = str(answer.get("returnCode") or "")
    if code == "500":  # 查询无结果: nothing yet, not an error
        return QueryResult()
    raise ConnectorError(_("The tracking provider refused the query: %(code)s %(message)s")
                         % {"code": code, "message": str(answer.get("message") or "")[:200]}, code=code)
