"""Enterprise A's people can neither see nor touch enterprise B's purchase orders."""

from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from erp_modules.purchasing.models import PurchaseOrder, Receipt
from erp_modules.purchasing.tests.factories import make_po, make_supplier
from erp_modules.workspace.testing import make_item


@pytest.fixture
def two_enterprises(enterprise_pair):
    a, b, alice, bob = enterprise_pair("alpha", "bravo")
    with tenant_context(a):
        a_ids = {make_po(make_supplier("甲方自己的供应商"), [(make_item("A-BOLT"), 10, "1")]).pk}
    with tenant_context(b):
        supplier = make_supplier("乙方绝密供应商")
        b_orders = [make_po(supplier, [(make_item("B-BOLT"), 10, "1")]),
                    make_po(supplier, [(make_item("B-NUT"), 5, "1")])]
        b_lines = [o.lines.get().pk for o in b_orders]
    connection.set_schema_to_public()
    # ids are per schema: one of B's orders has an id that A does not use
    b_only = next(o.pk for o in b_orders if o.pk not in a_ids)
    return a, b, alice, b_orders[0].pk, b_lines[0], b_only


def test_other_enterprises_orders_are_404_on_their_host(client, two_enterprises):
    _a, b, alice, b_order, b_line, _b_only = two_enterprises
    client.force_login(alice)
    for url in ["/purchasing/orders/", f"/purchasing/orders/{b_order}/", f"/purchasing/orders/{b_order}/receive/",
                "/purchasing/match/", "/purchasing/receipts/"]:
        assert client.get(url, HTTP_HOST="bravo.localhost").status_code == 404, url
    for action in ["receive", "approve", "close", "cancel", "invoice"]:
        response = client.post(f"/purchasing/orders/{b_order}/{action}/", {f"qty-{b_line}": "10",
                                                                          "invoice_number": "X"},
                               HTTP_HOST="bravo.localhost")
        assert response.status_code == 404, action
    with tenant_context(b):
        assert Receipt.objects.count() == 0
        assert sorted(PurchaseOrder.objects.values_list("status", flat=True)) == ["approved", "approved"]
        assert PurchaseOrder.objects.get(pk=b_order).lines.get().received_quantity == Decimal("0")


def test_own_host_never_shows_the_other_enterprises_orders(client, two_enterprises):
    a, b, alice, _b_order, b_line, b_only = two_enterprises
    client.force_login(alice)
    host = {"HTTP_HOST": "alpha.localhost"}
    listing = client.get("/purchasing/orders/", **host).content.decode()
    assert "甲方自己的供应商" in listing and "乙方绝密供应商" not in listing
    assert "乙方绝密供应商" not in client.get("/purchasing/match/", **host).content.decode()
    assert client.get(f"/purchasing/orders/{b_only}/", **host).status_code == 404
    assert client.post(f"/purchasing/orders/{b_only}/receive/", {f"qty-{b_line}": "5"}, **host).status_code == 404
    with tenant_context(a):
        assert PurchaseOrder.objects.count() == 1
    with tenant_context(b):
        assert Receipt.objects.count() == 0
