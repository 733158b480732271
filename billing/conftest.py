"""Fixtures of the billing tests: ``localstripe``, the fake Stripe that core.runner starts for `make test`
(one more embedded process, like Redis; STRIPE_API_BASE / STRIPE_API_KEY / STRIPE_WEBHOOK_SECRET in the
environment). Real HTTP, no mocks: the platform's Stripe adapter talks to it as it would to Stripe.

Each test that asks for it gets an empty localstripe (DELETE /_config/data before and after) whose
webhooks go nowhere until the test points them at a live server (``webhook_to``). localstripe has no
clock: ``renew`` is how a test drives a renewal (docs/billing.md, "What differs with real Stripe")."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
import stripe

MUTED = {"url": "http://127.0.0.1:9/muted", "secret": "muted", "events": []}  # an empty list: no event is sent


@dataclass
class Localstripe:
    url: str
    api_key: str
    webhook_secret: str

    def request(self, method: str, path: str, data: dict | None = None) -> dict:
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=body, method=method, headers={
            "Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
        return json.loads(raw) if raw.strip() else {}

    def reset(self) -> None:
        """Every object forgotten (DELETE /_config/data) and the platform's webhook muted."""
        self.request("DELETE", "/_config/data")
        self.request("POST", "/_config/webhooks/platform", MUTED)

    def webhook_to(self, url: str, *, secret: str | None = None) -> None:
        """localstripe's webhook "platform" delivers every event to url, signed with secret (the platform's)."""
        self.request("POST", "/_config/webhooks/platform", {"url": url, "secret": secret or self.webhook_secret})

    def renew(self, subscription_id: str) -> dict:
        """What Stripe does at a period's end (localstripe has no clock): the subscription's next invoice
        is created and paid with the customer's default card. Returns the invoice as localstripe has it."""
        subscription = self.request("GET", f"/v1/subscriptions/{subscription_id}")
        invoice = self.request("POST", "/v1/invoices", {"customer": subscription["customer"],
                                                        "subscription": subscription_id})
        return self.request("POST", f"/v1/invoices/{invoice['id']}/pay", {})

    def events(self, type: str | None = None) -> list[dict]:
        return self.request("GET", "/v1/events" + (f"?type={type}" if type else ""))["data"]

    def sign(self, payload: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
        """A Stripe-Signature header for payload, as localstripe and Stripe sign: t=…,v1=HMAC-SHA256(t.payload)."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        digest = hmac.new((secret or self.webhook_secret).encode(), f"{timestamp}.".encode() + payload,
                          hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"


@pytest.fixture
def localstripe(settings):
    """The embedded localstripe, emptied for the test; the adapter (settings) and stripe.api_base point at it."""
    url = (settings.STRIPE_API_BASE or "").rstrip("/")
    if not url.startswith("http://127.0.0.1") or not settings.STRIPE_API_KEY:
        pytest.fail("localstripe is not running: run the tests with `python -m core.runner test …` (`make test`), "
                    "which starts it and sets STRIPE_API_BASE / STRIPE_API_KEY")
    if not settings.STRIPE_WEBHOOK_SECRET:
        settings.STRIPE_WEBHOOK_SECRET = "whsec_tests"
    settings.STRIPE_LOCALSTRIPE = True
    fake = Localstripe(url=url, api_key=settings.STRIPE_API_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET)
    try:
        fake.reset()
    except (urllib.error.URLError, OSError) as exc:
        pytest.fail(f"localstripe does not answer at {url}: {exc}")
    before = stripe.api_base
    stripe.api_base = url
    yield fake
    stripe.api_base = before
    try:
        fake.reset()
    except (urllib.error.URLError, OSError):
        pass
