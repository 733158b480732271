"""Quotation terms (tax basis and VAT rate, delivery terms and freight, payment terms, the supplier's own
ERP item) and the buyer's comparison on one basis: unit price with VAT included, delivered."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django_tenants.utils import tenant_context
from graphql_relay import to_global_id

from api.tokens.services import api_token_create
from core.testing import codes_by_field
from ecommerce import selectors, services
from ecommerce.models import Notification, Quotation
from ecommerce.pricing import (quotation_basis_text, quotation_landed, quotation_landed_total,
                               quotation_landed_unit_price, price_places, rate_text, unit_money)
from ecommerce.selectors.supplier_items import enterprise_runs_erp, supplier_items
from ecommerce.tests.factories import member, owner_of, post
from erp_modules.catalog.models import Item
from erp_modules.workspace.testing import make_item
from tenants.models import Membership, Role

D = Decimal
EX, DEL = "ex_works", "delivered"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# ---- the pure computation ----------------------------------------------------------------------


def landed(price, qty="1000", incl=True, rate="13", terms=DEL, freight="0", unit="件"):
    return quotation_landed_unit_price(unit_price=D(price), quantity=D(qty), price_includes_vat=incl,
                                       vat_rate=D(rate), delivery_terms=terms, freight=D(freight), unit=unit)


def test_the_issues_example_excl_vat_ex_works_is_dearer_than_incl_vat_delivered():
    # given ¥1.55 excl. 13 % VAT, ex works with ¥200 freight for 1,000; and ¥1.62 incl. VAT, delivered
    cheap_looking = landed("1.55", incl=False, terms=EX, freight="200")
    plain = landed("1.62")
    # then
    assert cheap_looking.unit_price == D("1.9515") and plain.unit_price == D("1.6200")
    assert plain.unit_price < cheap_looking.unit_price
    assert landed("1.55", incl=False).unit_price == D("1.7515") > plain.unit_price  # the VAT alone decides it
    assert cheap_looking.explanation == ("¥1.55 excl. VAT + 13% VAT = ¥1.75 incl. VAT, ex works + freight ¥200.00 / "
                                         "1,000 件 = ¥0.20 → ¥1.95 delivered, incl. VAT")
    assert plain.explanation == "¥1.62 incl. 13% VAT, delivered (freight included) → ¥1.62 delivered, incl. VAT"


@pytest.mark.parametrize("incl, rate, terms, freight, qty, expected", [
    (True, "13", DEL, "0", "1000", "1.5500"),
    (True, "13", DEL, "500", "1000", "1.5500"),     # a delivered price includes its freight: nothing added
    (True, "13", EX, "0", "1000", "1.5500"),        # ex works, the buyer collects next door
    (True, "13", EX, "200", "1000", "1.7500"),
    (False, "13", DEL, "0", "1000", "1.7515"),
    (False, "13", EX, "200", "1000", "1.9515"),
    (False, "9", EX, "200", "1000", "1.8895"),     # 1.55 × 1.09 = 1.6895, + 0.20
    (False, "6", DEL, "0", "1000", "1.6430"),
    (False, "3", DEL, "0", "1000", "1.5965"),
    (False, "1", DEL, "0", "1000", "1.5655"),
    (False, "0", EX, "0", "1000", "1.5500"),
    (True, "0", EX, "100", "3", "34.8833"),        # 1.55 + 33.3333… rounded once, half up
    (False, "13", EX, "0.01", "1", "1.7615"),
    (False, "100", DEL, "0", "1", "3.1000"),
])
def test_landed_unit_price_for_every_combination_of_terms(incl, rate, terms, freight, qty, expected):
    assert landed("1.55", qty=qty, incl=incl, rate=rate, terms=terms, freight=freight).unit_price == D(expected)


def test_landed_unit_price_rounds_half_up_once_at_four_decimals():
    assert landed("0.0001", incl=False, rate="50").unit_price == D("0.0002")  # 0.00015
    assert landed("0.0001", incl=False, rate="49").unit_price == D("0.0001")  # 0.000149
    assert landed("10", qty="3", terms=EX, freight="0.0001").unit_price == D("10.0000")


def test_landed_unit_price_accepts_strings_and_the_terms_enum():
    result = quotation_landed_unit_price(unit_price="2", quantity="10", price_includes_vat=False, vat_rate="13",
                                         delivery_terms=Quotation.Terms.EX_WORKS, freight="10")
    assert result.unit_price == D("3.2600")
    assert quotation_landed_unit_price(unit_price=D("2"), quantity=D("10")).unit_price == D("2.0000")  # defaults


def test_landed_unit_price_refuses_a_quantity_of_zero():
    with pytest.raises(ValueError):
        landed("1", qty="0")


def test_explanations_name_every_step():
    assert landed("1.62", incl=True, terms=EX, freight="200", unit="").explanation == (
        "¥1.62 incl. 13% VAT, ex works + freight ¥200.00 / 1,000 units = ¥0.20 → ¥1.82 delivered, incl. VAT")
    assert landed("100", qty="50", incl=False, rate="9").explanation == (
        "¥100.00 excl. VAT + 9% VAT = ¥109.00 incl. VAT, delivered (freight included) → ¥109.00 delivered, incl. VAT")
    assert landed("0.0345", incl=True, rate="3").explanation == (
        "¥0.0345 incl. 3% VAT, delivered (freight included) → ¥0.0345 delivered, incl. VAT")


def test_unit_money_and_rate_text():
    assert [unit_money(D(v)) for v in ("1.9515", "1.955", "1000", "0.2")] == ["¥1.95", "¥1.96", "¥1,000.00", "¥0.20"]
    assert [unit_money(D(v), 4) for v in ("0.0345", "1234.56785")] == ["¥0.0345", "¥1,234.5679"]
    assert [price_places(D(v)) for v in ("1.55", "1.5500", "0.0345", "100", "1E+2", "0.123456", "2.5")] == [
        2, 2, 4, 2, 2, 4, 2]
    assert [rate_text(D(v)) for v in ("13.00", "1.50", "10", "0", "100.00")] == ["13%", "1.5%", "10%", "0%", "100%"]


def test_landed_total_and_basis_of_an_unsaved_quotation():
    q = Quotation(unit_price=D("1.55"), quantity=D("1000"), price_includes_vat=False, vat_rate=D("13"),
                  delivery_terms=EX, freight=D("200"))
    assert quotation_landed_total(q) == D("1951.50")
    assert quotation_landed(q).unit_price == D("1.9515")
    assert quotation_basis_text(q) == "excl. 13% VAT, ex works, freight ¥200.00"
    delivered = Quotation(unit_price=D("1.62"), quantity=D("1000"), price_includes_vat=True, vat_rate=D("13"),
                          delivery_terms=DEL, freight=D("0"))
    assert quotation_landed_total(delivered) == D("1620.00")
    assert quotation_basis_text(delivered) == "incl. 13% VAT, delivered"


# ---- the service --------------------------------------------------------------------------------


def quote(listing, supplier, price="1.55", **kw):
    return services.quotation_submit(listing=listing, enterprise=supplier, user=owner_of(supplier),
                                     unit_price=D(price), quantity=kw.pop("quantity", D("1000")),
                                     lead_time_days=kw.pop("lead_time_days", 15),
                                     valid_until=kw.pop("valid_until", timezone.localdate() + timedelta(days=30)), **kw)


@pytest.fixture
def rfq(make_enterprise):
    return post(make_enterprise(), kind="demand", title="求购深沟球轴承 6202", category_code="brg-rolling-deepgroove",
                is_rfq=True, quantity=D("1000"), unit="件", rfq_max_quotations=10)


@pytest.mark.django_db
def test_a_quotation_without_terms_keeps_the_old_basis(rfq, make_enterprise):
    q = quote(rfq, make_enterprise())
    q.refresh_from_db()
    assert (q.price_includes_vat, q.vat_rate, q.delivery_terms, q.freight, q.payment_terms, q.supplier_item_id) == (
        True, D("13"), "delivered", D("0"), "net30", None)
    assert quotation_landed(q).unit_price == q.unit_price


@pytest.mark.django_db
def test_a_quotation_keeps_its_terms_and_a_revision_replaces_them(rfq, make_enterprise):
    supplier = make_enterprise()
    q = quote(rfq, supplier, price_includes_vat=False, vat_rate="9", delivery_terms="ex_works", freight="200.50",
              payment_terms="net60")
    q.refresh_from_db()
    assert (q.price_includes_vat, q.vat_rate, q.delivery_terms, q.freight, q.payment_terms) == (
        False, D("9"), "ex_works", D("200.50"), "net60")
    again = quote(rfq, supplier, price="1.60", price_includes_vat="true", delivery_terms="", payment_terms="prepaid")
    again.refresh_from_db()
    assert again.pk == q.pk
    assert (again.price_includes_vat, again.vat_rate, again.delivery_terms, again.freight, again.payment_terms) == (
        True, D("13"), "delivered", D("0"), "prepaid")


@pytest.mark.django_db
@pytest.mark.parametrize("terms, field, code", [
    ({"vat_rate": "101"}, "vat_rate", "out_of_range"),
    ({"vat_rate": "-1"}, "vat_rate", "out_of_range"),
    ({"vat_rate": "13.125"}, "vat_rate", "too_many_decimals"),
    ({"vat_rate": "十三"}, "vat_rate", "invalid_number"),
    ({"delivery_terms": "fob"}, "delivery_terms", "invalid_choice"),
    ({"payment_terms": "net45"}, "payment_terms", "invalid_choice"),
    ({"price_includes_vat": "maybe"}, "price_includes_vat", "invalid_choice"),
    ({"delivery_terms": "ex_works"}, "freight", "required"),
    ({"delivery_terms": "ex_works", "freight": "-5"}, "freight", "out_of_range"),
    ({"delivery_terms": "ex_works", "freight": "1.005"}, "freight", "too_many_decimals"),
    ({"delivery_terms": "delivered", "freight": "50"}, "freight", "out_of_range"),
    ({"supplier_item_id": "abc"}, "supplier_item_id", "invalid_id"),
    ({"supplier_item_id": 987654}, "supplier_item_id", "erp_item_not_found"),
])
def test_bad_terms_are_refused_on_their_field_and_nothing_is_written(rfq, make_enterprise, terms, field, code):
    with pytest.raises(ValidationError) as exc:
        quote(rfq, make_enterprise(), **terms)
    assert codes_by_field(exc.value) == {field: [code]}
    assert not Quotation.objects.filter(listing=rfq).exists()


@pytest.mark.django_db
def test_the_supplier_item_is_one_of_its_own_active_erp_items(rfq, make_enterprise):
    # given: an item in B's ERP (none with that id in A's), an inactive one in A's
    a, b = make_enterprise(), make_enterprise()
    with tenant_context(b):
        for n in range(3):
            make_item(f"B-{n}")
        b_item = make_item("B-BEARING-6202", name="深沟球轴承 6202")
    with tenant_context(a):
        a_item = make_item("A-6202", name="轴承 6202")
        retired = make_item("A-OLD", active=False)
        assert not Item.objects.filter(pk=b_item.pk).exists()
    # when / then: B quotes its own item
    q = quote(rfq, b, supplier_item_id=b_item.pk)
    assert Quotation.objects.get(pk=q.pk).supplier_item_id == b_item.pk
    # A cannot name B's item (it is looked up in A's schema only), nor its own inactive one
    for item_id in (b_item.pk, retired.pk):
        with pytest.raises(ValidationError) as exc:
            quote(rfq, a, supplier_item_id=item_id)
        assert codes_by_field(exc.value) == {"supplier_item_id": ["erp_item_not_found"]}
    assert quote(rfq, a, supplier_item_id=str(a_item.pk)).supplier_item_id == a_item.pk
    # the form's choices: A's active items only
    assert supplier_items(enterprise=a) == [(a_item.pk, "A-6202 轴承 6202")]


@pytest.mark.django_db
def test_a_supplier_without_the_erp_on_the_platform_quotes_without_an_item(rfq, make_enterprise):
    supplier = make_enterprise(modules=["pdm"])
    with tenant_context(supplier):
        item = make_item("X-1")
    assert not enterprise_runs_erp(supplier) and supplier_items(enterprise=supplier) == []
    with pytest.raises(ValidationError) as exc:
        quote(rfq, supplier, supplier_item_id=item.pk)
    assert codes_by_field(exc.value) == {"supplier_item_id": ["erp_item_not_found"]}
    assert quote(rfq, supplier).supplier_item_id is None


@pytest.mark.django_db
def test_the_buyer_is_told_the_terms_and_the_price_on_one_basis(rfq, make_enterprise):
    buyer = owner_of(rfq.enterprise)
    buyer.language = "en"
    buyer.save(update_fields=["language"])
    supplier = make_enterprise(name="慈溪市一号轴承厂")
    quote(rfq, supplier, price="100", price_includes_vat=False, delivery_terms="ex_works", freight="200")
    body = Notification.objects.get(user=buyer, kind="quotation").body
    assert body == ("慈溪市一号轴承厂 quoted 100 CNY per 件 for 1000, lead time 15 days.\n"
                    "Terms: excl. 13% VAT, ex works, freight ¥200.00; payment 30 days after invoice.\n"
                    "Incl. VAT and delivered: 113.2 CNY per 件.")


# ---- the buyer's comparison -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_comparison_ranks_on_one_basis_and_marks_the_best(rfq, make_enterprise):
    # given: ¥1.55 excl. VAT ex works (¥1.95), ¥1.62 incl. VAT delivered (¥1.62), ¥1.50 excl. VAT delivered (¥1.695)
    s1, s2, s3 = make_enterprise(), make_enterprise(), make_enterprise()
    q1 = quote(rfq, s1, "1.55", price_includes_vat=False, delivery_terms="ex_works", freight="200")
    q2 = quote(rfq, s2, "1.62")
    q3 = quote(rfq, s3, "1.50", price_includes_vat=False)
    # when
    ranked = selectors.rfq_quotations(listing=rfq)
    # then
    assert [q.pk for q in ranked] == [q2.pk, q3.pk, q1.pk]
    assert [q.is_best for q in ranked] == [True, False, False]
    assert [q.landed.unit_price for q in ranked] == [D("1.62"), D("1.695"), D("1.9515")]
    assert ranked[2].landed_total == D("1951.50") and ranked[2].basis == "excl. 13% VAT, ex works, freight ¥200.00"
    assert [(q.unit_price_shown, q.landed_shown) for q in ranked] == [
        ("¥1.62", "¥1.62"), ("¥1.50", "¥1.70"), ("¥1.55", "¥1.95")]


@pytest.mark.django_db
def test_a_price_quoted_to_four_decimals_is_shown_to_four(rfq, make_enterprise):
    quote(rfq, make_enterprise(), "0.0345", price_includes_vat=False, quantity=D("20000"))
    [q] = selectors.rfq_quotations(listing=rfq)
    assert (q.unit_price_shown, q.landed_shown, q.landed.unit_price) == ("¥0.0345", "¥0.0390", D("0.0390"))
    assert q.landed.explanation == ("¥0.0345 excl. VAT + 13% VAT = ¥0.0390 incl. VAT, delivered (freight included) "
                                    "→ ¥0.0390 delivered, incl. VAT")


@pytest.mark.django_db
def test_the_best_mark_skips_declined_quotations_and_marks_ties(rfq, make_enterprise):
    s1, s2, s3 = make_enterprise(), make_enterprise(), make_enterprise()
    q1 = quote(rfq, s1, "1.00")
    q2 = quote(rfq, s2, "1.13")
    q3 = quote(rfq, s3, "1.00", price_includes_vat=False)  # = ¥1.13 incl. VAT, as q2
    Quotation.objects.filter(pk=q1.pk).update(status=Quotation.Status.DECLINED)
    ranked = selectors.rfq_quotations(listing=rfq)
    assert [(q.pk, q.is_best) for q in ranked] == [(q1.pk, False), (q2.pk, True), (q3.pk, True)]


def _page(client, user, rfq) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(f"/boards/l/{rfq.pk}/").content.decode()


@pytest.mark.django_db
def test_the_buyers_page_orders_by_the_landed_price_and_explains_it(client, rfq, make_enterprise):
    # given
    s1 = make_enterprise(name="慈溪市一号轴承厂")
    s2 = make_enterprise(name="慈溪市二号轴承厂")
    quote(rfq, s1, "1.55", price_includes_vat=False, delivery_terms="ex_works", freight="200")
    q2 = quote(rfq, s2, "1.62", payment_terms="net60")
    # when
    page = _page(client, owner_of(rfq.enterprise), rfq)
    # then
    table = page.split('id="quotation-compare"')[1].split("</table>")[0]
    assert table.index("慈溪市二号轴承厂") < table.index("慈溪市一号轴承厂")  # ¥1.62 before the "cheaper" ¥1.55
    landed_row = table.split('id="quotation-landed"')[1].split("</tr>")[0]
    assert landed_row.count("best-mark") == 1
    assert landed_row.index("¥1.62") < landed_row.index("best-mark") < landed_row.index("¥1.95")
    assert 'table-success fw-semibold">¥1.62' in table and 'table-success fw-semibold">¥1.55' not in table
    assert "excl. 13% VAT, ex works, freight ¥200.00" in table and "incl. 13% VAT, delivered" in table
    assert ("¥1.55 excl. VAT + 13% VAT = ¥1.75 incl. VAT, ex works + freight ¥200.00 / 1,000 件 = ¥0.20 → ¥1.95 "
            "delivered, incl. VAT") in table
    assert "60 days after invoice" in table and "¥1,951.50" in table
    assert f'data-quotation="{q2.pk}"' in table


@pytest.mark.django_db
def test_a_supplier_sees_its_own_basis_and_never_the_others(client, rfq, make_enterprise):
    s1, s2 = make_enterprise(), make_enterprise()
    quote(rfq, s1, "1.55", price_includes_vat=False, delivery_terms="ex_works", freight="200")
    quote(rfq, s2, "1.62")
    page = _page(client, owner_of(s1), rfq)
    assert "excl. 13% VAT, ex works, freight ¥200.00" in page and "¥1.95 incl. VAT, delivered" in page
    assert 'id="quotation-compare"' not in page and "¥1.62" not in page


@pytest.mark.django_db
def test_the_quotation_form_sends_the_terms_and_offers_the_suppliers_own_items(client, rfq, make_enterprise):
    # given: a supplier with an item in its ERP
    supplier = make_enterprise()
    with tenant_context(supplier):
        item = make_item("BRG-6202", name="深沟球轴承 6202")
    page = _page(client, owner_of(supplier), rfq)
    form = page.split('id="quotation-form"')[1].split("</form>")[0]
    assert f'value="{supplier.pk}:{item.pk}"' in form and "BRG-6202 深沟球轴承 6202" in form
    assert 'name="delivery_terms"' in form and 'name="freight"' in form and 'name="price_includes_vat"' in form
    # when it quotes ex works without VAT, for its item
    valid = (timezone.localdate() + timedelta(days=10)).isoformat()
    data = {"enterprise": supplier.pk, "unit_price": "1.55", "quantity": "1000", "lead_time_days": "20",
            "valid_until": valid, "price_includes_vat": "false", "vat_rate": "13", "delivery_terms": "ex_works",
            "freight": "200", "payment_terms": "net60", "supplier_item_id": f"{supplier.pk}:{item.pk}"}
    response = client.post(f"/boards/l/{rfq.pk}/quote/", data)
    # then
    assert response.status_code == 302
    q = Quotation.objects.get(listing=rfq, enterprise=supplier)
    assert (q.price_includes_vat, q.delivery_terms, q.freight, q.payment_terms, q.supplier_item_id) == (
        False, "ex_works", D("200"), "net60", item.pk)
    # ex works without a freight estimate: refused, naming the field
    client.post(f"/boards/l/{rfq.pk}/quote/", {**data, "freight": "", "unit_price": "1.40"})
    assert Quotation.objects.get(pk=q.pk).unit_price == D("1.55")
    assert "Freight for the whole order (CNY)" in _page(client, owner_of(supplier), rfq)


@pytest.mark.django_db
def test_the_quotation_form_offers_no_item_without_the_erp_and_no_item_of_another_enterprise(
        client, rfq, make_enterprise, make_user):
    no_erp = make_enterprise(modules=["pdm"])
    with tenant_context(no_erp):
        make_item("HIDDEN-1")
    page = _page(client, owner_of(no_erp), rfq)
    assert 'name="supplier_item_id"' not in page.split('id="quotation-form"')[1].split("</form>")[0]
    # a user of two enterprises with ERPs cannot send one's item for the other
    a, b = make_enterprise(), make_enterprise()
    with tenant_context(a):
        a_item = make_item("A-ITEM")
    with tenant_context(b):
        make_item("B-ITEM")
    user = member(make_user, a, role=Role.CLERK)
    Membership.objects.create(user=user, enterprise=b, role=Role.CLERK)
    form = _page(client, user, rfq).split('id="quotation-form"')[1].split("</form>")[0]
    assert "<optgroup" in form and "A-ITEM" in form and "B-ITEM" in form
    valid = (timezone.localdate() + timedelta(days=10)).isoformat()
    client.post(f"/boards/l/{rfq.pk}/quote/", {
        "enterprise": b.pk, "unit_price": "1.5", "quantity": "1000", "lead_time_days": "20", "valid_until": valid,
        "supplier_item_id": f"{a.pk}:{a_item.pk}"})
    assert not Quotation.objects.filter(listing=rfq).exists()


# ---- GraphQL -------------------------------------------------------------------------------------

QUOTE = """mutation($listing: ID!, $input: QuotationInput!) { quotationSubmit(listing: $listing, input: $input) {
    quotation { id priceIncludesVat vatRate deliveryTerms freight paymentTerms unitPriceDelivered
                unitPriceDeliveredExplanation supplierItemId }
    errors { field code } } }"""
QUOTATIONS = """query($id: ID!) { listing(id: $id) { quotations { unitPrice priceIncludesVat deliveryTerms
    unitPriceDelivered supplierItemId enterprise { uscc } } } }"""


def gql(client, query, variables, token):
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}),
                           content_type="application/json", HTTP_HOST="localhost",
                           HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content[:2000]
    result = response.json()
    assert "errors" not in result, result["errors"]
    return result["data"]


def _input(price, **terms):
    return {"unitPrice": price, "quantity": "1000", "leadTimeDays": 15,
            "validUntil": str(timezone.localdate() + timedelta(days=10)), **terms}


@pytest.mark.django_db
def test_graphql_quotation_terms_the_landed_price_and_the_order(client, rfq, make_enterprise):
    # given
    b, c = make_enterprise(), make_enterprise()
    with tenant_context(b):
        item = make_item("B-6202")
    token = {e: api_token_create(enterprise=e, name="t", scopes=["boards:read", "boards:write"]).token
             for e in (rfq.enterprise, b, c)}
    rfq_id = to_global_id("Listing", rfq.pk)
    # when
    quoted = gql(client, QUOTE, {"listing": rfq_id, "input": _input(
        "1.55", priceIncludesVat=False, vatRate="13", deliveryTerms="EX_WORKS", freight="200",
        paymentTerms="NET60", supplierItem=to_global_id("Item", item.pk))}, token[b])["quotationSubmit"]
    plain = gql(client, QUOTE, {"listing": rfq_id, "input": _input("1.62")}, token[c])["quotationSubmit"]
    # then
    assert quoted["errors"] == []
    assert (D(quoted["quotation"].pop("vatRate")), D(quoted["quotation"].pop("freight"))) == (D("13"), D("200"))
    assert quoted["quotation"] | {"id": None} == {
        "id": None, "priceIncludesVat": False, "deliveryTerms": "EX_WORKS",
        "paymentTerms": "NET60", "unitPriceDelivered": "1.9515", "supplierItemId": to_global_id("Item", item.pk),
        "unitPriceDeliveredExplanation": "¥1.55 excl. VAT + 13% VAT = ¥1.75 incl. VAT, ex works + freight ¥200.00 / "
                                         "1,000 件 = ¥0.20 → ¥1.95 delivered, incl. VAT"}
    assert plain["quotation"]["unitPriceDelivered"] == "1.6200" and plain["quotation"]["deliveryTerms"] == "DELIVERED"
    # the buyer sees both, best first on one basis; the supplier's item id stays with the supplier
    seen = gql(client, QUOTATIONS, {"id": rfq_id}, token[rfq.enterprise])["listing"]["quotations"]
    assert [(q["enterprise"]["uscc"], q["unitPriceDelivered"], q["supplierItemId"]) for q in seen] == [
        (c.uscc, "1.6200", None), (b.uscc, "1.9515", None)]
    own = gql(client, QUOTATIONS, {"id": rfq_id}, token[b])["listing"]["quotations"]
    assert [(q["enterprise"]["uscc"], q["supplierItemId"]) for q in own] == [(b.uscc, to_global_id("Item", item.pk))]


@pytest.mark.django_db
def test_graphql_quotation_terms_errors_name_the_input_field(client, rfq, make_enterprise):
    b = make_enterprise()
    token = api_token_create(enterprise=b, name="t", scopes=["boards:write"]).token
    rfq_id = to_global_id("Listing", rfq.pk)
    cases = [({"deliveryTerms": "EX_WORKS"}, [{"field": "freight", "code": "required"}]),
             ({"vatRate": "120"}, [{"field": "vatRate", "code": "out_of_range"}]),
             ({"supplierItem": to_global_id("Listing", rfq.pk)}, [{"field": "supplierItem", "code": "not_found"}]),
             ({"supplierItem": to_global_id("Item", 987654)}, [{"field": "supplierItem",
                                                                "code": "erp_item_not_found"}])]
    for terms, errors in cases:
        assert gql(client, QUOTE, {"listing": rfq_id, "input": _input("1.5", **terms)}, token)[
            "quotationSubmit"]["errors"] == errors
    assert not Quotation.objects.filter(listing=rfq).exists()


def _count_queries(client, query, token) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gql(client, query, {}, token)  # warm up (the token's last-used stamp)
    with CaptureQueriesContext(connection) as captured:
        gql(client, query, {}, token)
    return len([q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")])


@pytest.mark.django_db
def test_graphql_landed_prices_cost_no_query_per_quotation(client, make_enterprise):
    # given: the buyer's RFQs, each quoted by two suppliers; counted with 1 RFQ, then with 4
    buyer, s1, s2 = make_enterprise(), make_enterprise(), make_enterprise()
    tokens = {e: api_token_create(enterprise=e, name="t", scopes=["boards:read"]).token for e in (buyer, s1)}
    listings = """{ myListings(first: 20) { edges { node { quotations { unitPriceDelivered
        unitPriceDeliveredExplanation deliveryTerms } } } } }"""
    mine = """{ myQuotations(first: 20) { edges { node { unitPriceDelivered unitPriceDeliveredExplanation
        supplierItemId } } } }"""
    counts = []
    for n in (1, 3):
        for _ in range(n):
            rfq = post(buyer, kind="demand", title="求购轴承", category_code="brg-rolling-deepgroove", is_rfq=True,
                       quantity=D("100"), unit="件", rfq_max_quotations=10)
            quote(rfq, s1, "1.55", price_includes_vat=False, delivery_terms="ex_works", freight="20")
            quote(rfq, s2, "1.62")
        counts.append((_count_queries(client, listings, tokens[buyer]), _count_queries(client, mine, tokens[s1])))
    # then
    assert counts[0] == counts[1]
