"""HTTP JSON connector for the data-exchange centre's live registry / credit API.

    GET {base_url}/{path}?page=1&page_size=200[&updated_since=2025-01-01]
    Authorization: Bearer <key>        (also sent as X-API-Key)

The answer is a page of records under `records` (or `data` / `items` / `list` / `rows`), either at
the top level or inside a `{"code": 0, "data": {...}}` envelope, with `pages` (or `total`) telling
how many there are. Records carry the centre's field names (the same as the file drops), so the
same cleaning and validation apply.

Time-outs, connection errors, HTTP 429 and 5xx are retried with exponential back-off (honouring
Retry-After); other 4xx answers (a wrong key …) fail at once. Configuration, from Django settings
or the environment: GOVDATA_API_URL, GOVDATA_API_KEY, GOVDATA_API_TIMEOUT (s), GOVDATA_API_RETRIES,
GOVDATA_API_BACKOFF (s), GOVDATA_API_PAGE_SIZE.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Callable

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

PATHS = {"registry": "registry", "credit_events": "credit/events", "credit_ratings": "credit/ratings"}
RECORD_KEYS = ("records", "data", "items", "list", "rows", "result")
RETRY_STATUSES = {429, 500, 502, 503, 504}


class ConnectorError(Exception):
    pass


@dataclass
class GovApiConnector:
    base_url: str
    api_key: str = ""
    timeout: float = 20.0
    retries: int = 3  # attempts after the first one
    backoff: float = 1.0  # first wait; doubles after each failed attempt
    backoff_max: float = 60.0
    page_size: int = 200
    max_pages: int = 5000
    updated_since: str = ""
    sleep: Callable[[float], None] = time.sleep
    log: list[str] = field(default_factory=list)  # what happened, attempt by attempt

    def endpoint_url(self, kind: str) -> str:
        return f"{self.base_url.rstrip('/')}/{PATHS[kind]}"

    def page_url(self, kind: str, page: int) -> str:
        query = {"page": page, "page_size": self.page_size}
        if self.updated_since:
            query["updated_since"] = self.updated_since
        return f"{self.endpoint_url(kind)}?{urllib.parse.urlencode(query)}"

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "digitalbridge-govdata/1"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
            headers["X-API-Key"] = self.api_key
        return headers

    def get_json(self, url: str) -> dict:
        """One GET with retries. Raises ConnectorError when every attempt failed or the answer is final."""
        wait = self.backoff
        last = ""
        for attempt in range(self.retries + 1):
            retry_after = None
            try:
                request = urllib.request.Request(url, headers=self._headers())
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read()
                try:
                    payload = json.loads(body.decode("utf-8-sig"))
                except (UnicodeDecodeError, ValueError):
                    last = _("the answer is not JSON")
                else:
                    if not isinstance(payload, dict):
                        raise ConnectorError(_("%(url)s: the answer is not a JSON object.") % {"url": url})
                    self.log.append(f"{url} -> 200")
                    return payload
            except urllib.error.HTTPError as exc:
                self.log.append(f"{url} -> {exc.code}")
                if exc.code not in RETRY_STATUSES:
                    raise ConnectorError(_("%(url)s answered HTTP %(code)d %(reason)s.")
                                         % {"url": url, "code": exc.code, "reason": exc.reason})
                last = f"HTTP {exc.code}"
                header = exc.headers.get("Retry-After") if exc.headers else None
                if header and header.strip().isdigit():
                    retry_after = float(header.strip())
            except (socket.timeout, TimeoutError):
                self.log.append(f"{url} -> timeout")
                last = _("no answer within %(s)s s") % {"s": self.timeout}
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, (socket.timeout, TimeoutError)):
                    self.log.append(f"{url} -> timeout")
                    last = _("no answer within %(s)s s") % {"s": self.timeout}
                else:
                    self.log.append(f"{url} -> {exc.reason}")
                    last = str(exc.reason)
            except (ConnectionError, OSError) as exc:
                self.log.append(f"{url} -> {exc}")
                last = str(exc)
            if attempt < self.retries:
                delay = min(self.backoff_max, retry_after if retry_after is not None else wait)
                logger.warning("govdata API %s failed (%s); retry %d in %.1fs", url, last, attempt + 1, delay)
                self.sleep(delay)
                wait *= 2
        raise ConnectorError(_("%(url)s failed after %(n)d attempts: %(last)s")
                             % {"url": url, "n": self.retries + 1, "last": last})

    @staticmethod
    def _unwrap(payload: dict) -> tuple[list[dict], dict]:
        body = payload
        if isinstance(payload.get("data"), dict):  # {"code": 0, "msg": "ok", "data": {...}}
            code = payload.get("code")
            if code not in (None, 0, "0", 200, "200", "success"):
                raise ConnectorError(_("The centre answered code %(code)s: %(msg)s")
                                     % {"code": code, "msg": payload.get("msg") or payload.get("message") or ""})
            body = payload["data"]
        for key in RECORD_KEYS:
            if isinstance(body.get(key), list):
                records = body[key]
                if not all(isinstance(r, dict) for r in records):
                    raise ConnectorError(_("The records of the answer are not JSON objects."))
                return records, body
        raise ConnectorError(_("The answer has no list of records."))

    def fetch_all(self, kind: str) -> list[dict]:
        """Every record of one kind, page after page."""
        records: list[dict] = []
        page = 1
        while page <= self.max_pages:
            batch, body = self._unwrap(self.get_json(self.page_url(kind, page)))
            records.extend(batch)
            pages = body.get("pages") or body.get("total_pages") or body.get("totalPages")
            total = body.get("total") or body.get("totalCount")
            if pages is not None:
                if page >= int(pages):
                    break
            elif total is not None:
                if len(records) >= int(total):
                    break
            elif len(batch) < self.page_size:
                break
            if not batch:
                break
            page += 1
        return records


def _setting(name: str, default=None):
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return value


def connector_from_settings() -> GovApiConnector | None:
    url = _setting("GOVDATA_API_URL", "")
    if not url:
        return None
    return GovApiConnector(base_url=url, api_key=_setting("GOVDATA_API_KEY", "") or "",
                           timeout=float(_setting("GOVDATA_API_TIMEOUT", 20)),
                           retries=int(_setting("GOVDATA_API_RETRIES", 3)),
                           backoff=float(_setting("GOVDATA_API_BACKOFF", 2)),
                           page_size=int(_setting("GOVDATA_API_PAGE_SIZE", 200)))
