"""Reads of the logistics dashboard: every figure is an aggregate computed in SQL over the current
enterprise's schema, a fixed number of queries whatever the number of shipments.

A period is [date_from, date_to] in local dates. Shipments by status count the shipments *created* in the
period, freight per order and by province those of them not cancelled; the on-time rate counts those *delivered* in it (on time: delivered on
or before the promised date, both as local dates). Late shipments and open exceptions are the state of today,
whatever the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from logistics.shipments.models import Parcel, Shipment
from logistics.tracking.models import ExceptionTask

Status = Shipment.Status
# a shipment still under way: late once its promised date has passed
OPEN_STATUSES = (Status.DRAFT, Status.BOOKED, Status.IN_TRANSIT, Status.EXCEPTION)
MONEY = DecimalField(max_digits=16, decimal_places=2)
WEIGHT = DecimalField(max_digits=16, decimal_places=3)
ZERO = Decimal("0")


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:  # exclusive
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(today - timedelta(days=days - 1), today)


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _per(amount: Decimal | None, whole: Decimal | int | None) -> Decimal | None:
    if not whole or amount is None:
        return None
    return (Decimal(amount) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _freight():
    """The freight of a shipment: what the carrier charged, else the quote (0 when neither is known)."""
    return Coalesce(F("actual_freight"), F("quoted_freight"), Value(ZERO), output_field=MONEY)


def _weight():
    """The weight of a shipment: its parcels' (a subquery, so that a sum over shipments counts each once)."""
    parcels = (Parcel.objects.filter(shipment=OuterRef("pk")).order_by().values("shipment")
               .annotate(w=Sum("weight_kg")).values("w"))
    return Coalesce(Subquery(parcels, output_field=WEIGHT), Value(ZERO), output_field=WEIGHT)


def shipments_in(period: Period) -> QuerySet[Shipment]:
    return Shipment.objects.filter(created_at__gte=period.start, created_at__lt=period.end)


def shipped_in(period: Period) -> QuerySet[Shipment]:
    """The shipments of the period that count for freight: not cancelled."""
    return shipments_in(period).exclude(status=Status.CANCELLED)


def status_counts(*, period: Period) -> list[dict]:
    """[{status, label, count}] of the shipments created in the period, in the order of the statuses."""
    counts = dict(shipments_in(period).order_by().values_list("status").annotate(n=Count("pk")))
    return [{"status": s.value, "label": s.label, "count": counts.get(s.value, 0)} for s in Status
            if counts.get(s.value)]


def late_shipment_list(*, today: date | None = None) -> QuerySet[Shipment]:
    """Shipments still under way whose promised date has passed, the most overdue first."""
    today = today or timezone.localdate()
    return (Shipment.objects.filter(status__in=OPEN_STATUSES, promised_date__lt=today)
            .select_related("carrier").order_by("promised_date", "id"))


def open_exception_list() -> QuerySet[ExceptionTask]:
    """Exception tasks not resolved yet, the oldest first."""
    return (ExceptionTask.objects.filter(resolved_at__isnull=True)
            .select_related("parcel__shipment", "parcel__carrier").order_by("opened_at", "id"))


def _on_time_counts() -> dict:
    return dict(delivered=Count("pk"), on_time=Count("pk", filter=Q(delivered_at__date__lte=F("promised_date"))))


def delivered_in(period: Period) -> QuerySet[Shipment]:
    """Shipments delivered in the period that had a promised date (the others cannot be late or on time)."""
    return Shipment.objects.filter(delivered_at__gte=period.start, delivered_at__lt=period.end,
                                   promised_date__isnull=False)


def on_time_by_carrier(*, period: Period) -> list[dict]:
    """[{carrier, code, delivered, on_time, late, rate}] per carrier (rate in %), the most deliveries first."""
    rows = (delivered_in(period).order_by().values("carrier_id", "carrier__code", "carrier__name")
            .annotate(**_on_time_counts()).order_by("-delivered", "carrier__code"))
    return [{"carrier": r["carrier__name"] or "—", "code": r["carrier__code"] or "", "delivered": r["delivered"],
             "on_time": r["on_time"], "late": r["delivered"] - r["on_time"], "rate": _pct(r["on_time"], r["delivered"])}
            for r in rows]


def on_time_rate(*, period: Period) -> tuple[int, int, Decimal | None]:
    """(delivered, on time, rate %) over every carrier."""
    row = delivered_in(period).aggregate(**_on_time_counts())
    return row["delivered"], row["on_time"], _pct(row["on_time"], row["delivered"])


def freight_by_order(*, period: Period) -> list[dict]:
    """Outbound shipments of the period by sales order: [{order, order_id, shipments, freight, weight_kg, per_kg,
    amount, share}], the largest freight first. ``amount`` is the order's amount excl. VAT and ``share`` the
    freight as % of it (None for an order of 0): the freight that comes off the order's margin."""
    rows = (shipped_in(period).filter(delivery__isnull=False).annotate(f=_freight(), w=_weight()).order_by()
            .values("delivery__order_id", "delivery__order__number", "delivery__order__amount_excl_vat")
            .annotate(shipments=Count("pk"), freight=Sum("f"), weight=Sum("w"))
            .order_by("-freight", "delivery__order__number"))
    result = []
    for r in rows:
        freight, amount = r["freight"] or ZERO, r["delivery__order__amount_excl_vat"] or ZERO
        result.append({"order": r["delivery__order__number"], "order_id": r["delivery__order_id"],
                       "shipments": r["shipments"], "freight": freight, "weight_kg": r["weight"] or ZERO,
                       "per_kg": _per(r["freight"], r["weight"]), "amount": amount,
                       "share": (freight * 100 / amount).quantize(Decimal("0.1")) if amount else None})
    return result


def freight_summary(*, period: Period) -> dict:
    """Over the shipments of the period: freight, weight, orders; freight per order, per shipment and per kg."""
    row = (shipped_in(period).annotate(f=_freight(), w=_weight())
           .aggregate(shipments=Count("pk"), freight=Sum("f"), weight=Sum("w"),
                      orders=Count("delivery__order_id", distinct=True)))
    freight, weight = row["freight"] or ZERO, row["weight"] or ZERO
    return {"shipments": row["shipments"], "orders": row["orders"], "freight": freight, "weight_kg": weight,
            "per_order": _per(freight, row["orders"]), "per_shipment": _per(freight, row["shipments"]),
            "per_kg": _per(freight, weight)}


def freight_by_province(*, period: Period, name_of=None) -> list[dict]:
    """[{code, province, shipments, freight, weight_kg, per_kg}] by destination province, the largest freight
    first; `name_of(code)` names a province (else the code)."""
    rows = (shipped_in(period).annotate(f=_freight(), w=_weight()).order_by().values("province_code")
            .annotate(shipments=Count("pk"), freight=Sum("f"), weight=Sum("w")).order_by("-freight", "province_code"))
    result = []
    for r in rows:
        code = r["province_code"]
        name = (name_of(code) if name_of and code else "") or code or "—"
        result.append({"code": code, "province": name, "shipments": r["shipments"], "freight": r["freight"] or ZERO,
                       "weight_kg": r["weight"] or ZERO, "per_kg": _per(r["freight"], r["weight"])})
    return result


def dashboard_card_figures(*, today: date | None = None) -> dict | None:
    """The enterprise home's card: shipments in transit, open exceptions, on-time rate of the last 30 days;
    None when the enterprise has no shipment at all. Two queries."""
    period = Period.last_days(30, today)
    row = Shipment.objects.aggregate(
        total=Count("pk"), in_transit=Count("pk", filter=Q(status=Status.IN_TRANSIT)),
        delivered=Count("pk", filter=Q(delivered_at__gte=period.start, delivered_at__lt=period.end,
                                       promised_date__isnull=False)),
        on_time=Count("pk", filter=Q(delivered_at__gte=period.start, delivered_at__lt=period.end,
                                     delivered_at__date__lte=F("promised_date"))))
    if not row["total"]:
        return None
    return {"in_transit": row["in_transit"], "open_exceptions": ExceptionTask.objects.filter(
        resolved_at__isnull=True).count(), "delivered_30d": row["delivered"], "on_time_rate": _pct(row["on_time"],
                                                                                                  row["delivered"])}
