"""Reads of stock. Current figures come from StockBalance / ItemValuation (never the whole
ledger); figures as of a past moment from the latest period snapshot plus the moves after it."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from erp_modules.catalog.models import Item
from erp_modules.inventory.models import (ItemValuation, Location, Reservation, SnapshotPeriod, StockBalance,
                                          StockMove, Warehouse)

ZERO = Decimal("0")
_DEC = DecimalField(max_digits=18, decimal_places=4)


def location_default(*, warehouse: Warehouse | None = None) -> Location | None:
    qs = Location.objects.select_related("warehouse").filter(is_default=True, active=True)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    return qs.order_by("warehouse__code").first()


def location_for_item(*, item: Item) -> Location | None:
    return location_default(warehouse=item.default_warehouse) if item.default_warehouse_id else location_default()


def stock_on_hand(*, item: Item, location: Location | None = None, as_of=None) -> Decimal:
    """On-hand of an item (in one location or all). as_of=None: now, from balances."""
    if as_of is None:
        qs = StockBalance.objects.filter(item=item)
        if location is not None:
            qs = qs.filter(location=location)
        return qs.aggregate(q=Sum("on_hand"))["q"] or ZERO
    period = SnapshotPeriod.objects.filter(period_end__lte=as_of).order_by("-period_end").first()
    loc_sql = "AND location_id = %(loc)s" if location is not None else ""
    params = {"item": item.pk, "loc": location.pk if location else None, "as_of": as_of,
              "period": period.period_end if period else None}
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT COALESCE((SELECT SUM(quantity) FROM inventory_stocksnapshot
                              WHERE %(period)s::timestamptz IS NOT NULL AND period_end = %(period)s
                                AND item_id = %(item)s {loc_sql}), 0)
                 + COALESCE((SELECT SUM(quantity) FROM inventory_stockmove
                              WHERE item_id = %(item)s {loc_sql} AND posted_at <= %(as_of)s
                                AND (%(period)s::timestamptz IS NULL OR posted_at > %(period)s)), 0)
        """, params)
        return cursor.fetchone()[0]


def stock_on_hand_from_ledger(*, item: Item, as_of) -> Decimal:
    """The naive way (sum of every move): kept for the benchmark and invariant tests."""
    return StockMove.objects.filter(item=item, posted_at__lte=as_of).aggregate(q=Sum("quantity"))["q"] or ZERO


def stock_valuation_report(*, as_of=None) -> list[dict]:
    """Quantity, value and average cost per item with stock, now or as of a past moment."""
    if as_of is None:
        rows = (ItemValuation.objects.exclude(quantity=0, value=0).select_related("item", "item__uom")
                .order_by("item__code"))
        return [{"item_id": r.item_id, "code": r.item.code, "name": r.item.name, "uom": str(r.item.uom),
                 "quantity": r.quantity, "value": r.value} for r in rows]
    period = SnapshotPeriod.objects.filter(period_end__lte=as_of).order_by("-period_end").first()
    params = {"as_of": as_of, "period": period.period_end if period else None}
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT i.id, i.code, i.name, u.name, t.quantity, t.value FROM (
                SELECT item_id, SUM(quantity) AS quantity, SUM(value) AS value FROM (
                    SELECT item_id, quantity, value FROM inventory_itemvaluationsnapshot
                     WHERE %(period)s::timestamptz IS NOT NULL AND period_end = %(period)s
                    UNION ALL
                    SELECT item_id, quantity, value FROM inventory_stockmove
                     WHERE posted_at <= %(as_of)s AND (%(period)s::timestamptz IS NULL OR posted_at > %(period)s)
                ) AS rows GROUP BY item_id
            ) AS t JOIN catalog_item i ON i.id = t.item_id JOIN catalog_unitofmeasure u ON u.id = i.uom_id
            WHERE t.quantity <> 0 OR t.value <> 0 ORDER BY i.code
        """, params)
        return [{"item_id": r[0], "code": r[1], "name": r[2], "uom": r[3], "quantity": r[4], "value": r[5]}
                for r in cursor.fetchall()]


def stock_valuation_from_ledger(*, as_of) -> list[dict]:
    """The naive valuation (every move up to as_of): the benchmark's baseline."""
    rows = (StockMove.objects.filter(posted_at__lte=as_of).values("item_id").annotate(quantity=Sum("quantity"),
                                                                                      value=Sum("value"))
            .exclude(quantity=0, value=0).order_by("item_id"))
    return list(rows)


def stock_level_list(*, warehouse: Warehouse | None = None, search: str = "", item: Item | None = None,
                     below_safety: bool = False) -> QuerySet[StockBalance]:
    """On-hand, reserved and available per item × location (× lot) for the stock page."""
    reserved = (Reservation.objects.filter(item_id=OuterRef("item_id"), location_id=OuterRef("location_id"),
                                           status=Reservation.Status.ACTIVE)
                .values("item_id").annotate(r=Sum("quantity") - Sum("consumed")).values("r"))
    qs = (StockBalance.objects.select_related("item", "item__uom", "location", "location__warehouse", "lot")
          .exclude(on_hand=0)
          .annotate(reserved=Coalesce(Subquery(reserved, output_field=_DEC), Value(ZERO, output_field=_DEC)))
          .annotate(available=F("on_hand") - F("reserved")))
    if warehouse is not None:
        qs = qs.filter(location__warehouse=warehouse)
    if item is not None:
        qs = qs.filter(item=item)
    if search:
        qs = qs.filter(Q(item__code__icontains=search) | Q(item__name__icontains=search) |
                       Q(lot__code__icontains=search))
    return qs.order_by("item__code", "location__warehouse__code", "location__code")


def stock_available(*, item: Item, location: Location) -> Decimal:
    on_hand = StockBalance.objects.filter(item=item, location=location).aggregate(q=Sum("on_hand"))["q"] or ZERO
    row = Reservation.objects.filter(item=item, location=location, status=Reservation.Status.ACTIVE).aggregate(
        q=Sum("quantity"), c=Sum("consumed"))
    return on_hand - ((row["q"] or ZERO) - (row["c"] or ZERO))


def item_on_hand_expression() -> Coalesce:
    """An item's on-hand over all locations (0 without stock), to annotate a queryset of items with."""
    totals = StockBalance.objects.filter(item_id=OuterRef("pk")).values("item_id").annotate(
        q=Sum("on_hand")).values("q")
    return Coalesce(Subquery(totals, output_field=_DEC), Value(ZERO, output_field=_DEC))


def item_has_stock(*, item: Item) -> bool:
    """Whether any location holds some of the item (a positive or a negative balance)."""
    return StockBalance.objects.filter(item=item).exclude(on_hand=0).exists()


def items_below_safety_stock() -> list[dict]:
    """Items whose total on-hand is below their safety stock (for the manager's dashboard)."""
    qs = (Item.objects.filter(active=True, safety_stock__gt=0)
          .annotate(on_hand=item_on_hand_expression())
          .filter(on_hand__lt=F("safety_stock")).select_related("uom").order_by("code"))
    return list(qs)


def stock_move_list(*, item: Item | None = None, reference: str = "", move_type: str = "") -> QuerySet[StockMove]:
    qs = StockMove.objects.select_related("item", "location", "location__warehouse", "lot", "reason")
    if item is not None:
        qs = qs.filter(item=item)
    if reference:
        qs = qs.filter(reference__icontains=reference)
    if move_type:
        qs = qs.filter(move_type=move_type)
    return qs.order_by("-posted_at", "-id")


def trace_serial_components(*, reference_type: str, reference_id: int) -> QuerySet[StockMove]:
    """Component lots consumed by a work order (traceability from a finished serial/lot back)."""
    return StockMove.objects.filter(reference_type=reference_type, reference_id=reference_id,
                                    move_type="consume").select_related("item", "lot")

