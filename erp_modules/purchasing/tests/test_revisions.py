"""Purchase order lines that name a part's revision (issue 13), checked through the catalog's revision registry
that PDM fills. Real PostgreSQL, real PDM services."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context

from core.testing import codes_by_field
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.purchasing.services import purchase_order_create, purchase_order_update
from erp_modules.purchasing.tests.factories import make_supplier
from erp_modules.sales.tests.factories import part_with_revisions
from erp_modules.workspace.testing import main_location, make_item
from tenants.models import Membership, Role

D = Decimal


@pytest.fixture
def web(client, erp):
    owner = Membership.objects.get(enterprise=erp, role=Role.OWNER).user
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.defaults["HTTP_HOST"] = f"{erp.slug}.localhost"
    return client


def _line(item, revision="", quantity="5"):
    return {"item": item, "quantity": D(quantity), "unit_price": D("100"), "revision": revision}


def test_a_line_on_revision_b_is_saved_and_kept_when_the_draft_changes(erp):
    part = part_with_revisions()
    order = purchase_order_create(supplier=make_supplier(), lines=[_line(part["item"], "b"), _line(make_item("NUT"))])
    assert list(order.lines.order_by("line_no").values_list("revision", flat=True)) == ["B", ""]
    order = purchase_order_update(order=order, lines=[_line(part["item"], "C")])
    assert order.lines.get().revision == "C"


def test_obsolete_unknown_and_non_part_revisions_are_refused_on_their_line_and_nothing_is_written(erp):
    part = part_with_revisions()
    nut = make_item("NUT", name="螺母")
    with pytest.raises(ValidationError) as caught:
        purchase_order_create(supplier=make_supplier(), lines=[_line(part["item"], "D"), _line(part["item"], "Q"),
                                                                _line(nut, "A")])
    assert codes_by_field(caught.value) == {"line_1": ["revision_obsolete"], "line_2": ["revision_unknown"],
                                            "line_3": ["revision_not_a_part"]}
    messages = caught.value.message_dict
    assert messages["line_1"] == ["Line 1 (CXW-200-A1): revision “D”: revision D is obsolete."]
    assert messages["line_3"] == ["Line 3 (NUT): revision “A”: the item is not a part and has no revisions."]
    assert PurchaseOrder.objects.count() == 0


def test_the_form_saves_the_revision_and_the_detail_page_shows_it(erp, web):
    part = part_with_revisions()
    supplier = make_supplier()
    response = web.post("/purchasing/orders/new/", {
        "supplier": supplier.pk, "order_date": "2026-03-01", "location": main_location().pk,
        "line-0-item": part["item"].code, "line-0-quantity": "5", "line-0-revision": "B"})
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and order.lines.get().revision == "B"
    page = web.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert '<span class="badge text-bg-light" data-revision="B">rev. B</span>' in page
    edit = web.get(f"/purchasing/orders/{order.pk}/edit/").content.decode()
    assert 'name="line-0-revision" value="B"' in edit
    assert '<datalist id="revisions-0"><option value="A">' in edit
    assert 'hx-get="/purchasing/items/revisions/"' in edit and 'hx-target="#revisions-0"' in edit


def test_the_form_shows_the_refusal_of_an_obsolete_revision_on_the_line(erp, web):
    part = part_with_revisions()
    response = web.post("/purchasing/orders/new/", {
        "supplier": make_supplier().pk, "order_date": "2026-03-01", "location": main_location().pk,
        "line-0-item": part["item"].code, "line-0-quantity": "5", "line-0-revision": "D"})
    assert response.status_code == 200
    assert "Line 1 (CXW-200-A1): revision “D”: revision D is obsolete." in response.content.decode()
    assert PurchaseOrder.objects.count() == 0


def test_the_revision_options_of_a_row(erp, web):
    part = part_with_revisions()
    make_item("NUT")
    text = web.get("/purchasing/items/revisions/", {"line-3-item": part["item"].code}).content.decode()
    assert 'value="B"' in text and 'value="C"' in text and 'value="D"' not in text
    assert web.get("/purchasing/items/revisions/", {"line-0-item": "NUT"}).content.decode().strip() == ""
    assert web.get("/purchasing/items/revisions/", {"line-0-item": "NOPE"}).status_code == 404


def test_a_never_sees_bs_revisions(client, enterprise_pair):
    a, b, alice, _bob = enterprise_pair("purrev-a", "purrev-b")
    with tenant_context(b):
        secret = part_with_revisions(code="B-SECRET-7", name="乙方机密")
    connection.set_schema_to_public()
    client.force_login(alice)
    host = {"HTTP_HOST": f"{a.slug}.localhost"}
    assert client.get("/purchasing/items/revisions/", {"line-0-item": "B-SECRET-7"}, **host).status_code == 404
    assert client.get("/purchasing/items/revisions/", {"item": str(secret["item"].pk)}, **host).status_code == 404
