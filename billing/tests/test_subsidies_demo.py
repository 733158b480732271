"""The billing demo: each demo enterprise on a plan, one subsidised by the ERP pilot, one past due; through the
services, by bank transfer (no payment provider, no network); running it again creates nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from billing.demo import seed_billing_demo
from billing.models import Invoice, Subscription
from office.models import Programme, Subsidy
from office.services import enrolment_enrol
from tenants.models import Enterprise


def test_demo_enterprises_get_plans_one_subsidised_one_past_due(make_enterprise, make_user):
    office = make_user(email="office@cixi.demo", platform_role="office")
    make_user(email="admin@platform.demo", platform_role="platform_admin")
    pilot = Programme.objects.get(code="erp-pilot")  # seeded by office's migrations
    enterprises = {slug: make_enterprise(slug=slug) for slug in ("ruifeng", "yongsheng", "jinxiu")}
    enrolment_enrol(programme=pilot, enterprise=enterprises["ruifeng"], actor=office)
    # when: the demo seeds billing (twice, as every start of `make run` does)
    assert seed_billing_demo() is True
    assert seed_billing_demo() is False
    subs = {s.enterprise.slug: s for s in Subscription.objects.select_related("enterprise", "plan")}
    # then: all three on the full plan by bank transfer, no provider involved
    assert {slug: (s.plan.code, s.payment_method, s.provider) for slug, s in subs.items()} == {
        slug: ("erp-pdm-logistics", "bank_transfer", "") for slug in enterprises}
    # 瑞丰: subsidised by the ERP pilot, its invoice split and the enterprise's share paid
    ruifeng = subs["ruifeng"]
    assert ruifeng.subsidy_scheme.programme_id == pilot.pk and ruifeng.status == "active"
    invoice = Invoice.objects.get(subscription=ruifeng)
    assert (invoice.amount_total, invoice.subsidy_amount, invoice.amount_due, invoice.status) == (
        Decimal("699.00"), Decimal("349.50"), Decimal("349.50"), "paid")
    assert Subsidy.objects.get(programme=pilot).amount == Decimal("349.50")
    # 甬晟: past due within the grace period; 锦绣: active and paid
    yongsheng = subs["yongsheng"]
    assert yongsheng.status == "past_due" and yongsheng.past_due_since > timezone.now() - timedelta(days=14)
    assert Enterprise.objects.get(slug="yongsheng").access == Enterprise.Access.PAST_DUE
    assert subs["jinxiu"].status == "active"
    assert set(Invoice.objects.filter(subscription=subs["jinxiu"]).values_list("status", flat=True)) == {"paid"}
