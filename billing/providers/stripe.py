"""The Stripe adapter of billing.providers.base.PaymentProvider, with the `stripe` package.

Offline (``make run`` / ``make test``) it talks to localstripe, started by core.runner as one more
embedded process (STRIPE_API_BASE=http://127.0.0.1:<port>); with STRIPE_API_KEY set it talks to Stripe
itself. localstripe is a separate process reached over HTTP only: nothing here imports it (it is GPLv3, a
dev extra). docs/billing.md, "Stripe", says what differs between the two.

Mapping:
- A plan is a Stripe product with one recurring *plan* per interval (localstripe has no Prices; Stripe still
  accepts a plan wherever a price is expected). Seats: a subscription has ONE item (localstripe supports no
  more), so a plan with an extra-seat price is a volume-tiered plan ``flat_amount = price − seat price,
  unit_amount = seat price`` and the item's quantity is 1 + extra seats (= price + seats × seat price).
  Then ``PlanRefs.seat_month`` / ``seat_year`` name the same plan as ``month`` / ``year`` ("the seats are
  units of this plan"); they are empty for a plan whose extra seats cost nothing.
- Money: Decimal yuan here, integer fen at Stripe (×100). Currency: settings.STRIPE_CURRENCY (cny).
- Errors: every Stripe error becomes a ProviderError with Stripe's code (card_declined, …; a 404 is
  ``resource_missing``).

Where localstripe differs (only when STRIPE_LOCALSTRIPE is true, i.e. STRIPE_API_BASE is not Stripe's):
- it has no "trialing" status (a subscription in its trial stays "incomplete" with no invoice): reported
  as trialing while trial_end is ahead;
- a payment that fails on an invoice of a running subscription leaves it "active" with an open invoice:
  reported as past_due, as Stripe does;
- no ``proration_behavior``: an upgrade now is ``items`` + an invoice created and paid at once (what
  Stripe's ``always_invoice`` does); a change without proration drops the "Unused time" items localstripe
  leaves pending.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings
from django.utils import timezone

from billing.providers.base import (
    PaymentProvider,
    PlanRefs,
    ProviderError,
    ProviderEventIn,
    ProviderInvoice,
    ProviderInvoiceLine,
    ProviderRefund,
    ProviderSubscription,
    SignatureError,
)

CENT = Decimal("0.01")
_clients: dict[tuple[str, str], stripe.StripeClient] = {}
_clients_lock = threading.Lock()


def to_fen(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def from_fen(amount) -> Decimal:
    return (Decimal(int(amount or 0)) / 100).quantize(CENT)


def _time(value) -> datetime | None:
    if value in (None, "", 0):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def _plain(obj) -> dict:
    """A response as plain dicts and lists (StripeObject is no dict since stripe 12)."""
    if isinstance(obj, dict) and not hasattr(obj, "to_dict"):
        return obj
    if hasattr(obj, "to_dict_recursive"):  # stripe < 12
        return obj.to_dict_recursive()
    return obj.to_dict()


def _id(value) -> str:
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


class StripeProvider(PaymentProvider):
    name = "stripe"

    # ------------------------------------------------------------------------------------- plumbing

    @property
    def localstripe(self) -> bool:
        return settings.STRIPE_LOCALSTRIPE

    def _client(self):
        key, base = settings.STRIPE_API_KEY, settings.STRIPE_API_BASE
        if not key:
            raise ProviderError("Stripe is not configured (STRIPE_API_KEY).", code="not_configured")
        with _clients_lock:
            client = _clients.get((key, base))
            if client is None:
                client = stripe.StripeClient(api_key=key, base_addresses={"api": base},
                                             max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES)
                _clients[(key, base)] = client
        return getattr(client, "v1", client)

    def _call(self, fn, *args, **kwargs) -> dict:
        try:
            return _plain(fn(*args, **kwargs))
        except stripe.StripeError as exc:
            code = getattr(exc, "code", None) or ("resource_missing" if exc.http_status == 404 else "")
            message = getattr(exc, "user_message", None) or str(exc) or exc.__class__.__name__
            raise ProviderError(message, code=code or "provider_error") from exc

    # ---------------------------------------------------------------------------------------- plans

    def _plan_create(self, *, product: str, code: str, interval: str, price: Decimal, seat: Decimal) -> str:
        params = {"product": product, "currency": settings.STRIPE_CURRENCY, "interval": interval,
                  "nickname": f"{code}-{interval}", "metadata": {"plan": code, "interval": interval}}
        if seat:
            if seat > price:
                raise ProviderError(f"An extra seat ({seat}) cannot cost more than the plan ({price}) per {interval}.",
                                    code="seat_price_above_plan")
            params.update(billing_scheme="tiered", tiers_mode="volume",
                          tiers=[{"up_to": "inf", "flat_amount": to_fen(price - seat), "unit_amount": to_fen(seat)}])
        else:
            params["amount"] = to_fen(price)
        return self._call(self._client().plans.create, params=params)["id"]

    def plan_sync(self, *, code: str, name: str, price_month: Decimal, price_year: Decimal,
                  extra_seat_month: Decimal, extra_seat_year: Decimal, refs: dict) -> PlanRefs:
        client = self._client()
        product = refs.get("product") or ""
        if product:
            try:
                self._call(client.products.update, product, params={"name": name})
            except ProviderError as exc:
                if exc.code != "resource_missing":
                    raise
                product = ""  # forgotten by the provider (a fresh localstripe): made again
        if not product:
            product = self._call(client.products.create, params={"name": name, "metadata": {"plan": code}})["id"]
        month = self._plan_create(product=product, code=code, interval="month", price=price_month,
                                  seat=extra_seat_month)
        year = self._plan_create(product=product, code=code, interval="year", price=price_year, seat=extra_seat_year)
        return PlanRefs(product=product, month=month, year=year, seat_month=month if extra_seat_month else "",
                        seat_year=year if extra_seat_year else "")

    # ------------------------------------------------------------------------------ customers, cards

    def customer_ensure(self, *, customer_id: str, name: str, email: str, metadata: dict) -> str:
        client = self._client()
        params = {"name": name, "email": email, "metadata": {k: str(v) for k, v in metadata.items()}}
        if customer_id:
            try:
                found = self._call(client.customers.retrieve, customer_id)
                if not found.get("deleted"):
                    return found["id"]
            except ProviderError as exc:
                if exc.code != "resource_missing":
                    raise
        return self._call(client.customers.create, params=params)["id"]

    def card_tokenize(self, *, number: str, exp_month: int, exp_year: int, cvc: str) -> str:
        """A PaymentMethod from card data typed into the platform's form (localstripe; with Stripe itself
        this needs raw card data APIs enabled on the account, else the form must use Stripe.js)."""
        return self._call(self._client().payment_methods.create, params={
            "type": "card", "card": {"number": number, "exp_month": int(exp_month), "exp_year": int(exp_year),
                                     "cvc": cvc}})["id"]

    def card_attach(self, *, customer_id: str, card_token: str) -> None:
        """A PaymentMethod id (pm_…, also Stripe's test ids pm_card_visa, pm_card_chargeCustomerFail, …)
        attached and made the default for invoices; a token (tok_…) becomes the default source."""
        client = self._client()
        if card_token.startswith("tok_") or card_token.startswith("src_"):
            source = self._call(client.customers.payment_sources.create, customer_id, params={"source": card_token})
            self._call(client.customers.update, customer_id, params={"default_source": source["id"]})
            return
        method = self._call(client.payment_methods.attach, card_token, params={"customer": customer_id})
        self._call(client.customers.update, customer_id,
                   params={"invoice_settings": {"default_payment_method": method["id"]}})

    # --------------------------------------------------------------------------------- subscriptions

    @staticmethod
    def _item(interval: str, refs: PlanRefs, extra_seats: int) -> dict:
        plan = refs.year if interval == "year" else refs.month
        tiered = refs.seat_year if interval == "year" else refs.seat_month
        if extra_seats and not tiered:
            extra_seats = 0  # the plan's extra seats cost nothing: one unit of the plan
        return {"plan": plan, "quantity": 1 + extra_seats}

    def subscription_create(self, *, customer_id: str, refs: PlanRefs, interval: str, extra_seats: int,
                            trial_end: datetime | None, metadata: dict) -> ProviderSubscription:
        params = {"customer": customer_id, "items": [self._item(interval, refs, extra_seats)],
                  "metadata": {k: str(v) for k, v in metadata.items()}}
        if trial_end is not None:
            params["trial_end"] = int(trial_end.timestamp())
        created = self._call(self._client().subscriptions.create, params=params)
        return self.subscription_fetch(created["id"])

    def subscription_change(self, *, subscription_id: str, refs: PlanRefs, interval: str, extra_seats: int,
                            prorate: bool) -> ProviderSubscription:
        client = self._client()
        current = self._call(client.subscriptions.retrieve, subscription_id)
        item = {"id": current["items"]["data"][0]["id"], **self._item(interval, refs, extra_seats)}
        if not self.localstripe:
            self._call(client.subscriptions.update, subscription_id, params={
                "items": [item], "proration_behavior": "always_invoice" if prorate else "none"})
            return self.subscription_fetch(subscription_id)
        before = _id(current.get("latest_invoice"))
        changed = self._call(client.subscriptions.update, subscription_id, params={"items": [item]})
        customer = changed["customer"]
        if not prorate:
            self._pending_prorations_drop(customer=customer, subscription_id=subscription_id)
        elif _id(changed.get("latest_invoice")) == before:  # an interval change was invoiced already
            pending = self._pending_prorations(customer=customer, subscription_id=subscription_id)
            if pending or changed["status"] in ("active", "past_due"):
                invoice = self._call(client.invoices.create, params={"customer": customer,
                                                                     "subscription": subscription_id})
                if invoice["status"] in ("draft", "open") and invoice.get("total", 0) > 0:
                    try:
                        self._call(client.invoices.pay, invoice["id"])
                    except ProviderError as exc:  # the card was refused: the invoice stays open (past due)
                        if exc.code not in ("card_declined", "resource_missing"):
                            raise
        return self.subscription_fetch(subscription_id)

    def _pending_prorations(self, *, customer: str, subscription_id: str) -> list[dict]:
        listed = self._call(self._client().invoice_items.list, params={"customer": customer, "limit": 100})
        return [item for item in listed.get("data", []) if not item.get("invoice") and item.get("proration")
                and item.get("subscription") in (None, subscription_id)]

    def _pending_prorations_drop(self, *, customer: str, subscription_id: str) -> None:
        for item in self._pending_prorations(customer=customer, subscription_id=subscription_id):
            self._call(self._client().invoice_items.delete, item["id"])

    def subscription_cancel(self, *, subscription_id: str, at_period_end: bool) -> ProviderSubscription:
        client = self._client()
        if at_period_end:
            self._call(client.subscriptions.update, subscription_id, params={"cancel_at_period_end": True})
            return self.subscription_fetch(subscription_id)
        return self._subscription(self._call(client.subscriptions.cancel, subscription_id))

    def subscription_resume(self, *, subscription_id: str) -> ProviderSubscription:
        """Withdraw a cancellation at the period end."""
        self._call(self._client().subscriptions.update, subscription_id, params={"cancel_at_period_end": False})
        return self.subscription_fetch(subscription_id)

    def subscription_fetch(self, subscription_id: str) -> ProviderSubscription:
        return self._subscription(self._call(self._client().subscriptions.retrieve, subscription_id))

    def _subscription(self, data: dict) -> ProviderSubscription:
        items = (data.get("items") or {}).get("data") or [{}]
        item = items[0]
        plan = item.get("plan") or item.get("price") or {}
        status = data.get("status") or ""
        latest = _id(data.get("latest_invoice"))
        trial_end = _time(data.get("trial_end"))
        if self.localstripe:
            status = self._localstripe_status(status, trial_end=trial_end, latest_invoice_id=latest)
        return ProviderSubscription(
            id=data["id"], customer_id=_id(data.get("customer")), status=status,
            current_period_start=_time(data.get("current_period_start") or item.get("current_period_start")),
            current_period_end=_time(data.get("current_period_end") or item.get("current_period_end")),
            trial_end=trial_end, cancel_at_period_end=bool(data.get("cancel_at_period_end")),
            latest_invoice_id=latest, plan_ref=_id(plan),
            seats=max(0, int(item.get("quantity") or 1) - 1) if plan.get("billing_scheme") == "tiered" else 0)

    def _localstripe_status(self, status: str, *, trial_end: datetime | None, latest_invoice_id: str) -> str:
        if status == "incomplete" and not latest_invoice_id and trial_end and trial_end > timezone.now():
            return "trialing"
        if status == "active" and latest_invoice_id:
            invoice = self._call(self._client().invoices.retrieve, latest_invoice_id)
            if invoice.get("status") == "open" and invoice.get("charge"):  # a payment was tried and failed
                return "past_due"
        return status

    # -------------------------------------------------------------------------------------- invoices

    def invoice_fetch(self, invoice_id: str) -> ProviderInvoice:
        return self._invoice(self._call(self._client().invoices.retrieve, invoice_id))

    def invoices_list(self, *, customer_id: str) -> list[ProviderInvoice]:
        listed = self._call(self._client().invoices.list, params={"customer": customer_id, "limit": 100})
        return [self._invoice(data) for data in listed.get("data", [])]

    @staticmethod
    def _invoice(data: dict) -> ProviderInvoice:
        subscription = _id(data.get("subscription")) or _id(
            ((data.get("parent") or {}).get("subscription_details") or {}).get("subscription"))
        lines = []
        for line in (data.get("lines") or {}).get("data", []):
            plan = line.get("plan") or {}
            description = line.get("description") or plan.get("nickname") or _id(plan) or ""
            lines.append(ProviderInvoiceLine(description=description, quantity=int(line.get("quantity") or 1),
                                             amount=from_fen(line.get("amount"))))
        return ProviderInvoice(
            id=data["id"], customer_id=_id(data.get("customer")), subscription_id=subscription,
            status=data.get("status") or "", number=data.get("number") or data["id"],
            amount_total=from_fen(data.get("total")), amount_paid=from_fen(data.get("amount_paid")),
            currency=(data.get("currency") or settings.STRIPE_CURRENCY).upper(),
            created=_time(data.get("created") or data.get("date")) or timezone.now(),
            period_start=_time(data.get("period_start")), period_end=_time(data.get("period_end")), lines=lines)

    def invoice_refund(self, *, invoice_id: str, amount: Decimal, key: str, metadata: dict) -> ProviderRefund:
        """A partial refund of the invoice's payment (its PaymentIntent, else its Charge), at most once per
        ``key``: the payment's refunds are looked up first (metadata ``key``) and the create call carries
        ``key`` as Stripe's idempotency key, so a retry after a crash never refunds twice."""
        client = self._client()
        data = self._call(client.invoices.retrieve, invoice_id)
        if data.get("status") != "paid" or not data.get("amount_paid"):
            raise ProviderError(f"Invoice {invoice_id} is not paid: nothing to give back.", code="invoice_not_paid")
        payment_intent, charge = _id(data.get("payment_intent")), _id(data.get("charge"))
        if payment_intent:
            payment = {"payment_intent": payment_intent}
        elif charge:
            payment = {"charge": charge}
        else:  # Stripe API versions from 2025-03 list payments under invoice.payments
            payments = ((data.get("payments") or {}).get("data") or [])
            found = next((_id((p.get("payment") or {}).get("payment_intent")) for p in payments
                          if (p.get("payment") or {}).get("payment_intent")), "")
            if not found:
                raise ProviderError(f"Invoice {invoice_id} has no payment to refund.", code="invoice_not_paid")
            payment = {"payment_intent": found}
        listed = self._call(client.refunds.list, params={**payment, "limit": 100})
        for refund in listed.get("data", []):
            if (refund.get("metadata") or {}).get("key") == key and refund.get("status") != "failed":
                return ProviderRefund(id=refund["id"], amount=from_fen(refund.get("amount")), created=False)
        fen = min(to_fen(amount), int(data.get("amount_paid") or 0))
        if fen <= 0:
            raise ProviderError("Nothing to refund.", code="amount_invalid")
        created = self._call(client.refunds.create, params={
            **payment, "amount": fen, "metadata": {"key": key, **{k: str(v)[:450] for k, v in metadata.items()}}},
            options={"idempotency_key": key})
        return ProviderRefund(id=created["id"], amount=from_fen(created.get("amount")), created=True)

    # -------------------------------------------------------------------------------------- webhooks

    def event_verify(self, *, body: bytes, signature_header: str) -> ProviderEventIn:
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            raise SignatureError("no webhook secret configured (STRIPE_WEBHOOK_SECRET)")
        if not signature_header:
            raise SignatureError("no Stripe-Signature header")
        try:
            stripe.WebhookSignature.verify_header(body.decode("utf-8"), signature_header, secret,
                                                  settings.STRIPE_WEBHOOK_TOLERANCE)
        except stripe.SignatureVerificationError as exc:
            raise SignatureError(str(exc) or "bad signature") from exc
        except UnicodeDecodeError as exc:
            raise SignatureError("body is not UTF-8") from exc
        try:
            payload = json.loads(body)
            obj = payload["data"]["object"]
            return ProviderEventIn(id=str(payload["id"]), type=str(payload["type"]), object_id=str(obj.get("id") or ""),
                                   object_type=str(obj.get("object") or ""), payload=payload)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SignatureError("signed, but not an event") from exc
