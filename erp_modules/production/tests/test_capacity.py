"""Free hours of a work center from its work-order load (the boards' capacity listings read them), and the
outsourced operations a processing demand is posted for."""

from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from erp_modules.catalog.models import Item, Process
from erp_modules.production.selectors import (capacity_work_center_get, outsourced_operation_components,
                                              outsourced_operation_get, work_center_free_hours)
from erp_modules.production.services import (work_order_cancel, work_order_create, work_order_release,
                                             work_order_report_operation)
from erp_modules.production.tests.factories import D, routing, work_center
from erp_modules.workspace.testing import make_bom, make_item, receive

pytestmark = pytest.mark.django_db

MONDAY = date(2030, 5, 6)


def _plant():
    """A press (stamping, 40 h a week) taking 6 min a piece, an assembly line after it."""
    press, line = work_center("PRESS"), work_center("ASSY")
    press.process, press.hours_per_week = Process.STAMPING, D(40)
    press.save()
    part = make_item("BRACKET", item_type=Item.Type.SUBASSEMBLY, name="支架")
    sheet = make_item("SHEET")
    make_bom(part, [(sheet, 1)])
    receive(sheet, 1000, "2")
    steps = routing(part, [("冲压", press, "6", "0"), ("装配", line, "3", "0")])
    return press, line, part, steps


def test_free_hours_are_hours_per_week_minus_the_remaining_load_spread_over_the_planned_days(erp):
    press, _line, part, steps = _plant()
    # 100 × 6 min = 10 h, Mon–Fri of week 1; 60 min already reported → 9 h left
    first = work_order_release(work_order=work_order_create(item=part, quantity=100, routing=steps,
                                                            planned_start=MONDAY, planned_end=date(2030, 5, 10)))
    work_order_report_operation(work_order=first, operation=first.operations.get(sequence=10), quantity_good=10,
                                operator_name="王", minutes=60)
    # 140 × 6 min = 14 h over Fri 10 May .. Thu 16 May (7 days, 2 h a day): 6 h in week 1, 8 h in week 2
    work_order_create(item=part, quantity=140, routing=steps, planned_start=date(2030, 5, 10),
                      planned_end=date(2030, 5, 16))
    # undated: 20 × 6 min = 2 h, due now (week 1)
    work_order_create(item=part, quantity=20, routing=steps)
    # cancelled orders are no load
    work_order_cancel(work_order=work_order_create(item=part, quantity=500, routing=steps, planned_start=MONDAY,
                                                   planned_end=MONDAY))

    weeks = work_center_free_hours(work_center=press, weeks=3, today=MONDAY)

    assert [(w.week, w.capacity_hours, w.load_hours, w.free_hours) for w in weeks] == [
        (date(2030, 5, 6), D(40), D(17), D(23)),
        (date(2030, 5, 13), D(40), D(8), D(32)),
        (date(2030, 5, 20), D(40), D(0), D(40)),
    ]


def test_an_overloaded_week_has_no_free_hours_and_past_plans_land_today(erp):
    press, _line, part, steps = _plant()
    # 500 × 6 min = 50 h planned in April: overdue, so all of it is load this week (more than the 40 h)
    work_order_create(item=part, quantity=500, routing=steps, planned_start=date(2030, 4, 1),
                      planned_end=date(2030, 4, 5))

    weeks = work_center_free_hours(work_center=press, weeks=2, today=date(2030, 5, 8))

    assert [(w.week, w.load_hours, w.free_hours) for w in weeks] == [(MONDAY, D(50), D(0)),
                                                                    (date(2030, 5, 13), D(0), D(40))]


def test_only_active_work_centers_with_a_process_offer_capacity(erp):
    press, line, _part, _steps = _plant()

    assert capacity_work_center_get(work_center_id=press.pk) == press
    assert capacity_work_center_get(work_center_id=line.pk) is None  # no process


def test_an_outsourced_operation_gives_process_quantity_hours_and_need_date(erp):
    press, _line, part, steps = _plant()
    stamping = steps.operations.get(sequence=10)
    stamping.outsourced = True
    stamping.process = Process.ELECTROPLATING  # the routing operation's own process wins over the work center's
    stamping.save()
    wo = work_order_create(item=part, quantity=100, routing=steps, planned_start=date(2030, 5, 8),
                           planned_end=date(2030, 5, 20))
    op = wo.operations.get(sequence=10)

    found = outsourced_operation_get(operation_id=op.pk, today=MONDAY)

    assert (found.process, found.quantity, found.hours, found.start, found.need_date) == (
        Process.ELECTROPLATING, D(100), D(10), date(2030, 5, 8), date(2030, 5, 20))
    assert outsourced_operation_get(operation_id=wo.operations.get(sequence=20).pk) is None  # not outsourced
    assert [(item.code, qty) for item, qty in outsourced_operation_components(operation_id=op.pk)] == [
        ("SHEET", D(100))]  # what the subcontractor is sent: the components still to issue
    work_order_cancel(work_order=wo)
    assert outsourced_operation_get(operation_id=op.pk) is None  # the order is closed


def test_enterprise_a_cannot_read_b_work_centers_or_operations(enterprise_pair):
    a, b, _alice, _bob = enterprise_pair("cap-alpha", "cap-bravo")
    with tenant_context(b):
        press, _line, part, steps = _plant()
        steps.operations.filter(sequence=10).update(outsourced=True)
        op = work_order_create(item=part, quantity=10, routing=steps).operations.get(sequence=10)
        assert outsourced_operation_get(operation_id=op.pk) is not None
    with tenant_context(a):
        assert capacity_work_center_get(work_center_id=press.pk) is None
        assert outsourced_operation_get(operation_id=op.pk) is None
    connection.set_schema_to_public()
