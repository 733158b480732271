"""The city's monthly report: programme progress, adoption, subsidies against budgets, the boards,
city-wide figures (with the same suppression as the office pages) and the changes to programmes
in the month, as a PDF with charts (reportlab; Chinese in the built-in CID font STSong-Light)
and as an Excel workbook with charts."""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import FieldError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.exports import xlsx_append, xlsx_bytes
from office import selectors
from office.adoption import reasons_text
from office.metrics import public_model
from office.models import AdoptionRecord, Enrolment, Programme

CJK = "STSong-Light"


@dataclass
class ReportData:
    month: date
    month_end: date
    generated_at: object
    programmes: list[dict] = field(default_factory=list)
    adoption: list[dict] = field(default_factory=list)
    boards: dict = field(default_factory=dict)
    sectors: selectors.CohortTable | None = None
    towns: selectors.CohortTable | None = None
    changes: list[selectors.ChangeRow] = field(default_factory=list)  # of the programmes' settings, in the month

    @property
    def title(self) -> str:
        return _("Enterprise informatization in Cixi: monthly report %(month)s") % {"month": self.month.strftime("%Y-%m")}


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _count_in(label: str, field_name: str, start: date, end: date) -> int | None:
    """Rows of a boards model stamped in the month, or None while the boards do not have it."""
    model = public_model(label)
    if model is None:
        return None
    try:
        return model.objects.filter(**{f"{field_name}__date__gte": start, f"{field_name}__date__lte": end}).count()
    except FieldError:
        return None


def report_data(*, month: date) -> ReportData:
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        return _report_data(month=month.replace(day=1))


def _report_data(*, month: date) -> ReportData:
    end = _month_end(month)
    data = ReportData(month=month, month_end=end, generated_at=timezone.localtime())
    # The state of each enrolment at the end of the month: its latest evaluation up to then.
    latest = {r.enrolment_id: r for r in AdoptionRecord.objects.filter(day__lte=end)
              .order_by("enrolment_id", "-day").distinct("enrolment_id")}
    # net of cancellations and clawbacks dated up to the end of the month
    money = {row["programme"].pk: row for row in selectors.programme_subsidy_totals(until=end, since=month)}
    for programme in Programme.objects.order_by("period_start", "code"):
        enrolments = list(programme.enrolments.filter(status=Enrolment.Status.ENROLLED, enrolled_on__lte=end)
                          .select_related("enterprise").order_by("enterprise__name"))
        statuses = {"adopted": 0, "at_risk": 0, "not_started": 0}
        for e in enrolments:
            record = latest.get(e.pk)
            status = record.status if record else "not_started"
            statuses[status] += 1
            data.adoption.append({
                "programme": programme.name, "enterprise": e.enterprise.name, "town": e.enterprise.town,
                "status": str(Enrolment.Adoption(status).label),
                "why": reasons_text(status, record.reasons) if record else _("no activity figures yet"),
                "as_of": record.day if record else None})
        progress = selectors.programme_progress(programme=programme, adopted=statuses["adopted"])
        figures = money[programme.pk]
        data.programmes.append({
            "name": programme.name, "module": str(programme.get_module_display()),
            "target": selectors.programme_target_text(programme), "needed": progress.target,
            "enrolled": len(enrolments), **statuses, "pct_of_target": progress.pct_of_target,
            "budget": programme.budget, "granted": figures["granted"], "paid": figures["paid"],
            "remaining": figures["remaining"],
            "granted_in_month": figures["granted_in"], "paid_in_month": figures["paid_in"],
            "returned_in_month": figures["returned_in"], "paid_back_in_month": figures["paid_back_in"],
        })
    data.boards = {"listings": _count_in("ecommerce.Listing", "published_at", month, end),
                   "matches": _count_in("ecommerce.Match", "created_at", month, end)}
    data.sectors = selectors.city_figures(by="sector", as_of=end)
    data.towns = selectors.city_figures(by="town", as_of=end)
    data.changes = selectors.programme_change_rows(since=month, until=end, newest_first=False)
    return data


# ---- PDF ---------------------------------------------------------------------------------------

SUBSIDY_KEYS = ["budget", "granted", "paid", "remaining", "granted_in_month", "paid_in_month", "returned_in_month",
                "paid_back_in_month"]


def _subsidy_header() -> list[str]:
    return [_("Programme"), _("Budget"), _("Granted"), _("Paid"), _("Remaining"), _("Granted this month"),
            _("Paid this month"), _("Returned to the budget this month"), _("Paid back this month")]



def _change_header() -> list[str]:
    return [_("Changed at"), _("Programme"), _("Changed by"), _("Kind of change"), _("Setting"), _("Old value"),
            _("New value")]


def _change_cells(change: selectors.ChangeRow, *, limit: int | None = None) -> list:
    def cut(text):
        if text is None:
            return "—" if limit else None
        return text if limit is None or len(text) <= limit else text[:limit - 1] + "…"

    at = timezone.localtime(change.changed_at)
    return [at.strftime("%Y-%m-%d %H:%M") if limit else at.replace(tzinfo=None), change.programme,
            change.changed_by or ("—" if limit else None), change.kind, change.label, cut(change.old), cut(change.new)]


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _bar_chart(title: str, categories: list[str], series: list[tuple[str, list[float]]], width=480, height=200):

    palette = [colors.HexColor("#0b4f8a"), colors.HexColor("#f5b301"), colors.HexColor("#3a9d5d"),
               colors.HexColor("#c0392b")]
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, title, fontName=CJK, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 45, width - 170, height - 75
    chart.data = [values or [0] for _name, values in series]
    chart.categoryAxis.categoryNames = [c[:10] for c in categories] or [""]
    chart.categoryAxis.labels.fontName = CJK
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 20
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = CJK
    for i in range(len(series)):
        chart.bars[i].fillColor = palette[i % len(palette)]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 110, height - 30
    legend.fontName, legend.fontSize = CJK, 8
    legend.alignment = "right"
    legend.colorNamePairs = [(palette[i % len(palette)], name) for i, (name, _v) in enumerate(series)]
    drawing.add(legend)
    return drawing


class _Pdf:
    """The PDF's styles and its two building blocks: a paragraph and a table (reportlab, STSong-Light)."""
    def __init__(self):

        if CJK not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CJK))
        self.mm = mm
        self.title = ParagraphStyle("title", fontName=CJK, fontSize=15, leading=20, spaceAfter=6)
        self.h2 = ParagraphStyle("h2", fontName=CJK, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=4,
                                 keepWithNext=1)
        self.body = ParagraphStyle("body", fontName=CJK, fontSize=8.5, leading=12)
        self.cell = ParagraphStyle("cell", fontName=CJK, fontSize=7.5, leading=10)

    def p(self, text, style=None):

        return Paragraph(escape(str(text)), style or self.cell)

    def table(self, header: list[str], rows: list[list], widths=None):

        t = Table([[self.p(h) for h in header]] + [[self.p(_fmt(v)) for v in row] for row in rows], colWidths=widths,
                  repeatRows=1)
        t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f0f8")),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c4d0")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t


def report_pdf(data: ReportData) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return _report_pdf(data)


def _report_pdf(data: ReportData) -> bytes:

    pdf = _Pdf()
    mm = pdf.mm
    story = [pdf.p(data.title, pdf.title),
             pdf.p(_("Prepared by the Digital Bridge platform on %(at)s for the informatization office of Cixi.") % {
                 "at": data.generated_at.strftime("%Y-%m-%d %H:%M")}, pdf.body), Spacer(1, 4 * mm)]
    for section in (_pdf_programmes, _pdf_subsidies, _pdf_adoption, _pdf_boards, _pdf_city, _pdf_changes):
        story += section(pdf, data)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=data.title, author="Digital Bridge", invariant=1)
    doc.build(story)
    return buffer.getvalue()


def _pdf_programmes(pdf: _Pdf, data: ReportData) -> list:
    mm = pdf.mm
    names = [r["name"] for r in data.programmes]
    return [
        pdf.p(_("1. Programme progress"), pdf.h2),
        pdf.table([_("Programme"), _("Target"), _("Needed"), _("Enrolled"), _("Adopted"), _("At risk"),
                   _("Not started"), _("Share of target (%)")],
                  [[r["name"], r["target"], r["needed"], r["enrolled"], r["adopted"], r["at_risk"],
                    r["not_started"], r["pct_of_target"]] for r in data.programmes],
                  widths=[45 * mm, 45 * mm, 14 * mm, 15 * mm, 15 * mm, 15 * mm, 16 * mm, 17 * mm]),
        _bar_chart(_("Adopted enterprises against the target"), names, [
            (_("adopted"), [r["adopted"] for r in data.programmes]),
            (_("needed"), [r["needed"] for r in data.programmes])]),
    ]


def _pdf_subsidies(pdf: _Pdf, data: ReportData) -> list:
    mm = pdf.mm
    names = [r["name"] for r in data.programmes]
    return [
        pdf.p(_("2. Subsidies against budgets (CNY)"), pdf.h2),
        pdf.table(_subsidy_header(), [[r["name"]] + [_money(r[key]) for key in SUBSIDY_KEYS] for r in data.programmes],
                  widths=[38 * mm] + [18 * mm] * len(SUBSIDY_KEYS)),
        pdf.p(_("Granted and paid are net of cancelled grants and payments paid back (clawbacks); "
                "remaining is the budget less what is granted."), pdf.body),
        _bar_chart(_("Budget, granted and paid (10,000 CNY)"), names, [
            (_("budget"), [float(r["budget"]) / 10000 for r in data.programmes]),
            (_("granted"), [float(r["granted"]) / 10000 for r in data.programmes]),
            (_("paid out"), [float(r["paid"]) / 10000 for r in data.programmes])]),
    ]


def _pdf_adoption(pdf: _Pdf, data: ReportData) -> list:
    mm = pdf.mm
    return [
        pdf.p(_("3. Adoption by enrolled enterprises"), pdf.h2),
        pdf.table([_("Programme"), _("Enterprise"), _("Town"), _("Adoption"), _("Why"), _("Figures of")],
                  [[a["programme"], a["enterprise"], a["town"], a["status"], a["why"], a["as_of"]]
                   for a in data.adoption] or [["—"] * 6],
                  widths=[30 * mm, 40 * mm, 18 * mm, 15 * mm, 60 * mm, 18 * mm]),
    ]


def _pdf_boards(pdf: _Pdf, data: ReportData) -> list:
    boards = data.boards
    if boards.get("listings") is None:
        text = _("The boards do not report listings yet.")
    else:
        text = _("Listings published this month: %(l)s; matches: %(m)s.") % {
            "l": boards["listings"], "m": "—" if boards.get("matches") is None else boards["matches"]}
    return [pdf.p(_("4. Supply and demand boards"), pdf.h2), pdf.p(text, pdf.body)]


def _pdf_city(pdf: _Pdf, data: ReportData) -> list:
    story = []
    for title_text, heading, cohort in ((_("5. City-wide figures by industry"), _("By industry"), data.sectors),
                                        (_("6. City-wide figures by town"), _("By town"), data.towns)):
        story.append(pdf.p(title_text, pdf.h2))
        rows = list(cohort.rows) + ([cohort.total] if cohort.total else [])
        story.append(pdf.table([heading, _("Enterprises"), _("Active (30 days)"), _("Active %"),
                                _("Documents (30 days)"), _("Data completeness %")],
                               [[r.label, r.note if r.suppressed else r.enterprises, r.active, r.active_pct,
                                 r.documents_30d, r.completeness_pct] for r in rows] or [["—"] * 6]))
        if cohort.note:
            story.append(pdf.p(cohort.note, pdf.body))
        shown = [r for r in cohort.rows if not r.suppressed]
        if shown:
            story.append(_bar_chart(heading, [r.label for r in shown], [
                (_("enterprises"), [r.enterprises for r in shown]), (_("active enterprises"), [r.active for r in shown])]))
    return story


def _pdf_changes(pdf: _Pdf, data: ReportData) -> list:
    mm = pdf.mm
    if not data.changes:
        return [pdf.p(_("7. Changes to programmes"), pdf.h2), pdf.p(_("No programme's settings changed this month."),
                                                                   pdf.body)]
    return [pdf.p(_("7. Changes to programmes"), pdf.h2),
            pdf.table(_change_header(), [_change_cells(c, limit=160) for c in data.changes],
                      widths=[22 * mm, 32 * mm, 30 * mm, 14 * mm, 26 * mm, 29 * mm, 29 * mm])]


# ---- Excel -------------------------------------------------------------------------------------


def report_workbook(data: ReportData) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return _report_workbook(data)


def _report_workbook(data: ReportData) -> bytes:

    wb = Workbook()

    def sheet(title: str, header: list[str], rows: list[list], first=False):
        ws = wb.active if first else wb.create_sheet()
        ws.title = title[:31]
        xlsx_append(ws, [str(h) for h in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            xlsx_append(ws, [float(v) if isinstance(v, Decimal) else v for v in row])
        for i, h in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, min(50, len(str(h)) * 2 + 2))
        return ws

    def chart(ws, title: str, cols: list[int], anchor: str, rows: int):
        bar = BarChart()
        bar.title = title
        bar.height, bar.width = 7.5, 16
        for col in cols:
            bar.add_data(Reference(ws, min_col=col, min_row=1, max_row=rows + 1), titles_from_data=True)
        bar.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
        ws.add_chart(bar, anchor)

    n = len(data.programmes)
    ws = sheet(_("Programmes"), [_("Programme"), _("Module"), _("Target"), _("Needed"), _("Enrolled"), _("Adopted"),
                                 _("At risk"), _("Not started"), _("Share of target (%)")],
               [[r["name"], r["module"], r["target"], r["needed"], r["enrolled"], r["adopted"], r["at_risk"],
                 r["not_started"], r["pct_of_target"]] for r in data.programmes], first=True)
    if n:
        chart(ws, _("Adopted enterprises against the target"), [6, 4], f"A{n + 4}", n)
    ws = sheet(_("Subsidies"), _subsidy_header(),
               [[r["name"]] + [r[key] for key in SUBSIDY_KEYS] for r in data.programmes])
    if n:
        chart(ws, _("Subsidies against budgets (CNY)"), [2, 3, 4], f"A{n + 4}", n)
    sheet(_("Adoption"), [_("Programme"), _("Enterprise"), _("Town"), _("Adoption"), _("Why"), _("Figures of")],
          [[a["programme"], a["enterprise"], a["town"], a["status"], a["why"], a["as_of"]] for a in data.adoption])
    sheet(_("Boards"), [_("Figure"), _("This month")],
          [[_("Listings published"), data.boards.get("listings")], [_("Matches"), data.boards.get("matches")]])
    for title, cohort in ((_("By industry"), data.sectors), (_("By town"), data.towns)):
        rows = list(cohort.rows) + ([cohort.total] if cohort.total else [])
        ws = sheet(title, [title, _("Enterprises"), _("Active (30 days)"), _("Active %"), _("Active users (30 days)"),
                           _("Documents (30 days)"), _("Data completeness %")],
                   [[r.label, r.note if r.suppressed else r.enterprises, r.active, r.active_pct, r.active_users_30d,
                     r.documents_30d, r.completeness_pct] for r in rows])
        if cohort.note:
            ws.append([])
            xlsx_append(ws, [cohort.note])
    sheet(_("Programme changes"), _change_header(), [_change_cells(c) for c in data.changes])
    return xlsx_bytes(wb)  # and every cell that would be a formula is text
