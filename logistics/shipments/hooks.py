"""What other logistics apps do when parcels are booked, without shipments importing them (layers:
tracking > shipments). The tracking app registers in its AppConfig.ready()::

    from logistics.shipments.hooks import parcels_booked_register
    parcels_booked_register(subscribe_waybills)   # fn(parcel_ids: list[int]) -> None

``shipment_book`` runs every registered callable in ``transaction.on_commit`` with the ids of the booked
parcels (a rolled-back booking calls nothing). The registry is filled at start-up only."""

from __future__ import annotations

from collections.abc import Callable

ParcelsBooked = Callable[[list[int]], object]

_PARCELS_BOOKED: list[ParcelsBooked] = []


def parcels_booked_register(fn: ParcelsBooked) -> ParcelsBooked:
    """Register ``fn(parcel_ids)``; registering the same callable twice keeps one. Returns ``fn``."""
    if fn not in _PARCELS_BOOKED:
        _PARCELS_BOOKED.append(fn)
    return fn


def parcels_booked_hooks() -> list[ParcelsBooked]:
    return list(_PARCELS_BOOKED)


def parcels_booked_run(parcel_ids: list[int]) -> None:
    """Call every hook (shipment_book does it on commit)."""
    for fn in parcels_booked_hooks():
        fn(list(parcel_ids))


# ---- the actual freight recorded (the freight app brings the landed cost of inbound freight up to date) ----

FreightRecorded = Callable[..., object]

_FREIGHT_RECORDED: list[FreightRecorded] = []


def freight_recorded_register(fn: FreightRecorded) -> FreightRecorded:
    """Register ``fn(*, shipment, user)``, run by ``shipment_freight_record`` inside its transaction (an error
    rolls the freight back too); registering the same callable twice keeps one. Returns ``fn``."""
    if fn not in _FREIGHT_RECORDED:
        _FREIGHT_RECORDED.append(fn)
    return fn


def freight_recorded_run(*, shipment, user) -> None:
    for fn in list(_FREIGHT_RECORDED):
        fn(shipment=shipment, user=user)
