""""Check availability for all" as a background job (core.jobs, as MRP runs): one check queued or
running per enterprise, the worker's advisory lock, stale checks given up, the last 20 kept.

The check runs outside any transaction: `sales_orders_reserve_available` commits each order as soon as
it is done, so a check that fails half-way leaves the orders it had checked with what they reserved.
The history lines and the report are written once, in the language of whoever asked for the check (a
worker's own language is the site's default, zh-Hans)."""

from __future__ import annotations

from contextlib import nullcontext

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from core.jobs import Progress, job_execute, job_request
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.models import AvailabilityCheck
from erp_modules.sales.selectors import sales_orders_short
from erp_modules.sales.services._common import _error
from erp_modules.sales.services.reservations import sales_orders_reserve_available

RESULTS_KEPT = 2_000  # orders reported per check (the counts cover all)


def _busy(active: AvailabilityCheck | None) -> ValidationError:
    if active is None:  # another request won the race (sales_availcheck_one_active)
        return _error(_("Another availability check has just started; wait for it to finish."),
                      SalesErrorCode.CHECK_IN_PROGRESS)
    return _error(_("An availability check is already %(status)s; wait for it to finish.")
                  % {"status": active.get_status_display()}, SalesErrorCode.CHECK_IN_PROGRESS)


def availability_check_request(*, user=None) -> AvailabilityCheck:
    """Queue "check availability" for all open orders of the current enterprise (the Celery task
    is sent when this commits). Refused with code `check_in_progress` while another is queued or
    running."""
    return job_request(AvailabilityCheck, user=user, enqueue=availability_check_task.delay, busy_error=_busy)


def availability_check_execute(*, check_id: int) -> AvailabilityCheck | None:
    """Run a queued check (what the Celery task does): `sales_orders_reserve_available` for every
    open order that is short, publishing the progress per order. Idempotent: a check that is done
    or failed, or that another worker is running, is left alone."""
    return job_execute(AvailabilityCheck, job_id=check_id, work=_check_run)


@shared_task(name="sales.availability_check")
def availability_check_task(check_id: int) -> str | None:
    """"Check availability" for all open orders of the enterprise whose schema the task was queued
    in (tenant-schemas-celery). Defined next to the service that queues it (as MRP's task), so that
    the service needs no import of tasks.py."""
    check = availability_check_execute(check_id=check_id)
    return check.status if check else None


def _check_run(check: AvailabilityCheck, _progress: Progress) -> dict:
    """The work of one check; returns its summary and results for core.jobs to store with "done"."""
    rows = AvailabilityCheck.objects.filter(pk=check.pk)
    requester = _requester(check)
    language = getattr(requester, "language", "") or None
    with translation.override(language) if language else nullcontext():
        order_ids = sales_orders_short()
        rows.update(orders_total=len(order_ids))

        def progress(done: int, total: int) -> None:  # the page shows "done of total orders"
            rows.update(orders_done=done, orders_total=total, progress=min(99, 100 * done // total) if total else 0)

        report = sales_orders_reserve_available(user=requester, orders=order_ids, progress=progress)
    return {"orders_done": report.orders_checked, "orders_total": report.orders_checked,
            "lines_reserved": report.lines_reserved, "lines_short": report.lines_short,
            "orders_failed": report.orders_failed, "results": [o.as_dict() for o in report.orders[:RESULTS_KEPT]]}


def _requester(check: AvailabilityCheck):
    """Who asked for the check (for the orders' history), if that user still exists."""
    return get_user_model().objects.filter(pk=check.created_by_id).first() if check.created_by_id else None
