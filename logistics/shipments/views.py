"""Pages of shipments: the list (filters, Excel), creating one (stand-alone, from a sales delivery, for a
purchase receipt), a shipment with its parcels, quotes, booking, cancelling, freight and proofs, the
phone-sized proof-of-delivery page, labels and the packing list (PDF), and the buyer's public tracking
page (no login: the unguessable token is the key)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import error_messages
from core.forms import form_errors_from
from core.permissions import role_required
from core.tables import Column, Filter, Table
from erp_modules.common.history import object_history
from logistics.carriers.models import Carrier
from logistics.shipments import pdf, selectors, services
from logistics.shipments.forms import (DeliveryPickForm, FreightForm, ParcelForm, ProofForm, QuoteChooseForm,
                                       ReceiptPickForm, ShipmentEditForm, ShipmentForm)
from logistics.shipments.models import Parcel, ParcelStatus, Shipment
from tenants.models import Role

Status = Shipment.Status
BASE = "/logistics/shipments/"


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def _shipment(shipment_id: int) -> Shipment:
    return _found(selectors.shipment_get(shipment_id=shipment_id))


def _parcel(shipment: Shipment, parcel_id: int) -> Parcel:
    return _found(selectors.parcel_get(shipment=shipment, parcel_id=parcel_id))


def _url(shipment: Shipment) -> str:
    return f"{BASE}{shipment.pk}/"


def _action(request, service, *, done: str, url: str):
    try:
        service()
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(url)


def _sender(request) -> pdf.Party:
    enterprise = request.enterprise
    return pdf.Party(name=enterprise.name, phone=enterprise.contact_phone or getattr(enterprise, "phone", ""),
                     address=enterprise.address)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


# ---- the list and creating ---------------------------------------------------------------------


@role_required(Role.VIEWER)
def shipment_list(request):
    carriers = [(str(c.pk), f"{c.code} {c.name}") for c in Carrier.objects.order_by("code")]
    table = Table(
        request, selectors.shipment_list(), export_name="shipments", default_sort="-created_at",
        columns=[
            Column("number", gettext_lazy("Number"), sort="number", link=lambda s: _url(s)),
            Column("get_direction_display", gettext_lazy("Direction")),
            Column("get_status_display", gettext_lazy("Status"), sort="status"),
            Column("consignee_name", gettext_lazy("Consignee"), sort="consignee_name"),
            Column("region_name", gettext_lazy("Destination")),
            Column("carrier.name", gettext_lazy("Carrier")),
            Column("parcel_count", gettext_lazy("Parcels"), numeric=True),
            Column("goods_value", gettext_lazy("Goods value"), money=True, sort="goods_value"),
            Column("quoted_freight", gettext_lazy("Quoted freight"), money=True),
            Column("actual_freight", gettext_lazy("Actual freight"), money=True),
            Column("promised_date", gettext_lazy("Promised"), sort="promised_date"),
            Column("created_at", gettext_lazy("Created"), sort="created_at"),
        ],
        search_fields=["number", "consignee_name", "address", "parcels__waybill_number"],
        filters=[Filter("status", gettext_lazy("Status"), Status.choices),
                 Filter("direction", gettext_lazy("Direction"), Shipment.Direction.choices),
                 Filter("carrier", gettext_lazy("Carrier"), carriers, lookup="carrier_id")],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "shipments/shipment_list.html",
                  {"table": table, "can_edit": request.membership.has_role(Role.CLERK)})


@role_required(Role.CLERK)
def shipment_new(request):
    form = ShipmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shipment = services.shipment_create(user=request.user, **data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Shipment %(number)s created.") % {"number": shipment.number})
            return redirect(_url(shipment))
    return render(request, "shipments/shipment_form.html",
                  {"form": form, "title": _("New shipment")}, status=400 if form.errors else 200)


@role_required(Role.CLERK)
def shipment_from_delivery(request):
    initial = {}
    wanted = request.GET.get("delivery", "")
    if request.method == "GET" and wanted.isascii() and wanted.isdigit() and len(wanted) < 12:
        initial["delivery"] = int(wanted)
    form = DeliveryPickForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shipment = services.shipment_from_delivery(delivery=data["delivery"], user=request.user,
                                                       address=data["address"] or None)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Shipment %(number)s created.") % {"number": shipment.number})
            return redirect(_url(shipment))
    return render(request, "shipments/shipment_form.html",
                  {"form": form, "title": _("Ship a delivery")}, status=400 if form.errors else 200)


@role_required(Role.CLERK)
def shipment_for_receipt(request):
    form = ReceiptPickForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shipment = services.shipment_for_receipt(receipt=form.cleaned_data["receipt"], user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Shipment %(number)s created.") % {"number": shipment.number})
            return redirect(_url(shipment))
    return render(request, "shipments/shipment_form.html",
                  {"form": form, "title": _("Inbound shipment for a goods receipt")}, status=400 if form.errors else 200)


# ---- a shipment ---------------------------------------------------------------------------------


def _detail(request, shipment: Shipment, *, parcel_form=None, freight_form=None, proof_form=None, status=200):
    parcels = selectors.shipment_parcels(shipment=shipment)
    quotes = []
    if shipment.status == Status.DRAFT and parcels and request.membership.has_role(Role.CLERK):
        try:
            quotes = services.shipment_quote(shipment=shipment)
        except ValidationError as exc:
            messages.warning(request, " ".join(error_messages(exc)))
    return render(request, "shipments/shipment_detail.html", {
        "shipment": shipment, "parcels": [(p, selectors.parcel_events(parcel=p)) for p in parcels],
        "quotes": quotes,
        "proofs": selectors.shipment_proofs(shipment=shipment),
        "parcel_form": parcel_form or ParcelForm(), "freight_form": freight_form or FreightForm(
            initial={"actual_freight": shipment.actual_freight}),
        "proof_form": proof_form or ProofForm(shipment=shipment),
        "freight_flagged": selectors.freight_flagged(shipment),
        "freight_difference": selectors.freight_difference(shipment),
        "freight_limit": selectors.freight_difference_pct(),
        "tracking_url": request.build_absolute_uri(f"/logistics/t/{shipment.tracking_token}/"),
        "editable": shipment.status == Status.DRAFT,
        "can_edit": request.membership.has_role(Role.CLERK),
        "history": object_history(shipment),
    }, status=status)


@role_required(Role.VIEWER)
def shipment_detail(request, shipment_id: int):
    return _detail(request, _shipment(shipment_id))


@role_required(Role.CLERK)
def shipment_edit(request, shipment_id: int):
    """A draft's consignee, address, pickup time, value and carrier; a booked (or later) shipment is frozen."""
    shipment = _shipment(shipment_id)
    if shipment.status != Status.DRAFT:
        messages.error(request, _("%(number)s is %(status)s; only a draft shipment can be edited.")
                       % {"number": shipment.number, "status": shipment.get_status_display()})
        return redirect(_url(shipment))
    form = ShipmentEditForm(request.POST or None, shipment=shipment)
    if request.method == "POST" and form.is_valid():
        try:
            services.shipment_update(shipment=shipment, user=request.user,
                                     **{name: form.cleaned_data[name] for name in ShipmentEditForm.FIELDS})
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": shipment.number})
            return redirect(_url(shipment))
    return render(request, "shipments/shipment_edit.html", {"form": form, "shipment": shipment},
                  status=400 if form.errors else 200)


def _parcel_save(request, form: ParcelForm, service, **kwargs):
    """Runs the parcel service; None on success (a redirect follows), else the form carries the errors."""
    data = form.cleaned_data
    try:
        parcel = service(user=request.user, weight_kg=data["weight_kg"], length_cm=data["length_cm"],
                         width_cm=data["width_cm"], height_cm=data["height_cm"],
                         waybill_number=data["waybill_number"], carrier=data["carrier"],
                         description=data["description"], **kwargs)
    except ValidationError as exc:
        form_errors_from(form, exc)
        return False
    if getattr(parcel, "waybill_warning", None):
        messages.warning(request, parcel.waybill_warning)
    messages.success(request, _("Parcel %(seq)d saved.") % {"seq": parcel.seq})
    return True


@require_POST
@role_required(Role.CLERK)
def parcel_add(request, shipment_id: int):
    shipment = _shipment(shipment_id)
    form = ParcelForm(request.POST)
    if form.is_valid() and _parcel_save(request, form, services.parcel_add, shipment=shipment):
        return redirect(_url(shipment))
    return _detail(request, shipment, parcel_form=form, status=400)


@role_required(Role.CLERK)
def parcel_edit(request, shipment_id: int, parcel_id: int):
    shipment = _shipment(shipment_id)
    parcel = _parcel(shipment, parcel_id)
    form = ParcelForm(request.POST or None, initial=ParcelForm.initial_of(parcel))
    if request.method == "POST" and form.is_valid() and _parcel_save(request, form, services.parcel_update,
                                                                     parcel=parcel):
        return redirect(_url(shipment))
    return render(request, "shipments/parcel_form.html", {"form": form, "shipment": shipment, "parcel": parcel},
                  status=400 if form.errors else 200)


@require_POST
@role_required(Role.CLERK)
def parcel_remove(request, shipment_id: int, parcel_id: int):
    shipment = _shipment(shipment_id)
    parcel = _parcel(shipment, parcel_id)
    return _action(request, lambda: services.parcel_remove(parcel=parcel, user=request.user),
                   done=_("Parcel %(seq)d removed.") % {"seq": parcel.seq}, url=_url(shipment))


@require_POST
@role_required(Role.CLERK)
def shipment_quote_choose(request, shipment_id: int):
    shipment = _shipment(shipment_id)
    form = QuoteChooseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the quotes."))
        return redirect(_url(shipment))
    contract = form.cleaned_data["contract"]
    return _action(request, lambda: services.shipment_quote_choose(shipment=shipment, contract=contract,
                                                                   user=request.user),
                   done=_("Quote of %(contract)s chosen.") % {"contract": contract}, url=_url(shipment))


@require_POST
@role_required(Role.CLERK)
def shipment_book(request, shipment_id: int):
    shipment = _shipment(shipment_id)
    return _action(request, lambda: services.shipment_book(shipment=shipment, user=request.user),
                   done=_("%(number)s booked.") % {"number": shipment.number}, url=_url(shipment))


@require_POST
@role_required(Role.CLERK)
def shipment_cancel(request, shipment_id: int):
    shipment = _shipment(shipment_id)
    return _action(request, lambda: services.shipment_cancel(shipment=shipment, user=request.user),
                   done=_("%(number)s cancelled.") % {"number": shipment.number}, url=_url(shipment))


@require_POST
@role_required(Role.CLERK)
def shipment_freight(request, shipment_id: int):
    shipment = _shipment(shipment_id)
    form = FreightForm(request.POST)
    if form.is_valid():
        try:
            services.shipment_freight_record(shipment=shipment, actual_freight=form.cleaned_data["actual_freight"],
                                             user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Actual freight recorded."))
            return redirect(_url(shipment))
    return _detail(request, shipment, freight_form=form, status=400)


# ---- proofs of delivery -------------------------------------------------------------------------


def _proof_post(request, shipment: Shipment):
    form = ProofForm(request.POST, request.FILES, shipment=shipment)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.proof_upload(shipment=shipment, parcel=data["parcel"], kind=data["kind"], file=data["file"],
                                  note=data["note"], user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Proof of delivery uploaded."))
            return form, True
    return form, False


@role_required(Role.CLERK)
def proof_upload(request, shipment_id: int):
    """The phone-sized page: take a photo of the signed receipt or of the goods delivered."""
    shipment = _shipment(shipment_id)
    form = ProofForm(shipment=shipment)
    if request.method == "POST":
        form, done = _proof_post(request, shipment)
        if done:
            return redirect(f"{_url(shipment)}proof/")
    return render(request, "shipments/proof_upload.html", {
        "shipment": shipment, "form": form, "proofs": selectors.shipment_proofs(shipment=shipment),
        "parcels": selectors.shipment_parcels(shipment=shipment)}, status=400 if form.errors else 200)


@role_required(Role.VIEWER)
def proof_download(request, shipment_id: int, proof_id: int):
    shipment = _shipment(shipment_id)
    proof = _found(shipment.proofs.filter(pk=proof_id).first())
    try:
        handle = proof.file.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, as_attachment=proof.content_type == "application/pdf",
                            filename=proof.original_name, content_type=proof.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# ---- documents ----------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def parcel_label(request, shipment_id: int, parcel_id: int):
    shipment = _shipment(shipment_id)
    parcel = _parcel(shipment, parcel_id)
    content = pdf.label_pdf(shipment=shipment, parcel=parcel, parcel_count=shipment.parcels.count(),
                            sender=_sender(request),
                            tracking_url=request.build_absolute_uri(f"/logistics/t/{shipment.tracking_token}/"))
    return _pdf(content, f"{shipment.number}-{parcel.seq}")


@role_required(Role.VIEWER)
def packing_list(request, shipment_id: int):
    shipment = _shipment(shipment_id)
    lines = []
    if shipment.delivery_id:
        lines = [pdf.PackingLine(code=line.item.code, name=line.item.name, quantity=line.quantity,
                                 uom=str(line.item.uom))
                 for line in shipment.delivery.lines.select_related("item", "item__uom")]
    elif shipment.receipt_id:
        lines = [pdf.PackingLine(code=line.item.code, name=line.item.name, quantity=line.quantity,
                                 uom=str(line.item.uom))
                 for line in shipment.receipt.lines.select_related("item", "item__uom")]
    content = pdf.packing_list_pdf(shipment=shipment, parcels=selectors.shipment_parcels(shipment=shipment),
                                   lines=lines, sender=_sender(request))
    return _pdf(content, f"{shipment.number}-packing-list")


# ---- the buyer's public tracking page -----------------------------------------------------------


def public_tracking(request, token: str):
    """No login: the token is the key (404 for anything else). Parcels, statuses and events, newest first;
    no prices, no internal notes; not indexed; always in zh-Hans."""
    if getattr(request, "enterprise", None) is None:
        raise Http404
    shipment = _found(selectors.shipment_by_token(token=token))
    parcels = selectors.shipment_parcels(shipment=shipment)
    with translation.override("zh-hans"):
        response = render(request, "shipments/public_tracking.html", {
            "shipment": shipment, "enterprise_name": request.enterprise.name,
            "parcels": [(p, selectors.parcel_events(parcel=p)) for p in parcels],
            "status_labels": dict(ParcelStatus.choices), "LANGUAGE_CODE": "zh-hans"})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
