"""Pages of carriers and rate cards: the logistics index, carriers (list, create, edit), contracts (list,
create, edit, the rate card with its zones) and the quote comparison. Viewers read, clerks quote, managers
edit carriers and contracts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import error_messages
from core.forms import form_errors_from
from core.permissions import role_refusal, role_required
from core.tables import Column, Filter, Table
from logistics.carriers import regions, selectors, services
from logistics.carriers.forms import CarrierForm, ContractForm, QuoteForm, ZoneForm
from logistics.carriers.models import Carrier, Contract, Zone
from logistics.carriers.quotes import QuoteRequest, quote, quote_marks
from tenants.models import Role


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def _roles(request) -> dict:
    membership = request.membership
    return {"can_quote": membership.has_role(Role.CLERK), "can_manage": membership.has_role(Role.MANAGER)}


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@role_required(Role.VIEWER)
def index(request):
    return render(request, "carriers/index.html", {
        "carrier_count": Carrier.objects.count(), "contract_count": Contract.objects.filter(active=True).count(),
        **_roles(request)})


# ---- carriers -----------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def carrier_list(request):
    table = Table(
        request, selectors.carrier_list(), export_name="carriers", default_sort="code",
        columns=[
            Column("code", gettext_lazy("Code"), sort="code", link=lambda c: f"/logistics/carriers/{c.pk}/"),
            Column("name", gettext_lazy("Name"), sort="name"),
            Column("kind", gettext_lazy("Kind")),
            Column("tracking_code", gettext_lazy("Tracking code")),
            Column("phone", gettext_lazy("Phone")),
            Column("contract_count", gettext_lazy("Contracts"), numeric=True, sort="contract_count"),
            Column("active", gettext_lazy("Active")),
        ],
        search_fields=["code", "name", "tracking_code"],
        filters=[Filter("kind", gettext_lazy("Kind"), Carrier.Kind.choices),
                 Filter("active", gettext_lazy("Active"), [("true", gettext_lazy("yes")),
                                                           ("false", gettext_lazy("no"))])],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "carriers/carrier_list.html", {"table": table, **_roles(request)})


@role_required(Role.MANAGER)
def carrier_new(request):
    form = CarrierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            carrier = services.carrier_create(**form.cleaned_data, user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Carrier %(carrier)s saved.") % {"carrier": carrier})
            return redirect("/logistics/carriers/")
    return render(request, "carriers/carrier_form.html", {"form": form, "carrier": None}, status=_status(form))


@role_required(Role.VIEWER)
def carrier_detail(request, carrier_id: int):
    """Managers edit the carrier here; the others see it and its contracts."""
    carrier = _found(selectors.carrier_get(carrier_id=carrier_id))
    roles = _roles(request)
    form = None
    if roles["can_manage"]:
        initial = {f: getattr(carrier, f) for f in services.CARRIER_FIELDS}
        form = CarrierForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.carrier_update(carrier=carrier, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Carrier %(carrier)s saved.") % {"carrier": carrier.code})
                return redirect(f"/logistics/carriers/{carrier.pk}/")
    elif request.method == "POST":
        return role_refusal(request, Role.MANAGER)
    return render(request, "carriers/carrier_form.html", {
        "form": form, "carrier": carrier, "contracts": carrier.contracts.order_by("name"), **roles},
        status=_status(form) if form else 200)


# ---- contracts ----------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def contract_list(request):
    table = Table(
        request, selectors.contract_list(), export_name="contracts", default_sort="carrier__code",
        columns=[
            Column("carrier.code", gettext_lazy("Carrier code"), sort="carrier__code"),
            Column("carrier.name", gettext_lazy("Carrier")),
            Column("name", gettext_lazy("Contract"), sort="name", link=lambda c: f"/logistics/contracts/{c.pk}/"),
            Column("valid_from", gettext_lazy("Valid from"), sort="valid_from"),
            Column("valid_to", gettext_lazy("Valid to"), sort="valid_to"),
            Column("volumetric_divisor", gettext_lazy("Volumetric divisor"), numeric=True),
            Column("min_charge", gettext_lazy("Minimum charge"), money=True),
            Column("fuel_surcharge_pct", gettext_lazy("Fuel surcharge %"), numeric=True),
            Column("free_over", gettext_lazy("Free over (goods value)"), money=True),
            Column("zone_count", gettext_lazy("Zones"), numeric=True),
            Column("active", gettext_lazy("Active")),
        ],
        search_fields=["name", "carrier__code", "carrier__name"],
        filters=[Filter("active", gettext_lazy("Active"), [("true", gettext_lazy("yes")),
                                                           ("false", gettext_lazy("no"))])],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "carriers/contract_list.html", {"table": table, **_roles(request)})


@role_required(Role.MANAGER)
def contract_new(request):
    initial = {}
    carrier_text = request.GET.get("carrier") or ""
    if carrier_text.isascii() and carrier_text.isdigit() and len(carrier_text) < 12:
        initial["carrier"] = int(carrier_text)
    form = ContractForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(**form.cleaned_data, user=request.user)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Contract %(contract)s saved.") % {"contract": contract})
            return redirect(f"/logistics/contracts/{contract.pk}/")
    return render(request, "carriers/contract_form.html", {"form": form, "contract": None}, status=_status(form))


@role_required(Role.MANAGER)
def contract_edit(request, contract_id: int):
    contract = _found(selectors.contract_get(contract_id=contract_id))
    initial = {f: getattr(contract, f) for f in services.CONTRACT_FIELDS}
    form = ContractForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(contract=contract, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Contract %(contract)s saved.") % {"contract": contract})
            return redirect(f"/logistics/contracts/{contract.pk}/")
    return render(request, "carriers/contract_form.html", {"form": form, "contract": contract}, status=_status(form))


def _taken(zones: list[Zone], editing: Zone | None) -> dict[str, str]:
    """region code -> the name of the (other) zone that has it, for the picker."""
    return {r.code: z.name for z in zones if editing is None or z.pk != editing.pk for r in z.regions.all()}


def _picker(form: ZoneForm, zones: list[Zone], editing: Zone | None) -> list[dict]:
    """The region picker: each province with its cities, checked and taken marks (plain checkboxes)."""
    selected, taken = form.selected(), _taken(zones, editing)
    out = []
    for province in regions.provinces():
        cities = [{"code": c.code, "name": c.name, "checked": c.code in selected, "taken": taken.get(c.code, "")}
                  for c in regions.cities(province.code)]
        out.append({"code": province.code, "name": province.name, "checked": province.code in selected,
                    "taken": taken.get(province.code, ""), "cities": cities,
                    "open": province.code in selected or any(c["checked"] for c in cities)})
    return out


def _contract_page(request, contract: Contract, *, form: ZoneForm | None = None, status: int = 200):
    zones = selectors.contract_zones(contract=contract)
    roles = _roles(request)
    context = {"contract": contract, "zones": zones, **roles}
    if roles["can_manage"]:
        form = form or ZoneForm()
        context.update(form=form, picker=_picker(form, zones, None))
    return render(request, "carriers/contract_detail.html", context, status=status)


@role_required(Role.VIEWER)
def contract_detail(request, contract_id: int):
    return _contract_page(request, _found(selectors.contract_get(contract_id=contract_id)))


def _zone_data(data: dict) -> dict:
    return {k: data[k] for k in ("name", "first_weight_kg", "first_price", "step_kg", "step_price",
                                 "promised_days")}


@require_POST
@role_required(Role.MANAGER)
def zone_new(request, contract_id: int):
    contract = _found(selectors.contract_get(contract_id=contract_id))
    form = ZoneForm(request.POST)
    if form.is_valid():
        try:
            zone = services.zone_create(contract=contract, regions=form.cleaned_data["regions"], user=request.user,
                                        **_zone_data(form.cleaned_data))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Zone %(zone)s saved.") % {"zone": zone.name})
            return redirect(f"/logistics/contracts/{contract.pk}/")
    return _contract_page(request, contract, form=form, status=400)


@role_required(Role.MANAGER)
def zone_edit(request, contract_id: int, zone_id: int):
    contract = _found(selectors.contract_get(contract_id=contract_id))
    zone = _found(selectors.zone_get(contract=contract, zone_id=zone_id))
    initial = {f: getattr(zone, f) for f in services.ZONE_FIELDS}
    initial["regions"] = list(zone.regions.values_list("code", flat=True))
    form = ZoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.zone_update(zone=zone, regions=form.cleaned_data["regions"], user=request.user,
                                 **_zone_data(form.cleaned_data))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Zone %(zone)s saved.") % {"zone": form.cleaned_data["name"]})
            return redirect(f"/logistics/contracts/{contract.pk}/")
    zones = selectors.contract_zones(contract=contract)
    return render(request, "carriers/zone_form.html", {
        "contract": contract, "zone": zone, "form": form, "picker": _picker(form, zones, zone)},
        status=_status(form))


@require_POST
@role_required(Role.MANAGER)
def zone_delete(request, contract_id: int, zone_id: int):
    contract = _found(selectors.contract_get(contract_id=contract_id))
    zone = _found(selectors.zone_get(contract=contract, zone_id=zone_id))
    try:
        services.zone_delete(zone=zone, user=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Zone %(zone)s deleted.") % {"zone": zone.name})
    return redirect(f"/logistics/contracts/{contract.pk}/")


# ---- quotes -------------------------------------------------------------------------------------


@role_required(Role.CLERK)
def quote_page(request):
    form = QuoteForm(request.POST or None)
    context = {"form": form, "quotes": None}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parsed = None
        province, city = data.get("province") or "", data.get("city") or None
        if data.get("address"):
            try:
                parsed = regions.address_parse(data["address"])
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                province, city = parsed.province_code, parsed.city_code
        if not form.errors:
            today = timezone.localdate()
            request_ = QuoteRequest(province_code=province, city_code=city, parcels=data["parcels"],
                                    goods_value=data.get("goods_value") or 0, on=today)
            quotes = quote(request_, selectors.contracts_for_quoting(on=today))
            cheapest, fastest = quote_marks(quotes)
            context.update(quotes=quotes, cheapest=cheapest, fastest=fastest, parsed=parsed,
                           destination=regions.region_label(city or province), province_code=province,
                           city_code=city)
    return render(request, "carriers/quote.html", context, status=_status(form))
