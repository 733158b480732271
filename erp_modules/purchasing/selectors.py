"""Reads of purchasing: order and receipt lists, the 3-way match, and figures for the factory dashboard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import (Case, DecimalField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, QuerySet, Subquery,
                              Sum, Value, When)
from django.db.models.functions import Coalesce, Round, TruncMonth
from django.utils import timezone

from erp_modules.partners.models import Partner
from erp_modules.purchasing.models import (ZERO, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine,
                                           SupplierInvoice, SupplierInvoiceLine)

_DEC = DecimalField(max_digits=18, decimal_places=4)
MATCH_AMOUNT_TOLERANCE = Decimal("0.01")  # amounts within one fen count as equal (invoice rounding)


class MatchStatus:
    OK = "ok"
    SHORT = "short"
    OVER = "over"


# ---- orders ------------------------------------------------------------------------------------


def purchase_order_list(*, search: str = "", status: str = "", supplier_id: int | None = None,
                        date_from: date | None = None, date_to: date | None = None) -> QuerySet[PurchaseOrder]:
    qs = PurchaseOrder.objects.select_related("supplier", "location", "location__warehouse")
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(supplier__name__icontains=search) |
                       Q(supplier__code__icontains=search))
    if status:
        qs = qs.filter(status=status)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if date_from:
        qs = qs.filter(order_date__gte=date_from)
    if date_to:
        qs = qs.filter(order_date__lte=date_to)
    return qs.order_by("-order_date", "-id")


def purchase_order_get(*, order_id: int) -> PurchaseOrder | None:
    """None whether the order is missing or belongs to another enterprise (it is in another schema)."""
    return (PurchaseOrder.objects.select_related("supplier", "location", "location__warehouse")
            .filter(pk=order_id).first())


def purchase_order_lines(*, order: PurchaseOrder) -> QuerySet[PurchaseOrderLine]:
    return order.lines.select_related("item", "uom").order_by("line_no")


def purchase_orders_late(*, today: date | None = None) -> QuerySet[PurchaseOrder]:
    """Approved / partially received orders with a line still open whose expected date (the line's,
    else the order's) is before today; annotated with `late_since` (the earliest such date)."""
    today = today or timezone.localdate()
    late_lines = (PurchaseOrderLine.objects.filter(order_id=OuterRef("pk"), received_quantity__lt=F("quantity"))
                  .annotate(due=Coalesce("expected_date", "order__expected_date"))
                  .filter(due__lt=today))
    earliest = late_lines.order_by().values("order_id").annotate(d=Min("due")).values("d")
    return (PurchaseOrder.objects.filter(status__in=PurchaseOrder.OPEN_STATUSES)
            .filter(Exists(late_lines)).annotate(late_since=Subquery(earliest))
            .select_related("supplier").order_by("late_since", "number"))


def purchase_order_open_count() -> int:
    """Orders approved and not yet fully received (drafts are not open orders yet)."""
    return PurchaseOrder.objects.filter(status__in=PurchaseOrder.OPEN_STATUSES).count()


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def purchase_spend_by_month(*, months: int = 6, today: date | None = None) -> list[tuple[str, Decimal]]:
    """Purchase spend incl. VAT per month of the order date, for the last `months` months (this
    month included, oldest first, months without orders as 0.00). Counted: approved and later
    orders (not drafts, not cancelled); an order that is received or closed counts what was
    received (a closed-short order no longer commits the rest), the others what was ordered."""
    today = today or timezone.localdate()
    start = _add_months(today.replace(day=1), -(months - 1))
    received_net = Round(ExpressionWrapper(F("received_quantity") * F("unit_price"), output_field=_DEC), 2)
    received_gross = ExpressionWrapper(received_net + Round(received_net * F("vat_rate") / Value(Decimal("100")), 2),
                                       output_field=_DEC)
    amount = Case(
        When(order__status__in=[PurchaseOrder.Status.RECEIVED, PurchaseOrder.Status.CLOSED], then=received_gross),
        default=ExpressionWrapper(F("net_amount") + F("vat_amount"), output_field=_DEC), output_field=_DEC)
    rows = (PurchaseOrderLine.objects
            .filter(order__order_date__gte=start, order__order_date__lte=today)
            .exclude(order__status__in=[PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.CANCELLED])
            .annotate(month=TruncMonth("order__order_date")).order_by().values("month")
            .annotate(amount=Sum(amount)))
    by_month = {row["month"].strftime("%Y-%m"): row["amount"] for row in rows}
    result = []
    for n in range(months):
        key = _add_months(start, n).strftime("%Y-%m")
        result.append((key, Decimal(by_month.get(key) or ZERO).quantize(Decimal("0.01"))))
    return result


# ---- receipts and invoices ---------------------------------------------------------------------


def receipt_list(*, search: str = "", supplier_id: int | None = None, order: PurchaseOrder | None = None
                 ) -> QuerySet[Receipt]:
    value = (ReceiptLine.objects.filter(receipt_id=OuterRef("pk")).order_by().values("receipt_id")
             .annotate(v=Sum(ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=_DEC))).values("v"))
    qs = (Receipt.objects.select_related("order", "order__supplier", "location", "location__warehouse")
          .annotate(value=Coalesce(Subquery(value, output_field=_DEC), Value(ZERO, output_field=_DEC))))
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(order__number__icontains=search) |
                       Q(order__supplier__name__icontains=search))
    if supplier_id:
        qs = qs.filter(order__supplier_id=supplier_id)
    if order is not None:
        qs = qs.filter(order=order)
    return qs.order_by("-posted_at", "-id")


def receipt_lines_for(*, order: PurchaseOrder) -> QuerySet[ReceiptLine]:
    return (ReceiptLine.objects.filter(receipt__order=order)
            .select_related("receipt", "item", "item__uom", "lot", "order_line")
            .order_by("-receipt__posted_at", "-receipt_id", "order_line__line_no"))


def supplier_invoice_list(*, order: PurchaseOrder | None = None) -> QuerySet[SupplierInvoice]:
    qs = SupplierInvoice.objects.select_related("supplier", "order")
    if order is not None:
        qs = qs.filter(order=order)
    return qs.order_by("-invoice_date", "-id")


# ---- 3-way match -------------------------------------------------------------------------------


def three_way_match(*, order: PurchaseOrder | None = None, supplier_id: int | None = None,
                    status: str = "") -> QuerySet[PurchaseOrderLine]:
    """One row per line of every approved-or-later order: ordered / received / invoiced quantity,
    ordered_amount and received_amount (at the order price, excl. VAT), invoiced_amount (excl. VAT,
    at the invoice prices), qty_difference = invoiced − received, amount_difference = invoiced −
    received amount, receipt_difference = received − ordered, and match_status:
      over  – more received than ordered, more invoiced than received, or billed above the order price;
      short – less received than ordered, less invoiced than received, or billed below the order price;
      ok    – ordered = received = invoiced and the amounts agree (within one fen).
    `status` filters on match_status."""
    invoiced_amount = (SupplierInvoiceLine.objects.filter(order_line_id=OuterRef("pk")).order_by()
                       .values("order_line_id").annotate(a=Sum("net_amount")).values("a"))
    qs = (PurchaseOrderLine.objects
          .exclude(order__status__in=[PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.CANCELLED])
          .select_related("order", "order__supplier", "item", "uom")
          .annotate(
              ordered_amount=F("net_amount"),
              received_amount=Round(ExpressionWrapper(F("received_quantity") * F("unit_price"), output_field=_DEC), 2,
                                    output_field=_DEC),
              invoiced_amount=Coalesce(Subquery(invoiced_amount, output_field=_DEC), Value(ZERO, output_field=_DEC)),
          )
          .annotate(
              qty_difference=ExpressionWrapper(F("invoiced_quantity") - F("received_quantity"), output_field=_DEC),
              receipt_difference=ExpressionWrapper(F("received_quantity") - F("quantity"), output_field=_DEC),
              amount_difference=ExpressionWrapper(F("invoiced_amount") - F("received_amount"), output_field=_DEC),
          )
          .annotate(match_status=Case(
              When(Q(received_quantity__gt=F("quantity")) | Q(invoiced_quantity__gt=F("received_quantity")) |
                   Q(amount_difference__gt=MATCH_AMOUNT_TOLERANCE), then=Value(MatchStatus.OVER)),
              When(Q(received_quantity__lt=F("quantity")) | Q(invoiced_quantity__lt=F("received_quantity")) |
                   Q(amount_difference__lt=-MATCH_AMOUNT_TOLERANCE), then=Value(MatchStatus.SHORT)),
              default=Value(MatchStatus.OK))))
    if order is not None:
        qs = qs.filter(order=order)
    if supplier_id:
        qs = qs.filter(order__supplier_id=supplier_id)
    if status:
        qs = qs.filter(match_status=status)
    return qs.order_by("-order__order_date", "-order_id", "line_no")


def purchase_supplier_choices() -> list[tuple[int, str]]:
    """Suppliers that have purchase orders (for list filters)."""
    return [(p.pk, str(p)) for p in Partner.objects.filter(purchase_orders__isnull=False).distinct().order_by("code")]
