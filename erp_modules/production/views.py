"""Production pages. Thin: parse input, call a service or selector, render.

Roles: viewers read; clerks create work orders, issue components and report operations; managers
release, complete and cancel work orders and reverse reports."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import error_messages
from core.forms import form_errors_from
from core.parsing import first_message, parse_date
from core.permissions import role_required
from core.tables import Column, Filter, Table
from erp_modules.catalog.models import Item
from erp_modules.common.history import object_history
from erp_modules.production import selectors, services
from erp_modules.production.forms import CancelForm, CompleteForm, ReportForm, WorkerForm, WorkOrderForm
from erp_modules.production.models import OperationReport, WorkOrder, WorkOrderComponent, Worker
from tenants.models import Role


def _work_order_or_404(work_order_id: int) -> WorkOrder:
    work_order = selectors.work_order_get(work_order_id=work_order_id)
    if work_order is None:
        raise Http404
    return work_order


# ---- list & create -------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def work_order_list(request):
    table = Table(
        request, selectors.work_order_list(),
        columns=[
            Column("number", gettext_lazy("Number"), sort="number", link=lambda wo: wo.get_absolute_url()),
            Column("item.code", gettext_lazy("Item code"), sort="item__code"),
            Column("item.name", gettext_lazy("Item")),
            Column("quantity", gettext_lazy("Quantity"), sort="quantity", numeric=True),
            Column("quantity_produced", gettext_lazy("Produced"), numeric=True),
            Column("item.uom", gettext_lazy("Unit")),
            Column("status", gettext_lazy("Status"), sort="status"),
            Column("planned_start", gettext_lazy("Planned start"), sort="planned_start"),
            Column("planned_end", gettext_lazy("Planned end"), sort="planned_end"),
            Column("unit_cost", gettext_lazy("Unit cost"), numeric=True,
                   fmt=lambda v: v if v else None),
        ],
        search_fields=["number", "item__code", "item__name", "note"],
        filters=[Filter("status", gettext_lazy("Status"), choices=WorkOrder.Status.choices)],
        export_name="work-orders", default_sort="-number")
    if table.wants_export:
        return table.export_response()
    return render(request, "production/work_order_list.html", {
        "table": table, "can_create": request.membership.has_role(Role.CLERK),
        "open_count": selectors.work_order_open_count(),
        "in_progress_count": selectors.work_orders_in_progress().count()})


@role_required(Role.CLERK)
def work_order_create(request):
    reload_url = reverse("production:work_order_create")
    if request.method == "POST":
        form = WorkOrderForm(request.POST, reload_url=reload_url)
        if form.is_valid():
            data = form.cleaned_data
            try:
                work_order = services.work_order_create(
                    item=data["item"], quantity=data["quantity"], bom=data["bom"], routing=data["routing"],
                    planned_start=data["planned_start"], planned_end=data["planned_end"],
                    component_location=data["component_location"], output_location=data["output_location"],
                    note=data["note"], user=request.user)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Work order %(number)s created.") % {"number": work_order.number})
                return redirect(work_order.get_absolute_url())
    else:
        initial = {k: v for k, v in request.GET.items() if k in WorkOrderForm.base_fields and v}
        form = WorkOrderForm(initial=initial, reload_url=reload_url)
        routings = list(form.fields["routing"].queryset[:2])
        if "item" in initial and "routing" not in initial and len(routings) == 1:
            form.initial["routing"] = routings[0].pk  # the item's only routing is the obvious choice
    return render(request, "production/work_order_form.html", {"form": form})


# ---- detail & actions ----------------------------------------------------------------------------


def _detail(request, work_order: WorkOrder, *, report_form=None, complete_form=None, issue_errors=None,
            issue_values=None, status: int = 200):
    work_order = selectors.work_order_get(work_order_id=work_order.pk)
    membership = request.membership
    active = work_order.status in WorkOrder.ACTIVE_STATUSES
    rows = selectors.work_order_components(work_order=work_order)
    components = [r for r in rows if r.line_type == WorkOrderComponent.LineType.COMPONENT]
    by_products = [r for r in rows if r.line_type == WorkOrderComponent.LineType.BY_PRODUCT]
    options = selectors.component_stock_options(work_order=work_order) if active else {}
    issue_values = issue_values or {}
    for component in components:
        component.stock_options = options.get(component.item_id, [])
        component.posted_qty = issue_values.get(f"qty_{component.pk}", "")
        component.posted_lot = issue_values.get(f"lot_{component.pk}", "")
    operations = selectors.work_order_operations(work_order=work_order)
    is_clerk, is_manager = membership.has_role(Role.CLERK), membership.has_role(Role.MANAGER)
    context = {
        "wo": work_order, "components": components, "by_products": by_products, "operations": operations,
        "reports": selectors.operation_report_list(work_order=work_order),
        "cost": selectors.work_order_cost_breakdown(work_order=work_order),
        "trace": selectors.work_order_trace(work_order=work_order)
        if work_order.status in (WorkOrder.Status.IN_PROGRESS, WorkOrder.Status.COMPLETED) else None,
        "history": object_history(work_order, limit=None),
        "can_release": is_manager and work_order.status == WorkOrder.Status.DRAFT,
        "can_issue": is_clerk and active and bool(components),
        "has_remaining": any(c.quantity_remaining > 0 for c in components),
        "can_report": is_clerk and active and bool(operations),
        "can_reverse": is_manager and active,
        "can_complete": is_manager and active,
        "can_cancel": is_manager and work_order.is_open and not any(c.quantity_issued for c in components),
        "report_form": report_form or ReportForm(work_order=work_order,
                                                 initial=_next_operation(work_order, operations)),
        "complete_form": complete_form or CompleteForm(work_order=work_order),
        "cancel_form": CancelForm(),
        "issue_errors": issue_errors or [], "over_issue_checked": bool(issue_values.get("over_issue")),
        "tracking": Item.Tracking,
    }
    return render(request, "production/work_order_detail.html", context, status=status)


def _next_operation(work_order: WorkOrder, operations) -> dict:
    """The first operation that can still take good output (the report form starts on it)."""
    available = work_order.quantity
    for operation in operations:
        if operation.quantity_good < available:
            return {"operation": operation.pk}
        available = operation.quantity_good
    return {}


@role_required(Role.VIEWER)
def work_order_detail(request, work_order_id: int):
    return _detail(request, _work_order_or_404(work_order_id))


@require_POST
@role_required(Role.MANAGER)
def work_order_release(request, work_order_id: int):
    work_order = _work_order_or_404(work_order_id)
    try:
        services.work_order_release(work_order=work_order, user=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("%(number)s released: components reserved.") % {"number": work_order.number})
    return redirect(work_order.get_absolute_url())


@require_POST
@role_required(Role.CLERK)
def work_order_issue(request, work_order_id: int):
    work_order = _work_order_or_404(work_order_id)
    lines = []
    for component in work_order.components.filter(line_type=WorkOrderComponent.LineType.COMPONENT).select_related(
            "item").order_by("sequence", "id"):
        quantity = request.POST.get(f"qty_{component.pk}", "").strip()
        lot = request.POST.get(f"lot_{component.pk}", "").strip()
        if component.item.tracking == Item.Tracking.SERIAL:
            # one line per serial number (a serial-numbered unit is issued alone)
            serials = [s for s in re.split(r"[\s,;，；]+", lot) if s]
            lines += [services.IssueLine(component.pk, 1, serial=s) for s in serials] or [
                services.IssueLine(component.pk, quantity)]
        else:
            lines.append(services.IssueLine(component.pk, quantity,
                                            lot=lot if component.item.tracking == Item.Tracking.LOT else None))
    return _issue(request, work_order, lambda: services.work_order_issue_components(
        work_order=work_order, lines=lines, user=request.user, allow_over_issue=bool(request.POST.get("over_issue"))),
        issue_values=request.POST)


@require_POST
@role_required(Role.CLERK)
def work_order_issue_remaining(request, work_order_id: int):
    work_order = _work_order_or_404(work_order_id)
    return _issue(request, work_order, lambda: services.work_order_issue_remaining(work_order=work_order,
                                                                                  user=request.user))


def _issue(request, work_order: WorkOrder, issue, **detail):
    """Post an issue of components (`issue()`, a service giving the stock moves): back to the work order with the
    number of lines posted, or its page again (400) with the errors and `detail` (e.g. the typed values)."""
    try:
        moves = issue()
    except ValidationError as exc:
        return _detail(request, work_order, issue_errors=error_messages(exc), status=400, **detail)
    messages.success(request, _("%(n)d issue lines posted.") % {"n": len(moves)})
    return redirect(work_order.get_absolute_url())


@require_POST
@role_required(Role.CLERK)
def work_order_report(request, work_order_id: int):
    work_order = _work_order_or_404(work_order_id)
    form = ReportForm(request.POST, work_order=work_order)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = services.work_order_report_operation(
                work_order=work_order, operation=data["operation"], quantity_good=data["quantity_good"],
                quantity_scrap=data["quantity_scrap"] or 0, worker=data["worker"],
                piece_count=data["piece_count"], minutes=data["minutes"] or 0, work_date=data["work_date"],
                note=data["note"], allow_over_production=data["allow_over_production"], user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Reported: %(op)s, %(good)s good by %(operator)s.") % {
                "op": report.operation.name, "good": services.fmt_qty(report.quantity_good),
                "operator": report.operator_name})
            return redirect(work_order.get_absolute_url() + "#operations")
    return _detail(request, work_order, report_form=form, status=400)


@require_POST
@role_required(Role.MANAGER)
def work_order_report_reverse(request, work_order_id: int, report_id: int):
    work_order = _work_order_or_404(work_order_id)
    report = OperationReport.objects.filter(pk=report_id, work_order=work_order).first()
    if report is None:
        raise Http404
    try:
        services.work_order_report_reverse(report=report, user=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Report reversed."))
    return redirect(work_order.get_absolute_url() + "#operations")


@require_POST
@role_required(Role.MANAGER)
def work_order_complete(request, work_order_id: int):
    work_order = _work_order_or_404(work_order_id)
    form = CompleteForm(request.POST, work_order=work_order)
    if form.is_valid():
        try:
            work_order = services.work_order_complete(
                work_order=work_order, quantity=form.cleaned_data.get("quantity"),
                serials=form.serial_list() or None, user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("%(number)s completed: %(qty)s received at %(cost)s each.") % {
                "number": work_order.number, "qty": services.fmt_qty(work_order.quantity_produced),
                "cost": services.fmt_qty(work_order.unit_cost)})
            return redirect(work_order.get_absolute_url())
    return _detail(request, work_order, complete_form=form, status=400)


@require_POST
@role_required(Role.MANAGER)
def work_order_cancel(request, work_order_id: int):
    work_order = _work_order_or_404(work_order_id)
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        services.work_order_cancel(work_order=work_order, user=request.user,
                                   reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("%(number)s cancelled.") % {"number": work_order.number})
    return redirect(work_order.get_absolute_url())


# ---- piece rates & traceability --------------------------------------------------------------------


def _date_param(request, name: str, default: date) -> date:
    try:
        return parse_date(request.GET.get(name), field=name) or default
    except ValidationError as exc:
        messages.error(request, first_message(exc))
        return default


@role_required(Role.VIEWER)
def piece_rates(request):
    today = timezone.localdate()
    date_from = _date_param(request, "date_from", today.replace(day=1))
    date_to = _date_param(request, "date_to", today)
    if date_to < date_from:
        messages.warning(request, _("The end date was before the start date; they were swapped."))
        date_from, date_to = date_to, date_from
    operator = request.GET.get("operator", "").strip()
    worker = request.GET.get("worker", "").strip()
    period = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    if worker:
        table = Table(
            request, selectors.operation_report_list(date_from=date_from, date_to=date_to, operator=worker),
            columns=[
                Column("work_date", gettext_lazy("Work date"), sort="work_date"),
                Column("work_order.number", gettext_lazy("Work order"), sort="work_order__number",
                       link=lambda r: r.work_order.get_absolute_url()),
                Column("work_order.item.code", gettext_lazy("Item code")),
                Column("operation.name", gettext_lazy("Operation")),
                Column("quantity_good", gettext_lazy("Good"), sort="quantity_good", numeric=True),
                Column("quantity_scrap", gettext_lazy("Scrap"), numeric=True),
                Column("piece_count", gettext_lazy("Pieces"), numeric=True),
                Column("minutes", gettext_lazy("Minutes"), numeric=True),
                Column("piece_rate", gettext_lazy("Piece rate"), numeric=True),
                Column("pay", gettext_lazy("Pay"), sort="pay", numeric=True),
            ], export_name="piece-rate-lines", default_sort="-work_date")
    else:
        table = Table(
            request, selectors.piece_rate_pay(date_from=date_from, date_to=date_to, operator=operator),
            columns=[
                Column("operator_name", gettext_lazy("Operator"),
                       link=lambda r: "?" + urlencode({**period, "worker": r["operator_name"]})),
                Column("reports", gettext_lazy("Reports"), numeric=True),
                Column("quantity_good", gettext_lazy("Good"), numeric=True),
                Column("quantity_scrap", gettext_lazy("Scrap"), numeric=True),
                Column("piece_count", gettext_lazy("Pieces"), numeric=True),
                Column("minutes", gettext_lazy("Minutes"), numeric=True),
                Column("pay", gettext_lazy("Pay"), numeric=True),
            ], export_name="piece-rates")
    if table.wants_export:
        return table.export_response()
    if worker:
        total = sum((r.pay for r in selectors.operation_report_list(date_from=date_from, date_to=date_to,
                                                                   operator=worker)), 0)
    else:
        total = sum((row["pay"] for row in selectors.piece_rate_pay(date_from=date_from, date_to=date_to,
                                                                   operator=operator)), 0)
    return render(request, "production/piece_rates.html", {
        "table": table, "date_from": date_from, "date_to": date_to, "operator": operator, "worker": worker,
        "total_pay": total, "back_url": "?" + urlencode(period)})


@role_required(Role.VIEWER)
def trace(request):
    item_code = request.GET.get("item", "").strip()
    lot_code = request.GET.get("lot", "").strip()
    item = Item.objects.filter(code__iexact=item_code).first() if item_code else None
    back = forward = None
    error = ""
    if item_code and item is None:
        error = _("There is no item with code %(code)s.") % {"code": item_code}
    elif item is not None and lot_code:
        back = selectors.trace_lot_back(item=item, lot_code=lot_code)
        forward = selectors.trace_lot_forward(item=item, lot_code=lot_code)
    return render(request, "production/trace.html", {
        "item": item, "item_code": item_code, "lot_code": lot_code, "back": back, "forward": forward, "error": error})


# ---- workers -------------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def worker_list(request):
    table = Table(
        request, Worker.objects.select_related("work_center"),
        columns=[
            Column("code", gettext_lazy("Worker number"), sort="code",
                   link=lambda w: reverse("production:worker_edit", args=[w.pk])
                   if request.membership.has_role(Role.MANAGER) else ""),
            Column("name", gettext_lazy("Name"), sort="name"),
            Column("work_center", gettext_lazy("Team / work center")),
            Column("user_id", gettext_lazy("Member"), fmt=lambda v: _("yes") if v else _("no")),
            Column("active", gettext_lazy("Active"), sort="active"),
        ],
        search_fields=["code", "name"],
        filters=[Filter("active", gettext_lazy("Active"), choices=[("true", _("yes")), ("false", _("no"))])],
        export_name="workers", default_sort="code")
    if table.wants_export:
        return table.export_response()
    return render(request, "production/worker_list.html", {
        "table": table, "can_manage": request.membership.has_role(Role.MANAGER)})


@role_required(Role.MANAGER)
def worker_edit(request, worker_id: int | None = None):
    worker = None
    if worker_id is not None:
        worker = Worker.objects.filter(pk=worker_id).first()
        if worker is None:
            raise Http404
    initial = ({"code": worker.code, "name": worker.name, "work_center": worker.work_center_id,
                "active": worker.active} if worker else {"active": True})
    form = WorkerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.worker_save(worker=worker, code=data["code"], name=data["name"],
                                         work_center=data["work_center"], active=data["active"], user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Worker %(worker)s saved.") % {"worker": saved})
            return redirect("production:worker_list")
    return render(request, "production/worker_form.html", {"form": form, "worker": worker},
                  status=400 if request.method == "POST" else 200)
