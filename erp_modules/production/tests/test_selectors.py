"""The reads the factory dashboard and MRP build on."""

from datetime import date

import pytest

from erp_modules.production.selectors import (piece_rate_pay, work_order_component_demand, work_order_cost_breakdown,
                                              work_order_open_count, work_orders_in_progress, work_order_supply)
from erp_modules.production.services import (IssueLine, work_order_cancel, work_order_complete, work_order_create,
                                             work_order_issue_components, work_order_release,
                                             work_order_report_operation)
from erp_modules.production.tests.factories import D, range_hood, stock_range_hood_parts

pytestmark = pytest.mark.django_db


def _orders(parts):
    """WO-00001 draft (due 5 May), WO-00002 released (due 3 May), WO-00003 in progress (undated),
    WO-00004 completed, WO-00005 cancelled."""
    hood = parts["hood"]
    draft = work_order_create(item=hood, quantity=3, planned_start=date(2030, 5, 1), planned_end=date(2030, 5, 5))
    released = work_order_release(work_order=work_order_create(item=hood, quantity=2, planned_start=date(2030, 5, 1),
                                                               planned_end=date(2030, 5, 3)))
    running = work_order_release(work_order=work_order_create(item=hood, quantity=4, routing=parts["routing"]))
    screws = running.components.get(item__code="SCREW")
    work_order_issue_components(work_order=running, lines=[IssueLine(screws, 12)])
    done = work_order_release(work_order=work_order_create(item=hood, quantity=1))
    work_order_complete(work_order=done, quantity=1)
    cancelled = work_order_cancel(work_order=work_order_create(item=hood, quantity=9))
    return draft, released, running, done, cancelled


def test_dashboard_counts_and_orders_in_progress(erp):
    parts = range_hood()
    stock_range_hood_parts(parts)
    draft, released, running, _done, _cancelled = _orders(parts)

    assert [wo.number for wo in work_orders_in_progress()] == [released.number, running.number]
    assert work_order_open_count() == 3


def test_planned_supply_and_component_demand_of_open_orders(erp):
    parts = range_hood()
    stock_range_hood_parts(parts)
    draft, released, running, _done, _cancelled = _orders(parts)

    supply = [(wo.number, wo.remaining) for wo in work_order_supply(item_ids=[parts["hood"].pk])]
    screws = [(c.work_order.number, c.remaining) for c in work_order_component_demand(item_ids=[parts["screw"].pk])]

    assert supply == [(released.number, D(2)), (draft.number, D(3)), (running.number, D(4))]
    # 8 a hood: draft 24, released 16, running 32 − 12 issued = 20 (dated first, then undated)
    assert screws == [(draft.number, D(24)), (released.number, D(16)), (running.number, D(20))]


def test_piece_rate_pay_per_operator_within_the_dates(erp):
    parts = range_hood()
    stock_range_hood_parts(parts)
    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=10, routing=parts["routing"]))
    stamping, assembly = wo.operations.order_by("sequence")
    work_order_report_operation(work_order=wo, operation=stamping, quantity_good=10, quantity_scrap=1,
                                operator_name="张三", minutes=40, work_date=date(2030, 5, 31))
    work_order_report_operation(work_order=wo, operation=assembly, quantity_good=4, operator_name="张三",
                                minutes=20, work_date=date(2030, 6, 1))
    work_order_report_operation(work_order=wo, operation=assembly, quantity_good=5, operator_name="李四",
                                work_date=date(2030, 6, 2))
    work_order_report_operation(work_order=wo, operation=assembly, quantity_good=1, operator_name="李四",
                                work_date=date(2030, 7, 1))

    rows = {r["operator_name"]: r for r in piece_rate_pay(date_from=date(2030, 6, 1), date_to=date(2030, 6, 30))}
    may = list(piece_rate_pay(date_from=date(2030, 5, 1), date_to=date(2030, 5, 31)))

    assert {name: (r["reports"], r["quantity_good"], r["minutes"], r["pay"]) for name, r in rows.items()} == {
        "张三": (1, D(4), D(20), D("12.8")), "李四": (1, D(5), D(0), D(16))}
    assert [(r["operator_name"], r["quantity_good"], r["quantity_scrap"], r["piece_count"], r["pay"]) for r in may] == [
        ("张三", D(10), D(1), D(11), D(15))]


def test_cost_breakdown_planned_against_actual(erp):
    parts = range_hood()
    stock_range_hood_parts(parts)
    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=10, routing=parts["routing"]))
    work_order_issue_components(work_order=wo, lines=[IssueLine(wo.components.get(item__code="STEEL"), 26)])

    cost = work_order_cost_breakdown(work_order=wo)

    # planned: 10 motors × 110 + 26 kg × 9 + 80 screws × 0.05 = 1338; 10 min at 60/h + 20 min at 36/h = 22;
    # pay 10 × (1.50 + 3.20) = 47
    assert (cost.planned_components, cost.planned_operations, cost.planned_piece_pay, cost.planned_total) == (
        D(1338), D(22), D(47), D(1407))
    assert (cost.actual_components, cost.actual_operations, cost.actual_piece_pay, cost.actual_total) == (
        D(234), D(0), D(0), D(234))
    assert cost.planned_unit == D("140.7")
