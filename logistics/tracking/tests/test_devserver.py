"""The local tracking server (logistics.tracking.devserver) as a real process, over real HTTP: the kuaidi100
shapes it answers, the tracks it plays by the waybill's last digit, and its signed pushes."""

from __future__ import annotations

import hashlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from core.embedded import dies_with_parent

BASE_DIR = Path(__file__).resolve().parents[3]
KEY, CUSTOMER = "test-key", "TESTCUSTOMER"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Devserver:
    """`python -m logistics.tracking.devserver` on a free port; stopped (and waited for) by stop()."""

    def __init__(self, state: Path, *, key: str = KEY, customer: str = CUSTOMER, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state, self.key, self.customer = state, key, customer
        self.log = state.with_suffix(".log")
        self._log_file = open(self.log, "ab")  # noqa: SIM115 (closed by stop())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "logistics.tracking.devserver", "--port", str(self.port), "--state", str(state),
             "--speed", "0", "--key", key, "--customer", customer, "--abort-after", "2"],
            cwd=BASE_DIR, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=dies_with_parent(signal.SIGTERM))
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    assert json.loads(response.read())["status"] == "ok"
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"devserver did not start: {self.log.read_text()[-2000:]}") from None
                time.sleep(0.05)

    def post(self, path: str, **fields) -> dict:
        data = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(f"{self.url}{path}", data=data, timeout=30) as response:
            return json.loads(response.read())

    def subscribe(self, number: str, callback: str, *, salt: str = "s4lt", company: str = "shunfeng",
                  key: str | None = None) -> dict:
        param = {"company": company, "number": number, "key": key or self.key,
                 "parameters": {"callbackurl": callback, "salt": salt, "resultv2": "1"}}
        return self.post("/poll", schema="json", param=json.dumps(param))

    def query(self, number: str, *, company: str = "shunfeng", sign: str | None = None) -> dict:
        param = json.dumps({"com": company, "num": number, "resultv2": "1"})
        sign = sign or hashlib.md5((param + self.key + self.customer).encode()).hexdigest().upper()
        return self.post("/poll/query.do", customer=self.customer, param=param, sign=sign)

    def advance(self, steps: int = 1) -> list[dict]:
        return self.post("/_control/advance", steps=str(steps))["pushes"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()


@pytest.fixture
def devserver(tmp_path):
    server = Devserver(tmp_path / "tracking-state.json")
    yield server
    server.stop()


@pytest.fixture
def receiver():
    """A callback endpoint that records each POST (its Host header and form fields) and answers like we do."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            fields = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
            received.append({"host": self.headers["Host"], "path": self.path, **fields})
            reply = json.dumps({"result": True, "returnCode": "200", "message": "成功"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


def test_subscribe_answers_as_kuaidi100_and_pushes_the_signed_track_to_a_localhost_host(devserver, receiver):
    port, received = receiver
    callback = f"http://acme.localhost:{port}/logistics/push/tok123/"

    assert devserver.subscribe("SF1000000000010", callback, key="wrong")["returnCode"] == "600"
    assert devserver.subscribe("", callback)["returnCode"] == "700"
    assert devserver.subscribe("SF1000000000010", callback) == {"result": True, "returnCode": "200",
                                                                "message": "提交成功"}
    assert devserver.subscribe("SF1000000000010", callback)["returnCode"] == "501"  # already followed

    pushes = devserver.advance(2)
    assert [(p["number"], p["status"], p["ok"]) for p in pushes] == [("SF1000000000010", "polling", True)]
    push = received[-1]
    assert push["host"] == f"acme.localhost:{port}" and push["path"] == "/logistics/push/tok123/"
    assert push["sign"] == _md5(push["param"] + "s4lt")
    track = json.loads(push["param"])["lastResult"]
    assert track["nu"] == "SF1000000000010" and track["state"] == "0" and track["ischeck"] == "0"
    assert [node["status"] for node in track["data"]] == ["在途", "揽收"]  # newest first
    assert track["data"][0]["time"] > track["data"][1]["time"]

    devserver.advance(10)
    final = json.loads(received[-1]["param"])
    assert final["status"] == "shutdown" and final["lastResult"]["state"] == "3"
    assert final["lastResult"]["ischeck"] == "1"
    assert [n["status"] for n in final["lastResult"]["data"]] == ["签收", "派件", "在途", "在途", "在途", "揽收"]
    count = len(received)
    assert devserver.advance(3) == [] and len(received) == count  # finished: nothing more


def test_tracks_by_last_digit_and_abort_after_no_news(devserver, receiver):
    port, received = receiver
    for number in ("YT1000000000016", "YT1000000000017", "YT1000000000018", "YT1000000000019"):
        assert devserver.subscribe(number, f"http://127.0.0.1:{port}/cb/{number}/", company="yuantong")["result"]
    devserver.advance(10)
    last = {}
    for push in received:
        param = json.loads(push["param"])
        last[param["lastResult"]["nu"]] = param
    assert last["YT1000000000016"]["lastResult"]["state"] == "2"  # 疑难, and it stays there
    assert last["YT1000000000017"]["lastResult"]["state"] == "4"  # 退回 ... 退签
    assert "退回" in [n["status"] for n in last["YT1000000000017"]["lastResult"]["data"]]
    assert last["YT1000000000018"]["lastResult"]["state"] == "14"  # 拒签
    assert last["YT1000000000019"]["status"] == "abort" and last["YT1000000000019"]["message"] == "3天查询无记录"
    # an aborted waybill may be subscribed again
    assert devserver.subscribe("YT1000000000019", f"http://127.0.0.1:{port}/cb/again/")["returnCode"] == "200"


def test_query_is_signed_and_state_survives_a_restart(devserver, tmp_path):
    assert devserver.query("ZT100000000012", company="zhongtong")["returnCode"] == "500"  # nothing yet
    assert devserver.query("ZT100000000012", company="zhongtong", sign="0" * 32)["returnCode"] == "503"
    devserver.advance(3)
    answer = devserver.query("ZT100000000012", company="zhongtong")
    assert answer["message"] == "ok" and answer["status"] == "200" and answer["nu"] == "ZT100000000012"
    assert len(answer["data"]) == 3 and answer["data"][-1]["status"] == "揽收"
    assert answer["data"][0]["areaCode"] and answer["data"][0]["areaName"]

    devserver.stop()
    again = Devserver(devserver.state, port=devserver.port)
    try:
        assert again.query("ZT100000000012", company="zhongtong")["data"] == answer["data"]
        with urllib.request.urlopen(f"{again.url}/healthz", timeout=5) as response:
            assert json.loads(response.read()) == {"status": "ok", "parcels": 1}
    finally:
        again.stop()
    assert not list(tmp_path.glob("*.tmp"))  # writes are atomic (temporary file, then rename)
