"""Card subscriptions through the provider (the embedded localstripe: real HTTP), as the owner's pages and
services drive them."""

from decimal import Decimal

import pytest
from django.test import Client, override_settings

from billing.models import Plan, Subscription
from billing.services.plans import plan_provider_refs, plan_update, plans_default_ensure
from billing.services.subscriptions import subscription_change, subscription_pending_apply, subscription_start
from billing.providers import provider
from tenants.models import Enterprise, Membership, Role


@pytest.fixture
def plans(db, localstripe):
    plans_default_ensure()
    return {p.code: p for p in Plan.objects.all()}


def _owner(enterprise):
    return Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user


def _card():
    return provider().card_tokenize(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")


@override_settings(ROOT_URLCONF="billing.tests.urls_tenant_host")
def test_the_owner_pays_by_card_through_the_card_form_and_upgrades(make_enterprise, plans, localstripe):
    enterprise = make_enterprise()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(_owner(enterprise))
    host = f"{enterprise.slug}.localhost"
    # when: ERP monthly by card (the first subscription gets the 14-day trial)
    response = client.post("/billing/plan/", {"plan": plans["erp"].pk, "interval": "month", "extra_seats": "0",
                                              "payment_method": "card", "card_number": "4242 4242 4242 4242",
                                              "card_exp": "12/30", "card_cvc": "123"}, HTTP_HOST=host)
    assert (response.status_code, response["Location"]) == (302, "/billing/")
    subscription = Subscription.objects.get(enterprise=enterprise)
    assert (subscription.payment_method, subscription.provider, subscription.status) == ("card", "stripe", "trialing")
    at_provider = localstripe.request("GET", f"/v1/subscriptions/{subscription.provider_subscription_id}")
    assert at_provider["items"]["data"][0]["plan"]["id"] == Plan.objects.get(pk=plans["erp"].pk).provider_refs[
        "stripe"]["month"]
    customer = localstripe.request("GET", f"/v1/customers/{subscription.provider_customer_id}")
    assert customer["invoice_settings"]["default_payment_method"].startswith("pm_")
    assert Enterprise.objects.get(pk=enterprise.pk).modules == ["erp"]
    page = client.get("/billing/", HTTP_HOST=host).content.decode()
    assert "Card (Stripe)" in page and "4242" not in page
    # when: upgrade to ERP + PDM + logistics during the trial: at once, nothing to prorate in a trial
    response = client.post("/billing/plan/", {"plan": plans["erp-pdm-logistics"].pk, "interval": "month",
                                              "extra_seats": "0"}, HTTP_HOST=host)
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.plan == plans["erp-pdm-logistics"]
    assert Enterprise.objects.get(pk=enterprise.pk).modules == ["erp", "pdm", "logistics"]


@override_settings(ROOT_URLCONF="billing.tests.urls_tenant_host")
def test_a_declined_card_in_the_form_names_the_card_and_writes_nothing(make_enterprise, plans, localstripe):
    enterprise = make_enterprise()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(_owner(enterprise))
    response = client.post("/billing/plan/", {"plan": plans["erp"].pk, "interval": "month", "extra_seats": "0",
                                              "payment_method": "card", "card_number": "4000 0000 0000 0002",
                                              "card_exp": "12/30", "card_cvc": "123"},
                           HTTP_HOST=f"{enterprise.slug}.localhost")
    assert response.status_code == 400
    body = response.content.decode()
    assert "The card was refused" in body and 'value="4000' not in body
    assert not Subscription.objects.filter(enterprise=enterprise).exists()


def test_an_upgrade_after_the_trial_says_the_prorated_amount_and_a_downgrade_waits(make_enterprise, plans,
                                                                                   localstripe):
    enterprise = make_enterprise()
    owner = _owner(enterprise)
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=owner, payment_method="card",
                                      card_token=_card(), trial=False)
    assert subscription.status == "active"
    result = subscription_change(subscription=subscription, actor=owner, plan=plans["erp-pdm"])
    assert result.when == "now"
    assert result.prorated_amount is not None and Decimal("0") < result.prorated_amount <= Decimal("200.00")
    # a downgrade: pending here, the provider untouched until the period ends
    before = localstripe.request("GET", f"/v1/subscriptions/{subscription.provider_subscription_id}")
    result = subscription_change(subscription=result.subscription, actor=owner, plan=plans["erp"])
    assert (result.when, result.subscription.pending_plan) == ("period_end", plans["erp"])
    after = localstripe.request("GET", f"/v1/subscriptions/{subscription.provider_subscription_id}")
    assert after["items"]["data"][0]["plan"]["id"] == before["items"]["data"][0]["plan"]["id"]
    # the period ends: the provider's subscription goes to ERP's plan
    applied = subscription_pending_apply(subscription=result.subscription)
    erp_month = Plan.objects.get(pk=plans["erp"].pk).provider_refs["stripe"]["month"]
    now = localstripe.request("GET", f"/v1/subscriptions/{subscription.provider_subscription_id}")
    assert now["items"]["data"][0]["plan"]["id"] == erp_month
    assert (applied.plan, applied.pending_plan) == (plans["erp"], None)
    assert Enterprise.objects.get(pk=enterprise.pk).modules == ["erp"]


def test_a_changed_price_makes_a_new_provider_plan(plans, localstripe):
    old = plan_provider_refs(plan=plans["erp"])
    assert plan_provider_refs(plan=Plan.objects.get(pk=plans["erp"].pk)) == old  # unchanged: reused
    plan = plan_update(plan=plans["erp"], price_month="329")
    new = Plan.objects.get(pk=plan.pk).provider_refs["stripe"]
    assert new["product"] == old.product and new["month"] != old.month
    stored = localstripe.request("GET", f"/v1/plans/{new['month']}")
    assert int(stored["tiers"][0]["flat_amount"]) + int(stored["tiers"][0]["unit_amount"]) == 32900


@override_settings(ROOT_URLCONF="billing.tests.urls_tenant_host")
def test_the_owner_switches_bank_transfer_to_card_and_back(make_enterprise, plans, localstripe):
    # given: ERP by bank transfer, the first month invoiced
    enterprise = make_enterprise()
    owner = _owner(enterprise)
    subscription = subscription_start(enterprise=enterprise, plan=plans["erp"], actor=owner,
                                      payment_method="bank_transfer", trial=False)
    period_end = subscription.current_period_end
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    host = f"{enterprise.slug}.localhost"
    # when: no card typed: the card is asked for
    missing = client.post(f"/billing/subscriptions/{subscription.pk}/payment-method/",
                          {"payment_method": "card"}, HTTP_HOST=host)
    assert missing.status_code == 400 and "Enter a card to pay by card." in missing.content.decode()
    # when: by card from now on
    response = client.post(f"/billing/subscriptions/{subscription.pk}/payment-method/",
                           {"payment_method": "card", "card_number": "4242424242424242", "card_exp": "12/30",
                            "card_cvc": "123"}, HTTP_HOST=host)
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.payment_method, subscription.status, subscription.current_period_end) == (
        "card", "active", period_end)
    at_provider = localstripe.request("GET", f"/v1/subscriptions/{subscription.provider_subscription_id}")
    assert at_provider["trial_end"] == int(period_end.timestamp())  # the paid month is not charged again
    provider_id = subscription.provider_subscription_id
    # when: back to bank transfer: the provider's subscription ends now, ours continues
    response = client.post(f"/billing/subscriptions/{subscription.pk}/payment-method/",
                           {"payment_method": "bank_transfer"}, HTTP_HOST=host)
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.payment_method, subscription.status, subscription.provider_subscription_id) == (
        "bank_transfer", "active", "")
    assert localstripe.request("GET", f"/v1/subscriptions/{provider_id}")["status"] == "canceled"
    assert Enterprise.objects.get(pk=enterprise.pk).modules == ["erp"]
