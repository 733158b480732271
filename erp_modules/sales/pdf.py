"""Printable quotation, order confirmation, delivery note and invoice (A4, reportlab).

Chinese text uses reportlab's built-in CID font STSong-Light (no font files needed); document
numbers and amounts use Helvetica. Files are built with invariant=1 (the same input gives the
same bytes) and uncompressed page streams (a test can find the number in the file)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from erp_modules.sales import formatting

CJK = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"

_registered = False


def _fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))
        _registered = True


@dataclass
class Issuer:
    """The enterprise printing the document (from request.enterprise, a public-schema object)."""

    name: str
    uscc: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    bank_name: str = ""
    bank_account: str = ""


@dataclass
class PdfLine:
    code: str
    name: str
    quantity: Decimal
    uom: str
    unit_price: Decimal | None = None
    discount_pct: Decimal | None = None
    vat_rate: Decimal | None = None
    amount_excl_vat: Decimal | None = None
    vat_amount: Decimal | None = None
    extra: str = ""  # lot / serial numbers on a delivery note


def _money(value: Decimal | None) -> str:
    return "" if value is None else formatting.money(value)


def _price(value: Decimal | None) -> str:
    return "" if value is None else formatting.price(value)


def _qty(value: Decimal) -> str:
    return formatting.qty(value)


def _pct(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{_qty(value)}%"


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=LATIN, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#555555")),
        "issuer": ParagraphStyle("issuer", parent=base, fontSize=14, leading=18),
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=20, alignment=TA_RIGHT),
        "number": ParagraphStyle("number", parent=base, fontName=LATIN_BOLD, fontSize=12, leading=16,
                                 alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "num": ParagraphStyle("num", parent=base, fontName=LATIN, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontSize=8.5, leading=10.5, textColor=colors.white,
                               wordWrap=None),
        "headnum": ParagraphStyle("headnum", parent=base, fontSize=8.5, leading=10.5, textColor=colors.white,
                                  alignment=TA_RIGHT, wordWrap=None),
    }


_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")

# What the CID font is sure to draw in every viewer (STSong-Light is not embedded: a viewer substitutes a
# Song font of its own): CJK ideographs, CJK punctuation and full-width forms; ASCII goes to Helvetica.
# Anything else — a middle dot, a dash, an arrow, a curly quote — came out as a box (☒) in some viewers,
# so it is replaced by what the font has before it reaches the page (tests/… check every document).
PDF_SAFE_RANGES = ((0x20, 0x7E), (0xA5, 0xA5), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF01, 0xFF5E),
                   (0xFFE0, 0xFFE5))  # ¥ (U+00A5) only in Helvetica: the amounts
_SUBSTITUTES = str.maketrans({
    "·": " ", "•": " ", "・": " ", "—": "－", "–": "-", "‐": "-", "−": "-", "×": "x", "→": "->", "←": "<-",
    "“": "\"", "”": "\"", "‘": "'", "’": "'", "…": "...", "¥": "￥", "°": "度", "±": "+/-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " "})


def pdf_safe(text: str) -> str:
    """``text`` with the characters the fonts may lack replaced (see PDF_SAFE_RANGES)."""
    return str(text).translate(_SUBSTITUTES)


def _markup(text) -> str:
    """Latin runs in the style's Helvetica, Chinese runs in the CID font (its Latin glyphs are poorly spaced)."""
    parts = _NON_ASCII.split(pdf_safe(text or ""))
    return "".join(f'<font name="{CJK}">{escape(part)}</font>' if n % 2 else escape(part)
                   for n, part in enumerate(parts)).replace("\n", "<br/>")


def _p(text, style) -> Paragraph:
    return Paragraph(_markup(text), style)


def _document(*, title: str, number: str, issuer: Issuer, customer_lines: list[str], meta: list[tuple[str, str]],
              lines: list[PdfLine], priced: bool, totals: list[tuple[str, str]], currency: str = "CNY",
              note: str = "", footer: str = "", parties_block=None, after_totals=None) -> bytes:
    _fonts()
    s = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"{title} {number}", author=issuer.name,
                            creator="Digital Bridge", invariant=1, pageCompression=0)
    width = A4[0] - 30 * mm
    issuer_lines = [_p(issuer.name, s["issuer"])]
    if issuer.uscc:
        issuer_lines.append(_p(f"{_('Unified Social Credit Code')}: {issuer.uscc}", s["small"]))
    if issuer.address:
        issuer_lines.append(_p(issuer.address, s["small"]))
    contact = " / ".join(x for x in (issuer.phone, issuer.email) if x)
    if contact:
        issuer_lines.append(_p(contact, s["small"]))
    head = Table([[issuer_lines, [_p(title, s["title"]), Paragraph(escape(number), s["number"])]]],
                 colWidths=[width * 0.62, width * 0.38])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                              ("LINEBELOW", (0, 0), (-1, 0), 1, colors.HexColor("#0b4f8a"))]))
    customer_block = [_p(_("Customer"), s["small"])] + [_p(x, s["base"]) for x in customer_lines if x]
    meta_rows = [[_p(k, s["small"]), _p(v, s["base"])] for k, v in meta if v]
    meta_table = Table(meta_rows or [[""]], colWidths=[width * 0.16, width * 0.22])
    meta_table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    parties = Table([[customer_block, meta_table]], colWidths=[width * 0.62, width * 0.38])
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    if parties_block is not None:  # the invoice: buyer and seller as on a VAT invoice, the dates beside
        parties = [parties_block(s, width), Spacer(1, 3 * mm), meta_table]

    if priced:
        header = ["#", _("Item"), _("Quantity"), _("Unit price"), _("Discount"), _("VAT rate"), _("Amount excl. VAT"),
                  _("VAT")]
        widths = [0.05, 0.30, 0.10, 0.12, 0.10, 0.08, 0.14, 0.11]
    else:
        header = ["#", _("Item"), _("Quantity"), _("Lot / serial numbers")]
        widths = [0.05, 0.50, 0.15, 0.30]
    rows = [[_p(h, s["headnum"] if i >= 2 and (priced or i == 2) else s["head"]) for i, h in enumerate(header)]]
    for n, line in enumerate(lines, start=1):
        item = [_p(line.code, s["cell"]), _p(line.name, s["small"])]
        qty = _p(f"{_qty(line.quantity)} {line.uom}", s["num"])
        if priced:
            rows.append([_p(n, s["num"]), item, qty, _p(_price(line.unit_price), s["num"]),
                         _p(_pct(line.discount_pct) if line.discount_pct else "", s["num"]),
                         _p(_pct(line.vat_rate), s["num"]), _p(_money(line.amount_excl_vat), s["num"]),
                         _p(_money(line.vat_amount), s["num"])])
        else:
            rows.append([_p(n, s["num"]), item, qty, _p(line.extra, s["cell"])])
    table = Table(rows, colWidths=[width * w for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b4f8a")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f7fb")]),
    ]))
    story = [head, Spacer(1, 5 * mm), *(parties if isinstance(parties, list) else [parties]), Spacer(1, 5 * mm),
             table]
    if totals:
        symbol = "¥" if currency == "CNY" else f"{currency} "  # Helvetica has ¥: the amounts as on the pages
        total_rows = [[_p(label, s["base"]), Paragraph(escape(f"{symbol}{value}"), s["num"])]
                      for label, value in totals]
        total_table = Table(total_rows, colWidths=[width * 0.22, width * 0.2], hAlign="RIGHT")
        total_table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
                                         ("FONTNAME", (0, -1), (-1, -1), LATIN_BOLD)]))
        story += [Spacer(1, 3 * mm), total_table]
    if after_totals is not None:
        story += [Spacer(1, 2 * mm), after_totals(s, width)]
    if note:
        story += [Spacer(1, 5 * mm), _p(_("Note"), s["small"]), _p(note, s["base"])]
    if footer:
        story += [Spacer(1, 8 * mm), _p(footer, s["small"])]
    doc.build(story)
    return buffer.getvalue()


def _customer_lines(customer) -> list[str]:
    lines = [customer.name]
    if getattr(customer, "uscc", ""):
        lines.append(f"{_('Unified Social Credit Code')}: {customer.uscc}")
    lines.append(customer.address)
    contact = " ".join(x for x in (customer.contact_name, customer.phone) if x)
    lines.append(contact)
    return lines


def line_code(line) -> str:
    """The item code, and the revision a line names: "CXW-200-A1（版次 B）"."""
    revision = getattr(line, "revision", "")
    if not revision:
        return line.item.code
    return f"{line.item.code}（{_('rev. %(code)s') % {'code': revision}}）"


def _priced_lines(lines) -> list[PdfLine]:
    return [PdfLine(code=line_code(line), name=line.description or line.item.name, quantity=line.quantity,
                    uom=str(line.item.uom), unit_price=line.unit_price, discount_pct=line.discount_pct,
                    vat_rate=line.vat_rate, amount_excl_vat=line.amount_excl_vat, vat_amount=line.vat_amount)
            for line in lines]


def _totals(document) -> list[tuple[str, str]]:
    return [(_("Amount excl. VAT"), _money(document.amount_excl_vat)), (_("VAT"), _money(document.vat_amount)),
            (_("Total incl. VAT"), _money(document.amount_incl_vat))]


def quotation_pdf(*, quotation, lines, issuer: Issuer) -> bytes:
    meta = [(_("Date"), quotation.quote_date.isoformat()),
            (_("Valid until"), quotation.valid_until.isoformat() if quotation.valid_until else ""),
            (_("Your reference"), quotation.customer_reference)]
    return _document(title=_("Quotation"), number=quotation.number, issuer=issuer,
                     customer_lines=_customer_lines(quotation.customer), meta=meta, lines=_priced_lines(lines),
                     priced=True, totals=_totals(quotation), currency=quotation.currency, note=quotation.note,
                     footer=_("Prices in %(currency)s excluding VAT per unit; VAT is shown per line.")
                     % {"currency": quotation.currency})


def sales_order_pdf(*, order, lines, issuer: Issuer) -> bytes:
    meta = [(_("Order date"), order.order_date.isoformat()),
            (_("Delivery date"), order.delivery_date.isoformat() if order.delivery_date else ""),
            (_("Your reference"), order.customer_reference),
            (_("Quotation"), order.quotation.number if order.quotation_id else "")]
    return _document(title=_("Order confirmation"), number=order.number, issuer=issuer,
                     customer_lines=_customer_lines(order.customer), meta=meta, lines=_priced_lines(lines),
                     priced=True, totals=_totals(order), currency=order.currency, note=order.note)


def delivery_note_pdf(*, delivery, lines, issuer: Issuer) -> bytes:
    rows = [PdfLine(code=line_code(line.order_line), name=line.order_line.description or line.item.name, quantity=line.quantity,
                    uom=str(line.item.uom), extra=line.lot.code if line.lot_id else line.serials) for line in lines]
    meta = [(_("Delivery date"), delivery.delivery_date.isoformat()), (_("Sales order"), delivery.order.number),
            (_("Your reference"), delivery.order.customer_reference)]
    customer_lines = _customer_lines(delivery.customer)
    if delivery.ship_to and delivery.ship_to != delivery.customer.address:
        customer_lines.append(f"{_('Ship to')}: {delivery.ship_to}")
    return _document(title=_("Delivery note"), number=delivery.number, issuer=issuer, customer_lines=customer_lines,
                     meta=meta, lines=rows, priced=False, totals=[], note=delivery.note,
                     footer=_("Received in good order — signature and date:"))


def _party_rows(*, name: str, uscc: str, address: str, phone: str, bank_name: str, bank_account: str) -> list:
    """The four lines of a party on a VAT invoice: 名称 / 纳税人识别号 / 地址、电话 / 开户行及账号."""
    return [(pgettext("vat invoice", "Name"), name), (_("Taxpayer ID"), uscc),
            (_("Address and phone"), " ".join(x for x in (address, phone) if x)),
            (_("Bank and account"), " ".join(x for x in (bank_name, bank_account) if x))]


def _vat_parties(buyer: list, seller: list):
    """Buyer (购买方) and seller (销售方) side by side, each with its four lines, framed as on a VAT invoice."""
    def build(s, width):
        def block(title, rows):
            inner = Table([[_p(label, s["small"]), _p(value or "—", s["cell"])] for label, value in rows],
                          colWidths=[width * 0.13, width * 0.33])
            inner.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 1),
                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            return [_p(title, s["base"]), inner]
        table = Table([[block(_("Buyer"), buyer), block(_("Seller"), seller)]], colWidths=[width * 0.5, width * 0.5])
        table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.75, colors.HexColor("#8a5a0b")),
                                   ("LINEAFTER", (0, 0), (0, 0), 0.5, colors.HexColor("#8a5a0b")),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return table
    return build


def _amount_in_words(document, currency: str):
    """价税合计（大写）… （小写）￥…: the total in capitals and in figures, boxed under the totals."""
    def build(s, width):
        words = formatting.amount_in_capitals(document.amount_incl_vat) if currency == "CNY" else ""
        row = [[_p(_("Total incl. VAT (in words)"), s["small"]), _p(words or "-", s["base"]),
                _p(_("(in figures)"), s["small"]),
                Paragraph(escape(f"{'¥' if currency == 'CNY' else currency + ' '}{_money(document.amount_incl_vat)}"),
                          s["num"])]]
        table = Table(row, colWidths=[width * 0.2, width * 0.5, width * 0.12, width * 0.18])
        table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.75, colors.HexColor("#8a5a0b")),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        return table
    return build


def invoice_pdf(*, invoice, lines, issuer: Issuer) -> bytes:
    """The sales invoice laid out as the usual VAT invoice list: buyer and seller with taxpayer number, address
    and phone, bank and account; the lines; the totals and the total in Chinese capitals."""
    meta = [(_("Invoice date"), invoice.invoice_date.isoformat()),
            (_("Due date"), invoice.due_date.isoformat() if invoice.due_date else ""),
            (_("Sales order"), invoice.order.number), (_("Your reference"), invoice.customer_reference),
            (_("Fapiao number"), invoice.tax_invoice_number)]
    customer = invoice.customer
    buyer = _party_rows(name=customer.name, uscc=customer.uscc, address=customer.address, phone=customer.phone,
                        bank_name=getattr(customer, "bank_name", ""), bank_account=getattr(customer, "bank_account", ""))
    seller = _party_rows(name=issuer.name, uscc=issuer.uscc, address=issuer.address, phone=issuer.phone,
                         bank_name=issuer.bank_name, bank_account=issuer.bank_account)
    return _document(title=_("Sales invoice"), number=invoice.number, issuer=issuer,
                     customer_lines=_customer_lines(customer), meta=meta, lines=_priced_lines(lines),
                     priced=True, totals=_totals(invoice), currency=invoice.currency, note=invoice.note,
                     parties_block=_vat_parties(buyer, seller),
                     after_totals=_amount_in_words(invoice, invoice.currency))
