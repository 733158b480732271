"""Beat task: the periods of subscriptions paid by corporate bank transfer (对公转账) — trials and periods
that ended get the next period's invoice, pending downgrades and cancellations take effect, and a
subscription with an overdue invoice becomes past due (billing.services.subscriptions).

Registered by config/settings/base.py (CELERY_IMPORTS "billing.tasks_subscriptions", CELERY_BEAT_SCHEDULE
"billing-bank-transfer-periods")."""

from __future__ import annotations

import logging

from celery import shared_task

from billing.services.subscriptions import bank_transfer_subscriptions_advance

log = logging.getLogger(__name__)


@shared_task(name="billing.bank_transfer_periods", ignore_result=True)
def bank_transfer_periods() -> int:
    """Beat (daily): every bank-transfer subscription advanced to now; returns how many were looked at."""
    count = bank_transfer_subscriptions_advance()
    log.info("billing: %s bank-transfer subscriptions advanced", count)
    return count
