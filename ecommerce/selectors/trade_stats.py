"""Trade through the boards, by board and month, for the informatization office: RFQs posted, quotations
received, quotations accepted, the orders made from them (the buyer's purchase order, the supplier's sales
order) and their amount. Public-schema tables only (TradeOrder keeps the order ids as plain numbers).

Months are calendar months in the platform's time zone (Asia/Shanghai): an RFQ published at 23:30 on
31 March, Beijing time, is March's, whatever UTC says. Each figure is stamped by its own event:

- RFQs: demand listings with a quotation request, by the time they were published;
- quotations: by the time they were submitted (whatever became of them later);
- accepted: quotations accepted, by the time of the decision;
- purchase orders / sales orders / amount: the TradeOrder of an accepted quotation, by the time it was
  made; a purchase order counts when the buyer's draft PO exists, a sales order when the supplier's
  draft SO was created; the amount (incl. VAT, delivered) is every such trade's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ecommerce.models import Board, Listing, Quotation, TradeOrder

ZERO = Decimal("0.00")
FIGURES = ("rfqs", "quotations", "accepted", "purchase_orders", "sales_orders", "amount")


@dataclass
class TradeRow:
    """One board's trade in one month (board None: every board together)."""

    month: date
    board: Board | None
    rfqs: int = 0
    quotations: int = 0
    accepted: int = 0
    purchase_orders: int = 0
    sales_orders: int = 0
    amount: Decimal = ZERO

    @property
    def board_name(self) -> str:
        return self.board.name if self.board is not None else ""

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in FIGURES)


def _first_of_next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _months(since: date, until: date) -> list[date]:
    months, month = [], since.replace(day=1)
    while month <= until:
        months.append(month)
        month = _first_of_next(month)
    return months


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _grouped(qs, stamp: str, start: datetime, end: datetime, board: str, **aggregates) -> dict:
    """{(month, board id): {figure: value}} of the rows stamped in [start, end)."""
    rows = (qs.filter(**{f"{stamp}__gte": start, f"{stamp}__lt": end})
            .annotate(month=TruncMonth(stamp, output_field=DateField(), tzinfo=timezone.get_current_timezone()))
            .order_by().values("month", board).annotate(**aggregates))
    return {(row["month"], row[board]): row for row in rows}


def trade_by_board_month(*, since: date, until: date) -> list[TradeRow]:
    """A row for every month from `since`'s to `until`'s (both included) and every board, oldest month
    first, boards in their order; boards without any trade in a month are there with zeros. Five
    grouped queries whatever the span."""
    months = _months(since, until)
    if not months:
        return []
    start, end = _aware(months[0]), _aware(_first_of_next(months[-1]))
    figures: dict = {}

    def add(grouped: dict, **names):
        for key, row in grouped.items():
            target = figures.setdefault(key, {})
            for figure, aggregate in names.items():
                target[figure] = row[aggregate] or (ZERO if figure == "amount" else 0)

    add(_grouped(Listing.objects.filter(is_rfq=True, kind=Listing.Kind.DEMAND), "published_at", start, end,
                 "board_id", n=Count("pk")), rfqs="n")
    add(_grouped(Quotation.objects.all(), "created_at", start, end, "listing__board_id", n=Count("pk")),
        quotations="n")
    add(_grouped(Quotation.objects.filter(status=Quotation.Status.ACCEPTED), "decided_at", start, end,
                 "listing__board_id", n=Count("pk")), accepted="n")
    add(_grouped(TradeOrder.objects.all(), "created_at", start, end, "board_id",
                 po=Count("pk", filter=Q(purchase_order_id__isnull=False)),
                 so=Count("pk", filter=Q(sales_state=TradeOrder.SalesState.CREATED)), amount=Sum("amount")),
        purchase_orders="po", sales_orders="so", amount="amount")

    boards = list(Board.objects.all())
    rows = []
    for month in months:
        for board in boards:
            values = figures.get((month, board.pk), {})
            if "amount" in values:
                values["amount"] = Decimal(values["amount"]).quantize(ZERO)
            rows.append(TradeRow(month=month, board=board, **values))
    return rows


def trade_month_total(rows: list[TradeRow], *, month: date) -> TradeRow:
    """Every board together in one month, from the rows of trade_by_board_month."""
    total = TradeRow(month=month, board=None)
    for row in rows:
        if row.month == month:
            for name in FIGURES:
                setattr(total, name, getattr(total, name) + getattr(row, name))
    return total
