"""Which connector follows a parcel: by its carrier (the parcel's, else the shipment's).

Own trucks have none (the driver updates the parcel from a phone page). Express carriers are subscribed at
the push aggregator, freight/LTL lines are polled; TRACKING_CARRIER_PROVIDERS ({carrier code: "aggregator" |
"polling"}) overrides this per carrier."""

from __future__ import annotations

from django.conf import settings

from logistics.carriers.models import Carrier
from logistics.tracking.connectors.aggregator import AggregatorConnector
from logistics.tracking.connectors.base import TrackingConnector
from logistics.tracking.connectors.polling import PollingConnector

CONNECTORS: dict[str, type[TrackingConnector]] = {
    AggregatorConnector.name: AggregatorConnector,
    PollingConnector.name: PollingConnector,
}


def provider_for(carrier: Carrier | None) -> str | None:
    """The provider's name for this carrier, None for own trucks (or no carrier at all)."""
    if carrier is None or carrier.kind == Carrier.Kind.OWN_FLEET:
        return None
    overrides = getattr(settings, "TRACKING_CARRIER_PROVIDERS", None) or {}
    if carrier.code in overrides and overrides[carrier.code] in CONNECTORS:
        return overrides[carrier.code]
    return PollingConnector.name if carrier.kind == Carrier.Kind.FREIGHT else AggregatorConnector.name


def connector_named(name: str) -> TrackingConnector | None:
    cls = CONNECTORS.get(name)
    return cls() if cls is not None else None


def connector_for(parcel) -> TrackingConnector | None:
    name = provider_for(parcel.carrier or parcel.shipment.carrier)
    return connector_named(name) if name else None
