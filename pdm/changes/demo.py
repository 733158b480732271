"""PDM demo data for the range-hood maker (瑞丰厨电), on top of the ERP demo (erp_modules/workspace/demo.py).

Built only through the PDM services, as the engineers of the demo enterprise would have done on the pages:

- a numbering rule (RF-HD-00001 …) and parts for the two range hoods, their four sub-assemblies and the two
  steel sheets, each with revision A released today: revision A copies the ERP demo's BOM in force, so the
  ERP goes on with the same structure; three purchased components (fan wheel, grease filter, glass panel)
  have revision A in work (their drawings are being revised; a component's BOM has no lines to release);
- drawings made with ezdxf (outline, dimensions, an A3 frame and a title block in Chinese — 零件名称, 图号,
  材料, 比例 — in a text style on the Chinese CAD fonts gbenor.shx/gbcbig.shx, which the preview maps to a
  Chinese TrueType font), a PDF specification (reportlab, STSong-Light like the sales PDFs) and a STEP
  AP214 model of a 200×100×2 mm mounting plate, each linked to its part revision; previews queued
  through the vault's own job (the worker of `make run` makes them);
- ECO 1, applied: the side-draft body assembly saves steel from a date 30 days ahead — its revision B is
  released with that date, so the ERP uses revision A's BOM until then and B's from then on;
- ECO 2, in review: the side-draft hood gets a third grease filter (revision B in work with the changed
  BOM line); the mandatory approval of the review stage is still missing.

Idempotent: once the hood CXW-200-A1 is a part, a second run adds nothing (returns False)."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp_modules.catalog.models import BomLine, Item
from pdm.changes.models import EcoApproval, EcoType
from pdm.changes.services import eco_advance, eco_apply, eco_create, eco_decide, eco_start
from pdm.parts.models import Part, PartRevision
from pdm.parts.services import (numbering_rule_create, part_create, revision_bom_line_add, revision_bom_line_remove,
                                revision_release, revision_start, revision_submit)
from pdm.vault.models import Document
from pdm.vault.services import document_create, document_link, preview_request
from tenants.models import Enterprise, Membership, Role

log = logging.getLogger(__name__)
D = Decimal

PRODUCT = "CXW-200-A1"
# item codes, in the order their engineering numbers are given (RF-HD-00001 …); released with revision A
RELEASED = ["CXW-200-A1", "CXW-218-T1", "MOTOR-ASM-220", "BODY-ASM-A1", "BODY-ASM-T1", "PCB-ASM-TOUCH",
            "STEEL-CR", "STEEL-SS304"]
# purchased components whose drawings are being revised: revision A in work
IN_WORK = ["FAN-WHEEL-250", "FILTER-SS", "GLASS-PANEL"]
COMPANY = "慈溪市瑞丰厨房电器有限公司"
CAD_STYLE = "GB"  # text style on the Chinese CAD fonts of GB/T 14665 (SHX: the preview maps them to a TrueType font)


# ---- files ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """What the title block of a drawing says."""

    name: str
    number: str
    material: str
    scale: int  # 1:scale
    revision: str
    drawn_by: str
    checked_by: str
    weight: str = ""


def _title_block(msp, sheet: Sheet, day) -> None:
    """An A3 frame (420×297, binding margin 25) and a title block of 180×56 in its lower right corner."""
    from ezdxf.enums import TextEntityAlignment

    layer = {"layer": "标题栏"}
    msp.add_lwpolyline([(0, 0), (420, 0), (420, 297), (0, 297)], close=True, dxfattribs={**layer, "lineweight": 25})
    msp.add_lwpolyline([(25, 5), (415, 5), (415, 292), (25, 292)], close=True, dxfattribs={**layer, "lineweight": 70})
    x0, y0, x1, y1 = 235, 5, 415, 61
    msp.add_lwpolyline([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], close=True, dxfattribs={**layer, "lineweight": 70})
    columns = [235, 260, 325, 350, 415]
    rows = [5, 13, 21, 29, 37, 45]
    for y in rows[1:]:
        msp.add_line((x0, y), (x1, y), dxfattribs=layer)
    for x in columns[1:-1]:
        msp.add_line((x, y0), (x, rows[-1]), dxfattribs=layer)
    cells = [  # (row from the bottom, label, value, label, value)
        (0, "设计", sheet.drawn_by, "日期", day.isoformat()),
        (1, "审核", sheet.checked_by, "共 1 张", "第 1 张"),
        (2, "比例", f"1:{sheet.scale}", "版次", sheet.revision),
        (3, "材料", sheet.material, "重量", sheet.weight or "—"),
        (4, "零件名称", sheet.name, "图号", sheet.number),
    ]
    for row, *texts in cells:
        y = rows[row] + 4
        for x, text in zip(columns[:4], texts):
            msp.add_text(text, height=3.5 if len(text) < 14 else 2.5, dxfattribs={**layer, "style": CAD_STYLE}
                         ).set_placement((x + 1.5, y), align=TextEntityAlignment.MIDDLE_LEFT)
    msp.add_text(COMPANY, height=5, dxfattribs={**layer, "style": CAD_STYLE}).set_placement(
        ((x0 + x1) / 2, (rows[-1] + y1) / 2), align=TextEntityAlignment.MIDDLE_CENTER)


def _drawing(sheet: Sheet, draw, notes: list[str]) -> bytes:
    """A DXF (AutoCAD 2010, UTF-8) of one part: `draw(msp, at, linear, diameter, size)` draws its views in real
    millimetres — `at(origin)` gives the function placing a point of a view on the sheet at the drawing's scale,
    `size` scales a length, `linear` / `diameter` add dimensions that show real millimetres; the frame, the
    title block and the technical notes are added here."""
    import ezdxf

    doc = ezdxf.new("R2010", setup=True, units=4)  # 4: millimetres
    doc.styles.add(CAD_STYLE, font="gbenor.shx").dxf.bigfont = "gbcbig.shx"
    doc.layers.add("轮廓", color=7, lineweight=50)
    doc.layers.add("中心线", color=1, linetype="CENTER")
    doc.layers.add("尺寸", color=3)
    doc.layers.add("标题栏", color=7)
    msp = doc.modelspace()
    _title_block(msp, sheet, timezone.localdate())
    factor = 1 / sheet.scale

    def at(origin):
        return lambda x, y: (origin[0] + x * factor, origin[1] + y * factor)

    dim = {"dimtxsty": CAD_STYLE, "dimtxt": 3.5, "dimasz": 3, "dimlfac": sheet.scale, "dimexo": 1, "dimexe": 2,
           "dimgap": 1}

    def linear(p1, p2, base, angle: float = 0) -> None:
        msp.add_linear_dim(base=base, p1=p1, p2=p2, angle=angle, dimstyle="EZDXF", override=dim,
                           dxfattribs={"layer": "尺寸"}).render()

    def diameter(center, radius: float) -> None:
        msp.add_diameter_dim(center=center, radius=radius * factor, angle=45, dimstyle="EZDXF", override=dim,
                             dxfattribs={"layer": "尺寸"}).render()

    draw(msp, at, linear, diameter, lambda length: length * factor)
    msp.add_mtext("\\P".join(["技术要求："] + notes), dxfattribs={"style": CAD_STYLE, "char_height": 3.5,
                                                                  "width": 170, "layer": "标题栏"}
                  ).set_location((30, 58))
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("utf-8")


def _outline(msp, points, *, close: bool = True) -> None:
    msp.add_lwpolyline(points, close=close, dxfattribs={"layer": "轮廓"})


def _hood_views(filters: int):
    """Front and side view of the side-draft hood CXW-200-A1 (900 × 520 × 1020 mm with its chimney)."""

    def draw(msp, at, linear, diameter, size):
        f = at((45, 75))
        _outline(msp, [f(0, 0), f(900, 0), f(900, 520), f(0, 520)])  # body
        _outline(msp, [f(40, 180), f(860, 180), f(860, 480), f(40, 480)])  # tempered glass panel
        _outline(msp, [f(310, 520), f(590, 520), f(590, 1020), f(310, 1020)])  # chimney
        _outline(msp, [f(350, 60), f(550, 60), f(550, 120), f(350, 120)])  # touch panel
        width = 820 / filters
        for n in range(filters):  # grease filters, seen through the air inlet
            _outline(msp, [f(40 + n * width + 10, 10), f(40 + (n + 1) * width - 10, 10),
                           f(40 + (n + 1) * width - 10, 50), f(40 + n * width + 10, 50)])
        for x in (150, 750):  # LED lamps
            msp.add_circle(f(x, 85), size(20), dxfattribs={"layer": "轮廓"})
        msp.add_line(f(450, -30), f(450, 1050), dxfattribs={"layer": "中心线"})
        linear(f(0, 0), f(900, 0), f(0, -60))
        linear(f(310, 1020), f(590, 1020), f(0, 1080))
        linear(f(900, 0), f(900, 1020), f(980, 0), angle=90)
        linear(f(0, 0), f(0, 520), f(-60, 0), angle=90)
        s = at((260, 75))
        _outline(msp, [s(0, 0), s(380, 0), s(520, 300), s(520, 520), s(0, 520)])  # side: slanted front
        _outline(msp, [s(0, 520), s(300, 520), s(300, 1020), s(0, 1020)])  # chimney
        linear(s(0, 0), s(520, 0), s(0, -60))
        linear(s(380, 0), s(520, 300), s(600, 0), angle=90)

    return draw


def _body_views(steel_kg: str):
    """The side-draft body assembly BODY-ASM-A1: its back plate with the motor opening and mounting holes."""

    def draw(msp, at, linear, diameter, size):
        f = at((60, 80))
        _outline(msp, [f(0, 0), f(900, 0), f(900, 520), f(0, 520)])
        _outline(msp, [f(20, 20), f(880, 20), f(880, 500), f(20, 500)])  # flange bend line
        msp.add_circle(f(450, 300), size(125), dxfattribs={"layer": "轮廓"})  # motor opening Ø250
        for x, y in ((80, 80), (820, 80), (80, 440), (820, 440)):
            msp.add_circle(f(x, y), size(3), dxfattribs={"layer": "轮廓"})  # Ø6 mounting holes
        for n in range(8):  # vent slots
            _outline(msp, [f(100 + n * 40, 120), f(120 + n * 40, 120), f(120 + n * 40, 200), f(100 + n * 40, 200)])
        msp.add_line(f(450, 140), f(450, 460), dxfattribs={"layer": "中心线"})
        msp.add_line(f(290, 300), f(610, 300), dxfattribs={"layer": "中心线"})
        linear(f(0, 0), f(900, 0), f(0, -50))
        linear(f(900, 0), f(900, 520), f(960, 0), angle=90)
        linear(f(80, 440), f(820, 440), f(0, 580))
        diameter(f(450, 300), 125)
        msp.add_text(f"冷轧钢板 {steel_kg} kg/台", height=3.5, dxfattribs={"style": CAD_STYLE, "layer": "尺寸"}
                     ).set_placement(f(560, 100))

    return draw


def _filter_views(msp, at, linear, diameter, size):
    """The stainless grease filter FILTER-SS: 300 × 250 mm, 21 slots, a handle."""
    f = at((70, 100))
    _outline(msp, [f(0, 0), f(300, 0), f(300, 250), f(0, 250)])
    _outline(msp, [f(10, 10), f(290, 10), f(290, 240), f(10, 240)])
    for n in range(21):
        _outline(msp, [f(25 + n * 12.5, 30), f(30 + n * 12.5, 30), f(30 + n * 12.5, 210), f(25 + n * 12.5, 210)])
    _outline(msp, [f(120, 215), f(180, 215), f(180, 232), f(120, 232)])  # handle
    linear(f(0, 0), f(300, 0), f(0, -30))
    linear(f(300, 0), f(300, 250), f(340, 0), angle=90)
    s = at((300, 100))  # section: 0.5 mm sheet folded to 9 mm
    _outline(msp, [s(0, 0), s(9, 0), s(9, 250), s(0, 250)])
    linear(s(0, 250), s(9, 250), s(0, 280))


def plate_step(*, length: float = 200, width: float = 100, thickness: float = 2, name: str = "PLATE") -> bytes:
    """A STEP AP214 (ISO 10303-21) file of a box: a manifold solid B-rep of 6 planar faces, 12 line edges and
    8 vertices, in millimetres, with its product structure."""
    lines: list[str] = []

    def add(text: str) -> str:
        lines.append(text)
        return f"#{len(lines)}"

    def point(x, y, z) -> str:
        return add(f"CARTESIAN_POINT('',({x:.1f},{y:.1f},{z:.1f}))")

    def direction(x, y, z) -> str:
        return add(f"DIRECTION('',({x:.1f},{y:.1f},{z:.1f}))")

    context = add("APPLICATION_CONTEXT('core data for automotive mechanical design processes')")
    add(f"APPLICATION_PROTOCOL_DEFINITION('international standard','automotive_design',2000,{context})")
    product_context = add(f"PRODUCT_CONTEXT('',{context},'mechanical')")
    product = add(f"PRODUCT('{name}','{name}','',({product_context}))")
    add(f"PRODUCT_RELATED_PRODUCT_CATEGORY('part',$,({product}))")
    formation = add(f"PRODUCT_DEFINITION_FORMATION('','',{product})")
    definition_context = add(f"PRODUCT_DEFINITION_CONTEXT('part definition',{context},'design')")
    definition = add(f"PRODUCT_DEFINITION('design','',{formation},{definition_context})")
    shape = add(f"PRODUCT_DEFINITION_SHAPE('','',{definition})")
    mm = add("(LENGTH_UNIT()NAMED_UNIT(*)SI_UNIT(.MILLI.,.METRE.))")
    radian = add("(NAMED_UNIT(*)PLANE_ANGLE_UNIT()SI_UNIT($,.RADIAN.))")
    steradian = add("(NAMED_UNIT(*)SI_UNIT($,.STERADIAN.)SOLID_ANGLE_UNIT())")
    uncertainty = add(f"UNCERTAINTY_MEASURE_WITH_UNIT(LENGTH_MEASURE(1.E-07),{mm},'distance_accuracy_value',"
                      "'confusion accuracy')")
    geometry = add(f"(GEOMETRIC_REPRESENTATION_CONTEXT(3)GLOBAL_UNCERTAINTY_ASSIGNED_CONTEXT(({uncertainty}))"
                   f"GLOBAL_UNIT_ASSIGNED_CONTEXT(({mm},{radian},{steradian}))"
                   "REPRESENTATION_CONTEXT('Context #1','3D Context with UNIT and UNCERTAINTY'))")
    origin = add(f"AXIS2_PLACEMENT_3D('',{point(0, 0, 0)},{direction(0, 0, 1)},{direction(1, 0, 0)})")

    size = (length, width, thickness)
    unit = [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
    corners = [(i, j, k) for i in (0, 1) for j in (0, 1) for k in (0, 1)]
    vertex = {c: add(f"VERTEX_POINT('',{point(*(c[a] * size[a] for a in range(3)))})") for c in corners}
    edges: dict[tuple, str] = {}
    for start in corners:
        for axis in range(3):
            if start[axis] == 0:
                end = tuple(1 if a == axis else start[a] for a in range(3))
                origin_point = point(*(start[a] * size[a] for a in range(3)))
                vector = add(f"VECTOR('',{direction(*unit[axis])},{size[axis]:.1f})")
                line = add(f"LINE('',{origin_point},{vector})")
                edges[(start, end)] = add(f"EDGE_CURVE('',{vertex[start]},{vertex[end]},{line},.T.)")
    faces = []
    for axis in range(3):
        u, v = (axis + 1) % 3, (axis + 2) % 3  # u × v = +axis
        for side in (0, 1):
            def corner(a: int, b: int) -> tuple:
                c = [0, 0, 0]
                c[axis], c[u], c[v] = side, a, b
                return tuple(c)

            loop = [corner(0, 0), corner(1, 0), corner(1, 1), corner(0, 1)]  # counter-clockwise seen from +axis
            if side == 0:
                loop.reverse()  # the outward normal is -axis
            oriented = []
            for a, b in zip(loop, loop[1:] + loop[:1]):
                if (a, b) in edges:
                    oriented.append(add(f"ORIENTED_EDGE('',*,*,{edges[(a, b)]},.T.)"))
                else:
                    oriented.append(add(f"ORIENTED_EDGE('',*,*,{edges[(b, a)]},.F.)"))
            edge_loop = add(f"EDGE_LOOP('',({','.join(oriented)}))")
            bound = add(f"FACE_OUTER_BOUND('',{edge_loop},.T.)")
            normal = tuple((1 if side else -1) if a == axis else 0 for a in range(3))
            placement = add(f"AXIS2_PLACEMENT_3D('',{point(*(side * size[a] if a == axis else 0 for a in range(3)))},"
                            f"{direction(*normal)},{direction(*unit[u])})")
            plane = add(f"PLANE('',{placement})")
            faces.append(add(f"ADVANCED_FACE('',({bound}),{plane},.T.)"))
    shell = add(f"CLOSED_SHELL('',({','.join(faces)}))")
    solid = add(f"MANIFOLD_SOLID_BREP('{name}',{shell})")
    representation = add(f"ADVANCED_BREP_SHAPE_REPRESENTATION('{name}',({origin},{solid}),{geometry})")
    add(f"SHAPE_DEFINITION_REPRESENTATION({shape},{representation})")
    stamp = timezone.now().strftime("%Y-%m-%dT%H:%M:%S")
    header = ("ISO-10303-21;\nHEADER;\n"
              f"FILE_DESCRIPTION(('{name} {length:g}x{width:g}x{thickness:g} mm'),'2;1');\n"
              f"FILE_NAME('{name}.stp','{stamp}',('Ruifeng'),('Ruifeng'),'Digital Bridge demo','Digital Bridge','');\n"
              "FILE_SCHEMA(('AUTOMOTIVE_DESIGN { 1 0 10303 214 1 1 1 1 }'));\nENDSEC;\nDATA;\n")
    body = "".join(f"#{n}={text};\n" for n, text in enumerate(lines, start=1))
    return (header + body + "ENDSEC;\nEND-ISO-10303-21;\n").encode("ascii")


def specification_pdf(*, item: Item, number: str, bom_lines: list[BomLine]) -> bytes:
    """The product specification (产品规格书) of the side-draft hood: parameters, structure, revisions.
    Chinese in reportlab's built-in CID font STSong-Light, as the sales PDFs (no font file needed)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    cjk = "STSong-Light"
    if cjk not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(cjk))
    title = ParagraphStyle("title", fontName=cjk, fontSize=18, leading=24, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=cjk, fontSize=12, leading=18, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=cjk, fontSize=10, leading=16)
    grid = TableStyle([("FONT", (0, 0), (-1, -1), cjk, 9), ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                       ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                                 bottomMargin=18 * mm, title=f"{item.code} 产品规格书", author=COMPANY)
    parameters = [["项目", "参数"], ["额定电压 / 频率", "220 V ~ 50 Hz"], ["电机输入功率", "180 W"],
                  ["照明", "LED 3 W × 2"], ["最大风量", "18 m3/min"], ["最大静压", "300 Pa"],
                  ["噪声", "不大于 55 dB(A)"], ["外形尺寸（宽×深×高）", "900 × 520 × 600-1020 mm"],
                  ["排烟管", "铝箔烟管 直径 170 mm，长 1.5 m"], ["净重", "21 kg"],
                  ["执行标准", "GB/T 17713-2022 吸油烟机及其他烹饪烟气处理电器"]]
    story = [Paragraph(f"{item.name} 产品规格书", title),
             Paragraph(f"{COMPANY} · 图号 {number} · 版次 A · {timezone.localdate():%Y-%m-%d}", body),
             Paragraph("1 主要技术参数", heading),
             Table(parameters, colWidths=[55 * mm, 115 * mm], style=grid),
             Paragraph("2 产品结构（物料清单 A 版）", heading),
             Table([["序号", "物料编码", "名称", "用量", "单位"]] + [
                 [str(n), line.component.code, line.component.name, f"{line.quantity.normalize():f}",
                  line.component.uom.name if line.component.uom_id else ""]
                 for n, line in enumerate(bom_lines, start=1)],
                 colWidths=[12 * mm, 38 * mm, 80 * mm, 20 * mm, 20 * mm], style=grid),
             PageBreak(),
             Paragraph("3 安装与使用要求", heading)]
    for text in ["吸油烟机底部距灶台面 650-750 mm，侧吸式不小于 350 mm。",
                 "电源插座须有可靠接地，安装于机身上方，不得被烟管遮挡。",
                 "油网每月清洗一次；油杯油量达到三分之二时倒掉。",
                 "出厂前逐台通电检测：风量、噪声、照明和触控按键。"]:
        story += [Paragraph(f"· {text}", body), Spacer(1, 2 * mm)]
    story += [Paragraph("4 版次记录", heading),
              Table([["版次", "日期", "说明"], ["A", f"{timezone.localdate():%Y-%m-%d}", "首次发布"]],
                    colWidths=[20 * mm, 35 * mm, 115 * mm], style=grid)]
    document.build(story)
    return buffer.getvalue()


# ---- the demo ------------------------------------------------------------------------------------------


def _people():
    """(administrator, engineer, approver) of the current enterprise: the demo's owner, clerk and manager
    (the owner for a role nobody has)."""
    memberships = {m.role: m.user for m in Membership.objects.filter(enterprise=connection.tenant).select_related(
        "user").order_by("-pk")}
    owner = memberships[Role.OWNER]
    return owner, memberships.get(Role.CLERK, owner), memberships.get(Role.MANAGER, owner)


def _name(user) -> str:
    return getattr(user, "full_name", "") or user.email.split("@")[0]


def _document(*, number: str, title: str, kind: str, file_name: str, data: bytes, revision: PartRevision,
              user) -> Document:
    document = document_create(number=number, title=title, kind=kind, comment="首次入库",
                               file=SimpleUploadedFile(file_name, data), user=user)
    document_link(document=document, revision=revision, user=user)
    return document


def _line_change(*, revision: PartRevision, component: str, quantity: str, user, scrap_pct: str | None = None) -> None:
    """Change one line of the revision's draft BOM: the line goes and comes back with the new quantity (the
    ECO's diff shows it as changed, matched by component)."""
    line = revision.bom.lines.select_related("component").get(component__code=component)
    revision_bom_line_remove(revision=revision, line_id=line.pk, user=user)
    revision_bom_line_add(revision=revision, component=line.component, quantity=D(quantity), user=user,
                          scrap_pct=line.scrap_pct if scrap_pct is None else D(scrap_pct), sequence=line.sequence,
                          note=line.note)


@transaction.atomic
def seed_range_hood_pdm() -> bool:
    """Inside tenant_context of an enterprise that has the ERP demo. False when there is nothing to do."""
    if not Item.objects.filter(code=PRODUCT).exists() or Part.objects.filter(item__code=PRODUCT).exists():
        return False
    admin, engineer, approver = _people()
    today = timezone.localdate()
    rule = numbering_rule_create(user=admin, name="瑞丰吸油烟机零件", prefix="RF", category_code="HD")
    items = {item.code: item for item in Item.objects.filter(code__in=RELEASED + IN_WORK).select_related("uom")}
    revisions: dict[str, PartRevision] = {}
    for code in RELEASED + IN_WORK:
        part = part_create(item=items[code], rule=rule, user=engineer,
                           description=f"{items[code].name}（{items[code].name_en}）")
        revisions[code] = revision_start(part=part, user=engineer, note="首版")
    number = {code: revision.part.number for code, revision in revisions.items()}
    drawn, checked = _name(engineer), _name(approver)

    def sheet(code: str, material: str, scale: int, weight: str = "") -> Sheet:
        return Sheet(name=items[code].name, number=number[code], material=material, scale=scale, revision="A",
                     drawn_by=drawn, checked_by=checked, weight=weight)

    _document(number=f"DWG-{number[PRODUCT]}", title=f"{items[PRODUCT].name} 外形图", kind=Document.Kind.DRAWING,
              file_name=f"{number[PRODUCT]}_A_外形图.dxf", revision=revisions[PRODUCT], user=engineer,
              data=_drawing(sheet(PRODUCT, "见明细表", 5, "21 kg"), _hood_views(filters=2),
                            ["1. 外形尺寸以实物为准，安装尺寸见说明书。", "2. 不锈钢件表面拉丝，无划伤。",
                             "3. 整机按 GB 4706.28 做电气安全检测。"]))
    _document(number=f"SPEC-{number[PRODUCT]}", title=f"{items[PRODUCT].name} 产品规格书",
              kind=Document.Kind.SPECIFICATION, file_name=f"{number[PRODUCT]}_产品规格书.pdf",
              revision=revisions[PRODUCT], user=engineer,
              data=specification_pdf(item=items[PRODUCT], number=number[PRODUCT],
                                     bom_lines=list(revisions[PRODUCT].bom.lines.select_related(
                                         "component__uom").order_by("sequence"))))
    body = "BODY-ASM-A1"
    _document(number=f"DWG-{number[body]}", title=f"{items[body].name} 背板", kind=Document.Kind.DRAWING,
              file_name=f"{number[body]}_A_背板.dxf", revision=revisions[body], user=engineer,
              data=_drawing(sheet(body, "SPCC 冷轧钢板 0.6", 5, "8.5 kg"), _body_views("8.5"),
                            ["1. 未注尺寸公差按 GB/T 1804-m。", "2. 去除毛刺，锐边倒钝。", "3. 表面静电喷涂，黑色哑光。"]))
    _document(number=f"3D-{number[body]}", title="机身安装挂板 200×100×2 三维模型", kind=Document.Kind.MODEL_3D,
              file_name=f"{number[body]}_挂板.stp", revision=revisions[body], user=engineer,
              data=plate_step(name="RF-MOUNTING-PLATE"))
    filters = "FILTER-SS"
    _document(number=f"DWG-{number[filters]}", title=f"{items[filters].name} 零件图", kind=Document.Kind.DRAWING,
              file_name=f"{number[filters]}_A_油网.dxf", revision=revisions[filters], user=engineer,
              data=_drawing(sheet(filters, "SUS304 不锈钢 0.5", 2, "0.6 kg"), _filter_views,
                            ["1. 冲孔后校平，平面度不大于 1 mm。", "2. 表面拉丝，无油污。"]))

    for code in RELEASED:
        revision_submit(revision=revisions[code], user=engineer)
        revisions[code] = revision_release(revision=revisions[code], effective_from=today, user=approver)

    eco_type = EcoType.objects.get(code="STD")
    # ECO 1: applied, in force 30 days from now
    applied = eco_create(eco_type=eco_type, title="机身组件 A1 背板排样优化，冷轧钢板用量 8.5→8.2 kg",
                         reason="冲压排样优化后每台节省冷轧钢板 0.3 kg；库存按原用量用完。",
                         effective_date=today + timedelta(days=30), revisions=[revisions[body]], user=engineer)
    applied = eco_start(eco=applied, user=engineer)
    body_b = applied.affected.get().new_revision
    _line_change(revision=body_b, component="STEEL-CR", quantity="8.2", user=engineer)
    _document(number=f"DWG-{number[body]}-B", title=f"{items[body].name} 背板（B 版）", kind=Document.Kind.DRAWING,
              file_name=f"{number[body]}_B_背板.dxf", revision=body_b, user=engineer,
              data=_drawing(Sheet(name=items[body].name, number=number[body], material="SPCC 冷轧钢板 0.6", scale=5,
                                  revision="B", drawn_by=drawn, checked_by=checked, weight="8.2 kg"),
                            _body_views("8.2"), ["1. 未注尺寸公差按 GB/T 1804-m。", "2. 去除毛刺，锐边倒钝。",
                                                 f"3. 按 {applied.number} 修改排样。"]))
    eco_decide(eco=applied, user=approver, decision=EcoApproval.Decision.APPROVED, comment="排样已试冲，同意。")
    applied = eco_advance(eco=applied, user=engineer)
    eco_decide(eco=applied, user=approver, decision=EcoApproval.Decision.APPROVED, comment="批准，30 天后生效。")
    eco_apply(eco=applied, user=approver)

    # ECO 2: in review, the mandatory approval of the review stage still missing
    review = eco_create(eco_type=eco_type, title="CXW-200-A1 油网由 2 片改为 3 片",
                        reason="客户反馈油网清洗频繁；三片小油网更易拆洗，吸油效果更好。",
                        effective_date=today + timedelta(days=45), revisions=[revisions[PRODUCT]], user=engineer)
    review = eco_start(eco=review, user=engineer)
    product_b = review.affected.get().new_revision
    _line_change(revision=product_b, component=filters, quantity="3", user=engineer)
    _document(number=f"DWG-{number[PRODUCT]}-B", title=f"{items[PRODUCT].name} 外形图（B 版）",
              kind=Document.Kind.DRAWING, file_name=f"{number[PRODUCT]}_B_外形图.dxf", revision=product_b,
              user=engineer,
              data=_drawing(Sheet(name=items[PRODUCT].name, number=number[PRODUCT], material="见明细表", scale=5,
                                  revision="B", drawn_by=drawn, checked_by=checked, weight="21.3 kg"),
                            _hood_views(filters=3), ["1. 油网改为 3 片，见 " + review.number + "。",
                                                     "2. 其余同 A 版。"]))
    eco_decide(eco=review, user=engineer, decision=EcoApproval.Decision.COMMENT,
               comment="B 版 BOM 与外形图已更新，请审核。")

    preview_request(user=engineer, quiet=True)  # the worker makes the previews after the commit
    log.info("range-hood PDM demo data created")
    return True


def seed_pdm_demo() -> bool:
    """The seeder of `manage.py seed_demo` (core.demo): the range-hood maker 瑞丰 gets its PDM data."""
    enterprise = Enterprise.objects.filter(slug="ruifeng").first()
    if enterprise is None:
        return False
    with tenant_context(enterprise):
        return seed_range_hood_pdm()
