"""A programme's monthly subsidy statement as a PDF (reportlab; Chinese in the built-in CID font
STSong-Light, as the office's monthly report) and as an Excel workbook (core.exports: cells that would
start a formula are written as text). In the platform's language (settings.LANGUAGE_CODE) unless the
caller asks for another."""

from __future__ import annotations

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.selectors_subsidies import Statement
from core.exports import xlsx_append, xlsx_bytes

CJK = "STSong-Light"


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _date(value) -> str:
    return value.isoformat() if value else "—"


def statement_title(data: Statement) -> str:
    return _("Subsidy statement %(month)s: %(programme)s") % {"month": data.month.strftime("%Y-%m"),
                                                             "programme": data.programme.name}


def statement_filename(data: Statement, ext: str) -> str:
    return f"subsidy-statement-{data.programme.code}-{data.month:%Y-%m}.{ext}"


def _header() -> list[str]:
    return [_("Enterprise"), _("Unified social credit code"), _("Invoice"), _("Plan"), _("Period"), _("Total"),
            _("Subsidy (%)"), _("Subsidy share"), _("Enterprise share"), _("Granted on"), _("Paid")]


def _status_text(data: Statement) -> str:
    settlement = data.settlement
    if settlement is None:
        return _("Not yet issued as a statement.")
    if settlement.status == settlement.Status.PAID:
        return _("Paid on %(date)s, bank reference %(ref)s.") % {"date": _date(settlement.paid_on),
                                                                 "ref": settlement.bank_reference or "—"}
    return _("To be paid by bank transfer from %(fund)s.") % {"fund": data.programme.fund or data.programme.name}


def statement_pdf(data: Statement, *, language: str | None = None) -> bytes:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _statement_pdf(data)


def _statement_pdf(data: Statement) -> bytes:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    title_style = ParagraphStyle("title", fontName=CJK, fontSize=15, leading=20, spaceAfter=6)
    body = ParagraphStyle("body", fontName=CJK, fontSize=9, leading=13)
    cell = ParagraphStyle("cell", fontName=CJK, fontSize=7.5, leading=10)

    def p(text, style=cell):
        return Paragraph(escape(str(text)), style)

    title = statement_title(data)
    story = [p(title, title_style),
             p(_("Prepared by the Digital Bridge platform on %(at)s. Each line is the programme's share of one "
                 "invoice of a subsidised plan, granted from the programme's budget.") % {
                 "at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, body),
             p(_status_text(data), body), Spacer(1, 4 * mm)]
    rows = [[p(h) for h in _header()]]
    for line in data.lines:
        rows.append([p(line.enterprise), p(line.uscc), p(line.invoice_number), p(line.plan),
                     p(f"{_date(line.period_start)} – {_date(line.period_end)}"), p(_money(line.amount_total)),
                     p(f"{line.percent.normalize():f}" if line.percent is not None else "—"),
                     p(_money(line.subsidy_amount)), p(_money(line.enterprise_share)), p(_date(line.granted_on)),
                     p(_money(line.paid))])
    rows.append([p(_("Total"))] + [p("")] * 6 + [p(_money(data.total))] + [p("")] * 3)
    table = Table(rows, repeatRows=1, colWidths=[48 * mm, 34 * mm, 26 * mm, 24 * mm, 34 * mm, 20 * mm, 14 * mm,
                                                 20 * mm, 20 * mm, 18 * mm, 18 * mm])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f0f8")),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c4d0")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)
    if not data.lines:
        story.append(p(_("No subsidised invoice this month."), body))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title, author="Digital Bridge", invariant=1)
    doc.build(story)
    return buffer.getvalue()


def statement_workbook(data: Statement, *, language: str | None = None) -> bytes:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _statement_workbook(data)


def _statement_workbook(data: Statement) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = data.month.strftime("%Y-%m")
    xlsx_append(ws, [statement_title(data)])
    ws["A1"].font = Font(bold=True)
    xlsx_append(ws, [_status_text(data)])
    xlsx_append(ws, [])
    xlsx_append(ws, _header())
    for c in ws[4]:
        c.font = Font(bold=True)
    for line in data.lines:
        xlsx_append(ws, [line.enterprise, line.uscc, line.invoice_number, line.plan,
                         f"{_date(line.period_start)} – {_date(line.period_end)}", float(line.amount_total),
                         float(line.percent) if line.percent is not None else None, float(line.subsidy_amount),
                         float(line.enterprise_share), line.granted_on, float(line.paid)])
    xlsx_append(ws, [_("Total"), None, None, None, None, None, None, float(data.total), None, None, None])
    for i, width in enumerate((36, 22, 16, 18, 24, 12, 10, 14, 14, 12, 12), start=1):
        ws.column_dimensions[ws.cell(4, i).column_letter].width = width
    return xlsx_bytes(wb)
