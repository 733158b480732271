"""The sales PDFs draw only characters their fonts have (no ☒ in any viewer), in zh-Hans and in English, and
the invoice carries what a VAT invoice list carries: buyer and seller with taxpayer number, address and phone,
bank and account, and the total in Chinese capitals."""

from decimal import Decimal

import pypdfium2 as pdfium
import pytest

from core.uscc import uscc_make
from erp_modules.common.services import erp_settings_update
from erp_modules.sales import formatting
from erp_modules.sales.models import Delivery, Invoice, Quotation
from erp_modules.sales.pdf import PDF_SAFE_RANGES, pdf_safe
from erp_modules.sales.services import delivery_create, invoice_create, quotation_create
from erp_modules.sales.tests.factories import D, make_customer, make_hood, order_for

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _unsafe(text: str) -> set[str]:
    return {c for c in text if c not in "\r\n" and not any(lo <= ord(c) <= hi for lo, hi in PDF_SAFE_RANGES)}


@pytest.mark.parametrize(("value", "words"), [
    ("7220.70", "柒仟贰佰贰拾元柒角整"), ("10005.08", "壹万零伍元零捌分"), ("0.05", "伍分"), ("0", "零元整"),
    ("100010000", "壹亿零壹万元整"), ("1010", "壹仟零壹拾元整"), ("1.05", "壹元零伍分"), ("20000000", "贰仟万元整"),
    ("123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"), ("-3", "负叁元整"), ("0.125", "壹角叁分")])
def test_amounts_in_chinese_capitals(value, words):
    assert formatting.amount_in_capitals(Decimal(value)) == words


def test_pdf_safe_replaces_what_the_fonts_may_lack():
    assert pdf_safe("CXW-200 · 版次 B — 2×3 → “好” ¥5") == "CXW-200   版次 B － 2x3 -> \"好\" ￥5"
    assert not _unsafe(pdf_safe("·—–×→“”‘’…¥°±"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_sales_pdf_draws_only_safe_characters_and_the_invoice_is_a_vat_invoice_list(erp, web, language):
    buyer_code = uscc_make(org_body="MA2H1234")
    customer = make_customer("宁波美厨电器销售有限公司", uscc=buyer_code, phone="0574-6301 8888",
                             bank_name="中国工商银行慈溪支行", bank_account="3901 2800 0920 0123 456",
                             contact_name="王经理·采购")
    erp_settings_update(bank_name="宁波银行慈溪分行", bank_account="7201 0122 0003 4567")
    hood = make_hood(stock=10)
    quotation_create(customer=customer, lines=[{"item": hood, "quantity": D(3), "unit_price": D("1299")}])
    order = order_for(customer, (hood, 3, "1299"), confirm=True)
    order.lines.update(revision="B")
    delivery_create(order=order, lines=[{"order_line": order.lines.get(), "quantity": D(2)}])
    invoice = invoice_create(order=order)
    web.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    texts = {}
    for name, url in [("quotation", f"/sales/quotations/{Quotation.objects.get().pk}/pdf/"),
                      ("order", f"/sales/orders/{order.pk}/pdf/"),
                      ("delivery", f"/sales/deliveries/{Delivery.objects.get().pk}/pdf/"),
                      ("invoice", f"/sales/invoices/{Invoice.objects.get().pk}/pdf/")]:
        response = web.get(url)
        assert response.status_code == 200, url
        texts[name] = _text(response.content)
        assert not _unsafe(texts[name]), (name, _unsafe(texts[name]))
    invoice_text = texts["invoice"].replace("\r", "").replace("\n", "")
    for fact in (buyer_code, "0574-6301 8888", "中国工商银行慈溪支行", "3901 2800 0920 0123 456", "宁波银行慈溪分行",
                 "7201 0122 0003 4567", "浙江省宁波市江北区长兴路 8 号", erp.uscc,
                 formatting.amount_in_capitals(invoice.amount_incl_vat), f"¥{formatting.money(invoice.amount_incl_vat)}"):
        assert fact.replace(" ", "") in invoice_text.replace(" ", ""), fact
    assert "HOOD-900（" in texts["order"].replace(" ", "")  # the revision in full-width brackets, not after a dot
