"""Sales pages. Thin: parse input, call a service or selector, render.

Roles: a viewer reads; a clerk creates, confirms, delivers and invoices; a manager cancels.
Every id is looked up in the current enterprise's schema: another enterprise's document is a 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.tables import Column, Filter, Table
from erp_modules.common.selectors import audit_history
from erp_modules.common.services import erp_settings_get
from erp_modules.inventory.models import Location
from erp_modules.sales import pdf, selectors, services
from erp_modules.sales.error_codes import SalesErrorCode
from erp_modules.sales.forms import BLANK_ROWS, document_form_parse, quantities_parse, rows_from_lines
from erp_modules.sales.models import AvailabilityCheck, Delivery, Invoice, Quotation, SalesOrder
from tenants.models import Role
from tenants.views import role_required


def _messages_of(exc: ValidationError) -> dict[str, list[str]]:
    """{field: [messages]}; errors of no field (and Django's "__all__") under "form"."""
    if hasattr(exc, "error_dict"):
        return {(field if field and field != NON_FIELD_ERRORS else "form"): [m for e in errors for m in e.messages]
                for field, errors in exc.error_dict.items()}
    return {"form": exc.messages}


def _flash(request, exc: ValidationError) -> None:
    for field_messages in _messages_of(exc).values():
        for message in field_messages:
            messages.error(request, message)


def _can(request, role: str) -> bool:
    return request.membership.has_role(role)


def _issuer(request) -> pdf.Issuer:
    enterprise = request.enterprise
    return pdf.Issuer(name=enterprise.name, uscc=enterprise.uscc, address=enterprise.address,
                      phone=enterprise.contact_phone, email=enterprise.contact_email)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


def _list(request, *, table: Table, title: str, new_url: str | None = None, new_label: str = "",
          links: list[tuple[str, str, str]] = ()):
    """A list page; `links`: (url, label, element id) of buttons next to the title."""
    if table.wants_export:
        return table.export_response()
    return render(request, "sales/list.html", {"table": table, "title": title, "new_url": new_url,
                                               "new_label": new_label, "section": table.export_name,
                                               "links": links})


def _money_col(key: str, label) -> Column:
    return Column(key, label, sort=key, numeric=True)


# ---- quotations ------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def quotation_list(request):
    table = Table(request, selectors.quotation_list(), columns=[
        Column("number", gettext_lazy("Number"), sort="number", link=lambda q: q.get_absolute_url()),
        Column("quote_date", gettext_lazy("Date"), sort="quote_date"),
        Column("customer.name", gettext_lazy("Customer"), sort="customer__name"),
        Column("customer_reference", gettext_lazy("Customer reference")),
        Column("valid_until", gettext_lazy("Valid until"), sort="valid_until"),
        Column("status", gettext_lazy("Status"), sort="status"),
        _money_col("amount_incl_vat", gettext_lazy("Total incl. VAT")),
    ], search_fields=["number", "customer__name", "customer__code", "customer_reference"],
        filters=[Filter("status", gettext_lazy("Status"), choices=Quotation.Status.choices)],
        export_name="quotations", default_sort="-number")
    return _list(request, table=table, title=_("Quotations"), new_label=_("New quotation"),
                 new_url="/sales/quotations/new/" if _can(request, Role.CLERK) else None)


def _form_context(request, *, kind: str, form=None, rows=None, data=None, document=None):
    with_location = kind == "order"
    rows = list(rows or [])
    blank = BLANK_ROWS + (5 if "add_rows" in request.POST else 0) + (0 if rows else 2)
    rows += [{} for _ in range(blank)]
    context = {
        "kind": kind, "document": document, "rows": rows, "data": data or {}, "errors": form.errors if form else {},
        "customers": selectors.sales_customer_choices(), "items": selectors.sales_item_choices(),
        "vat_rate": erp_settings_get().vat_rate,
        "locations": (Location.objects.filter(active=True).select_related("warehouse") if with_location else []),
    }
    return context


def _document_form(request, *, kind: str, document=None):
    """The create / edit page of a quotation or an order (kind "quotation" / "order")."""
    with_location = kind == "order"
    date_fields = ({"quote_date": _("Quotation date"), "valid_until": _("Valid until")} if kind == "quotation" else
                   {"order_date": _("Order date"), "delivery_date": _("Requested delivery date")})
    if request.method == "POST":
        form = document_form_parse(request.POST, date_fields=date_fields, with_location=with_location)
        if "add_rows" not in request.POST and form.is_valid:
            common = {"customer": form.customer, "lines": form.lines, "user": request.user,
                      "customer_reference": form.data.get("customer_reference", ""), "note": form.data.get("note", "")}
            try:
                if kind == "quotation":
                    dates = {"quote_date": form.dates["quote_date"], "valid_until": form.dates["valid_until"]}
                    document = (services.quotation_update(quotation=document, **common, **dates) if document else
                                services.quotation_create(**common, **dates))
                else:
                    dates = {"order_date": form.dates["order_date"], "delivery_date": form.dates["delivery_date"]}
                    document = (services.sales_order_update(order=document, **common, **dates) if document else
                                services.sales_order_create(**common, **dates))
            except ValidationError as exc:
                for name, field_messages in _messages_of(exc).items():
                    for message in field_messages:
                        form.add_error(name, message)
            else:
                messages.success(request, _("%(number)s saved.") % {"number": document.number})
                return redirect(document.get_absolute_url())
        if "add_rows" in request.POST:
            form.errors.clear()
        context = _form_context(request, kind=kind, form=form, rows=form.rows, data=form.data, document=document)
        return render(request, "sales/document_form.html", context, status=200 if form.is_valid else 400)
    if document is not None:
        data = {"customer": str(document.customer_id), "customer_reference": document.customer_reference,
                "note": document.note}
        for name in date_fields:
            value = getattr(document, name)
            data[name] = value.isoformat() if value else ""
        rows = rows_from_lines(document.lines.select_related("item"), with_location=with_location)
    else:
        data = {"customer": request.GET.get("customer", "")}
        rows = []
    return render(request, "sales/document_form.html",
                  _form_context(request, kind=kind, rows=rows, data=data, document=document))


@role_required(Role.CLERK)
def quotation_new(request):
    return _document_form(request, kind="quotation")


@role_required(Role.CLERK)
def quotation_edit(request, quotation_id: int):
    quotation = _quotation_or_404(quotation_id)
    if not quotation.is_editable:
        messages.error(request, _("%(number)s can no longer be changed.") % {"number": quotation.number})
        return redirect(quotation.get_absolute_url())
    return _document_form(request, kind="quotation", document=quotation)


def _quotation_or_404(quotation_id: int) -> Quotation:
    quotation = selectors.quotation_get(quotation_id=quotation_id)
    if quotation is None:
        raise Http404
    return quotation


@role_required(Role.VIEWER)
def quotation_detail(request, quotation_id: int):
    quotation = _quotation_or_404(quotation_id)
    return render(request, "sales/quotation_detail.html", {
        "quotation": quotation, "lines": selectors.quotation_lines(quotation=quotation),
        "orders": quotation.orders.all(), "history": audit_history(obj=quotation),
        "can_edit": _can(request, Role.CLERK), "can_cancel": _can(request, Role.MANAGER),
    })


def _action(request, obj, call, success: str):
    try:
        result = call()
    except ValidationError as exc:
        _flash(request, exc)
        return redirect(obj.get_absolute_url())
    messages.success(request, success)
    return redirect((result or obj).get_absolute_url())


@require_POST
@role_required(Role.CLERK)
def quotation_send(request, quotation_id: int):
    quotation = _quotation_or_404(quotation_id)
    return _action(request, quotation, lambda: services.quotation_mark_sent(quotation=quotation, user=request.user),
                   _("%(number)s marked as sent.") % {"number": quotation.number})


@require_POST
@role_required(Role.CLERK)
def quotation_convert(request, quotation_id: int):
    quotation = _quotation_or_404(quotation_id)
    return _action(request, quotation, lambda: services.quotation_convert(quotation=quotation, user=request.user),
                   _("Sales order created from %(number)s; check it and confirm it.") % {"number": quotation.number})


@require_POST
@role_required(Role.MANAGER)
def quotation_cancel(request, quotation_id: int):
    quotation = _quotation_or_404(quotation_id)
    return _action(request, quotation, lambda: services.quotation_cancel(
        quotation=quotation, user=request.user, reason=request.POST.get("reason", "")),
        _("%(number)s cancelled.") % {"number": quotation.number})


@role_required(Role.VIEWER)
def quotation_pdf(request, quotation_id: int):
    quotation = _quotation_or_404(quotation_id)
    content = pdf.quotation_pdf(quotation=quotation, lines=selectors.quotation_lines(quotation=quotation),
                                issuer=_issuer(request))
    return _pdf_response(content, quotation.number)


# ---- orders ----------------------------------------------------------------------------------


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
    return _document_form(request, kind="order")


def _order_or_404(order_id: int) -> SalesOrder:
    order = selectors.sales_order_get(order_id=order_id)
    if order is None:
        raise Http404
    return order


@role_required(Role.CLERK)
def order_edit(request, order_id: int):
    order = _order_or_404(order_id)
    if order.status != SalesOrder.Status.DRAFT:
        messages.error(request, _("%(number)s is confirmed; only draft orders can be changed.")
                       % {"number": order.number})
        return redirect(order.get_absolute_url())
    return _document_form(request, kind="order", document=order)


@role_required(Role.VIEWER)
def order_detail(request, order_id: int):
    order = _order_or_404(order_id)
    lines = selectors.sales_order_lines(order=order)
    can_clerk = _can(request, Role.CLERK)
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
    })


@require_POST
@role_required(Role.CLERK)
def order_confirm(request, order_id: int):
    """Confirm and reserve; with allow_shortage=1 ("Confirm anyway (make to order)") the order is
    confirmed with what is in stock now. A confirmation that fails for stock comes back to the
    order page with that second button offered (?shortage=1)."""
    order = _order_or_404(order_id)
    allow_shortage = request.POST.get("allow_shortage") == "1"
    try:
        order = services.sales_order_confirm(order=order, user=request.user, allow_shortage=allow_shortage)
    except ValidationError as exc:
        _flash(request, exc)
        short = not allow_shortage and getattr(exc, "code", None) == str(SalesErrorCode.INSUFFICIENT_STOCK)
        return redirect(order.get_absolute_url() + ("?shortage=1" if short else ""))
    short_lines = len(selectors.sales_order_shortage(order=order))
    if short_lines:
        messages.warning(request, ngettext(
            "%(number)s confirmed to order: %(n)d line is short. Make or buy it, then use “Check availability”.",
            "%(number)s confirmed to order: %(n)d lines are short. Make or buy them, then use “Check "
            "availability”.", short_lines) % {"number": order.number, "n": short_lines})
    else:
        messages.success(request, _("%(number)s confirmed; the stock is reserved.") % {"number": order.number})
    return redirect(order.get_absolute_url())


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
    short_lines = len(selectors.sales_order_shortage(order=order))
    if short_lines:
        messages.warning(request, ngettext(
            "%(number)s: reserved what is in stock; %(n)d line is still short.",
            "%(number)s: reserved what is in stock; %(n)d lines are still short.", short_lines)
            % {"number": order.number, "n": short_lines})
    else:
        messages.success(request, _("%(number)s: everything still to deliver is reserved.") % {"number": order.number})
    return redirect(order.get_absolute_url())


@require_POST
@role_required(Role.MANAGER)
def order_cancel(request, order_id: int):
    order = _order_or_404(order_id)
    return _action(request, order, lambda: services.sales_order_cancel(
        order=order, user=request.user, reason=request.POST.get("reason", "")),
        _("%(number)s cancelled; its reservations are released.") % {"number": order.number})


def _date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}, code="invalid_date")


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

    try:
        delivery = call()
    except ValidationError as exc:
        _flash(request, exc)
        return redirect(order.get_absolute_url())
    messages.success(request, _("Delivery %(number)s posted.") % {"number": delivery.number})
    return redirect(delivery.get_absolute_url())


@require_POST
@role_required(Role.CLERK)
def order_invoice(request, order_id: int):
    order = _order_or_404(order_id)
    quantities, _lots = quantities_parse(request.POST, "invoice")
    try:
        invoice = services.invoice_create(
            order=order, user=request.user,
            lines=[{"order_line": line_id, "quantity": qty} for line_id, qty in quantities.items()],
            invoice_date=_date_or_none(request.POST.get("invoice_date", "")),
            tax_invoice_number=request.POST.get("tax_invoice_number", ""))
    except ValidationError as exc:
        _flash(request, exc)
        return redirect(order.get_absolute_url())
    messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
    return redirect(invoice.get_absolute_url())


@role_required(Role.VIEWER)
def order_pdf(request, order_id: int):
    order = _order_or_404(order_id)
    content = pdf.sales_order_pdf(order=order, lines=order.lines.select_related("item", "item__uom"),
                                  issuer=_issuer(request))
    return _pdf_response(content, order.number)


# ---- the shortage list and "check availability" for all --------------------------------------


class _Choice(Filter):
    """A filter of the shortage list as the table shows it; the selector does the filtering."""

    def apply(self, qs, value):
        return qs


def _chosen(objects, value: str):
    """The object of a choice list whose id is `value` (None for "all" or an unknown id)."""
    return next((o for o in objects if str(o.pk) == (value or "").strip()), None)


def _date_param(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
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
    check = selectors.availability_check_get(check_id=check_id)
    if check is None:
        raise Http404
    return check


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


# ---- deliveries ------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def delivery_list(request):
    table = Table(request, selectors.delivery_list(), columns=[
        Column("number", gettext_lazy("Number"), sort="number", link=lambda d: d.get_absolute_url()),
        Column("delivery_date", gettext_lazy("Date"), sort="delivery_date"),
        Column("order.number", gettext_lazy("Sales order"), sort="order__number",
               link=lambda d: d.order.get_absolute_url()),
        Column("customer.name", gettext_lazy("Customer"), sort="customer__name"),
        Column("status", gettext_lazy("Status")),
    ], search_fields=["number", "order__number", "customer__name", "customer__code"],
        export_name="deliveries", default_sort="-number")
    return _list(request, table=table, title=_("Deliveries"))


def _delivery_or_404(delivery_id: int) -> Delivery:
    delivery = selectors.delivery_get(delivery_id=delivery_id)
    if delivery is None:
        raise Http404
    return delivery


@role_required(Role.VIEWER)
def delivery_detail(request, delivery_id: int):
    delivery = _delivery_or_404(delivery_id)
    return render(request, "sales/delivery_detail.html", {
        "delivery": delivery, "lines": selectors.delivery_lines(delivery=delivery),
        "moves": selectors.delivery_stock_moves(delivery=delivery), "history": audit_history(obj=delivery)})


@role_required(Role.VIEWER)
def delivery_pdf(request, delivery_id: int):
    delivery = _delivery_or_404(delivery_id)
    content = pdf.delivery_note_pdf(delivery=delivery, lines=selectors.delivery_lines(delivery=delivery),
                                    issuer=_issuer(request))
    return _pdf_response(content, delivery.number)


# ---- invoices --------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def invoice_list(request):
    table = Table(request, selectors.invoice_list(), columns=[
        Column("number", gettext_lazy("Number"), sort="number", link=lambda i: i.get_absolute_url()),
        Column("invoice_date", gettext_lazy("Date"), sort="invoice_date"),
        Column("customer.name", gettext_lazy("Customer"), sort="customer__name"),
        Column("order.number", gettext_lazy("Sales order"), sort="order__number",
               link=lambda i: i.order.get_absolute_url()),
        Column("due_date", gettext_lazy("Due date"), sort="due_date"),
        Column("status", gettext_lazy("Status"), sort="status"),
        _money_col("amount_excl_vat", gettext_lazy("Amount excl. VAT")),
        _money_col("vat_amount", gettext_lazy("VAT")),
        _money_col("amount_incl_vat", gettext_lazy("Total incl. VAT")),
    ], search_fields=["number", "customer__name", "customer__code", "order__number", "tax_invoice_number"],
        filters=[Filter("status", gettext_lazy("Status"), choices=Invoice.Status.choices)],
        export_name="sales-invoices", default_sort="-number")
    return _list(request, table=table, title=_("Sales invoices"))


def _invoice_or_404(invoice_id: int) -> Invoice:
    invoice = selectors.invoice_get(invoice_id=invoice_id)
    if invoice is None:
        raise Http404
    return invoice


@role_required(Role.VIEWER)
def invoice_detail(request, invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    return render(request, "sales/invoice_detail.html", {
        "invoice": invoice, "lines": selectors.invoice_lines(invoice=invoice), "history": audit_history(obj=invoice),
        "can_pay": _can(request, Role.CLERK) and invoice.status == Invoice.Status.ISSUED,
        "can_cancel": _can(request, Role.MANAGER) and invoice.status == Invoice.Status.ISSUED})


@require_POST
@role_required(Role.CLERK)
def invoice_paid(request, invoice_id: int):
    invoice = _invoice_or_404(invoice_id)

    def call():
        return services.invoice_mark_paid(invoice=invoice, user=request.user,
                                          paid_on=_date_or_none(request.POST.get("paid_on", "")))

    return _action(request, invoice, call, _("%(number)s marked as paid.") % {"number": invoice.number})


@require_POST
@role_required(Role.MANAGER)
def invoice_cancel(request, invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    return _action(request, invoice, lambda: services.invoice_cancel(
        invoice=invoice, user=request.user, reason=request.POST.get("reason", "")),
        _("%(number)s cancelled.") % {"number": invoice.number})


@role_required(Role.VIEWER)
def invoice_pdf(request, invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    content = pdf.invoice_pdf(invoice=invoice, lines=selectors.invoice_lines(invoice=invoice),
                              issuer=_issuer(request))
    return _pdf_response(content, invoice.number)


@role_required(Role.VIEWER)
def index(request):
    return redirect("sales:order_list")
