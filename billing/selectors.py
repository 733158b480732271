"""Reads of an enterprise's billing for its own pages: the current subscription, the plans offered, the
invoices. Every fetch by id is scoped to the enterprise: another enterprise's row is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation

from billing.models import Invoice, Plan, Subscription
from tenants.models import Enterprise, Membership


def subscription_current(*, enterprise: Enterprise) -> Subscription | None:
    return (Subscription.objects.select_related("plan", "pending_plan").filter(enterprise=enterprise)
            .exclude(status=Subscription.Status.CANCELED).first())


def subscription_get(*, enterprise: Enterprise, pk) -> Subscription:
    """The enterprise's own current subscription by id (404 for a missing or another enterprise's one)."""
    subscription = subscription_current(enterprise=enterprise)
    if subscription is None or str(subscription.pk) != str(pk):
        raise Http404
    return subscription


def plan_name(plan: Plan | None) -> str:
    """The plan's name in the reader's language (the English name when the page is in English)."""
    if plan is None:
        return ""
    if plan.name_en and (translation.get_language() or "").startswith("en"):
        return plan.name_en
    return plan.name


def module_labels(plan: Plan) -> list[str]:
    return [str(Enterprise.Module(m).label) for m in plan.modules]


def plans_offered() -> QuerySet[Plan]:
    return Plan.objects.filter(is_active=True)


def seats_used(*, enterprise: Enterprise) -> int:
    return Membership.objects.filter(enterprise=enterprise).count()


def invoice_list(*, enterprise: Enterprise) -> QuerySet[Invoice]:
    return Invoice.objects.filter(enterprise=enterprise).select_related("subscription__plan")


def invoice_get(*, enterprise: Enterprise, pk) -> Invoice:
    """One invoice of the enterprise (404 for a missing id or another enterprise's invoice)."""
    try:
        return invoice_list(enterprise=enterprise).select_related("enterprise").get(pk=int(pk))
    except (Invoice.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def next_invoice_on(subscription: Subscription | None):
    """When the next invoice is due to be issued (the end of the trial or period), None when none will."""
    if subscription is None or subscription.plan.is_free or subscription.cancel_at_period_end:
        return None
    return subscription.current_period_end or subscription.trial_end
