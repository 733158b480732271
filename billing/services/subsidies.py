"""Subsidised plans: a pilot programme of the office pays ``percent`` of a plan's invoices for ``months``
months, for at most ``max_enterprises`` enterprises (billing.SubsidyScheme).

- ``scheme_create`` / ``scheme_update``: office users or platform administrators.
- ``subscription_scheme_join``: the enterprise must be enrolled (Enrolment.Status.ENROLLED) in the
  programme and its subscription on the scheme's plan. The scheme row is locked, so two enterprises
  racing for the last place queue behind each other and never exceed ``max_enterprises``.
- ``invoice_subsidy_apply``: called by the provider sync (billing.services.sync) and by the bank-transfer
  path for each new invoice. The share (total × percent / 100, rounded to the fen) becomes a grant of the
  programme through ``office.services.subsidies.subsidy_grant``, which locks the programme row and never
  goes above its budget. When the budget cannot cover the share (or the enterprise is no longer
  enrolled), nothing is granted: the enterprise pays the whole invoice and a note line says why.
  Idempotent: an invoice whose subsidy was decided (granted or refused) is returned unchanged.
- ``card_invoice_subsidy_refund``: a subsidised invoice paid by card: the provider charged the full price,
  so once its invoice is paid the granted share is refunded on that payment (once per invoice; nothing
  when the grant was refused). docs/billing.md, "Subsidised plans", says why a refund and not a coupon.
- ``settlement_build`` / ``settlements_build_month``: one SubsidySettlement per programme and month, over
  the grants made that month (Subsidy.granted_on); ``settlement_pay`` records the fund's bank transfer and
  pays every grant of it with ``office.services.subsidies.subsidy_pay``.

Who grants: grants made by the system (an invoice arriving from the provider) need an actor that
office_require accepts. That is one dedicated user, ``BILLING_SYSTEM_EMAIL``, with the office role, no
usable password and ``is_active=False`` (it can never log in); every automatic grant names it as
``granted_by``, so the office's lists show which grants came from subsidised plans.

Locks, in this order (the office's order extended): the invoice row, then (inside subsidy_grant) the
programme row. The scheme row is locked only by joins. The settlement row, then the programme, then each
grant (inside subsidy_pay) when a settlement is paid."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from billing.error_codes import BillingErrorCode as Code
from billing.models import Invoice, Plan, SubsidyScheme, SubsidySettlement, Subscription
from core.errors import field_error
from office.models import Enrolment, Programme, Subsidy
from office.services.base import office_require
from office.services.subsidies import subsidy_grant, subsidy_pay
from tenants.models import User

CENT = Decimal("0.01")
ZERO = Decimal("0")
BILLING_SYSTEM_EMAIL = "billing-system@digitalbridge.invalid"

# Kinds of the entries billing/subsidies write into Invoice.lines (besides the provider's plain lines).
LINE_SUBSIDY = "subsidy"
LINE_SUBSIDY_REFUSED = "subsidy_refused"


# ---------------------------------------------------------------------------------------------- helpers

def months_add(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the last day of a shorter month)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_first(day: date) -> date:
    return day.replace(day=1)


def month_clean(value, field: str = "month") -> date:
    """A month as a date (its first day) from a date or "YYYY-MM" / "YYYY-MM-DD"."""
    if isinstance(value, date):
        return month_first(value)
    text = (value or "").strip()
    try:
        parts = [int(p) for p in text.split("-")]
        if len(parts) not in (2, 3):
            raise ValueError
        return date(parts[0], parts[1], 1)
    except (ValueError, TypeError):
        raise field_error(field, _("Enter a month as YYYY-MM, e.g. 2026-03."), Code.MONTH_INVALID) from None


def share_of(total: Decimal, percent: Decimal) -> Decimal:
    return (Decimal(total) * Decimal(percent) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


def system_actor() -> User:
    """The user automatic grants are made by (see the module's docstring): office role, cannot log in."""
    user = User.objects.filter(email=BILLING_SYSTEM_EMAIL).first()
    if user is None:
        user = User(email=BILLING_SYSTEM_EMAIL, full_name="Billing (automatic)",
                    platform_role=User.PlatformRole.OFFICE, is_active=False)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except Exception:  # created by a concurrent call in the meantime
            user = User.objects.get(email=BILLING_SYSTEM_EMAIL)
    return user


def _stored_text(message: str, **params) -> str:
    """A note stored on an invoice: in the platform's language (settings.LANGUAGE_CODE), as office's
    history entries are."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(message) % params if params else _(message)


# ---------------------------------------------------------------------------------------------- schemes

def _scheme_values(*, percent, months, max_enterprises) -> tuple[Decimal, int, int]:
    try:
        percent = Decimal(str(percent).strip())
    except Exception:
        percent = None
    if percent is None or not percent.is_finite() or percent <= 0 or percent > 100 or percent != percent.quantize(CENT):
        raise field_error("percent", _("Enter a percentage above 0 and at most 100, with at most two decimals."),
                          Code.SCHEME_INVALID)
    try:
        months = int(months)
    except (TypeError, ValueError):
        months = 0
    if months < 1 or months > 120:
        raise field_error("months", _("Enter a number of months between 1 and 120."), Code.SCHEME_INVALID)
    try:
        max_enterprises = int(max_enterprises)
    except (TypeError, ValueError):
        max_enterprises = 0
    if max_enterprises < 1:
        raise field_error("max_enterprises", _("Enter how many enterprises at most (1 or more)."), Code.SCHEME_INVALID)
    return percent, months, max_enterprises


@transaction.atomic
def scheme_create(*, programme: Programme, plan: Plan, percent, months, max_enterprises, actor: User) -> SubsidyScheme:
    """A programme subsidises a plan. Office users and platform administrators only."""
    office_require(actor)
    percent, months, max_enterprises = _scheme_values(percent=percent, months=months, max_enterprises=max_enterprises)
    if SubsidyScheme.objects.filter(programme=programme, plan=plan).exists():
        raise field_error("plan", _("%(programme)s already subsidises the plan %(plan)s.") % {
            "programme": programme.name, "plan": plan.name}, Code.SCHEME_EXISTS)
    scheme = SubsidyScheme(programme=programme, plan=plan, percent=percent, months=months,
                           max_enterprises=max_enterprises)
    scheme.full_clean()
    scheme.save()
    return scheme


@transaction.atomic
def scheme_update(*, scheme: SubsidyScheme, actor: User, percent=None, months=None, max_enterprises=None,
                  is_active: bool | None = None) -> SubsidyScheme:
    """Change a scheme's terms (for invoices to come) or close it to new enterprises. ``max_enterprises``
    cannot go below the enterprises that already joined."""
    office_require(actor)
    scheme = SubsidyScheme.objects.select_for_update().get(pk=scheme.pk)
    percent, months, max_enterprises = _scheme_values(
        percent=scheme.percent if percent is None else percent, months=scheme.months if months is None else months,
        max_enterprises=scheme.max_enterprises if max_enterprises is None else max_enterprises)
    joined = scheme_places_taken(scheme=scheme)
    if max_enterprises < joined:
        raise field_error("max_enterprises", _("%(count)s enterprises have already joined: the limit cannot be "
                                               "lower.") % {"count": joined}, Code.SCHEME_INVALID)
    scheme.percent, scheme.months, scheme.max_enterprises = percent, months, max_enterprises
    if is_active is not None:
        scheme.is_active = bool(is_active)
    scheme.full_clean()
    scheme.save()
    return scheme


def scheme_places_taken(*, scheme: SubsidyScheme) -> int:
    """Enterprises that joined the scheme (each once, whatever became of its subscription)."""
    return Subscription.objects.filter(subsidy_scheme=scheme).values("enterprise_id").distinct().count()


@transaction.atomic
def subscription_scheme_join(*, subscription: Subscription, scheme: SubsidyScheme,
                             start: date | None = None) -> Subscription:
    """Put a subscription under a subsidy scheme: its invoices until ``start`` + ``scheme.months`` get the
    programme's share. The enterprise must be enrolled in the programme and the subscription on the
    scheme's plan; at most ``max_enterprises`` enterprises per scheme (the scheme row is locked, so
    concurrent joins for the last place cannot both win). Open invoices of the subscription not paid at
    all yet are split at once."""
    scheme = SubsidyScheme.objects.select_for_update().select_related("programme", "plan").get(pk=scheme.pk)
    subscription = Subscription.objects.select_for_update().select_related("enterprise").get(pk=subscription.pk)
    if subscription.status == Subscription.Status.CANCELED:
        raise field_error("subscription", _("This subscription is cancelled."), Code.SUBSCRIPTION_CANCELED)
    if subscription.subsidy_scheme_id is not None:
        if subscription.subsidy_scheme_id == scheme.pk:
            return subscription
        raise field_error("scheme", _("This subscription is already subsidised by another programme."),
                          Code.ALREADY_SUBSIDISED)
    if not scheme.is_active:
        raise field_error("scheme", _("This subsidy scheme no longer takes new enterprises."), Code.SCHEME_CLOSED)
    if subscription.plan_id != scheme.plan_id:
        raise field_error("scheme", _("The scheme subsidises the plan %(plan)s; this subscription is on %(current)s.")
                          % {"plan": scheme.plan.name, "current": subscription.plan.name}, Code.SCHEME_PLAN_MISMATCH)
    enterprise = subscription.enterprise
    if not Enrolment.objects.filter(programme=scheme.programme, enterprise=enterprise,
                                    status=Enrolment.Status.ENROLLED).exists():
        raise field_error("scheme", _("%(name)s is not enrolled in %(programme)s.") % {
            "name": enterprise.name, "programme": scheme.programme.name}, Code.NOT_ENROLLED)
    earlier = (Subscription.objects.filter(subsidy_scheme=scheme, enterprise=enterprise)
               .exclude(pk=subscription.pk).order_by("created_at").first())
    if earlier is None and scheme_places_taken(scheme=scheme) >= scheme.max_enterprises:
        raise field_error("scheme", _("All %(count)s places of this subsidy scheme are taken.") % {
            "count": scheme.max_enterprises}, Code.SCHEME_FULL)
    if earlier is not None and earlier.subsidy_until:
        until = earlier.subsidy_until  # a returning enterprise keeps its original term
    else:
        if start is None:
            start = (timezone.localdate(subscription.current_period_start) if subscription.current_period_start
                     else timezone.localdate())
        until = months_add(start, scheme.months)
    Subscription.objects.filter(pk=subscription.pk).update(subsidy_scheme=scheme, subsidy_until=until,
                                                           updated_at=timezone.now())
    subscription.refresh_from_db()
    # an invoice of the subsidised months already issued and not yet paid at all is split now
    for invoice in subscription.invoices.filter(status=Invoice.Status.OPEN, amount_paid=0, subsidy__isnull=True):
        invoice_subsidy_apply(invoice=invoice)
    return subscription


# ---------------------------------------------------------------------------------------------- invoices

def invoice_subsidy_decided(invoice: Invoice) -> bool:
    return invoice.subsidy_id is not None or any(
        isinstance(line, dict) and line.get("kind") in (LINE_SUBSIDY, LINE_SUBSIDY_REFUSED) for line in invoice.lines)


def _refuse(invoice: Invoice, reason_code: str, note: str) -> Invoice:
    lines = list(invoice.lines) + [{"kind": LINE_SUBSIDY_REFUSED, "code": reason_code, "description": note,
                                    "quantity": 1, "amount": "0.00"}]
    Invoice.objects.filter(pk=invoice.pk).update(lines=lines)
    invoice.lines = lines
    return invoice


@transaction.atomic
def invoice_subsidy_apply(*, invoice: Invoice) -> Invoice:
    """Split a new invoice of a subsidised subscription: the programme's share is granted from its budget
    and the enterprise owes the rest. Returns the invoice (refreshed). Does nothing for an invoice without
    a scheme, outside the subsidised months, void, or already decided (granted or refused)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice_subsidy_decided(invoice) or invoice.subscription_id is None:
        return invoice
    if invoice.status in (Invoice.Status.VOID, Invoice.Status.UNCOLLECTIBLE) or invoice.amount_total <= 0:
        return invoice
    subscription = Subscription.objects.select_related("subsidy_scheme__programme", "subsidy_scheme__plan").get(
        pk=invoice.subscription_id)
    scheme = subscription.subsidy_scheme
    if scheme is None or subscription.subsidy_until is None:
        return invoice
    invoice_day = invoice.period_start or timezone.localdate(invoice.issued_at)
    if invoice_day >= subscription.subsidy_until:
        return invoice
    programme = scheme.programme
    share = share_of(invoice.amount_total, scheme.percent)
    if share <= 0:
        return invoice
    if invoice.amount_paid > invoice.amount_total - share:
        return _refuse(invoice, "already_paid", _stored_text(gettext_noop(
            "No subsidy from %(programme)s: the invoice was already paid in full before the subsidy could be "
            "applied."), programme=programme.name))
    enrolment = Enrolment.objects.filter(programme=programme, enterprise_id=invoice.enterprise_id).first()
    if enrolment is None or enrolment.status != Enrolment.Status.ENROLLED:
        return _refuse(invoice, str(Code.NOT_ENROLLED), _stored_text(gettext_noop(
            "No subsidy from %(programme)s: the enterprise is no longer enrolled in the programme, so it pays the "
            "whole invoice."), programme=programme.name))
    purpose = _stored_text(gettext_noop("Subscription %(plan)s, invoice %(number)s: %(percent)s%% subsidised"),
                           plan=scheme.plan.name, number=invoice.number, percent=f"{scheme.percent.normalize():f}")
    try:
        with transaction.atomic():  # a savepoint: a refused grant leaves nothing behind
            grant = subsidy_grant(enrolment=enrolment, amount=share, purpose=purpose[:200], actor=system_actor())
    except ValidationError as exc:
        codes = _error_codes(exc)
        if "budget_exceeded" in codes:
            note = _stored_text(gettext_noop(
                "No subsidy from %(programme)s: its budget cannot cover the %(percent)s%% share (%(share)s CNY), so "
                "the enterprise pays the whole invoice."),
                programme=programme.name, percent=f"{scheme.percent.normalize():f}", share=f"{share:.2f}")
            return _refuse(invoice, "budget_exceeded", note)
        return _refuse(invoice, codes[0] if codes else "refused", _stored_text(
            gettext_noop("No subsidy from %(programme)s (%(reason)s), so the enterprise pays the whole invoice."),
            programme=programme.name, reason="; ".join(exc.messages)))
    lines = list(invoice.lines) + [{
        "kind": LINE_SUBSIDY, "description": _stored_text(gettext_noop("Subsidy of %(programme)s (%(percent)s%%)"),
                                                          programme=programme.name,
                                                          percent=f"{scheme.percent.normalize():f}"),
        "quantity": 1, "amount": f"{-share:.2f}", "subsidy_id": grant.pk}]
    # amount_due = total − subsidy is a DB check: both change in one UPDATE.
    Invoice.objects.filter(pk=invoice.pk).update(subsidy=grant, subsidy_amount=share,
                                                 amount_due=F("amount_total") - share, lines=lines)
    invoice.refresh_from_db()
    return invoice


def invoice_subsidy_line(invoice: Invoice) -> dict | None:
    return next((line for line in invoice.lines if isinstance(line, dict) and line.get("kind") == LINE_SUBSIDY), None)


@transaction.atomic
def card_invoice_subsidy_refund(*, invoice: Invoice, paid_at_provider: Decimal) -> Decimal:
    """The programme's share of a subsidised invoice paid by card, given back to the card: the provider
    charges the invoice's full price (localstripe applies no coupon to a subscription, and the share is
    known only once the grant is decided), so once the provider's invoice is paid the granted share is
    refunded on its payment and the enterprise is charged its own share only. Returns what was given back
    (0 while the provider's invoice is not paid: the refund happens at the sync that sees it paid).

    Once per invoice: the refund's id is kept on the invoice's subsidy line, the provider looks its
    refunds up by the key ``subsidy-<provider invoice id>`` first (a retry after a crash finds the
    refund already made) and Stripe gets the same key as its idempotency key. Never more than the grant
    nor than what the card paid. The caller (billing.services.sync.invoice_sync) holds the invoice row."""
    from billing.providers import provider  # the provider is needed only on the card path

    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    line = invoice_subsidy_line(invoice)
    if invoice.subsidy_id is None or line is None or invoice.subsidy_amount <= 0 or not invoice.provider_invoice_id:
        return ZERO
    if line.get("refund_id"):
        return Decimal(line.get("refunded") or "0")
    if paid_at_provider <= 0:
        return ZERO
    amount = min(invoice.subsidy_amount, paid_at_provider)
    refund = provider().invoice_refund(invoice_id=invoice.provider_invoice_id, amount=amount,
                                       key=f"subsidy-{invoice.provider_invoice_id}",
                                       metadata={"invoice": invoice.number, "subsidy": invoice.subsidy_id})
    lines = [dict(item, refund_id=refund.id, refunded=f"{refund.amount:.2f}") if item is line else item
             for item in invoice.lines]
    Invoice.objects.filter(pk=invoice.pk).update(lines=lines)
    return refund.amount


def _error_codes(exc: ValidationError) -> list[str]:
    codes: list[str] = []
    if hasattr(exc, "error_dict"):
        for errors in exc.error_dict.values():
            codes += [str(e.code) for e in errors if e.code]
    else:
        codes += [str(e.code) for e in exc.error_list if e.code]
    return codes


# ---------------------------------------------------------------------------------------------- settlements

def settlement_grants(*, programme: Programme, month: date):
    """The grants of subsidised invoices a programme made in ``month`` (not cancelled), with their invoice."""
    month = month_first(month)
    end = months_add(month, 1)
    return (Subsidy.objects.filter(programme=programme, invoice__isnull=False, granted_on__gte=month,
                                   granted_on__lt=end, status=Subsidy.Status.GRANTED)
            .select_related("invoice", "invoice__enterprise", "enrolment__enterprise").order_by("granted_on", "id"))


@transaction.atomic
def settlement_build(*, programme: Programme, month) -> SubsidySettlement | None:
    """The statement of ``month`` for ``programme``: (re)computed while it is open, left as it is once paid.
    None when the programme granted nothing for invoices that month and no statement exists."""
    month = month_clean(month)
    if month > month_first(timezone.localdate()):
        raise field_error("month", _("That month has not started yet."), Code.MONTH_INVALID)
    settlement = SubsidySettlement.objects.select_for_update().filter(programme=programme, month=month).first()
    if settlement is not None and settlement.status == SubsidySettlement.Status.PAID:
        return settlement
    amount = settlement_grants(programme=programme, month=month).aggregate(
        total=Sum(F("amount") - F("returned_amount")))["total"] or ZERO
    if settlement is None:
        if amount <= 0:
            return None
        settlement, _created = SubsidySettlement.objects.get_or_create(programme=programme, month=month,
                                                                       defaults={"amount": amount})
    if settlement.amount != amount:
        SubsidySettlement.objects.filter(pk=settlement.pk).update(amount=amount)
        settlement.amount = amount
    return settlement


def settlements_build_month(*, month: date | None = None) -> list[SubsidySettlement]:
    """Build the statements of ``month`` (by default the previous month) for every programme with a
    subsidy scheme. The monthly beat task calls this on the 1st."""
    if month is None:
        month = months_add(month_first(timezone.localdate()), -1)
    built = []
    for programme in Programme.objects.filter(subsidy_schemes__isnull=False).distinct().order_by("pk"):
        settlement = settlement_build(programme=programme, month=month)
        if settlement is not None:
            built.append(settlement)
    return built


@transaction.atomic
def settlement_pay(*, settlement: SubsidySettlement, amount, bank_reference: str, actor: User,
                   paid_on: date | None = None) -> SubsidySettlement:
    """Record the fund's bank transfer for a statement: it must be the statement's amount; every grant
    of the statement is paid (office subsidy_pay) and the statement marked paid. Office users and
    platform administrators only; all or nothing."""
    office_require(actor)
    settlement = SubsidySettlement.objects.select_for_update().select_related("programme").get(pk=settlement.pk)
    if settlement.status == SubsidySettlement.Status.PAID:
        raise ValidationError(_("This statement was already paid on %(date)s.") % {
            "date": settlement.paid_on.isoformat() if settlement.paid_on else "—"}, code=Code.SETTLEMENT_PAID)
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise field_error("bank_reference", _("Enter the bank reference of the transfer."), Code.SETTLEMENT_EMPTY)
    try:
        amount = Decimal(str(amount).strip())
    except Exception:
        amount = None
    if amount is None or not amount.is_finite() or amount != settlement.amount:
        raise field_error("amount", _("The transfer must be the statement's amount, %(amount)s CNY.") % {
            "amount": f"{settlement.amount:.2f}"}, Code.SETTLEMENT_AMOUNT_MISMATCH)
    if months_add(settlement.month, 1) > timezone.localdate():
        raise ValidationError(_("The month of this statement is not over yet: it can be paid from the 1st of the "
                                "next month."), code=Code.MONTH_INVALID)
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise field_error("paid_on", _("The transfer cannot be dated in the future."), Code.MONTH_INVALID)
    for grant in settlement_grants(programme=settlement.programme, month=settlement.month):
        outstanding = grant.outstanding
        if outstanding > 0:
            subsidy_pay(subsidy=grant, amount=outstanding, actor=actor, paid_on=paid_on, reference=bank_reference)
    SubsidySettlement.objects.filter(pk=settlement.pk).update(status=SubsidySettlement.Status.PAID, paid_on=paid_on,
                                                              bank_reference=bank_reference[:60])
    settlement.refresh_from_db()
    return settlement
