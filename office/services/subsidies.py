"""Subsidies: grants from a programme's budget, payments, cancellations and clawbacks.

Locks, always in this order: the programme row, then the grant. So concurrent grants queue behind each
other and their sum never passes the budget (the database checks it too), and a grant racing with a
cancellation sees the budget either before or after it. Nothing is overwritten: a reversal is a row of
its own (who, when, why)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from office.error_codes import OfficeErrorCode as Code
from office.history import money_text
from office.models import Enrolment, Programme, Subsidy, SubsidyPayment, SubsidyReversal
from office.services.base import ZERO, money_clean, office_require
from tenants.models import User


@transaction.atomic
def subsidy_grant(*, enrolment: Enrolment, amount, purpose: str, actor: User,
                  granted_on: date | None = None) -> Subsidy:
    """Grant from the programme's budget. The programme row is locked, so concurrent grants queue
    behind each other and their sum can never pass the budget (the database checks it too)."""
    office_require(actor)
    amount = money_clean(amount, "amount")
    if not (purpose or "").strip():
        raise field_error("purpose", _("Say what the subsidy is for."), Code.AMOUNT_INVALID)
    programme = Programme.objects.select_for_update().get(pk=enrolment.programme_id)
    enrolment = Enrolment.objects.select_related("enterprise").get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ValidationError(_("%(name)s is not enrolled in %(programme)s.") % {
            "name": enrolment.enterprise.name, "programme": programme.name}, code=Code.NOT_ENROLLED)
    if programme.granted_total + amount > programme.budget:
        raise field_error("amount", _("%(amount)s is more than the %(left)s left of the budget of %(programme)s "
                                      "(%(budget)s, of which %(granted)s granted).") % {
            "amount": money_text(amount), "left": money_text(programme.remaining_budget), "programme": programme.name,
            "budget": money_text(programme.budget), "granted": money_text(programme.granted_total)}, Code.BUDGET_EXCEEDED)
    subsidy = Subsidy(programme=programme, enrolment=enrolment, amount=amount, purpose=purpose.strip(),
                      granted_on=granted_on or timezone.localdate(), granted_by=actor)
    subsidy.full_clean()
    subsidy.save()
    Programme.objects.filter(pk=programme.pk).update(granted_total=F("granted_total") + amount)
    return subsidy


@transaction.atomic
def subsidy_pay(*, subsidy: Subsidy, amount, actor: User, paid_on: date | None = None,
                reference: str = "") -> SubsidyPayment:
    """Pay (part of) a grant. Locks the programme, then the grant (always in that order)."""
    office_require(actor)
    amount = money_clean(amount, "amount")
    programme = Programme.objects.select_for_update().get(pk=subsidy.programme_id)
    subsidy = Subsidy.objects.select_for_update().get(pk=subsidy.pk)
    if subsidy.is_cancelled:
        raise _cancelled_error(subsidy)
    if amount > subsidy.outstanding:
        raise field_error("amount", _("%(amount)s is more than the %(left)s still to pay on this grant.") % {
            "amount": money_text(amount), "left": money_text(subsidy.outstanding)}, Code.GRANT_EXCEEDED)
    payment = SubsidyPayment(subsidy=subsidy, amount=amount, paid_on=paid_on or timezone.localdate(),
                             reference=(reference or "").strip()[:60], recorded_by=actor)
    payment.full_clean()
    payment.save()
    Subsidy.objects.filter(pk=subsidy.pk).update(paid_amount=F("paid_amount") + amount)
    Programme.objects.filter(pk=programme.pk).update(paid_total=F("paid_total") + amount)
    return payment


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give the reason: it stays with the record."), Code.REASON_REQUIRED)
    return reason


def _reversal_date(subsidy: Subsidy, on: date | None) -> date:
    on = on or timezone.localdate()
    if on < subsidy.granted_on or on > timezone.localdate():
        raise field_error("reversed_on", _("The date must be between the grant (%(granted)s) and today.") % {
            "granted": subsidy.granted_on.isoformat()}, Code.DATES_INVALID)
    return on


def _paid_back_limit(subsidy: Subsidy, on: date) -> Decimal:
    """The most that can be paid back on ``on``: what was paid up to that day less what was paid back,
    and never so much that a later clawback already recorded would leave a day with less than nothing
    paid (the monthly reports read the figures as of any day)."""
    payments = list(subsidy.payments.values_list("paid_on", "amount"))
    clawbacks = list(subsidy.reversals.filter(kind=SubsidyReversal.Kind.CLAWBACK).values_list("reversed_on",
                                                                                             "paid_back"))

    def net(day: date) -> Decimal:
        return (sum((a for d, a in payments if d <= day), ZERO) - sum((a for d, a in clawbacks if d <= day), ZERO))

    return min(net(day) for day in {on, *(d for d, _a in clawbacks if d >= on)})


def _cancelled_error(subsidy: Subsidy) -> ValidationError:
    cancellation = subsidy.reversals.filter(kind=SubsidyReversal.Kind.CANCELLATION).first()
    return ValidationError(_("This grant was cancelled on %(date)s.") % {
        "date": cancellation.reversed_on.isoformat() if cancellation else "—"}, code=Code.SUBSIDY_CANCELLED)


@transaction.atomic
def subsidy_cancel(*, subsidy: Subsidy, actor: User, reason: str,
                   reversed_on: date | None = None) -> SubsidyReversal:
    """Cancel a grant: what is not paid of it goes back to the programme's budget, and nothing more
    can be paid on it. The grant keeps its amount; the cancellation is a record of its own (who,
    when, why). Locks the programme, then the grant, like the grants and payments do, so a grant
    racing with a cancellation sees the budget either before or after it, never in between."""
    office_require(actor)
    reason = _reason(reason)
    programme = Programme.objects.select_for_update().get(pk=subsidy.programme_id)
    subsidy = Subsidy.objects.select_for_update().get(pk=subsidy.pk)
    if subsidy.is_cancelled:
        raise _cancelled_error(subsidy)
    unpaid = subsidy.outstanding
    if unpaid <= 0:
        raise ValidationError(_("Everything granted has been paid, so nothing would go back to the budget: record "
                                "the clawback first, then cancel the grant."), code=Code.NOTHING_TO_CANCEL)
    reversed_on = _reversal_date(subsidy, reversed_on)
    last_payment = subsidy.payments.order_by("-paid_on").values_list("paid_on", flat=True).first()
    if last_payment is not None and reversed_on < last_payment:
        raise field_error("reversed_on", _("The grant was last paid on %(date)s: it cannot be cancelled before that "
                                           "day.") % {"date": last_payment.isoformat()}, Code.DATES_INVALID)
    reversal = SubsidyReversal(subsidy=subsidy, kind=SubsidyReversal.Kind.CANCELLATION,
                               reversed_on=reversed_on, budget_returned=unpaid,
                               paid_back=ZERO, reason=reason, recorded_by=actor)
    reversal.full_clean()
    reversal.save()
    Subsidy.objects.filter(pk=subsidy.pk).update(status=Subsidy.Status.CANCELLED,
                                                 returned_amount=F("returned_amount") + unpaid)
    Programme.objects.filter(pk=programme.pk).update(granted_total=F("granted_total") - unpaid)
    return reversal


@transaction.atomic
def subsidy_payment_reverse(*, subsidy: Subsidy, actor: User, reason: str, amount=None,
                            reversed_on: date | None = None, reference: str = "") -> SubsidyReversal:
    """Record money the enterprise paid back (a clawback, e.g. it dropped out): by default all it
    was paid on this grant. While the grant stands, the amount is due to the enterprise again (pay
    it again, or cancel the grant to return it to the budget); on a cancelled grant it goes back to
    the budget straight away. The payments stay as they were; the clawback is a record of its own."""
    office_require(actor)
    reason = _reason(reason)
    amount = None if amount in (None, "") else money_clean(amount, "amount")
    programme = Programme.objects.select_for_update().get(pk=subsidy.programme_id)
    subsidy = Subsidy.objects.select_for_update().get(pk=subsidy.pk)
    if subsidy.paid_amount <= 0:
        raise ValidationError(_("Nothing paid on this grant is left to reverse."), code=Code.NOTHING_TO_REVERSE)
    amount = subsidy.paid_amount if amount is None else amount
    if amount > subsidy.paid_amount:
        raise field_error("amount", _("%(amount)s is more than the %(paid)s paid on this grant.") % {
            "amount": money_text(amount), "paid": money_text(subsidy.paid_amount)}, Code.REVERSAL_EXCEEDED)
    reversed_on = _reversal_date(subsidy, reversed_on)
    limit = _paid_back_limit(subsidy, reversed_on)
    if amount > limit:
        raise field_error("reversed_on", _("On %(date)s only %(limit)s had been paid on this grant (net of earlier "
                                           "clawbacks); date the clawback after the payment it reverses.") % {
            "date": reversed_on.isoformat(), "limit": money_text(max(limit, ZERO))}, Code.DATES_INVALID)
    returned = amount if subsidy.is_cancelled else ZERO
    reversal = SubsidyReversal(subsidy=subsidy, kind=SubsidyReversal.Kind.CLAWBACK,
                               reversed_on=reversed_on, paid_back=amount,
                               budget_returned=returned, reason=reason, reference=(reference or "").strip()[:60],
                               recorded_by=actor)
    reversal.full_clean()
    reversal.save()
    Subsidy.objects.filter(pk=subsidy.pk).update(paid_amount=F("paid_amount") - amount,
                                                 returned_amount=F("returned_amount") + returned)
    Programme.objects.filter(pk=programme.pk).update(paid_total=F("paid_total") - amount,
                                                     granted_total=F("granted_total") - returned)
    return reversal
