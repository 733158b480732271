"""What an enterprise may use, computed from its current subscription and written to the enterprise
(tenants.Enterprise.modules / seat_limit / access), where tenants.entitlements enforces it in one place.

No subscription at all (enterprises made before billing, the demo before its seeding): left as it is.
Cancelled: boards only (no modules). Past due: a warning until the grace period ends, then read-only.
Nothing is ever deleted: switching a module off hides it; the data stays."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import Subscription
from tenants.models import Enterprise

ACCESS_BY_STATUS = {
    Subscription.Status.TRIALING: Enterprise.Access.FULL,
    Subscription.Status.ACTIVE: Enterprise.Access.FULL,
    Subscription.Status.INCOMPLETE: Enterprise.Access.PAST_DUE,
    Subscription.Status.PAST_DUE: Enterprise.Access.PAST_DUE,
    Subscription.Status.UNPAID: Enterprise.Access.READ_ONLY,
}


def grace_period() -> timedelta:
    return timedelta(days=settings.BILLING_GRACE_DAYS)


def entitlements_for(subscription: Subscription | None, *, now=None) -> tuple[list[str], int | None, str]:
    """(modules, seat limit, access) for a subscription (None: the enterprise has none current)."""
    if subscription is None or subscription.status == Subscription.Status.CANCELED:
        return [], None, Enterprise.Access.FULL
    access = ACCESS_BY_STATUS[subscription.status]
    now = now or timezone.now()
    if access == Enterprise.Access.PAST_DUE and subscription.past_due_since and \
            now - subscription.past_due_since >= grace_period():
        access = Enterprise.Access.READ_ONLY
    return list(subscription.plan.modules), subscription.seat_limit, access


@transaction.atomic
def entitlements_apply(*, enterprise: Enterprise, now=None) -> Enterprise:
    """Write the entitlements of the enterprise's current subscription onto the enterprise (locked)."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    current = (Subscription.objects.select_related("plan").filter(enterprise=enterprise)
               .exclude(status=Subscription.Status.CANCELED).first())
    if current is None and not Subscription.objects.filter(enterprise=enterprise).exists():
        return enterprise
    modules, seat_limit, access = entitlements_for(current, now=now)
    if (sorted(enterprise.modules), enterprise.seat_limit, enterprise.access) != (sorted(modules), seat_limit, access):
        enterprise.modules, enterprise.seat_limit, enterprise.access = modules, seat_limit, access
        enterprise.save(update_fields=["modules", "seat_limit", "access", "updated_at"])
    return enterprise
