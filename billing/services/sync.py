"""The payment provider's state, copied onto our rows: webhooks in, subscriptions and invoices synced.

- ``webhook_reject``: a request whose signature or timestamp does not verify is logged (RejectedWebhook:
  reason, address, the body's SHA-256, never the body) and never processed.
- ``event_store``: a verified event is stored once: (provider, event_id) is unique, so a redelivery or a
  replay of the same event inserts nothing and queues nothing (``created`` is False).
- ``event_process`` (the Celery task billing.provider_event_process calls it, with retries): the event is
  only a hint of *what* changed. The object is read again from the provider (never the event's copy), so
  events may arrive in any order, twice, or late, and the last read wins.
- ``subscription_sync``: status, periods, trial, cancel-at-period-end, plan and seats from the provider;
  past_due_since set when the subscription falls behind and cleared when it is paid again; a downgrade
  waiting for the period end (pending_plan) is applied when the provider has started a new period; then
  ``billing.entitlements.entitlements_apply``.
- ``invoice_sync``: the provider's invoice as our Invoice (a new one numbered "DB<year><6 digits>"); a new
  invoice of a subsidised subscription is split by ``billing.services.subsidies.invoice_subsidy_apply``
  before any payment is recorded on it (the enterprise's share is what it owes); drafts are skipped
  (Stripe finalises them later and says so). The provider charged the card the full price: once its
  invoice is paid, the granted share is refunded on that payment
  (``billing.services.subsidies.card_invoice_subsidy_refund``, once per invoice), so amount_paid is what
  the card paid less the refund — the enterprise's share, never hidden by a cap.

Locks: the subscription row (then, inside entitlements_apply, the enterprise); for an invoice, the invoice
row (inside invoice_subsidy_apply, then the programme)."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.entitlements import entitlements_apply
from billing.models import Interval, Invoice, Plan, ProviderEvent, RejectedWebhook, Subscription
from billing.providers import provider
from billing.providers.base import ProviderError, ProviderEventIn, ProviderInvoice, ProviderSubscription
from billing.services.invoices import invoice_number_next
from billing.services.subscriptions import provider_state_copy, subscription_pending_apply
from billing.services.subsidies import card_invoice_subsidy_refund, invoice_subsidy_apply

log = logging.getLogger(__name__)

ZERO = Decimal("0")
INVOICE_STATUS = {"draft": Invoice.Status.DRAFT, "open": Invoice.Status.OPEN, "paid": Invoice.Status.PAID,
                  "void": Invoice.Status.VOID, "uncollectible": Invoice.Status.UNCOLLECTIBLE}


class NotKnownYet(Exception):
    """The event names an object we have no row for (yet): the task retries a few times, then ignores it."""


# ----------------------------------------------------------------------------------------- webhooks in

def webhook_reject(*, provider_name: str, reason: str, remote_addr: str, body: bytes) -> RejectedWebhook:
    """Log a refused webhook request (the body itself is not kept: it may be anyone's)."""
    rejected = RejectedWebhook.objects.create(provider=provider_name[:20], reason=reason[:200],
                                              remote_addr=(remote_addr or "")[:45],
                                              body_sha256=hashlib.sha256(body).hexdigest())
    log.warning("webhook of %s refused from %s: %s", provider_name, remote_addr or "?", reason)
    return rejected


def event_store(*, provider_name: str, event: ProviderEventIn) -> tuple[ProviderEvent, bool]:
    """(the stored event, whether it is new). A second delivery of the same event id stores nothing."""
    try:
        with transaction.atomic():  # a savepoint: the unique violation of a duplicate leaves nothing behind
            stored = ProviderEvent.objects.create(provider=provider_name, event_id=event.id[:100],
                                                  type=event.type[:100], payload=event.payload)
        return stored, True
    except IntegrityError:
        stored = ProviderEvent.objects.get(provider=provider_name, event_id=event.id[:100])
        log.info("event %s of %s received again (delivered twice or replayed): nothing done", event.id, provider_name)
        return stored, False


# -------------------------------------------------------------------------------------- processing

def _object_of(event: ProviderEvent) -> tuple[str, str]:
    obj = ((event.payload or {}).get("data") or {}).get("object") or {}
    return str(obj.get("object") or ""), str(obj.get("id") or "")


def event_process(*, event_pk: int) -> ProviderEvent:
    """Process a stored event once: re-read its subscription / invoice from the provider and sync it.
    ProviderError (the provider did not answer) and NotKnownYet propagate: the task retries."""
    event = ProviderEvent.objects.get(pk=event_pk)
    if event.status in (ProviderEvent.Status.PROCESSED, ProviderEvent.Status.IGNORED):
        return event
    backend = provider()
    object_type, object_id = _object_of(event)
    ProviderEvent.objects.filter(pk=event.pk).update(attempts=event.attempts + 1)
    done = False
    if object_type == "subscription" and object_id:
        try:
            state = backend.subscription_fetch(object_id)
        except ProviderError as exc:
            if exc.code != "resource_missing":
                raise
            return _finish(event, ProviderEvent.Status.IGNORED, f"{object_id} is unknown to the provider")
        done = subscription_sync(provider_subscription=state) is not None
        if not done:
            raise NotKnownYet(object_id)
    elif object_type == "invoice" and object_id:
        try:
            state = backend.invoice_fetch(object_id)
        except ProviderError as exc:
            if exc.code != "resource_missing":
                raise
            return _finish(event, ProviderEvent.Status.IGNORED, f"{object_id} is unknown to the provider")
        if state.status == "draft":
            return _finish(event, ProviderEvent.Status.IGNORED, "a draft invoice (synced once finalised)")
        if state.subscription_id:
            try:
                subscription = backend.subscription_fetch(state.subscription_id)
            except ProviderError as exc:
                if exc.code != "resource_missing":
                    raise
                subscription = None
            if subscription is not None and subscription_sync(provider_subscription=subscription) is None:
                raise NotKnownYet(state.subscription_id)
        done = invoice_sync(provider_invoice=state) is not None
        if not done:
            raise NotKnownYet(object_id)
    else:
        return _finish(event, ProviderEvent.Status.IGNORED, f"nothing to sync for {event.type}")
    return _finish(event, ProviderEvent.Status.PROCESSED, "")


def _finish(event: ProviderEvent, status: str, note: str) -> ProviderEvent:
    ProviderEvent.objects.filter(pk=event.pk).update(status=status, error=note, processed_at=timezone.now())
    event.refresh_from_db()
    return event


def event_failed(*, event_pk: int, error: str, final: bool) -> None:
    """Record why processing failed (final: no retry is left, the event stays FAILED for the admin)."""
    values = {"error": error[:2000]}
    if final:
        values.update(status=ProviderEvent.Status.FAILED, processed_at=timezone.now())
    ProviderEvent.objects.filter(pk=event_pk).exclude(status=ProviderEvent.Status.PROCESSED).update(**values)


def event_ignore(*, event_pk: int, note: str) -> None:
    ProviderEvent.objects.filter(pk=event_pk).exclude(status=ProviderEvent.Status.PROCESSED).update(
        status=ProviderEvent.Status.IGNORED, error=note[:2000], processed_at=timezone.now())


# ----------------------------------------------------------------------------------- subscriptions

def _plan_for_ref(plan_ref: str, provider_name: str) -> tuple[Plan, str] | None:
    if not plan_ref:
        return None
    for plan in Plan.objects.filter(provider_refs__has_key=provider_name):
        refs = plan.provider_refs.get(provider_name) or {}
        if refs.get("month") == plan_ref:
            return plan, Interval.MONTH
        if refs.get("year") == plan_ref:
            return plan, Interval.YEAR
    return None


@transaction.atomic
def subscription_sync(*, provider_subscription: ProviderSubscription,
                      now: datetime | None = None) -> Subscription | None:
    """Copy the provider's subscription onto ours (None: we have no subscription with that provider id)."""
    now = now or timezone.now()
    state = provider_subscription
    backend_name = provider().name
    subscription = (Subscription.objects.select_for_update().select_related("plan", "enterprise")
                    .filter(provider=backend_name, provider_subscription_id=state.id).first())
    if subscription is None:
        return None
    if subscription.status == Subscription.Status.CANCELED:
        return subscription  # history: a late event never brings an ended subscription back
    previous_start, previous_end = subscription.current_period_start, subscription.current_period_end
    changed = provider_state_copy(subscription, state)
    known = _plan_for_ref(state.plan_ref, backend_name)
    if known is not None:
        plan, interval = known
        seats = state.seats if (plan.provider_refs.get(backend_name) or {}).get(f"seat_{interval}") \
            else subscription.extra_seats
        for name, value in (("plan", plan), ("interval", interval), ("extra_seats", seats)):
            if getattr(subscription, name) != value:
                setattr(subscription, name, value)
                changed.append(name)
    if changed:
        subscription.save()
    pending = subscription.pending_plan_id is not None or bool(subscription.pending_interval)
    new_period = (previous_start is not None and state.current_period_start is not None
                  and state.current_period_start > previous_start) or (previous_end is not None and now >= previous_end)
    if pending and new_period and subscription.status != Subscription.Status.CANCELED:
        subscription = subscription_pending_apply(subscription=subscription, now=now)
    entitlements_apply(enterprise=subscription.enterprise, now=now)
    return subscription


# ---------------------------------------------------------------------------------------- invoices

def _lines(state: ProviderInvoice) -> list[dict]:
    return [{"description": line.description, "quantity": line.quantity, "amount": f"{line.amount:.2f}"}
            for line in state.lines]


@transaction.atomic
def invoice_sync(*, provider_invoice: ProviderInvoice) -> Invoice | None:
    """Our Invoice for the provider's (created when new); None for a draft or an invoice of no subscription
    of ours."""
    state = provider_invoice
    status = INVOICE_STATUS.get(state.status)
    if status is None or status == Invoice.Status.DRAFT:
        return None
    backend_name = provider().name
    subscription = None
    if state.subscription_id:
        subscription = Subscription.objects.filter(provider=backend_name,
                                                   provider_subscription_id=state.subscription_id).first()
    if subscription is None and state.customer_id:
        subscription = (Subscription.objects.filter(provider=backend_name, provider_customer_id=state.customer_id)
                        .order_by("-created_at").first())
    if subscription is None:
        return None
    invoice = (Invoice.objects.select_for_update()
               .filter(provider=backend_name, provider_invoice_id=state.id).first())
    if invoice is None:
        try:
            with transaction.atomic():
                invoice = Invoice.objects.create(
                    number=invoice_number_next(year=timezone.localtime(state.created).year),
                    enterprise_id=subscription.enterprise_id, subscription=subscription, provider=backend_name,
                    provider_invoice_id=state.id, status=Invoice.Status.OPEN, currency=state.currency,
                    period_start=timezone.localtime(state.period_start).date() if state.period_start else None,
                    period_end=timezone.localtime(state.period_end).date() if state.period_end else None,
                    amount_total=state.amount_total, subsidy_amount=0, amount_due=state.amount_total, amount_paid=0,
                    lines=_lines(state), issued_at=state.created)
        except IntegrityError:  # the same invoice synced at the same moment by another event: take that one
            invoice = Invoice.objects.select_for_update().get(provider=backend_name, provider_invoice_id=state.id)
        else:
            if subscription.subsidy_scheme_id is not None:
                invoice = invoice_subsidy_apply(invoice=invoice)
            invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    # a granted share is given back to the card once the provider's invoice is paid (the provider charged
    # the full price): what the enterprise paid is what the card paid less that refund
    refunded = ZERO
    if invoice.subsidy_id is not None:
        paid_at_provider = state.amount_paid if state.status == "paid" else ZERO
        refunded = card_invoice_subsidy_refund(invoice=invoice, paid_at_provider=paid_at_provider)
        invoice.refresh_from_db()
    paid = max(ZERO, min(state.amount_paid - refunded, invoice.amount_due))
    if state.amount_paid - refunded > invoice.amount_due:
        log.warning("invoice %s: the provider took %s, more than the enterprise's share %s", invoice.number,
                    state.amount_paid - refunded, invoice.amount_due)
    values = {"status": status, "amount_paid": paid}
    if status == Invoice.Status.PAID and invoice.paid_at is None:
        values["paid_at"] = timezone.now()
    changed = {name: value for name, value in values.items() if getattr(invoice, name) != value}
    if changed:
        Invoice.objects.filter(pk=invoice.pk).update(**changed)
        invoice.refresh_from_db()
    return invoice


def invoices_sync(*, subscription: Subscription) -> list[Invoice]:
    """Every invoice of the subscription's customer, read from the provider (a catch-up after missed events)."""
    if not subscription.provider_customer_id:
        return []
    synced = []
    for state in provider().invoices_list(customer_id=subscription.provider_customer_id):
        invoice = invoice_sync(provider_invoice=state)
        if invoice is not None:
            synced.append(invoice)
    return synced
