"""Tenant isolation of sales: enterprise A's people never see or reach enterprise B's documents."""

from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from erp_modules.common.selectors import audit_history
from erp_modules.inventory.models import Reservation
from erp_modules.sales.models import Invoice, SalesOrder
from erp_modules.sales.services import (delivery_create, invoice_create, sales_order_confirm,
                                        sales_order_reserve_available)
from erp_modules.sales.tests.factories import make_customer, make_hood, order_for, receive


def _a_draft_of_as_own(a) -> None:
    """In A: a draft order of its own customer (甲方自己的客户)."""
    with tenant_context(a):
        order_for(make_customer("甲方自己的客户"), (make_hood(stock=5), 1, "100"))


def _bs_secret_customer_with_a_draft(*, stock: int):
    """(customer, hood) in the current enterprise: 乙方的秘密客户 with a draft order of 1 hood, `stock` hoods in stock."""
    customer = make_customer("乙方的秘密客户")
    hood = make_hood(stock=stock)
    order_for(customer, (hood, 1, "100"))
    return customer, hood


@pytest.fixture
def a_and_b(two_enterprises):
    """A has one draft order; B has two orders, the second delivered and invoiced (ids 2 exist only in B)."""
    a, b, alice, _bob = two_enterprises("sales")
    _a_draft_of_as_own(a)
    with tenant_context(b):
        customer, hood = _bs_secret_customer_with_a_draft(stock=5)
        order = order_for(customer, (hood, 2, "999"), confirm=True)
        delivery_create(order=order)
        invoice_create(order=order)
        ids = {"order": order.pk, "invoice": Invoice.objects.get().pk, "delivery": order.deliveries.get().pk}
    connection.set_schema_to_public()
    return a, b, alice, ids


def test_a_member_of_a_gets_404_for_the_ids_of_bs_documents_on_either_host(client, a_and_b):
    a, b, alice, ids = a_and_b
    client.force_login(alice)
    urls = [f"/sales/orders/{ids['order']}/", f"/sales/orders/{ids['order']}/pdf/",
            f"/sales/invoices/{ids['invoice']}/", f"/sales/invoices/{ids['invoice']}/pdf/",
            f"/sales/deliveries/{ids['delivery']}/", f"/sales/deliveries/{ids['delivery']}/pdf/"]
    for url in urls:
        assert client.get(url, HTTP_HOST=f"{a.slug}.localhost").status_code == 404, url
        assert client.get(url, HTTP_HOST=f"{b.slug}.localhost").status_code == 404, url
    for url in [f"/sales/orders/{ids['order']}/confirm/", f"/sales/orders/{ids['order']}/cancel/",
                f"/sales/orders/{ids['order']}/invoice/", f"/sales/invoices/{ids['invoice']}/cancel/"]:
        assert client.post(url, HTTP_HOST=f"{b.slug}.localhost").status_code == 404, url
        assert client.post(url, HTTP_HOST=f"{a.slug}.localhost").status_code == 404, url
    with tenant_context(b):
        assert SalesOrder.objects.get(pk=ids["order"]).status == SalesOrder.Status.DELIVERED
        assert Invoice.objects.get().status == Invoice.Status.ISSUED


def test_lists_of_a_never_show_bs_documents(client, a_and_b):
    a, _b, alice, _ids = a_and_b
    client.force_login(alice)
    for url in ["/sales/quotations/", "/sales/orders/", "/sales/deliveries/", "/sales/invoices/",
                "/sales/backorders/", "/sales/orders/?export=xlsx", "/sales/invoices/?export=xlsx"]:
        response = client.get(url, HTTP_HOST=f"{a.slug}.localhost")
        assert response.status_code == 200, url
        assert "乙方的秘密客户".encode() not in response.content, url
        assert b"INV-00001" not in response.content and b"SO-00002" not in response.content, url
    assert "甲方自己的客户" in client.get("/sales/orders/", HTTP_HOST=f"{a.slug}.localhost").content.decode()


def test_a_cannot_check_availability_of_bs_order_and_gets_the_same_not_found_as_for_a_missing_one(
        client, two_enterprises):
    # given A with one order and B with two, the second confirmed to order (id 2 exists only in B)
    a, b, alice, _bob = two_enterprises("mto")
    _a_draft_of_as_own(a)
    with tenant_context(b):
        customer, hood = _bs_secret_customer_with_a_draft(stock=2)
        order = sales_order_confirm(order=order_for(customer, (hood, 5, "999")), allow_shortage=True)
        receive(hood, 3)  # free stock that a top-up of B's order would take
        history = audit_history(obj=order).count()
    connection.set_schema_to_public()
    # when alice posts "check availability" for B's order id, and for an id that exists nowhere
    client.force_login(alice)
    theirs = client.post(f"/sales/orders/{order.pk}/check-availability/", HTTP_HOST=f"{a.slug}.localhost")
    missing = client.post("/sales/orders/999999/check-availability/", HTTP_HOST=f"{a.slug}.localhost")
    on_b = client.post(f"/sales/orders/{order.pk}/check-availability/", HTTP_HOST=f"{b.slug}.localhost")
    # then both are the same 404, and nothing changed in B
    assert theirs.status_code == missing.status_code == on_b.status_code == 404
    assert order.number.encode() not in theirs.content and "乙方的秘密客户".encode() not in theirs.content
    with tenant_context(a):
        for pk in (order.pk, 999999):
            with pytest.raises(SalesOrder.DoesNotExist):
                sales_order_reserve_available(order=SalesOrder(pk=pk))
    with tenant_context(b):
        assert list(Reservation.objects.filter(status="active").values_list("quantity", flat=True)) == [Decimal(2)]
        assert audit_history(obj=order).count() == history
