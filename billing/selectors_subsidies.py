"""Reads of subsidised plans for the office: per programme its schemes, the subscriptions they subsidise,
what was committed (granted) and paid, and the monthly statements.

What the office sees is subsidy data only: enterprise, plan, period, invoice number and amounts, the
grant. Never a card, a payment provider's ids or the enterprise's own payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing.models import Invoice, SubsidyScheme, SubsidySettlement, Subscription
from billing.services.subsidies import month_first, months_add, settlement_grants
from office.models import Programme

ZERO = Decimal("0")
ZERO_VALUE = Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2))


@dataclass(frozen=True)
class ProgrammeBilling:
    programme: Programme
    schemes: list[SubsidyScheme]
    subscriptions: int  # subscriptions subsidised (ever joined a scheme of the programme)
    active_subscriptions: int  # of them, still within their subsidised months and not cancelled
    committed: Decimal  # granted for invoices (net of what went back to the budget)
    paid: Decimal  # paid on those grants
    invoices: int


def programmes_with_schemes() -> QuerySet[Programme]:
    return (Programme.objects.filter(subsidy_schemes__isnull=False).distinct()
            .order_by("period_start", "code"))


def scheme_list(*, programme: Programme) -> QuerySet[SubsidyScheme]:
    return (SubsidyScheme.objects.filter(programme=programme).select_related("plan")
            .annotate(joined=Count("subscriptions__enterprise", distinct=True)).order_by("plan__sort_order", "pk"))


def subsidised_subscription_list(*, programme: Programme) -> QuerySet[Subscription]:
    """Subscriptions of the programme's schemes, with the subsidy granted and paid on their invoices."""
    return (Subscription.objects.filter(subsidy_scheme__programme=programme)
            .select_related("enterprise", "plan", "subsidy_scheme")
            .annotate(committed=Coalesce(Sum("invoices__subsidy__amount"), ZERO_VALUE)
                      - Coalesce(Sum("invoices__subsidy__returned_amount"), ZERO_VALUE),
                      paid=Coalesce(Sum("invoices__subsidy__paid_amount"), ZERO_VALUE))
            .order_by("enterprise__name", "pk"))


def subsidised_invoice_list(*, programme: Programme) -> QuerySet[Invoice]:
    """Invoices with a grant of the programme (and those where the subsidy was refused are not listed)."""
    return (Invoice.objects.filter(subsidy__programme=programme)
            .select_related("enterprise", "subsidy", "subscription__plan").order_by("-issued_at", "-id"))


def programme_billing(*, programme: Programme) -> ProgrammeBilling:
    today = timezone.localdate()
    subs = Subscription.objects.filter(subsidy_scheme__programme=programme)
    grants = Invoice.objects.filter(subsidy__programme=programme).aggregate(
        granted=Sum("subsidy__amount"), returned=Sum("subsidy__returned_amount"), paid=Sum("subsidy__paid_amount"),
        n=Count("pk"))
    return ProgrammeBilling(
        programme=programme, schemes=list(scheme_list(programme=programme)),
        subscriptions=subs.values("enterprise_id").distinct().count(),
        active_subscriptions=subs.exclude(status=Subscription.Status.CANCELED).filter(subsidy_until__gt=today).count(),
        committed=(grants["granted"] or ZERO) - (grants["returned"] or ZERO), paid=grants["paid"] or ZERO,
        invoices=grants["n"] or 0)


def settlement_list(*, programme: Programme | None = None) -> QuerySet[SubsidySettlement]:
    qs = SubsidySettlement.objects.select_related("programme")
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("-month", "programme__code")


@dataclass(frozen=True)
class StatementLine:
    enterprise: str
    uscc: str
    invoice_number: str
    plan: str
    period_start: date | None
    period_end: date | None
    amount_total: Decimal
    percent: Decimal | None
    subsidy_amount: Decimal
    enterprise_share: Decimal
    granted_on: date
    paid: Decimal


@dataclass(frozen=True)
class Statement:
    programme: Programme
    month: date
    lines: list[StatementLine]
    settlement: SubsidySettlement | None

    @property
    def total(self) -> Decimal:
        return sum((line.subsidy_amount for line in self.lines), ZERO)

    @property
    def month_end(self) -> date:
        return months_add(self.month, 1)


def statement(*, programme: Programme, month: date) -> Statement:
    """The statement of a programme's month: each invoice's subsidy share (one query for the lines)."""
    month = month_first(month)
    rows = settlement_grants(programme=programme, month=month).select_related(
        "invoice__subscription__plan", "invoice__subscription__subsidy_scheme")
    lines = []
    for grant in rows:
        invoice = grant.invoice
        subscription = invoice.subscription
        scheme = subscription.subsidy_scheme if subscription else None
        lines.append(StatementLine(
            enterprise=invoice.enterprise.name, uscc=invoice.enterprise.uscc, invoice_number=invoice.number,
            plan=subscription.plan.name if subscription else "", period_start=invoice.period_start,
            period_end=invoice.period_end, amount_total=invoice.amount_total,
            percent=scheme.percent if scheme else None, subsidy_amount=grant.amount - grant.returned_amount,
            enterprise_share=invoice.amount_due, granted_on=grant.granted_on, paid=grant.paid_amount))
    settlement = SubsidySettlement.objects.filter(programme=programme, month=month).first()
    return Statement(programme=programme, month=month, lines=lines, settlement=settlement)
