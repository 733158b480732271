"""Lines that name a part's revision (issue 13): quotations and orders keep it, validated through the catalog's
revision registry that PDM fills (erp_modules/catalog/revision_source.py); pages, PDFs and the "make a work order"
link show it. Real PostgreSQL, real PDM services."""

from __future__ import annotations

import pypdfium2
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context

from core.testing import codes
from erp_modules.catalog.selectors import bom_effective
from erp_modules.sales import pdf
from erp_modules.sales.models import Quotation, SalesOrder
from erp_modules.sales.services import (quotation_convert, quotation_create, sales_order_confirm, sales_order_create,
                                        sales_order_update)
from erp_modules.sales.tests.factories import D, make_customer, make_filter, part_with_revisions

LINE = "Line 1 (CXW-200-A1 油烟机 CXW-200)"


def _line(item, revision: str = "", quantity="2", price="1299") -> dict:
    return {"item": item, "quantity": D(quantity), "unit_price": D(price), "revision": revision}


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_a_quotation_line_on_revision_b_is_kept_and_the_order_made_from_it_keeps_it(erp):
    # given a hood whose revision C is released while B, the customer's variant, is superseded
    part = part_with_revisions()
    customer = make_customer()
    # when a quotation names B (typed in lower case) and becomes an order
    quotation = quotation_create(customer=customer, lines=[_line(part["item"], " b "), _line(make_filter(), "")])
    order = quotation_convert(quotation=quotation)
    # then both keep B on the hood's line, nothing on the other
    assert list(quotation.lines.values_list("revision", flat=True)) == ["B", ""]
    assert list(order.lines.values_list("item__code", "revision")) == [("CXW-200-A1", "B"), ("FLT-01", "")]


@pytest.mark.parametrize("revision, code, reason", [
    ("D", "revision_obsolete", "revision D is obsolete"),
    ("X", "revision_unknown", "there is no revision “X” (usable: A, B, C)"),
])
def test_an_obsolete_or_unknown_revision_is_refused_naming_the_line_and_nothing_is_written(erp, revision, code,
                                                                                           reason):
    part = part_with_revisions()
    customer = make_customer()
    for create in (quotation_create, sales_order_create):
        with pytest.raises(ValidationError) as caught:
            create(customer=customer, lines=[_line(part["item"], revision)])
        assert codes(caught.value) == [code]
        assert caught.value.message_dict["lines"] == [f"{LINE}: revision “{revision}”: {reason}."]
    assert Quotation.objects.count() == 0 and SalesOrder.objects.count() == 0


def test_an_item_that_is_not_a_part_refuses_any_revision(erp):
    customer = make_customer()
    order = sales_order_create(customer=customer, lines=[_line(make_filter(), "")])
    with pytest.raises(ValidationError) as caught:
        sales_order_update(order=order, customer=customer, lines=[_line(order.lines.get().item, "A")])
    assert codes(caught.value) == ["revision_not_a_part"]
    assert caught.value.message_dict["lines"] == [
        "Line 1 (FLT-01 油网): revision “A”: the item is not a part and has no revisions."]
    assert order.lines.get().revision == ""


def test_a_quotation_whose_revision_became_obsolete_cannot_become_an_order_unnoticed(erp):
    from pdm.parts.services import revision_obsolete

    part = part_with_revisions()
    quotation = quotation_create(customer=make_customer(), lines=[_line(part["item"], "B")])
    revision_obsolete(revision=part["B"], user=None)
    with pytest.raises(ValidationError) as caught:
        quotation_convert(quotation=quotation)
    assert codes(caught.value) == ["revision_obsolete"]
    assert SalesOrder.objects.count() == 0


def test_the_order_form_offers_the_items_revisions_and_saves_the_chosen_one(erp, web):
    part = part_with_revisions()
    customer = make_customer()
    # the options of the hood: the usable revisions, not the obsolete one
    options = web.get("/sales/items/revisions/", {"item": "cxw-200-a1"})
    assert options.status_code == 200
    text = options.content.decode()
    assert 'value="A"' in text and 'value="B"' in text and 'value="C"' in text and 'value="D"' not in text
    assert "B · superseded" in text and "C · released" in text
    # an item that is not a part has none
    make_filter()
    assert web.get("/sales/items/revisions/", {"item": "FLT-01"}).content.decode().strip() == ""
    # when the form is posted with revision B
    response = web.post("/sales/orders/new/", {"customer": customer.pk, "item": ["CXW-200-A1"], "quantity": ["2"],
                                                "unit_price": ["1299"], "revision": ["B"], "description": [""],
                                                "discount_pct": [""], "vat_rate": [""], "location": [""]})
    assert response.status_code == 302
    order = SalesOrder.objects.get()
    assert order.lines.get().revision == "B"
    # then the edit form shows it, with the row's list of revisions drawn already
    page = web.get(f"/sales/orders/{order.pk}/edit/").content.decode()
    assert 'name="revision" maxlength="8" size="3" list="revisions-1" value="B"' in page
    assert '<datalist id="revisions-1"><option value="A">' in page
    assert 'hx-get="/sales/items/revisions/"' in page


def test_the_form_shows_the_refusal_of_an_obsolete_revision_on_the_line(erp, web):
    part = part_with_revisions()
    customer = make_customer()
    response = web.post("/sales/quotations/new/", {"customer": customer.pk, "item": [part["item"].code],
                                                   "quantity": ["1"], "unit_price": ["10"], "revision": ["D"]})
    assert response.status_code == 400
    assert f"{LINE}: revision “D”: revision D is obsolete." in response.content.decode()
    assert Quotation.objects.count() == 0


def test_the_pages_and_pdfs_show_the_revision(erp, web):
    part = part_with_revisions()
    quotation = quotation_create(customer=make_customer(), lines=[_line(part["item"], "B")])
    order = quotation_convert(quotation=quotation)
    for url in (f"/sales/quotations/{quotation.pk}/", f"/sales/orders/{order.pk}/"):
        assert '<span class="badge text-bg-light" data-revision="B">rev. B</span>' in web.get(url).content.decode()
    # the PDF builder's input and the text of the PDF
    assert pdf.line_code(order.lines.get()) == "CXW-200-A1（rev. B）"  # full-width brackets: the font has them
    for url in (f"/sales/quotations/{quotation.pk}/pdf/", f"/sales/orders/{order.pk}/pdf/"):
        text = _pdf_text(web.get(url).content)
        assert "CXW-200-A1" in text and "rev. B" in text, url


def test_a_short_line_on_revision_b_offers_a_work_order_on_bs_bom_while_c_is_in_force(erp, web):
    # given C is the BOM in force and the order wants 3 hoods on B, none in stock
    part = part_with_revisions()
    assert bom_effective(item=part["item"]).pk == part["C"].bom_id
    order = sales_order_create(customer=make_customer(), lines=[_line(part["item"], "B", quantity="3")])
    sales_order_confirm(order=order, allow_shortage=True)
    # when the order page is shown
    page = web.get(f"/sales/orders/{order.pk}/").content.decode()
    # then the line links to a new work order for the 3 short hoods on B's BOM version
    line = order.lines.get()
    url = (f"/production/work-orders/new/?item={part['item'].pk}&amp;quantity=3.0000&amp;bom={part['B'].bom_id}"
           f"&amp;note={order.number}+line+1%2C+revision+B")
    assert f'<a class="small" href="{url}" data-make="{line.pk}">Make a work order</a>' in page
    # and the production form opened by it has B's BOM version chosen
    form = web.get(url.replace("&amp;", "&")).content.decode()
    assert f'<option value="{part["B"].bom_id}" selected>' in form


def test_a_line_without_a_revision_offers_no_work_order_link(erp, web):
    part = part_with_revisions()
    order = sales_order_create(customer=make_customer(), lines=[_line(part["item"], "", quantity="3")])
    sales_order_confirm(order=order, allow_shortage=True)
    assert "data-make=" not in web.get(f"/sales/orders/{order.pk}/").content.decode()


def test_a_never_sees_bs_revisions(client, two_enterprises):
    # given B has a part with revisions, A a plain item and an order of its own
    a, b, alice, _bob = two_enterprises("salesrev")
    with tenant_context(b):
        secret = part_with_revisions(code="B-SECRET-9", name="乙方机密油烟机")
        secret_bom = secret["B"].bom_id
    with tenant_context(a):
        make_filter()
    connection.set_schema_to_public()
    client.force_login(alice)
    host = {"HTTP_HOST": f"{a.slug}.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
    # then A's host does not know B's item: the options answer 404
    assert client.get("/sales/items/revisions/", {"item": "B-SECRET-9"}, **host).status_code == 404
    assert client.get("/sales/items/revisions/", {"item": str(secret["item"].pk)}, **host).status_code == 404
    # and A's own item lists nothing of B's
    assert client.get("/sales/items/revisions/", {"item": "FLT-01"}, **host).content.decode().strip() == ""
    # and a service call in A cannot name B's revision on A's item
    with tenant_context(a):
        from erp_modules.catalog.models import Item
        with pytest.raises(ValidationError) as caught:
            sales_order_create(customer=make_customer(), lines=[_line(Item.objects.get(code="FLT-01"), "B")])
        assert codes(caught.value) == ["revision_not_a_part"]
    assert secret_bom is not None
