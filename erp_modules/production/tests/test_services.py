"""Work orders from creation to completion, against real PostgreSQL (the `erp` fixture)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.testing import codes
from erp_modules.catalog.models import BomLine, Item
from erp_modules.catalog.services import bom_create, bom_release
from erp_modules.common.selectors import audit_history
from erp_modules.inventory.models import Lot, MoveType, Reservation, SerialNumber, StockBalance, StockMove
from erp_modules.inventory.selectors import stock_available, stock_on_hand
from erp_modules.inventory.services import location_create
from erp_modules.production.models import OperationReport, WorkOrder
from erp_modules.production.selectors import trace_lot_back, trace_lot_forward, work_order_trace
from erp_modules.production.services import (IssueLine, work_order_cancel, work_order_complete, work_order_create,
                                             work_order_issue_components, work_order_issue_remaining,
                                             work_order_release, work_order_report_operation,
                                             work_order_report_reverse)
from erp_modules.production.tests.factories import D, range_hood, receive_lot, stock_range_hood_parts
from erp_modules.workspace.testing import main_location, main_warehouse, make_bom, make_item, receive

pytestmark = pytest.mark.django_db


def _rows(work_order):
    return {(c.item.code, c.line_type): c for c in work_order.components.select_related("item")}


def _stocked_and_released(*, quantity: int = 10, routed: bool = False, **hood):
    """The range hood's parts (range_hood(**hood)) in stock, and a released work order for ``quantity`` hoods (on its
    routing if routed)."""
    parts = range_hood(**hood)
    stock_range_hood_parts(parts)
    routing = {"routing": parts["routing"]} if routed else {}
    return parts, work_order_release(work_order=work_order_create(item=parts["hood"], quantity=quantity, **routing))


def _active_reserved(work_order) -> dict[str, Decimal]:
    return {r.item.code: r.quantity - r.consumed for r in Reservation.objects.filter(
        reference_type="work_order", reference_id=work_order.pk, status="active").select_related("item")}


def _issue_all(work_order, parts):
    rows = _rows(work_order)
    return work_order_issue_components(work_order=work_order, lines=[
        IssueLine(rows[("MOTOR", "component")], 6, lot="M-A"),
        IssueLine(rows[("MOTOR", "component")], 4, lot="M-B"),
        IssueLine(rows[("STEEL", "component")], "26"),
        IssueLine(rows[("SCREW", "component")], 80),
    ])


# ---- create --------------------------------------------------------------------------------------


def test_create_takes_one_bom_level_with_scrap_and_rounds_up_to_the_unit(erp):
    # given a 2-level BOM: the cabinet (made for 2 at a time) needs a fan sub-assembly (5 % scrap),
    # bolts and steel; the fan has its own BOM
    cabinet = make_item("CAB", item_type=Item.Type.FINISHED)
    fan = make_item("FAN", item_type=Item.Type.SUBASSEMBLY)
    blade, bolt = make_item("BLADE"), make_item("BOLT")
    steel = make_item("STEEL", item_type=Item.Type.RAW, uom="kg")
    make_bom(fan, [(blade, 3)])
    make_bom(cabinet, [(fan, 2), (bolt, 3), (steel, "0.75")], quantity=2, scrap={"FAN": 5, "STEEL": 2})

    # when a work order for 10 is created
    wo = work_order_create(item=cabinet, quantity=D(10))

    # then one level only: 10 × 2 × 1.05 / 2 = 10.5 fans → 11 (whole pieces), 15 bolts, 3.825 kg steel
    assert wo.number == "WO-00001"
    assert wo.status == WorkOrder.Status.DRAFT
    assert wo.bom.item == cabinet and wo.component_location == main_location() == wo.output_location
    assert {code: c.quantity_required for (code, _t), c in _rows(wo).items()} == {
        "FAN": D(11), "BOLT": D(15), "STEEL": D("3.825")}
    assert _rows(wo)[("FAN", "component")].scrap_pct == D(5)
    assert [e.action for e in audit_history(obj=wo)] == ["create"]


def test_create_explodes_kits_and_lists_by_products_as_outputs(erp):
    # given a hood whose BOM holds an accessory kit (phantom) and gives off steel offcuts
    hood = make_item("RH-02", item_type=Item.Type.FINISHED)
    kit = make_item("ACC-KIT", item_type=Item.Type.KIT)
    bag, manual, body = make_item("BAG"), make_item("MANUAL"), make_item("BODY")
    offcut = make_item("OFFCUT", item_type=Item.Type.RAW, uom="kg")
    make_bom(kit, [(bag, 1), (manual, 2)])
    bom = bom_create(item=hood, lines=[
        {"component": body, "quantity": D(1)}, {"component": kit, "quantity": D(1), "scrap_pct": D(10)},
        {"component": offcut, "quantity": D("0.2"), "line_type": BomLine.LineType.BY_PRODUCT}])
    bom_release(bom=bom)

    # when
    wo = work_order_create(item=hood, quantity=5)

    # then the kit never appears; its parts do with the kit line's 10 % scrap (5.5 bags → 6), and the
    # offcut is an output
    rows = _rows(wo)
    assert {key: c.quantity_required for key, c in rows.items()} == {
        ("BODY", "component"): D(5), ("BAG", "component"): D(6), ("MANUAL", "component"): D(11),
        ("OFFCUT", "by_product"): D("1.000")}
    assert rows[("BAG", "component")].kit == kit and rows[("MANUAL", "component")].kit == kit
    assert rows[("BODY", "component")].kit is None


def test_create_copies_the_routing_operations_with_their_rates(erp):
    parts = range_hood()
    wo = work_order_create(item=parts["hood"], quantity=10, routing=parts["routing"],
                           planned_start=date(2025, 3, 3), planned_end=date(2025, 3, 5))
    ops = list(wo.operations.order_by("sequence"))
    assert [(o.sequence, o.name, o.work_center.code, o.planned_minutes, o.piece_rate, o.cost_per_hour)
            for o in ops] == [(10, "冲压", "PRESS", D(10), D("1.5"), D(60)), (20, "装配", "ASSY", D(20), D("3.2"), D(36))]


def test_create_refuses_a_kit_an_item_without_bom_and_reversed_dates(erp):
    kit = make_item("KIT", item_type=Item.Type.KIT)
    plain = make_item("PLAIN", item_type=Item.Type.FINISHED)
    parts = range_hood()
    with pytest.raises(ValidationError) as kit_error:
        work_order_create(item=kit, quantity=1)
    with pytest.raises(ValidationError) as no_bom:
        work_order_create(item=plain, quantity=1)
    with pytest.raises(ValidationError) as dates:
        work_order_create(item=parts["hood"], quantity=1, planned_start=date(2025, 3, 5), planned_end=date(2025, 3, 1))
    with pytest.raises(ValidationError) as half:
        work_order_create(item=parts["hood"], quantity="1.5")
    assert kit_error.value.message_dict.keys() == {"item"} and codes(kit_error.value) == ["item_not_producible"]
    assert codes(no_bom.value) == ["no_bom"] and "PLAIN" in no_bom.value.message_dict["bom"][0]
    assert codes(dates.value) == ["invalid_dates"]
    assert codes(half.value) == ["invalid_quantity"]
    assert WorkOrder.objects.count() == 0


# ---- release -------------------------------------------------------------------------------------


def test_release_reserves_exactly_the_requirements(erp):
    parts = range_hood()
    stock_range_hood_parts(parts)
    wo = work_order_create(item=parts["hood"], quantity=10)

    wo = work_order_release(work_order=wo)

    assert wo.status == WorkOrder.Status.RELEASED
    assert _active_reserved(wo) == {"MOTOR": D(10), "STEEL": D(26), "SCREW": D(80)}
    assert stock_available(item=parts["motor"], location=main_location()) == D(10)
    assert stock_available(item=parts["steel"], location=main_location()) == D(74)


def test_release_fails_atomically_and_names_the_short_component(erp):
    # given enough motors and screws but only 20 kg of steel for the 26 kg needed
    parts = range_hood()
    receive_lot(parts["motor"], 10, "100", "M-A")
    receive(parts["steel"], 20, "9")
    receive(parts["screw"], 1000, "0.05")
    wo = work_order_create(item=parts["hood"], quantity=10)

    with pytest.raises(ValidationError) as error:
        work_order_release(work_order=wo)

    message = error.value.message_dict["components"][0]
    assert codes(error.value) == ["insufficient_stock"]
    assert "STEEL" in message and "26 千克 needed, 20 available (6 short)" in message
    assert "MOTOR" not in message and "SCREW" not in message
    assert Reservation.objects.count() == 0
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.DRAFT


# ---- issue ---------------------------------------------------------------------------------------


def test_issue_by_lot_consumes_the_reservation_and_the_lots(erp):
    parts, wo = _stocked_and_released()
    rows = _rows(wo)

    moves = work_order_issue_components(work_order=wo, lines=[
        IssueLine(rows[("MOTOR", "component")], 6, lot="M-A"), IssueLine(rows[("MOTOR", "component")], 4, lot="M-B"),
        IssueLine(rows[("SCREW", "component")], 50)])

    # then the lots went down, the reservations shrank, valuation at the moving average (110)
    assert [(m.move_type, m.item.code, m.lot.code if m.lot else None, m.quantity, m.value) for m in moves] == [
        (MoveType.PRODUCTION_CONSUME, "MOTOR", "M-A", D(-6), D(-660)),
        (MoveType.PRODUCTION_CONSUME, "MOTOR", "M-B", D(-4), D(-440)),
        (MoveType.PRODUCTION_CONSUME, "SCREW", None, D(-50), D("-2.5"))]
    assert {b.lot.code: b.on_hand for b in StockBalance.objects.filter(item=parts["motor"])} == {"M-A": 4, "M-B": 6}
    assert _active_reserved(wo) == {"STEEL": D(26), "SCREW": D(30)}
    rows = _rows(wo)
    assert (rows[("MOTOR", "component")].quantity_issued, rows[("MOTOR", "component")].value_issued) == (10, 1100)
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.IN_PROGRESS


def test_issue_needs_a_lot_for_lot_tracked_components_and_a_flag_to_over_issue(erp):
    parts, wo = _stocked_and_released()
    rows = _rows(wo)

    with pytest.raises(ValidationError) as no_lot:
        work_order_issue_components(work_order=wo, lines=[IssueLine(rows[("MOTOR", "component")], 1)])
    with pytest.raises(ValidationError) as unknown_lot:
        work_order_issue_components(work_order=wo, lines=[IssueLine(rows[("MOTOR", "component")], 1, lot="M-Z")])
    with pytest.raises(ValidationError) as over:
        work_order_issue_components(work_order=wo, lines=[IssueLine(rows[("SCREW", "component")], 81)])
    with pytest.raises(ValidationError) as nothing:
        work_order_issue_components(work_order=wo, lines=[IssueLine(rows[("SCREW", "component")], 0)])

    assert codes(no_lot.value) == ["lot_required"] and "Line 1 (MOTOR 电机)" in no_lot.value.messages[0]
    assert codes(unknown_lot.value) == ["lot_not_found"]
    assert codes(over.value) == ["over_issue"]
    assert "issuing 81 would exceed the requirement of 80" in over.value.messages[0]
    assert codes(nothing.value) == ["nothing_to_issue"]
    assert not StockMove.objects.filter(move_type=MoveType.PRODUCTION_CONSUME).exists()

    # when the over-issue is confirmed, the extra comes out of free stock
    work_order_issue_components(work_order=wo, lines=[IssueLine(rows[("SCREW", "component")], 81)],
                                allow_over_issue=True)
    assert _rows(wo)[("SCREW", "component")].quantity_issued == 81
    assert stock_on_hand(item=parts["screw"]) == D(919)
    assert "SCREW" not in _active_reserved(wo)


def test_partial_issues_add_up(erp):
    parts, wo = _stocked_and_released()
    steel = _rows(wo)[("STEEL", "component")]

    work_order_issue_components(work_order=wo, lines=[{"component": steel.pk, "quantity": "10.5"}])
    work_order_issue_components(work_order=wo, lines=[{"component": steel.pk, "quantity": "15.5"}])

    steel.refresh_from_db()
    assert (steel.quantity_issued, steel.value_issued) == (D(26), D(234))
    assert "STEEL" not in _active_reserved(wo)


def test_issue_refused_on_a_draft(erp):
    parts = range_hood()
    stock_range_hood_parts(parts)
    wo = work_order_create(item=parts["hood"], quantity=10)
    with pytest.raises(ValidationError) as error:
        work_order_issue_components(work_order=wo, lines=[IssueLine(_rows(wo)[("SCREW", "component")], 1)])
    assert codes(error.value) == ["invalid_status"]


# ---- operations ----------------------------------------------------------------------------------


def test_report_operations_pays_piece_rates_and_keeps_the_flow(erp):
    parts, wo = _stocked_and_released(routed=True)
    stamping, assembly = wo.operations.order_by("sequence")

    first = work_order_report_operation(work_order=wo, operation=stamping, quantity_good=10, operator_name=" 张三 ",
                                        minutes=45, work_date=date(2025, 3, 3))
    with pytest.raises(ValidationError) as too_many:
        work_order_report_operation(work_order=wo, operation=assembly, quantity_good=11, operator_name="李四")
    second = work_order_report_operation(work_order=wo, operation=assembly, quantity_good=9, quantity_scrap=1,
                                         operator_name="李四", minutes=90, work_date=date(2025, 3, 4))

    assert (first.operator_name, first.pay, first.cost, first.piece_count) == ("张三", D(15), D(45), D(10))
    assert (second.pay, second.cost, second.piece_count) == (D("28.8"), D(54), D(10))
    assert codes(too_many.value) == ["exceeds_previous_operation"]
    assert "previous operation 10 冲压 has only 10 good" in too_many.value.message_dict["quantity_good"][0]
    assembly.refresh_from_db()
    assert (assembly.quantity_good, assembly.quantity_scrap, assembly.minutes, assembly.pay) == (9, 1, 90, D("28.8"))
    assert not StockMove.objects.filter(item=parts["hood"]).exists()  # scrap never reaches stock
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.IN_PROGRESS


def test_report_checks_status_operator_quantities_and_over_production(erp):
    parts = range_hood()
    stock_range_hood_parts(parts)
    wo = work_order_create(item=parts["hood"], quantity=10, routing=parts["routing"])
    stamping = wo.operations.order_by("sequence").first()
    with pytest.raises(ValidationError) as draft:
        work_order_report_operation(work_order=wo, operation=stamping, quantity_good=1, operator_name="张三")
    wo = work_order_release(work_order=wo)
    errors = {}
    for name, kwargs in {
        "no_operator": {"quantity_good": 1, "operator_name": "  "},
        "nothing": {"quantity_good": 0, "operator_name": "张三"},
        "negative": {"quantity_good": -1, "operator_name": "张三"},
        "half_piece": {"quantity_good": "1.5", "operator_name": "张三"},
        "not_a_number": {"quantity_good": "ten", "operator_name": "张三"},
        "over": {"quantity_good": 11, "operator_name": "张三"},
    }.items():
        with pytest.raises(ValidationError) as error:
            work_order_report_operation(work_order=wo, operation=stamping, **kwargs)
        errors[name] = (list(error.value.message_dict), codes(error.value))

    assert codes(draft.value) == ["invalid_status"]
    assert errors == {
        "no_operator": (["operator_name"], ["operator_required"]),
        "nothing": (["quantity_good"], ["nothing_reported"]),
        "negative": (["quantity_good"], ["invalid_quantity"]),
        "half_piece": (["quantity_good"], ["invalid_quantity"]),
        "not_a_number": (["quantity_good"], ["invalid_quantity"]),
        "over": (["quantity_good"], ["over_production"]),
    }
    assert OperationReport.objects.count() == 0
    report = work_order_report_operation(work_order=wo, operation=stamping, quantity_good=11, operator_name="张三",
                                         allow_over_production=True)
    assert report.pay == D("16.5")


def test_reversing_a_report_takes_back_pay_unless_the_next_operation_used_it(erp):
    parts, wo = _stocked_and_released(routed=True)
    stamping, assembly = wo.operations.order_by("sequence")
    wrong = work_order_report_operation(work_order=wo, operation=stamping, quantity_good=10, operator_name="张三")
    work_order_report_operation(work_order=wo, operation=assembly, quantity_good=5, operator_name="李四")

    with pytest.raises(ValidationError) as used:
        work_order_report_reverse(report=wrong)
    assert codes(used.value) == ["exceeds_previous_operation"]

    small = work_order_report_operation(work_order=wo, operation=stamping, quantity_good=0, quantity_scrap=2,
                                        operator_name="王五", minutes=5)
    work_order_report_reverse(report=small)
    stamping.refresh_from_db()
    assert (stamping.quantity_good, stamping.quantity_scrap, stamping.pay) == (10, 0, D(15))
    assert OperationReport.objects.count() == 2
    assert audit_history(obj=wo).first().action == "delete"


# ---- complete ------------------------------------------------------------------------------------


def test_complete_receives_at_actual_cost_in_a_lot_named_after_the_work_order(erp):
    # given components issued at moving average: motors 10 × 110 = 1100, steel 26 kg × 9 = 234,
    # screws 80 × 0.05 = 4 → 1338
    parts, wo = _stocked_and_released(routed=True)
    _issue_all(wo, parts)
    stamping, assembly = wo.operations.order_by("sequence")
    # stamping 45 min at 60 ¥/h = 45, pay 10 × 1.50 = 15; assembly 90 min at 36 ¥/h = 54, pay 9 × 3.20 = 28.80
    work_order_report_operation(work_order=wo, operation=stamping, quantity_good=10, operator_name="张三", minutes=45)
    work_order_report_operation(work_order=wo, operation=assembly, quantity_good=9, quantity_scrap=1,
                                operator_name="李四", minutes=90)

    # when
    wo = work_order_complete(work_order=wo)

    # then 9 hoods at (1338 + 45 + 54 + 15 + 28.80) / 9 = 1480.80 / 9 = 164.5333
    assert wo.status == WorkOrder.Status.COMPLETED
    assert (wo.quantity_produced, wo.cost_components, wo.cost_operations, wo.cost_piece_pay) == (
        D(9), D(1338), D(99), D("43.8"))
    assert wo.unit_cost == D("164.5333") and wo.cost_total == D("1480.8")
    output = StockMove.objects.get(move_type=MoveType.PRODUCTION_OUTPUT)
    assert (output.item, output.lot.code, output.quantity, output.unit_cost, output.value, output.location) == (
        parts["hood"], "WO-00001", D(9), D("164.5333"), D("1480.7997"), main_location())
    assert wo.output_lot == output.lot
    parts["hood"].refresh_from_db()
    assert parts["hood"].average_cost == D("164.5333")
    assert stock_on_hand(item=parts["hood"]) == D(9)
    assert Reservation.objects.filter(status="active").count() == 0


def test_complete_without_routing_takes_the_given_quantity_and_releases_unused_reservations(erp):
    parts, wo = _stocked_and_released(tracking=Item.Tracking.NONE)
    rows = _rows(wo)
    work_order_issue_components(work_order=wo, lines=[
        IssueLine(rows[("MOTOR", "component")], 5, lot="M-A"), IssueLine(rows[("STEEL", "component")], 13),
        IssueLine(rows[("SCREW", "component")], 40)])

    with pytest.raises(ValidationError) as missing:
        work_order_complete(work_order=wo)
    wo = work_order_complete(work_order=wo, quantity=5)

    assert codes(missing.value) == ["invalid_quantity"]
    # (5 × 110 + 13 × 9 + 40 × 0.05) / 5 = (550 + 117 + 2) / 5 = 133.8
    assert (wo.quantity_produced, wo.unit_cost, wo.output_lot) == (D(5), D("133.8"), None)
    assert Reservation.objects.filter(reference_id=wo.pk, status="released").count() == 3
    assert stock_available(item=parts["motor"], location=main_location()) == D(15)


def test_complete_a_serial_numbered_item_creates_serials_linked_to_the_lot(erp):
    parts, wo = _stocked_and_released(quantity=3, tracking=Item.Tracking.SERIAL)
    rows = _rows(wo)
    work_order_issue_components(work_order=wo, lines=[IssueLine(rows[("MOTOR", "component")], 3, lot="M-A")])

    with pytest.raises(ValidationError) as wrong_count:
        work_order_complete(work_order=wo, quantity=3, serials=["SN-1"])
    wo = work_order_complete(work_order=wo, quantity=3)

    assert codes(wrong_count.value) == ["invalid_serials"]
    serials = list(SerialNumber.objects.filter(item=parts["hood"]).order_by("serial"))
    assert [(s.serial, s.lot.code, s.location, s.produced_by_ref) for s in serials] == [
        (f"WO-00001-000{n}", "WO-00001", main_location(), "WO-00001") for n in (1, 2, 3)]
    assert StockMove.objects.filter(move_type=MoveType.PRODUCTION_OUTPUT, serial__isnull=False).count() == 3
    assert wo.unit_cost == D("110")


def test_complete_receives_by_products_at_standard_cost_and_credits_them(erp):
    hood = make_item("RH-03", item_type=Item.Type.FINISHED)
    body = make_item("BODY")
    offcut = make_item("OFFCUT", item_type=Item.Type.RAW, uom="kg", standard_cost=D(2))
    bom = bom_create(item=hood, lines=[{"component": body, "quantity": D(1)},
                                       {"component": offcut, "quantity": D("0.5"),
                                        "line_type": BomLine.LineType.BY_PRODUCT}])
    bom_release(bom=bom)
    receive(body, 10, "50")
    wo = work_order_release(work_order=work_order_create(item=hood, quantity=10))
    work_order_issue_components(work_order=wo, lines=[IssueLine(_rows(wo)[("BODY", "component")], 8)])

    wo = work_order_complete(work_order=wo, quantity=8)

    # 8 × 0.5 = 4 kg offcut at 2 = 8 credited: (400 − 8) / 8 = 49
    assert (wo.cost_components, wo.cost_by_products, wo.unit_cost) == (D(400), D(8), D(49))
    assert stock_on_hand(item=offcut) == D(4)
    assert _rows(wo)[("OFFCUT", "by_product")].quantity_issued == D(4)


def test_complete_with_routing_refuses_when_nothing_is_good_yet(erp):
    parts, wo = _stocked_and_released(routed=True)
    with pytest.raises(ValidationError) as error:
        work_order_complete(work_order=wo)
    assert codes(error.value) == ["nothing_to_complete"]


# ---- traceability --------------------------------------------------------------------------------


def test_trace_from_a_finished_lot_back_to_component_lots(erp):
    parts, wo = _stocked_and_released(routed=True)
    _issue_all(wo, parts)
    stamping, assembly = wo.operations.order_by("sequence")
    work_order_report_operation(work_order=wo, operation=stamping, quantity_good=10, operator_name="张三")
    work_order_report_operation(work_order=wo, operation=assembly, quantity_good=10, operator_name="李四")
    work_order_complete(work_order=wo)

    traces = trace_lot_back(item=parts["hood"], lot_code="WO-00001")

    assert [t.work_order for t in traces] == [wo]
    trace = traces[0]
    assert [lot.code for lot in trace.output_lots] == ["WO-00001"]
    assert sorted((c.item.code, c.lot.code if c.lot else None, c.quantity) for c in trace.components) == [
        ("MOTOR", "M-A", D(6)), ("MOTOR", "M-B", D(4)), ("SCREW", None, D(80)), ("STEEL", None, D(26))]
    assert trace_lot_back(item=parts["hood"], lot_code="NO-SUCH") == []
    assert [t.work_order for t in trace_lot_forward(item=parts["motor"], lot_code="M-B")] == [wo]
    assert work_order_trace(work_order=wo).component_lots == trace.component_lots


def test_trace_through_a_sub_assembly_lot_and_a_serial(erp):
    # given a lot-tracked fan made by WO-00001 and consumed by a serial-numbered hood on WO-00002
    fan = make_item("FAN", item_type=Item.Type.SUBASSEMBLY, tracking=Item.Tracking.LOT)
    blade = make_item("BLADE", tracking=Item.Tracking.LOT)
    hood = make_item("RH-04", item_type=Item.Type.FINISHED, tracking=Item.Tracking.SERIAL)
    make_bom(fan, [(blade, 3)])
    make_bom(hood, [(fan, 1)])
    receive_lot(blade, 6, "4", "BL-7")
    fan_wo = work_order_release(work_order=work_order_create(item=fan, quantity=2))
    work_order_issue_components(work_order=fan_wo, lines=[IssueLine(_rows(fan_wo)[("BLADE", "component")], 6,
                                                                    lot="BL-7")])
    work_order_complete(work_order=fan_wo, quantity=2)
    hood_wo = work_order_release(work_order=work_order_create(item=hood, quantity=2))
    work_order_issue_components(work_order=hood_wo, lines=[IssueLine(_rows(hood_wo)[("FAN", "component")], 2,
                                                                     lot="WO-00001")])
    work_order_complete(work_order=hood_wo, quantity=2, serials=["H-100", "H-101"])

    # when tracing back from a serial number
    traces = trace_lot_back(item=hood, lot_code="H-101")

    # then the hood's work order, the fan lot it used, and the work order that made that fan lot
    assert [t.work_order.number for t in traces] == ["WO-00002"]
    assert [s.serial for s in traces[0].output_serials] == ["H-100", "H-101"]
    (fan_line,) = traces[0].components
    assert (fan_line.item, fan_line.lot.code, fan_line.quantity, fan_line.produced_by) == (fan, "WO-00001", 2, [fan_wo])
    (blade_line,) = trace_lot_back(item=fan, lot_code="WO-00001")[0].components
    assert (blade_line.lot.code, blade_line.quantity, blade_line.produced_by) == ("BL-7", 6, [])


# ---- cancel --------------------------------------------------------------------------------------


def test_cancel_releases_reservations(erp):
    parts, wo = _stocked_and_released()

    wo = work_order_cancel(work_order=wo, reason="客户取消")

    assert wo.status == WorkOrder.Status.CANCELLED
    assert _active_reserved(wo) == {}
    assert stock_available(item=parts["motor"], location=main_location()) == D(20)
    assert "客户取消" in audit_history(obj=wo).first().message


def test_cancel_refused_after_an_issue(erp):
    parts, wo = _stocked_and_released()
    work_order_issue_components(work_order=wo, lines=[IssueLine(_rows(wo)[("SCREW", "component")], 1)])

    with pytest.raises(ValidationError) as error:
        work_order_cancel(work_order=wo)

    assert codes(error.value) == ["already_issued"]
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.IN_PROGRESS
    assert _active_reserved(wo)["SCREW"] == D(79)


def test_issue_remaining_takes_the_oldest_lots_first_and_only_what_is_still_needed(erp):
    parts, wo = _stocked_and_released(quantity=12)  # lot M-A (10) was received before M-B (10)
    work_order_issue_components(work_order=wo, lines=[IssueLine(_rows(wo)[("SCREW", "component")], 90)])

    moves = work_order_issue_remaining(work_order=wo)

    assert [(m.item.code, m.lot.code if m.lot else None, m.quantity) for m in moves] == [
        ("MOTOR", "M-A", D(-10)), ("MOTOR", "M-B", D(-2)), ("STEEL", None, D("-31.2")), ("SCREW", None, D(-6))]
    assert {code: c.quantity_remaining for (code, _t), c in _rows(wo).items()} == {"MOTOR": 0, "STEEL": 0, "SCREW": 0}
    with pytest.raises(ValidationError) as done:
        work_order_issue_remaining(work_order=wo)
    assert codes(done.value) == ["nothing_to_issue"]


def test_issue_remaining_is_all_or_nothing_when_lots_run_short(erp):
    # given a line-side location that may go negative (so the release reserved without checking)
    parts = range_hood()
    line_side = location_create(warehouse=main_warehouse(), code="LINE", allow_negative=True)
    receive_lot(parts["motor"], 5, "100", "M-A")
    receive(parts["motor"], 5, "100", location=line_side, lot=Lot.objects.get(code="M-A"))
    receive(parts["steel"], 100, "9", location=line_side)
    receive(parts["screw"], 1000, "0.05", location=line_side)
    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=10,
                                                         component_location=line_side))

    with pytest.raises(ValidationError) as error:
        work_order_issue_remaining(work_order=wo)

    assert codes(error.value) == ["insufficient_stock"]
    assert error.value.messages == ["MOTOR 电机: 5 个 more are needed than WH/LINE holds in lots or serial numbers."]
    assert not StockMove.objects.filter(move_type=MoveType.PRODUCTION_CONSUME).exists()
