"""Plans: what an enterprise can subscribe to (billing.Plan).

- ``plan_create`` / ``plan_update``: the platform administrator's writes. A paid plan is a product at the
  payment provider with one recurring price per interval (and one per extra seat). Provider prices are
  immutable, so when a price changes the provider adapter creates new ones (``PaymentProvider.plan_sync``
  gets the refs stored so far and returns the current ones); subscriptions already on the old prices keep
  them until they change plan.
- ``plan_provider_refs``: the plan's refs at the provider, synchronised on first use (the default plans are
  seeded without touching the provider, so the bank-transfer path never needs one).
- ``plans_default_ensure``: the four plans of the platform (boards only, ERP, ERP + PDM, ERP + PDM +
  logistics), created when missing and never changed once there (idempotent; the demo and tests call it).

The provider is called after the plan row is written, inside the same transaction: when the provider
refuses, nothing is saved."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from billing.error_codes import BillingErrorCode as Code
from billing.models import Plan
from billing.providers import provider
from billing.providers.base import PlanRefs, ProviderError
from core.errors import field_error
from tenants.models import Enterprise, User

PRICE_FIELDS = ("price_month", "price_year", "extra_seat_month", "extra_seat_year")
PLAN_FIELDS = ("name", "name_en", "description", "modules", "seats_included", "trial_days", "is_active",
               "sort_order", *PRICE_FIELDS)

DEFAULT_PLANS = [
    {"code": "boards", "name": "供需对接（免费）", "name_en": "Boards only (free)", "modules": [],
     "description": "供需对接、询价与报价。", "price_month": "0", "price_year": "0", "seats_included": 5,
     "extra_seat_month": "0", "extra_seat_year": "0", "trial_days": 0, "sort_order": 10},
    {"code": "erp", "name": "ERP", "name_en": "ERP", "modules": [Enterprise.Module.ERP],
     "description": "采购、库存、销售、生产与 MRP。", "price_month": "299", "price_year": "2990",
     "seats_included": 5, "extra_seat_month": "39", "extra_seat_year": "390", "trial_days": 14, "sort_order": 20},
    {"code": "erp-pdm", "name": "ERP + PDM", "name_en": "ERP + PDM",
     "modules": [Enterprise.Module.ERP, Enterprise.Module.PDM],
     "description": "ERP 加产品数据管理（图文档、版本、变更）。", "price_month": "499", "price_year": "4990",
     "seats_included": 5, "extra_seat_month": "39", "extra_seat_year": "390", "trial_days": 14, "sort_order": 30},
    {"code": "erp-pdm-logistics", "name": "ERP + PDM + 物流", "name_en": "ERP + PDM + logistics",
     "modules": [Enterprise.Module.ERP, Enterprise.Module.PDM, Enterprise.Module.LOGISTICS],
     "description": "全部模块：ERP、PDM 与物流（承运商、运单、跟踪）。", "price_month": "699", "price_year": "6990",
     "seats_included": 5, "extra_seat_month": "39", "extra_seat_year": "390", "trial_days": 14, "sort_order": 40},
]


def _admin_require(actor: User | None) -> None:
    if actor is not None and not actor.is_platform_admin:
        raise field_error("actor", _("Only a platform administrator may edit plans."), Code.FORBIDDEN)


def _money(field: str, value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise field_error(field, _("Enter an amount in yuan, e.g. 299.00."), Code.PLAN_INVALID) from None
    if amount < 0 or not amount.is_finite():
        raise field_error(field, _("An amount cannot be negative."), Code.PLAN_INVALID)
    return amount


def _values(fields: dict) -> dict:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("Not a field of a plan."), Code.PLAN_INVALID)
    values = dict(fields)
    for name in PRICE_FIELDS:
        if name in values:
            values[name] = _money(name, values[name])
    if "modules" in values:
        modules = list(dict.fromkeys(values["modules"] or []))
        bad = [m for m in modules if m not in Enterprise.Module.values]
        if bad:
            raise field_error("modules", _("Unknown module: %(module)s.") % {"module": bad[0]}, Code.PLAN_INVALID)
        values["modules"] = modules
    return values


def plan_provider_refs(*, plan: Plan) -> PlanRefs:
    """The plan's product and prices at the provider, created (or re-created after a price change) when
    missing. Free plans have none."""
    if plan.is_free:
        raise field_error("plan", _("A free plan is not sold through the payment provider."), Code.PLAN_INVALID)
    backend = provider()
    stored = dict(plan.provider_refs.get(backend.name) or {})
    wanted = {k: str(getattr(plan, k)) for k in PRICE_FIELDS}
    if stored.get("month") and stored.get("prices") == wanted:
        return PlanRefs(product=stored["product"], month=stored["month"], year=stored["year"],
                        seat_month=stored.get("seat_month", ""), seat_year=stored.get("seat_year", ""))
    try:
        refs = backend.plan_sync(code=plan.code, name=plan.name, price_month=plan.price_month,
                                 price_year=plan.price_year, extra_seat_month=plan.extra_seat_month,
                                 extra_seat_year=plan.extra_seat_year, refs=stored)
    except ProviderError as exc:
        raise field_error("plan", _("The payment provider refused the plan: %(error)s") % {"error": exc},
                          Code.PROVIDER_ERROR) from exc
    plan.provider_refs = {**plan.provider_refs, backend.name: {
        "product": refs.product, "month": refs.month, "year": refs.year, "seat_month": refs.seat_month,
        "seat_year": refs.seat_year, "prices": wanted}}
    Plan.objects.filter(pk=plan.pk).update(provider_refs=plan.provider_refs)
    return refs


@transaction.atomic
def plan_create(*, code: str, name: str, actor: User | None = None, sync: bool = True, **fields) -> Plan:
    """A new plan; a paid plan is created at the provider too (``sync=False`` defers that to first use)."""
    _admin_require(actor)
    plan = Plan(code=code, name=name, **_values(fields))
    plan.full_clean()
    plan.save()
    if sync and not plan.is_free:
        plan_provider_refs(plan=plan)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, actor: User | None = None, sync: bool = True, **fields) -> Plan:
    """Change a plan. A changed price means new prices at the provider (the old ones are immutable)."""
    _admin_require(actor)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    values = _values(fields)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    if sync and not plan.is_free and (plan.provider_refs or any(n in values for n in PRICE_FIELDS)):
        plan_provider_refs(plan=plan)
    return plan


@transaction.atomic
def plans_default_ensure() -> list[Plan]:
    """The platform's four plans, created when missing (an existing plan of the same code is left as the
    platform administrator edited it)."""
    plans = []
    for spec in DEFAULT_PLANS:
        spec = dict(spec)
        code = spec.pop("code")
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            plan = Plan(code=code, **_values(spec))
            plan.full_clean()
            plan.save()
        plans.append(plan)
    return plans
