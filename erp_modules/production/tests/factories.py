"""Builders for production tests (inside tenant_context). Real rows through real services, except
work centers, which have no service of their own in the catalog."""

from __future__ import annotations

from decimal import Decimal

from erp_modules.catalog.models import Item, WorkCenter
from erp_modules.catalog.services import routing_create
from erp_modules.inventory.services import lot_get_or_create
from erp_modules.workspace.testing import make_bom, make_item, receive


def D(value) -> Decimal:
    return Decimal(str(value))


def work_center(code: str, cost_per_hour="0") -> WorkCenter:
    return WorkCenter.objects.create(code=code, name=f"工位 {code}", cost_per_hour=D(cost_per_hour))


def routing(item: Item, operations: list[tuple]):
    """operations: (name, work_center, run_minutes_per_unit, piece_rate[, setup_minutes])."""
    return routing_create(item=item, name=f"{item.code} 工艺", operations=[
        {"name": name, "work_center": wc, "run_minutes_per_unit": D(run), "piece_rate": D(rate),
         "setup_minutes": D(rest[0]) if rest else D(0)}
        for name, wc, run, rate, *rest in operations])


def receive_lot(item: Item, quantity, unit_cost, code: str):
    return receive(item, quantity, unit_cost, lot=lot_get_or_create(item=item, code=code))


def range_hood(tracking: str = Item.Tracking.LOT):
    """油烟机 RH-01: 1 motor (lot-tracked), 2.5 kg steel sheet (+4 % scrap), 8 screws; routing
    stamping (press 60 ¥/h, ¥1.50 a piece) then assembly (line 36 ¥/h, ¥3.20 a piece)."""
    hood = make_item("RH-01", item_type=Item.Type.FINISHED, tracking=tracking, name="油烟机 RH-01")
    motor = make_item("MOTOR", tracking=Item.Tracking.LOT, name="电机")
    steel = make_item("STEEL", item_type=Item.Type.RAW, uom="kg", name="不锈钢板")
    screw = make_item("SCREW", name="螺丝")
    bom = make_bom(hood, [(motor, 1), (steel, "2.5"), (screw, 8)], scrap={"STEEL": 4})
    press, line = work_center("PRESS", "60"), work_center("ASSY", "36")
    hood_routing = routing(hood, [("冲压", press, "1", "1.50"), ("装配", line, "2", "3.20")])
    return {"hood": hood, "motor": motor, "steel": steel, "screw": screw, "bom": bom, "routing": hood_routing}


def stock_range_hood_parts(parts):
    """Motors 10 @ 100 (lot M-A) + 10 @ 120 (lot M-B) → average 110; steel 50 kg @ 8 + 50 @ 10 → 9;
    screws 1000 @ 0.05."""
    receive_lot(parts["motor"], 10, "100", "M-A")
    receive_lot(parts["motor"], 10, "120", "M-B")
    receive(parts["steel"], 50, "8")
    receive(parts["steel"], 50, "10")
    receive(parts["screw"], 1000, "0.05")
