"""Reservations of open orders: "check availability" tops them up from the stock available now, for
one order (`sales_order_reserve_available`) or for every short order by priority
(`sales_orders_reserve_available`, one transaction per order; the background check runs it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from erp_modules.catalog.models import Item
from erp_modules.common.services import audit_record
from erp_modules.inventory.models import Reservation
from erp_modules.inventory.selectors import stock_available
from erp_modules.inventory.services import items_lock, reservation_create
from erp_modules.sales.formatting import qty
from erp_modules.sales.models import RESERVATION_REFERENCE, SalesOrder, SalesOrderKitComponent, SalesOrderLine
from erp_modules.sales.selectors import StockNeed, order_line_needs, sales_orders_short
from erp_modules.sales.services._common import ZERO, _line_label, _status_error

log = logging.getLogger(__name__)


def _quantity_text(line: SalesOrderLine, item: Item, quantity: Decimal) -> str:
    """"Line 2 (KIT-900 油烟机套装), component FLT-01: 4 个" (history messages)."""
    where = _line_label(line.sequence, line.item)
    if item.pk != line.item.pk:
        where = _("%(where)s, component %(component)s") % {"where": where, "component": item.code}
    return f"{where}: {qty(quantity)} {item.uom}"


def _reserve_up_to(*, order: SalesOrder, line: SalesOrderLine, item: Item, quantity: Decimal) -> Decimal:
    """Reserve for an order line as much of `quantity` as is available in the line's location now
    (all of it where the location allows negative stock); return what was reserved. The item row
    is locked before availability is read, so that the figure cannot change before it is used."""
    items_lock([item.pk])
    if not line.location.allow_negative:
        quantity = min(quantity, max(stock_available(item=item, location=line.location), ZERO))
    if quantity <= 0:
        return ZERO
    reservation_create(item=item, location=line.location, quantity=quantity, reference_type=RESERVATION_REFERENCE,
                       reference_id=order.pk, reference_line_id=line.pk, reference=order.number)
    return quantity


def _order_reservations(order: SalesOrder) -> dict[int, list[Reservation]]:
    """The order's reservations (any status) per order line, oldest first, locked (rows of the
    reservation table only) for the rest of the transaction."""
    result: dict[int, list[Reservation]] = {}
    for reservation in (Reservation.objects.select_for_update(of=("self",))
                        .filter(reference_type=RESERVATION_REFERENCE, reference_id=order.pk)
                        .select_related("item", "item__uom").order_by("pk")):
        result.setdefault(reservation.reference_line_id, []).append(reservation)
    return result


def _order_kit_components(order: SalesOrder) -> dict[int, list[SalesOrderKitComponent]]:
    result: dict[int, list[SalesOrderKitComponent]] = {}
    for component in SalesOrderKitComponent.objects.filter(line__order=order).select_related("item", "item__uom"):
        result.setdefault(component.line_id, []).append(component)
    return result


@dataclass
class OrderCheck:
    """What "check availability" did to one order: the reservations it added and what is still
    short (texts as in the order's history: "Line 1 (HOOD-900 油烟机 CXW-900): 3 个"), the number
    of lines that got something and that are still short; or why it failed (nothing of it kept)."""

    order_id: int
    number: str
    reserved: list[str]
    still_short: list[str]
    lines_reserved: int = 0
    lines_short: int = 0
    error: str = ""

    def as_dict(self) -> dict:
        return {"order_id": self.order_id, "number": self.number, "reserved": "; ".join(self.reserved),
                "still_short": "; ".join(self.still_short), "lines_reserved": self.lines_reserved,
                "lines_short": self.lines_short, "error": self.error}


def _order_reserve_available(*, order: SalesOrder, user=None) -> tuple[SalesOrder, OrderCheck]:
    """The body of `sales_order_reserve_available`, in the caller's transaction."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in SalesOrder.OPEN_STATUSES:
        raise _status_error(order, _("checked for availability"))
    reservations = _order_reservations(order)
    components = _order_kit_components(order)
    wanted: list[tuple[SalesOrderLine, StockNeed]] = []
    for line in order.lines.select_related("item", "item__uom", "location", "location__warehouse"):
        if line.open_qty <= 0 or line.location is None:
            continue
        for need in order_line_needs(line=line, reservations=reservations.get(line.pk, []),
                                     kit_components=components.get(line.pk, [])):
            if need.short > 0:
                wanted.append((line, need))
    items_lock(need.item.pk for _line, need in wanted)
    added: list[str] = []
    still_short: list[str] = []
    lines_added: set[int] = set()
    lines_short: set[int] = set()
    for line, need in wanted:
        got = _reserve_up_to(order=order, line=line, item=need.item, quantity=need.short)
        if got > 0:
            added.append(_quantity_text(line, need.item, got))
            lines_added.add(line.pk)
        if got < need.short:
            still_short.append(_quantity_text(line, need.item, need.short - got))
            lines_short.add(line.pk)
    if added:
        message = _("Availability checked, reserved %(added)s") % {"added": "; ".join(added)}
        if still_short:
            message = _("%(message)s; still short: %(short)s") % {"message": message, "short": "; ".join(still_short)}
        audit_record(obj=order, action="update", user=user, message=message)
    return order, OrderCheck(order_id=order.pk, number=order.number, reserved=added, still_short=still_short,
                             lines_reserved=len(lines_added), lines_short=len(lines_short))


@transaction.atomic
def sales_order_reserve_available(*, order: SalesOrder, user=None) -> SalesOrder:
    """"Check availability": top up the reservations of an open order from the stock available
    now (after a production or purchase receipt, say), up to what each line still needs to
    deliver; kits per component, in the proportions recorded at confirmation.

    Idempotent: a fully reserved line, or stock that is not there, reserves nothing and writes
    nothing; the history records what was added and what is still short. Concurrency: the order
    row is locked first (as by every action on an order), then the items in id order, and each
    reservation goes through `reservation_create`, which checks availability under the item lock."""
    order, _check = _order_reserve_available(order=order, user=user)
    return order


@dataclass
class AvailabilityReport:
    """What `sales_orders_reserve_available` did, per order in the order it served them."""

    orders: list[OrderCheck]

    @property
    def orders_checked(self) -> int:
        return len(self.orders)

    @property
    def lines_reserved(self) -> int:
        return sum(o.lines_reserved for o in self.orders)

    @property
    def lines_short(self) -> int:
        return sum(o.lines_short for o in self.orders)

    @property
    def orders_failed(self) -> int:
        return sum(1 for o in self.orders if o.error)


def _by_priority(order_ids) -> list[tuple[int, str]]:
    """(id, number) of the orders, earliest requested delivery date first (none last), then
    order date, then number: who gets scarce stock first."""
    return list(SalesOrder.objects.filter(pk__in=set(order_ids))
                .order_by(F("delivery_date").asc(nulls_last=True), "order_date", "number", "pk")
                .values_list("pk", "number"))


def sales_orders_reserve_available(*, user=None, orders=None, progress=None) -> AvailabilityReport:
    """"Check availability" for all open orders that are short (`orders=None`), or for the given
    orders (SalesOrder objects or ids), served by priority — earliest requested delivery date
    first, then order date, then number — so that when stock is scarce the most urgent order gets
    it. Each order goes through `sales_order_reserve_available` in its own transaction (a savepoint
    inside the caller's), with its locks: an order that fails (say, cancelled meanwhile) is
    reported with the reason and leaves nothing behind, and the others keep what they reserved.

    Deliberately not one transaction: every order is committed (and its locks released) as soon
    as it is done, so clerks delivering other orders are not held up while a long run goes on.
    `progress(done, total)` is called after each order."""
    if orders is None:
        ids = sales_orders_short()
    else:
        ids = [getattr(o, "pk", o) for o in orders]
    queue = _by_priority(ids)
    missing = set(ids) - {pk for pk, _number in queue}
    results: list[OrderCheck] = []
    for pk, number in queue:
        try:
            with transaction.atomic():
                _order, check = _order_reserve_available(order=SalesOrder(pk=pk), user=user)
        except ValidationError as exc:
            check = OrderCheck(order_id=pk, number=number, reserved=[], still_short=[], error=" ".join(exc.messages))
        except SalesOrder.DoesNotExist:  # deleted since the queue was read
            check = OrderCheck(order_id=pk, number=number, reserved=[], still_short=[],
                               error=_("%(number)s no longer exists.") % {"number": number})
        except DatabaseError as exc:  # a deadlock or a lock timeout, say: this order only
            log.warning("availability check of %s failed", number, exc_info=True)
            check = OrderCheck(order_id=pk, number=number, reserved=[], still_short=[],
                               error=_("The database was busy with this order (%(kind)s); try it again.")
                               % {"kind": type(exc).__name__})  # the details are in the worker's log
        results.append(check)
        if progress is not None:
            progress(len(results), len(queue))
    for pk in sorted(missing):
        results.append(OrderCheck(order_id=pk, number="", reserved=[], still_short=[],
                                  error=_("There is no sales order %(id)s.") % {"id": pk}))
    return AvailabilityReport(orders=results)
