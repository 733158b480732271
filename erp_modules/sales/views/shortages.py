"""The shortage list (缺货清单) and "Check availability for all": start it, follow its progress, read
its report."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.parsing import parse_date
from core.permissions import role_required
from core.tables import Column, Filter, Table
from erp_modules.catalog.models import Item
from erp_modules.sales import selectors, services
from erp_modules.sales.models import AvailabilityCheck
from erp_modules.sales.views._common import _can, _flash, _or_404
from tenants.models import Role


class _Choice(Filter):
    """A filter of the shortage list as the table shows it; the selector does the filtering."""

    def apply(self, qs, value):
        return qs


def _chosen(objects, value: str):
    """The object of a choice list whose id is `value` (None for "all" or an unknown id)."""
    return next((o for o in objects if str(o.pk) == (value or "").strip()), None)


def _date_param(value: str) -> date | None:
    try:
        return parse_date(value, field="date")
    except ValidationError:
        return None


def _date_choices(dates: list[date], *chosen: date | None) -> list[tuple[str, str]]:
    values = sorted(set(dates) | {d for d in chosen if d is not None})
    return [(d.isoformat(), d.isoformat()) for d in values]


@role_required(Role.VIEWER)
def shortage_list(request):
    """缺货清单: open order lines still to deliver and not reserved, across orders, in the order
    "Check availability for all" serves them; the latest check's progress or summary on top."""
    params = request.GET
    customers = list(selectors.sales_shortage_customer_choices())
    items = list(selectors.sales_shortage_item_choices())
    delivery_from = _date_param(params.get("delivery_from", ""))
    delivery_to = _date_param(params.get("delivery_to", ""))
    reservable = {"true": True, "false": False}.get(params.get("reservable", ""))
    dates = _date_choices(selectors.sales_shortage_delivery_dates(), delivery_from, delivery_to)
    lines = selectors.sales_shortage_list(
        customer=_chosen(customers, params.get("customer")), item=_chosen(items, params.get("item")),
        delivery_from=delivery_from, delivery_to=delivery_to, reservable=reservable)
    orders = selectors.sales_shortage_order_choices()
    table = Table(request, lines, columns=[
        Column("order.number", gettext_lazy("Sales order"), sort="order__number",
               link=lambda line: line.order.get_absolute_url()),
        Column("order.customer.name", gettext_lazy("Customer"), sort="order__customer__name"),
        Column("order.delivery_date", gettext_lazy("Delivery date"), sort="order__delivery_date"),
        Column("item.code", gettext_lazy("Item"), sort="item__code"),
        Column("item.name", gettext_lazy("Item name")),
        Column("quantity", gettext_lazy("Ordered"), numeric=True),
        Column("delivered_qty", gettext_lazy("Delivered"), numeric=True),
        Column("reserved_quantity", gettext_lazy("Reserved"), numeric=True),
        Column("short_quantity", gettext_lazy("Short"), sort="short_quantity", numeric=True),
        Column("item.uom", gettext_lazy("Unit")),
        Column("available_quantity", gettext_lazy("Available"), sort="available_quantity", numeric=True),
        Column("limiting_component", gettext_lazy("Limited by")),
        Column("location", gettext_lazy("Ship from")),
        # 发布询价 on the boards (ecommerce's page, by URL name; clerks and up); a kit is not bought
        *([] if request.GET.get("export") or not _can(request, Role.CLERK) else [Column(
            "item.item_type", gettext_lazy("RFQ"), fmt=lambda t: "" if t == Item.Type.KIT else _("Post an RFQ"),
            link=lambda line: "" if line.item.item_type == Item.Type.KIT
            else reverse("erp_rfq:from_shortage", args=[line.pk]))]),
    ], search_fields=["order__number", "order__customer__name", "item__code", "item__name"],
        filters=[Filter("order", gettext_lazy("Sales order"), choices=[(n, n) for n in orders], lookup="order__number"),
                 _Choice("customer", gettext_lazy("Customer"), choices=[(str(c.pk), c.name) for c in customers]),
                 _Choice("item", gettext_lazy("Item"), choices=[(str(i.pk), f"{i.code} {i.name}") for i in items]),
                 _Choice("delivery_from", gettext_lazy("Delivery from"), choices=dates),
                 _Choice("delivery_to", gettext_lazy("Delivery to"), choices=dates),
                 _Choice("reservable", gettext_lazy("Can be reserved now"),
                         choices=[("true", gettext_lazy("yes")), ("false", gettext_lazy("no"))])],
        export_name="shortages")
    if table.wants_export:
        return table.export_response()
    return render(request, "sales/shortage_list.html", {
        "table": table, "section": "shortages", "check": selectors.availability_check_latest(),
        "can_check": _can(request, Role.CLERK)})


@require_POST
@role_required(Role.CLERK)
def shortage_check(request):
    """"Check availability for all": queue the background check and come back to the list, which
    shows its progress."""
    try:
        check = services.availability_check_request(user=request.user)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Availability check #%(n)d started: open orders are topped up by priority; "
                                    "the summary appears here when it is done.") % {"n": check.pk})
    return redirect("sales:shortage_list")


def _check_or_404(check_id: int) -> AvailabilityCheck:
    return _or_404(selectors.availability_check_get(check_id=check_id))


@role_required(Role.VIEWER)
def availability_check_detail(request, check_id: int):
    """One check: its progress, then per order what was reserved, what is still short, or why it failed."""
    check = _check_or_404(check_id)
    table = Table(request, check.results, columns=[
        Column("number", gettext_lazy("Sales order"), link=lambda r: f"/sales/orders/{r['order_id']}/"),
        Column("reserved", gettext_lazy("Reserved now")),
        Column("still_short", gettext_lazy("Still short")),
        Column("error", gettext_lazy("Failed")),
    ], export_name=f"availability-check-{check.pk}", page_size=50)
    if table.wants_export:
        return table.export_response()
    return render(request, "sales/availability_check.html", {"check": check, "table": table, "section": "shortages"})


@role_required(Role.VIEWER)
def availability_check_progress(request, check_id: int):
    """Polled by the page (htmx) every second while the check is queued or running."""
    check = _check_or_404(check_id)
    response = render(request, "sales/_check_progress.html", {"check": check})
    if not check.is_active:
        response["HX-Refresh"] = "true"  # show the summary and the list as it is now
    return response
