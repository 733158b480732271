"""Beat task: on the 1st of each month, the subsidy statement of the month before for every programme with a
subsidy scheme (billing.services.subsidies.settlements_build_month). The office downloads it (PDF/Excel)
and records the fund's bank transfer on its page, which pays every grant of the statement.

Registered in the worker and in beat by config/settings/base.py (CELERY_IMPORTS "billing.tasks_subsidies",
CELERY_BEAT_SCHEDULE "billing-subsidy-statements")."""

from __future__ import annotations

import logging

from celery import shared_task

from billing.services.subsidies import settlements_build_month

log = logging.getLogger(__name__)


@shared_task(name="billing.subsidy_statements_monthly", ignore_result=True)
def subsidy_statements_monthly() -> int:
    """Beat (monthly, the 1st): last month's statements; returns how many exist for it."""
    built = settlements_build_month()
    for settlement in built:
        log.info("billing: subsidy statement %s %s: %s CNY", settlement.programme.code,
                 settlement.month.strftime("%Y-%m"), settlement.amount)
    return len(built)
