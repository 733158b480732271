"""The 3-way match and the figures the factory dashboard reads."""

from datetime import date
from decimal import Decimal

from erp_modules.purchasing.selectors import (purchase_order_list, purchase_order_open_count, purchase_orders_late,
                                              purchase_spend_by_month, three_way_match)
from erp_modules.purchasing.services import (purchase_order_approve, purchase_order_close, purchase_order_create,
                                             purchase_order_receive, supplier_invoice_create)
from erp_modules.purchasing.tests.factories import make_po, make_supplier
from erp_modules.workspace.testing import make_item

D = Decimal


def test_three_way_match_figures_per_order_line(erp):
    # given: bolts received and billed as ordered; brackets 6 of 10 received, billed at 31 instead of 30;
    # springs received but not billed yet
    supplier = make_supplier()
    bolt, bracket, spring = make_item("BOLT"), make_item("BRACKET"), make_item("SPRING")
    order = make_po(supplier, [(bolt, 100, "2.5"), (bracket, 10, "30"), (spring, 5, "4")])
    l1, l2, l3 = order.lines.order_by("line_no")
    purchase_order_receive(order=order, lines=[{"line": l1, "quantity": "100"}, {"line": l2, "quantity": "6"},
                                               {"line": l3, "quantity": "5"}])
    supplier_invoice_create(order=order, invoice_number="FP-001", lines=[
        {"line": l1, "quantity": "100"}, {"line": l2, "quantity": "6", "unit_price": "31"}])
    # when
    rows = {r.item.code: r for r in three_way_match(order=order)}
    # then
    fields = ["quantity", "received_quantity", "invoiced_quantity", "ordered_amount", "received_amount",
              "invoiced_amount", "qty_difference", "amount_difference", "match_status"]
    figures = {code: tuple(getattr(r, f) for f in fields) for code, r in rows.items()}
    assert figures == {
        "BOLT": (D("100"), D("100"), D("100"), D("250.00"), D("250.00"), D("250.00"), D("0"), D("0"), "ok"),
        "BRACKET": (D("10"), D("6"), D("6"), D("300.00"), D("180.00"), D("186.00"), D("0"), D("6.00"), "over"),
        "SPRING": (D("5"), D("5"), D("0"), D("20.00"), D("20.00"), D("0"), D("-5"), D("-20.00"), "short"),
    }
    assert [r.item.code for r in three_way_match(status="over")] == ["BRACKET"]
    assert [r.item.code for r in three_way_match(status="short")] == ["SPRING"]


def test_three_way_match_leaves_out_drafts_and_flags_short_receipts(erp):
    supplier = make_supplier()
    bolt = make_item()
    make_po(supplier, [(bolt, 10, "1")], approve=False)
    order = make_po(supplier, [(bolt, 10, "1")])
    purchase_order_receive(order=order, lines=[{"line": order.lines.get(), "quantity": "10"}])
    supplier_invoice_create(order=order, invoice_number="A1", lines=[{"line": order.lines.get(), "quantity": "10"}])
    assert [(r.order.number, r.match_status) for r in three_way_match()] == [("PO-00002", "ok")]
    late = make_po(supplier, [(bolt, 10, "1")])
    assert [(r.order.number, r.match_status) for r in three_way_match(order=late)] == [("PO-00003", "short")]


def test_late_orders_and_open_count(erp):
    # given (today = 15 March 2025)
    supplier = make_supplier()
    bolt = make_item()
    day = date(2025, 3, 1)
    late = make_po(supplier, [(bolt, 10, "1")], order_date=day, expected_date=date(2025, 3, 10))
    not_due = make_po(supplier, [(bolt, 10, "1")], order_date=day, expected_date=date(2025, 3, 20))
    received = make_po(supplier, [(bolt, 10, "1")], order_date=day, expected_date=date(2025, 3, 5))
    purchase_order_receive(order=received, lines=[{"line": received.lines.get(), "quantity": "10"}])
    partly = make_po(supplier, [(bolt, 10, "1")], order_date=day, expected_date=date(2025, 3, 20))
    purchase_order_receive(order=partly, lines=[{"line": partly.lines.get(), "quantity": "4"}])
    make_po(supplier, [(bolt, 10, "1")], approve=False, order_date=day, expected_date=date(2025, 3, 2))
    line_late = purchase_order_create(supplier=supplier, order_date=day, expected_date=date(2025, 3, 30), lines=[
        {"item": bolt, "quantity": "1", "expected_date": date(2025, 3, 12)}, {"item": bolt, "quantity": "1"}])
    purchase_order_approve(order=line_late)
    # when
    result = list(purchase_orders_late(today=date(2025, 3, 15)))
    # then: the line's own date counts before the order's
    assert [(o.number, o.late_since) for o in result] == [(late.number, date(2025, 3, 10)),
                                                          (line_late.number, date(2025, 3, 12))]
    assert not_due.number not in [o.number for o in result]
    assert purchase_order_open_count() == 4  # late, not_due, partly, line_late


def test_spend_by_month_counts_committed_orders_incl_vat(erp):
    # given: January 282.50; March an order of 339.00 closed after 4 of 10 (4 × 30 × 1.13 = 135.60);
    # a March draft and a December order outside the window
    supplier = make_supplier()
    bolt, bracket = make_item(), make_item()
    make_po(supplier, [(bolt, 100, "2.5")], order_date=date(2025, 1, 5))
    closed = make_po(supplier, [(bracket, 10, "30")], order_date=date(2025, 3, 2))
    purchase_order_receive(order=closed, lines=[{"line": closed.lines.get(), "quantity": "4"}])
    purchase_order_close(order=closed)
    make_po(supplier, [(bolt, 1000, "2.5")], approve=False, order_date=date(2025, 3, 3))
    make_po(supplier, [(bolt, 1000, "2.5")], order_date=date(2024, 12, 20))
    # when
    spend = purchase_spend_by_month(months=3, today=date(2025, 3, 15))
    # then
    assert spend == [("2025-01", D("282.50")), ("2025-02", D("0.00")), ("2025-03", D("135.60"))]


def test_order_list_filters(erp):
    a = make_supplier("甲供应商")
    b = make_supplier("乙供应商")
    bolt = make_item()
    make_po(a, [(bolt, 1, "1")])
    make_po(b, [(bolt, 1, "1")], approve=False)
    assert [o.number for o in purchase_order_list(search="乙")] == ["PO-00002"]
    assert [o.number for o in purchase_order_list(status="approved")] == ["PO-00001"]
    assert [o.number for o in purchase_order_list(supplier_id=a.pk)] == ["PO-00001"]
