"""Isolation: enterprise A's token cannot read B's stock (nor anything of B), public queries never
reach tenant data, and a non-member's session gets the same answer as an unknown host."""

import pytest
from django_tenants.utils import tenant_context

from api.graphql.tests.conftest import error_codes, gql
from erp_modules.workspace.testing import make_item, receive

STOCK = "{ stockLevels(first: 10) { edges { node { item { code } onHand } } } }"


@pytest.fixture
def stocked(two_enterprises):
    a, b, alice, bob = two_enterprises
    with tenant_context(a):
        receive(make_item("A-PART", name="A 的零件"), 7)
    with tenant_context(b):
        receive(make_item("B-SECRET", name="B 的秘密零件"), 99)
    return two_enterprises


def test_token_reads_own_stock(client, stocked, make_token):
    a, _b, _alice, _bob = stocked
    result = gql(client, STOCK, enterprise=a, token=make_token(a))
    assert result == {"data": {"stockLevels": {"edges": [{"node": {"item": {"code": "A-PART"}, "onHand": "7.0000"}}]}}}


def test_token_of_a_is_refused_on_b_host_like_an_unknown_token(client, stocked, make_token):
    a, b, _alice, _bob = stocked
    refused = gql(client, STOCK, enterprise=b, token=make_token(a), status=401)
    unknown = gql(client, STOCK, enterprise=b, token="dbk_0000000000_nope", status=401)
    assert refused == unknown
    assert error_codes(refused) == ["UNAUTHENTICATED"]
    assert "B-SECRET" not in str(refused)


def test_token_of_a_on_the_public_host_gets_no_tenant_data(client, stocked, make_token):
    a, _b, _alice, _bob = stocked
    result = gql(client, STOCK, token=make_token(a))
    assert result["data"] is None
    assert error_codes(result) == ["ENTERPRISE_HOST_REQUIRED"]


TENANT_FIELDS = ["items(first: 5) { edges { node { code } } }", "stockLevels(first: 5) { edges { node { onHand } } }",
                 "salesOrders(first: 5) { edges { node { number } } }",
                 "purchaseOrders(first: 5) { edges { node { number } } }",
                 "workOrders(first: 5) { edges { node { number } } }", "partners(first: 5) { edges { node { code } } }",
                 "boms(first: 5) { edges { node { version } } }", "apiTokens(first: 5) { edges { node { name } } }",
                 'item(id: "SXRlbTox") { code }', 'salesOrder(id: "U2FsZXNPcmRlcjox") { number }',
                 'bomExplosion(item: "SXRlbTox") { level }']


def test_public_host_never_serves_tenant_fields(client, stocked, make_user, make_token):
    a = stocked[0]
    office = make_user(email="office@gov.test", platform_role="office")
    for auth in ("office", "token"):
        client.logout()
        if auth == "office":
            client.force_login(office)
        token = make_token(a, ["catalog:read", "stock:read", "orders:read", "production:read"]) \
            if auth == "token" else None
        for field in TENANT_FIELDS:
            result = gql(client, "{ %s }" % field, token=token)
            assert not any((result.get("data") or {}).values()), (auth, field)
            assert error_codes(result) == ["ENTERPRISE_HOST_REQUIRED"], (auth, field)


def test_public_enterprises_show_no_tenant_data(client, stocked):
    result = gql(client, "{ enterprises(first: 10) { totalCount edges { node { name uscc } } } }")
    assert result["data"]["enterprises"]["totalCount"] == 2
    assert "A-PART" not in str(result) and "B-SECRET" not in str(result)


def test_non_member_session_gets_the_404_of_a_missing_host(client, stocked):
    _a, b, alice, _bob = stocked
    client.force_login(alice)
    existing = client.post("/graphql/", {"query": STOCK}, content_type="application/json", HTTP_HOST="bravo.localhost")
    assert existing.status_code == 404


def test_member_session_reads_own_stock_with_role_scopes(client, stocked):
    a, _b, alice, _bob = stocked
    client.force_login(alice)
    result = gql(client, STOCK, enterprise=a)
    assert result["data"]["stockLevels"]["edges"][0]["node"]["onHand"] == "7.0000"


def test_ids_of_b_do_not_resolve_with_a_token(client, stocked, make_token):
    a, b, _alice, _bob = stocked
    from graphql_relay import to_global_id

    with tenant_context(b):
        from erp_modules.catalog.models import Item

        b_item = Item.objects.get(code="B-SECRET")
    with tenant_context(a):
        a_item_ids = set(Item.objects.values_list("pk", flat=True))
    result = gql(client, '{ item(id: "%s") { code } }' % to_global_id("Item", b_item.pk), enterprise=a,
                 token=make_token(a))
    if b_item.pk in a_item_ids:  # the same number exists in A's schema: it is A's item, never B's
        assert result["data"]["item"]["code"] != "B-SECRET"
    else:
        assert error_codes(result) == ["NOT_FOUND"]
    assert "B-SECRET" not in str(result)
