"""Writes to the stock ledger. Every quantity change goes through `stock_moves_post`; a change of value
alone (landed cost: freight added to stock already received) through `stock_value_adjust`.

Concurrency: every operation that changes or promises stock of an item first locks that item's
row (SELECT … FOR NO KEY UPDATE, items in id order so two operations never deadlock). Within
the lock, on-hand (StockBalance), reservations and the valuation are read and written, so two
requests can never both take the last unit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Item
from erp_modules.common.services import audit_record, document_number_next
from erp_modules.inventory.error_codes import InventoryErrorCode
from erp_modules.inventory.models import (ItemValuation, ItemValuationSnapshot, Location, Lot, MoveType, ReasonCode,
                                          Reservation, SerialNumber, SnapshotPeriod, StockBalance, StockCount,
                                          StockCountLine, StockMove, StockSnapshot, Warehouse)

ZERO = Decimal("0")
COST_PLACES = Decimal("0.0001")


@dataclass
class MoveLine:
    item: Item
    location: Location
    quantity: Decimal  # signed: + into the location, − out of it
    lot: Lot | None = None
    serial: SerialNumber | None = None
    unit_cost: Decimal | None = None  # incoming only; outgoing moves are valued at the moving average
    reference_line_id: int | None = None
    reservation: Reservation | None = None  # an outgoing move that fulfils this reservation


def _error(message: str, code: InventoryErrorCode, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=str(code))
    return ValidationError({field: error}) if field else error


def items_lock(item_ids) -> dict[int, Item]:
    """Lock the items' rows (in id order) for the rest of the transaction."""
    return {i.pk: i for i in Item.objects.select_for_update(no_key=True).filter(pk__in=set(item_ids)).order_by("pk")}


def _on_hand(item_id: int, location_id: int) -> Decimal:
    return StockBalance.objects.filter(item_id=item_id, location_id=location_id).aggregate(
        q=Sum("on_hand"))["q"] or ZERO


def _reserved(item_id: int, location_id: int) -> Decimal:
    row = Reservation.objects.filter(item_id=item_id, location_id=location_id,
                                     status=Reservation.Status.ACTIVE).aggregate(q=Sum("quantity"), c=Sum("consumed"))
    return (row["q"] or ZERO) - (row["c"] or ZERO)


def latest_snapshot_end():
    return SnapshotPeriod.objects.order_by("-period_end").values_list("period_end", flat=True).first()


def _check_period_open(posted_at) -> None:
    frozen = latest_snapshot_end()
    if frozen is not None and posted_at <= frozen:
        raise _error(_("Stock up to %(date)s is closed (a period snapshot exists); post with a later date.")
                     % {"date": timezone.localtime(frozen).strftime("%Y-%m-%d %H:%M")}, InventoryErrorCode.PERIOD_CLOSED)


def _check_line(line: MoveLine, item: Item, quantity: Decimal, where: str) -> None:
    if quantity == 0:
        raise _error(_("%(where)s: the quantity cannot be zero.") % {"where": where}, InventoryErrorCode.QUANTITY)
    if not item.is_stocked:
        raise _error(_("%(where)s: %(type)s items are not kept in stock.")
                     % {"where": where, "type": item.get_item_type_display()}, InventoryErrorCode.NOT_STOCKED)
    if not line.location.active:
        raise _error(_("%(where)s: location %(loc)s is inactive.") % {"where": where, "loc": line.location},
                     InventoryErrorCode.LOCATION_INACTIVE)
    if item.tracking != Item.Tracking.NONE and line.lot is None and line.serial is None:
        raise _error(_("%(where)s: this item is tracked by lot or serial number; give one.") % {"where": where},
                     InventoryErrorCode.LOT_REQUIRED)
    if line.lot is not None and line.lot.item_id != item.pk:
        raise _error(_("%(where)s: lot %(lot)s belongs to another item.") % {"where": where, "lot": line.lot},
                     InventoryErrorCode.LOT_MISMATCH)


def _value_line(line: MoveLine, item: Item, quantity: Decimal, valuation: ItemValuation,
                where: str) -> tuple[Decimal, Decimal]:
    """(unit cost, value) of a move, and the item's valuation and moving average after it: incoming at the
    line's cost (else the average, else the standard cost), outgoing at the moving average."""
    if quantity > 0:
        unit_cost = Decimal(line.unit_cost if line.unit_cost is not None else item.average_cost or item.standard_cost)
        if unit_cost < 0:
            raise _error(_("%(where)s: the unit cost cannot be negative.") % {"where": where},
                         InventoryErrorCode.COST)
        value = (quantity * unit_cost).quantize(COST_PLACES, ROUND_HALF_UP)
    else:
        unit_cost = item.average_cost
        value = (quantity * unit_cost).quantize(COST_PLACES, ROUND_HALF_UP)
        if valuation.quantity + quantity == 0:
            # The last units out take the remaining value, rounding included, so that the
            # ledger's Σ value is exactly 0 whenever the quantity is 0.
            value = -valuation.value
    valuation.quantity += quantity
    valuation.value += value
    if quantity > 0 and valuation.quantity > 0:
        item.average_cost = (valuation.value / valuation.quantity).quantize(COST_PLACES, ROUND_HALF_UP)
    return unit_cost, value


def _apply_line(line: MoveLine, item: Item, quantity: Decimal) -> None:
    """On-hand of the location (and lot), the reservation it fulfils, where the serial number now is."""
    balance, _created = StockBalance.objects.get_or_create(item=item, location=line.location, lot=line.lot)
    StockBalance.objects.filter(pk=balance.pk).update(on_hand=F("on_hand") + quantity)
    if line.reservation is not None:
        reservation = Reservation.objects.select_for_update().get(pk=line.reservation.pk)
        take = min(-quantity, reservation.open_quantity) if quantity < 0 else ZERO
        reservation.consumed += take
        if reservation.consumed >= reservation.quantity:
            reservation.status = Reservation.Status.CONSUMED
        reservation.save(update_fields=["consumed", "status"])
    if line.serial is not None:
        SerialNumber.objects.filter(pk=line.serial.pk).update(location=line.location if quantity > 0 else None)


def _check_enough(touched: set[tuple[int, int]], lines: list[MoveLine], items: dict[int, Item]) -> None:
    """After posting, no location that may not go negative is below zero (in total or for a lot) or below
    what is reserved in it."""
    for item_id, location_id in sorted(touched):
        location = next(line.location for line in lines if line.location.pk == location_id)
        if location.allow_negative:
            continue
        on_hand = _on_hand(item_id, location_id)
        lot_negative = StockBalance.objects.filter(item_id=item_id, location_id=location_id, on_hand__lt=0).exists()
        reserved = _reserved(item_id, location_id)
        if on_hand < 0 or lot_negative or on_hand < reserved:
            item = items[item_id]
            raise _error(
                _("Not enough %(item)s in %(loc)s: %(missing)s %(uom)s short (on hand after posting %(on_hand)s, "
                  "reserved for orders %(reserved)s).")
                % {"item": f"{item.code} {item.name}", "loc": location, "uom": item.uom,
                   "missing": _fmt(max(-on_hand, reserved - on_hand)), "on_hand": _fmt(on_hand),
                   "reserved": _fmt(reserved)},
                InventoryErrorCode.INSUFFICIENT_STOCK)


@transaction.atomic
def stock_moves_post(*, move_type: str, lines: list[MoveLine], reference: str = "", reference_type: str = "",
                     reference_id: int | None = None, reason: ReasonCode | None = None, note: str = "", user=None,
                     posted_at=None, corrects: StockMove | None = None) -> list[StockMove]:
    """Append ledger rows and update balances, reservations and valuation, all or nothing."""
    if not lines:
        raise _error(_("Nothing to post."), InventoryErrorCode.EMPTY)
    posted_at = posted_at or timezone.now()
    _check_period_open(posted_at)
    items = items_lock(line.item.pk for line in lines)
    group = uuid.uuid4()
    valuations = {v.item_id: v for v in ItemValuation.objects.select_for_update().filter(item_id__in=items)}
    moves = []
    touched: set[tuple[int, int]] = set()
    for n, line in enumerate(lines, start=1):
        item = items[line.item.pk]
        quantity = Decimal(line.quantity)
        where = _("line %(n)d (%(item)s)") % {"n": n, "item": item.code}
        _check_line(line, item, quantity, where)
        valuation = valuations.get(item.pk)
        if valuation is None:
            valuation = valuations[item.pk] = ItemValuation.objects.create(item=item)
        unit_cost, value = _value_line(line, item, quantity, valuation, where)
        _apply_line(line, item, quantity)
        touched.add((item.pk, line.location.pk))
        moves.append(StockMove(
            group=group, posted_at=posted_at, move_type=move_type, item=item, location=line.location, lot=line.lot,
            serial=line.serial, quantity=quantity, unit_cost=unit_cost, value=value, reference=reference,
            reference_type=reference_type, reference_id=reference_id, reference_line_id=line.reference_line_id,
            reason=reason, corrects=corrects, note=note, user=user if getattr(user, "is_authenticated", False) else None,
        ))
    _check_enough(touched, lines, items)
    for valuation in valuations.values():
        valuation.save(update_fields=["quantity", "value", "updated_at"])
    for item in items.values():
        Item.objects.filter(pk=item.pk).update(average_cost=item.average_cost)
    return StockMove.objects.bulk_create(moves)


def _fmt(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}" if quantity == quantity.to_integral() else f"{quantity:f}".rstrip("0")


@transaction.atomic
def stock_receive(*, item: Item, location: Location, quantity: Decimal, unit_cost: Decimal, lot: Lot | None = None,
                  reference: str = "", reference_type: str = "", reference_id=None, reference_line_id=None, user=None,
                  move_type: str = MoveType.RECEIPT, note: str = "") -> StockMove:
    if quantity <= 0:
        raise _error(_("A receipt needs a positive quantity."), InventoryErrorCode.QUANTITY, "quantity")
    return stock_moves_post(move_type=move_type, lines=[MoveLine(item, location, quantity, lot=lot, unit_cost=unit_cost,
                                                                 reference_line_id=reference_line_id)],
                            reference=reference, reference_type=reference_type, reference_id=reference_id, user=user,
                            note=note)[0]


@transaction.atomic
def stock_transfer(*, item: Item, source: Location, destination: Location, quantity: Decimal, lot: Lot | None = None,
                   user=None, note: str = "") -> list[StockMove]:
    if quantity <= 0:
        raise _error(_("A transfer needs a positive quantity."), InventoryErrorCode.QUANTITY, "quantity")
    if source.pk == destination.pk:
        raise _error(_("Choose two different locations."), InventoryErrorCode.SAME_LOCATION, "destination")
    items_lock([item.pk])
    item.refresh_from_db(fields=["average_cost"])
    reference = document_number_next(code="stock_transfer", prefix="TR-")
    return stock_moves_post(move_type=MoveType.TRANSFER_OUT, reference=reference, reference_type="transfer", user=user,
                            note=note, lines=[MoveLine(item, source, -quantity, lot=lot),
                                              MoveLine(item, destination, quantity, lot=lot, unit_cost=item.average_cost)])


@transaction.atomic
def stock_adjust(*, item: Item, location: Location, quantity: Decimal, reason: ReasonCode, lot: Lot | None = None,
                 unit_cost: Decimal | None = None, user=None, note: str = "", reference: str = "") -> StockMove:
    """A signed correction of on-hand with a reason (damage, found stock, count difference)."""
    if quantity == 0:
        raise _error(_("The adjustment quantity cannot be zero."), InventoryErrorCode.QUANTITY, "quantity")
    reference = reference or document_number_next(code="stock_adjustment", prefix="ADJ-")
    return stock_moves_post(move_type=MoveType.ADJUSTMENT, reason=reason, user=user, note=note, reference=reference,
                            reference_type="adjustment",
                            lines=[MoveLine(item, location, quantity, lot=lot, unit_cost=unit_cost)])[0]


@transaction.atomic
def stock_move_correct(*, move: StockMove, user=None, note: str = "") -> StockMove:
    """Reverse a posted ledger row with a new row (the ledger is never edited)."""
    if move.corrections.exists():
        raise _error(_("This move has already been corrected."), InventoryErrorCode.ALREADY_CORRECTED)
    return stock_moves_post(
        move_type=MoveType.CORRECTION, corrects=move, user=user, note=note or _("reverses %(ref)s") % {"ref": move.pk},
        reference=move.reference, reference_type=move.reference_type, reference_id=move.reference_id,
        lines=[MoveLine(move.item, move.location, -move.quantity, lot=move.lot, serial=move.serial,
                        unit_cost=move.unit_cost)])[0]


@dataclass
class ValueAdjustment:
    """What `stock_value_adjust` did: the part of the amount added to the stock value (a LANDED_COST ledger
    row, ``move``; None when nothing was added) and the rest, left as variance (its units are no longer on
    hand: they were issued before the amount was known)."""

    move: StockMove | None
    capitalised: Decimal
    variance: Decimal


@transaction.atomic
def stock_value_adjust(*, item: Item, location: Location, amount: Decimal, quantity_basis: Decimal | None = None,
                       reference: str = "", reference_type: str = "", reference_id: int | None = None,
                       reference_line_id: int | None = None, reason: ReasonCode | None = None, user=None,
                       note: str = "") -> ValueAdjustment:
    """Add ``amount`` (signed) to the value of the item's stock without moving any quantity: a LANDED_COST
    ledger row (quantity 0), the valuation's value and the moving average cost go up (down for a negative
    amount); on-hand is unchanged.

    ``quantity_basis``: the units the amount belongs to (e.g. the received quantity a freight share is for).
    When fewer units are on hand now (some were issued meanwhile), only the share of what is on hand,
    amount × on hand / basis, goes into the stock value; the rest is returned as variance. Without stock on
    hand everything is variance and no row is written. The value never goes below zero (the excess is
    variance too). Locks the item's row like every ledger write (module docstring)."""
    try:
        amount = Decimal(amount).quantize(COST_PLACES, ROUND_HALF_UP)
    except (ArithmeticError, TypeError, ValueError):
        raise _error(_("The amount must be a number."), InventoryErrorCode.AMOUNT, "amount") from None
    if not amount.is_finite():
        raise _error(_("The amount must be a number."), InventoryErrorCode.AMOUNT, "amount")
    if quantity_basis is not None and Decimal(quantity_basis) <= 0:
        raise _error(_("The quantity the amount belongs to must be positive."), InventoryErrorCode.QUANTITY,
                     "quantity_basis")
    posted_at = timezone.now()
    _check_period_open(posted_at)
    item = items_lock([item.pk])[item.pk]
    if not item.is_stocked:
        raise _error(_("%(type)s items are not kept in stock.") % {"type": item.get_item_type_display()},
                     InventoryErrorCode.NOT_STOCKED)
    valuation = ItemValuation.objects.select_for_update().filter(item=item).first()
    on_hand = valuation.quantity if valuation is not None else ZERO
    if amount == 0 or on_hand <= 0:
        return ValueAdjustment(move=None, capitalised=ZERO, variance=amount)
    capitalised = amount
    if quantity_basis is not None and on_hand < Decimal(quantity_basis):
        capitalised = (amount * on_hand / Decimal(quantity_basis)).quantize(COST_PLACES, ROUND_HALF_UP)
    if valuation.value + capitalised < 0:
        capitalised = -valuation.value
    variance = amount - capitalised
    if capitalised == 0:
        return ValueAdjustment(move=None, capitalised=ZERO, variance=variance)
    valuation.value += capitalised
    valuation.save(update_fields=["value", "updated_at"])
    item.average_cost = (valuation.value / valuation.quantity).quantize(COST_PLACES, ROUND_HALF_UP)
    Item.objects.filter(pk=item.pk).update(average_cost=item.average_cost)
    move = StockMove.objects.create(
        group=uuid.uuid4(), posted_at=posted_at, move_type=MoveType.LANDED_COST, item=item, location=location,
        quantity=ZERO, unit_cost=ZERO, value=capitalised, reference=reference[:60], reference_type=reference_type,
        reference_id=reference_id, reference_line_id=reference_line_id, reason=reason, note=note[:200],
        user=user if getattr(user, "is_authenticated", False) else None)
    return ValueAdjustment(move=move, capitalised=capitalised, variance=variance)


# ---- reservations ----------------------------------------------------------------------------


@transaction.atomic
def reservation_create(*, item: Item, location: Location, quantity: Decimal, reference_type: str, reference_id: int,
                       reference_line_id: int | None = None, reference: str = "") -> Reservation:
    """Promise stock to an order. Concurrency-safe: the item row is locked while available
    (on hand − open reservations) is checked and the reservation written."""
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise _error(_("Reserve a positive quantity."), InventoryErrorCode.QUANTITY, "quantity")
    item = items_lock([item.pk])[item.pk]
    if not item.is_stocked:
        raise _error(_("%(type)s items are not kept in stock.") % {"type": item.get_item_type_display()},
                     InventoryErrorCode.NOT_STOCKED)
    available = _on_hand(item.pk, location.pk) - _reserved(item.pk, location.pk)
    if available < quantity and not location.allow_negative:
        raise _error(_("Only %(available)s %(uom)s of %(item)s available in %(loc)s; %(wanted)s requested.")
                     % {"available": _fmt(max(available, ZERO)), "uom": item.uom, "item": f"{item.code} {item.name}",
                        "loc": location, "wanted": _fmt(quantity)}, InventoryErrorCode.INSUFFICIENT_STOCK)
    return Reservation.objects.create(item=item, location=location, quantity=quantity, reference=reference,
                                      reference_type=reference_type, reference_id=reference_id,
                                      reference_line_id=reference_line_id)


@transaction.atomic
def reservation_release(*, reservation: Reservation) -> Reservation:
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.status == Reservation.Status.ACTIVE:
        reservation.status = Reservation.Status.RELEASED
        reservation.save(update_fields=["status"])
    return reservation


def reservations_release_for(*, reference_type: str, reference_id: int) -> int:
    return Reservation.objects.filter(reference_type=reference_type, reference_id=reference_id,
                                      status=Reservation.Status.ACTIVE).update(status=Reservation.Status.RELEASED)


# ---- cycle counts ----------------------------------------------------------------------------


@transaction.atomic
def stock_count_create(*, location: Location, reason: ReasonCode, items: list[Item] | None = None,
                       note: str = "") -> StockCount:
    """Start a count of a location; expected quantities are today's on-hand per item and lot."""
    count = StockCount.objects.create(number=document_number_next(code="stock_count", prefix="CC-"), location=location,
                                      reason=reason, note=note)
    balances = StockBalance.objects.filter(location=location).exclude(on_hand=0)
    if items:
        balances = balances.filter(item__in=items)
    lines = [StockCountLine(count=count, item_id=b.item_id, lot_id=b.lot_id, expected=b.on_hand, counted=b.on_hand)
             for b in balances]
    known = {(b.item_id, b.lot_id) for b in balances}
    for item in items or []:
        if (item.pk, None) not in known and not any(k[0] == item.pk for k in known):
            lines.append(StockCountLine(count=count, item=item, expected=ZERO, counted=ZERO))
    StockCountLine.objects.bulk_create(lines)
    return count


@transaction.atomic
def stock_count_post(*, count: StockCount, counted: dict[int, Decimal], user=None) -> list[StockMove]:
    """Post the differences (counted − on hand now) as adjustment moves with the count's reason."""
    count = StockCount.objects.select_for_update().get(pk=count.pk)
    if count.status != StockCount.Status.DRAFT:
        raise _error(_("This count is already posted."), InventoryErrorCode.ALREADY_POSTED)
    lines = list(count.lines.select_related("item", "lot"))
    items_lock(line.item_id for line in lines)
    move_lines = []
    for line in lines:
        if line.pk in counted:
            value = Decimal(counted[line.pk])
            if value < 0:
                raise _error(_("Line %(item)s: a counted quantity cannot be negative.") % {"item": line.item.code},
                             InventoryErrorCode.QUANTITY)
            line.counted = value
            line.save(update_fields=["counted"])
        current = StockBalance.objects.filter(item=line.item, location=count.location, lot=line.lot).values_list(
            "on_hand", flat=True).first() or ZERO
        difference = line.counted - current
        if difference != 0:
            move_lines.append(MoveLine(line.item, count.location, difference, lot=line.lot, reference_line_id=line.pk))
    moves = []
    if move_lines:
        moves = stock_moves_post(move_type=MoveType.ADJUSTMENT, lines=move_lines, reason=count.reason, user=user,
                                 reference=count.number, reference_type="stock_count", reference_id=count.pk)
    count.status = StockCount.Status.POSTED
    count.posted_at = timezone.now()
    count.save(update_fields=["status", "posted_at"])
    audit_record(obj=count, action="post", user=user, message=_("%(n)d differences posted") % {"n": len(moves)})
    return moves


# ---- periods ---------------------------------------------------------------------------------


@transaction.atomic
def stock_snapshot_create(*, period_end) -> SnapshotPeriod:
    """Write on-hand and value per item × location × lot at period_end (previous snapshot + the
    moves since), and close the ledger up to it. Idempotent per period_end."""
    existing = SnapshotPeriod.objects.filter(period_end=period_end).first()
    if existing:
        return existing
    previous = SnapshotPeriod.objects.filter(period_end__lt=period_end).order_by("-period_end").first()
    if SnapshotPeriod.objects.filter(period_end__gt=period_end).exists():
        raise _error(_("A later period is already closed."), InventoryErrorCode.PERIOD_CLOSED)
    # Moves can never be posted into a closed period afterwards, so the highest id now bounds it.
    last_move_id = StockMove.objects.order_by("-id").values_list("id", flat=True).first() or 0
    params = {"end": period_end, "prev": previous.period_end if previous else None}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {StockSnapshot._meta.db_table} (period_end, item_id, location_id, lot_id, quantity, value)
            SELECT %(end)s, item_id, location_id, lot_id, SUM(quantity), SUM(value) FROM (
                SELECT item_id, location_id, lot_id, quantity, value FROM {StockSnapshot._meta.db_table}
                 WHERE %(prev)s::timestamptz IS NOT NULL AND period_end = %(prev)s
                UNION ALL
                SELECT item_id, location_id, lot_id, quantity, value FROM {StockMove._meta.db_table}
                 WHERE posted_at <= %(end)s AND (%(prev)s::timestamptz IS NULL OR posted_at > %(prev)s)
            ) AS rows GROUP BY item_id, location_id, lot_id HAVING SUM(quantity) <> 0 OR SUM(value) <> 0
            """, params)
        cursor.execute(
            f"""
            INSERT INTO {ItemValuationSnapshot._meta.db_table} (period_end, item_id, quantity, value)
            SELECT %(end)s, item_id, SUM(quantity), SUM(value) FROM {StockSnapshot._meta.db_table}
             WHERE period_end = %(end)s GROUP BY item_id
            """, params)
    return SnapshotPeriod.objects.create(period_end=period_end, last_move_id=last_move_id)


# ---- master data -----------------------------------------------------------------------------


@transaction.atomic
def warehouse_create(*, code: str, name: str, address: str = "", default_location_code: str = "STOCK") -> Warehouse:
    warehouse = Warehouse(code=code.strip().upper(), name=name.strip(), address=address.strip())
    warehouse.full_clean()
    warehouse.save()
    Location.objects.create(warehouse=warehouse, code=default_location_code, name=_("Stock"), is_default=True)
    return warehouse


@transaction.atomic
def location_create(*, warehouse: Warehouse, code: str, name: str = "", allow_negative: bool = False) -> Location:
    location = Location(warehouse=warehouse, code=code.strip().upper(), name=name.strip(), allow_negative=allow_negative)
    location.full_clean()
    location.save()
    return location


@transaction.atomic
def lot_get_or_create(*, item: Item, code: str, expiry_date=None, supplier_lot: str = "") -> Lot:
    code = (code or "").strip()
    if not code:
        raise _error(_("Give a lot number."), InventoryErrorCode.LOT_REQUIRED, "lot")
    lot, _created = Lot.objects.get_or_create(item=item, code=code,
                                              defaults={"expiry_date": expiry_date, "supplier_lot": supplier_lot})
    return lot
