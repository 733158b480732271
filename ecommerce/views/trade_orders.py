"""The buyer's purchase order of an accepted quotation, when it could not be made at acceptance (the RFQ
named no item of the buyer's catalog): the buyer picks the item here (services.trade_order_purchase_create)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.parsing import parse_id
from ecommerce.selectors.supplier_items import supplier_items
from ecommerce.selectors.trade_orders import trade_order_for_buyer
from ecommerce.services.trade_orders import trade_order_purchase_create
from ecommerce.views._common import boards_view, nav_context, run_reported


@boards_view(login=True)
def trade_order_purchase(request, trade_order_id: int):
    trade_order = trade_order_for_buyer(trade_order_id=trade_order_id, user=request.user)
    if trade_order is None:  # missing, or not the user's enterprise's purchase
        raise Http404
    back = reverse("boards:listing_detail", args=[trade_order.listing_id]) + "#rfq"
    if request.method == "POST":
        def make():
            item_id = parse_id(request.POST.get("item"), field="item", required=True)
            trade_order_purchase_create(trade_order=trade_order, item_id=item_id, user=request.user)

        run_reported(request, make, success=_("The purchase order is made as a draft in your ERP."))
        return redirect(back)
    return render(request, "ecommerce/trade_order_purchase.html", {
        **nav_context(request), "trade_order": trade_order, "back": back,
        "items": supplier_items(enterprise=trade_order.buyer) if trade_order.purchase_order_id is None else []})
