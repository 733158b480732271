"""Enterprise A's people never see or touch enterprise B's work orders (B's rows live in B's schema)."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from erp_modules.catalog.models import Item
from erp_modules.production.models import WorkOrder
from erp_modules.production.services import work_order_create
from erp_modules.workspace.testing import make_bom, make_item, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factories(enterprise_pair):
    a, b, alice, bob = enterprise_pair("alpha-hoods", "bravo-bearings")
    with tenant_context(a):
        hood = make_item("A-HOOD", item_type=Item.Type.FINISHED)
        make_bom(hood, [(make_item("A-PART"), 1)])
        a.wo_ids = [work_order_create(item=hood, quantity=5).pk]
    with tenant_context(b):
        bearing = make_item("B-SECRET-BEARING", item_type=Item.Type.FINISHED, name="机密轴承")
        ring = make_item("B-RING")
        make_bom(bearing, [(ring, 2)])
        receive(ring, 100, "3")
        b.wo_ids = [work_order_create(item=bearing, quantity=quantity, note="B 的秘密订单").pk for quantity in (7, 9)]
    connection.set_schema_to_public()
    return a, b, alice, bob


def test_non_member_gets_404_on_every_work_order_url_of_another_enterprise(client, two_factories):
    _a, b, alice, _bob = two_factories
    client.force_login(alice)
    host = {"HTTP_HOST": f"{b.slug}.localhost"}
    wo = f"/production/work-orders/{b.wo_ids[0]}"
    for url in ["/production/work-orders/", f"{wo}/", "/production/work-orders/new/",
                "/production/work-orders/?export=xlsx", "/production/piece-rates/", "/production/trace/"]:
        assert client.get(url, **host).status_code == 404, url
    for url in ["/production/work-orders/new/", f"{wo}/release/", f"{wo}/issue/", f"{wo}/report/", f"{wo}/complete/",
                f"{wo}/cancel/", f"{wo}/reports/1/reverse/"]:
        assert client.post(url, {"item": 1, "quantity": "1"}, **host).status_code == 404, url
    with tenant_context(b):
        assert list(WorkOrder.objects.order_by("number").values_list("number", "status")) == [
            ("WO-00001", "draft"), ("WO-00002", "draft")]


def test_member_of_a_never_sees_b_work_orders_on_own_host(client, two_factories):
    a, b, alice, _bob = two_factories
    client.force_login(alice)
    host = {"HTTP_HOST": f"{a.slug}.localhost"}

    listing = client.get("/production/work-orders/", **host).content.decode()
    export = client.get("/production/work-orders/?export=xlsx", **host).content
    searched = client.get("/production/work-orders/?q=B-SECRET", **host).content.decode()

    assert "A-HOOD" in listing and "B-SECRET" not in listing and "机密轴承" not in listing
    assert "B-SECRET-BEARING" not in searched and "WO-0000" not in searched  # no row at all
    assert b"B-SECRET" not in export
    b_only = next(pk for pk in b.wo_ids if pk not in a.wo_ids)
    own = client.get(f"/production/work-orders/{a.wo_ids[0]}/", **host)
    assert own.status_code == 200 and "B-SECRET" not in own.content.decode()
    assert client.get(f"/production/work-orders/{b_only}/", **host).status_code == 404  # an id only B has
