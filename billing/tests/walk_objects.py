"""Objects of billing for the isolation walkers (tests/walker.py, api/graphql/tests/test_isolation_walk.py).

Billing rows live in the public schema, linked to an enterprise. Per side: the full plan (ERP + PDM +
logistics, so the enterprise keeps every module the walk visits) by corporate bank transfer without a
trial, which issues an open invoice at once (no payment provider is called), and a fapiao request on
that invoice. Returns kind -> id for tests.walker.PARAM_RULES."""

from __future__ import annotations

from django.db import connection

from billing.models import Invoice, Plan
from billing.services.invoices import fapiao_request_create
from billing.services.plans import plans_default_ensure
from billing.services.subscriptions import subscription_start

FULL_PLAN = "erp-pdm-logistics"


def make_billing_walk_objects(enterprise, owner) -> dict[str, int]:
    """A bank-transfer subscription of ``enterprise`` started by its ``owner``, its open invoice and a
    fapiao request for it. Leaves the connection on the public schema."""
    connection.set_schema_to_public()
    plans_default_ensure()
    plan = Plan.objects.get(code=FULL_PLAN)
    subscription = subscription_start(enterprise=enterprise, plan=plan, actor=owner, payment_method="bank_transfer",
                                      extra_seats=10, trial=False)
    invoice = Invoice.objects.filter(subscription=subscription).order_by("pk").first()
    fapiao = fapiao_request_create(invoice=invoice, actor=owner, title=enterprise.name,
                                   tax_number=(enterprise.uscc or "91330282MA2GWALK01").upper())
    return {"billing_plan": plan.pk, "billing_subscription": subscription.pk, "billing_invoice": invoice.pk,
            "billing_fapiao": fapiao.pk}


def make_billing_office_walk_objects(programme, office_user) -> dict[str, int | str]:
    """The office's billing pages (billing/urls_office.py) of a programme: a subsidy scheme on the full plan
    (through the service) and last month's settlement statement. The statement is written as a row: the
    monthly build (settlement_build) makes one only from grants on subsidised invoices, which would need a
    subsidised subscription's invoice period to pass."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from billing.models import SubsidySettlement
    from billing.services.subsidies import scheme_create

    connection.set_schema_to_public()
    plans_default_ensure()
    scheme = scheme_create(programme=programme, plan=Plan.objects.get(code=FULL_PLAN), percent="50", months=12,
                           max_enterprises=10, actor=office_user)
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    settlement = SubsidySettlement.objects.get_or_create(programme=programme, month=month,
                                                         defaults={"amount": Decimal("100.00")})[0]
    return {"billing_scheme": scheme.pk, "billing_settlement": settlement.pk,
            "billing_statement_month": month.strftime("%Y-%m")}
