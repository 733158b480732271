"""Mutations: the permission each declares, typed errors [{field, message, code}], nothing written on error."""

import hashlib
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from api.graphql.tests.conftest import error_codes, gql
from api.tokens.models import ApiToken
from erp_modules.catalog.models import Item
from erp_modules.sales.models import SalesOrder
from erp_modules.workspace.testing import make_item, receive
from tenants.models import Membership, Role

ITEM_CREATE = """mutation($input: ItemCreateInput!) { itemCreate(input: $input) {
    item { id code name itemType uom { code } safetyStock } errors { field message code } } }"""
ITEM_UPDATE = """mutation($id: ID!, $input: ItemUpdateInput!) { itemUpdate(id: $id, input: $input) {
    item { code name itemType safetyStock } errors { field code } } }"""
ORDER_CREATE = """mutation($input: SalesOrderCreateInput!) { salesOrderCreate(input: $input) {
    salesOrder { number status customer { code } amountExclVat vatAmount amountInclVat lines { item { code } quantity } }
    errors { field message code } } }"""
TOKEN_CREATE = """mutation($input: ApiTokenCreateInput!) { apiTokenCreate(input: $input) {
    token apiToken { id name prefix scopes createdBy } errors { field code } } }"""
TOKEN_REVOKE = """mutation($id: ID!) { apiTokenRevoke(id: $id) { apiToken { revokedAt } errors { field code } } }"""
HOOD = {"code": "HOOD-900", "name": "油烟机 CXW-900", "itemType": "FINISHED", "uom": "pcs", "safetyStock": "5"}


@pytest.fixture
def ent(two_enterprises):
    return two_enterprises[0]


def member(make_user, enterprise, role):
    user = make_user()
    Membership.objects.create(user=user, enterprise=enterprise, role=role)
    return user


# ---- itemCreate / itemUpdate -------------------------------------------------------------------


def test_item_create_with_a_token(client, ent, make_token):
    result = gql(client, ITEM_CREATE, {"input": HOOD}, enterprise=ent, token=make_token(ent, ["catalog:write"]))
    payload = result["data"]["itemCreate"]
    assert payload["errors"] == []
    assert payload["item"]["code"] == "HOOD-900" and payload["item"]["itemType"] == "FINISHED"
    assert payload["item"]["uom"] == {"code": "pcs"} and payload["item"]["safetyStock"] == "5.0000"
    with tenant_context(ent):
        assert Item.objects.filter(code="HOOD-900").exists()


@pytest.mark.parametrize("scopes", [["catalog:read"], ["stock:read", "orders:write"]])
def test_item_create_needs_catalog_write(client, ent, make_token, scopes):
    result = gql(client, ITEM_CREATE, {"input": HOOD}, enterprise=ent, token=make_token(ent, scopes))
    assert result["data"]["itemCreate"] is None
    assert error_codes(result) == ["PERMISSION_DENIED"]
    with tenant_context(ent):
        assert not Item.objects.exists()


def test_item_create_by_role(client, ent, make_user):
    client.force_login(member(make_user, ent, Role.VIEWER))
    assert error_codes(gql(client, ITEM_CREATE, {"input": HOOD}, enterprise=ent)) == ["PERMISSION_DENIED"]
    client.force_login(member(make_user, ent, Role.CLERK))
    assert gql(client, ITEM_CREATE, {"input": HOOD}, enterprise=ent)["data"]["itemCreate"]["errors"] == []


def test_item_create_typed_errors(client, ent, make_token):
    token = make_token(ent, ["catalog:write"])
    gql(client, ITEM_CREATE, {"input": HOOD}, enterprise=ent, token=token)
    taken = gql(client, ITEM_CREATE, {"input": HOOD}, enterprise=ent, token=token)["data"]["itemCreate"]
    assert taken["item"] is None
    assert [(e["field"], e["code"]) for e in taken["errors"]] == [("code", "code_taken")]
    no_unit = gql(client, ITEM_CREATE, {"input": {**HOOD, "code": "X1", "uom": "bale"}}, enterprise=ent,
                  token=token)["data"]["itemCreate"]
    assert [(e["field"], e["code"]) for e in no_unit["errors"]] == [("uom", "not_found")]
    too_long = gql(client, ITEM_CREATE, {"input": {**HOOD, "code": "X2", "name": "长" * 201}}, enterprise=ent,
                   token=token)["data"]["itemCreate"]
    assert [(e["field"], e["code"]) for e in too_long["errors"]] == [("name", "max_length")]
    with tenant_context(ent):
        assert list(Item.objects.values_list("code", flat=True)) == ["HOOD-900"]


def test_item_create_only_on_an_enterprise_host(client, ent, make_token):
    result = gql(client, ITEM_CREATE, {"input": HOOD}, token=make_token(ent, ["catalog:write"]))
    assert error_codes(result) == ["ENTERPRISE_HOST_REQUIRED"]


def test_item_update(client, ent, make_token):
    token = make_token(ent, ["catalog:write"])
    created = gql(client, ITEM_CREATE, {"input": HOOD}, enterprise=ent, token=token)["data"]["itemCreate"]["item"]
    result = gql(client, ITEM_UPDATE, {"id": created["id"], "input": {"name": "油烟机 CXW-900 改", "safetyStock": "8"}},
                 enterprise=ent, token=token)["data"]["itemUpdate"]
    assert result == {"item": {"code": "HOOD-900", "name": "油烟机 CXW-900 改", "itemType": "FINISHED",
                               "safetyStock": "8.0000"}, "errors": []}


def test_item_update_errors(client, ent, make_token):
    token = make_token(ent, ["catalog:write"])
    with tenant_context(ent):
        stocked = make_item("PANEL", item_type=Item.Type.COMPONENT)
        receive(stocked, 3)
    from graphql_relay import to_global_id

    kit = gql(client, ITEM_UPDATE, {"id": to_global_id("Item", stocked.pk), "input": {"itemType": "KIT"}},
              enterprise=ent, token=token)["data"]["itemUpdate"]
    assert [(e["field"], e["code"]) for e in kit["errors"]] == [("itemType", "has_stock")]
    missing = gql(client, ITEM_UPDATE, {"id": to_global_id("Item", 999999), "input": {"name": "x"}},
                  enterprise=ent, token=token)["data"]["itemUpdate"]
    assert missing == {"item": None, "errors": [{"field": "id", "code": "not_found"}]}
    wrong_type = gql(client, ITEM_UPDATE, {"id": to_global_id("SalesOrder", stocked.pk), "input": {"name": "x"}},
                     enterprise=ent, token=token)["data"]["itemUpdate"]
    assert wrong_type["errors"] == [{"field": "id", "code": "not_found"}]
    readonly = gql(client, ITEM_UPDATE, {"id": to_global_id("Item", stocked.pk), "input": {"name": "x"}},
                   enterprise=ent, token=make_token(ent, ["catalog:read"]))
    assert error_codes(readonly) == ["PERMISSION_DENIED"]


# ---- salesOrderCreate --------------------------------------------------------------------------


@pytest.fixture
def trade(ent):
    from erp_modules.sales.tests.factories import make_customer, make_hood

    with tenant_context(ent):
        make_customer(code="C-MEICHU")
        make_hood("HOOD-900", stock=10)
    return ent


def order_input(**extra):
    return {"customer": "C-MEICHU", "customerReference": "MC-PO-88",
            "lines": [{"item": "HOOD-900", "quantity": "3", "unitPrice": "1299"}], **extra}


def test_sales_order_create(client, trade, make_token):
    response = gql(client, ORDER_CREATE, {"input": order_input()}, enterprise=trade,
                   token=make_token(trade, ["orders:write"]))
    assert "errors" not in response, response
    result = response["data"]["salesOrderCreate"]
    assert result["errors"] == [], result
    assert result["salesOrder"] == {"number": "SO-00001", "status": "DRAFT", "customer": {"code": "C-MEICHU"},
                                    "amountExclVat": "3897.0000", "vatAmount": "506.6100",
                                    "amountInclVat": "4403.6100",
                                    "lines": [{"item": {"code": "HOOD-900"}, "quantity": "3.0000"}]}


@pytest.mark.parametrize("changes, expected", [
    ({"customer": "NOBODY"}, [("customer", "not_found")]),
    ({"lines": [{"item": "NO-SUCH", "quantity": "1"}]}, [("lines", "item_not_found")]),
    ({"lines": []}, [("lines", "empty")]),
    ({"lines": [{"item": "HOOD-900", "quantity": "0", "unitPrice": "1"}]}, [("lines", "invalid_quantity")]),
    ({"orderDate": "2025-03-10", "deliveryDate": "2025-03-01"}, [("deliveryDate", "invalid_date")]),
])
def test_sales_order_create_errors(client, trade, make_token, changes, expected):
    result = gql(client, ORDER_CREATE, {"input": order_input(**changes)}, enterprise=trade,
                 token=make_token(trade, ["orders:write"]))["data"]["salesOrderCreate"]
    assert result["salesOrder"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == expected
    with tenant_context(trade):
        assert not SalesOrder.objects.exists()


def test_sales_order_create_needs_orders_write(client, trade, make_token):
    result = gql(client, ORDER_CREATE, {"input": order_input()}, enterprise=trade,
                 token=make_token(trade, ["orders:read", "catalog:write"]))
    assert error_codes(result) == ["PERMISSION_DENIED"]


# ---- salesOrderConfirm / salesOrderReserveAvailable ---------------------------------------------

CONFIRM = """mutation($id: ID!, $mto: Boolean) { salesOrderConfirm(id: $id, allowShortage: $mto) {
    salesOrder { number status } errors { field message code } } }"""
LINES = "query($id: ID!) { salesOrder(id: $id) { lines { quantity reserved short } } }"
RESERVE = """mutation($id: ID!) { salesOrderReserveAvailable(id: $id) { salesOrder { status } errors { code } } }"""


def _draft(client, trade, token, quantity):
    lines = [{"item": "HOOD-900", "quantity": quantity, "unitPrice": "1299"}]
    return gql(client, ORDER_CREATE, {"input": order_input(lines=lines)}, enterprise=trade,
               token=token)["data"]["salesOrderCreate"]["salesOrder"]


def _order_id(trade, number):
    from graphql_relay import to_global_id

    with tenant_context(trade):
        return to_global_id("SalesOrder", SalesOrder.objects.get(number=number).pk)


def test_sales_order_confirm_all_or_nothing_or_make_to_order(client, trade, make_token):
    from erp_modules.inventory.models import Reservation

    token = make_token(trade, ["orders:write"])
    order_id = _order_id(trade, _draft(client, trade, token, "14")["number"])  # 10 in stock
    refused = gql(client, CONFIRM, {"id": order_id}, enterprise=trade, token=token)["data"]["salesOrderConfirm"]
    assert refused["salesOrder"] is None and [e["code"] for e in refused["errors"]] == ["insufficient_stock"]
    with tenant_context(trade):
        assert not Reservation.objects.exists()
    confirmed = gql(client, CONFIRM, {"id": order_id, "mto": True}, enterprise=trade,
                    token=token)["data"]["salesOrderConfirm"]
    assert confirmed == {"salesOrder": {"number": "SO-00001", "status": "CONFIRMED"}, "errors": []}
    token_read = make_token(trade, ["orders:read"])
    assert gql(client, LINES, {"id": order_id}, enterprise=trade, token=token_read)["data"]["salesOrder"] == {
        "lines": [{"quantity": "14.0000", "reserved": "10.0000", "short": "4.0000"}]}
    with tenant_context(trade):
        assert [r.quantity for r in Reservation.objects.all()] == [Decimal("10")]
        receive(Item.objects.get(code="HOOD-900"), 4)  # the goods made to order come in
    topped = gql(client, RESERVE, {"id": order_id}, enterprise=trade, token=token)["data"]["salesOrderReserveAvailable"]
    assert topped == {"salesOrder": {"status": "CONFIRMED"}, "errors": []}
    with tenant_context(trade):
        assert sum(r.quantity for r in Reservation.objects.all()) == Decimal("14")
    assert gql(client, LINES, {"id": order_id}, enterprise=trade, token=token_read)["data"]["salesOrder"] == {
        "lines": [{"quantity": "14.0000", "reserved": "14.0000", "short": "0.0000"}]}
    again = gql(client, CONFIRM, {"id": order_id}, enterprise=trade, token=token)["data"]["salesOrderConfirm"]
    assert [e["code"] for e in again["errors"]] == ["invalid_status"]


def test_line_shortages_only_on_open_orders(client, trade, make_token):
    from erp_modules.sales.services import sales_order_cancel

    token = make_token(trade, ["orders:write", "orders:read"])
    order_id = _order_id(trade, _draft(client, trade, token, "14")["number"])

    def lines():
        return gql(client, LINES, {"id": order_id}, enterprise=trade, token=token)["data"]["salesOrder"]["lines"]

    assert lines() == [{"quantity": "14.0000", "reserved": "0.0000", "short": "0.0000"}]  # a draft
    gql(client, CONFIRM, {"id": order_id, "mto": True}, enterprise=trade, token=token)
    assert lines() == [{"quantity": "14.0000", "reserved": "10.0000", "short": "4.0000"}]
    with tenant_context(trade):
        sales_order_cancel(order=SalesOrder.objects.get())
    assert lines() == [{"quantity": "14.0000", "reserved": "0.0000", "short": "0.0000"}]


def test_sales_order_confirm_permissions_and_isolation(client, two_enterprises, make_token):
    from erp_modules.sales.tests.factories import make_customer, make_hood

    a, b, _alice, _bob = two_enterprises
    for enterprise in (a, b):
        with tenant_context(enterprise):
            make_customer(code="C-MEICHU")
            make_hood("HOOD-900", stock=10)
    order_b = _order_id(b, _draft(client, b, make_token(b, ["orders:write"]), "2")["number"])
    read_only = gql(client, CONFIRM, {"id": order_b}, enterprise=b, token=make_token(b, ["orders:read"]))
    assert error_codes(read_only) == ["PERMISSION_DENIED"]
    # A's token on A's host with B's order id: the same not_found as a missing order
    from_a = gql(client, CONFIRM, {"id": order_b}, enterprise=a, token=make_token(a, ["orders:write"]))
    assert [(e["field"], e["code"]) for e in from_a["data"]["salesOrderConfirm"]["errors"]] == [("id", "not_found")]
    with tenant_context(b):
        assert SalesOrder.objects.get().status == "draft"


# ---- apiTokenCreate / apiTokenRevoke -----------------------------------------------------------


def test_admin_creates_a_token_that_works_and_is_stored_hashed(client, two_enterprises):
    ent, _b, alice, _bob = two_enterprises
    client.force_login(alice)  # the owner
    payload = gql(client, TOKEN_CREATE, {"input": {"name": "MES 2号线", "scopes": ["CATALOG_READ", "STOCK_READ"]}},
                  enterprise=ent)["data"]["apiTokenCreate"]
    assert payload["errors"] == []
    token = payload["token"]
    assert token.startswith("dbk_") and payload["apiToken"]["scopes"] == ["CATALOG_READ", "STOCK_READ"]
    assert payload["apiToken"]["createdBy"] == "alice@a.test"
    row = ApiToken.objects.get()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in str(vars(row))

    client.logout()
    me = gql(client, "{ me { authKind scopes enterprise { uscc } } }", enterprise=ent, token=token)["data"]["me"]
    assert me == {"authKind": "TOKEN", "scopes": ["catalog:read", "stock:read"], "enterprise": {"uscc": ent.uscc}}


def test_only_admins_with_a_session_manage_tokens(client, ent, make_user, make_token):
    client.force_login(member(make_user, ent, Role.MANAGER))
    create = {"input": {"name": "x", "scopes": ["CATALOG_READ"]}}
    assert error_codes(gql(client, TOKEN_CREATE, create, enterprise=ent)) == ["PERMISSION_DENIED"]
    client.force_login(member(make_user, ent, Role.ADMIN))
    assert gql(client, TOKEN_CREATE, create, enterprise=ent)["data"]["apiTokenCreate"]["errors"] == []
    client.logout()
    every_scope = make_token(ent, ["catalog:read", "catalog:write", "stock:read", "orders:read", "orders:write",
                                   "production:read", "govdata:read"])
    assert error_codes(gql(client, TOKEN_CREATE, create, enterprise=ent, token=every_scope)) == ["PERMISSION_DENIED"]
    assert error_codes(gql(client, "{ apiTokens { edges { node { name } } } }", enterprise=ent,
                           token=every_scope)) == ["PERMISSION_DENIED"]


def test_token_create_errors(client, two_enterprises):
    ent, _b, alice, _bob = two_enterprises
    client.force_login(alice)
    empty = gql(client, TOKEN_CREATE, {"input": {"name": " ", "scopes": []}}, enterprise=ent)["data"]["apiTokenCreate"]
    assert empty["errors"] == [{"field": "name", "code": "required"}]
    past = gql(client, TOKEN_CREATE, {"input": {"name": "x", "scopes": ["CATALOG_READ"],
                                                "expiresAt": "2020-01-01T00:00:00+08:00"}},
               enterprise=ent)["data"]["apiTokenCreate"]
    assert past["errors"] == [{"field": "expiresAt", "code": "invalid_date"}]
    unknown_scope = gql(client, TOKEN_CREATE, {"input": {"name": "x", "scopes": ["ROOT"]}}, enterprise=ent, status=400)
    assert "ROOT" in unknown_scope["errors"][0]["message"]
    assert not ApiToken.objects.exists()


def test_revoke(client, two_enterprises, make_token):
    ent, other, alice, bob = two_enterprises
    client.force_login(alice)
    created = gql(client, TOKEN_CREATE, {"input": {"name": "ERP link", "scopes": ["STOCK_READ"]}},
                  enterprise=ent)["data"]["apiTokenCreate"]
    revoked = gql(client, TOKEN_REVOKE, {"id": created["apiToken"]["id"]}, enterprise=ent)["data"]["apiTokenRevoke"]
    assert revoked["errors"] == [] and revoked["apiToken"]["revokedAt"]
    again = gql(client, TOKEN_REVOKE, {"id": created["apiToken"]["id"]}, enterprise=ent)["data"]["apiTokenRevoke"]
    assert again["errors"] == [{"field": "id", "code": "already_revoked"}]
    client.logout()
    assert error_codes(gql(client, "{ me { authKind } }", enterprise=ent, token=created["token"], status=401)) == \
        ["UNAUTHENTICATED"]
    # bob (admin of the other enterprise) cannot revoke A's token: "not found", as if it did not exist
    live = ApiToken.objects.create(enterprise=ent, name="live", prefix="livelive00", token_hash="x",
                                   scopes=["catalog:read"])
    from graphql_relay import to_global_id

    client.force_login(bob)
    foreign = gql(client, TOKEN_REVOKE, {"id": to_global_id("ApiToken", live.pk)}, enterprise=other)
    assert foreign["data"]["apiTokenRevoke"]["errors"] == [{"field": "id", "code": "not_found"}]
    live.refresh_from_db()
    assert live.revoked_at is None
