"""Quotation pages: list, create, edit, detail, send, turn into an order, cancel, PDF."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.permissions import role_required
from core.tables import Column, Filter, Table
from erp_modules.common.selectors import audit_history
from erp_modules.sales import pdf, selectors, services
from erp_modules.sales.models import Quotation
from erp_modules.sales.views._common import (_action, _can, _cancel, _issuer, _list, _money_col, _or_404,
                                             _pdf_response)
from erp_modules.sales.views.documents import document_form
from tenants.models import Role


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


@role_required(Role.CLERK)
def quotation_new(request):
    return document_form(request, kind="quotation")


@role_required(Role.CLERK)
def quotation_edit(request, quotation_id: int):
    quotation = _quotation_or_404(quotation_id)
    if not quotation.is_editable:
        messages.error(request, _("%(number)s can no longer be changed.") % {"number": quotation.number})
        return redirect(quotation.get_absolute_url())
    return document_form(request, kind="quotation", document=quotation)


def _quotation_or_404(quotation_id: int) -> Quotation:
    return _or_404(selectors.quotation_get(quotation_id=quotation_id))


@role_required(Role.VIEWER)
def quotation_detail(request, quotation_id: int):
    quotation = _quotation_or_404(quotation_id)
    return render(request, "sales/quotation_detail.html", {
        "quotation": quotation, "lines": selectors.quotation_lines(quotation=quotation),
        "orders": quotation.orders.all(), "history": audit_history(obj=quotation),
        "can_edit": _can(request, Role.CLERK), "can_cancel": _can(request, Role.MANAGER),
    })


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
    return _cancel(request, quotation, partial(services.quotation_cancel, quotation=quotation),
                   _("%(number)s cancelled."))


@role_required(Role.VIEWER)
def quotation_pdf(request, quotation_id: int):
    quotation = _quotation_or_404(quotation_id)
    content = pdf.quotation_pdf(quotation=quotation, lines=selectors.quotation_lines(quotation=quotation),
                                issuer=_issuer(request))
    return _pdf_response(content, quotation.number)
