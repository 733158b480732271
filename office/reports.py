"""The city's monthly report: programme progress, adoption, subsidies against budgets, the boards,
city-wide figures (with the same suppression as the office pages) and the changes to programmes
in the month, as a PDF with charts (reportlab; Chinese in the built-in CID font STSong-Light)
and as an Excel workbook with charts.

Every figure says how it is counted (FIGURES: printed beside the tables of the PDF, in the workbook and
on the reports page). Two kinds only: a stock "at the month's end" (what was true on its last day:
enrolments not withdrawn by then, money dated up to then) and a flow "in the month" (by the date of the
enrolment, the grant, the payment or the reversal, from the 1st to the last day). An enterprise's
current status never decides a past month: one enrolled after the month's end is not counted, one
withdrawn after it still is (the withdrawal's date is `decided_at`)."""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import FieldError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from ecommerce.selectors.trade_stats import TradeRow, trade_by_board_month, trade_month_total
from office import selectors
from office.adoption import reasons_text
from office.metrics import public_model
from office.models import AdoptionRecord, Enrolment, Programme, SubsidyPayment

CJK = "STSong-Light"

# key -> (label, how it is counted). The order is the order of the notes.
FIGURES: dict[str, tuple] = {
    "enrolled": (gettext_lazy("Enrolled"), gettext_lazy(
        "Enrolled at the month's end: enterprises whose enrolment date is on or before the month's last day and "
        "that were not withdrawn by then (one enrolled later is not counted, one withdrawn later still is).")),
    "enrolled_in_month": (gettext_lazy("Enrolled this month"), gettext_lazy(
        "Enrolled during the month: of the enrolled at the month's end, those whose enrolment date is in the "
        "month.")),
    "adoption": (gettext_lazy("Adopted / At risk / Not started"), gettext_lazy(
        "Of the enrolled at the month's end, by their latest adoption evaluation dated up to the month's end "
        "(not started when there is none).")),
    "paid_enterprises_in_month": (gettext_lazy("Enterprises paid this month"), gettext_lazy(
        "Different enterprises with a subsidy payment dated in the month; they may have enrolled in an earlier "
        "month, or have been withdrawn since.")),
    "budget": (gettext_lazy("Budget"), gettext_lazy(
        "The programme's budget when the report is prepared (changes to it are listed under the changes to "
        "programmes).")),
    "granted": (gettext_lazy("Granted"), gettext_lazy(
        "Granted to the month's end: grants dated up to the month's last day, less what cancellations and "
        "clawbacks dated up to then returned to the budget.")),
    "paid": (gettext_lazy("Paid"), gettext_lazy(
        "Paid to the month's end: payments dated up to the month's last day (by payment date), less the "
        "clawbacks dated up to then; it includes payments made in earlier months.")),
    "remaining": (gettext_lazy("Remaining"), gettext_lazy(
        "Remaining at the month's end: the budget less what is granted to the month's end.")),
    "granted_in_month": (gettext_lazy("Granted this month"), gettext_lazy(
        "Grants dated in the month (by grant date), as granted.")),
    "paid_in_month": (gettext_lazy("Paid this month"), gettext_lazy(
        "Payments dated in the month (by payment date), whenever the enterprise enrolled.")),
    "returned_in_month": (gettext_lazy("Returned to the budget this month"), gettext_lazy(
        "What cancellations and clawbacks dated in the month gave back to the budget.")),
    "paid_back_in_month": (gettext_lazy("Paid back this month"), gettext_lazy(
        "What enterprises paid back (clawbacks) with a date in the month.")),
}
PROGRAMME_NOTES = ["enrolled", "enrolled_in_month", "adoption", "paid_enterprises_in_month"]
SUBSIDY_NOTES = ["budget", "granted", "paid", "remaining", "granted_in_month", "paid_in_month", "returned_in_month",
                 "paid_back_in_month"]


def figure_definitions(keys=None) -> list[tuple[str, str]]:
    """(label, how it is counted) of the report's figures, in the reader's language."""
    return [(str(FIGURES[k][0]), str(FIGURES[k][1])) for k in (keys or FIGURES)]


@dataclass
class ReportData:
    month: date
    month_end: date
    generated_at: object
    programmes: list[dict] = field(default_factory=list)
    adoption: list[dict] = field(default_factory=list)
    boards: dict = field(default_factory=dict)
    trade: list[TradeRow] = field(default_factory=list)  # through the boards in the month, one row per board
    trade_total: TradeRow | None = None
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


def enrolled_at_month_end(*, programme: Programme, end: date):
    """The programme's enrolments as they stood on `end`: enrolled on or before it, and either still
    enrolled or withdrawn after it (a withdrawal's date is its decision's)."""
    withdrawn_later = Q(status=Enrolment.Status.WITHDRAWN, decided_at__date__gt=end)
    return programme.enrolments.filter(Q(status=Enrolment.Status.ENROLLED) | withdrawn_later,
                                       enrolled_on__isnull=False, enrolled_on__lte=end)


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
    paid_in_month = {}  # programme id -> different enterprises paid in the month
    payers = (SubsidyPayment.objects.filter(paid_on__gte=month, paid_on__lte=end).order_by()  # no ordering in DISTINCT
              .values_list("subsidy__programme_id", "subsidy__enrolment__enterprise_id").distinct())
    for programme_id, _enterprise_id in payers:
        paid_in_month[programme_id] = paid_in_month.get(programme_id, 0) + 1
    for programme in Programme.objects.order_by("period_start", "code"):
        enrolments = list(enrolled_at_month_end(programme=programme, end=end)
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
            "enrolled_in_month": sum(1 for e in enrolments if e.enrolled_on >= month),
            "paid_enterprises_in_month": paid_in_month.get(programme.pk, 0),
            "budget": programme.budget, "granted": figures["granted"], "paid": figures["paid"],
            "remaining": figures["remaining"],
            "granted_in_month": figures["granted_in"], "paid_in_month": figures["paid_in"],
            "returned_in_month": figures["returned_in"], "paid_back_in_month": figures["paid_back_in"],
        })
    data.boards = {"listings": _count_in("ecommerce.Listing", "published_at", month, end),
                   "matches": _count_in("ecommerce.Match", "created_at", month, end)}
    data.trade = trade_by_board_month(since=month, until=month)
    data.trade_total = trade_month_total(data.trade, month=month)
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


class NoWrap(str):
    """A PDF table cell drawn on one line (a plain string, not a paragraph): amounts never break mid-number.
    `_Pdf.table` makes the type smaller for an amount longer than its column."""


def _money(value: Decimal) -> NoWrap:
    return NoWrap(f"¥{value:,.2f}")


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
        self.note = ParagraphStyle("note", fontName=CJK, fontSize=7, leading=9.5, textColor=colors.HexColor("#444444"))

    PADDING = 6  # reportlab's default left and right padding of a table cell

    def p(self, text, style=None):

        return Paragraph(escape(str(text)), style or self.cell)

    def nowrap_size(self, text: str, width) -> float:
        """The font size at which `text` fits on one line in a column `width` points wide."""
        if not width:
            return self.cell.fontSize
        room = width - 2 * self.PADDING
        need = pdfmetrics.stringWidth(text, CJK, self.cell.fontSize)
        return self.cell.fontSize if need <= room else round(self.cell.fontSize * room / need, 2)

    def notes(self, keys: list[str]) -> list:
        """How each figure of the table above is counted, one line each."""
        return [Paragraph(f"<b>{escape(label)}</b>: {escape(text)}", self.note) for label, text in figure_definitions(keys)]

    def table(self, header: list[str], rows: list[list], widths=None):
        """Cells are paragraphs (they wrap), except NoWrap cells (amounts): one line, right-aligned."""
        style = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f0f8")),
                 ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c4d0")),
                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("FONTNAME", (0, 1), (-1, -1), CJK), ("FONTSIZE", (0, 1), (-1, -1), self.cell.fontSize),
                 ("LEADING", (0, 1), (-1, -1), self.cell.leading)]
        body = []
        for r, row in enumerate(rows, start=1):
            cells = []
            for c, value in enumerate(row):
                if isinstance(value, NoWrap):
                    cells.append(str(value))
                    style.append(("ALIGN", (c, r), (c, r), "RIGHT"))
                    size = self.nowrap_size(str(value), widths[c] if widths else None)
                    if size < self.cell.fontSize:  # an amount too long for its column: smaller, never broken
                        style.append(("FONTSIZE", (c, r), (c, r), size))
                else:
                    cells.append(self.p(_fmt(value)))
            body.append(cells)
        t = Table([[self.p(h) for h in header]] + body, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle(style))
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
        pdf.table([_("Programme"), _("Target"), _("Needed"), _("Enrolled"), _("Enrolled this month"),
                   _("Enterprises paid this month"), _("Adopted"), _("At risk"), _("Not started"),
                   _("Share of target (%)")],
                  [[r["name"], r["target"], r["needed"], r["enrolled"], r["enrolled_in_month"],
                    r["paid_enterprises_in_month"], r["adopted"], r["at_risk"], r["not_started"], r["pct_of_target"]]
                   for r in data.programmes],
                  widths=[34 * mm, 32 * mm, 13 * mm, 14 * mm, 15 * mm, 16 * mm, 14 * mm, 14 * mm, 14 * mm, 16 * mm]),
        *pdf.notes(PROGRAMME_NOTES), Spacer(1, 3 * mm),
        _bar_chart(_("Adopted enterprises against the target"), names, [
            (_("adopted"), [r["adopted"] for r in data.programmes]),
            (_("needed"), [r["needed"] for r in data.programmes])]),
    ]


def _pdf_subsidies(pdf: _Pdf, data: ReportData) -> list:
    mm = pdf.mm
    names = [r["name"] for r in data.programmes]
    return [
        pdf.p(_("2. Subsidies against budgets (CNY)"), pdf.h2),
        pdf.p(_("At the month's end"), pdf.body),
        pdf.table([_subsidy_header()[0]] + [str(FIGURES[k][0]) for k in SUBSIDY_KEYS[:4]],
                  [[r["name"]] + [_money(r[key]) for key in SUBSIDY_KEYS[:4]] for r in data.programmes],
                  widths=[54 * mm] + [32 * mm] * 4),
        Spacer(1, 2 * mm),
        pdf.p(_("In the month"), pdf.body),
        pdf.table([_subsidy_header()[0]] + [str(FIGURES[k][0]) for k in SUBSIDY_KEYS[4:]],
                  [[r["name"]] + [_money(r[key]) for key in SUBSIDY_KEYS[4:]] for r in data.programmes],
                  widths=[54 * mm] + [32 * mm] * 4),
        *pdf.notes(SUBSIDY_NOTES), Spacer(1, 3 * mm),
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


def _trade_header() -> list[str]:
    return [_("Board"), _("RFQs posted"), _("Quotations"), _("Quotations accepted"), _("Purchase orders made"),
            _("Sales orders made"), _("Amount (CNY)")]


def _trade_rows(data: ReportData) -> list[list]:
    """One row per board, then every board together."""
    rows = list(data.trade) + ([data.trade_total] if data.trade_total else [])
    return [[r.board_name or _("All boards"), r.rfqs, r.quotations, r.accepted, r.purchase_orders, r.sales_orders,
             r.amount] for r in rows]


def _pdf_boards(pdf: _Pdf, data: ReportData) -> list:
    mm = pdf.mm
    boards = data.boards
    if boards.get("listings") is None:
        text = _("The boards do not report listings yet.")
    else:
        text = _("Listings published this month: %(l)s; matches: %(m)s.") % {
            "l": boards["listings"], "m": "—" if boards.get("matches") is None else boards["matches"]}
    story = [pdf.p(_("4. Supply and demand boards"), pdf.h2), pdf.p(text, pdf.body),
             pdf.p(_("Trade through the boards this month: RFQs posted, the quotations they received, the quotations "
                     "accepted and the orders made from them; the amount includes VAT and delivery."), pdf.body),
             pdf.table(_trade_header(), [row[:-1] + [_money(row[-1])] for row in _trade_rows(data)],
                       widths=[40 * mm] + [22 * mm] * 5 + [30 * mm])]
    if data.trade:
        names = [r.board_name for r in data.trade]
        story.append(_bar_chart(_("RFQs, quotations and orders by board"), names, [
            (_("RFQs posted"), [r.rfqs for r in data.trade]), (_("quotations"), [r.quotations for r in data.trade]),
            (_("accepted"), [r.accepted for r in data.trade]),
            (_("purchase orders"), [r.purchase_orders for r in data.trade])]))
    return story


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
    def notes(ws, keys: list[str]):
        """How each figure is counted, below the chart (the chart sits at A{n + 4}, about 16 rows high)."""
        row = n + 4 + (18 if n else 0)
        ws.cell(row, 1, _("How each figure is counted")).font = Font(bold=True)
        for i, (label, text) in enumerate(figure_definitions(keys), start=1):
            ws.cell(row + i, 1, label).font = Font(bold=True)
            ws.cell(row + i, 2, text)

    # the last two columns are appended (the chart reads the columns by position)
    ws = sheet(_("Programmes"), [_("Programme"), _("Module"), _("Target"), _("Needed"), _("Enrolled"), _("Adopted"),
                                 _("At risk"), _("Not started"), _("Share of target (%)"), _("Enrolled this month"),
                                 _("Enterprises paid this month")],
               [[r["name"], r["module"], r["target"], r["needed"], r["enrolled"], r["adopted"], r["at_risk"],
                 r["not_started"], r["pct_of_target"], r["enrolled_in_month"], r["paid_enterprises_in_month"]]
                for r in data.programmes], first=True)
    if n:
        chart(ws, _("Adopted enterprises against the target"), [6, 4], f"A{n + 4}", n)
    notes(ws, PROGRAMME_NOTES)
    ws = sheet(_("Subsidies"), _subsidy_header(),
               [[r["name"]] + [r[key] for key in SUBSIDY_KEYS] for r in data.programmes])
    for row in ws.iter_rows(min_row=2, max_row=n + 1, min_col=2):
        for cell in row:
            cell.number_format = '"¥"#,##0.00'
    if n:
        chart(ws, _("Subsidies against budgets (CNY)"), [2, 3, 4], f"A{n + 4}", n)
    notes(ws, SUBSIDY_NOTES)
    sheet(_("Adoption"), [_("Programme"), _("Enterprise"), _("Town"), _("Adoption"), _("Why"), _("Figures of")],
          [[a["programme"], a["enterprise"], a["town"], a["status"], a["why"], a["as_of"]] for a in data.adoption])
    ws = sheet(_("Boards"), [_("Figure"), _("This month")],
               [[_("Listings published"), data.boards.get("listings")], [_("Matches"), data.boards.get("matches")]])
    # the trade by board below the figures, with its chart to the right
    ws.append([])
    first = ws.max_row + 1
    xlsx_append(ws, [_("Trade through the boards")])
    ws.cell(first, 1).font = Font(bold=True)
    xlsx_append(ws, _trade_header())
    for cell in ws[first + 1]:
        cell.font = Font(bold=True)
    trade_rows = _trade_rows(data)
    for row in trade_rows:
        xlsx_append(ws, [float(v) if isinstance(v, Decimal) else v for v in row])
    for column in "BCDEFG":
        ws.column_dimensions[column].width = max(ws.column_dimensions[column].width or 0, 16)
    if data.trade:
        bar = BarChart()
        bar.title = _("Trade through the boards")
        bar.height, bar.width = 7.5, 16
        header_row, last = first + 1, first + 1 + len(data.trade)  # the boards, not the total
        for col in (2, 3, 4, 5, 6):
            bar.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last), titles_from_data=True)
        bar.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
        ws.add_chart(bar, f"I{first}")
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
