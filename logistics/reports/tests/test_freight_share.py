"""Freight per sales order with the order's amount and the freight's share of it (what comes off the margin)."""

from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from erp_modules.sales.models import SalesOrder
from logistics.reports import selectors
from logistics.reports.tests.test_dashboard import known_set

pytestmark = pytest.mark.django_db
D = Decimal


def test_freight_share_of_each_order_and_only_of_this_enterprise(enterprise_pair):
    a, b, alice, bob = enterprise_pair("shra", "shrb")
    with tenant_context(a):
        known_set("A")
        SalesOrder.objects.filter(number="A-SO-1").update(amount_excl_vat=D("600"))  # SO-2 stays at 0
        rows = selectors.freight_by_order(period=selectors.Period.last_days(90))
        assert [(r["order"], r["freight"], r["amount"], r["share"]) for r in rows] == [
            ("A-SO-1", D("30.00"), D("600.0000"), D("5.0")), ("A-SO-2", D("30.00"), D("0.0000"), None)]
    with tenant_context(b):
        known_set("B")
        SalesOrder.objects.filter(number="B-SO-1").update(amount_excl_vat=D("98765.43"))
    client = Client(HTTP_HOST=f"{a.slug}.localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)
    client.get("/logistics/dashboard/")  # warm up (the member's last-seen stamp)
    response = client.get("/logistics/dashboard/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Freight share %" in page and "A-SO-1" in page and "600.00" in page
    assert "B-SO-1" not in page and "98,765.43" not in page
