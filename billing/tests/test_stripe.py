"""The Stripe adapter and the provider sync against localstripe: real HTTP, no mocks.

Test cards (localstripe 1.15.10 knows Stripe's): 4242424242424242 / pm_card_visa pays;
4000000000000002 / pm_card_visa_chargeDeclined is refused when attached; 4000000000000341 /
pm_card_chargeCustomerFail attaches but every charge is declined."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.models import Invoice, Plan, Subscription
from billing.providers import provider
from billing.providers.base import ProviderError
from billing.services.plans import plan_provider_refs, plans_default_ensure
from billing.services.subscriptions import (subscription_cancel, subscription_cancel_withdraw, subscription_card_update,
                                            subscription_change, subscription_start)
from billing.services.sync import invoices_sync, subscription_sync
from core.errors import error_codes
from tenants.models import Enterprise, Membership, Role


@pytest.fixture
def plans(db, localstripe):
    plans_default_ensure()
    return {p.code: p for p in Plan.objects.all()}


def _owner(enterprise):
    return Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user


def _ent(enterprise):
    return Enterprise.objects.get(pk=enterprise.pk)


def test_a_customer_gets_a_card_and_a_declining_card_is_refused(localstripe):
    backend = provider()
    customer = backend.customer_ensure(customer_id="", name="慈溪测试电器", email="owner@example.test",
                                       metadata={"enterprise": "cx"})
    assert customer.startswith("cus_")
    assert backend.customer_ensure(customer_id=customer, name="x", email="x@example.test", metadata={}) == customer
    card = backend.card_tokenize(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
    backend.card_attach(customer_id=customer, card_token=card)
    stored = localstripe.request("GET", f"/v1/customers/{customer}")
    assert stored["invoice_settings"]["default_payment_method"] == card
    assert stored["metadata"] == {"enterprise": "cx"}

    declining = backend.card_tokenize(number="4000000000000002", exp_month=12, exp_year=2030, cvc="123")
    with pytest.raises(ProviderError) as refused:
        backend.card_attach(customer_id=customer, card_token=declining)
    assert refused.value.code == "card_declined"
    assert localstripe.request("GET", f"/v1/customers/{customer}")["invoice_settings"][
        "default_payment_method"] == card


def test_a_plan_is_a_product_with_a_tiered_plan_per_interval_in_fen(plans):
    refs = plan_provider_refs(plan=plans["erp"])
    assert refs.seat_month == refs.month and refs.seat_year == refs.year  # seats are units of the plan
    backend = provider()
    customer = backend.customer_ensure(customer_id="", name="A", email="a@example.test", metadata={})
    backend.card_attach(customer_id=customer, card_token="pm_card_visa")
    state = backend.subscription_create(customer_id=customer, refs=refs, interval="month", extra_seats=2,
                                        trial_end=None, metadata={})
    assert (state.status, state.plan_ref, state.seats) == ("active", refs.month, 2)
    [invoice] = backend.invoices_list(customer_id=customer)
    assert (invoice.status, invoice.amount_total, invoice.amount_paid, invoice.currency) == (
        "paid", Decimal("377.00"), Decimal("377.00"), "CNY")  # 299 + 2 × 39
    assert invoice.subscription_id == state.id and invoice.lines[0].quantity == 3


def test_a_subscription_with_a_trial_then_the_trial_ends_and_it_is_paid(make_enterprise, plans, localstripe):
    enterprise = make_enterprise()
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=_owner(enterprise),
                                      card_token="pm_card_visa")
    assert (subscription.status, subscription.provider) == ("trialing", "stripe")
    assert subscription.provider_subscription_id.startswith("sub_") and subscription.trial_end is not None
    assert (_ent(enterprise).modules, _ent(enterprise).access) == (["erp"], "full")
    assert provider().invoices_list(customer_id=subscription.provider_customer_id) == []

    # when: the trial ends (localstripe has no clock: the test ends it and renews)
    localstripe.request("POST", f"/v1/subscriptions/{subscription.provider_subscription_id}",
                        {"trial_end": "now"})
    paid = localstripe.renew(subscription.provider_subscription_id)
    assert paid["status"] == "paid"
    state = provider().subscription_fetch(subscription.provider_subscription_id)
    synced = subscription_sync(provider_subscription=state)
    [invoice] = invoices_sync(subscription=synced)
    assert synced.status == "active"
    assert (invoice.status, invoice.amount_total, invoice.amount_paid, invoice.number[:6]) == (
        "paid", Decimal("299.00"), Decimal("299.00"), f"DB{invoice.issued_at.year}")


def test_an_upgrade_is_prorated_and_invoiced_at_once(make_enterprise, plans, localstripe):
    enterprise = make_enterprise()
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=_owner(enterprise),
                                      card_token="pm_card_visa", trial=False)
    assert subscription.status == "active"
    result = subscription_change(subscription=subscription, actor=_owner(enterprise), plan=plans["erp-pdm"])
    # localstripe credits the whole unused first invoice (the upgrade happens at the period's start)
    assert (result.when, result.prorated_amount) == ("now", Decimal("200.00"))
    assert (_ent(enterprise).modules, result.subscription.plan.code) == (["erp", "pdm"], "erp-pdm")
    invoices = invoices_sync(subscription=result.subscription)
    assert sorted((i.status, i.amount_total) for i in invoices) == [("paid", Decimal("200.00")),
                                                                     ("paid", Decimal("299.00"))]
    again = invoices_sync(subscription=result.subscription)  # synced twice: the same two rows
    assert Invoice.objects.filter(enterprise=enterprise).count() == 2 and len(again) == 2


def test_a_declining_card_leaves_the_subscription_past_due_with_an_open_invoice(make_enterprise, plans, localstripe):
    enterprise = make_enterprise()
    owner = _owner(enterprise)
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=owner,
                                      card_token="pm_card_visa", trial=False)
    subscription_card_update(subscription=subscription, actor=owner, card_token="pm_card_chargeCustomerFail")
    result = subscription_change(subscription=subscription, actor=owner, plan=plans["erp-pdm"])
    assert result.subscription.status == "past_due" and result.subscription.past_due_since is not None
    assert _ent(enterprise).access == "past_due"
    invoices = {i.amount_total: i for i in invoices_sync(subscription=result.subscription)}
    assert (invoices[Decimal("200.00")].status, invoices[Decimal("200.00")].amount_paid) == ("open", Decimal("0"))
    # then: a good card and the invoice paid at Stripe: active again, full access
    subscription_card_update(subscription=subscription, actor=owner, card_token="pm_card_visa")
    localstripe.request("POST", f"/v1/invoices/{invoices[Decimal('200.00')].provider_invoice_id}/pay", {})
    state = provider().subscription_fetch(subscription.provider_subscription_id)
    synced = subscription_sync(provider_subscription=state)
    invoices_sync(subscription=synced)
    assert (synced.status, synced.past_due_since, _ent(enterprise).access) == ("active", None, "full")
    assert Invoice.objects.get(provider_invoice_id=invoices[Decimal("200.00")].provider_invoice_id).status == "paid"


def test_a_first_payment_declined_leaves_the_subscription_incomplete(make_enterprise, plans, localstripe):
    enterprise = make_enterprise()
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=_owner(enterprise),
                                      card_token="pm_card_chargeCustomerFail", trial=False)
    assert subscription.status == "incomplete" and subscription.past_due_since is not None
    [invoice] = invoices_sync(subscription=subscription)
    assert (invoice.status, invoice.amount_paid) == ("open", Decimal("0"))


def test_a_card_refused_at_sign_up_writes_nothing(make_enterprise, plans, localstripe):
    enterprise = make_enterprise()
    with pytest.raises(ValidationError) as refused:
        subscription_start(enterprise=enterprise, plan=plans["erp"], actor=_owner(enterprise),
                           card_token="pm_card_visa_chargeDeclined")
    assert error_codes(refused.value) == ["card_declined"]
    assert not Subscription.objects.filter(enterprise=enterprise).exists()


def test_cancel_at_period_end_withdraw_then_cancel_at_once(make_enterprise, make_user, plans, localstripe):
    enterprise = make_enterprise()
    owner = _owner(enterprise)
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=owner,
                                      card_token="pm_card_visa", trial=False)
    ending = subscription_cancel(subscription=subscription, actor=owner)
    assert ending.cancel_at_period_end and provider().subscription_fetch(
        subscription.provider_subscription_id).cancel_at_period_end
    kept = subscription_cancel_withdraw(subscription=ending, actor=owner)
    assert not provider().subscription_fetch(kept.provider_subscription_id).cancel_at_period_end
    admin = make_user(platform_role="platform_admin")
    ended = subscription_cancel(subscription=kept, actor=admin, immediately=True)
    assert ended.status == "canceled"
    assert provider().subscription_fetch(subscription.provider_subscription_id).status == "canceled"
    assert (_ent(enterprise).modules, _ent(enterprise).access) == ([], "full")  # boards only; nothing deleted


def test_a_sync_of_one_enterprises_subscription_never_touches_another(enterprise_pair, plans, localstripe):
    a, b, alice, bob = enterprise_pair("stripe-a", "stripe-b")
    sub_a = subscription_start(enterprise=a, plan=plans["erp"], actor=alice, card_token="pm_card_visa", trial=False)
    sub_b = subscription_start(enterprise=b, plan=plans["erp-pdm"], actor=bob, card_token="pm_card_visa", trial=False)
    provider().subscription_cancel(subscription_id=sub_a.provider_subscription_id, at_period_end=False)
    subscription_sync(provider_subscription=provider().subscription_fetch(sub_a.provider_subscription_id))
    invoices_sync(subscription=Subscription.objects.get(pk=sub_a.pk))
    assert Subscription.objects.get(pk=sub_a.pk).status == "canceled" and _ent(a).modules == []
    assert Subscription.objects.get(pk=sub_b.pk).status == "active" and _ent(b).modules == ["erp", "pdm"]
    assert set(Invoice.objects.filter(enterprise=a).values_list("subscription_id", flat=True)) == {sub_a.pk}
    assert not Invoice.objects.filter(enterprise=b).exists()
