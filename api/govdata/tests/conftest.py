"""Fixtures of the government-data tests: valid credit codes, file builders, a stand-in for the
centre's HTTP API on 127.0.0.1 (http.server in a thread)."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import translation

from api.govdata.connector import GovApiConnector
from core.uscc import uscc_make

USCC_A = uscc_make(org_body="MA2H4XY1")
USCC_B = uscc_make(org_body="14407054")
USCC_C = uscc_make(org_body="7161058Q")
USCC_D = uscc_make(org_body="MA7C2Y30")


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


class Centre:
    """Routes: path → list of answers, consumed one per request (the last one repeats).
    An answer is (status, payload) or ("sleep", seconds, status, payload)."""

    def __init__(self):
        self.routes: dict[str, list] = {}
        self.requests: list[tuple[str, dict, dict]] = []
        self.api_key = "centre-key-123"

    def answer(self, path: str, query: dict, headers: dict):
        self.requests.append((path, query, headers))
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, {"code": 401, "msg": "bad key"}
        page = int(query.get("page", ["1"])[0])
        answers = self.routes.get(f"{path}?page={page}") or self.routes.get(path)
        if not answers:
            return 404, {"msg": "no such path"}
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if answer[0] == "sleep":
            time.sleep(answer[1])
            answer = answer[2:]
        return answer

    def paged(self, path: str, records: list[dict], page_size: int) -> None:
        pages = max(1, -(-len(records) // page_size))
        for n in range(1, pages + 1):
            chunk = records[(n - 1) * page_size:n * page_size]
            self.routes[f"{path}?page={n}"] = [(200, {"code": 0, "msg": "ok", "data": {
                "page": n, "pages": pages, "total": len(records), "records": chunk}})]


@pytest.fixture
def centre():
    state = Centre()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            url = urlparse(self.path)
            status, payload = state.answer(url.path, parse_qs(url.query), dict(self.headers))
            body = json.dumps(payload, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (time-out test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def connector(centre):
    return GovApiConnector(base_url=centre.url, api_key=centre.api_key, timeout=0.5, retries=2, backoff=0.01,
                           page_size=2)


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in the English source text, whatever the zh-Hans catalogue holds."""
    with translation.override("en"):
        yield
