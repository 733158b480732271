"""Demo data for billing: each demo enterprise on a plan, all by corporate bank transfer (no payment provider,
no network):

- 瑞丰厨电 (ruifeng), enrolled in the ERP pilot by the office's demo: the ERP pilot subsidises the ERP plans
  (50% for 12 months, at most 10 enterprises); its invoices are split, the programme's share granted.
- 甬晟轴承 (yongsheng): its first invoice was not paid by the due date: past due (within the grace period).
- 锦绣纺织 (jinxiu): active, its invoice paid by transfer.

Everything goes through the services (subscription_start, subscription_bank_advance, bank_transfer_record,
scheme_create, subscription_scheme_join). Idempotent: an enterprise that has a subscription is left alone.
Registered with core.demo in billing/apps.py, after the office's seeder (which enrols the enterprises)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from billing.models import Plan, SubsidyScheme, Subscription
from billing.services.invoices import bank_transfer_record
from billing.services.plans import plans_default_ensure
from billing.services.subscriptions import subscription_bank_advance, subscription_start
from billing.services.subsidies import scheme_create, subscription_scheme_join
from office.models import Programme
from tenants.models import Enterprise, Membership, Role, User

OFFICE_EMAIL = "office@cixi.demo"
ADMIN_EMAIL = "admin@platform.demo"
PLAN = "erp-pdm-logistics"  # the demo enterprises use every module
ERP_PLANS = ("erp", "erp-pdm", "erp-pdm-logistics")
SUBSIDISED, PAST_DUE, PAID = "ruifeng", "yongsheng", "jinxiu"


def _owner(enterprise: Enterprise) -> User | None:
    membership = (Membership.objects.filter(enterprise=enterprise, role=Role.OWNER).select_related("user")
                  .order_by("pk").first())
    return membership.user if membership else None


def _erp_pilot_schemes(office: User) -> list[SubsidyScheme]:
    programme = Programme.objects.filter(code="erp-pilot").first()
    if programme is None:
        return []
    schemes = []
    for plan in Plan.objects.filter(code__in=ERP_PLANS):
        scheme = SubsidyScheme.objects.filter(programme=programme, plan=plan).first()
        if scheme is None:
            scheme = scheme_create(programme=programme, plan=plan, percent=Decimal("50"), months=12,
                                   max_enterprises=10, actor=office)
        schemes.append(scheme)
    return schemes


def seed_billing_demo() -> bool:
    """Returns True if anything was created."""
    office = User.objects.filter(email=OFFICE_EMAIL).first()
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if office is None or admin is None:
        return False
    created = False
    with transaction.atomic():
        plans = {p.code: p for p in plans_default_ensure()}
        schemes = {s.plan.code: s for s in _erp_pilot_schemes(office)}
        now = timezone.now()
        for enterprise in Enterprise.objects.filter(status=Enterprise.Status.ACTIVE).order_by("slug"):
            if Subscription.objects.filter(enterprise=enterprise).exists():
                continue
            owner = _owner(enterprise)
            if owner is None:
                continue
            created = True
            if enterprise.slug == PAST_DUE:
                # subscribed 20 days ago, the invoice (due in 14 days) is still open: past due since its due date
                subscription = subscription_start(enterprise=enterprise, plan=plans[PLAN], actor=owner,
                                                  payment_method="bank_transfer", trial=False,
                                                  now=now - timedelta(days=20))
                subscription_bank_advance(subscription=subscription, now=now)
                continue
            subscription = subscription_start(enterprise=enterprise, plan=plans[PLAN], actor=owner,
                                              payment_method="bank_transfer", trial=False,
                                              now=now - timedelta(days=3))
            if enterprise.slug == SUBSIDISED and PLAN in schemes:
                # enrolled in the ERP pilot by the office's demo: the open invoice is split when it joins
                try:
                    subscription_scheme_join(subscription=subscription, scheme=schemes[PLAN])
                except ValidationError:  # e.g. the programme has ended and no longer enrols: no subsidy
                    pass
            invoice = subscription.invoices.order_by("issued_at").first()
            if invoice is not None and invoice.outstanding > 0:
                bank_transfer_record(invoice=invoice, amount=invoice.outstanding,
                                     received_on=timezone.localdate() - timedelta(days=1),
                                     bank_reference=f"DEMO-{enterprise.slug.upper()}-{invoice.number}",
                                     actor=admin, payer_name=enterprise.name)
    return created
