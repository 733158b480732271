from __future__ import annotations

import graphene
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from api.graphql.core.errors import ApiError, NotFound
from api.graphql.core.mutations import pk_from_global_id
from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Host, permission_required
from api.graphql.core.types import enum_value
from api.graphql.logistics.types import (ParcelNode, RateQuoteType, ShipmentConnection, ShipmentDirectionEnum,
                                         ShipmentNode, ShipmentStatusEnum)
from logistics.carriers.quotes import QuoteRequest, quote
from logistics.carriers.selectors import contracts_for_quoting
from logistics.shipments.selectors import parcel_get_any, shipment_get, shipment_list

LOGISTICS_READ = "logistics:read"
MAX_QUOTE_PARCELS = 50


def _one(global_id: str, type_name: str, get, message: str):
    """The row of this enterprise with the id in `global_id`, or NOT_FOUND (the same for another enterprise's:
    the selectors read the host's schema only)."""
    try:
        pk = pk_from_global_id(global_id, type_name)
    except ValidationError:
        pk = None
    row = get(pk) if pk else None
    if row is None:
        raise NotFound(message)
    return row


class RateQuoteParcelInput(graphene.InputObjectType):
    class Meta:
        description = "A parcel to quote: its weight and, for the volumetric weight, its dimensions."

    weight_kg = graphene.Decimal(required=True)
    length_cm = graphene.Decimal()
    width_cm = graphene.Decimal()
    height_cm = graphene.Decimal()


def _bad(message: str):
    return ApiError(message, code="BAD_USER_INPUT")


def quote_request(province_code: str, city_code: str, parcels, goods_value) -> QuoteRequest:
    """The quoting service's request, the arguments checked (codes: six ASCII digits; 1–50 parcels; no
    negative weight, size or value)."""
    for name, code in (("provinceCode", province_code), ("cityCode", city_code)):
        if code and not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise _bad(_("“%(name)s” must be a GB/T 2260 code of six digits.") % {"name": name})
    if not province_code:
        raise _bad(_("“provinceCode” is required."))
    if not 1 <= len(parcels) <= MAX_QUOTE_PARCELS:
        raise _bad(_("“parcels” takes 1 to %(n)d parcels.") % {"n": MAX_QUOTE_PARCELS})
    rows = []
    for p in parcels:
        sizes = (p.weight_kg, p.get("length_cm"), p.get("width_cm"), p.get("height_cm"))
        if any(v is not None and v < 0 for v in sizes):
            raise _bad(_("A parcel's weight and dimensions cannot be negative."))
        rows.append(sizes)
    if goods_value is not None and goods_value < 0:
        raise _bad(_("“goodsValue” cannot be negative."))
    return QuoteRequest(province_code=province_code, city_code=city_code or "", parcels=rows,
                        goods_value=goods_value or 0)


class LogisticsQueries(graphene.ObjectType):
    shipments = connection_field(ShipmentConnection, "The enterprise's shipments, newest first.",
                                 status=ShipmentStatusEnum(), direction=ShipmentDirectionEnum())
    shipment = graphene.Field(ShipmentNode, id=graphene.ID(required=True))
    parcel = graphene.Field(ParcelNode, id=graphene.ID(required=True))
    rate_quote = graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(RateQuoteType))),
        description="The price of a delivery under every active contract whose rate card covers the destination, "
                    "cheapest first (contracts valid today).",
        province_code=graphene.String(required=True, description="GB/T 2260 code of the province (330000)."),
        city_code=graphene.String(description="GB/T 2260 code of the city (330200): a city zone wins over its "
                                              "province's."),
        parcels=graphene.List(graphene.NonNull(RateQuoteParcelInput), required=True),
        goods_value=graphene.Decimal(description="For the contracts' free-over amount."))

    @staticmethod
    @permission_required(LOGISTICS_READ, host=Host.ENTERPRISE)
    def resolve_shipments(root, info, status=None, direction=None, **page):
        qs = shipment_list(status=enum_value(status) if status else None)
        if direction:
            qs = qs.filter(direction=enum_value(direction))
        return paginate(qs.order_by("-created_at", "-id"), ShipmentConnection, info, **page)

    @staticmethod
    @permission_required(LOGISTICS_READ, host=Host.ENTERPRISE)
    def resolve_shipment(root, info, id):
        shipment = _one(id, "Shipment", lambda pk: shipment_get(shipment_id=pk), _("No shipment has this ID."))
        ShipmentNode.prepare(info.context, [shipment])
        return shipment

    @staticmethod
    @permission_required(LOGISTICS_READ, host=Host.ENTERPRISE)
    def resolve_parcel(root, info, id):
        parcel = _one(id, "Parcel", lambda pk: parcel_get_any(parcel_id=pk), _("No parcel has this ID."))
        ParcelNode.prepare(info.context, [parcel])
        return parcel

    @staticmethod
    @permission_required(LOGISTICS_READ, host=Host.ENTERPRISE)
    def resolve_rate_quote(root, info, province_code, parcels, city_code=None, goods_value=None):
        request = quote_request(province_code, city_code, parcels, goods_value)
        quotes = quote(request, contracts_for_quoting(on=timezone.localdate()))
        RateQuoteType.prepare(info.context, quotes)
        return quotes
