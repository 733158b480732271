"""Reads of the sales flow: document lists, one document, backorders, and the figures of the
factory dashboard. Every fetch runs in the current enterprise's schema: an id of another
enterprise simply does not exist here (None, like a missing one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.db.models import (BooleanField, Case, DecimalField, Exists, ExpressionWrapper, F, Func, IntegerField, Max,
                              Min, OuterRef, Q, QuerySet, Subquery, Sum, Value, When)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Least, TruncMonth
from django.utils import timezone

from erp_modules.catalog.models import Item
from erp_modules.inventory.models import Reservation, StockBalance, StockMove
from erp_modules.partners.models import Partner
from erp_modules.sales.models import (DELIVERY_REFERENCE, RESERVATION_REFERENCE, AvailabilityCheck, Delivery,
                                      DeliveryLine, Invoice, InvoiceLine, Quotation, SalesOrder, SalesOrderKitComponent,
                                      SalesOrderLine)

ZERO = Decimal("0")
QTY_PLACES = Decimal("0.0001")
_DEC = DecimalField(max_digits=18, decimal_places=4)


# ---- lists -----------------------------------------------------------------------------------


def _document_search(qs: QuerySet, search: str) -> QuerySet:
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(customer__name__icontains=search) |
                       Q(customer__code__icontains=search) | Q(customer_reference__icontains=search))
    return qs


def _documents(qs: QuerySet, *, search: str, status: str, customer: Partner | None) -> QuerySet:
    """Quotations or orders (with their customer), found by `search`, of a status and a customer when given."""
    qs = _document_search(qs.select_related("customer"), search)
    if status:
        qs = qs.filter(status=status)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs


def quotation_list(*, search: str = "", status: str = "", customer: Partner | None = None) -> QuerySet[Quotation]:
    return _documents(Quotation.objects.all(), search=search, status=status, customer=customer).order_by(
        "-quote_date", "-id")


def sales_order_list(*, search: str = "", status: str = "", customer: Partner | None = None) -> QuerySet[SalesOrder]:
    return _documents(SalesOrder.objects.all(), search=search, status=status, customer=customer).order_by(
        "-order_date", "-id")


def delivery_list(*, search: str = "", customer: Partner | None = None,
                  order: SalesOrder | None = None) -> QuerySet[Delivery]:
    qs = Delivery.objects.select_related("customer", "order")
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(order__number__icontains=search) |
                       Q(customer__name__icontains=search) | Q(customer__code__icontains=search))
    if customer is not None:
        qs = qs.filter(customer=customer)
    if order is not None:
        qs = qs.filter(order=order)
    return qs.order_by("-delivery_date", "-id")


def invoice_list(*, search: str = "", status: str = "", customer: Partner | None = None,
                 order: SalesOrder | None = None) -> QuerySet[Invoice]:
    qs = Invoice.objects.select_related("customer", "order")
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(customer__name__icontains=search) |
                       Q(customer__code__icontains=search) | Q(customer_reference__icontains=search) |
                       Q(order__number__icontains=search) | Q(tax_invoice_number__icontains=search))
    if status:
        qs = qs.filter(status=status)
    if customer is not None:
        qs = qs.filter(customer=customer)
    if order is not None:
        qs = qs.filter(order=order)
    return qs.order_by("-invoice_date", "-id")


# ---- one document ----------------------------------------------------------------------------


def quotation_get(*, quotation_id: int) -> Quotation | None:
    return Quotation.objects.select_related("customer").filter(pk=quotation_id).first()


def sales_order_get(*, order_id: int) -> SalesOrder | None:
    return SalesOrder.objects.select_related("customer", "quotation").filter(pk=order_id).first()


def delivery_get(*, delivery_id: int) -> Delivery | None:
    return Delivery.objects.select_related("customer", "order").filter(pk=delivery_id).first()


def invoice_get(*, invoice_id: int) -> Invoice | None:
    return Invoice.objects.select_related("customer", "order").filter(pk=invoice_id).first()


def quotation_lines(*, quotation: Quotation) -> QuerySet:
    return quotation.lines.select_related("item", "item__uom")


def delivery_lines(*, delivery: Delivery) -> QuerySet[DeliveryLine]:
    return delivery.lines.select_related("item", "item__uom", "lot", "location", "location__warehouse",
                                         "order_line")


def delivery_stock_moves(*, delivery: Delivery) -> QuerySet[StockMove]:
    """The ledger rows a delivery posted (kits: one per component)."""
    return (StockMove.objects.filter(reference_type=DELIVERY_REFERENCE, reference_id=delivery.pk)
            .select_related("item", "item__uom", "location", "location__warehouse", "lot", "serial").order_by("id"))


def invoice_lines(*, invoice: Invoice) -> QuerySet[InvoiceLine]:
    return invoice.lines.select_related("item", "item__uom")


def sales_order_reservations(*, order: SalesOrder, active_only: bool = False) -> QuerySet[Reservation]:
    qs = Reservation.objects.filter(reference_type=RESERVATION_REFERENCE, reference_id=order.pk)
    if active_only:
        qs = qs.filter(status=Reservation.Status.ACTIVE)
    return qs.select_related("item", "item__uom", "location", "location__warehouse").order_by("reference_line_id", "pk")


@dataclass
class StockNeed:
    """What one stocked item of an order line needs: the line's item, or one component of a kit."""

    item: Item
    required: Decimal  # for the line's whole quantity (kits: fixed when the order was confirmed)
    delivered: Decimal  # already delivered
    reserved: Decimal  # reserved and not yet delivered

    @property
    def open(self) -> Decimal:
        """Still to deliver."""
        return max(self.required - self.delivered, ZERO)

    @property
    def short(self) -> Decimal:
        """Still to deliver and not reserved: to make or to buy."""
        return max(self.open - self.reserved, ZERO)


def order_line_needs(*, line: SalesOrderLine, reservations: list[Reservation],
                     kit_components: list[SalesOrderKitComponent] = ()) -> list[StockNeed]:
    """The stocked items a line needs, with what is delivered and reserved of each, from the line's
    reservations (any status) and, for a kit, its components recorded at confirmation. Services
    need nothing. A kit confirmed before components were recorded was reserved in full: its
    reservations say what it needs."""
    item = line.item
    if item.item_type == Item.Type.SERVICE:
        return []
    active = Reservation.Status.ACTIVE
    if item.item_type != Item.Type.KIT:
        reserved = sum((r.open_quantity for r in reservations if r.status == active and r.item_id == item.pk), ZERO)
        return [StockNeed(item=item, required=line.quantity, delivered=line.delivered_qty, reserved=reserved)]
    required: dict[int, list] = {c.item_id: [c.item, c.quantity] for c in kit_components}
    if not required:
        for r in reservations:
            required.setdefault(r.item_id, [r.item, ZERO])[1] += r.quantity
    result = []
    for item_id, (component, quantity) in required.items():
        rows = [r for r in reservations if r.item_id == item_id]
        result.append(StockNeed(item=component, required=quantity, delivered=sum((r.consumed for r in rows), ZERO),
                                reserved=sum((r.open_quantity for r in rows if r.status == active), ZERO)))
    return sorted(result, key=lambda need: need.item.code)


def kits_reserved(*, line: SalesOrderLine, needs: list[StockNeed]) -> Decimal:
    """How many of a kit line's open kits the reserved components make: complete kits, i.e. rounded
    down to the decimals of the kit's unit (套: whole kits; at most 4 places)."""
    if line.open_qty <= 0 or not needs:
        return ZERO
    if all(need.short == 0 for need in needs):
        return line.open_qty
    kits = min((need.reserved * line.quantity / need.required for need in needs if need.required > 0), default=ZERO)
    step = Decimal(1).scaleb(-min(max(line.item.uom.decimals, 0), 4))
    return min(kits.quantize(step, ROUND_DOWN).quantize(QTY_PLACES), line.open_qty)


@dataclass
class OrderLineView:
    """An order line with what the detail page shows next to it."""

    line: SalesOrderLine
    reserved: Decimal  # still reserved, in the line's unit (kits: complete kits the reserved components make)
    components: list[StockNeed] = field(default_factory=list)  # kits: required, delivered, reserved per component
    stocked: bool = True  # False for services (and kits of services only): nothing to reserve
    is_open: bool = False  # the order is confirmed or partially delivered

    @property
    def backorder(self) -> Decimal:
        """Open quantity of a line that was partly delivered (0 before the first delivery)."""
        return self.line.open_qty if self.line.delivered_qty > 0 else ZERO

    @property
    def short(self) -> Decimal:
        """Open and not reserved, in the line's unit: to make or to buy (open orders only)."""
        if not (self.stocked and self.is_open):
            return ZERO
        return max(self.line.open_qty - self.reserved, ZERO)

    @property
    def deliverable(self) -> Decimal:
        """What a delivery can take now: the reserved quantity (services: all that is open)."""
        return min(self.line.open_qty, self.reserved) if self.stocked else self.line.open_qty


def sales_order_lines(*, order: SalesOrder) -> list[OrderLineView]:
    """The lines of an order with their reserved and short quantities (two queries; three with kits)."""
    lines = list(order.lines.select_related("item", "item__uom", "location", "location__warehouse"))
    by_line: dict[int, list[Reservation]] = {}
    for reservation in sales_order_reservations(order=order):
        by_line.setdefault(reservation.reference_line_id, []).append(reservation)
    components: dict[int, list[SalesOrderKitComponent]] = {}
    if any(line.item.item_type == Item.Type.KIT for line in lines):
        for component in (SalesOrderKitComponent.objects.filter(line__order=order)
                          .select_related("item", "item__uom")):
            components.setdefault(component.line_id, []).append(component)
    result = []
    for line in lines:
        needs = order_line_needs(line=line, reservations=by_line.get(line.pk, []),
                                 kit_components=components.get(line.pk, []))
        if line.item.item_type == Item.Type.KIT:
            result.append(OrderLineView(line=line, reserved=kits_reserved(line=line, needs=needs), components=needs,
                                        stocked=bool(needs), is_open=order.is_open))
        else:
            result.append(OrderLineView(line=line, reserved=sum((n.reserved for n in needs), ZERO),
                                        stocked=bool(needs), is_open=order.is_open))
    return result


def sales_order_shortage(*, order: SalesOrder) -> list[OrderLineView]:
    """The lines of an open order that are short (open and not reserved)."""
    return [v for v in sales_order_lines(order=order) if v.short > 0]


# ---- the shortage list across orders ---------------------------------------------------------
#
# The figures of `order_line_needs` / `kits_reserved` / `OrderLineView.short`, computed in SQL for
# every open order line at once, so that the list can be filtered, sorted, paged and exported
# by the database, at a cost that does not grow with the rows shown (correlated subqueries, no
# query per row). test_shortages.py checks that both ways give the same figures.

_ACTIVE = Reservation.Status.ACTIVE
_NONE = Value(ZERO, output_field=_DEC)


def _total(qs: QuerySet, group: str, expression) -> Coalesce:
    """SUM(expression) over `qs` (filtered down to one `group`) as a scalar subquery; 0 without rows."""
    rows = qs.order_by().values(group).annotate(total=Sum(expression, output_field=_DEC)).values("total")
    return Coalesce(Subquery(rows, output_field=_DEC), _NONE)


def _free_stock(item, location) -> ExpressionWrapper:
    """`stock_available` in SQL: on hand − open active reservations of `item` in `location` (references
    to the enclosing query)."""
    on_hand = _total(StockBalance.objects.filter(item_id=item, location_id=location), "item_id", F("on_hand"))
    reserved = _total(Reservation.objects.filter(item_id=item, location_id=location, status=_ACTIVE), "item_id",
                      F("quantity") - F("consumed"))
    return ExpressionWrapper(on_hand - reserved, output_field=_DEC)


def _round_down(expression, places) -> Func:
    """TRUNC(x, places): `quantize(step, ROUND_DOWN)` of kits_reserved."""
    return Func(expression, places, function="TRUNC", output_field=_DEC)


def _kit_components() -> QuerySet[SalesOrderKitComponent]:
    """The recorded components of the enclosing order line (a kit), each with the figures of its
    StockNeed — c_reserved, c_delivered, c_short — and c_free (its free stock in the line's
    location), c_coverable (what a check could reserve of its shortage now), c_kits (the line's
    kits its reservations cover) and c_kits_after (… after a check)."""
    reservations = Reservation.objects.filter(reference_type=RESERVATION_REFERENCE,
                                              reference_id=OuterRef(OuterRef("order_id")),
                                              reference_line_id=OuterRef("line_id"), item_id=OuterRef("item_id"))
    return (SalesOrderKitComponent.objects.filter(line_id=OuterRef("pk")).order_by()
            .annotate(c_reserved=_total(reservations.filter(status=_ACTIVE), "item_id", F("quantity") - F("consumed")),
                      c_delivered=_total(reservations, "item_id", F("consumed")),
                      c_free=_free_stock(OuterRef("item_id"), OuterRef(OuterRef("location_id"))))
            .annotate(c_short=Greatest(F("quantity") - F("c_delivered") - F("c_reserved"), _NONE))
            .annotate(c_coverable=Case(When(line__location__allow_negative=True, then=F("c_short")),
                                       default=Least(Greatest(F("c_free"), _NONE), F("c_short")), output_field=_DEC))
            .annotate(c_kits=ExpressionWrapper(F("c_reserved") * F("line__quantity") / F("quantity"),
                                               output_field=_DEC),
                      c_kits_after=ExpressionWrapper((F("c_reserved") + F("c_coverable")) * F("line__quantity")
                                                     / F("quantity"), output_field=_DEC),
                      c_short_after=ExpressionWrapper(F("c_short") - F("c_coverable"), output_field=_DEC)))


def _per_line(components: QuerySet, aggregate) -> Subquery:
    return Subquery(components.values("line_id").annotate(v=aggregate).values("v"), output_field=_DEC)


def _kits_of(max_short, min_kits, open_quantity, places) -> Case:
    """`kits_reserved` in SQL: all open kits when no component is short (or none is recorded: a kit
    confirmed before components were recorded was reserved in full), else the complete kits the
    least covered component makes, rounded down to the unit's decimals, at most the open quantity."""
    return Case(When(Q(**{f"{max_short}__isnull": True}) | Q(**{f"{max_short}__lte": 0}), then=open_quantity),
                default=Least(_round_down(F(min_kits), places), open_quantity), output_field=_DEC)


def _open_stocked_lines() -> QuerySet[SalesOrderLine]:
    """Lines of confirmed and partially delivered orders with something still to deliver and to reserve."""
    return (SalesOrderLine.objects.filter(order__status__in=SalesOrder.OPEN_STATUSES, delivered_qty__lt=F("quantity"),
                                          location__isnull=False)
            .exclude(item__item_type=Item.Type.SERVICE))


def sales_shortage_list(*, customer: Partner | None = None, item: Item | None = None,
                        delivery_from: date | None = None, delivery_to: date | None = None,
                        reservable: bool | None = None, search: str = "") -> QuerySet[SalesOrderLine]:
    """Open order lines still to deliver and not (fully) reserved, annotated in the line's unit with
    `open_quantity`, `reserved_quantity` (kits: complete kits) and `short_quantity` as on the order
    page; `available_quantity`, the item's free stock in the line's location (on hand − reserved:
    what a check could reserve; kits: the complete kits a check would add); `can_reserve`, whether
    a check would reserve anything for the line now; and for kits `limiting_component`, "code
    name" of the short component that is least covered even after a check (then: now).

    Free stock is shared: every line short of an item shows the same figure, and a check serves the
    orders by priority (`sales_orders_reserve_available`), the order of this list: earliest
    requested delivery date first (none last), then order date, then number. `item` matches the
    line's item and the components of kit lines; `reservable` True / False keeps the lines a check
    would / would not reserve anything for now."""
    components = _kit_components()
    own = _total(Reservation.objects.filter(reference_type=RESERVATION_REFERENCE, reference_id=OuterRef("order_id"),
                                            reference_line_id=OuterRef("pk"), item_id=OuterRef("item_id"),
                                            status=_ACTIVE), "reference_line_id", F("quantity") - F("consumed"))
    is_kit = Q(item__item_type=Item.Type.KIT)
    places = Least(F("item__uom__decimals"), Value(4), output_field=IntegerField())
    qs = (_open_stocked_lines()
          .annotate(open_quantity=ExpressionWrapper(F("quantity") - F("delivered_qty"), output_field=_DEC),
                    own_reserved=own, own_free=_free_stock(OuterRef("item_id"), OuterRef("location_id")),
                    k_max_short=_per_line(components, Max("c_short")), k_kits=_per_line(components, Min("c_kits")),
                    k_max_short_after=_per_line(components, Max("c_short_after")),
                    k_kits_after=_per_line(components, Min("c_kits_after")),
                    k_coverable=Exists(components.filter(c_coverable__gt=0)))
          .annotate(k_reserved=_kits_of("k_max_short", "k_kits", F("open_quantity"), places),
                    k_after=_kits_of("k_max_short_after", "k_kits_after", F("open_quantity"), places))
          .annotate(reserved_quantity=Cast(Case(When(is_kit, then=F("k_reserved")), default=F("own_reserved")),
                                           output_field=_DEC))
          .annotate(short_quantity=Cast(Greatest(F("open_quantity") - F("reserved_quantity"), _NONE),
                                        output_field=_DEC))
          .filter(short_quantity__gt=0)
          .annotate(available_quantity=Cast(Case(When(is_kit, then=Greatest(F("k_after") - F("k_reserved"), _NONE)),
                                                 # a location that may go negative reserves the whole shortage
                                                 When(location__allow_negative=True, then=F("short_quantity")),
                                                 default=Greatest(F("own_free"), _NONE)), output_field=_DEC),
                    can_reserve=Case(When(is_kit, then=F("k_coverable")),
                                     When(Q(location__allow_negative=True) | Q(own_free__gt=0), then=Value(True)),
                                     default=Value(False), output_field=BooleanField()),
                    limiting_component=Subquery(
                        components.filter(c_short__gt=0).order_by("c_kits_after", "c_kits", "item__code")
                        .values(label=Concat(F("item__code"), Value(" "), F("item__name")))[:1]))
          .select_related("order", "order__customer", "item", "item__uom", "location", "location__warehouse"))
    if customer is not None:
        qs = qs.filter(order__customer=customer)
    if item is not None:
        qs = qs.filter(Q(item=item) | Q(Exists(SalesOrderKitComponent.objects.filter(line_id=OuterRef("pk"),
                                                                                    item=item))))
    if delivery_from is not None:
        qs = qs.filter(order__delivery_date__gte=delivery_from)
    if delivery_to is not None:
        qs = qs.filter(order__delivery_date__lte=delivery_to)
    if reservable is not None:
        qs = qs.filter(can_reserve=reservable)
    if search:
        qs = qs.filter(Q(order__number__icontains=search) | Q(order__customer__name__icontains=search) |
                       Q(item__code__icontains=search) | Q(item__name__icontains=search))
    return qs.order_by(F("order__delivery_date").asc(nulls_last=True), "order__order_date", "order__number",
                       "sequence")


def sales_orders_short() -> list[int]:
    """Ids of the open orders with a line on the shortage list (in no particular order)."""
    return list(sales_shortage_list().order_by().values_list("order_id", flat=True).distinct())


def sales_shortage_customer_choices() -> QuerySet[Partner]:
    """Customers of open orders with lines still to deliver (the list's customer filter)."""
    return (Partner.objects.filter(pk__in=_open_stocked_lines().values("order__customer_id"))
            .order_by("code"))


def sales_shortage_order_choices() -> list[str]:
    """Numbers of open orders with lines still to deliver (the list's order filter): one plain query,
    not the shortage figures again."""
    return list(SalesOrder.objects.filter(pk__in=_open_stocked_lines().values("order_id"))
                .order_by("number").values_list("number", flat=True))


def sales_shortage_item_choices() -> QuerySet[Item]:
    """Items and kit components of open order lines still to deliver (the list's item filter)."""
    lines = _open_stocked_lines()
    return (Item.objects.filter(Q(pk__in=lines.values("item_id")) |
                                Q(pk__in=SalesOrderKitComponent.objects.filter(line__in=lines).values("item_id")))
            .order_by("code"))


def sales_shortage_delivery_dates() -> list[date]:
    """Requested delivery dates of open orders with lines still to deliver, earliest first."""
    return list(_open_stocked_lines().filter(order__delivery_date__isnull=False).order_by("order__delivery_date")
                .values_list("order__delivery_date", flat=True).distinct())


def availability_check_latest() -> AvailabilityCheck | None:
    return AvailabilityCheck.objects.order_by("-id").first()


def availability_check_get(*, check_id: int) -> AvailabilityCheck | None:
    return AvailabilityCheck.objects.filter(pk=check_id).first()


# ---- backorders and the dashboard ------------------------------------------------------------


def sales_backorders(*, customer: Partner | None = None, search: str = "") -> QuerySet[SalesOrderLine]:
    """Lines of open orders that were partly delivered and still owe a quantity (annotated `open_quantity`)."""
    qs = (SalesOrderLine.objects.filter(order__status=SalesOrder.Status.PARTIALLY_DELIVERED,
                                        delivered_qty__lt=F("quantity"))
          .select_related("order", "order__customer", "item", "item__uom", "location")
          .annotate(open_quantity=F("quantity") - F("delivered_qty")))
    if customer is not None:
        qs = qs.filter(order__customer=customer)
    if search:
        qs = qs.filter(Q(order__number__icontains=search) | Q(order__customer__name__icontains=search) |
                       Q(item__code__icontains=search) | Q(item__name__icontains=search))
    return qs.order_by("order__delivery_date", "order__number", "sequence")


def sales_orders_open() -> QuerySet[SalesOrder]:
    """Confirmed and partially delivered orders (earliest requested delivery first)."""
    return (SalesOrder.objects.filter(status__in=SalesOrder.OPEN_STATUSES).select_related("customer")
            .order_by(F("delivery_date").asc(nulls_last=True), "number"))


def sales_orders_open_count() -> int:
    return SalesOrder.objects.filter(status__in=SalesOrder.OPEN_STATUSES).count()


def deliveries_due(*, today: date | None = None, within_days: int = 0) -> QuerySet[SalesOrder]:
    """Open orders whose requested delivery date is today + within_days or earlier (overdue
    included), earliest first, annotated with `open_quantity` (sum over the lines)."""
    today = today or timezone.localdate()
    open_qty = (SalesOrderLine.objects.filter(order_id=OuterRef("pk")).values("order_id")
                .annotate(q=Sum(F("quantity") - F("delivered_qty"))).values("q"))
    return (sales_orders_open().filter(delivery_date__lte=today + timedelta(days=within_days))
            .annotate(open_quantity=Coalesce(Subquery(open_qty, output_field=_DEC), Value(ZERO, output_field=_DEC)))
            .order_by("delivery_date", "number"))


def sales_by_month(*, months: int = 6, today: date | None = None) -> list[tuple[str, Decimal]]:
    """Invoiced amount incl. VAT per calendar month (cancelled invoices left out), oldest first:
    [("2025-01", Decimal("4403.61")), …] — `months` entries ending with the current month, zeros included."""
    today = today or timezone.localdate()
    keys = []
    year, month = today.year, today.month
    for _ in range(max(months, 1)):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
    first = date(int(keys[0][:4]), int(keys[0][5:]), 1)
    rows = (Invoice.objects.exclude(status=Invoice.Status.CANCELLED)
            .filter(invoice_date__gte=first, invoice_date__lte=today)
            .annotate(month=TruncMonth("invoice_date")).values("month").annotate(total=Sum("amount_incl_vat")))
    totals = {row["month"].strftime("%Y-%m"): row["total"] for row in rows}
    return [(key, (totals.get(key) or ZERO).quantize(Decimal("0.01"))) for key in keys]


def sales_item_choices(*, limit: int = 2000) -> QuerySet[Item]:
    """Items offered on the quotation and order forms (active ones, by code)."""
    return Item.objects.filter(active=True).select_related("uom").order_by("code")[:limit]


def sales_item_by_code(*, code: str) -> Item | None:
    code = (code or "").strip()
    if not code:
        return None
    return Item.objects.select_related("uom", "default_warehouse").filter(code__iexact=code).first()


def sales_customer_choices() -> QuerySet[Partner]:
    return Partner.objects.filter(is_customer=True, active=True).order_by("code")
