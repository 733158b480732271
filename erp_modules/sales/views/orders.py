"""Sales order pages: list, backorders, create, edit, detail, and the actions on an order (confirm,
check availability, deliver, invoice, cancel), PDF."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.permissions import role_required
from erp_modules.catalog.models import Item
from erp_modules.catalog.revision_source import revision_resolve
from core.tables import Column, Filter, Table
from erp_modules.common.selectors import audit_history
from erp_modules.partners.credit import partner_credit_one
from erp_modules.sales import pdf, selectors, services
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.forms import quantities_parse
from erp_modules.sales.models import SalesOrder
from erp_modules.sales.views._common import (_action, _can, _cancel, _date_or_none, _flash, _issuer, _list,
                                             _money_col, _or_404, _pdf_response)
from erp_modules.sales.views.documents import document_form
from tenants.models import Role

PRODUCED_TYPES = (Item.Type.FINISHED, Item.Type.SUBASSEMBLY, Item.Type.COMPONENT)  # what a work order makes


@role_required(Role.VIEWER)
def order_list(request):
    table = Table(request, selectors.sales_order_list(), columns=[
        Column("number", gettext_lazy("Number"), sort="number", link=lambda o: o.get_absolute_url()),
        Column("order_date", gettext_lazy("Date"), sort="order_date"),
        Column("customer.name", gettext_lazy("Customer"), sort="customer__name"),
        Column("customer_reference", gettext_lazy("Customer reference")),
        Column("delivery_date", gettext_lazy("Delivery date"), sort="delivery_date"),
        Column("status", gettext_lazy("Status"), sort="status"),
        _money_col("amount_incl_vat", gettext_lazy("Total incl. VAT")),
    ], search_fields=["number", "customer__name", "customer__code", "customer_reference"],
        filters=[Filter("status", gettext_lazy("Status"), choices=SalesOrder.Status.choices)],
        export_name="sales-orders", default_sort="-number")
    return _list(request, table=table, title=_("Sales orders"), new_label=_("New sales order"),
                 new_url="/sales/orders/new/" if _can(request, Role.CLERK) else None,
                 links=[("/sales/shortages/", _("Shortage list"), "shortage-link")])


@role_required(Role.VIEWER)
def backorder_list(request):
    table = Table(request, selectors.sales_backorders(), columns=[
        Column("order.number", gettext_lazy("Sales order"), sort="order__number",
               link=lambda line: line.order.get_absolute_url()),
        Column("order.customer.name", gettext_lazy("Customer"), sort="order__customer__name"),
        Column("order.delivery_date", gettext_lazy("Delivery date"), sort="order__delivery_date"),
        Column("item.code", gettext_lazy("Item"), sort="item__code"),
        Column("item.name", gettext_lazy("Item name")),
        Column("quantity", gettext_lazy("Ordered"), numeric=True),
        Column("delivered_qty", gettext_lazy("Delivered"), numeric=True),
        Column("open_quantity", gettext_lazy("Backorder"), sort="open_quantity", numeric=True),
        Column("item.uom", gettext_lazy("Unit")),
    ], search_fields=["order__number", "order__customer__name", "item__code", "item__name"],
        export_name="backorders")
    return _list(request, table=table, title=_("Backorders"))


@role_required(Role.CLERK)
def order_new(request):
    return document_form(request, kind="order")


def _order_or_404(order_id: int) -> SalesOrder:
    return _or_404(selectors.sales_order_get(order_id=order_id))


@role_required(Role.CLERK)
def order_edit(request, order_id: int):
    order = _order_or_404(order_id)
    if order.status != SalesOrder.Status.DRAFT:
        messages.error(request, _("%(number)s is confirmed; only draft orders can be changed.")
                       % {"number": order.number})
        return redirect(order.get_absolute_url())
    return document_form(request, kind="order", document=order)


@role_required(Role.VIEWER)
def order_detail(request, order_id: int):
    order = _order_or_404(order_id)
    lines = selectors.sales_order_lines(order=order)
    can_clerk = _can(request, Role.CLERK)
    if can_clerk:
        for v in lines:
            v.work_order_url = _work_order_url(order, v)
    return render(request, "sales/order_detail.html", {
        "order": order, "lines": lines,
        "deliveries": selectors.delivery_list(order=order), "invoices": selectors.invoice_list(order=order),
        "history": audit_history(obj=order),
        "backorder": sum((v.backorder for v in lines), Decimal("0")),
        "can_confirm": can_clerk and order.status == SalesOrder.Status.DRAFT,
        # after a confirmation that failed for stock (see order_confirm): offer to confirm it to order
        "can_confirm_short": can_clerk and order.status == SalesOrder.Status.DRAFT
        and request.GET.get("shortage") == "1",
        "can_check_availability": can_clerk and order.is_open and any(v.stocked and v.line.open_qty > 0
                                                                      for v in lines),
        "short_lines": sum(1 for v in lines if v.short > 0),
        "can_edit": can_clerk and order.status == SalesOrder.Status.DRAFT,
        "can_deliver": can_clerk and order.is_open and any(v.line.open_qty > 0 for v in lines),
        "can_invoice": can_clerk and order.status in SalesOrder.INVOICEABLE_STATUSES
        and any(v.line.to_invoice_qty > 0 for v in lines),
        "can_cancel": _can(request, Role.MANAGER) and order.status in (SalesOrder.Status.DRAFT,
                                                                        *SalesOrder.OPEN_STATUSES),
        "credit": partner_credit_one(order.customer),
        "can_override_credit": _can(request, Role.MANAGER),
    })


def _work_order_url(order: SalesOrder, v) -> str:
    """The production page's "new work order" filled in for a short line that names a revision: the item, the short
    quantity and that revision's BOM version (not the one in force), or "" (no revision, nothing short, not made)."""
    line = v.line
    if not line.revision or v.short <= 0 or line.item.item_type not in PRODUCED_TYPES:
        return ""
    try:
        bom_id = revision_resolve(item=line.item, code=line.revision).bom_id
    except ValidationError:  # obsolete since the order was taken: production chooses the version itself
        return ""
    if bom_id is None:
        return ""
    note = _("%(number)s line %(n)d, revision %(code)s") % {"number": order.number, "n": line.sequence,
                                                            "code": line.revision}
    return "/production/work-orders/new/?" + urlencode({"item": line.item_id, "quantity": f"{v.short:f}",
                                                         "bom": bom_id, "note": note})


def _shortage_report(request, order: SalesOrder, *, short, none_short: str):
    """Back to the order once its stock is reserved: a warning ``short(n)`` when n of its lines are still short,
    else the success message ``none_short`` (both formatted with the order's number, and n)."""
    short_lines = len(selectors.sales_order_shortage(order=order))
    if short_lines:
        messages.warning(request, short(short_lines) % {"number": order.number, "n": short_lines})
    else:
        messages.success(request, none_short % {"number": order.number})
    return redirect(order.get_absolute_url())


@require_POST
@role_required(Role.CLERK)
def order_confirm(request, order_id: int):
    """Confirm and reserve; with allow_shortage=1 ("Confirm anyway (make to order)") the order is
    confirmed with what is in stock now. A confirmation that fails for stock comes back to the
    order page with that second button offered (?shortage=1)."""
    order = _order_or_404(order_id)
    allow_shortage = request.POST.get("allow_shortage") == "1"
    try:
        order = services.sales_order_confirm(order=order, user=request.user, allow_shortage=allow_shortage,
                                             credit_override_reason=request.POST.get("credit_override_reason", ""),
                                             may_override_credit=_can(request, Role.MANAGER))
    except ValidationError as exc:
        _flash(request, exc)
        short = not allow_shortage and getattr(exc, "code", None) == str(SalesErrorCode.INSUFFICIENT_STOCK)
        return redirect(order.get_absolute_url() + ("?shortage=1" if short else ""))
    return _shortage_report(request, order, short=lambda n: ngettext(
        "%(number)s confirmed to order: %(n)d line is short. Make or buy it, then use “Check availability”.",
        "%(number)s confirmed to order: %(n)d lines are short. Make or buy them, then use “Check "
        "availability”.", n), none_short=_("%(number)s confirmed; the stock is reserved."))


@require_POST
@role_required(Role.CLERK)
def order_check_availability(request, order_id: int):
    """Top up the reservations of an open order from the stock that is available now."""
    order = _order_or_404(order_id)
    try:
        order = services.sales_order_reserve_available(order=order, user=request.user)
    except ValidationError as exc:
        _flash(request, exc)
        return redirect(order.get_absolute_url())
    return _shortage_report(request, order, short=lambda n: ngettext(
        "%(number)s: reserved what is in stock; %(n)d line is still short.",
        "%(number)s: reserved what is in stock; %(n)d lines are still short.", n),
        none_short=_("%(number)s: everything still to deliver is reserved."))


@require_POST
@role_required(Role.MANAGER)
def order_cancel(request, order_id: int):
    order = _order_or_404(order_id)
    return _cancel(request, order, partial(services.sales_order_cancel, order=order),
                   _("%(number)s cancelled; its reservations are released."))


@require_POST
@role_required(Role.CLERK)
def order_deliver(request, order_id: int):
    order = _order_or_404(order_id)
    quantities, lots = quantities_parse(request.POST, "deliver")

    def call():
        lines = [{"order_line": line_id, "quantity": qty, "lot": lots.get(line_id, ""),
                  "serials": lots.get(line_id, "")} for line_id, qty in quantities.items()]
        return services.delivery_create(order=order, lines=lines, user=request.user,
                                        delivery_date=_date_or_none(request.POST.get("delivery_date", "")),
                                        note=request.POST.get("note", ""))

    return _action(request, order, call,
                   lambda delivery: _("Delivery %(number)s posted.") % {"number": delivery.number})


@require_POST
@role_required(Role.CLERK)
def order_invoice(request, order_id: int):
    order = _order_or_404(order_id)
    quantities, _lots = quantities_parse(request.POST, "invoice")

    def call():
        return services.invoice_create(
            order=order, user=request.user,
            lines=[{"order_line": line_id, "quantity": qty} for line_id, qty in quantities.items()],
            invoice_date=_date_or_none(request.POST.get("invoice_date", "")),
            tax_invoice_number=request.POST.get("tax_invoice_number", ""))

    return _action(request, order, call, lambda invoice: _("Invoice %(number)s issued.") % {"number": invoice.number})


@role_required(Role.VIEWER)
def order_pdf(request, order_id: int):
    order = _order_or_404(order_id)
    content = pdf.sales_order_pdf(order=order, lines=order.lines.select_related("item", "item__uom"),
                                  issuer=_issuer(request))
    return _pdf_response(content, order.number)


@role_required(Role.VIEWER)
def index(request):
    return redirect("sales:order_list")
