"""Shipping labels (100 × 150 mm, one per parcel) and the packing list (A4), with reportlab, offline.

A label has the waybill number as a Code 128 barcode and in text, a QR code of the buyer's public tracking
page, the sender and the consignee. Chinese text uses reportlab's built-in CID font STSong-Light, registered
as erp_modules/sales/pdf.py does (no font files); numbers use Helvetica. Files are built with invariant=1
and uncompressed page streams (a test can find the waybill number in the file)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

CJK = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
LABEL_SIZE = (100 * mm, 150 * mm)
_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")


def _fonts() -> None:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _markup(text) -> str:
    parts = _NON_ASCII.split(str(text or ""))
    return "".join(f'<font name="{CJK}">{escape(part)}</font>' if n % 2 else escape(part)
                   for n, part in enumerate(parts)).replace("\n", "<br/>")


def _p(text, style) -> Paragraph:
    return Paragraph(_markup(text), style)


@dataclass
class Party:
    name: str
    phone: str = ""
    address: str = ""


def _qty(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return ""
    value = Decimal(value)
    text = format(value.quantize(Decimal(1)), "f") if value == value.to_integral() else format(value.normalize(), "f")
    return f"{text} {unit}".strip()


def label_pdf(*, shipment, parcel, parcel_count: int, sender: Party, tracking_url: str) -> bytes:
    """One 100 × 150 mm label for ``parcel``."""
    _fonts()
    buffer = io.BytesIO()
    width, height = LABEL_SIZE
    c = canvas.Canvas(buffer, pagesize=LABEL_SIZE, invariant=1, pageCompression=0)
    c.setTitle(f"{shipment.number}-{parcel.seq} {parcel.waybill_number}")
    c.setCreator("Digital Bridge")
    margin = 4 * mm
    carrier = parcel.carrier or shipment.carrier
    # the carrier and the parcel's place in the shipment
    c.setFont(CJK, 13)
    c.drawString(margin, height - margin - 12, str(carrier.name if carrier else _("Carrier not chosen")))
    c.setFont(LATIN_BOLD, 12)
    c.drawRightString(width - margin, height - margin - 12, f"{parcel.seq}/{parcel_count}")
    c.line(margin, height - 22 * mm + 4 * mm, width - margin, height - 22 * mm + 4 * mm)
    # the waybill as Code 128 and as text
    number = parcel.waybill_number or f"{shipment.number}-{parcel.seq}"
    barcode = code128.Code128(number, barHeight=18 * mm, barWidth=0.38 * mm, humanReadable=False)
    if barcode.width > width - 2 * margin:
        barcode = code128.Code128(number, barHeight=18 * mm, barWidth=(width - 2 * margin) / barcode.width * 0.38 * mm,
                                  humanReadable=False)
    top = height - 22 * mm
    barcode.drawOn(c, (width - barcode.width) / 2, top - 19 * mm)
    c.setFont(LATIN_BOLD, 14)
    c.drawCentredString(width / 2, top - 25 * mm, number)
    c.line(margin, top - 28 * mm, width - margin, top - 28 * mm)
    # consignee and sender
    styles = {
        "label": ParagraphStyle("label", fontName=CJK, fontSize=7.5, leading=9, textColor=colors.HexColor("#555555")),
        "big": ParagraphStyle("big", fontName=LATIN_BOLD, fontSize=11, leading=14, wordWrap="CJK"),
        "base": ParagraphStyle("base", fontName=LATIN, fontSize=8.5, leading=11, wordWrap="CJK"),
    }
    to_story = [_p(_("To"), styles["label"]), _p(f"{shipment.consignee_name}  {shipment.consignee_phone}", styles["big"]),
                _p(shipment.address, styles["base"])]
    frame = Frame(margin, top - 62 * mm, width - 2 * margin, 33 * mm, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, showBoundary=0)
    frame.addFromList(to_story, c)
    c.line(margin, top - 63 * mm, width - margin, top - 63 * mm)
    from_story = [_p(_("From"), styles["label"]), _p(f"{sender.name}  {sender.phone}", styles["base"]),
                  _p(sender.address, styles["base"])]
    frame = Frame(margin, top - 86 * mm, width - 2 * margin, 22 * mm, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, showBoundary=0)
    frame.addFromList(from_story, c)
    c.line(margin, top - 87 * mm, width - margin, top - 87 * mm)
    # the QR code of the public tracking page, the shipment number, weight and contents
    qr = QrCodeWidget(tracking_url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 30 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, c, width - margin - size, margin)
    info = [_p(f"{_('Shipment')} {shipment.number}", styles["base"]),
            _p(f"{_('Weight')} {_qty(parcel.weight_kg, 'kg')}", styles["base"])]
    if parcel.description:
        info.append(_p(parcel.description, styles["base"]))
    info.append(_p(_("Scan to track"), styles["label"]))
    frame = Frame(margin, margin, width - 3 * margin - size, size, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, showBoundary=0)
    frame.addFromList(info, c)
    c.showPage()
    c.save()
    return buffer.getvalue()


@dataclass
class PackingLine:
    code: str
    name: str
    quantity: Decimal
    uom: str


def packing_list_pdf(*, shipment, parcels, lines: list[PackingLine], sender: Party) -> bytes:
    """The packing list (A4): shipment, consignee, the parcels with their waybill numbers, weights and
    dimensions, and the goods (the delivery's lines for an outbound shipment). No prices."""
    _fonts()
    base = ParagraphStyle("base", fontName=LATIN, fontSize=9, leading=12, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#555555"))
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=20)
    head = ParagraphStyle("head", parent=base, fontSize=8.5, textColor=colors.white, wordWrap=None)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"{_('Packing list')} {shipment.number}", author=sender.name,
                            creator="Digital Bridge", invariant=1, pageCompression=0)
    width = A4[0] - 30 * mm
    story = [_p(f"{_('Packing list')} {shipment.number}", title), Spacer(1, 2 * mm),
             _p(f"{sender.name} · {sender.address} {sender.phone}".strip(" ·"), small), Spacer(1, 4 * mm)]
    carrier = shipment.carrier
    meta = [(_("Consignee"), f"{shipment.consignee_name} {shipment.consignee_phone}"), (_("Address"), shipment.address),
            (_("Carrier"), str(carrier.name) if carrier else "—"),
            (_("Reference"), shipment.delivery.number if shipment.delivery_id else
             (shipment.receipt.number if shipment.receipt_id else "")),
            (_("Date"), timezone.localdate().isoformat())]
    meta_table = Table([[_p(k, small), _p(v, base)] for k, v in meta if v], colWidths=[width * 0.18, width * 0.82])
    meta_table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [meta_table, Spacer(1, 5 * mm)]
    rows = [[_p(h, head) for h in ("#", _("Waybill number"), _("Weight"), _("Dimensions (cm)"), _("Contents"))]]
    for parcel in parcels:
        dims = " × ".join(_qty(d) for d in (parcel.length_cm, parcel.width_cm, parcel.height_cm) if d is not None)
        rows.append([_p(parcel.seq, base), _p(parcel.waybill_number or "—", base), _p(_qty(parcel.weight_kg, "kg"), base),
                     _p(dims or "—", base), _p(parcel.description, base)])
    story.append(_table(rows, [0.06, 0.3, 0.14, 0.2, 0.3], width))
    if lines:
        rows = [[_p(h, head) for h in ("#", _("Item"), _("Quantity"))]]
        for n, line in enumerate(lines, start=1):
            rows.append([_p(n, base), [_p(line.code, base), _p(line.name, small)], _p(_qty(line.quantity, line.uom), base)])
        story += [Spacer(1, 5 * mm), _table(rows, [0.06, 0.7, 0.24], width)]
    total = sum((p.weight_kg for p in parcels), Decimal("0"))
    story += [Spacer(1, 4 * mm), _p(f"{_('Parcels')}: {len(parcels)} · {_('Total weight')}: {_qty(total, 'kg')}", base)]
    doc.build(story)
    return buffer.getvalue()


def _table(rows, widths, width) -> Table:
    table = Table(rows, colWidths=[width * w for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b4f8a")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
    ]))
    return table
