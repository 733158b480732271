"""Believable ERP demo data for the range-hood maker (瑞丰厨电): a product family with multi-level
BOMs, routings, suppliers, customers, stock and open documents. Built only through the services,
so it is exactly what a user would have made. Idempotent: nothing is made twice."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from erp_modules.catalog.models import Item, ItemCategory, Routing, UnitOfMeasure, WorkCenter
from erp_modules.catalog.services import bom_create, bom_release, item_create, routing_create
from erp_modules.inventory.models import MoveType, Warehouse
from erp_modules.inventory.services import MoveLine, location_create, lot_get_or_create, stock_moves_post
from erp_modules.partners.models import Partner, PriceList, PriceListItem
from erp_modules.partners.services import partner_create
from erp_modules.production.models import WorkOrder, Worker
from erp_modules.production.services import (work_order_complete, work_order_create, work_order_issue_remaining,
                                             work_order_release, work_order_report_operation)
from erp_modules.purchasing.services import purchase_order_approve, purchase_order_create, purchase_order_receive
from erp_modules.sales.services import (delivery_create, invoice_create, quotation_create, sales_order_confirm,
                                        sales_order_create)

log = logging.getLogger(__name__)
D = Decimal

CATEGORIES = [("FG", "吸油烟机成品"), ("SA", "组件"), ("EL", "电机与电气"), ("PL", "塑料件"), ("MT", "金属件"),
              ("PK", "包装与附件"), ("RM", "原材料")]

# code, name, english name, type, unit, category, lead days, safety, moq, multiple, std cost, tracking
ITEMS = [
    ("CXW-200-A1", "侧吸式吸油烟机 CXW-200-A1", "Side-draft range hood A1", "finished", "tai", "FG", 0, 10, 0, 0, "760", "none"),
    ("CXW-218-T1", "顶吸式吸油烟机 CXW-218-T1", "Top-draft range hood T1", "finished", "tai", "FG", 0, 5, 0, 0, "690", "none"),
    ("MOTOR-ASM-220", "电机风轮组件 220V", "Motor and fan assembly 220V", "subassembly", "set", "SA", 0, 20, 0, 0, "210", "none"),
    ("BODY-ASM-A1", "机身组件 A1（侧吸）", "Body assembly A1", "subassembly", "set", "SA", 0, 10, 0, 0, "180", "none"),
    ("BODY-ASM-T1", "机身组件 T1（顶吸）", "Body assembly T1", "subassembly", "set", "SA", 0, 10, 0, 0, "160", "none"),
    ("PCB-ASM-TOUCH", "触控控制板组件", "Touch control board assembly", "subassembly", "set", "SA", 0, 20, 0, 0, "95", "none"),
    ("MOTOR-AC-220", "交流电机 220V 180W", "AC motor 220V 180W", "component", "pcs", "EL", 10, 50, 100, 50, "118", "lot"),
    ("FAN-WHEEL-250", "离心风轮 Φ250", "Centrifugal fan wheel Ø250", "component", "pcs", "PL", 7, 50, 200, 100, "24.5", "none"),
    ("VOLUTE-PP", "PP 蜗壳", "PP volute", "component", "pcs", "PL", 7, 50, 200, 100, "31", "none"),
    ("PCB-CTRL-V3", "主控板 V3", "Main control board V3", "component", "pcs", "EL", 14, 40, 100, 50, "52", "lot"),
    ("TOUCH-PANEL", "触摸按键板", "Touch key panel", "component", "pcs", "EL", 14, 40, 100, 50, "18", "none"),
    ("HARNESS-01", "电源线束", "Wire harness", "component", "pcs", "EL", 5, 80, 200, 100, "6.8", "none"),
    ("LED-LAMP-3W", "LED 照明灯 3W", "LED lamp 3W", "component", "pcs", "EL", 5, 100, 200, 100, "3.2", "none"),
    ("FILTER-SS", "不锈钢油网", "Stainless grease filter", "component", "pcs", "MT", 7, 60, 100, 50, "15", "none"),
    ("OIL-CUP", "油杯", "Oil cup", "component", "pcs", "PL", 7, 60, 200, 100, "2.1", "none"),
    ("GLASS-PANEL", "钢化玻璃面板 900mm", "Tempered glass panel 900 mm", "component", "pcs", "MT", 10, 20, 50, 10, "42", "none"),
    ("CHECK-VALVE", "止回阀", "Check valve", "component", "pcs", "PL", 7, 50, 100, 50, "4.5", "none"),
    ("PIPE-170", "铝箔烟管 Φ170 1.5m", "Exhaust pipe Ø170 1.5 m", "component", "pcs", "PK", 5, 50, 100, 50, "8", "none"),
    ("SCREW-M4", "十字螺钉 M4×10", "Screw M4×10", "component", "pcs", "MT", 3, 2000, 5000, 1000, "0.05", "none"),
    ("ANCHOR-M6", "膨胀螺栓 M6", "Wall anchor M6", "component", "pcs", "MT", 3, 500, 1000, 500, "0.35", "none"),
    ("CARTON-A1", "包装箱 A1", "Carton A1", "component", "pcs", "PK", 5, 50, 200, 100, "9.5", "none"),
    ("MANUAL-A1", "使用说明书", "User manual", "component", "pcs", "PK", 5, 100, 500, 500, "0.8", "none"),
    ("STEEL-CR", "冷轧钢板 0.6mm", "Cold-rolled steel 0.6 mm", "raw", "kg", "RM", 5, 500, 1000, 500, "6.2", "none"),
    ("STEEL-SS304", "304 不锈钢板 0.5mm", "Stainless steel 304 0.5 mm", "raw", "kg", "RM", 7, 300, 500, 100, "17.5", "none"),
    ("INSTALL-KIT", "安装配件包", "Installation kit", "kit", "set", "PK", 0, 0, 0, 0, "0", "none"),
]

BOMS = {
    "MOTOR-ASM-220": [("MOTOR-AC-220", "1"), ("FAN-WHEEL-250", "1"), ("VOLUTE-PP", "1"), ("SCREW-M4", "6")],
    "PCB-ASM-TOUCH": [("PCB-CTRL-V3", "1"), ("TOUCH-PANEL", "1"), ("HARNESS-01", "1")],
    "BODY-ASM-A1": [("STEEL-CR", "8.5"), ("STEEL-SS304", "2.2"), ("GLASS-PANEL", "1"), ("SCREW-M4", "12")],
    "BODY-ASM-T1": [("STEEL-CR", "9.2"), ("STEEL-SS304", "3.0"), ("SCREW-M4", "14")],
    "CXW-200-A1": [("MOTOR-ASM-220", "1"), ("BODY-ASM-A1", "1"), ("PCB-ASM-TOUCH", "1"), ("FILTER-SS", "2"),
                   ("OIL-CUP", "1"), ("LED-LAMP-3W", "2"), ("CHECK-VALVE", "1"), ("SCREW-M4", "8"),
                   ("CARTON-A1", "1"), ("MANUAL-A1", "1")],
    "CXW-218-T1": [("MOTOR-ASM-220", "1"), ("BODY-ASM-T1", "1"), ("PCB-ASM-TOUCH", "1"), ("FILTER-SS", "3"),
                   ("OIL-CUP", "1"), ("LED-LAMP-3W", "2"), ("CHECK-VALVE", "1"), ("SCREW-M4", "10"),
                   ("CARTON-A1", "1"), ("MANUAL-A1", "1")],
    "INSTALL-KIT": [("ANCHOR-M6", "4"), ("SCREW-M4", "8"), ("PIPE-170", "1")],
}
SCRAP = {("BODY-ASM-A1", "STEEL-CR"): "3", ("BODY-ASM-T1", "STEEL-CR"): "3", ("CXW-200-A1", "SCREW-M4"): "5"}

WORK_CENTERS = [("WC-STAMP", "冲压车间", "85"), ("WC-WELD", "焊接工段", "70"), ("WC-ASSY", "总装线", "60"),
                ("WC-TEST", "检测工位", "55")]
ROUTINGS = {
    "CXW-200-A1": [("总装", "WC-ASSY", "15", "12", "3.50"), ("通电检测", "WC-TEST", "5", "4", "1.20"),
                   ("包装", "WC-ASSY", "0", "3", "0.80")],
    "BODY-ASM-A1": [("下料冲压", "WC-STAMP", "30", "4", "1.50"), ("折弯焊接", "WC-WELD", "20", "6", "2.00")],
}

SUPPLIERS = [
    ("S-MOTOR", "宁波甬江电机有限公司", ["MOTOR-AC-220"]),
    ("S-PLAST", "慈溪市长河塑料制品厂", ["FAN-WHEEL-250", "VOLUTE-PP", "OIL-CUP", "CHECK-VALVE"]),
    ("S-ELEC", "余姚市明光电子有限公司", ["PCB-CTRL-V3", "TOUCH-PANEL", "HARNESS-01", "LED-LAMP-3W"]),
    ("S-STEEL", "宁波港城钢材贸易有限公司", ["STEEL-CR", "STEEL-SS304", "GLASS-PANEL", "FILTER-SS"]),
    ("S-PACK", "慈溪市新浦包装材料厂", ["CARTON-A1", "MANUAL-A1", "PIPE-170", "SCREW-M4", "ANCHOR-M6"]),
]
CUSTOMERS = [
    ("C-HZDQ", "杭州西溪电器连锁有限公司", 45),
    ("C-NBJJ", "宁波家居建材广场", 30),
    ("C-SHKD", "上海康达厨卫工程有限公司", 60),
    ("C-ONLINE", "瑞丰天猫旗舰店", 15),
]
SALE_PRICES = {"CXW-200-A1": "1299", "CXW-218-T1": "1099", "INSTALL-KIT": "39"}
OPENING = {
    "MOTOR-AC-220": ("160", "M2026-09"), "FAN-WHEEL-250": ("220", ""), "VOLUTE-PP": ("180", ""),
    "PCB-CTRL-V3": ("120", "P2026-10"), "TOUCH-PANEL": ("130", ""), "HARNESS-01": ("400", ""),
    "LED-LAMP-3W": ("600", ""), "FILTER-SS": ("150", ""), "OIL-CUP": ("300", ""), "GLASS-PANEL": ("70", ""),
    "CHECK-VALVE": ("150", ""), "PIPE-170": ("140", ""), "SCREW-M4": ("12000", ""), "ANCHOR-M6": ("1800", ""),
    "CARTON-A1": ("90", ""), "MANUAL-A1": ("800", ""), "STEEL-CR": ("1500", ""), "STEEL-SS304": ("420", ""),
    "MOTOR-ASM-220": ("70", ""), "BODY-ASM-A1": ("50", ""), "BODY-ASM-T1": ("25", ""), "PCB-ASM-TOUCH": ("70", ""),
}


def _uom(code: str) -> UnitOfMeasure:
    return UnitOfMeasure.objects.get(code=code)


@transaction.atomic
def seed_range_hood_factory() -> bool:
    """Returns False when the data is already there."""
    if Item.objects.filter(code="CXW-200-A1").exists():
        return False
    warehouse = Warehouse.objects.get(code="WH")
    categories = {code: ItemCategory.objects.get_or_create(code=code, defaults={"name": name})[0]
                  for code, name in CATEGORIES}
    items: dict[str, Item] = {}
    for code, name, name_en, kind, unit, cat, lead, safety, moq, multiple, cost, tracking in ITEMS:
        items[code] = item_create(code=code, name=name, name_en=name_en, item_type=kind, uom=_uom(unit),
                                  category=categories[cat], default_warehouse=warehouse, lead_time_days=lead,
                                  safety_stock=D(safety), min_order_qty=D(moq), order_multiple=D(multiple),
                                  standard_cost=D(cost), tracking=tracking, drawing_ref=f"DWG-{code}")
    effective = timezone.localdate() - timedelta(days=180)
    for parent, lines in BOMS.items():
        bom = bom_create(item=items[parent], lines=[
            {"component": items[c], "quantity": D(q), "scrap_pct": D(SCRAP.get((parent, c), "0"))} for c, q in lines])
        bom_release(bom=bom, effective_from=effective)
    centers = {code: WorkCenter.objects.create(code=code, name=name, cost_per_hour=D(rate))
               for code, name, rate in WORK_CENTERS}
    for item_code, ops in ROUTINGS.items():
        routing_create(item=items[item_code], name="标准工艺", operations=[
            {"name": n, "work_center": centers[wc], "setup_minutes": D(s), "run_minutes_per_unit": D(r),
             "piece_rate": D(p)} for n, wc, s, r, p in ops])
    for n, (code, name, supplied) in enumerate(SUPPLIERS, start=1):
        partner = partner_create(code=code, name=name, is_supplier=True, contact_name="销售部",
                                 phone=f"0574-6300{n:04d}", payment_terms_days=60)
        supplier_list = PriceList.objects.create(name=f"{name} 报价", kind=PriceList.Kind.PURCHASE, partner=partner)
        for item_code in supplied:
            PriceListItem.objects.create(price_list=supplier_list, item=items[item_code],
                                         unit_price=items[item_code].standard_cost,
                                         lead_time_days=items[item_code].lead_time_days)
    sales_list = PriceList.objects.create(name="经销价", kind=PriceList.Kind.SALES)
    for code, name, terms in CUSTOMERS:
        partner_create(code=code, name=name, is_customer=True, contact_name="采购部", payment_terms_days=terms)
    for item_code, price in SALE_PRICES.items():
        PriceListItem.objects.create(price_list=sales_list, item=items[item_code], unit_price=D(price))
        PriceListItem.objects.create(price_list=sales_list, item=items[item_code], min_quantity=D("50"),
                                     unit_price=(D(price) * D("0.95")).quantize(D("1")))
    location_create(warehouse=warehouse, code="LINE", name="总装线边库")
    lines = []
    for code, (quantity, lot_code) in OPENING.items():
        item = items[code]
        lot = lot_get_or_create(item=item, code=lot_code) if lot_code else None
        lines.append(MoveLine(item, warehouse.locations.get(is_default=True), D(quantity), lot=lot,
                              unit_cost=item.standard_cost))
    stock_moves_post(move_type=MoveType.OPENING, lines=lines, reference="期初库存", reference_type="opening",
                     posted_at=timezone.now() - timedelta(days=90))
    log.info("range-hood demo data created")
    return True


def partner_by_code(code: str) -> Partner:
    return Partner.objects.get(code=code)


def _d(days: int):
    return timezone.localdate() + timedelta(days=days)


@transaction.atomic
def seed_range_hood_documents() -> bool:
    """Open and past documents so that every page shows something real. Needs the catalog above."""
    if WorkOrder.objects.exists():
        return False
    item = {i.code: i for i in Item.objects.all()}
    supplier = {p.code: p for p in Partner.objects.filter(is_supplier=True)}
    customer = {p.code: p for p in Partner.objects.filter(is_customer=True)}

    # Production: 40 side-draft hoods made and reported by operators, 20 top-draft hoods released.
    made = work_order_create(item=item["CXW-200-A1"], quantity=D("40"), planned_start=_d(-20), planned_end=_d(-15),
                             routing=Routing.objects.get(item=item["CXW-200-A1"]), note="首批量产")
    work_order_release(work_order=made)
    work_order_issue_remaining(work_order=made)
    workers = [Worker.objects.get_or_create(code=code, defaults={"name": name})[0]
               for code, name in (("W001", "张伟"), ("W002", "李强"), ("W003", "王芳"), ("W004", "陈静"))]
    for operation, worker in zip(made.operations.order_by("sequence"), workers):
        work_order_report_operation(work_order=made, operation=operation, quantity_good=D("40"),
                                    worker=worker, minutes=D("480"), work_date=_d(-16))
    work_order_complete(work_order=made)
    released = work_order_create(item=item["CXW-218-T1"], quantity=D("20"), planned_start=_d(1), planned_end=_d(5))
    work_order_release(work_order=released)
    work_order_create(item=item["BODY-ASM-A1"], quantity=D("30"), planned_start=_d(3), planned_end=_d(6))

    # Sales over the last five months (delivered and invoiced), and open orders now.
    for months_ago, (code, quantity) in enumerate([("C-HZDQ", 4), ("C-NBJJ", 3), ("C-ONLINE", 5), ("C-HZDQ", 6),
                                                   ("C-SHKD", 2)], start=1):
        day = timezone.localdate() - timedelta(days=30 * months_ago)
        order = sales_order_create(customer=customer[code], order_date=day, delivery_date=day,
                                   lines=[{"item": item["CXW-200-A1"], "quantity": D(quantity)}])
        sales_order_confirm(order=order)
        delivery_create(order=order, delivery_date=day)
        invoice_create(order=order, invoice_date=day)
    open_order = sales_order_create(customer=customer["C-HZDQ"], delivery_date=_d(3), customer_reference="HZ-2026-118",
                                    lines=[{"item": item["CXW-200-A1"], "quantity": D("6")},
                                           {"item": item["INSTALL-KIT"], "quantity": D("6")}])
    sales_order_confirm(order=open_order)
    first_line = open_order.lines.order_by("pk").first()
    delivery_create(order=open_order, lines=[{"order_line": first_line, "quantity": D("4")}])
    invoice_create(order=open_order)
    second = sales_order_create(customer=customer["C-NBJJ"], delivery_date=_d(7),
                                lines=[{"item": item["CXW-200-A1"], "quantity": D("3")}])
    sales_order_confirm(order=second)
    sales_order_create(customer=customer["C-SHKD"], delivery_date=_d(20), note="工程项目：滨江花园二期",
                       lines=[{"item": item["CXW-218-T1"], "quantity": D("30")}])
    quotation_create(customer=customer["C-ONLINE"], valid_until=_d(30),
                     lines=[{"item": item["CXW-200-A1"], "quantity": D("50")}])

    # Purchasing: motors partly received (by lot), electronics late, steel still a draft.
    motors = purchase_order_create(supplier=supplier["S-MOTOR"], expected_date=_d(10),
                                   lines=[{"item": item["MOTOR-AC-220"], "quantity": D("200")}])
    purchase_order_approve(order=motors)
    purchase_order_receive(order=motors, lines=[{"line": motors.lines.get(), "quantity": D("100"),
                                                 "lot": "M2026-11"}])
    electronics = purchase_order_create(supplier=supplier["S-ELEC"], order_date=_d(-20), expected_date=_d(-3),
                                        lines=[{"item": item["PCB-CTRL-V3"], "quantity": D("100")},
                                               {"item": item["TOUCH-PANEL"], "quantity": D("100")}])
    purchase_order_approve(order=electronics)
    for months_ago in (2, 4):
        day = timezone.localdate() - timedelta(days=30 * months_ago)
        steel = purchase_order_create(supplier=supplier["S-STEEL"], order_date=day, expected_date=day,
                                      lines=[{"item": item["STEEL-CR"], "quantity": D("500")}])
        purchase_order_approve(order=steel)
        purchase_order_receive(order=steel, lines=[{"line": steel.lines.get(), "quantity": D("500")}])
    purchase_order_create(supplier=supplier["S-STEEL"], expected_date=_d(14),
                          lines=[{"item": item["STEEL-CR"], "quantity": D("1000")},
                                 {"item": item["STEEL-SS304"], "quantity": D("300")}])
    return True
