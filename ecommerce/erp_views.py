"""The boards on the enterprise host (mounted at /erp/rfq/ by config/urls_tenants.py, so the ERP's plan
applies): "Post an RFQ" (发布询价) from an MRP purchase proposal, a shortage-list line or an item, and the
fragment the planned-order and item pages load (htmx) with this enterprise's RFQs for the item and their
quotations. The ERP pages only link to these URL names; erp_modules never imports ecommerce.

Every id is one of the host enterprise's: ERP rows are read in its schema, listings filtered by it; another
enterprise's id is not found (404), as a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.forms import form_errors_from
from core.permissions import role_required
from ecommerce.erp_forms import RfqFromErpForm
from ecommerce.models import Listing
from ecommerce.selectors.erp_rfq import RfqPrefill, erp_rfqs_for_item, rfq_category_guess, rfq_prefill
from ecommerce.selectors.rfq import quotations_on_one_basis
from ecommerce.services.erp_rfq import rfq_from_erp_create
from erp_modules.catalog.models import Item
from erp_modules.mrp.selectors import planned_order_get
from tenants.models import Role
from tenants.selectors import site_base_url

Source = Listing.ErpSource


def _back_url(prefill: RfqPrefill) -> str:
    """Where the RFQ was posted from (and where its quotations show)."""
    if prefill.source == Source.PLANNED_ORDER:
        return reverse("mrp:order_detail", args=[prefill.source_id])
    if prefill.source == Source.SHORTAGE:
        return reverse("sales:shortage_list")
    return f"/catalog/items/{prefill.item_id}/"


def _rfq_new(request, source: str, source_id: int):
    enterprise = request.enterprise
    prefill = rfq_prefill(enterprise=enterprise, source=source, source_id=source_id)
    if prefill is None:
        raise Http404
    initial = RfqFromErpForm.initial_from(
        prefill, category=rfq_category_guess(enterprise=enterprise, text=prefill.category_text),
        delivery_place=enterprise.address or enterprise.town)
    form = RfqFromErpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            listing = rfq_from_erp_create(enterprise=enterprise, user=request.user, erp_source=source,
                                          erp_source_id=prefill.source_id, need_item_id=prefill.item_id, **data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("RFQ “%(title)s” is published on the boards; suppliers can now quote. "
                                        "Their quotations show here.") % {"title": listing.title})
            return redirect(_back_url(prefill))
    return render(request, "ecommerce/erp/rfq_form.html", {
        "form": form, "prefill": prefill, "back_url": _back_url(prefill),
        "source_label": Source(source).label})


@role_required(Role.CLERK)
def rfq_from_planned_order(request, order_id: int):
    return _rfq_new(request, Source.PLANNED_ORDER, order_id)


@role_required(Role.CLERK)
def rfq_from_shortage(request, line_id: int):
    return _rfq_new(request, Source.SHORTAGE, line_id)


@role_required(Role.CLERK)
def rfq_from_item(request, item_id: int):
    return _rfq_new(request, Source.ITEM, item_id)


def _quotations_fragment(request, *, item_id: int, order_id: int | None = None):
    rfqs = erp_rfqs_for_item(enterprise=request.enterprise, item_id=item_id)
    for rfq in rfqs:  # ranked as on the RFQ's page: incl. VAT, delivered; the best marked
        rfq.ranked = quotations_on_one_basis(
            [q for q in rfq.quotations.all() if q.status != "withdrawn"], unit=rfq.unit)
    return render(request, "ecommerce/erp/_rfq_quotations.html", {
        "rfqs": rfqs, "order_id": order_id, "site_url": site_base_url(request=request)})


@role_required(Role.VIEWER)
def planned_order_quotations(request, order_id: int):
    """The RFQs for a planned purchase's item (this proposal's marked) and their quotations."""
    order = planned_order_get(order_id=order_id)
    if order is None:
        raise Http404
    return _quotations_fragment(request, item_id=order.item_id, order_id=order.pk)


@role_required(Role.VIEWER)
def item_quotations(request, item_id: int):
    if not Item.objects.filter(pk=item_id).exists():
        raise Http404
    return _quotations_fragment(request, item_id=item_id)
