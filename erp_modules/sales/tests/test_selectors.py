"""Reads for lists and the factory dashboard."""

from datetime import date

from erp_modules.sales.selectors import (deliveries_due, sales_by_month, sales_order_lines, sales_orders_open,
                                         sales_orders_open_count)
from erp_modules.sales.services import (delivery_create, invoice_cancel, invoice_create, sales_order_confirm,
                                        sales_order_create)
from erp_modules.sales.tests.factories import D, make_customer, make_hood, order_for


def test_sales_by_month_sums_invoices_incl_vat_per_month_with_zeros_and_without_cancelled(erp):
    # given invoices in January and March 2025 and a cancelled one in March
    customer = make_customer()
    hood = make_hood(stock=100)
    for invoice_date, quantity in [(date(2025, 1, 15), 3), (date(2025, 3, 2), 1), (date(2025, 3, 31), 2)]:
        order = order_for(customer, (hood, quantity, "1299.00"), confirm=True)
        delivery_create(order=order)
        invoice_create(order=order, invoice_date=invoice_date)
    cancelled = order_for(customer, (hood, 1, "5000"), confirm=True)
    delivery_create(order=cancelled)
    invoice_cancel(invoice=invoice_create(order=cancelled, invoice_date=date(2025, 3, 5)))
    # when the last 4 months up to April are asked for
    result = sales_by_month(months=4, today=date(2025, 4, 20))
    # then 3 × 1,299 × 1.13 in January and (1 + 2) × 1,299 × 1.13 in March (per invoice: 1467.87 + 2935.74)
    assert result == [("2025-01", D("4403.61")), ("2025-02", D("0.00")), ("2025-03", D("4403.61")),
                      ("2025-04", D("0.00"))]


def test_open_orders_and_deliveries_due(erp):
    customer = make_customer()
    hood = make_hood(stock=100)

    def order(delivery_date, confirm=True):
        o = sales_order_create(customer=customer, delivery_date=delivery_date, order_date=date(2025, 1, 1),
                               lines=[{"item": hood, "quantity": D(4), "unit_price": D(1000)}])
        return sales_order_confirm(order=o) if confirm else o

    overdue = order(date(2025, 4, 1))
    today = order(date(2025, 4, 10))
    next_week = order(date(2025, 4, 15))
    order(date(2025, 4, 5), confirm=False)  # a draft is not open
    done = order(date(2025, 4, 2))
    delivery_create(order=done)
    delivery_create(order=overdue, lines=[{"order_line": overdue.lines.get(), "quantity": D(1)}])

    assert sales_orders_open_count() == 3
    assert [o.number for o in sales_orders_open()] == [overdue.number, today.number, next_week.number]
    due = list(deliveries_due(today=date(2025, 4, 10)))
    assert [(o.number, o.open_quantity) for o in due] == [(overdue.number, D(3)), (today.number, D(4))]
    assert [o.number for o in deliveries_due(today=date(2025, 4, 10), within_days=7)] == [
        overdue.number, today.number, next_week.number]


def test_order_lines_show_reserved_delivered_and_backorder(erp):
    customer = make_customer()
    hood = make_hood(stock=10)
    order = order_for(customer, (hood, 5, "1299"), confirm=True)
    assert [(v.reserved, v.backorder) for v in sales_order_lines(order=order)] == [(D(5), D(0))]
    delivery_create(order=order, lines=[{"order_line": order.lines.get(), "quantity": D(2)}])
    assert [(v.reserved, v.line.delivered_qty, v.backorder) for v in sales_order_lines(order=order)] == [
        (D(3), D(2), D(3))]
