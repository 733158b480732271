"""Subscriptions without a payment provider: the free plan and corporate bank transfer (对公转账)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from billing.models import BankTransfer, Invoice, Plan, Subscription
from billing.services.invoices import bank_transfer_record
from billing.services.plans import plans_default_ensure
from billing.services.subscriptions import (bank_transfer_subscriptions_advance, subscription_bank_advance,
                                            subscription_cancel, subscription_cancel_withdraw, subscription_change,
                                            subscription_pending_withdraw, subscription_start)
from core.errors import error_codes, error_codes_by_field
from tenants.models import Enterprise, Membership, Role

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=TZ)


@pytest.fixture
def plans(db):
    plans_default_ensure()
    return {p.code: p for p in Plan.objects.all()}


@pytest.fixture
def admin(make_user):
    return make_user(platform_role="platform_admin")


def _owner(enterprise):
    return Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user


def _ent(enterprise):
    return Enterprise.objects.get(pk=enterprise.pk)


def test_the_free_plan_needs_no_payment_and_gives_boards_only(make_enterprise, plans):
    enterprise = make_enterprise()
    subscription = subscription_start(enterprise=enterprise, plan=plans["boards"], actor=_owner(enterprise))
    assert (subscription.status, subscription.payment_method, subscription.trial_end) == ("active", "none", None)
    assert (_ent(enterprise).modules, _ent(enterprise).seat_limit, _ent(enterprise).access) == ([], 5, "full")
    assert not Invoice.objects.filter(enterprise=enterprise).exists()


def test_a_bank_transfer_trial_then_invoices_then_past_due_then_paid(make_enterprise, plans, admin):
    # given: ERP by bank transfer with the 14-day trial
    enterprise = make_enterprise()
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=_owner(enterprise),
                                      payment_method="bank_transfer", now=T0)
    assert (subscription.status, subscription.trial_end, subscription.current_period_end) == (
        "trialing", T0 + timedelta(days=14), T0 + timedelta(days=14))
    assert (_ent(enterprise).modules, _ent(enterprise).seat_limit) == (["erp"], 5)
    assert not Invoice.objects.filter(enterprise=enterprise).exists()
    # when: the trial ends
    assert bank_transfer_subscriptions_advance(now=T0 + timedelta(days=14, hours=1)) >= 1
    subscription.refresh_from_db()
    invoice = Invoice.objects.get(enterprise=enterprise)
    # then: a month is invoiced, due in 14 days, the subscription active
    assert subscription.status == "active"
    assert (subscription.current_period_start, subscription.current_period_end) == (
        T0 + timedelta(days=14), datetime(2026, 4, 15, 9, 0, tzinfo=TZ))
    assert invoice.number.startswith("DB2026") and len(invoice.number) == 12
    assert (invoice.amount_total, invoice.amount_due, invoice.status, invoice.due_on) == (
        Decimal("299.00"), Decimal("299.00"), "open", date(2026, 3, 29))
    assert (invoice.period_start, invoice.period_end) == (date(2026, 3, 15), date(2026, 4, 15))
    # when: the due date passes unpaid
    subscription_bank_advance(subscription=subscription, now=datetime(2026, 3, 30, 9, tzinfo=TZ))
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    assert _ent(enterprise).access == "past_due"
    # when: the finance staff record a partial, then the rest
    bank_transfer_record(invoice=invoice, amount="100", received_on=date(2026, 3, 31), bank_reference="ICBC-1",
                         actor=admin)
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.status, invoice.outstanding) == (Decimal("100.00"), "open", Decimal("199.00"))
    bank_transfer_record(invoice=invoice, amount="199.00", received_on=date(2026, 4, 1), bank_reference="ICBC-2",
                         actor=admin, payer_name="慈溪测试电器")
    invoice.refresh_from_db()
    subscription.refresh_from_db()
    # then: paid, and the subscription and the enterprise back to full
    assert (invoice.amount_paid, invoice.status) == (Decimal("299.00"), "paid") and invoice.paid_at is not None
    assert (subscription.status, subscription.past_due_since) == ("active", None)
    assert _ent(enterprise).access == "full"
    assert BankTransfer.objects.filter(invoice=invoice).count() == 2


def test_a_transfer_above_the_outstanding_or_with_a_used_reference_is_refused(make_enterprise, plans, admin):
    enterprise = make_enterprise()
    subscription_start(enterprise=enterprise, plan=plans["erp"], actor=_owner(enterprise),
                       payment_method="bank_transfer", trial=False, now=T0)
    invoice = Invoice.objects.get(enterprise=enterprise)
    with pytest.raises(ValidationError) as exc:
        bank_transfer_record(invoice=invoice, amount="299.01", received_on=date(2026, 3, 2), bank_reference="R1",
                             actor=admin)
    assert error_codes_by_field(exc.value) == {"amount": ["transfer_overpaid"]}
    bank_transfer_record(invoice=invoice, amount="10", received_on=date(2026, 3, 2), bank_reference="R1", actor=admin)
    with pytest.raises(ValidationError) as exc:
        bank_transfer_record(invoice=invoice, amount="10", received_on=date(2026, 3, 2), bank_reference="R1",
                             actor=admin)
    assert error_codes_by_field(exc.value) == {"bank_reference": ["transfer_reference_taken"]}
    with pytest.raises(ValidationError) as exc:
        bank_transfer_record(invoice=invoice, amount="0", received_on=date(2026, 3, 2), bank_reference="R2",
                             actor=admin)
    assert error_codes_by_field(exc.value) == {"amount": ["transfer_amount_invalid"]}
    with pytest.raises(ValidationError) as exc:
        bank_transfer_record(invoice=invoice, amount="5", received_on=date(2026, 3, 2), bank_reference="R3",
                             actor=_owner(enterprise))
    assert error_codes_by_field(exc.value) == {"actor": ["forbidden"]}
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("10.00")


def test_an_upgrade_applies_now_and_invoices_the_prorated_difference(make_enterprise, plans):
    # given: ERP monthly from 1 March (no trial), invoiced 299
    enterprise = make_enterprise()
    owner = _owner(enterprise)
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=owner,
                                      payment_method="bank_transfer", trial=False, now=T0)
    # when: on 16 March 21:00 (15.5 of 31 days used) the owner upgrades to ERP + PDM
    result = subscription_change(subscription=subscription, actor=owner, plan=plans["erp-pdm"],
                                 now=datetime(2026, 3, 16, 21, 0, tzinfo=TZ))
    # then: at once, with (499 − 299) × 15.5/31 = 100.00 invoiced
    assert (result.when, result.prorated_amount) == ("now", Decimal("100.00"))
    assert result.invoice.amount_total == Decimal("100.00")
    assert result.subscription.plan == plans["erp-pdm"]
    assert _ent(enterprise).modules == ["erp", "pdm"]
    assert sorted(Invoice.objects.filter(enterprise=enterprise).values_list("amount_total", flat=True)) == [
        Decimal("100.00"), Decimal("299.00")]


def test_a_switch_to_yearly_restarts_the_period_and_credits_the_unused_month(make_enterprise, plans):
    enterprise = make_enterprise()
    owner = _owner(enterprise)
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=owner,
                                      payment_method="bank_transfer", trial=False, now=T0)
    when = datetime(2026, 3, 16, 21, 0, tzinfo=TZ)
    result = subscription_change(subscription=subscription, actor=owner, interval="year", now=when)
    assert (result.when, result.prorated_amount) == ("now", Decimal("2840.50"))  # 2990 − 299 / 2
    assert (result.subscription.current_period_start, result.subscription.current_period_end) == (
        when, datetime(2027, 3, 16, 21, 0, tzinfo=TZ))


def test_a_downgrade_waits_for_the_period_end_and_can_be_withdrawn(make_enterprise, plans):
    enterprise = make_enterprise()
    owner = _owner(enterprise)
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp-pdm"], actor=owner,
                                      payment_method="bank_transfer", trial=False, now=T0)
    # when: a downgrade to ERP
    result = subscription_change(subscription=subscription, actor=owner, plan=plans["erp"],
                                 now=T0 + timedelta(days=3))
    # then: pending; nothing changes now
    assert (result.when, result.prorated_amount, result.subscription.pending_plan) == ("period_end", None, plans["erp"])
    assert result.subscription.plan == plans["erp-pdm"] and _ent(enterprise).modules == ["erp", "pdm"]
    # and it can be withdrawn, and made again
    subscription_pending_withdraw(subscription=subscription, actor=owner)
    subscription.refresh_from_db()
    assert subscription.pending_plan is None
    with pytest.raises(ValidationError) as exc:
        subscription_pending_withdraw(subscription=subscription, actor=owner)
    assert error_codes(exc.value) == ["not_pending"]
    subscription_change(subscription=subscription, actor=owner, plan=plans["erp"], now=T0 + timedelta(days=4))
    # when: the period ends
    subscription_bank_advance(subscription=subscription, now=datetime(2026, 4, 1, 10, tzinfo=TZ))
    subscription.refresh_from_db()
    # then: ERP from 1 April, invoiced at ERP's price
    assert (subscription.plan, subscription.pending_plan) == (plans["erp"], None)
    assert _ent(enterprise).modules == ["erp"]
    latest = Invoice.objects.filter(enterprise=enterprise).order_by("-issued_at", "-id").first()
    assert (latest.amount_total, latest.period_start) == (Decimal("299.00"), date(2026, 4, 1))


def test_a_downgrade_to_the_free_plan_ends_the_paid_subscription_at_period_end(make_enterprise, plans):
    enterprise = make_enterprise()
    owner = _owner(enterprise)
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=owner,
                                      payment_method="bank_transfer", trial=False, now=T0)
    subscription_change(subscription=subscription, actor=owner, plan=plans["boards"], now=T0)
    subscription_bank_advance(subscription=subscription, now=datetime(2026, 4, 1, 10, tzinfo=TZ))
    current = Subscription.objects.exclude(status="canceled").get(enterprise=enterprise)
    assert (current.plan, current.payment_method) == (plans["boards"], "none")
    assert _ent(enterprise).modules == []


def test_cancel_at_period_end_is_withdrawable_and_at_once_only_for_the_platform_admin(make_enterprise, plans, admin):
    enterprise = make_enterprise()
    owner = _owner(enterprise)
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=owner,
                                      payment_method="bank_transfer", trial=False, now=T0)
    with pytest.raises(ValidationError) as exc:
        subscription_cancel(subscription=subscription, actor=owner, immediately=True)
    assert error_codes_by_field(exc.value) == {"immediately": ["immediate_cancel_admin_only"]}
    subscription_cancel(subscription=subscription, actor=owner)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.cancel_at_period_end) == ("active", True)
    subscription_cancel_withdraw(subscription=subscription, actor=owner)
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False
    # the owner's cancellation takes effect at the period end: boards only, nothing deleted
    subscription_cancel(subscription=subscription, actor=owner)
    subscription_bank_advance(subscription=subscription, now=datetime(2026, 4, 1, 10, tzinfo=TZ))
    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    assert (_ent(enterprise).modules, _ent(enterprise).seat_limit) == ([], None)
    # a platform admin cancels another one at once
    other = make_enterprise()
    sub2 = subscription_start(enterprise=other, plan=plans["erp"], actor=_owner(other),
                              payment_method="bank_transfer", trial=False, now=T0)
    subscription_cancel(subscription=sub2, actor=admin, immediately=True)
    sub2.refresh_from_db()
    assert sub2.status == "canceled" and _ent(other).modules == []


def test_only_the_owner_manages_the_subscription(make_enterprise, make_user, plans):
    enterprise = make_enterprise()
    manager = make_user()
    Membership.objects.create(user=manager, enterprise=enterprise, role=Role.ADMIN)
    with pytest.raises(ValidationError) as exc:
        subscription_start(enterprise=enterprise, plan=plans["erp"], actor=manager, payment_method="bank_transfer")
    assert error_codes_by_field(exc.value) == {"actor": ["not_owner"]}
    assert not Subscription.objects.filter(enterprise=enterprise).exists()


def test_a_second_subscription_and_too_few_seats_are_refused(make_enterprise, make_user, plans):
    enterprise = make_enterprise()
    owner = _owner(enterprise)
    for _ in range(5):
        Membership.objects.create(user=make_user(), enterprise=enterprise, role=Role.CLERK)
    with pytest.raises(ValidationError) as exc:
        subscription_start(enterprise=enterprise, plan=plans["erp"], actor=owner, payment_method="bank_transfer")
    assert error_codes_by_field(exc.value) == {"extra_seats": ["seats_below_members"]}
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=owner,
                                      payment_method="bank_transfer", extra_seats=1, trial=False, now=T0)
    assert _ent(enterprise).seat_limit == 6
    invoice = Invoice.objects.get(enterprise=enterprise)
    assert invoice.amount_total == Decimal("338.00")  # 299 + 39
    with pytest.raises(ValidationError) as exc:
        subscription_start(enterprise=enterprise, plan=plans["erp-pdm"], actor=owner, payment_method="bank_transfer")
    assert error_codes(exc.value) == ["already_subscribed"]
    with pytest.raises(ValidationError) as exc:
        subscription_change(subscription=subscription, actor=owner, extra_seats=0)
    assert error_codes_by_field(exc.value) == {"extra_seats": ["seats_below_members"]}
