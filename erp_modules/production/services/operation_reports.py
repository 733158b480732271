"""Operators' reports on a work order's operations (good, scrap, minutes; piece-rate pay and work center
cost), and taking a wrong report back."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.common.services import audit_record
from erp_modules.production.error_codes import ProductionErrorCode as Code
from erp_modules.production.models import OperationReport, WorkOrder, WorkOrderOperation, Worker
from erp_modules.production.services._common import (MONEY_PLACES, SIXTY, ZERO, _check_decimals, _decimal, _error,
                                                     _lock, _require_status, _start, _started, fmt_qty)
from erp_modules.production.services.workers import worker_check_active


def _check_good_flow(work_order: WorkOrder, operation: WorkOrderOperation, good: Decimal, *,
                     allow_over_production: bool) -> None:
    """Good output flows down the routing: an operation never has more good than the one before it, the
    first never more than ordered (unless the over-production is confirmed)."""
    previous = work_order.operations.filter(sequence__lt=operation.sequence).order_by("-sequence").first()
    this_op, total = f"{operation.sequence} {operation.name}", fmt_qty(operation.quantity_good + good)
    if previous is not None:
        if operation.quantity_good + good > previous.quantity_good:
            raise _error(_("Good quantity: %(op)s would have %(total)s good, but the previous operation %(prev)s has "
                           "only %(prev_good)s good so far.")
                         % {"op": this_op, "total": total, "prev": f"{previous.sequence} {previous.name}",
                            "prev_good": fmt_qty(previous.quantity_good)},
                         Code.EXCEEDS_PREVIOUS_OPERATION, "quantity_good")
    elif operation.quantity_good + good > work_order.quantity and not allow_over_production:
        raise _error(_("Good quantity: %(op)s would have %(total)s good, more than the %(qty)s ordered. Confirm the "
                       "over-production to go ahead.")
                     % {"op": this_op, "total": total, "qty": fmt_qty(work_order.quantity)}, Code.OVER_PRODUCTION,
                     "quantity_good")


@transaction.atomic
def work_order_report_operation(*, work_order: WorkOrder, operation: WorkOrderOperation | int,
                                quantity_good: Decimal | int | str, operator_name: str = "",
                                worker: Worker | None = None,
                                quantity_scrap: Decimal | int | str = ZERO,
                                piece_count: Decimal | int | str | None = None,
                                minutes: Decimal | int | str = ZERO, work_date: date | None = None, note: str = "",
                                allow_over_production: bool = False, user=None) -> OperationReport:
    """An operator's output on one operation. Pay = good × the operation's piece rate; work center
    cost = minutes / 60 × its cost per hour. An operation's good output can never exceed the
    previous operation's good output; the first operation's cannot exceed the work order quantity
    unless allow_over_production. Scrap is recorded only (it never reaches stock)."""
    work_order = _lock(work_order)
    _require_status(work_order, WorkOrder.ACTIVE_STATUSES, _("report work"))
    operation_id = operation.pk if isinstance(operation, WorkOrderOperation) else operation
    operation = WorkOrderOperation.objects.select_for_update().filter(pk=operation_id, work_order=work_order).first()
    if operation is None:
        raise _error(_("Choose an operation of %(number)s.") % {"number": work_order.number}, Code.OPERATION_MISMATCH,
                     "operation")
    item = work_order.item
    good = _decimal(quantity_good, "quantity_good", _("Good quantity"))
    scrap = _decimal(quantity_scrap, "quantity_scrap", _("Scrap quantity"))
    minutes = _decimal(minutes, "minutes", _("Minutes"))
    for value, field, label in ((good, "quantity_good", _("Good quantity")),
                                (scrap, "quantity_scrap", _("Scrap quantity")), (minutes, "minutes", _("Minutes"))):
        if value < 0:
            raise _error(_("%(label)s cannot be negative.") % {"label": label}, Code.QUANTITY, field)
    _check_decimals(good, item, "quantity_good", _("Good quantity"))
    _check_decimals(scrap, item, "quantity_scrap", _("Scrap quantity"))
    if good == 0 and scrap == 0 and minutes == 0:
        raise _error(_("Report a good or scrap quantity, or the minutes worked."), Code.NOTHING_REPORTED,
                     "quantity_good")
    if worker is not None:  # the worker chosen from the list: its name is recorded with the report
        worker_check_active(worker)
        operator_name = worker.name
    operator_name = " ".join((operator_name or "").split())
    if not operator_name:
        raise _error(_("Give the operator's name (the piece-rate pay goes to them)."), Code.OPERATOR_REQUIRED,
                     "operator_name")
    pieces = good + scrap if piece_count in (None, "") else _decimal(piece_count, "piece_count", _("Pieces"))
    if pieces < 0:
        raise _error(_("%(label)s cannot be negative.") % {"label": _("Pieces")}, Code.QUANTITY, "piece_count")
    _check_good_flow(work_order, operation, good, allow_over_production=allow_over_production)
    pay = (good * operation.piece_rate).quantize(MONEY_PLACES, ROUND_HALF_UP)
    cost = (minutes / SIXTY * operation.cost_per_hour).quantize(MONEY_PLACES, ROUND_HALF_UP)
    report = OperationReport(
        work_order=work_order, operation=operation, work_date=work_date or timezone.localdate(),
        operator_name=operator_name[:100], worker=worker, quantity_good=good, quantity_scrap=scrap, piece_count=pieces,
        minutes=minutes, piece_rate=operation.piece_rate, pay=pay, cost=cost, note=(note or "").strip()[:200],
        user=user if getattr(user, "is_authenticated", False) else None)
    report.full_clean()
    report.save()
    operation.quantity_good += good
    operation.quantity_scrap += scrap
    operation.minutes += minutes
    operation.pay += pay
    operation.cost += cost
    operation.save(update_fields=["quantity_good", "quantity_scrap", "minutes", "pay", "cost"])
    fields = _start(work_order)
    if fields:
        work_order.save(update_fields=fields)
    audit_record(obj=work_order, action="post", user=user, changes=_started(fields),
                 message=_("%(op)s: %(good)s good, %(scrap)s scrap, %(minutes)s min by %(operator)s (pay %(pay)s)")
                 % {"op": f"{operation.sequence} {operation.name}", "good": fmt_qty(good), "scrap": fmt_qty(scrap),
                    "minutes": fmt_qty(minutes), "operator": operator_name, "pay": fmt_qty(pay)})
    return report


@transaction.atomic
def work_order_report_reverse(*, report: OperationReport, user=None) -> None:
    """Take back a wrong report (before completion). Refused when the next operation already
    reported the good output this report gave it."""
    work_order = _lock(report.work_order)
    _require_status(work_order, WorkOrder.ACTIVE_STATUSES, _("change reports"))
    report = OperationReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    operation = WorkOrderOperation.objects.select_for_update().get(pk=report.operation_id)
    following = work_order.operations.filter(sequence__gt=operation.sequence).order_by("sequence").first()
    if following is not None and operation.quantity_good - report.quantity_good < following.quantity_good:
        raise _error(_("The next operation %(next)s already reported %(good)s good; reverse its reports first.")
                     % {"next": f"{following.sequence} {following.name}", "good": fmt_qty(following.quantity_good)},
                     Code.EXCEEDS_PREVIOUS_OPERATION)
    operation.quantity_good -= report.quantity_good
    operation.quantity_scrap -= report.quantity_scrap
    operation.minutes -= report.minutes
    operation.pay -= report.pay
    operation.cost -= report.cost
    operation.save(update_fields=["quantity_good", "quantity_scrap", "minutes", "pay", "cost"])
    audit_record(obj=work_order, action="delete", user=user,
                 message=_("Report reversed: %(op)s, %(good)s good, %(scrap)s scrap by %(operator)s on %(date)s")
                 % {"op": f"{operation.sequence} {operation.name}", "good": fmt_qty(report.quantity_good),
                    "scrap": fmt_qty(report.quantity_scrap), "operator": report.operator_name,
                    "date": report.work_date.isoformat()})
    report.delete()
