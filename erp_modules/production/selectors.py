"""Reads of production: work order lists, the factory dashboard figures, piece-rate pay, MRP supply
and demand, costs, and lot / serial traceability (from the inventory ledger)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from erp_modules.catalog.models import Item, WorkCenter
from erp_modules.inventory.models import Lot, MoveType, Reservation, SerialNumber, StockBalance, StockMove
from erp_modules.production.models import (REFERENCE_TYPE, OperationReport, WorkOrder, WorkOrderComponent,
                                           WorkOrderOperation)

ZERO = Decimal("0")
SIXTY = Decimal("60")
_DEC = DecimalField(max_digits=18, decimal_places=4)


# ---- lists -------------------------------------------------------------------------------------


def work_order_list(*, search: str = "", status: str = "", item: Item | None = None) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.select_related("item", "item__uom", "bom", "routing")
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(item__code__icontains=search) | Q(item__name__icontains=search)
                       | Q(note__icontains=search))
    if status:
        qs = qs.filter(status=status)
    if item is not None:
        qs = qs.filter(item=item)
    return qs.order_by("-created_at", "-id")


def work_order_get(*, work_order_id: int) -> WorkOrder | None:
    """None whether the order is missing or belongs to another enterprise (another schema)."""
    return (WorkOrder.objects.select_related("item", "item__uom", "bom", "routing", "component_location__warehouse",
                                             "output_location__warehouse", "output_lot")
            .filter(pk=work_order_id).first())


def work_order_components(*, work_order: WorkOrder) -> list[WorkOrderComponent]:
    """Component and by-product rows, each with `reserved` = the open (active, unconsumed) reservation."""
    reserved = (Reservation.objects.filter(reference_type=REFERENCE_TYPE, reference_id=work_order.pk,
                                           reference_line_id=OuterRef("pk"), status=Reservation.Status.ACTIVE)
                .values("reference_line_id").annotate(r=Sum("quantity") - Sum("consumed")).values("r"))
    return list(work_order.components.select_related("item", "item__uom", "kit")
                .annotate(reserved=Coalesce(Subquery(reserved, output_field=_DEC), Value(ZERO, output_field=_DEC)))
                .order_by("line_type", "sequence", "id"))


def work_order_operations(*, work_order: WorkOrder) -> list[WorkOrderOperation]:
    return list(work_order.operations.select_related("work_center").order_by("sequence"))


def operation_report_list(*, work_order: WorkOrder | None = None, date_from: date | None = None,
                          date_to: date | None = None, operator: str = "") -> QuerySet[OperationReport]:
    qs = OperationReport.objects.select_related("work_order", "work_order__item", "operation",
                                                "operation__work_center")
    if work_order is not None:
        qs = qs.filter(work_order=work_order)
    if date_from is not None:
        qs = qs.filter(work_date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(work_date__lte=date_to)
    if operator:
        qs = qs.filter(operator_name=operator)
    return qs.order_by("-work_date", "-id")


# ---- dashboard ---------------------------------------------------------------------------------


def work_orders_in_progress() -> QuerySet[WorkOrder]:
    """Released and in-progress orders, the soonest planned end first (undated last)."""
    return (WorkOrder.objects.filter(status__in=WorkOrder.ACTIVE_STATUSES).select_related("item", "item__uom")
            .order_by(F("planned_end").asc(nulls_last=True), "number"))


def work_order_open_count() -> int:
    """Orders not yet completed or cancelled (draft, released, in progress)."""
    return WorkOrder.objects.filter(status__in=WorkOrder.OPEN_STATUSES).count()


def piece_rate_pay(*, date_from: date, date_to: date, operator: str = "") -> QuerySet[dict]:
    """Per operator over work dates date_from..date_to (inclusive): reports, good, scrap, pieces,
    minutes and pay, ordered by operator. Rows are dicts with those keys plus `operator_name`."""
    qs = OperationReport.objects.filter(work_date__gte=date_from, work_date__lte=date_to)
    if operator:
        qs = qs.filter(operator_name__icontains=operator)
    return (qs.values("operator_name")
            .annotate(reports=Count("id"), quantity_good=Sum("quantity_good"), quantity_scrap=Sum("quantity_scrap"),
                      piece_count=Sum("piece_count"), minutes=Sum("minutes"), pay=Sum("pay"))
            .order_by("operator_name"))


# ---- planning (MRP) ----------------------------------------------------------------------------


def work_order_supply(*, item_ids=None) -> QuerySet[WorkOrder]:
    """Open orders as planned receipts: each with `remaining` = quantity − produced, due planned_end."""
    qs = (WorkOrder.objects.filter(status__in=WorkOrder.OPEN_STATUSES)
          .annotate(remaining=ExpressionWrapper(F("quantity") - F("quantity_produced"), output_field=_DEC))
          .filter(remaining__gt=0).select_related("item"))
    if item_ids is not None:
        qs = qs.filter(item_id__in=item_ids)
    return qs.order_by(F("planned_end").asc(nulls_last=True), "number")


def work_order_component_demand(*, item_ids=None) -> QuerySet[WorkOrderComponent]:
    """Components still to be issued to open orders: each row with `remaining` = required − issued,
    needed by work_order.planned_start."""
    qs = (WorkOrderComponent.objects.filter(work_order__status__in=WorkOrder.OPEN_STATUSES,
                                            line_type=WorkOrderComponent.LineType.COMPONENT)
          .annotate(remaining=ExpressionWrapper(F("quantity_required") - F("quantity_issued"), output_field=_DEC))
          .filter(remaining__gt=0).select_related("item", "work_order"))
    if item_ids is not None:
        qs = qs.filter(item_id__in=item_ids)
    return qs.order_by(F("work_order__planned_start").asc(nulls_last=True), "work_order__number", "sequence")


# ---- cost --------------------------------------------------------------------------------------


@dataclass
class CostBreakdown:
    planned_components: Decimal
    planned_operations: Decimal
    planned_piece_pay: Decimal
    actual_components: Decimal
    actual_operations: Decimal
    actual_piece_pay: Decimal
    by_product_credit: Decimal
    quantity: Decimal  # produced (completed) or ordered (before completion)

    @property
    def planned_total(self) -> Decimal:
        return self.planned_components + self.planned_operations + self.planned_piece_pay

    @property
    def actual_total(self) -> Decimal:
        return self.actual_components + self.actual_operations + self.actual_piece_pay - self.by_product_credit

    @property
    def planned_unit(self) -> Decimal | None:
        return (self.planned_total / self.quantity).quantize(Decimal("0.0001")) if self.quantity else None

    @property
    def actual_unit(self) -> Decimal | None:
        return (self.actual_total / self.quantity).quantize(Decimal("0.0001")) if self.quantity else None


def work_order_cost_breakdown(*, work_order: WorkOrder) -> CostBreakdown:
    """Planned (components at today's average cost, else standard; planned minutes; piece rate ×
    quantity) against actual (issued value, reported minutes and pay; frozen at completion)."""
    components = list(work_order.components.filter(line_type=WorkOrderComponent.LineType.COMPONENT)
                      .select_related("item"))
    operations = list(work_order.operations.all())
    planned_components = sum((c.quantity_required * (c.item.average_cost or c.item.standard_cost)
                              for c in components), ZERO)
    planned_operations = sum((op.planned_minutes / SIXTY * op.cost_per_hour for op in operations), ZERO)
    planned_pay = sum((work_order.quantity * op.piece_rate for op in operations), ZERO)
    q = Decimal("0.0001")
    if work_order.status == WorkOrder.Status.COMPLETED:
        actual = (work_order.cost_components, work_order.cost_operations, work_order.cost_piece_pay,
                  work_order.cost_by_products, work_order.quantity_produced)
    else:
        actual = (sum((c.value_issued for c in components), ZERO), sum((op.cost for op in operations), ZERO),
                  sum((op.pay for op in operations), ZERO), ZERO,
                  operations[-1].quantity_good if operations and operations[-1].quantity_good else work_order.quantity)
    return CostBreakdown(planned_components=planned_components.quantize(q),
                         planned_operations=planned_operations.quantize(q), planned_piece_pay=planned_pay.quantize(q),
                         actual_components=actual[0], actual_operations=actual[1], actual_piece_pay=actual[2],
                         by_product_credit=actual[3], quantity=actual[4])


# ---- traceability ------------------------------------------------------------------------------


@dataclass
class TraceLine:
    item: Item
    lot: Lot | None
    serial: SerialNumber | None
    quantity: Decimal  # positive: produced, or consumed
    value: Decimal
    produced_by: list[WorkOrder] = field(default_factory=list)  # component lots made by other work orders


@dataclass
class WorkOrderTrace:
    work_order: WorkOrder
    outputs: list[TraceLine]
    components: list[TraceLine]

    @property
    def output_lots(self) -> list[Lot]:
        seen: dict[int, Lot] = {}
        for line in self.outputs:
            lot = line.lot or (line.serial.lot if line.serial is not None else None)
            if lot is not None and line.item.pk == self.work_order.item_id:
                seen.setdefault(lot.pk, lot)
        return list(seen.values())

    @property
    def output_serials(self) -> list[SerialNumber]:
        return [line.serial for line in self.outputs if line.serial is not None]

    @property
    def component_lots(self) -> list[Lot]:
        seen: dict[int, Lot] = {}
        for line in self.components:
            if line.lot is not None:
                seen.setdefault(line.lot.pk, line.lot)
        return list(seen.values())


def _group(moves, sign: int) -> list[TraceLine]:
    grouped: dict[tuple, TraceLine] = {}
    for move in moves:
        key = (move.item_id, move.lot_id, move.serial_id)
        line = grouped.get(key)
        if line is None:
            line = grouped[key] = TraceLine(item=move.item, lot=move.lot, serial=move.serial, quantity=ZERO, value=ZERO)
        line.quantity += sign * move.quantity
        line.value += sign * move.value
    return [line for line in grouped.values() if line.quantity != 0]


def work_order_trace(*, work_order: WorkOrder) -> WorkOrderTrace:
    """What the order produced (lots / serials of the item and by-products) and which component lots
    and serials it consumed, from the ledger; each component lot names the work orders that made it."""
    moves = list(StockMove.objects.filter(reference_type=REFERENCE_TYPE, reference_id=work_order.pk)
                 .filter(Q(move_type__in=[MoveType.PRODUCTION_CONSUME, MoveType.PRODUCTION_OUTPUT])
                         | Q(move_type=MoveType.CORRECTION,
                             corrects__move_type__in=[MoveType.PRODUCTION_CONSUME, MoveType.PRODUCTION_OUTPUT]))
                 .select_related("item", "item__uom", "lot", "serial", "serial__lot", "corrects")
                 .order_by("id"))

    def kind(move):
        return move.corrects.move_type if move.move_type == MoveType.CORRECTION else move.move_type

    outputs = _group([m for m in moves if kind(m) == MoveType.PRODUCTION_OUTPUT], 1)
    components = _group([m for m in moves if kind(m) == MoveType.PRODUCTION_CONSUME], -1)
    lot_ids = {line.lot.pk for line in components if line.lot is not None}
    serial_ids = {line.serial.pk for line in components if line.serial is not None}
    if lot_ids or serial_ids:
        made = (StockMove.objects.filter(move_type=MoveType.PRODUCTION_OUTPUT, reference_type=REFERENCE_TYPE)
                .filter(Q(lot_id__in=lot_ids) | Q(serial_id__in=serial_ids))
                .values_list("item_id", "lot_id", "serial_id", "reference_id").distinct())
        by_key: dict[tuple, set[int]] = defaultdict(set)
        for item_id, lot_id, serial_id, wo_id in made:
            if lot_id:
                by_key[("lot", item_id, lot_id)].add(wo_id)
            if serial_id:
                by_key[("serial", item_id, serial_id)].add(wo_id)
        orders = WorkOrder.objects.in_bulk({wo for ids in by_key.values() for wo in ids})
        for line in components:
            ids = set()
            if line.lot is not None:
                ids |= by_key.get(("lot", line.item.pk, line.lot.pk), set())
            if line.serial is not None:
                ids |= by_key.get(("serial", line.item.pk, line.serial.pk), set())
            line.produced_by = sorted((orders[i] for i in ids if i in orders), key=lambda wo: wo.number)
    return WorkOrderTrace(work_order=work_order, outputs=outputs, components=components)


def _lot_or_serial(lot_code: str) -> Q:
    return Q(lot__code=lot_code) | Q(serial__serial=lot_code) | Q(serial__lot__code=lot_code)


def trace_lot_back(*, item: Item, lot_code: str) -> list[WorkOrderTrace]:
    """From a finished (or sub-assembly) lot or serial number to the work order(s) that produced it
    and the component lots they consumed. [] when the lot was not produced here (bought, unknown)."""
    lot_code = (lot_code or "").strip()
    ids = (StockMove.objects.filter(move_type=MoveType.PRODUCTION_OUTPUT, reference_type=REFERENCE_TYPE, item=item)
           .filter(_lot_or_serial(lot_code)).values_list("reference_id", flat=True).distinct())
    return [work_order_trace(work_order=wo)
            for wo in WorkOrder.objects.filter(pk__in=list(ids)).select_related("item").order_by("number")]


def trace_lot_forward(*, item: Item, lot_code: str) -> list[WorkOrderTrace]:
    """Where a component lot or serial went (a recall): the work orders that consumed it and their
    output lots."""
    lot_code = (lot_code or "").strip()
    ids = (StockMove.objects.filter(move_type=MoveType.PRODUCTION_CONSUME, reference_type=REFERENCE_TYPE, item=item)
           .filter(_lot_or_serial(lot_code)).values_list("reference_id", flat=True).distinct())
    return [work_order_trace(work_order=wo)
            for wo in WorkOrder.objects.filter(pk__in=list(ids)).select_related("item").order_by("number")]


def component_stock_options(*, work_order: WorkOrder) -> dict[int, list[tuple[str, Decimal]]]:
    """For the issue form: per tracked component item, the lots (code, on hand) or serial numbers
    (serial, 1) in stock in the work order's component location, oldest lot first."""
    rows = list(work_order.components.filter(line_type=WorkOrderComponent.LineType.COMPONENT)
                .exclude(item__tracking=Item.Tracking.NONE).values_list("item_id", "item__tracking"))
    lot_items = [item_id for item_id, tracking in rows if tracking == Item.Tracking.LOT]
    serial_items = [item_id for item_id, tracking in rows if tracking == Item.Tracking.SERIAL]
    options: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for balance in (StockBalance.objects.filter(item_id__in=lot_items, location=work_order.component_location,
                                                on_hand__gt=0, lot__isnull=False)
                    .select_related("lot").order_by("lot__created_at", "lot__code")):
        options[balance.item_id].append((balance.lot.code, balance.on_hand))
    for serial in (SerialNumber.objects.filter(item_id__in=serial_items, location=work_order.component_location)
                   .order_by("serial")):
        options[serial.item_id].append((serial.serial, Decimal("1")))
    return dict(options)


# ---- spare capacity and outsourced operations (the boards' capacity and processing listings) ---------------


HOUR_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class WeekLoad:
    """One week of a work center: its hours, the work-order load planned in it, and what is left free."""

    week: date  # the Monday
    capacity_hours: Decimal
    load_hours: Decimal
    free_hours: Decimal


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _operation_window(*, planned_start: date | None, planned_end: date | None, today: date) -> tuple[date, date]:
    """The days the remaining work of an operation is spread over: the work order's planned dates, from today
    on (work still to do on an order planned in the past, or undated, lands today: it is due now)."""
    start = planned_start or planned_end or today
    end = planned_end or start
    start, end = max(start, today), max(end, today)
    return start, end


def work_center_free_hours(*, work_center: WorkCenter, weeks: int = 6, today: date | None = None) -> list[WeekLoad]:
    """Free hours of ``work_center`` for ``weeks`` weeks from this week's Monday: hours_per_week minus the load
    of the open work orders (draft, released, in progress) whose operations run there.

    The load of an operation is what is still to do: planned minutes minus the minutes reported, never below
    zero; it is spread evenly over the calendar days of its work order's planned start..end from today on
    (_operation_window). Free hours never go below zero (an overloaded week has none) and are rounded down to
    0.1 h; load to the nearest 0.1 h. Nothing of the work orders themselves leaves this function but the sums."""
    today = today or timezone.localdate()
    first = week_monday(today)
    horizon_end = first + timedelta(days=7 * weeks)  # exclusive
    load = [ZERO] * weeks
    rows = (WorkOrderOperation.objects.filter(work_center=work_center, work_order__status__in=WorkOrder.OPEN_STATUSES)
            .values_list("planned_minutes", "minutes", "work_order__planned_start", "work_order__planned_end"))
    for planned, reported, start, end in rows:
        remaining = max(planned - reported, ZERO) / SIXTY
        if remaining <= 0:
            continue
        start, end = _operation_window(planned_start=start, planned_end=end, today=today)
        days = (end - start).days + 1
        per_day = remaining / days
        for offset in range(days):
            day = start + timedelta(days=offset)
            if day >= horizon_end:
                break
            load[(day - first).days // 7] += per_day
    capacity = Decimal(work_center.hours_per_week)
    result = []
    for n in range(weeks):
        hours = load[n].quantize(HOUR_PLACES, ROUND_HALF_UP)
        free = max(capacity - load[n], ZERO).quantize(HOUR_PLACES, ROUND_DOWN)
        result.append(WeekLoad(week=first + timedelta(days=7 * n), capacity_hours=capacity, load_hours=hours,
                               free_hours=free))
    return result


def capacity_work_centers() -> QuerySet[WorkCenter]:
    """Active work centers with a process: the ones whose spare hours can go on the boards."""
    return WorkCenter.objects.filter(active=True).exclude(process="").order_by("code")


def capacity_work_center_get(*, work_center_id: int) -> WorkCenter | None:
    """None whether missing, inactive, without a process, or another enterprise's (another schema)."""
    return capacity_work_centers().filter(pk=work_center_id).first()


@dataclass(frozen=True)
class OutsourcedOperation:
    """What a processing demand says about an operation of a work order marked outsourced (外协)."""

    operation: WorkOrderOperation
    process: str
    quantity: Decimal  # still to process: the order's quantity minus the good quantity reported
    hours: Decimal  # planned minutes still to do, in hours (our own rates: what the subcontractor's quote replaces)
    start: date  # the window the work is wanted in (from today to the need date)
    need_date: date

    @property
    def work_order(self) -> WorkOrder:
        return self.operation.work_order


def outsourced_operations() -> QuerySet[WorkOrderOperation]:
    """Operations of open work orders whose routing operation is marked outsourced."""
    return (WorkOrderOperation.objects.filter(work_order__status__in=WorkOrder.OPEN_STATUSES,
                                              routing_operation__outsourced=True)
            .select_related("work_order", "work_order__item", "work_order__item__uom", "work_center",
                            "routing_operation")
            .order_by(F("work_order__planned_end").asc(nulls_last=True), "work_order__number", "sequence"))


def outsourced_operation_get(*, operation_id: int, today: date | None = None) -> OutsourcedOperation | None:
    """The outsourced operation of an open work order; None when missing, not outsourced, its order closed, or
    another enterprise's. The need date is the work order's planned end (else start, else two weeks on)."""
    operation = outsourced_operations().filter(pk=operation_id).first()
    if operation is None:
        return None
    today = today or timezone.localdate()
    wo = operation.work_order
    need = wo.planned_end or wo.planned_start or today + timedelta(days=14)
    start = min(max(wo.planned_start or today, today), max(need, today))
    process = operation.routing_operation.process or operation.work_center.process or ""
    quantity = max(wo.quantity - operation.quantity_good, ZERO)
    hours = (max(operation.planned_minutes - operation.minutes, ZERO) / SIXTY).quantize(HOUR_PLACES, ROUND_HALF_UP)
    return OutsourcedOperation(operation=operation, process=process, quantity=quantity, hours=hours, start=start,
                               need_date=need)


def outsourced_operation_components(*, operation_id: int) -> list[tuple[Item, Decimal]]:
    """What a subcontractor doing this outsourced operation is sent: its work order's components still to
    issue, [(item, quantity)] (for erp_modules.purchasing.subcontract.subcontract_order_create); [] when the
    operation is not an outsourced one of an open work order here."""
    operation = outsourced_operations().filter(pk=operation_id).first()
    if operation is None:
        return []
    return [(c.item, c.quantity_remaining)
            for c in (operation.work_order.components.filter(line_type=WorkOrderComponent.LineType.COMPONENT)
                      .select_related("item", "item__uom").order_by("sequence", "id"))
            if c.quantity_remaining > 0]
