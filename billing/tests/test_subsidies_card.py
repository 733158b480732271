"""A subsidised subscription paid by card, against localstripe (real HTTP, no mocks): the card pays only
the enterprise's share, the programme's share is a grant within its budget, and our invoice's total,
subsidy, due and paid agree with what the card was charged.

localstripe has no clock: renewals are driven with the fixture's ``renew`` (create the next invoice and
pay it, as Stripe does at a period's end), then the platform syncs, as the webhook task would."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.utils import translation

from billing.models import Invoice, Plan, Subscription
from billing.providers import provider
from billing.services.plans import plans_default_ensure
from billing.services.subscriptions import subscription_card_update, subscription_start
from billing.services.subsidies import scheme_create, subscription_scheme_join
from billing.services.sync import invoice_sync, invoices_sync, subscription_sync
from office.models import Programme, Subsidy
from office.services import enrolment_enrol
from office.tests.builders import make_programme, registry_enterprise

_n = itertools.count(1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def plans(db, localstripe):
    plans_default_ensure()
    return {p.code: p for p in Plan.objects.all()}


@pytest.fixture
def office(make_user):
    return make_user(email=f"office-card{next(_n)}@office.test", platform_role="office")


@pytest.fixture
def admin(make_user):
    return make_user(email=f"admin-card{next(_n)}@example.test", platform_role="platform_admin")


def card_subscription(enterprise, plan, admin, *, card="pm_card_visa") -> Subscription:
    """A card subscription, out of trial, whose first invoice is paid and synced (before any scheme)."""
    subscription = subscription_start(enterprise=enterprise, plan=plan, actor=admin, card_token=card, trial=False)
    invoices_sync(subscription=subscription)
    return Subscription.objects.get(pk=subscription.pk)


def renew_and_sync(localstripe, subscription: Subscription) -> tuple[dict, Invoice]:
    """The period ends at the provider (its invoice created and charged), then the platform syncs it as the
    webhook task does: the subscription, then the invoice re-read from the provider."""
    paid = localstripe.renew(subscription.provider_subscription_id)
    subscription_sync(provider_subscription=provider().subscription_fetch(subscription.provider_subscription_id))
    invoice = invoice_sync(provider_invoice=provider().invoice_fetch(paid["id"]))
    return paid, invoice


def card_charged(localstripe, provider_invoice: dict) -> tuple[int, int]:
    """(fen charged, fen refunded) on the invoice's payment, as localstripe has them."""
    intent = localstripe.request("GET", f"/v1/payment_intents/{provider_invoice['payment_intent']}")
    refunds = localstripe.request("GET", f"/v1/refunds?payment_intent={intent['id']}")["data"]
    return intent["amount"], sum(r["amount"] for r in refunds)


def subsidised(office, plans, admin, *, budget="100000.00", percent="50", card="pm_card_visa"):
    programme = make_programme(budget=Decimal(budget))
    scheme = scheme_create(programme=programme, plan=plans["erp"], percent=percent, months=12, max_enterprises=5,
                           actor=office)
    enterprise = registry_enterprise()
    enrolment_enrol(programme=programme, enterprise=enterprise, actor=office)
    subscription = card_subscription(enterprise, plans["erp"], admin, card=card)
    subscription = subscription_scheme_join(subscription=subscription, scheme=scheme)
    return programme, enterprise, subscription


def test_a_renewal_charges_the_card_only_the_enterprise_share(office, plans, admin, localstripe):
    # given: a card subscription to ERP (299 a month) that joined a 50% scheme after its first (full) invoice
    programme, enterprise, subscription = subsidised(office, plans, admin, percent="50")
    [first] = Invoice.objects.filter(subscription=subscription)
    assert (first.amount_total, first.subsidy_amount, first.amount_paid) == (Decimal("299.00"), 0, Decimal("299.00"))
    # when: the next period is invoiced and charged by the provider, and synced
    paid, invoice = renew_and_sync(localstripe, subscription)
    # then: the card paid 299 and got the programme's 149.50 back: the enterprise paid its share only
    assert card_charged(localstripe, paid) == (29900, 14950)
    assert (invoice.status, invoice.amount_total, invoice.subsidy_amount, invoice.amount_due, invoice.amount_paid) == (
        "paid", Decimal("299.00"), Decimal("149.50"), Decimal("149.50"), Decimal("149.50"))
    grant = Subsidy.objects.get(programme=programme)
    assert (grant.amount, grant.invoice.pk, grant.enrolment.enterprise_id) == (Decimal("149.50"), invoice.pk,
                                                                              enterprise.pk)
    line = invoice.lines[-1]
    assert (line["kind"], line["amount"], line["refunded"]) == ("subsidy", "-149.50", "149.50")
    assert line["refund_id"].startswith("re_")
    # the same invoice synced again (a redelivered webhook, the catch-up): nothing granted or refunded twice
    again = invoice_sync(provider_invoice=provider().invoice_fetch(paid["id"]))
    invoices_sync(subscription=subscription)
    assert (again.amount_paid, again.lines) == (invoice.amount_paid, invoice.lines)
    assert card_charged(localstripe, paid) == (29900, 14950)
    assert Subsidy.objects.filter(programme=programme).count() == 1
    assert Programme.objects.get(pk=programme.pk).granted_total == Decimal("149.50")
    # the database holds the books together: total = subsidy + due, paid ≤ due, for every invoice
    for row in Invoice.objects.filter(subscription=subscription):
        assert row.amount_total == row.subsidy_amount + row.amount_due and 0 <= row.amount_paid <= row.amount_due


def test_the_refund_is_the_share_to_the_fen_whatever_the_percent(office, plans, admin, localstripe):
    # 33.33% of 299 = 99.6567 → 99.66 (half up): the card gets exactly 9966 fen back
    programme, enterprise, subscription = subsidised(office, plans, admin, percent="33.33")
    paid, invoice = renew_and_sync(localstripe, subscription)
    assert (invoice.subsidy_amount, invoice.amount_due, invoice.amount_paid) == (
        Decimal("99.66"), Decimal("199.34"), Decimal("199.34"))
    charged, refunded = card_charged(localstripe, paid)
    assert (charged, refunded, charged - refunded) == (29900, 9966, 19934)


def test_when_the_budget_cannot_cover_the_share_the_card_pays_the_whole(office, plans, admin, localstripe):
    # given: a programme with 100 CNY left, a share of 149.50
    programme, enterprise, subscription = subsidised(office, plans, admin, budget="100.00")
    paid, invoice = renew_and_sync(localstripe, subscription)
    # then: nothing granted, nothing refunded: the enterprise paid the whole invoice and the invoice says why
    assert card_charged(localstripe, paid) == (29900, 0)
    assert (invoice.subsidy_id, invoice.subsidy_amount, invoice.amount_due, invoice.amount_paid) == (
        None, Decimal("0"), Decimal("299.00"), Decimal("299.00"))
    note = invoice.lines[-1]
    assert (note["kind"], note["code"]) == ("subsidy_refused", "budget_exceeded")
    assert programme.name in note["description"]  # stored in the platform's language
    assert not Subsidy.objects.filter(programme=programme).exists()
    assert Programme.objects.get(pk=programme.pk).granted_total == Decimal("0")
    # a budget raised later: the next renewal is subsidised again (each invoice is decided on its own)
    Programme.objects.filter(pk=programme.pk).update(budget=Decimal("1000.00"))
    paid, invoice = renew_and_sync(localstripe, subscription)
    assert card_charged(localstripe, paid) == (29900, 14950)
    assert (invoice.subsidy_amount, invoice.amount_paid) == (Decimal("149.50"), Decimal("149.50"))


def test_a_declined_renewal_is_refunded_its_share_once_it_is_paid(office, plans, admin, localstripe):
    # given: a subsidised card subscription whose card now declines every charge
    programme, enterprise, subscription = subsidised(office, plans, admin)
    subscription_card_update(subscription=subscription, actor=admin, card_token="pm_card_chargeCustomerFail")
    # when: the renewal's charge fails
    paid, invoice = renew_and_sync(localstripe, subscription)
    # then: the share is granted (the enterprise owes 149.50), nothing was paid, nothing refunded yet
    assert paid["status"] == "open"
    assert (invoice.status, invoice.subsidy_amount, invoice.amount_due, invoice.amount_paid) == (
        "open", Decimal("149.50"), Decimal("149.50"), Decimal("0"))
    assert "refund_id" not in invoice.lines[-1]
    # when: a good card, the invoice paid at the provider (the full 299), synced
    subscription_card_update(subscription=subscription, actor=admin, card_token="pm_card_visa")
    paid = localstripe.request("POST", f"/v1/invoices/{paid['id']}/pay", {})
    invoice = invoice_sync(provider_invoice=provider().invoice_fetch(paid["id"]))
    # then: the share goes back to the card; paid = the enterprise's share
    assert card_charged(localstripe, paid) == (29900, 14950)
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("149.50"))
    assert Subsidy.objects.filter(programme=programme).count() == 1


def test_one_enterprises_subsidy_never_touches_anothers_card(office, plans, admin, localstripe):
    # given: A subsidised, B on the same plan by card, not subsidised
    programme, a, sub_a = subsidised(office, plans, admin)
    b = registry_enterprise()
    enrolment_enrol(programme=programme, enterprise=b, actor=office)  # enrolled, but B never joined the scheme
    sub_b = card_subscription(b, plans["erp"], admin)
    stripe_b_before = localstripe.request("GET", f"/v1/subscriptions/{sub_b.provider_subscription_id}")
    # when: both renew
    paid_a, invoice_a = renew_and_sync(localstripe, sub_a)
    paid_b, invoice_b = renew_and_sync(localstripe, sub_b)
    # then: only A's payment is refunded its share; B pays its whole price and has no grant
    assert card_charged(localstripe, paid_a) == (29900, 14950)
    assert card_charged(localstripe, paid_b) == (29900, 0)
    assert (invoice_b.subsidy_id, invoice_b.subsidy_amount, invoice_b.amount_paid) == (None, 0, Decimal("299.00"))
    assert [line.get("kind") for line in invoice_b.lines] == [None]
    assert set(Subsidy.objects.filter(programme=programme).values_list("enrolment__enterprise_id", flat=True)) == {
        a.pk}
    stripe_b_after = localstripe.request("GET", f"/v1/subscriptions/{sub_b.provider_subscription_id}")
    def shape(data: dict) -> tuple:
        return data["items"]["data"][0]["plan"]["id"], data["quantity"], data["metadata"], data["discount"]

    assert shape(stripe_b_after) == shape(stripe_b_before)
    assert Subscription.objects.get(pk=sub_b.pk).subsidy_scheme_id is None
    assert set(Invoice.objects.filter(enterprise=b).values_list("subscription_id", flat=True)) == {sub_b.pk}


def test_the_webhook_path_refunds_the_share_once(office, plans, admin, localstripe):
    # the provider's events, stored and processed as the webhook view and the task do (twice: a redelivery)
    from billing.models import ProviderEvent
    from billing.providers.base import ProviderEventIn
    from billing.services.sync import event_process, event_store

    programme, enterprise, subscription = subsidised(office, plans, admin)
    paid = localstripe.renew(subscription.provider_subscription_id)
    events = [e for e in localstripe.events() if e["type"].startswith("invoice.")
              and e["data"]["object"]["id"] == paid["id"]]
    assert "invoice.created" in {e["type"] for e in events}  # the event re-reads the invoice: already paid
    for event in events + events:
        stored, _new = event_store(provider_name="stripe", event=ProviderEventIn(
            id=event["id"], type=event["type"], object_id=paid["id"], object_type="invoice", payload=event))
        event_process(event_pk=stored.pk)
    assert set(ProviderEvent.objects.filter(event_id__in=[e["id"] for e in events])
               .values_list("status", flat=True)) == {"processed"}
    invoice = Invoice.objects.get(provider_invoice_id=paid["id"])
    assert (invoice.subsidy_amount, invoice.amount_due, invoice.amount_paid) == (
        Decimal("149.50"), Decimal("149.50"), Decimal("149.50"))
    assert card_charged(localstripe, paid) == (29900, 14950)
    assert Subsidy.objects.filter(programme=programme).count() == 1
