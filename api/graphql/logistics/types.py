"""Logistics in the schema: shipments with their parcels (each with its own waybill number, status and tracking
events), the carriers and their contracts, and rate quotes. Every type needs logistics:read or logistics:write
(core/scopes.py)."""

from __future__ import annotations

import graphene

from api.graphql.core.dataloaders import loaded_as
from api.graphql.core.pagination import CountableConnection
from api.graphql.core.types import enum_from_choices, resolve_with, want_related
from api.graphql.logistics.dataloaders import (CarrierByIdLoader, ContractByIdLoader, EventsByParcelIdLoader,
                                               ParcelsByShipmentIdLoader, ShipmentByIdLoader)
from logistics.carriers.models import Carrier
from logistics.shipments.models import ParcelStatus, Shipment
from logistics.tracking.models import TrackingEvent

CarrierKindEnum = enum_from_choices("CarrierKindEnum", Carrier.Kind)
ShipmentStatusEnum = enum_from_choices("ShipmentStatusEnum", Shipment.Status)
ShipmentDirectionEnum = enum_from_choices("ShipmentDirectionEnum", Shipment.Direction,
                                          "Outbound (a sales delivery), inbound (a purchase receipt) or stand-alone.")
ParcelStatusEnum = enum_from_choices("ParcelStatusEnum", ParcelStatus, "Where a parcel is in its track; it never "
                                     "moves backwards.")
TrackingSourceEnum = enum_from_choices("TrackingEventSourceEnum", TrackingEvent.Source)


@loaded_as(CarrierByIdLoader)
class CarrierNode(graphene.ObjectType):
    class Meta:
        name = "Carrier"
        interfaces = (graphene.relay.Node,)
        description = "An express company, a freight / LTL line or the enterprise's own trucks."

    code = graphene.String(required=True, description="The carrier's standard code (SF, ZTO, YTO, EMS, DBL …).")
    name = graphene.String(required=True)
    kind = CarrierKindEnum(required=True)
    tracking_code = graphene.String(required=True, description="Its code at the tracking aggregator.")
    phone = graphene.String(required=True)
    active = graphene.Boolean(required=True)


@loaded_as(ContractByIdLoader)
class ContractNode(graphene.ObjectType):
    class Meta:
        name = "Contract"
        interfaces = (graphene.relay.Node,)
        description = "A rate agreement with a carrier (its zones are the rate card)."

    carrier = graphene.Field(CarrierNode, required=True)
    name = graphene.String(required=True)
    valid_from = graphene.Date()
    valid_to = graphene.Date()
    volumetric_divisor = graphene.Int(required=True, description="Chargeable weight = max(kg, L×W×H cm³ / divisor).")
    min_charge = graphene.Decimal(required=True)
    fuel_surcharge_pct = graphene.Decimal(required=True)
    free_over = graphene.Decimal(description="No freight when the goods' value reaches this amount.")
    currency = graphene.String(required=True)
    active = graphene.Boolean(required=True)

    @staticmethod
    def prepare(context, contracts):
        want_related(context, CarrierByIdLoader, contracts, "carrier")

    resolve_carrier = resolve_with(CarrierByIdLoader, "carrier_id")


@loaded_as(EventsByParcelIdLoader)
class TrackingEventType(graphene.ObjectType):
    class Meta:
        name = "TrackingEvent"
        description = "A step of a parcel's track (pushed by the aggregator, polled, or entered by a driver or clerk)."

    time = graphene.DateTime(required=True)
    description = graphene.String(required=True)
    status = ParcelStatusEnum(description="The status this step means, when it means one.")
    area_code = graphene.String(required=True)
    area_name = graphene.String(required=True)
    source = TrackingSourceEnum(required=True)

    @staticmethod
    def resolve_description(root, info):
        return root.context

    @staticmethod
    def resolve_status(root, info):
        return root.status or None


@loaded_as(ParcelsByShipmentIdLoader)
class ParcelNode(graphene.ObjectType):
    class Meta:
        name = "Parcel"
        interfaces = (graphene.relay.Node,)
        description = "A parcel of a shipment, with its own waybill number and tracking status."

    shipment = graphene.Field(lambda: ShipmentNode, required=True)
    seq = graphene.Int(required=True, description="Its number in the shipment (1, 2 …).")
    waybill_number = graphene.String(required=True)
    carrier = graphene.Field(CarrierNode, description="The parcel's carrier (by default the shipment's).")
    weight_kg = graphene.Decimal(required=True)
    length_cm = graphene.Decimal()
    width_cm = graphene.Decimal()
    height_cm = graphene.Decimal()
    status = ParcelStatusEnum(required=True)
    status_at = graphene.DateTime()
    last_event_at = graphene.DateTime()
    description = graphene.String(required=True, description="Its contents.")
    events = graphene.List(graphene.NonNull(TrackingEventType), required=True, description="Newest first.")

    @staticmethod
    def prepare(context, parcels):
        want_related(context, ShipmentByIdLoader, parcels, "shipment")
        want_related(context, CarrierByIdLoader, parcels, "carrier")
        EventsByParcelIdLoader(context).want(p.pk for p in parcels)

    resolve_shipment = resolve_with(ShipmentByIdLoader, "shipment_id")
    resolve_carrier = resolve_with(CarrierByIdLoader, "carrier_id")
    resolve_events = resolve_with(EventsByParcelIdLoader)


@loaded_as(ShipmentByIdLoader)
class ShipmentNode(graphene.ObjectType):
    class Meta:
        name = "Shipment"
        interfaces = (graphene.relay.Node,)
        description = "Goods sent (from a sales delivery), received (for a purchase receipt) or stand-alone, in " \
                      "one or more parcels; its status follows its parcels'."

    number = graphene.String(required=True)
    direction = ShipmentDirectionEnum(required=True)
    status = ShipmentStatusEnum(required=True)
    carrier = graphene.Field(CarrierNode)
    contract = graphene.Field(ContractNode)
    consignee_name = graphene.String(required=True)
    consignee_phone = graphene.String(required=True)
    address = graphene.String(required=True)
    province_code = graphene.String(required=True, description="GB/T 2260 code of the destination province.")
    city_code = graphene.String(required=True)
    district_code = graphene.String(required=True)
    region_name = graphene.String(required=True)
    goods_value = graphene.Decimal(required=True)
    currency = graphene.String(required=True)
    pickup_at = graphene.DateTime()
    promised_date = graphene.Date()
    delivered_at = graphene.DateTime()
    quoted_freight = graphene.Decimal(description="The rate card's price when the shipment was booked.")
    actual_freight = graphene.Decimal(description="What the carrier charged (entered or from its bill).")
    note = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    parcels = graphene.List(graphene.NonNull(ParcelNode), required=True, description="By their number.")

    @staticmethod
    def prepare(context, shipments):
        loader = ShipmentByIdLoader(context)
        for shipment in shipments:  # a parcel's `shipment` is then one of these, not a query
            loader.prime(shipment.pk, shipment)
        want_related(context, CarrierByIdLoader, shipments, "carrier")
        want_related(context, ContractByIdLoader, shipments, "contract")
        ParcelsByShipmentIdLoader(context).want(s.pk for s in shipments)

    resolve_carrier = resolve_with(CarrierByIdLoader, "carrier_id")
    resolve_contract = resolve_with(ContractByIdLoader, "contract_id")
    resolve_parcels = resolve_with(ParcelsByShipmentIdLoader)


class ShipmentConnection(CountableConnection):
    class Meta:
        node = ShipmentNode


class RateQuoteType(graphene.ObjectType):
    class Meta:
        name = "RateQuote"
        description = "The price of a delivery under one contract's rate card (rateQuote: cheapest first)."

    carrier = graphene.Field(CarrierNode, required=True)
    contract = graphene.Field(ContractNode, required=True)
    zone = graphene.String(required=True, description="The rate card's zone of the destination.")
    chargeable_weight_kg = graphene.Decimal(required=True, description="Of all parcels: per parcel the larger of "
                                                                       "its actual and volumetric weight.")
    base = graphene.Decimal(required=True, description="First weight and additional steps.")
    fuel = graphene.Decimal(required=True, description="The fuel surcharge.")
    price = graphene.Decimal(required=True, description="Base + fuel, at least the minimum charge; 0 when the "
                                                        "goods' value reaches the free-over amount.")
    free = graphene.Boolean(required=True)
    minimum_applied = graphene.Boolean(required=True)
    currency = graphene.String(required=True)
    promised_days = graphene.Int(required=True)
    explanation = graphene.String(required=True, description="How the price was made, in words.")

    @staticmethod
    def prepare(context, quotes):
        CarrierByIdLoader(context).want(q.carrier_id for q in quotes)
        ContractByIdLoader(context).want(q.contract_id for q in quotes)

    resolve_carrier = resolve_with(CarrierByIdLoader, "carrier_id")
    resolve_contract = resolve_with(ContractByIdLoader, "contract_id")

    @staticmethod
    def resolve_zone(root, info):
        return root.zone_name

    @staticmethod
    def resolve_chargeable_weight_kg(root, info):
        return root.chargeable_kg
