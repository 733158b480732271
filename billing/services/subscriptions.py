"""Subscriptions: an enterprise's owner picks a plan, changes it, cancels; the platform administrator too.

Payment methods:
- none: the free plan (boards only): active at once, no period, nothing to pay.
- card: through the payment provider (``billing.providers.provider()``): a customer, a card attached as
  its default (tokenised server-side from the card form; card numbers are never stored), a provider
  subscription with the plan's recurring price per interval (and the extra-seat price) and a trial. The
  provider's state is copied onto our row at once; later changes arrive by webhooks (billing.services.sync).
- bank_transfer (对公转账): no provider. The platform issues its own invoices
  (billing.services.invoices.invoice_issue) at the start of each period (after the trial), and
  ``bank_transfer_subscriptions_advance`` (a beat task) renews periods, applies pending changes, ends
  cancelled subscriptions and marks subscriptions with an overdue invoice past due.

Changes:
- upgrade (a dearer plan, more seats, monthly → yearly): now, with proration. By card the provider
  invoices the proration at once (its amount is returned when the provider gives it); by bank transfer
  the platform invoices (new price − old price) × the unused share of the period (an interval switch
  restarts the period: the new price less the unused part of the old).
- downgrade (a cheaper plan, yearly → monthly): at the end of the period, shown as pending and
  withdrawable until then (``subscription_pending_withdraw``); ``subscription_pending_apply`` applies it.
- cancel: at the end of the period, withdrawable until then; at once only by a platform administrator.
  A cancelled enterprise keeps boards only (entitlements); nothing is deleted.

Every write ends with ``billing.entitlements.entitlements_apply``. Who may: the enterprise's owner or a
platform administrator. Locks: the enterprise row first (one current subscription per enterprise), then
the subscription row. Provider calls happen inside the transaction, after the checks: a refusal leaves
nothing written here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import entitlements_apply
from billing.error_codes import BillingErrorCode as Code
from billing.models import Interval, Invoice, Plan, Subscription
from billing.providers import provider
from billing.providers.base import ProviderError, ProviderSubscription
from billing.selectors import plan_name
from billing.services.invoices import invoice_issue
from billing.services.plans import plan_provider_refs
from core.errors import field_error
from tenants.models import Enterprise, Membership, Role, User

CENT = Decimal("0.01")
ZERO = Decimal("0")
Method = Subscription.PaymentMethod
Status = Subscription.Status
PROVIDER_STATUS = {"trialing": Status.TRIALING, "active": Status.ACTIVE, "past_due": Status.PAST_DUE,
                   "unpaid": Status.UNPAID, "incomplete": Status.INCOMPLETE, "incomplete_expired": Status.CANCELED,
                   "canceled": Status.CANCELED, "paused": Status.PAST_DUE}


@dataclass(frozen=True)
class ChangeResult:
    subscription: Subscription
    when: str  # "now" or "period_end"
    prorated_amount: Decimal | None = None  # what the upgrade costs now, when known
    invoice: Invoice | None = None  # the platform's proration invoice (bank transfer)


# ------------------------------------------------------------------------------------------- helpers

def actor_may_manage(*, actor: User, enterprise: Enterprise) -> bool:
    if actor.is_platform_admin:
        return True
    return Membership.objects.filter(user=actor, enterprise=enterprise, role=Role.OWNER).exists()


def _owner_require(actor: User, enterprise: Enterprise) -> None:
    if not actor_may_manage(actor=actor, enterprise=enterprise):
        raise field_error("actor", _("Only the enterprise's owner manages its subscription."), Code.NOT_OWNER)


def period_add(start: datetime, interval: str) -> datetime:
    return start + (relativedelta(years=1) if interval == Interval.YEAR else relativedelta(months=1))


def monthly_value(plan: Plan, extra_seats: int) -> Decimal:
    """What a plan with its seats is worth per month (the order of plans: upgrade or downgrade)."""
    return plan.price_month + plan.extra_seat_month * extra_seats


def period_price(plan: Plan, interval: str, extra_seats: int) -> Decimal:
    return plan.price(interval) + plan.extra_seat_price(interval) * extra_seats


def seats_used(enterprise: Enterprise) -> int:
    return Membership.objects.filter(enterprise=enterprise).count()


def _plan_check(plan: Plan, interval: str, extra_seats: int) -> None:
    if not plan.is_active:
        raise field_error("plan", _("Plan %(plan)s is no longer offered.") % {"plan": plan_name(plan)},
                          Code.PLAN_INACTIVE)
    if interval not in Interval.values:
        raise field_error("interval", _("Choose monthly or yearly."), Code.PLAN_INVALID)
    if extra_seats < 0 or (plan.is_free and extra_seats):
        raise field_error("extra_seats", _("Extra seats cannot be negative, and the free plan has none."),
                          Code.PLAN_INVALID)


def _seats_check(enterprise: Enterprise, plan: Plan, extra_seats: int) -> None:
    used = seats_used(enterprise)
    if plan.seats_included + extra_seats < used:
        raise field_error("extra_seats", _("%(used)s members use seats; %(plan)s with %(extra)s extra seats has "
                                           "%(limit)s. Add seats or remove members first.") % {
            "used": used, "plan": plan_name(plan), "extra": extra_seats, "limit": plan.seats_included + extra_seats},
            Code.SEATS_BELOW_MEMBERS)


def _provider_error(exc: ProviderError, field: str = "card_number"):
    if exc.code in ("card_declined", "incorrect_number", "invalid_number", "expired_card", "incorrect_cvc",
                    "invalid_expiry_month", "invalid_expiry_year"):
        return field_error(field, _("The card was refused: %(error)s") % {"error": exc}, Code.CARD_DECLINED)
    return field_error("plan", _("The payment provider refused: %(error)s") % {"error": exc}, Code.PROVIDER_ERROR)


def provider_state_copy(subscription: Subscription, state: ProviderSubscription) -> list[str]:
    """Copy the provider's view of a subscription onto our row (not saved); returns the fields changed."""
    status = PROVIDER_STATUS.get(state.status, Status.INCOMPLETE)
    values = {"status": status, "current_period_start": state.current_period_start,
              "current_period_end": state.current_period_end, "trial_end": state.trial_end,
              "cancel_at_period_end": state.cancel_at_period_end}
    if status in (Status.PAST_DUE, Status.UNPAID, Status.INCOMPLETE):
        if subscription.past_due_since is None:
            values["past_due_since"] = timezone.now()
    else:
        values["past_due_since"] = None
    if status == Status.CANCELED and subscription.canceled_at is None:
        values["canceled_at"] = timezone.now()
    changed = [name for name, value in values.items() if getattr(subscription, name) != value]
    for name in changed:
        setattr(subscription, name, values[name])
    return changed


def _lock_current(enterprise: Enterprise) -> Subscription | None:
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    return (Subscription.objects.select_for_update().filter(enterprise=enterprise)
            .exclude(status=Status.CANCELED).first())


def _lock(subscription: Subscription) -> Subscription:
    subscription = Subscription.objects.select_for_update().select_related("plan", "enterprise").get(
        pk=subscription.pk)
    if subscription.status == Status.CANCELED:
        raise field_error("subscription", _("This subscription has ended."), Code.SUBSCRIPTION_CANCELED)
    return subscription


def _customer_id(enterprise: Enterprise, actor: User) -> str:
    backend = provider()
    known = (Subscription.objects.filter(enterprise=enterprise, provider=backend.name)
             .exclude(provider_customer_id="").values_list("provider_customer_id", flat=True).first()) or ""
    return backend.customer_ensure(customer_id=known, name=enterprise.name,
                                   email=enterprise.contact_email or actor.email,
                                   metadata={"enterprise": enterprise.slug, "uscc": enterprise.uscc})


def _period_invoice(subscription: Subscription, *, start: datetime, end: datetime, now: datetime) -> Invoice:
    plan, interval = subscription.plan, subscription.interval
    lines = [{"description": _("%(plan)s, %(interval)s, %(start)s to %(end)s") % {
        "plan": plan.name, "interval": Interval(interval).label, "start": timezone.localtime(start).date(),
        "end": timezone.localtime(end).date()}, "quantity": 1, "amount": str(plan.price(interval))}]
    if subscription.extra_seats:
        lines.append({"description": _("Extra seats"), "quantity": subscription.extra_seats,
                      "amount": str(plan.extra_seat_price(interval) * subscription.extra_seats)})
    return invoice_issue(subscription=subscription, lines=lines, period_start=timezone.localtime(start).date(),
                         period_end=timezone.localtime(end).date(), now=now)


# ---------------------------------------------------------------------------------------- subscribe

@transaction.atomic
def subscription_start(*, enterprise: Enterprise, plan: Plan, actor: User, interval: str = Interval.MONTH,
                       payment_method: str = "", card_token: str = "", extra_seats: int = 0, trial: bool = True,
                       now: datetime | None = None) -> Subscription:
    """Subscribe an enterprise (at sign-up or later). A current free plan is replaced; any other current
    subscription is changed with ``subscription_change`` instead. The trial is given once per enterprise."""
    now = now or timezone.now()
    _owner_require(actor, enterprise)
    _plan_check(plan, interval, extra_seats)
    current = _lock_current(enterprise)
    if current is not None and not current.plan.is_free:
        raise field_error("plan", _("The enterprise already has a subscription (%(plan)s): change it instead.") % {
            "plan": plan_name(current.plan)}, Code.ALREADY_SUBSCRIBED)
    payment_method = Method.NONE if plan.is_free else (payment_method or Method.CARD)
    if not plan.is_free and payment_method not in (Method.CARD, Method.BANK_TRANSFER):
        raise field_error("payment_method", _("Choose card or corporate bank transfer."), Code.PAYMENT_METHOD_INVALID)
    if not plan.is_free:
        _seats_check(enterprise, plan, extra_seats)
    had_trial = Subscription.objects.filter(enterprise=enterprise, trial_end__isnull=False).exists()
    trial_end = now + relativedelta(days=plan.trial_days) if trial and plan.trial_days and not had_trial \
        and not plan.is_free else None
    if current is not None:  # the free plan gives way
        current.status, current.canceled_at = Status.CANCELED, now
        current.save(update_fields=["status", "canceled_at", "updated_at"])
    subscription = Subscription(enterprise=enterprise, plan=plan, interval=interval, extra_seats=extra_seats,
                                payment_method=payment_method, created_by=actor)
    if plan.is_free:
        subscription.status, subscription.current_period_start = Status.ACTIVE, now
        subscription.save()
    elif payment_method == Method.BANK_TRANSFER:
        start = now
        end = trial_end or period_add(start, interval)
        subscription.status = Status.TRIALING if trial_end else Status.ACTIVE
        subscription.trial_end, subscription.current_period_start, subscription.current_period_end = (
            trial_end, start, end)
        subscription.save()
        if not trial_end:
            _period_invoice(subscription, start=start, end=end, now=now)
    else:
        if not card_token:
            raise field_error("card_number", _("Enter a card to pay by card."), Code.CARD_REQUIRED)
        refs = plan_provider_refs(plan=plan)
        backend = provider()
        try:
            customer_id = _customer_id(enterprise, actor)
            backend.card_attach(customer_id=customer_id, card_token=card_token)
            state = backend.subscription_create(customer_id=customer_id, refs=refs, interval=interval,
                                                extra_seats=extra_seats, trial_end=trial_end,
                                                metadata={"enterprise": enterprise.slug})
        except ProviderError as exc:
            raise _provider_error(exc) from exc
        subscription.provider, subscription.provider_customer_id = backend.name, customer_id
        subscription.provider_subscription_id = state.id
        provider_state_copy(subscription, state)
        if subscription.status == Status.CANCELED:
            raise field_error("card_number", _("The payment provider did not start the subscription."),
                              Code.CARD_DECLINED)
        subscription.full_clean(exclude=["created_by"])
        subscription.save()
    entitlements_apply(enterprise=enterprise)
    return subscription


# -------------------------------------------------------------------------------------------- change

def _change_kind(subscription: Subscription, plan: Plan, interval: str, extra_seats: int) -> str:
    old = monthly_value(subscription.plan, subscription.extra_seats)
    new = monthly_value(plan, extra_seats)
    if new > old:
        return "up"
    if new < old:
        return "down"
    if plan.pk != subscription.plan_id:
        return "up" if plan.seats_included >= subscription.plan.seats_included else "down"
    if interval != subscription.interval:
        return "up" if interval == Interval.YEAR else "down"
    return "same"


def _bank_proration(subscription: Subscription, plan: Plan, interval: str, extra_seats: int,
                    now: datetime) -> tuple[Decimal, datetime, datetime]:
    """(amount to invoice now, new period start, new period end) of an upgrade paid by bank transfer."""
    start, end = subscription.current_period_start or now, subscription.current_period_end or now
    total = (end - start).total_seconds()
    unused = Decimal(str(max(0.0, (end - now).total_seconds()) / total)) if total > 0 else ZERO
    old_price = period_price(subscription.plan, subscription.interval, subscription.extra_seats)
    new_price = period_price(plan, interval, extra_seats)
    if interval != subscription.interval:
        amount = new_price - old_price * unused
        start, end = now, period_add(now, interval)
    else:
        amount = (new_price - old_price) * unused
    return max(ZERO, amount.quantize(CENT, rounding=ROUND_HALF_UP)), start, end


@transaction.atomic
def subscription_change(*, subscription: Subscription, actor: User, plan: Plan | None = None,
                        interval: str | None = None, extra_seats: int | None = None,
                        now: datetime | None = None) -> ChangeResult:
    """Change plan, interval or extra seats: an upgrade now with proration, a downgrade at period end."""
    now = now or timezone.now()
    subscription = _lock(subscription)
    _owner_require(actor, subscription.enterprise)
    plan = plan or subscription.plan
    interval = interval or subscription.interval
    extra_seats = subscription.extra_seats if extra_seats is None else extra_seats
    _plan_check(plan, interval, extra_seats)
    if subscription.plan.is_free:
        raise field_error("plan", _("Choose a payment method to leave the free plan."), Code.PAYMENT_METHOD_INVALID)
    kind = _change_kind(subscription, plan, interval, extra_seats)
    if kind == "same":
        raise field_error("plan", _("That is the current plan."), Code.NO_CHANGE)
    if kind == "down":
        if extra_seats != subscription.extra_seats and plan.pk != subscription.plan_id:
            raise field_error("extra_seats", _("Change the plan and the seats one at a time."), Code.NO_CHANGE)
        if plan.pk == subscription.plan_id and interval == subscription.interval:
            # fewer seats: at once (no refund), never below the members using them
            return _seats_reduce(subscription, extra_seats)
        _seats_check(subscription.enterprise, plan, extra_seats)
        subscription.pending_plan, subscription.pending_interval = plan, interval
        subscription.save(update_fields=["pending_plan", "pending_interval", "updated_at"])
        entitlements_apply(enterprise=subscription.enterprise)
        return ChangeResult(subscription, "period_end")
    _seats_check(subscription.enterprise, plan, extra_seats)
    prorated, invoice = None, None
    trialing = subscription.status == Status.TRIALING
    if subscription.payment_method == Method.CARD and subscription.provider_subscription_id:
        backend = provider()
        refs = plan_provider_refs(plan=plan)
        try:
            before = backend.subscription_fetch(subscription.provider_subscription_id).latest_invoice_id
            state = backend.subscription_change(subscription_id=subscription.provider_subscription_id, refs=refs,
                                                interval=interval, extra_seats=extra_seats, prorate=not trialing)
            if state.latest_invoice_id and state.latest_invoice_id != before:
                prorated = backend.invoice_fetch(state.latest_invoice_id).amount_total
        except ProviderError as exc:
            raise _provider_error(exc, field="plan") from exc
        provider_state_copy(subscription, state)
    elif not trialing:
        prorated, start, end = _bank_proration(subscription, plan, interval, extra_seats, now)
        subscription.current_period_start, subscription.current_period_end = start, end
    subscription.plan, subscription.interval, subscription.extra_seats = plan, interval, extra_seats
    subscription.pending_plan, subscription.pending_interval = None, ""
    subscription.save()
    if subscription.payment_method == Method.BANK_TRANSFER and prorated:
        invoice = invoice_issue(subscription=subscription, lines=[{
            "description": _("Change to %(plan)s (%(interval)s, %(seats)s extra seats), prorated to %(end)s") % {
                "plan": plan.name, "interval": Interval(interval).label, "seats": extra_seats,
                "end": timezone.localtime(subscription.current_period_end).date()},
            "quantity": 1, "amount": str(prorated)}], period_start=timezone.localtime(now).date(),
            period_end=timezone.localtime(subscription.current_period_end).date(), now=now)
    entitlements_apply(enterprise=subscription.enterprise)
    return ChangeResult(subscription, "now", prorated, invoice)


def _seats_reduce(subscription: Subscription, extra_seats: int) -> ChangeResult:
    _seats_check(subscription.enterprise, subscription.plan, extra_seats)
    if subscription.payment_method == Method.CARD and subscription.provider_subscription_id:
        try:
            state = provider().subscription_change(
                subscription_id=subscription.provider_subscription_id, refs=plan_provider_refs(plan=subscription.plan),
                interval=subscription.interval, extra_seats=extra_seats, prorate=False)
        except ProviderError as exc:
            raise _provider_error(exc, field="extra_seats") from exc
        provider_state_copy(subscription, state)
    subscription.extra_seats = extra_seats
    subscription.save()
    entitlements_apply(enterprise=subscription.enterprise)
    return ChangeResult(subscription, "now")


@transaction.atomic
def subscription_pending_withdraw(*, subscription: Subscription, actor: User) -> Subscription:
    """Keep the current plan: the downgrade waiting for the period end is dropped."""
    subscription = _lock(subscription)
    _owner_require(actor, subscription.enterprise)
    if subscription.pending_plan_id is None and not subscription.pending_interval:
        raise field_error("subscription", _("No change is waiting for the end of the period."), Code.NOT_PENDING)
    subscription.pending_plan, subscription.pending_interval = None, ""
    subscription.save(update_fields=["pending_plan", "pending_interval", "updated_at"])
    return subscription


@transaction.atomic
def subscription_pending_apply(*, subscription: Subscription, now: datetime | None = None) -> Subscription:
    """At the end of the period: the pending downgrade takes effect (a free plan replaces the subscription)."""
    now = now or timezone.now()
    subscription = _lock(subscription)
    plan = subscription.pending_plan or subscription.plan
    interval = subscription.pending_interval or subscription.interval
    if subscription.pending_plan_id is None and not subscription.pending_interval:
        return subscription
    card = subscription.payment_method == Method.CARD and subscription.provider_subscription_id
    if plan.is_free:
        if card:
            try:
                provider().subscription_cancel(subscription_id=subscription.provider_subscription_id,
                                               at_period_end=False)
            except ProviderError as exc:
                raise _provider_error(exc, field="plan") from exc
        subscription.status, subscription.canceled_at = Status.CANCELED, now
        subscription.pending_plan, subscription.pending_interval = None, ""
        subscription.save()
        free = Subscription.objects.create(enterprise=subscription.enterprise, plan=plan, status=Status.ACTIVE,
                                           payment_method=Method.NONE, current_period_start=now)
        entitlements_apply(enterprise=subscription.enterprise)
        return free
    if card:
        try:
            state = provider().subscription_change(subscription_id=subscription.provider_subscription_id,
                                                   refs=plan_provider_refs(plan=plan), interval=interval,
                                                   extra_seats=subscription.extra_seats, prorate=False)
        except ProviderError as exc:
            raise _provider_error(exc, field="plan") from exc
        provider_state_copy(subscription, state)
    subscription.plan, subscription.interval = plan, interval
    subscription.pending_plan, subscription.pending_interval = None, ""
    subscription.save()
    entitlements_apply(enterprise=subscription.enterprise)
    return subscription


# -------------------------------------------------------------------------------------------- cancel

@transaction.atomic
def subscription_cancel(*, subscription: Subscription, actor: User, immediately: bool = False,
                        now: datetime | None = None) -> Subscription:
    """Cancel at the end of the period (withdrawable until then); at once only by a platform administrator
    (and the free plan, which has no period). Cancelled: boards only."""
    now = now or timezone.now()
    subscription = _lock(subscription)
    _owner_require(actor, subscription.enterprise)
    if immediately and not actor.is_platform_admin:
        raise field_error("immediately", _("Only a platform administrator cancels at once; the owner's "
                                           "cancellation takes effect at the end of the period."),
                          Code.IMMEDIATE_CANCEL_ADMIN_ONLY)
    at_once = immediately or subscription.plan.is_free
    if subscription.cancel_at_period_end and not at_once:
        raise field_error("subscription", _("The subscription already ends with the period."), Code.ALREADY_CANCELING)
    if subscription.payment_method == Method.CARD and subscription.provider_subscription_id:
        try:
            state = provider().subscription_cancel(subscription_id=subscription.provider_subscription_id,
                                                   at_period_end=not at_once)
        except ProviderError as exc:
            raise _provider_error(exc, field="subscription") from exc
        provider_state_copy(subscription, state)
    if at_once:
        subscription.status, subscription.canceled_at = Status.CANCELED, now
    else:
        subscription.cancel_at_period_end = True
    subscription.pending_plan, subscription.pending_interval = None, ""
    subscription.save()
    entitlements_apply(enterprise=subscription.enterprise)
    return subscription


@transaction.atomic
def subscription_cancel_withdraw(*, subscription: Subscription, actor: User) -> Subscription:
    """Keep the subscription after all (before the period ends)."""
    subscription = _lock(subscription)
    _owner_require(actor, subscription.enterprise)
    if not subscription.cancel_at_period_end:
        raise field_error("subscription", _("The subscription is not set to end."), Code.NOT_CANCELING)
    if subscription.payment_method == Method.CARD and subscription.provider_subscription_id:
        backend = provider()
        try:
            state = backend.subscription_resume(subscription_id=subscription.provider_subscription_id)
        except ProviderError as exc:
            raise _provider_error(exc, field="subscription") from exc
        provider_state_copy(subscription, state)
    subscription.cancel_at_period_end = False
    subscription.save()
    entitlements_apply(enterprise=subscription.enterprise)
    return subscription


# ------------------------------------------------------------------------------- bank-transfer periods

@transaction.atomic
def subscription_bank_advance(*, subscription: Subscription, now: datetime | None = None) -> Subscription:
    """One bank-transfer subscription at ``now``: ends it, applies its pending change and renews its period
    (issuing the period's invoice) when the period is over; past due when an invoice is overdue."""
    now = now or timezone.now()
    subscription = Subscription.objects.select_for_update().select_related("plan").get(pk=subscription.pk)
    if subscription.status == Status.CANCELED or subscription.payment_method != Method.BANK_TRANSFER:
        return subscription
    if subscription.current_period_end and subscription.current_period_end <= now:
        if subscription.cancel_at_period_end:
            subscription.status, subscription.canceled_at = Status.CANCELED, subscription.current_period_end
            subscription.save()
            entitlements_apply(enterprise=subscription.enterprise)
            return subscription
        if subscription.pending_plan_id or subscription.pending_interval:
            subscription = subscription_pending_apply(subscription=subscription, now=now)
            if subscription.payment_method == Method.NONE:
                return subscription
        while subscription.current_period_end <= now:
            start = subscription.current_period_end
            end = period_add(start, subscription.interval)
            subscription.current_period_start, subscription.current_period_end = start, end
            if subscription.status == Status.TRIALING:
                subscription.status = Status.ACTIVE
            subscription.save()
            _period_invoice(subscription, start=start, end=end, now=now)
    overdue = (Invoice.objects.filter(subscription=subscription, status=Invoice.Status.OPEN,
                                      due_on__lt=timezone.localtime(now).date()).order_by("due_on").first())
    if overdue is not None and subscription.status in (Status.ACTIVE, Status.TRIALING):
        subscription.status = Status.PAST_DUE
        subscription.past_due_since = timezone.make_aware(datetime.combine(overdue.due_on, datetime.min.time()))
        subscription.save()
    entitlements_apply(enterprise=subscription.enterprise, now=now)
    return subscription


def bank_transfer_subscriptions_advance(*, now: datetime | None = None) -> int:
    """Every bank-transfer subscription (a beat task calls this daily). Returns how many were looked at."""
    now = now or timezone.now()
    ids = list(Subscription.objects.filter(payment_method=Method.BANK_TRANSFER)
               .exclude(status=Status.CANCELED).values_list("pk", flat=True))
    for pk in ids:
        subscription_bank_advance(subscription=Subscription(pk=pk), now=now)
    return len(ids)


# ----------------------------------------------------------------------------------- payment method

@transaction.atomic
def subscription_card_update(*, subscription: Subscription, actor: User, card_token: str) -> Subscription:
    """A new default card for a card subscription."""
    subscription = _lock(subscription)
    _owner_require(actor, subscription.enterprise)
    if subscription.payment_method != Method.CARD or not subscription.provider_customer_id:
        raise field_error("payment_method", _("This subscription is not paid by card."), Code.PAYMENT_METHOD_INVALID)
    if not card_token:
        raise field_error("card_number", _("Enter a card to pay by card."), Code.CARD_REQUIRED)
    try:
        provider().card_attach(customer_id=subscription.provider_customer_id, card_token=card_token)
    except ProviderError as exc:
        raise _provider_error(exc) from exc
    return subscription


@transaction.atomic
def subscription_payment_method_switch(*, subscription: Subscription, actor: User, payment_method: str,
                                       card_token: str = "") -> Subscription:
    """Card ↔ corporate bank transfer for the rest of the subscription. The period already paid stays paid:
    card → bank ends the provider's subscription now and the platform invoices from the next period;
    bank → card starts a provider subscription whose first charge is at the end of the current period
    (a trial until then at the provider; here the subscription keeps its status)."""
    subscription = _lock(subscription)
    _owner_require(actor, subscription.enterprise)
    if subscription.plan.is_free or payment_method not in (Method.CARD, Method.BANK_TRANSFER):
        raise field_error("payment_method", _("Choose card or corporate bank transfer."), Code.PAYMENT_METHOD_INVALID)
    if payment_method == subscription.payment_method:
        raise field_error("payment_method", _("That is the current payment method."), Code.NO_CHANGE)
    backend = provider()
    if payment_method == Method.BANK_TRANSFER:
        if subscription.provider_subscription_id:
            try:
                backend.subscription_cancel(subscription_id=subscription.provider_subscription_id,
                                            at_period_end=False)
            except ProviderError as exc:
                raise _provider_error(exc, field="payment_method") from exc
        # the provider's (now cancelled) subscription is no longer this one: its events find no row
        subscription.provider_subscription_id = ""
        subscription.payment_method = Method.BANK_TRANSFER
        subscription.save()
    else:
        if not card_token:
            raise field_error("card_number", _("Enter a card to pay by card."), Code.CARD_REQUIRED)
        refs = plan_provider_refs(plan=subscription.plan)
        try:
            customer_id = _customer_id(subscription.enterprise, actor)
            backend.card_attach(customer_id=customer_id, card_token=card_token)
            state = backend.subscription_create(
                customer_id=customer_id, refs=refs, interval=subscription.interval,
                extra_seats=subscription.extra_seats,
                trial_end=subscription.current_period_end if subscription.current_period_end
                and subscription.current_period_end > timezone.now() else None,
                metadata={"enterprise": subscription.enterprise.slug})
        except ProviderError as exc:
            raise _provider_error(exc) from exc
        status, trial_end = subscription.status, subscription.trial_end
        period = subscription.current_period_start, subscription.current_period_end
        provider_state_copy(subscription, state)
        if state.status == "trialing" and status != Status.TRIALING:  # a paid period, not a trial
            subscription.status, subscription.trial_end = status, trial_end
            subscription.current_period_start, subscription.current_period_end = period
        subscription.provider, subscription.provider_customer_id = backend.name, customer_id
        subscription.provider_subscription_id = state.id
        subscription.payment_method = Method.CARD
        subscription.save()
    entitlements_apply(enterprise=subscription.enterprise)
    return subscription
