"""The interface a payment provider implements. The billing core speaks only this: plain dataclasses in,
plain dataclasses out, money as Decimal in the currency's main unit (yuan), times as aware datetimes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


class ProviderError(Exception):
    """The provider refused or failed (message safe to show; ``code`` the provider's, e.g. card_declined)."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


class SignatureError(Exception):
    """A webhook whose signature or timestamp does not verify."""


@dataclass(frozen=True)
class PlanRefs:
    product: str
    month: str
    year: str
    seat_month: str = ""
    seat_year: str = ""


@dataclass(frozen=True)
class ProviderSubscription:
    id: str
    customer_id: str
    status: str  # trialing, active, past_due, unpaid, incomplete, incomplete_expired, canceled
    current_period_start: datetime | None
    current_period_end: datetime | None
    trial_end: datetime | None
    cancel_at_period_end: bool
    latest_invoice_id: str = ""
    plan_ref: str = ""  # the provider id of the main recurring price/plan
    seats: int = 0  # quantity of the extra-seat item


@dataclass(frozen=True)
class ProviderInvoiceLine:
    description: str
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class ProviderInvoice:
    id: str
    customer_id: str
    subscription_id: str
    status: str  # draft, open, paid, void, uncollectible
    number: str
    amount_total: Decimal
    amount_paid: Decimal
    currency: str
    created: datetime
    period_start: datetime | None = None
    period_end: datetime | None = None
    lines: list[ProviderInvoiceLine] = field(default_factory=list)


@dataclass(frozen=True)
class ProviderRefund:
    id: str
    amount: Decimal
    created: bool  # False: a refund made earlier under the same key was found (nothing given back twice)


@dataclass(frozen=True)
class ProviderEventIn:
    id: str
    type: str
    object_id: str  # the id of the object the event is about (re-read it; never trust the event's copy)
    object_type: str  # "subscription", "invoice", "customer", …
    payload: dict


class PaymentProvider(ABC):
    name: str = ""

    @abstractmethod
    def plan_sync(self, *, code: str, name: str, price_month: Decimal, price_year: Decimal,
                  extra_seat_month: Decimal, extra_seat_year: Decimal, refs: dict) -> PlanRefs:
        """Create (or re-create when a price changed: provider prices are immutable) the product and its
        recurring prices; ``refs`` are the ones stored so far."""

    @abstractmethod
    def customer_ensure(self, *, customer_id: str, name: str, email: str, metadata: dict) -> str: ...

    @abstractmethod
    def card_tokenize(self, *, number: str, exp_month: int, exp_year: int, cvc: str) -> str:
        """A token (payment method id) for card data typed into the platform's form; never stored."""

    @abstractmethod
    def card_attach(self, *, customer_id: str, card_token: str) -> None:
        """Attach a card (a token from the card form; tests use the provider's test cards) as the default."""

    @abstractmethod
    def subscription_create(self, *, customer_id: str, refs: PlanRefs, interval: str, extra_seats: int,
                            trial_end: datetime | None, metadata: dict) -> ProviderSubscription: ...

    @abstractmethod
    def subscription_change(self, *, subscription_id: str, refs: PlanRefs, interval: str, extra_seats: int,
                            prorate: bool) -> ProviderSubscription:
        """Upgrade now (prorate=True: proration invoiced at once) or apply at renewal (prorate=False)."""

    @abstractmethod
    def subscription_cancel(self, *, subscription_id: str, at_period_end: bool) -> ProviderSubscription: ...

    @abstractmethod
    def subscription_resume(self, *, subscription_id: str) -> ProviderSubscription:
        """Withdraw a cancellation at the period end."""

    @abstractmethod
    def subscription_fetch(self, subscription_id: str) -> ProviderSubscription: ...

    @abstractmethod
    def invoice_fetch(self, invoice_id: str) -> ProviderInvoice: ...

    @abstractmethod
    def invoices_list(self, *, customer_id: str) -> list[ProviderInvoice]: ...

    @abstractmethod
    def invoice_refund(self, *, invoice_id: str, amount: Decimal, key: str, metadata: dict) -> ProviderRefund:
        """Give back ``amount`` of what a paid invoice's payment took (the programme's share of a subsidised
        invoice paid by card), once per ``key``: a second call with the same key returns the first refund.
        Raises ProviderError (code ``invoice_not_paid`` when nothing was paid yet)."""

    @abstractmethod
    def event_verify(self, *, body: bytes, signature_header: str) -> ProviderEventIn:
        """Check the signature (and its age) and parse the event; raises SignatureError."""
