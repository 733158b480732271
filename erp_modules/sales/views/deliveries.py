"""Delivery pages: list, detail, delivery note (PDF). Deliveries are posted from the order page."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.permissions import role_required
from core.tables import Column, Table
from erp_modules.common.selectors import audit_history
from erp_modules.sales import pdf, selectors
from erp_modules.sales.models import Delivery
from erp_modules.sales.views._common import _issuer, _list, _or_404, _pdf_response
from tenants.models import Role


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
    return _or_404(selectors.delivery_get(delivery_id=delivery_id))


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
