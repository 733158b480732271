"""Pages of the freight board on the enterprise's host: its freight requests, and posting a shipment."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import error_messages
from core.permissions import role_required
from core.tables import Column, Filter, Table
from logistics.freight import selectors, services
from logistics.freight.forms import FreightPostForm
from logistics.freight.models import FreightRequest
from tenants.models import Role
from tenants.selectors import site_base_url


def _shipment_url(shipment_id: int) -> str:
    return f"/logistics/shipments/{shipment_id}/"


@role_required(Role.VIEWER)
def freight_request_list(request):
    site = site_base_url(request=request)
    table = Table(
        request, selectors.freight_request_list(), export_name="freight-requests", default_sort="-created_at",
        columns=[
            Column("created_at", gettext_lazy("Posted at"), sort="created_at"),
            Column("shipment.number", gettext_lazy("Shipment"), sort="shipment__number",
                   link=lambda r: _shipment_url(r.shipment_id)),
            Column("title", gettext_lazy("Lane")),
            Column("get_status_display", gettext_lazy("Status"), sort="status"),
            Column("supplier_name", gettext_lazy("Logistics company")),
            Column("price", gettext_lazy("Accepted price"), money=True),
            Column("outcome", gettext_lazy("Outcome")),
            Column("listing_id", gettext_lazy("On the board"), fmt=lambda v: _("Listing and quotations"),
                   link=lambda r: f"{site}/boards/l/{r.listing_id}/#rfq"),
        ],
        search_fields=["shipment__number", "title", "supplier_name"],
        filters=[Filter("status", gettext_lazy("Status"), FreightRequest.Status.choices)],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "freight/request_list.html", {"table": table})


@require_POST
@role_required(Role.CLERK)
def freight_request_post(request):
    form = FreightPostForm(request.POST)
    if not form.is_valid():
        raise Http404  # only the shipment page posts here: a missing or malformed id is not found
    shipment = selectors.freight_shipment_get(shipment_id=form.cleaned_data["shipment"])
    if shipment is None:
        raise Http404
    try:
        services.freight_request_post(shipment=shipment, enterprise=request.tenant, user=request.user,
                                      category_code=form.cleaned_data["category"])
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect(_shipment_url(shipment.pk))
    messages.success(request, _("Shipment %(number)s is on the freight board; logistics companies can now quote.")
                     % {"number": shipment.number})
    return redirect("/logistics/freight/")
