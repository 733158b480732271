"""Catalog pages: items, BOMs (versions, lines, release, explosion, where-used), routings."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import form_errors_from
from core.parsing import first_message, parse_decimal
from core.permissions import role_refusal, role_required
from core.tables import Column, Filter, Table
from erp_modules.catalog import selectors, services
from erp_modules.catalog.bom_guard import bom_owner
from erp_modules.catalog.forms import (BomCreateForm, BomLineForm, BomReleaseForm, ItemForm, RoutingForm,
                                       RoutingOperationFormSet, WorkCenterForm)
from erp_modules.catalog.models import Bom, BomLine, Item, ItemCategory, Routing, WorkCenter
from erp_modules.catalog.stock_source import stock_source
from erp_modules.common.forms import form_save
from erp_modules.common.history import object_history
from tenants.models import Role


def _item_link(item) -> str:
    return f"/catalog/items/{item.pk}/"


@role_required(Role.VIEWER)
def item_list(request):
    qs = selectors.item_list(active=None).annotate(on_hand=stock_source().on_hand())
    table = Table(
        request, qs, export_name="items", default_sort="code",
        columns=[
            Column("code", gettext_lazy("Item code"), sort="code", link=_item_link),
            Column("name", gettext_lazy("Name"), sort="name"),
            Column("item_type", gettext_lazy("Type"), sort="item_type"),
            Column("uom.name", gettext_lazy("Unit")),
            Column("category.name", gettext_lazy("Category"), sort="category__name"),
            Column("on_hand", gettext_lazy("On hand"), sort="on_hand", numeric=True),
            Column("safety_stock", gettext_lazy("Safety stock"), numeric=True),
            Column("lead_time_days", gettext_lazy("Lead time (days)"), sort="lead_time_days", numeric=True),
            Column("average_cost", gettext_lazy("Average cost"), sort="average_cost", numeric=True),
            Column("active", gettext_lazy("Active")),
        ],
        search_fields=["code", "name", "name_en", "drawing_ref"],
        filters=[Filter("item_type", gettext_lazy("Type"), Item.Type.choices),
                 Filter("category", gettext_lazy("Category"),
                        [(c.pk, c.name) for c in ItemCategory.objects.all()], lookup="category_id"),
                 Filter("active", gettext_lazy("Active"), [("true", gettext_lazy("yes")), ("false", gettext_lazy("no"))])],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "catalog/item_list.html", {"table": table,
                                                      "can_edit": request.membership.has_role(Role.CLERK)})


def _get_item(item_id: int) -> Item:
    item = selectors.item_get(item_id=item_id)
    if item is None:
        raise Http404
    return item


@role_required(Role.VIEWER)
def item_detail(request, item_id: int):
    item = _get_item(item_id)
    context = {
        "item": item,
        "stock": stock_source().levels(item),
        "boms": Bom.objects.filter(item=item).order_by("-version"),
        "where_used": selectors.bom_where_used(item=item),
        "moves": stock_source().moves(item)[:15],
        "history": object_history(item),
        "can_edit": request.membership.has_role(Role.CLERK),
    }
    return render(request, "catalog/item_detail.html", context)


@role_required(Role.CLERK)
def item_edit(request, item_id: int | None = None):
    item = _get_item(item_id) if item_id else None
    form = ItemForm(request.POST or None, instance=item)
    saved = form_save(request, form, services.item_create if item is None else partial(services.item_update, item=item))
    if saved is not None:
        messages.success(request, _("Item %(code)s saved.") % {"code": saved.code})
        return redirect(f"/catalog/items/{saved.pk}/")
    return render(request, "catalog/item_form.html", {"form": form, "item": item})


@role_required(Role.VIEWER)
def bom_list(request):
    qs = Bom.objects.select_related("item").annotate(line_count=Count("lines"))
    table = Table(
        request, qs, export_name="boms", default_sort="item__code",
        columns=[
            Column("item.code", gettext_lazy("Item code"), sort="item__code", link=lambda b: f"/catalog/boms/{b.pk}/"),
            Column("item.name", gettext_lazy("Name")),
            Column("version", gettext_lazy("Version"), sort="version", numeric=True),
            Column("status", gettext_lazy("Status"), sort="status"),
            Column("effective_from", gettext_lazy("Effective from"), sort="effective_from"),
            Column("quantity", gettext_lazy("Quantity produced"), numeric=True),
            Column("line_count", gettext_lazy("Lines"), numeric=True),
        ],
        search_fields=["item__code", "item__name", "note"],
        filters=[Filter("status", gettext_lazy("Status"), Bom.Status.choices)],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "catalog/bom_list.html", {"table": table, "can_edit": request.membership.has_role(Role.CLERK)})


@role_required(Role.CLERK)
def bom_new(request):
    form = BomCreateForm(request.POST or None, initial={"item": request.GET.get("item")})
    if request.method == "POST" and form.is_valid():
        try:
            bom = services.bom_create(item=form.cleaned_data["item"], quantity=form.cleaned_data["quantity"],
                                      note=form.cleaned_data["note"], user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            return redirect(f"/catalog/boms/{bom.pk}/")
    return render(request, "catalog/bom_new.html", {"form": form})


def _get_bom(bom_id: int) -> Bom:
    bom = Bom.objects.select_related("item", "item__uom").filter(pk=bom_id).first()
    if bom is None:
        raise Http404
    return bom


@role_required(Role.VIEWER)
def bom_detail(request, bom_id: int):
    bom = _get_bom(bom_id)
    line_form = BomLineForm(request.POST or None)
    can_edit = request.membership.has_role(Role.CLERK)
    owner = bom_owner(bom)
    if request.method == "POST":
        refusal = role_refusal(request, Role.CLERK)
        if refusal:
            return refusal
        if line_form.is_valid():
            try:
                services.bom_line_add(bom=bom, **line_form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(line_form, exc)
            else:
                messages.success(request, _("Line added."))
                return redirect(f"/catalog/boms/{bom.pk}/")
    try:
        quantity = parse_decimal(request.GET.get("qty"), field="qty", max_digits=9, decimal_places=6,
                                 min_value=Decimal("0.000001")) or Decimal("1")
    except ValidationError as exc:
        messages.error(request, first_message(exc))
        quantity = Decimal("1")
    context = {
        "bom": bom,
        "lines": bom.lines.select_related("component", "component__uom"),
        "line_form": line_form,
        "release_form": BomReleaseForm(),
        "explosion": selectors.bom_explode(item=bom.item, quantity=quantity, bom=bom),
        "explode_qty": quantity,
        "versions": Bom.objects.filter(item=bom.item).order_by("-version"),
        "history": object_history(bom),
        "can_edit": can_edit,
        # a part revision's BOM is changed on PDM's pages: no forms here that the BOM guard would refuse
        "owner_note": _bom_owner_note(owner) if owner else "",
        "can_change": can_edit and owner is None,
    }
    return render(request, "catalog/bom_detail.html", context)


def _bom_owner_note(owner) -> str:
    """"This BOM belongs to part RH-HOOD-200 revision B: change it on <a>the revision's page</a>." (HTML)"""
    link = format_html('<a href="{}" id="bom-owner-link">{}</a>', owner.url, owner.page)
    return mark_safe(conditional_escape(_("This BOM belongs to %(owner)s: change it on %(page)s."))
                     % {"owner": conditional_escape(owner.label), "page": link})


@require_POST
@role_required(Role.CLERK)
def bom_line_remove(request, bom_id: int, line_id: int):
    line = BomLine.objects.filter(pk=line_id, bom_id=bom_id).first()
    if line is None:
        raise Http404
    try:
        services.bom_line_remove(line=line)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect(f"/catalog/boms/{bom_id}/")


@require_POST
@role_required(Role.MANAGER)
def bom_action(request, bom_id: int, action: str):
    bom = _get_bom(bom_id)
    try:
        if action == "release":
            form = BomReleaseForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give the date from which the BOM is in force."))
            services.bom_release(bom=bom, effective_from=form.cleaned_data["effective_from"], user=request.user)
            messages.success(request, _("BOM released."))
        elif action == "new-version":
            bom = services.bom_new_version(bom=bom, user=request.user)
            messages.success(request, _("Version %(v)d created as a draft.") % {"v": bom.version})
        elif action == "archive":
            services.bom_archive(bom=bom, user=request.user)
            messages.success(request, _("BOM archived."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect(f"/catalog/boms/{bom.pk}/")


@role_required(Role.VIEWER)
def routing_list(request):
    routings = Routing.objects.select_related("item").prefetch_related("operations__work_center")
    context = {
        "routings": routings,
        "work_centers": WorkCenter.objects.all(),
        "work_center_form": WorkCenterForm(),
        "can_edit": request.membership.has_role(Role.MANAGER),
    }
    return render(request, "catalog/routing_list.html", context)


@require_POST
@role_required(Role.MANAGER)
def work_center_create(request):
    form = WorkCenterForm(request.POST)
    if form.is_valid():
        form.save()
        messages.success(request, _("Work center saved."))
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("/catalog/routings/")


@role_required(Role.MANAGER)
def routing_new(request):
    form = RoutingForm(request.POST or None)
    formset = RoutingOperationFormSet(request.POST or None, prefix="ops")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        operations = [f.cleaned_data for f in formset.forms if f.cleaned_data and f.cleaned_data.get("name")]
        if not operations:
            form.add_error(None, _("Add at least one operation."))
        else:
            try:
                services.routing_create(item=form.cleaned_data["item"], name=form.cleaned_data["name"],
                                        operations=operations)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Routing saved."))
                return redirect("/catalog/routings/")
    return render(request, "catalog/routing_form.html", {"form": form, "formset": formset})
