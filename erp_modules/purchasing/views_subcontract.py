"""The subcontracting (外协) actions of a purchase order page: send the components to the subcontractor, and
receive the processed item back (consuming the components there). erp_modules/purchasing/subcontract.py does
the work; the order page shows what is planned, sent, consumed and held at the subcontractor."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.parsing import parse_decimal
from core.permissions import role_required
from erp_modules.purchasing import selectors
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.purchasing.subcontract import subcontract_components_issue, subcontract_order_receive
from tenants.models import Role


def _subcontract_order_or_404(order_id: int) -> PurchaseOrder:
    order = selectors.purchase_order_get(order_id=order_id)
    if order is None or order.kind != PurchaseOrder.Kind.SUBCONTRACT:
        raise Http404
    return order


def _back(order: PurchaseOrder):
    return redirect(reverse("purchasing:order_detail", args=[order.pk]) + "#subcontract")


@require_POST
@role_required(Role.CLERK)
def order_subcontract_issue(request, order_id: int):
    """Send every component still to send (the button on the order page)."""
    order = _subcontract_order_or_404(order_id)
    try:
        subcontract_components_issue(order=order, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Components sent to %(loc)s.") % {"loc": order.subcontract_location})
    return _back(order)


@require_POST
@role_required(Role.CLERK)
def order_subcontract_receive(request, order_id: int):
    order = _subcontract_order_or_404(order_id)
    try:
        quantity = parse_decimal(request.POST.get("quantity", ""), field="quantity")
    except ValidationError:
        quantity = None
    if quantity is None:
        messages.error(request, _("Give the quantity received, above zero."))
        return _back(order)
    try:
        receipt = subcontract_order_receive(order=order, quantity=quantity, user=request.user,
                                            lot_code=request.POST.get("lot", "").strip())
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(receipt)s posted: the processed items are in stock and the components they "
                                    "used are consumed at the subcontractor.") % {"receipt": receipt.number})
    return _back(order)
