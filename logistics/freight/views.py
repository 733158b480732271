"""Pages of the freight board on the enterprise's host (its freight requests, and posting a shipment) and of
freight cost (carriers' bills: upload, check, apply; the landed cost of inbound freight)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import error_messages
from core.imports import template_workbook
from core.permissions import role_refusal, role_required
from core.tables import Column, Filter, Table
from logistics.carriers.models import Carrier
from logistics.freight import selectors, services
from logistics.freight.bills import FreightBillRows
from logistics.freight.forms import FreightBillUploadForm, FreightPostForm
from logistics.freight.models import FreightBill, FreightRequest
from logistics.shipments import selectors as shipment_selectors
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


# ---- freight cost: carriers' bills, landed cost --------------------------------------------------------


def _bill(bill_id: int):
    bill = selectors.freight_bill_get(bill_id=bill_id)
    if bill is None:
        raise Http404
    return bill


def _pct(value):
    return "" if value is None else f"{value}%"


@role_required(Role.VIEWER)
def freight_bill_list(request):
    can_upload = request.membership.has_role(Role.CLERK)
    choices = selectors.bill_carrier_choices()
    form = FreightBillUploadForm(carrier_choices=choices)
    if request.method == "POST":
        refusal = role_refusal(request, Role.CLERK)
        if refusal:
            return refusal
        form = FreightBillUploadForm(request.POST, request.FILES, carrier_choices=choices)
        if form.is_valid():
            carrier_id = form.cleaned_data["carrier"]
            carrier = Carrier.objects.filter(pk=carrier_id).first() if carrier_id else None
            try:
                bill = services.freight_bill_upload(file=form.cleaned_data["file"], carrier=carrier, user=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return redirect(f"/logistics/freight/bills/{bill.pk}/")
    table = Table(
        request, selectors.freight_bill_list(), export_name="carrier-bills", default_sort="-created_at",
        columns=[
            Column("created_at", gettext_lazy("Uploaded at"), sort="created_at",
                   link=lambda b: f"/logistics/freight/bills/{b.pk}/"),
            Column("original_name", gettext_lazy("File name")),
            Column("carrier.name", gettext_lazy("Carrier")),
            Column("get_status_display", gettext_lazy("Status"), sort="status"),
            Column("row_count", gettext_lazy("Rows"), numeric=True),
            Column("shipment_count", gettext_lazy("Shipments"), numeric=True),
            Column("flagged_count", gettext_lazy("Flagged"), numeric=True),
            Column("total_amount", gettext_lazy("Billed amount"), money=True),
        ],
        search_fields=["original_name"],
        filters=[Filter("status", gettext_lazy("Status"), FreightBill.Status.choices)],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "freight/bill_list.html", {"table": table, "form": form, "can_upload": can_upload,
                                                      "limit": shipment_selectors.freight_difference_pct()})


@role_required(Role.VIEWER)
def freight_bill_template(request):
    response = HttpResponse(template_workbook(FreightBillRows()),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="template-carrier-bill.xlsx"'
    return response


def _charge_columns(lines: bool):
    shipment_id = (lambda r: r.shipment_id) if lines else (lambda r: r.shipment.pk)
    columns = [
        Column("shipment.number", gettext_lazy("Shipment"), link=lambda r: _shipment_url(shipment_id(r))),
        Column("shipment.get_direction_display", gettext_lazy("Direction")),
        Column("rows", gettext_lazy("Rows"), fmt=lambda v: v if isinstance(v, str) else ", ".join(map(str, v))),
        Column("waybills", gettext_lazy("Waybill numbers"),
               fmt=lambda v: v if isinstance(v, str) else " ".join(v)),
        Column("previous", gettext_lazy("Actual freight before"), money=True),
        Column("amount", gettext_lazy("Billed freight"), money=True),
        Column("quoted", gettext_lazy("Quoted freight"), money=True),
        Column("difference_pct", gettext_lazy("Difference"), fmt=_pct, numeric=True),
        Column("flagged", gettext_lazy("Flagged"), fmt=lambda v: _("over the limit") if v else ""),
    ]
    if not lines:
        columns.insert(4, Column("parcels_billed", gettext_lazy("Parcels billed"), numeric=True))
    return columns


@role_required(Role.VIEWER)
def freight_bill_detail(request, bill_id: int):
    bill = _bill(bill_id)
    check = None
    if bill.status == FreightBill.Status.PREVIEW:
        try:
            check = services.freight_bill_check(bill=bill)
        except ValueError as exc:  # the kept file cannot be read any more
            messages.error(request, str(exc))
        rows = check.charges if check else []
    else:
        rows = selectors.freight_bill_lines(bill=bill)
    table = Table(request, rows, export_name=f"carrier-bill-{bill.pk}", page_size=50,
                  columns=_charge_columns(lines=bill.status == FreightBill.Status.APPLIED))
    if table.wants_export:
        return table.export_response()
    return render(request, "freight/bill_detail.html", {
        "bill": bill, "check": check, "table": table, "can_apply": request.membership.has_role(Role.CLERK),
        "limit": shipment_selectors.freight_difference_pct(), "errors_shown": check.errors[:500] if check else []})


@require_POST
@role_required(Role.CLERK)
def freight_bill_apply(request, bill_id: int):
    bill = _bill(bill_id)
    try:
        bill = services.freight_bill_apply(bill=bill, user=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The bill is applied: the actual freight of %(n)d shipments is recorded, "
                                    "%(flagged)d of them flagged.") % {"n": bill.shipment_count,
                                                                       "flagged": bill.flagged_count})
    return redirect(f"/logistics/freight/bills/{bill.pk}/")


@role_required(Role.VIEWER)
def landed_cost_list(request):
    table = Table(
        request, selectors.landed_cost_list(), export_name="landed-cost", default_sort="-updated_at",
        columns=[
            Column("updated_at", gettext_lazy("Updated at"), sort="updated_at"),
            Column("shipment.number", gettext_lazy("Shipment"), sort="shipment__number",
                   link=lambda r: _shipment_url(r.shipment_id)),
            Column("receipt_line.receipt.number", gettext_lazy("Goods receipt")),
            Column("item.code", gettext_lazy("Item"), sort="item__code"),
            Column("item.name", gettext_lazy("Name")),
            Column("receipt_line.quantity", gettext_lazy("Received"), numeric=True),
            Column("amount", gettext_lazy("Allocated freight"), money=True),
            Column("capitalised", gettext_lazy("Added to stock value"), money=True),
            Column("variance", gettext_lazy("Variance (already issued)"), money=True),
        ],
        search_fields=["shipment__number", "item__code", "item__name", "receipt_line__receipt__number"],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "freight/landed_cost_list.html", {"table": table})
