"""Sales invoice pages: list, detail, mark paid, cancel, PDF. Invoices are issued from the order page."""

from __future__ import annotations

from functools import partial

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.permissions import role_required
from core.tables import Column, Filter, Table
from erp_modules.common.selectors import audit_history
from erp_modules.sales import pdf, selectors, services
from erp_modules.sales.models import Invoice
from erp_modules.sales.views._common import (_action, _can, _cancel, _date_or_none, _issuer, _list, _money_col,
                                             _or_404, _pdf_response)
from tenants.models import Role


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
    return _or_404(selectors.invoice_get(invoice_id=invoice_id))


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
    return _cancel(request, invoice, partial(services.invoice_cancel, invoice=invoice), _("%(number)s cancelled."))


@role_required(Role.VIEWER)
def invoice_pdf(request, invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    content = pdf.invoice_pdf(invoice=invoice, lines=selectors.invoice_lines(invoice=invoice),
                              issuer=_issuer(request))
    return _pdf_response(content, invoice.number)
