"""Purchasing pages. Thin: parse input, call a service or selector, render.

Roles: viewers read; clerks create and edit drafts, receive goods and record supplier invoices;
managers (and above) approve, close and cancel."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.parsing import parse_date, parse_int
from core.permissions import role_required
from core.tables import Column, Filter, Table, _resolve
from erp_modules.catalog.models import Item
from erp_modules.catalog.revision_source import item_revisions, revisions_available
from erp_modules.common.selectors import audit_history
from erp_modules.partners.credit import partner_credit_one
from erp_modules.purchasing import selectors, services
from erp_modules.purchasing.forms import (LineForm, OrderForm, apply_service_errors, line_forms_from_order,
                                          line_forms_from_post, location_queryset)
from erp_modules.purchasing.models import PurchaseOrder, ReceiptLine
from erp_modules.purchasing.subcontract import subcontract_components
from erp_modules.purchasing.templatetags.purchasing_tags import format_money
from tenants.models import Role

MATCH_LABELS = {"ok": gettext_lazy("ok"), "short": gettext_lazy("short"), "over": gettext_lazy("over")}
NEW_ROWS = 3


class MoneyColumn(Column):
    """Shown as ¥1,234.50; exported to Excel as a number."""

    def __init__(self, key, label, sort=None, currency_key: str | None = "currency", **kwargs):
        super().__init__(key, label, sort=sort, numeric=True, **kwargs)
        self.currency_key = currency_key

    def display(self, obj) -> str:
        currency = "CNY"
        if self.currency_key:
            currency = _resolve(obj, self.currency_key) or "CNY"
        return format_money(self.value(obj), currency)


def _order_or_404(order_id: int) -> PurchaseOrder:
    order = selectors.purchase_order_get(order_id=order_id)
    if order is None:
        raise Http404
    return order


def _detail_url(order: PurchaseOrder) -> str:
    return reverse("purchasing:order_detail", args=[order.pk])


def _status_choices():
    return list(PurchaseOrder.Status.choices)


# ---- orders ------------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def order_list(request):
    table = Table(
        request, selectors.purchase_order_list(),
        columns=[
            Column("number", _("Number"), sort="number", link=_detail_url),
            Column("supplier", _("Supplier"), sort="supplier__code"),
            Column("order_date", _("Order date"), sort="order_date"),
            Column("expected_date", _("Expected date"), sort="expected_date"),
            Column("status", _("Status"), sort="status"),
            MoneyColumn("amount_net", _("Amount excl. VAT"), sort="amount_net"),
            MoneyColumn("amount_total", _("Total incl. VAT"), sort="amount_total"),
            Column("currency", _("Currency")),
        ],
        search_fields=["number", "supplier__name", "supplier__code"],
        filters=[Filter("status", _("Status"), choices=_status_choices()),
                 Filter("supplier", _("Supplier"), choices=selectors.purchase_supplier_choices(),
                        lookup="supplier_id")],
        export_name="purchase-orders")
    if table.wants_export:
        return table.export_response()
    return render(request, "purchasing/order_list.html", {
        "table": table, "can_create": request.membership.has_role(Role.CLERK)})


def _item_choices():
    return (Item.objects.filter(active=True).exclude(item_type=Item.Type.KIT).values_list("code", "name")
            .order_by("code")[:3000])


def _order_form_page(request, *, order: PurchaseOrder | None):
    """The new-order and edit-draft page (same form)."""
    current = order.supplier if order is not None else None
    if request.method == "POST":
        form = OrderForm(request.POST, current_supplier=current)
        lines = line_forms_from_post(request.POST)
        next_index = max([f.index for f in lines], default=-1) + 1
        filled = [f for f in lines if not f.is_blank()]
        if "add_line" in request.POST:  # the "add line" button without JavaScript
            return _render_order_form(request, order, form, filled + [LineForm(index=next_index)])
        valid = form.is_valid()
        valid = all([f.is_valid() for f in filled]) and valid
        if not valid and not filled:  # the service, which says so too, is not reached
            form.add_error(None, _("Add at least one line."))
        if valid:
            data = dict(form.cleaned_data)
            data["currency"] = (data.get("currency") or "").upper()
            try:
                if order is None:
                    order = services.purchase_order_create(lines=[f.to_service() for f in filled], user=request.user,
                                                           **data)
                    messages.success(request, _("Purchase order %(number)s created as a draft.")
                                     % {"number": order.number})
                else:
                    order = services.purchase_order_update(order=order, lines=[f.to_service() for f in filled],
                                                           user=request.user, **data)
                    messages.success(request, _("Purchase order %(number)s saved.") % {"number": order.number})
            except ValidationError as exc:
                for message in apply_service_errors(exc, form=form, lines=filled):
                    form.add_error(None, message)
            else:
                return redirect(_detail_url(order))
        return _render_order_form(request, order, form, filled or [LineForm(index=next_index)])
    if order is None:
        form = OrderForm(initial=OrderForm.initial_for_new())
        lines = [LineForm(index=i) for i in range(NEW_ROWS)]
    else:
        form = OrderForm(current_supplier=current, initial={
            "supplier": order.supplier, "order_date": order.order_date, "expected_date": order.expected_date,
            "location": order.location, "currency": order.currency, "note": order.note})
        lines = line_forms_from_order(order) + [LineForm(index=order.lines.count())]
    return _render_order_form(request, order, form, lines)


def _render_order_form(request, order, form, lines):
    return render(request, "purchasing/order_form.html", {
        "form": form, "lines": lines, "order": order, "items": _item_choices(), "with_revisions": revisions_available(),
        "next_index": max([f.index for f in lines], default=-1) + 1,
    })


@role_required(Role.CLERK)
def order_create(request):
    return _order_form_page(request, order=None)


@role_required(Role.CLERK)
def order_edit(request, order_id: int):
    order = _order_or_404(order_id)
    if not order.is_draft:
        messages.error(request, _("Only draft orders can be changed."))
        return redirect(_detail_url(order))
    return _order_form_page(request, order=order)


@role_required(Role.CLERK)
def order_line_row(request):
    """htmx: one more empty line row (and the "add line" button, which now knows the next index)."""
    try:
        index = parse_int(request.GET.get("index"), field="index", min_value=0, max_value=99999) or 0
    except ValidationError:
        index = 0
    return render(request, "purchasing/_line_row_add.html", {"line": LineForm(index=index), "next_index": index + 1,
                                                              "with_revisions": revisions_available()})


@role_required(Role.CLERK)
def item_revision_options(request):
    """htmx: the <option>s of a line's revision list for the item code typed in that row (`line-<n>-item=<code>`);
    an item this enterprise does not have is "not found", one that is not a part has no options."""
    code = next((v for k, v in request.GET.items() if k == "item" or (k.startswith("line-") and k.endswith("-item"))),
                "").strip()
    item = Item.objects.filter(code__iexact=code).first() if code else None
    if item is None:
        raise Http404
    return render(request, "purchasing/_revision_options.html", {"revisions": item_revisions(item)})


@role_required(Role.VIEWER)
def order_detail(request, order_id: int):
    order = _order_or_404(order_id)
    if order.status in (PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.CANCELLED):
        lines = selectors.purchase_order_lines(order=order)
    else:
        lines = selectors.three_way_match(order=order).order_by("line_no")
    receipts = selectors.receipt_list(order=order).select_related("user").prefetch_related(
        Prefetch("lines", queryset=ReceiptLine.objects.select_related("item", "item__uom", "lot", "order_line")))
    lines = list(lines)
    membership = request.membership
    return render(request, "purchasing/order_detail.html", {
        "order": order, "lines": lines, "receipts": receipts, "match_labels": MATCH_LABELS,
        "has_uninvoiced": any(line.received_quantity > line.invoiced_quantity for line in lines),
        "invoices": selectors.supplier_invoice_list(order=order), "history": audit_history(obj=order),
        "can_edit": membership.has_role(Role.CLERK), "can_manage": membership.has_role(Role.MANAGER),
        "credit": partner_credit_one(order.supplier),
        **_subcontract_context(order),
    })


def _subcontract_context(order: PurchaseOrder) -> dict:
    """A subcontracting order's components (planned / sent / consumed / held at the subcontractor)."""
    if order.kind != PurchaseOrder.Kind.SUBCONTRACT:
        return {}
    components = subcontract_components(order=order)
    return {"subcontract": components,
            "subcontract_can_issue": order.status in PurchaseOrder.OPEN_STATUSES
            and any(c.to_issue > 0 for c in components)}


def _status_action(request, order_id: int, action, done_message: str, **extra):
    order = _order_or_404(order_id)
    try:
        action(order=order, user=request.user, **extra)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message % {"number": order.number})
    return redirect(_detail_url(order))


@require_POST
@role_required(Role.MANAGER)
def order_approve(request, order_id: int):
    # a manager (the role of this page) may override the credit warning of a revoked or abnormal supplier
    return _status_action(request, order_id, services.purchase_order_approve, _("%(number)s approved."),
                          credit_override_reason=request.POST.get("credit_override_reason", ""),
                          may_override_credit=True)


@require_POST
@role_required(Role.MANAGER)
def order_close(request, order_id: int):
    return _status_action(request, order_id, services.purchase_order_close, _("%(number)s closed."),
                          note=request.POST.get("note", ""))


@require_POST
@role_required(Role.MANAGER)
def order_cancel(request, order_id: int):
    return _status_action(request, order_id, services.purchase_order_cancel, _("%(number)s cancelled."),
                          note=request.POST.get("note", ""))


# ---- receiving and invoicing -------------------------------------------------------------------


def _line_errors(exc: ValidationError) -> tuple[dict[int, list[str]], dict[str, list[str]], list[str]]:
    """(errors by line number, errors by header field, other errors) of a service error."""
    by_line: dict[int, list[str]] = {}
    by_field: dict[str, list[str]] = {}
    other: list[str] = []
    if not hasattr(exc, "error_dict"):
        return by_line, by_field, list(exc.messages)
    for key, errors in exc.error_dict.items():
        texts = [m for e in errors for m in e.messages]
        if key.startswith("line_") and key[5:].isdigit():
            by_line.setdefault(int(key[5:]), []).extend(texts)
        elif key == NON_FIELD_ERRORS:
            other.extend(texts)
        else:
            by_field.setdefault(key, []).extend(texts)
    return by_line, by_field, other


@role_required(Role.CLERK)
def order_receive(request, order_id: int):
    order = _order_or_404(order_id)
    if order.kind == PurchaseOrder.Kind.SUBCONTRACT:  # received with its components consumed: from its page
        return redirect(_detail_url(order) + "#subcontract")
    if not order.can_receive:
        messages.error(request, _("%(number)s cannot be received in its current status.") % {"number": order.number})
        return redirect(_detail_url(order))
    lines = list(selectors.purchase_order_lines(order=order).select_related("item__uom"))
    locations = list(location_queryset())
    by_line, by_field, other = {}, {}, []
    values = {line.pk: {"quantity": _plain_qty(line.open_quantity), "lot": ""} for line in lines}
    location_id = order.location_id
    note = ""
    if request.method == "POST":
        values = {line.pk: {"quantity": request.POST.get(f"qty-{line.pk}", "").strip(),
                            "lot": request.POST.get(f"lot-{line.pk}", "").strip()} for line in lines}
        note = request.POST.get("note", "")
        location = next((loc for loc in locations if str(loc.pk) == request.POST.get("location")), None)
        location_id = location.pk if location else order.location_id
        try:
            receipt = services.purchase_order_receive(
                order=order, user=request.user, location=location, note=note,
                lines=[{"line": line, **values[line.pk]} for line in lines])
        except ValidationError as exc:
            by_line, by_field, other = _line_errors(exc)
        else:
            messages.success(request, _("Receipt %(receipt)s posted.") % {"receipt": receipt.number})
            return redirect(_detail_url(order))
    rows = [{"line": line, "value": values[line.pk], "errors": by_line.get(line.line_no, [])} for line in lines]
    return render(request, "purchasing/order_receive.html", {
        "order": order, "rows": rows, "locations": locations, "location_id": location_id, "note": note,
        "field_errors": by_field, "errors": other, "has_errors": bool(by_line or by_field or other),
    })


def _plain_qty(value) -> str:
    return services.fmt_qty(value) if value else ""


@role_required(Role.CLERK)
def order_invoice(request, order_id: int):
    order = _order_or_404(order_id)
    if not order.can_invoice:
        messages.error(request, _("%(number)s cannot be invoiced in its current status.") % {"number": order.number})
        return redirect(_detail_url(order))
    lines = list(selectors.purchase_order_lines(order=order).select_related("item__uom"))
    by_line, by_field, other = {}, {}, []
    values = {line.pk: {"quantity": _plain_qty(max(line.received_quantity - line.invoiced_quantity, 0)),
                        "unit_price": _plain_qty(line.unit_price), "vat_rate": _plain_qty(line.vat_rate)}
              for line in lines}
    header = {"invoice_number": "", "invoice_date": timezone.localdate().isoformat(), "note": ""}
    if request.method == "POST":
        values = {line.pk: {"quantity": request.POST.get(f"qty-{line.pk}", "").strip(),
                            "unit_price": request.POST.get(f"price-{line.pk}", "").strip(),
                            "vat_rate": request.POST.get(f"vat-{line.pk}", "").strip()} for line in lines}
        header = {key: request.POST.get(key, "").strip() for key in header}
        try:
            invoice_date = parse_date(header["invoice_date"], field="invoice_date")
        except ValidationError:
            invoice_date = None
            by_field["invoice_date"] = [_("Enter a valid date.")]
        else:
            try:
                invoice = services.supplier_invoice_create(
                    order=order, user=request.user, invoice_number=header["invoice_number"],
                    invoice_date=invoice_date, note=header["note"],
                    lines=[{"line": line, **values[line.pk]} for line in lines])
            except ValidationError as exc:
                by_line, by_field, other = _line_errors(exc)
            else:
                messages.success(request, _("Supplier invoice %(no)s recorded as %(number)s.")
                                 % {"no": invoice.invoice_number, "number": invoice.number})
                return redirect(_detail_url(order))
    rows = [{"line": line, "value": values[line.pk], "errors": by_line.get(line.line_no, [])} for line in lines]
    return render(request, "purchasing/order_invoice.html", {
        "order": order, "rows": rows, "header": header, "field_errors": by_field, "errors": other,
        "has_errors": bool(by_line or by_field or other),
    })


# ---- lists -------------------------------------------------------------------------------------


def _order_link(obj) -> str:
    order_id = getattr(obj, "order_id", None)
    return reverse("purchasing:order_detail", args=[order_id])


@role_required(Role.VIEWER)
def receipt_list(request):
    table = Table(
        request, selectors.receipt_list().select_related("user"),
        columns=[
            Column("number", _("Receipt"), sort="number", link=lambda r: f"{_order_link(r)}#receipt-{r.pk}"),
            Column("order.number", _("Purchase order"), sort="order__number", link=_order_link),
            Column("order.supplier", _("Supplier"), sort="order__supplier__code"),
            Column("posted_at", _("Posted at"), sort="posted_at"),
            Column("location", _("Received into")),
            MoneyColumn("value", _("Value excl. VAT"), sort="value", currency_key="order.currency"),
            Column("user.email", _("Received by")),
            Column("note", _("Note")),
        ],
        search_fields=["number", "order__number", "order__supplier__name"],
        filters=[Filter("supplier", _("Supplier"), choices=selectors.purchase_supplier_choices(),
                        lookup="order__supplier_id")],
        export_name="goods-receipts")
    if table.wants_export:
        return table.export_response()
    return render(request, "purchasing/receipt_list.html", {"table": table})


@role_required(Role.VIEWER)
def match_list(request):
    table = Table(
        request, selectors.three_way_match(),
        columns=[
            Column("order.number", _("Purchase order"), sort="order__number", link=_order_link),
            Column("order.supplier", _("Supplier"), sort="order__supplier__code"),
            Column("line_no", _("Line"), numeric=True),
            Column("item", _("Item"), sort="item__code"),
            Column("quantity", _("Ordered"), numeric=True),
            Column("received_quantity", _("Received"), numeric=True),
            Column("invoiced_quantity", _("Invoiced"), numeric=True),
            Column("qty_difference", _("Invoiced − received"), sort="qty_difference", numeric=True),
            MoneyColumn("received_amount", _("Received amount"), currency_key="order.currency"),
            MoneyColumn("invoiced_amount", _("Invoiced amount"), currency_key="order.currency"),
            MoneyColumn("amount_difference", _("Amount difference"), sort="amount_difference",
                        currency_key="order.currency"),
            Column("match_status", _("Match"), sort="match_status", fmt=lambda v: MATCH_LABELS.get(v, v)),
        ],
        search_fields=["order__number", "item__code", "item__name", "order__supplier__name"],
        filters=[Filter("match", _("Match"), choices=list(MATCH_LABELS.items()), lookup="match_status"),
                 Filter("supplier", _("Supplier"), choices=selectors.purchase_supplier_choices(),
                        lookup="order__supplier_id"),
                 Filter("order_status", _("Order status"), lookup="order__status",
                        choices=[c for c in _status_choices() if c[0] not in ("draft", "cancelled")])],
        export_name="three-way-match")
    if table.wants_export:
        return table.export_response()
    return render(request, "purchasing/match_list.html", {"table": table})
