"""MRP pages. Thin: parse input, call a service or selector, render.

Roles: viewers read; clerks start runs and keep the master schedule; managers convert planned
orders into purchase and work orders."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import error_messages
from core.parsing import parse_date, parse_decimal, parse_ids
from core.permissions import role_refusal, role_required
from core.tables import Column, Filter, Table
from erp_modules.catalog.models import Item
from erp_modules.mrp import selectors, services
from erp_modules.mrp.models import MrpException, MrpRun, PlannedOrder
from tenants.models import Role

EXCEPTION_CHOICES = [
    ("any", gettext_lazy("any exception")),
    ("late", gettext_lazy("late")),
    ("missing_bom", gettext_lazy("missing BOM")),
    ("missing_lead_time", gettext_lazy("missing lead time")),
    ("none", gettext_lazy("no exception")),
]
EXCEPTION_LOOKUPS = {
    "any": Q(is_late=True) | Q(missing_bom=True) | Q(missing_lead_time=True),
    "late": Q(is_late=True),
    "missing_bom": Q(missing_bom=True),
    "missing_lead_time": Q(missing_lead_time=True),
    "none": Q(is_late=False, missing_bom=False, missing_lead_time=False),
}
CHANGE_LABELS = {"added": gettext_lazy("added"), "removed": gettext_lazy("removed"),
                 "quantity": gettext_lazy("quantity changed"), "date": gettext_lazy("date changed")}


class ExceptionFilter(Filter):
    def apply(self, qs, value):
        return qs.filter(EXCEPTION_LOOKUPS[value]) if value in EXCEPTION_LOOKUPS else qs


class StateFilter(Filter):
    def apply(self, qs, value):
        if value == "open":
            return qs.filter(converted_ref="")
        if value == "converted":
            return qs.exclude(converted_ref="")
        return qs


class ListFilter(Filter):
    """A filter over a list of dicts (the comparison of two runs)."""

    def apply(self, qs, value):
        return [row for row in qs if str(row.get(self.name)) == value] if value else qs


def _run_or_404(run_id: int) -> MrpRun:
    run = selectors.run_get(run_id=run_id)
    if run is None:
        raise Http404
    return run


def _done_run_or_404(run_id: int) -> MrpRun:
    run = _run_or_404(run_id)
    if run.status != MrpRun.Status.DONE:
        raise Http404
    return run


# ---- the workbench -----------------------------------------------------------------------------


def _planned_table(request, run: MrpRun) -> Table:
    return Table(
        request, selectors.planned_order_list(run=run),
        columns=[
            Column("item.code", gettext_lazy("Item code"), sort="item__code", css="text-nowrap",
                   link=lambda o: reverse("mrp:order_detail", args=[o.pk])),
            Column("item.name", gettext_lazy("Item"),
                   link=lambda o: reverse("mrp:item_plan", args=[o.run_id, o.item_id])),
            Column("order_type", gettext_lazy("Type"), sort="order_type"),
            Column("quantity", gettext_lazy("Quantity"), sort="quantity", numeric=True),
            Column("item.uom", gettext_lazy("Unit")),
            Column("release_date", gettext_lazy("Release"), sort="release_date", css="text-nowrap"),
            Column("due_date", gettext_lazy("Due"), sort="due_date", css="text-nowrap"),
            Column("supplier.name", gettext_lazy("Supplier"), sort="supplier__code"),
            Column("reason", gettext_lazy("Reason")),
            Column("exceptions_text", gettext_lazy("Exceptions")),
            Column("converted_ref", gettext_lazy("Converted to")),
        ],
        search_fields=["item__code", "item__name", "item__name_en"],
        filters=[
            Filter("order_type", gettext_lazy("Type"), choices=PlannedOrder.Type.choices),
            Filter("supplier", gettext_lazy("Supplier"), choices=selectors.supplier_choices(run=run),
                   lookup="supplier_id"),
            ExceptionFilter("exception", gettext_lazy("Exception"), choices=EXCEPTION_CHOICES),
            StateFilter("state", gettext_lazy("Converted"), choices=[("open", gettext_lazy("not yet")),
                                                                      ("converted", gettext_lazy("converted"))]),
        ],
        export_name=f"mrp-run-{run.pk}", default_sort="due_date", page_size=50)


def _workbench(request, run: MrpRun | None):
    table = _planned_table(request, run) if run is not None else None
    if table is not None and table.wants_export:
        return table.export_response()
    latest = selectors.run_latest_done()
    is_latest = run is not None and latest is not None and run.pk == latest.pk
    can_convert = request.membership.has_role(Role.MANAGER)
    context = {
        "run": run, "table": table, "active": selectors.run_active(),
        "failed": selectors.run_latest_failed_after(run=latest),
        "is_latest": is_latest, "selectable": is_latest and can_convert,
        "summary": selectors.run_summary(run=run) if run is not None else None,
        "previous": selectors.run_previous(run=run) if run is not None else None,
        "can_run": request.membership.has_role(Role.CLERK),
        "can_convert": can_convert,
        "buckets": MrpRun.Bucket.choices,
    }
    return render(request, "mrp/workbench.html", context)


@role_required(Role.VIEWER)
def workbench(request):
    return _workbench(request, selectors.run_latest_done())


@role_required(Role.VIEWER)
def run_detail(request, run_id: int):
    run = _run_or_404(run_id)
    if run.status != MrpRun.Status.DONE:
        return render(request, "mrp/run_status.html", {"run": run, "progress_run": run})
    return _workbench(request, run)


@require_POST
@role_required(Role.CLERK)
def run_start(request):
    try:
        run = services.mrp_run_request(user=request.user, bucket=request.POST.get("bucket", MrpRun.Bucket.WEEK))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("MRP run #%(n)d started; the results appear here when it is done.")
                         % {"n": run.pk})
    return redirect("mrp:workbench")


@role_required(Role.VIEWER)
def run_progress(request, run_id: int):
    """Polled by the page (htmx) every second while the run is queued or running."""
    run = _run_or_404(run_id)
    response = render(request, "mrp/_run_progress.html", {"progress_run": run})
    if not run.is_active:
        response["HX-Refresh"] = "true"  # show the results (or the error)
    return response


@role_required(Role.VIEWER)
def run_list(request):
    table = Table(request, selectors.run_list(), columns=[
        Column("pk", gettext_lazy("Run"), sort="id", link=lambda r: reverse("mrp:run_detail", args=[r.pk])),
        Column("status", gettext_lazy("Status"), sort="status"),
        Column("bucket", gettext_lazy("Time bucket")),
        Column("created_at", gettext_lazy("Requested at"), sort="created_at"),
        Column("finished_at", gettext_lazy("Finished at")),
        Column("duration_s", gettext_lazy("Seconds"), numeric=True),
        Column("planned_count", gettext_lazy("Planned orders"), numeric=True),
        Column("exception_count", gettext_lazy("Exceptions"), numeric=True),
        Column("created_by.email", gettext_lazy("Started by")),
        Column("error", gettext_lazy("Error")),
    ], export_name="mrp-runs", default_sort="-id")
    if table.wants_export:
        return table.export_response()
    return render(request, "mrp/run_list.html", {"table": table})


# ---- conversion --------------------------------------------------------------------------------


@require_POST
@role_required(Role.MANAGER)
def convert(request, run_id: int):
    run = _done_run_or_404(run_id)
    try:
        ids = parse_ids(request.POST.getlist("order"), field="order")
        created = services.planned_orders_convert(run=run, order_ids=ids, user=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        numbers = [po.number for po in created["purchase_orders"]] + [wo.number for wo in created["work_orders"]]
        messages.success(request, _("Created %(po)d purchase orders and %(wo)d work orders (drafts): %(numbers)s")
                         % {"po": len(created["purchase_orders"]), "wo": len(created["work_orders"]),
                            "numbers": ", ".join(numbers)})
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/mrp/")
                    else reverse("mrp:run_detail", args=[run.pk]))


# ---- drill-downs ---------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def order_detail(request, order_id: int):
    order = selectors.planned_order_get(order_id=order_id)
    if order is None:
        raise Http404
    tree, tops = selectors.pegging_tree(order=order)
    children = (PlannedOrder.objects.filter(run=order.run, pegging__contains=[{"k": "order", "key": order.key}])
                .select_related("item", "item__uom").order_by("due_date", "item__code"))
    return render(request, "mrp/order_detail.html", {
        "order": order, "run": order.run, "tree": tree, "tops": tops, "children": children[:200],
        "child_count": children.count()})


@role_required(Role.VIEWER)
def item_plan(request, run_id: int, item_id: int):
    run = _done_run_or_404(run_id)
    plan = selectors.item_plan_get(run=run, item_id=item_id)
    item = plan.item if plan is not None else Item.objects.select_related("uom").filter(pk=item_id).first()
    if item is None:
        raise Http404
    rows = []
    if plan is not None:
        series = plan.series
        for n, start in enumerate(run.bucket_starts[:len(series.get("gross", []))]):
            rows.append({"start": date.fromisoformat(start), "gross": series["gross"][n], "receipts": series["receipts"][n],
                         "planned": series["planned"][n], "projected": series["projected"][n]})
    return render(request, "mrp/item_plan.html", {
        "run": run, "item": item, "plan": plan, "rows": rows,
        "chart": selectors.item_plan_chart(run=run, plan=plan) if plan is not None else None,
        "orders": PlannedOrder.objects.filter(run=run, item=item).select_related("supplier").order_by("due_date"),
        "exceptions": MrpException.objects.filter(run=run, item=item)})


@role_required(Role.VIEWER)
def compare(request, run_id: int):
    run = _done_run_or_404(run_id)
    previous = selectors.run_previous(run=run)
    changes = selectors.run_compare(run=run, previous=previous)
    for change in changes:
        change["change_label"] = CHANGE_LABELS[change["change"]]
        change["type_label"] = PlannedOrder.Type(change["order_type"]).label
    table = Table(request, changes, columns=[
        Column("item_code", gettext_lazy("Item code"),
               link=lambda c: reverse("mrp:item_plan", args=[run.pk, c["item_id"]])),
        Column("item.name", gettext_lazy("Item")),
        Column("type_label", gettext_lazy("Type")),
        Column("change_label", gettext_lazy("Change")),
        Column("old_quantity", gettext_lazy("Was"), numeric=True),
        Column("new_quantity", gettext_lazy("Now"), numeric=True),
        Column("old_due", gettext_lazy("Was due"), css="text-nowrap"),
        Column("new_due", gettext_lazy("Now due"), css="text-nowrap"),
    ], filters=[ListFilter("change", gettext_lazy("Change"), choices=list(CHANGE_LABELS.items()))],
        export_name=f"mrp-run-{run.pk}-changes", page_size=50)
    if table.wants_export:
        return table.export_response()
    counts = {kind: sum(1 for c in changes if c["change"] == kind) for kind in CHANGE_LABELS}
    return render(request, "mrp/compare.html", {"run": run, "previous": previous, "table": table,
                                                "counts": counts})


@role_required(Role.VIEWER)
def exception_list(request, run_id: int):
    run = _done_run_or_404(run_id)
    table = Table(request, selectors.exception_list(run=run), columns=[
        Column("kind", gettext_lazy("Exception"), sort="kind"),
        Column("item.code", gettext_lazy("Item code"), sort="item__code",
               link=lambda e: reverse("mrp:item_plan", args=[run.pk, e.item_id]) if e.item_id else ""),
        Column("reference", gettext_lazy("Reference"), sort="reference"),
        Column("quantity", gettext_lazy("Quantity"), numeric=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("message", gettext_lazy("Message")),
    ], search_fields=["item__code", "item__name", "reference"],
        filters=[Filter("kind", gettext_lazy("Exception"), choices=MrpException.Kind.choices)],
        export_name=f"mrp-run-{run.pk}-exceptions", default_sort="kind", page_size=50)
    if table.wants_export:
        return table.export_response()
    kinds = selectors.exception_counts(run=run)
    return render(request, "mrp/exceptions.html", {"run": run, "table": table, "kinds": kinds,
                                                   "total": sum(count for _k, _l, count in kinds),
                                                   "kind": table.filter_values.get("kind", "")})


# ---- master schedule and kits --------------------------------------------------------------------


@role_required(Role.VIEWER)
def schedule(request):
    can_edit = request.membership.has_role(Role.CLERK)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        refusal = role_refusal(request, Role.CLERK)
        if refusal:
            return refusal
        code = request.POST.get("item", "").strip()
        item = Item.objects.filter(code__iexact=code).first() if code else None
        try:
            week = parse_date(request.POST.get("week"), field="week")
            quantity = parse_decimal(request.POST.get("quantity"), field="quantity", max_digits=14,
                                     decimal_places=6)
            services.master_schedule_set(item=item, week=week, quantity="" if quantity is None else quantity,
                                         note=request.POST.get("note", ""), user=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Master schedule saved."))
            return redirect("mrp:schedule")
    table = Table(request, selectors.master_schedule_list(), columns=[
        Column("week_start", gettext_lazy("Week (Monday)"), sort="week_start"),
        Column("item.code", gettext_lazy("Item code"), sort="item__code"),
        Column("item.name", gettext_lazy("Item")),
        Column("quantity", gettext_lazy("Quantity"), numeric=True, sort="quantity"),
        Column("item.uom", gettext_lazy("Unit")),
        Column("note", gettext_lazy("Note")),
    ], search_fields=["item__code", "item__name"], export_name="master-schedule", default_sort="week_start")
    if table.wants_export:
        return table.export_response()
    plannable = (Item.objects.filter(active=True, item_type__in=[Item.Type.FINISHED, Item.Type.KIT,
                                                                  Item.Type.SUBASSEMBLY])
                 .order_by("code").values_list("code", "name")[:2000])
    return render(request, "mrp/schedule.html", {"table": table, "can_edit": can_edit, "errors": errors,
                                                 "plannable": plannable, "form": request.POST})


@role_required(Role.VIEWER)
def kits(request):
    return render(request, "mrp/kits.html", {"kits": selectors.kit_availability_list()})

