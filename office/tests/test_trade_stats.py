"""Trade through the boards per month and board (ecommerce.selectors.trade_stats) on the office dashboard,
its Excel export and the monthly report: a hand-made month with known dates, and its boundaries in the
platform's time zone."""

import html as html_lib
import io
import json
import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ecommerce import services as boards
from ecommerce.models import Board, Category, Listing, Quotation, TradeOrder
from ecommerce.seed import boards_ensure
from ecommerce.selectors.trade_stats import trade_by_board_month, trade_month_total
from office.reports import report_data, report_workbook
from office.services import previous_month
from tenants.models import Membership, Role

D = Decimal


def at(day, hour=10, minute=0):
    """An aware datetime at a local (Asia/Shanghai) wall-clock time."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def owner(enterprise):
    return Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user


def rfq(buyer, category_code: str, published_at) -> Listing:
    category = Category.objects.select_related("board").get(code=category_code)
    listing = boards.listing_create(enterprise=buyer, user=owner(buyer), kind="demand", board=category.board,
                                    category=category, title=f"求购 {category.name}", quantity=D("100"), unit="个",
                                    is_rfq=True, rfq_deadline=timezone.now() + timedelta(days=3))
    Listing.objects.filter(pk=listing.pk).update(published_at=published_at)
    return listing


def quote(listing, supplier, created_at, *, accepted_at=None) -> Quotation:
    quotation = boards.quotation_submit(listing=listing, enterprise=supplier, user=owner(supplier),
                                        unit_price=D("100"), quantity=D("100"), lead_time_days=10,
                                        valid_until=timezone.localdate() + timedelta(days=30))
    changes = {"created_at": created_at}
    if accepted_at is not None:
        changes.update(status=Quotation.Status.ACCEPTED, decided_at=accepted_at)
    Quotation.objects.filter(pk=quotation.pk).update(**changes)
    quotation.refresh_from_db()
    return quotation


def order(quotation, created_at, amount, *, po_id=None, sales_state=TradeOrder.SalesState.PENDING) -> TradeOrder:
    listing = quotation.listing
    return TradeOrder.objects.create(
        quotation=quotation, listing=listing, board=listing.board, buyer=listing.enterprise,
        supplier=quotation.enterprise, amount=D(amount), purchase_order_id=po_id,
        purchase_order_number=f"PO-{po_id}" if po_id else "", sales_state=sales_state,
        sales_order_id=7 if sales_state == TradeOrder.SalesState.CREATED else None, created_at=created_at)


@pytest.fixture
def month_of_trade(make_enterprise):
    """Last month (M) and this one (N) on the appliance and bearing boards:
    appliances: RFQ-1 published in M with two quotations in M, one accepted in M and ordered in M (PO and SO,
                ¥11,300.00); RFQ-2 published at 00:30 on the 1st of N (16:30 UTC on M's last day) with a quotation
                in N; an RFQ published at 23:59 on the day before M (the month before) is not M's.
    bearings:   RFQ-3 published in M, quoted at 23:50 on M's last day, accepted at 00:10 on N's first day and
                ordered then (PO only: the supplier has no ERP, ¥500.50)."""
    if Board.objects.count() < 4:
        boards_ensure()
    month = previous_month()
    this_month = (month + timedelta(days=32)).replace(day=1)
    month_last_day = this_month - timedelta(days=1)
    buyer, s1, s2 = make_enterprise(), make_enterprise(), make_enterprise()
    rfq1 = rfq(buyer, "appl-parts-motor", at(month.replace(day=5)))
    rfq(buyer, "appl-parts-motor", at(month - timedelta(days=1), 23, 59))
    rfq2 = rfq(buyer, "appl-parts-motor", at(this_month, 0, 30))
    rfq3 = rfq(buyer, "brg-rolling-deepgroove", at(month.replace(day=10)))
    won = quote(rfq1, s1, at(month.replace(day=6)), accepted_at=at(month.replace(day=20)))
    quote(rfq1, s2, at(month.replace(day=7)))
    quote(rfq2, s2, at(this_month, 1, 0))
    late = quote(rfq3, s1, at(month_last_day, 23, 50), accepted_at=at(this_month, 0, 10))
    order(won, at(month.replace(day=20), 10, 5), "11300.00", po_id=41, sales_state=TradeOrder.SalesState.CREATED)
    order(late, at(this_month, 0, 11), "500.50", po_id=42, sales_state=TradeOrder.SalesState.NO_ERP)
    return month, this_month


def figures(row):
    return (row.rfqs, row.quotations, row.accepted, row.purchase_orders, row.sales_orders, row.amount)


def test_trade_is_counted_by_board_and_month_in_local_time(month_of_trade):
    # given
    month, this_month = month_of_trade
    # when
    rows = trade_by_board_month(since=month, until=this_month)
    # then: a row for every board in both months, the figures where their event fell in Beijing time
    by_key = {(r.month, r.board.code): r for r in rows}
    assert len(rows) == 2 * Board.objects.count()
    assert figures(by_key[(month, "appliances")]) == (1, 2, 1, 1, 1, D("11300.00"))
    assert figures(by_key[(month, "bearings")]) == (1, 1, 0, 0, 0, D("0.00"))
    assert figures(by_key[(this_month, "appliances")]) == (1, 1, 0, 0, 0, D("0.00"))
    assert figures(by_key[(this_month, "bearings")]) == (0, 0, 1, 1, 0, D("500.50"))
    assert all(r.is_empty for r in rows if r.board.code not in ("appliances", "bearings"))
    assert figures(trade_month_total(rows, month=month)) == (2, 3, 1, 1, 1, D("11300.00"))
    # the month alone: nothing of the month before or after
    only = trade_by_board_month(since=month, until=month)
    assert {r.month for r in only} == {month}
    assert figures(trade_month_total(only, month=month)) == (2, 3, 1, 1, 1, D("11300.00"))


def test_the_monthly_report_has_the_trade_by_board(month_of_trade):
    # given
    month, _this_month = month_of_trade
    # when
    data = report_data(month=month)
    book = load_workbook(io.BytesIO(report_workbook(data)))
    # then: the month's rows by board and the total, in the report's data and on its Boards sheet, with a chart
    by_code = {r.board.code: r for r in data.trade}
    assert figures(by_code["appliances"]) == (1, 2, 1, 1, 1, D("11300.00"))
    assert figures(data.trade_total) == (2, 3, 1, 1, 1, D("11300.00"))
    sheet = book.worksheets[3]
    cells = list(sheet.iter_rows(values_only=True))
    appliances = Board.objects.get(code="appliances").name
    assert next(r for r in cells if r[0] == appliances)[:7] == (appliances, 1, 2, 1, 1, 1, 11300)
    assert cells[-1][1:7] == (2, 3, 1, 1, 1, 11300)  # every board together
    assert sheet._charts


def test_the_office_dashboard_shows_and_exports_the_trade(month_of_trade, office, make_enterprise):
    # given
    month, this_month = month_of_trade
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(office)
    # when
    page = client.get("/office/")
    export = client.get("/office/?export=xlsx&table=board-trade")
    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trade through the boards" in html and 'id="table-board-trade"' in html
    assert "11,300.00" in html and "500.50" in html
    # the charts: the counts of every board by month, the amount stacked by board
    charts = [json.loads(html_lib.unescape(c)) for c in re.findall(r"data-chart='([^']*)'", html)]
    amount = next(c for c in charts if any(s.get("stack") == "amount" for s in c["series"]))
    appliances = Board.objects.get(code="appliances").name
    month_at = amount["labels"].index(month.strftime("%Y-%m"))
    assert next(s for s in amount["series"] if s["name"] == appliances)["values"][month_at] == 11300.0
    counts = next(c for c in charts if c["series"][0]["name"] == "RFQs posted")
    assert [s["values"][month_at] for s in counts["series"]] == [2, 3, 1, 1, 1]
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("Month", "Board", "RFQs posted", "Quotations", "Quotations accepted", "Purchase orders made",
                       "Sales orders made", "Amount (CNY)")
    bearings = Board.objects.get(code="bearings").name
    assert (this_month.strftime("%Y-%m"), bearings, 0, 0, 1, 1, 0, 500.5) in rows
    assert (month.strftime("%Y-%m"), bearings, 1, 1, 0, 0, 0, 0) in rows
    # an enterprise's owner does not see the office's figures
    outsider = Client(HTTP_ACCEPT_LANGUAGE="en")
    outsider.force_login(owner(make_enterprise()))
    denied = outsider.get("/office/?export=xlsx&table=board-trade")
    assert denied.status_code in (302, 403) and "Trade through the boards" not in denied.content.decode()
