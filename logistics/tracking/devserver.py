"""A small local tracking server in the shape of kuaidi100 (no outside network here): its own process.

    python -m logistics.tracking.devserver --port 8421 --state /path/state.json [--speed 60]
                                           [--key devkey] [--customer DEVCUSTOMER] [--abort-after 3]

Standard library only (no Django): the tests and `make run` start it as a real process and the platform's
connectors (logistics.tracking.connectors) talk to it over HTTP exactly as they would to the aggregator.

HTTP, as kuaidi100 (form-encoded POSTs, JSON answers):
  POST /poll            subscribe: schema=json&param={"company","number","key","parameters":{"callbackurl",
                        "salt","resultv2"}} -> {"result":true,"returnCode":"200","message":"提交成功"};
                        bad key 600, bad param 700, already subscribed 501 (an aborted one may subscribe again)
  POST /poll/query.do   live query: customer, param={"com","num",...}, sign=upper(md5(param+key+customer))
                        -> {"message":"ok","nu","ischeck","condition","com","status":"200","state","data":[newest
                        first]}; bad sign 503, nothing yet 500 (a number queried is then followed like a subscribed one)
  GET  /healthz         {"status":"ok","parcels":N}
  POST /_control/advance   (tests and demos) every parcel moves N steps now (form or query `steps`, default 1);
                        the pushes are sent before the answer, which lists them
  POST /_control/abort     (form or query `number`) push "abort" (3天查询无记录) for that number now

Each parcel moves one step every --speed seconds (0: only through /_control/advance). After each step with
news the whole track is pushed to the callback URL: form fields param (JSON: status polling|shutdown|abort,
message, lastResult {... data newest first}) and sign=upper(md5(param + salt)). A callback URL on
``*.localhost`` is sent to 127.0.0.1 with the URL's Host header (the platform finds the enterprise by host).
A push that fails is sent again after the next step.

Tracks, chosen by the waybill number's last digit (deterministic, so tests and demos know what happens):
  0-5  揽收 -> 在途 (origin hub, departure, destination hub) -> 派件 -> 签收          (state 1,0,0,0,5,3; shutdown)
  6    揽收 -> 在途 ... -> 疑难 (address unclear), then nothing more                (state 2)
  7    揽收 -> 在途 ... -> 派件 -> 退回 -> 在途 back -> 退签                         (state 6, then 4; shutdown)
  8    揽收 -> 在途 ... -> 派件 -> 拒签, then nothing more                           (state 14)
  9    never any event: after --abort-after steps an "abort" push (3天查询无记录); subscribing again restarts it
  any other last character (letters) behaves as 0-5.
State is one JSON file, written atomically (temporary file + rename) after every change.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import sys
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
STATE_NAMES = {0: "在途", 1: "揽收", 2: "疑难", 3: "签收", 4: "退签", 5: "派件", 6: "退回", 7: "转投", 14: "拒签"}
CARRIER_NAMES = {"shunfeng": "顺丰速运", "zhongtong": "中通快递", "yuantong": "圆通速递", "yunda": "韵达快递",
                 "shentong": "申通快递", "jd": "京东快递", "jtexpress": "极兔速递", "ems": "EMS",
                 "debangkuaidi": "德邦快递", "debangwuliu": "德邦物流"}
ORIGIN = ("330282000000", "浙江,宁波市,慈溪市", "慈溪", "宁波转运中心")
DESTINATIONS = [  # (area code, area name, district, hub)
    ("330106000000", "浙江,杭州市,西湖区", "西湖区", "杭州转运中心"),
    ("310115000000", "上海,上海市,浦东新区", "浦东新区", "上海转运中心"),
    ("110105000000", "北京,北京市,朝阳区", "朝阳区", "北京转运中心"),
    ("440106000000", "广东,广州市,天河区", "天河区", "广州转运中心"),
    ("510107000000", "四川,成都市,武侯区", "武侯区", "成都转运中心"),
    ("420106000000", "湖北,武汉市,武昌区", "武昌区", "武汉转运中心"),
]


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def track_plan(number: str, company: str) -> list[tuple[int, str, tuple]]:
    """The whole route of a waybill as (state, context, place) steps; [] for a number that never has news."""
    last = number[-1:] if number else "0"
    if last == "9":
        return []
    dest = DESTINATIONS[sum(map(ord, number)) % len(DESTINATIONS)]
    carrier = CARRIER_NAMES.get(company, "快递")
    picked = [(1, f"【{ORIGIN[2]}】{carrier} 已揽收，揽件员：王师傅 电话：13800000001", ORIGIN),
              (0, f"快件已到达【{ORIGIN[3]}】", ORIGIN),
              (0, f"快件已从【{ORIGIN[3]}】发出，下一站【{dest[3]}】", ORIGIN),
              (0, f"快件已到达【{dest[3]}】", dest)]
    out = (5, f"【{dest[2]}】派件员：李师傅 电话：13900000002 正在为您派件", dest)
    if last == "6":
        return [*picked, (2, "收件地址不详，联系收件人未果，快件滞留待处理", dest)]
    if last == "7":
        return [*picked, out, (6, "收件人要求退回，快件正在退回寄件人", dest),
                (0, f"退回件已到达【{ORIGIN[3]}】", ORIGIN), (4, "退回件已由寄件人签收", ORIGIN)]
    if last == "8":
        return [*picked, out, (14, "收件人拒收，原因：外包装破损", dest)]
    return [*picked, out, (3, "快件已签收，签收人：本人。如有疑问请联系派件员 13900000002", dest)]


class Tracker:
    """The server's state: one entry per waybill number, saved to a JSON file after each change."""

    def __init__(self, path: str, *, key: str, customer: str, abort_after: int) -> None:
        self.path, self.key, self.customer, self.abort_after = path, key, customer, abort_after
        self.lock = threading.Lock()
        try:
            with open(path, encoding="utf-8") as f:
                self.parcels: dict[str, dict] = json.load(f)["parcels"]
        except (OSError, ValueError, KeyError):
            self.parcels = {}

    def save(self) -> None:
        tmp = f"{self.path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"parcels": self.parcels}, f, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)

    def _entry(self, number: str, company: str) -> dict:
        entry = self.parcels.get(number)
        if entry is None:
            entry = self.parcels[number] = {"number": number, "company": company, "step": 0, "events": [],
                                            "callbackurl": "", "salt": "", "idle_steps": 0, "aborted": False,
                                            "unsent": False, "pushes": 0, "last_push": ""}
        return entry

    # ---- the aggregator's calls ----

    def subscribe(self, param: dict) -> dict:
        if param.get("key") != self.key:
            return {"result": False, "returnCode": "600", "message": "您不是合法的订阅者（即授权Key出错）"}
        number, company = str(param.get("number") or ""), str(param.get("company") or "")
        parameters = param.get("parameters") or {}
        callback = str(parameters.get("callbackurl") or "") if isinstance(parameters, dict) else ""
        if not number or len(number) > 32 or not company or not callback.startswith(("http://", "https://")):
            return {"result": False, "returnCode": "700", "message": "订阅方的订阅数据存在错误（如不支持的快递公司、单号为空、单号超长等）"}
        with self.lock:
            entry = self.parcels.get(number)
            if entry is not None and entry["callbackurl"] and not entry["aborted"] and entry["callbackurl"] == callback:
                return {"result": False, "returnCode": "501", "message": "重复订阅"}
            entry = self._entry(number, company)
            entry.update(company=company, callbackurl=callback, salt=str(parameters.get("salt") or ""),
                         aborted=False, idle_steps=0)
            self.save()
        return {"result": True, "returnCode": "200", "message": "提交成功"}

    def query(self, customer: str, param_text: str, sign: str) -> dict:
        if customer != self.customer or sign != md5_upper(param_text + self.key + self.customer):
            return {"result": False, "returnCode": "503", "message": "验证签名失败"}
        try:
            param = json.loads(param_text)
            number, company = str(param["num"]), str(param["com"])
        except (ValueError, KeyError, TypeError):
            return {"result": False, "returnCode": "400", "message": "找不到对应公司"}
        if not number or len(number) > 32:
            return {"result": False, "returnCode": "400", "message": "单号不正确"}
        with self.lock:
            entry = self.parcels.get(number)
            if entry is None:  # followed from now on, as if the carrier had it
                entry = self._entry(number, company)
                self.save()
            if not entry["events"]:
                return {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}
            return self._result(entry)

    # ---- time passing ----

    def _result(self, entry: dict) -> dict:
        state = entry["events"][0]["state"]
        ischeck = "1" if state in (3, 4) else "0"
        return {"message": "ok", "nu": entry["number"], "ischeck": ischeck, "condition": "F00",
                "com": entry["company"], "status": "200", "state": str(state),
                "data": [{k: v for k, v in e.items() if k != "state"} for e in entry["events"]]}

    def advance(self, steps: int = 1) -> list[tuple[str, str, str, dict]]:
        """Move every parcel `steps` steps; the pushes due as (number, url, salt, payload)."""
        pushes = []
        now = datetime.now(BEIJING).replace(microsecond=0, tzinfo=None)  # the carriers' clocks: Beijing time
        with self.lock:
            for entry in self.parcels.values():
                plan = track_plan(entry["number"], entry["company"])
                news = False
                for j in range(steps):
                    if entry["aborted"]:
                        break
                    if entry["step"] < len(plan):
                        state, context, place = plan[entry["step"]]
                        when = now - timedelta(minutes=steps - 1 - j)
                        if entry["events"]:
                            previous = datetime.strptime(entry["events"][0]["time"], "%Y-%m-%d %H:%M:%S")
                            when = max(when, previous + timedelta(seconds=1))
                        stamp = when.strftime("%Y-%m-%d %H:%M:%S")
                        entry["events"].insert(0, {"time": stamp, "ftime": stamp, "context": context,
                                                   "areaCode": place[0], "areaName": place[1],
                                                   "status": STATE_NAMES[state], "state": state})
                        entry["step"] += 1
                        news = True
                    elif not plan:
                        entry["idle_steps"] += 1
                        if entry["idle_steps"] >= self.abort_after and entry["callbackurl"]:
                            entry["aborted"] = True
                            pushes.append(self._push(entry, "abort", "3天查询无记录"))
                if entry["callbackurl"] and (news or entry["unsent"]) and entry["events"]:
                    final = entry["step"] >= len(plan) and entry["events"][0]["state"] in (3, 4)
                    pushes.append(self._push(entry, "shutdown" if final else "polling", ""))
            self.save()
        return pushes

    def abort(self, number: str) -> list[tuple[str, str, str, dict]]:
        with self.lock:
            entry = self.parcels.get(number)
            if entry is None or not entry["callbackurl"]:
                return []
            entry["aborted"] = True
            self.save()
            return [self._push(entry, "abort", "3天查询无记录")]

    def _push(self, entry: dict, status: str, message: str) -> tuple[str, str, str, dict]:
        last = self._result(entry) if entry["events"] else {
            "message": "ok", "nu": entry["number"], "ischeck": "0", "condition": "", "com": entry["company"],
            "status": "200", "state": "", "data": []}
        payload = {"status": status, "billstatus": "check" if status == "shutdown" else "got", "message": message,
                   "autoCheck": "0", "comOld": "", "comNew": "", "lastResult": last}
        return entry["number"], entry["callbackurl"], entry["salt"], payload

    def push_sent(self, number: str, outcome: str, ok: bool) -> None:
        with self.lock:
            entry = self.parcels.get(number)
            if entry is not None:
                entry["unsent"] = not ok
                entry["pushes"] += 1 if ok else 0
                entry["last_push"] = outcome
                self.save()


def post_form(url: str, fields: dict[str, str], timeout: float = 10.0) -> tuple[int, str]:
    """POST form fields; a host under .localhost goes to 127.0.0.1 with the URL's Host header."""
    from urllib.parse import urlencode

    parts = urlsplit(url)
    host = parts.hostname or ""
    connect = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
    port = parts.port or (443 if parts.scheme == "https" else 80)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(connect, port, timeout=timeout)
    try:
        body = urlencode(fields).encode()
        conn.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body=body,
                     headers={"Host": parts.netloc, "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        return response.status, response.read(2000).decode("utf-8", "replace")
    finally:
        conn.close()


def send_pushes(tracker: Tracker, pushes: list[tuple[str, str, str, dict]]) -> list[dict]:
    sent = []
    for number, url, salt, payload in pushes:
        param = json.dumps(payload, ensure_ascii=False)
        try:
            status, text = post_form(url, {"param": param, "sign": md5_upper(param + salt)})
            try:
                ok = status == 200 and json.loads(text).get("result") is True
            except (ValueError, AttributeError):
                ok = False
            outcome = f"{status} {text[:200]}"
        except OSError as exc:
            ok, outcome = False, f"error {exc}"
        tracker.push_sent(number, outcome, ok)
        print(f"push {payload['status']} {number} -> {url}: {outcome}", flush=True)
        sent.append({"number": number, "status": payload["status"], "ok": ok, "outcome": outcome})
    return sent


class Handler(BaseHTTPRequestHandler):
    tracker: Tracker
    server_version = "kuaidi100-devserver/1"

    def _answer(self, body: dict, status: int = 200) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _fields(self) -> dict[str, str]:
        length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        query = urlsplit(self.path).query
        fields = {k: v[0] for k, v in parse_qs(query).items()}
        fields.update({k: v[0] for k, v in parse_qs(body).items()})
        return fields

    def do_GET(self) -> None:  # noqa: N802 (http.server's names)
        if urlsplit(self.path).path == "/healthz":
            return self._answer({"status": "ok", "parcels": len(self.tracker.parcels)})
        self._answer({"result": False, "returnCode": "404", "message": "not found"}, 404)

    def do_POST(self) -> None:  # noqa: N802
        path, fields = urlsplit(self.path).path, self._fields()
        if path == "/poll":
            try:
                param = json.loads(fields.get("param", ""))
                if not isinstance(param, dict):
                    raise ValueError
            except ValueError:
                return self._answer({"result": False, "returnCode": "700", "message": "订阅参数错误"})
            return self._answer(self.tracker.subscribe(param))
        if path == "/poll/query.do":
            return self._answer(self.tracker.query(fields.get("customer", ""), fields.get("param", ""),
                                                   fields.get("sign", "")))
        if path == "/_control/advance":
            try:
                steps = max(1, min(int(fields.get("steps", "1")), 50))
            except ValueError:
                steps = 1
            return self._answer({"pushes": send_pushes(self.tracker, self.tracker.advance(steps))})
        if path == "/_control/abort":
            return self._answer({"pushes": send_pushes(self.tracker, self.tracker.abort(fields.get("number", "")))})
        self._answer({"result": False, "returnCode": "404", "message": "not found"}, 404)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        sys.stdout.write(f"{self.address_string()} {format % args}\n")
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8421)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--state", required=True, help="the JSON file holding the parcels")
    parser.add_argument("--speed", type=float, default=60.0, help="seconds per step; 0: only /_control/advance")
    parser.add_argument("--key", default=os.environ.get("TRACKING_AGGREGATOR_KEY", "devkey"))
    parser.add_argument("--customer", default=os.environ.get("TRACKING_AGGREGATOR_CUSTOMER", "DEVCUSTOMER"))
    parser.add_argument("--abort-after", type=int, default=3, help="steps without news before an abort push")
    args = parser.parse_args(argv)
    tracker = Tracker(args.state, key=args.key, customer=args.customer, abort_after=args.abort_after)
    handler = type("BoundHandler", (Handler,), {"tracker": tracker})
    server = ThreadingHTTPServer((args.bind, args.port), handler)
    server.daemon_threads = True
    if args.speed > 0:
        def tick() -> None:
            while True:
                time.sleep(args.speed)
                send_pushes(tracker, tracker.advance(1))
        threading.Thread(target=tick, daemon=True, name="advance").start()
    print(f"tracking devserver on http://{args.bind}:{args.port}/ (state {args.state}, "
          f"step every {args.speed:g}s)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
