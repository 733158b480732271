"""Inventory pages: stock on hand, the ledger, valuation (with a chart), counts, adjustments,
transfers, warehouses and locations."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import form_errors_from
from core.parsing import first_message, parse_date, parse_decimal
from core.permissions import role_refusal, role_required
from core.tables import Column, Filter, Table
from erp_modules.inventory import selectors, services
from erp_modules.inventory.forms import AdjustmentForm, CountCreateForm, LocationForm, TransferForm, WarehouseForm
from erp_modules.inventory.models import Location, MoveType, StockCount, Warehouse
from tenants.models import Role


@role_required(Role.VIEWER)
def stock_list(request):
    table = Table(
        request, selectors.stock_level_list(), export_name="stock",
        columns=[
            Column("item.code", gettext_lazy("Item code"), sort="item__code", link=lambda b: f"/catalog/items/{b.item_id}/"),
            Column("item.name", gettext_lazy("Name"), sort="item__name"),
            Column("location", gettext_lazy("Location"), sort="location__code"),
            Column("lot.code", gettext_lazy("Lot")),
            Column("on_hand", gettext_lazy("On hand"), sort="on_hand", numeric=True),
            Column("reserved", gettext_lazy("Reserved"), sort="reserved", numeric=True),
            Column("available", gettext_lazy("Available"), sort="available", numeric=True),
            Column("item.uom.name", gettext_lazy("Unit")),
        ],
        search_fields=["item__code", "item__name", "lot__code"],
        filters=[Filter("warehouse", gettext_lazy("Warehouse"), [(w.pk, str(w)) for w in Warehouse.objects.all()],
                        lookup="location__warehouse_id")],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "inventory/stock_list.html", {"table": table, "low": selectors.items_below_safety_stock(),
                                                         "can_edit": request.membership.has_role(Role.CLERK)})


@role_required(Role.VIEWER)
def move_list(request):
    table = Table(
        request, selectors.stock_move_list(), export_name="stock-ledger",
        columns=[
            Column("posted_at", gettext_lazy("Posted at"), sort="posted_at"),
            Column("move_type", gettext_lazy("Type"), sort="move_type"),
            Column("item.code", gettext_lazy("Item code"), sort="item__code", link=lambda m: f"/catalog/items/{m.item_id}/"),
            Column("item.name", gettext_lazy("Name")),
            Column("location", gettext_lazy("Location")),
            Column("lot.code", gettext_lazy("Lot")),
            Column("quantity", gettext_lazy("Quantity"), sort="quantity", numeric=True),
            Column("unit_cost", gettext_lazy("Unit cost"), numeric=True),
            Column("value", gettext_lazy("Value"), sort="value", money=True),
            Column("reference", gettext_lazy("Reference"), sort="reference"),
            Column("reason.name", gettext_lazy("Reason")),
        ],
        search_fields=["item__code", "item__name", "reference", "lot__code", "note"],
        filters=[Filter("move_type", gettext_lazy("Type"), MoveType.choices)],
        default_sort="-posted_at", page_size=50,
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "inventory/move_list.html", {"table": table})


def _as_of(request, data=None):
    """The end of the day typed in `as_of` (GET unless `data` is given); None when blank or not a date."""
    try:
        day = parse_date((request.GET if data is None else data).get("as_of"), field="as_of")
    except ValidationError as exc:
        messages.error(request, first_message(exc))
        return None
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.max))


class _Rows(list):
    """A list that core.tables can page, sort and export like a queryset."""

    def order_by(self, key, *_):
        reverse = key.startswith("-")
        name = key.lstrip("-")
        return _Rows(sorted(self, key=lambda r: (r.get(name) is None, r.get(name)), reverse=reverse))


@role_required(Role.VIEWER)
def valuation(request):
    as_of = _as_of(request)
    rows = _Rows(selectors.stock_valuation_report(as_of=as_of))
    for row in rows:
        row["average"] = (row["value"] / row["quantity"]).quantize(Decimal("0.0001")) if row["quantity"] else None
    total = sum((r["value"] for r in rows), Decimal("0"))
    table = Table(
        request, rows, export_name="stock-valuation", default_sort="-value",
        columns=[
            Column("code", gettext_lazy("Item code"), sort="code", link=lambda r: f"/catalog/items/{r['item_id']}/"),
            Column("name", gettext_lazy("Name"), sort="name"),
            Column("quantity", gettext_lazy("Quantity"), sort="quantity", numeric=True),
            Column("uom", gettext_lazy("Unit")),
            Column("average", gettext_lazy("Average cost"), numeric=True),
            Column("value", gettext_lazy("Value"), sort="value", money=True),
        ],
    )
    if table.wants_export:
        return table.export_response()
    top = sorted(rows, key=lambda r: r["value"], reverse=True)[:10]
    chart = {"labels": [r["code"] for r in top], "values": [float(r["value"]) for r in top]}
    return render(request, "inventory/valuation.html", {"table": table, "total": total, "chart": chart,
                                                        "as_of": request.GET.get("as_of", "")})


@role_required(Role.CLERK)
def adjust(request):
    form = AdjustmentForm(request.POST or None, initial={"location": selectors.location_default()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lot = services.lot_get_or_create(item=data["item"], code=data["lot"]) if data["lot"] else None
            move = services.stock_adjust(item=data["item"], location=data["location"], quantity=data["quantity"],
                                         reason=data["reason"], lot=lot, unit_cost=data["unit_cost"],
                                         user=request.user, note=data["note"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Adjustment %(ref)s posted.") % {"ref": move.reference})
            return redirect("/inventory/moves/")
    return render(request, "inventory/form.html", {"form": form, "title": _("Stock adjustment")})


@role_required(Role.CLERK)
def transfer(request):
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lot = services.lot_get_or_create(item=data["item"], code=data["lot"]) if data["lot"] else None
            moves = services.stock_transfer(item=data["item"], source=data["source"], destination=data["destination"],
                                            quantity=data["quantity"], lot=lot, user=request.user, note=data["note"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Transfer %(ref)s posted.") % {"ref": moves[0].reference})
            return redirect("/inventory/stock/")
    return render(request, "inventory/form.html", {"form": form, "title": _("Stock transfer")})


@role_required(Role.VIEWER)
def warehouse_list(request):
    can_edit = request.membership.has_role(Role.MANAGER)
    warehouse_form = WarehouseForm(request.POST if request.POST.get("form") == "warehouse" else None)
    location_form = LocationForm(request.POST if request.POST.get("form") == "location" else None)
    if request.method == "POST":
        refusal = role_refusal(request, Role.MANAGER)
        if refusal:
            return refusal
        try:
            if request.POST.get("form") == "warehouse" and warehouse_form.is_valid():
                services.warehouse_create(**warehouse_form.cleaned_data)
                messages.success(request, _("Warehouse saved."))
                return redirect("/inventory/warehouses/")
            if request.POST.get("form") == "location" and location_form.is_valid():
                services.location_create(**location_form.cleaned_data)
                messages.success(request, _("Location saved."))
                return redirect("/inventory/warehouses/")
        except ValidationError as exc:
            form_errors_from(warehouse_form if request.POST.get("form") == "warehouse" else location_form, exc)
    return render(request, "inventory/warehouses.html", {
        "warehouses": Warehouse.objects.prefetch_related("locations"), "warehouse_form": warehouse_form,
        "location_form": location_form, "can_edit": can_edit})


@role_required(Role.VIEWER)
def count_list(request):
    form = CountCreateForm(request.POST or None)
    if request.method == "POST":
        refusal = role_refusal(request, Role.CLERK)
        if refusal:
            return refusal
        if form.is_valid():
            count = services.stock_count_create(**form.cleaned_data)
            return redirect(f"/inventory/counts/{count.pk}/")
    table = Table(
        request, StockCount.objects.select_related("location", "location__warehouse", "reason"), export_name="counts",
        columns=[Column("number", gettext_lazy("Number"), sort="number", link=lambda c: f"/inventory/counts/{c.pk}/"),
                 Column("location", gettext_lazy("Location")),
                 Column("status", gettext_lazy("Status"), sort="status"),
                 Column("reason.name", gettext_lazy("Reason")),
                 Column("created_at", gettext_lazy("Created"), sort="created_at"),
                 Column("posted_at", gettext_lazy("Posted at"), sort="posted_at")],
        filters=[Filter("status", gettext_lazy("Status"), StockCount.Status.choices)], default_sort="-created_at",
        search_fields=["number", "note"])
    if table.wants_export:
        return table.export_response()
    return render(request, "inventory/count_list.html", {"table": table, "form": form})


@role_required(Role.VIEWER)
def count_detail(request, count_id: int):
    count = StockCount.objects.select_related("location", "reason").filter(pk=count_id).first()
    if count is None:
        raise Http404
    lines = list(count.lines.select_related("item", "item__uom", "lot").order_by("item__code"))
    errors = []
    if request.method == "POST":
        refusal = role_refusal(request, Role.CLERK)
        if refusal:
            return refusal
        counted = {}
        for line in lines:
            raw = request.POST.get(f"counted-{line.pk}", "").strip()
            try:
                counted[line.pk] = parse_decimal(raw, field=f"counted-{line.pk}", required=True, max_digits=14,
                                                 decimal_places=6, min_value=0)
            except ValidationError as exc:
                errors.append(_("%(item)s: “%(value)s”: %(problem)s") % {
                    "item": line.item.code, "value": raw[:40], "problem": first_message(exc)})
        if not errors:
            try:
                moves = services.stock_count_post(count=count, counted=counted, user=request.user)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, _("Count posted: %(n)d differences.") % {"n": len(moves)})
                return redirect(f"/inventory/counts/{count.pk}/")
    return render(request, "inventory/count_detail.html", {"count": count, "lines": lines, "errors": errors})


@require_POST
@role_required(Role.MANAGER)
def snapshot_close(request):
    """Close the stock up to the end of a day (period snapshot)."""
    as_of = _as_of(request) or _as_of(request, request.POST)
    if as_of is None:
        messages.error(request, _("Choose a date."))
    else:
        try:
            services.stock_snapshot_create(period_end=as_of)
            messages.success(request, _("Stock closed up to %(d)s.") % {"d": timezone.localtime(as_of).date()})
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    return redirect("/inventory/valuation/")


def location_choices():
    return Location.objects.filter(active=True).select_related("warehouse")
