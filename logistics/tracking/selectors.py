"""Reads of tracking: exception tasks, received pushes, a parcel's track, the driver's parcels."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from logistics.carriers.models import Carrier
from logistics.shipments.models import Parcel
from logistics.tracking.codes import TERMINAL
from logistics.tracking.models import ExceptionTask, PushLog, TrackingEvent


def exception_task_list() -> QuerySet:
    """Open tasks first (newest first), then the resolved ones."""
    return (ExceptionTask.objects.select_related("parcel", "parcel__shipment")
            .annotate(is_open=Case(When(resolved_at__isnull=True, then=Value(0)), default=Value(1),
                                   output_field=IntegerField()))
            .order_by("is_open", "-opened_at", "-id"))


def exception_task_get(*, task_id: int) -> ExceptionTask | None:
    return ExceptionTask.objects.select_related("parcel", "parcel__shipment").filter(pk=task_id).first()


def open_exception_count() -> int:
    return ExceptionTask.objects.filter(resolved_at__isnull=True).count()


def push_log_list() -> QuerySet:
    return PushLog.objects.select_related("subscription", "subscription__parcel").order_by("-received_at", "-id")


def parcel_get(*, parcel_id: int) -> Parcel | None:
    return (Parcel.objects.select_related("shipment", "carrier", "subscription").filter(pk=parcel_id).first())


def parcel_events(*, parcel: Parcel) -> QuerySet:
    return TrackingEvent.objects.filter(parcel=parcel).order_by("-time", "-id")


def driver_parcels() -> QuerySet:
    """Parcels carried by the enterprise's own trucks (the parcel's carrier, else the shipment's) that are
    not delivered or returned yet."""
    own = Carrier.Kind.OWN_FLEET
    return (Parcel.objects.select_related("shipment")
            .filter(Q(carrier__kind=own) | Q(carrier__isnull=True, shipment__carrier__kind=own))
            .exclude(status__in=TERMINAL).order_by("shipment__number", "seq"))
