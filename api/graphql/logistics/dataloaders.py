"""The loaders of logistics' rows (carriers, contracts, shipments, parcels and their tracking events): one query
per loader and request, whatever the number of rows (core/dataloaders.py)."""

from __future__ import annotations

from api.graphql.core.dataloaders import ByIdLoader, DataLoader, group_by
from logistics.carriers.models import Carrier, Contract
from logistics.shipments.models import Parcel, Shipment
from logistics.tracking.models import TrackingEvent


class CarrierByIdLoader(ByIdLoader[Carrier]):
    model = Carrier


class ContractByIdLoader(ByIdLoader[Contract]):
    model = Contract


class ShipmentByIdLoader(ByIdLoader[Shipment]):
    model = Shipment


class ParcelsByShipmentIdLoader(DataLoader[int, list]):
    """A shipment's parcels, by their number in the shipment."""

    default = []

    def batch_load(self, keys):
        rows = group_by(Parcel.objects.filter(shipment_id__in=keys).order_by("shipment_id", "seq"),
                        lambda p: p.shipment_id)
        return [rows.get(k, []) for k in keys]


class EventsByParcelIdLoader(DataLoader[int, list]):
    """A parcel's tracking events, newest first."""

    default = []

    def batch_load(self, keys):
        rows = group_by(TrackingEvent.objects.filter(parcel_id__in=keys).order_by("parcel_id", "-time", "-id"),
                        lambda e: e.parcel_id)
        return [rows.get(k, []) for k in keys]
