"""Reads of shipments for the pages, the exports, the public tracking page and the other logistics apps."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet

from erp_modules.purchasing.models import Receipt
from erp_modules.sales.models import Delivery
from logistics.shipments.models import Parcel, ProofOfDelivery, Shipment

Status = Shipment.Status
HUNDRED = Decimal("100")


def freight_difference_pct() -> Decimal:
    """Actual freight further than this % from the quote is flagged (setting LOGISTICS_FREIGHT_DIFF_PCT, 10)."""
    return Decimal(str(getattr(settings, "LOGISTICS_FREIGHT_DIFF_PCT", 10)))


def freight_flagged(shipment: Shipment) -> bool:
    """The actual freight differs from the quoted one by more than freight_difference_pct()."""
    quoted, actual = shipment.quoted_freight, shipment.actual_freight
    if quoted is None or actual is None:
        return False
    if quoted == 0:
        return actual != 0
    return abs(actual - quoted) * HUNDRED / quoted > freight_difference_pct()


def freight_difference(shipment: Shipment) -> Decimal | None:
    """(actual − quoted) / quoted in %, one decimal; None without both."""
    quoted, actual = shipment.quoted_freight, shipment.actual_freight
    if quoted is None or actual is None or quoted == 0:
        return None
    return ((actual - quoted) * HUNDRED / quoted).quantize(Decimal("0.1"))


def shipment_list(*, status: str | None = None) -> QuerySet[Shipment]:
    qs = (Shipment.objects.select_related("carrier", "delivery", "receipt")
          .annotate(parcel_count=Count("parcels")).order_by("-created_at", "-id"))
    if status:
        qs = qs.filter(status=status)
    return qs


def shipments_flagged(*, qs: QuerySet[Shipment] | None = None) -> list[Shipment]:
    """Shipments whose actual freight is flagged against the quote."""
    qs = (qs if qs is not None else Shipment.objects.all()).filter(quoted_freight__isnull=False,
                                                                   actual_freight__isnull=False)
    return [s for s in qs if freight_flagged(s)]


def shipment_get(*, shipment_id: int) -> Shipment | None:
    return (Shipment.objects.select_related("carrier", "contract", "delivery", "receipt", "purchase_order", "partner")
            .filter(pk=shipment_id).first())


def shipment_by_token(*, token: str) -> Shipment | None:
    """The shipment of a public tracking link (the token is the only key); None for anything else."""
    if not token or len(token) > 64:
        return None
    return Shipment.objects.select_related("carrier").filter(tracking_token=token).first()


def shipment_parcels(*, shipment: Shipment) -> list[Parcel]:
    return list(shipment.parcels.select_related("carrier").order_by("seq"))


def parcel_get(*, shipment: Shipment, parcel_id: int) -> Parcel | None:
    return shipment.parcels.select_related("carrier").filter(pk=parcel_id).first()


def parcel_get_any(*, parcel_id: int) -> Parcel | None:
    return Parcel.objects.select_related("shipment", "carrier").filter(pk=parcel_id).first()


def parcel_events(*, parcel: Parcel) -> list:
    """The parcel's tracking events, newest first (the tracking app's rows, read through the reverse
    relation ``events``: shipments does not import tracking). Empty when the tracking app has none."""
    manager = getattr(parcel, "events", None)
    if manager is None:
        return []
    return list(manager.order_by("-time", "-id")[:200])


def shipment_proofs(*, shipment: Shipment) -> list[ProofOfDelivery]:
    return list(shipment.proofs.select_related("parcel").order_by("-uploaded_at", "-id"))


def proof_get(*, proof_id: int) -> ProofOfDelivery | None:
    return ProofOfDelivery.objects.select_related("shipment", "parcel").filter(pk=proof_id).first()


def deliveries_unshipped() -> QuerySet[Delivery]:
    """Sales deliveries without a shipment that is not cancelled."""
    active = Shipment.objects.filter(delivery=OuterRef("pk")).exclude(status=Status.CANCELLED)
    return (Delivery.objects.select_related("customer", "order").annotate(shipped=Exists(active))
            .filter(shipped=False).order_by("-delivery_date", "-id"))


def receipts_unshipped() -> QuerySet[Receipt]:
    active = Shipment.objects.filter(receipt=OuterRef("pk")).exclude(status=Status.CANCELLED)
    return (Receipt.objects.select_related("order", "order__supplier").annotate(shipped=Exists(active))
            .filter(shipped=False).order_by("-posted_at", "-id"))
