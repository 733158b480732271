"""Beat task: a subscription past due for longer than the grace period (settings.BILLING_GRACE_DAYS) makes
its enterprise read-only. The provider sends no event when the grace period ends (it is ours, not Stripe's),
so the platform looks every hour. The work is billing.entitlements.entitlements_apply, the one place that
writes an enterprise's modules, seats and access; an enterprise already read-only is not touched again.
Nothing is deleted: paying the invoice (a webhook or a recorded bank transfer) makes it full again.

Registered in the worker and in beat by config/settings/base.py (CELERY_IMPORTS, CELERY_BEAT_SCHEDULE
"billing-past-due-read-only")."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from billing.entitlements import entitlements_apply, grace_period
from billing.models import Subscription
from tenants.models import Enterprise

log = logging.getLogger(__name__)


def past_due_expired_enterprises(*, now=None):
    """Enterprises whose current subscription has been past due (or incomplete) for the whole grace period
    and that are not read-only yet."""
    now = now or timezone.now()
    ids = (Subscription.objects
           .filter(status__in=[Subscription.Status.PAST_DUE, Subscription.Status.INCOMPLETE],
                   past_due_since__isnull=False, past_due_since__lte=now - grace_period())
           .values("enterprise_id"))
    return Enterprise.objects.filter(pk__in=ids).exclude(access=Enterprise.Access.READ_ONLY).order_by("pk")


def past_due_read_only_apply(*, now=None) -> list[str]:
    """Make read-only every enterprise whose grace period is over; returns their slugs."""
    now = now or timezone.now()
    done = []
    for enterprise in past_due_expired_enterprises(now=now):
        enterprise = entitlements_apply(enterprise=enterprise, now=now)  # one transaction each, row locked
        if enterprise.access == Enterprise.Access.READ_ONLY:
            log.info("billing: %s is read-only (past due since the grace period of %s ended)",
                     enterprise.slug, grace_period())
            done.append(enterprise.slug)
    return done


@shared_task(name="billing.past_due_read_only", ignore_result=True)
def past_due_read_only() -> int:
    """Beat (hourly): past due past the grace period → read-only."""
    return len(past_due_read_only_apply())
