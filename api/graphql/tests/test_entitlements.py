"""The plan's guard in GraphQL (api/graphql/core/entitlements.py): a field of a module that is off answers
NOT_IN_PLAN (null, the rest of the answer stays), a mutation of a read-only enterprise READ_ONLY; never a 500.
Real requests on each enterprise's host, with a session and with a token."""

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from api.graphql.tests.conftest import error_codes, gql
from erp_modules.catalog.models import Item
from erp_modules.workspace.testing import make_item
from tenants.models import Enterprise

ITEM_CREATE = """mutation($input: ItemCreateInput!) { itemCreate(input: $input) {
    item { code } errors { field message code } } }"""
HOOD = {"code": "HOOD-901", "name": "油烟机 CXW-901", "itemType": "FINISHED", "uom": "pcs"}


def _set(enterprise, **fields) -> None:
    Enterprise.objects.filter(pk=enterprise.pk).update(**fields)


@pytest.fixture
def sessions(two_enterprises):
    a, b, alice, bob = two_enterprises
    client_a, client_b = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")  # English messages
    client_a.force_login(alice)
    client_b.force_login(bob)
    for enterprise in (a, b):
        with tenant_context(enterprise):
            make_item("MOTOR-1")
    return a, b, client_a, client_b


def test_with_every_module_on_nothing_changes(sessions):
    a, _b, client, _ = sessions
    result = gql(client, "{ items { totalCount } parts { totalCount } shipments { totalCount } }", enterprise=a)
    assert "errors" not in result
    assert result["data"]["items"]["totalCount"] == 1


def test_a_field_of_a_module_that_is_off_is_not_in_plan_and_the_others_answer(sessions):
    a, _b, client, _ = sessions
    _set(a, modules=["erp"])
    assert gql(client, "{ items { totalCount } ping }", enterprise=a)["data"] == {"items": {"totalCount": 1},
                                                                                   "ping": "pong"}
    result = gql(client, "{ parts { totalCount } }", enterprise=a)
    assert result["data"] is None  # `parts` is non-null: the null goes up, as for a refused scope
    assert result["errors"][0]["extensions"] == {"code": "NOT_IN_PLAN", "module": "pdm", "type": "Query",
                                                 "field": "parts"}
    assert "is not in your enterprise's plan" in result["errors"][0]["message"]
    shipment = gql(client, '{ shipment(id: "U2hpcG1lbnQ6MQ==") { number } }', enterprise=a)
    assert shipment["data"] == {"shipment": None}  # a nullable field: null with the error
    assert shipment["errors"][0]["extensions"]["code"] == "NOT_IN_PLAN"
    assert shipment["errors"][0]["extensions"]["module"] == "logistics"


def test_boards_only_plan_refuses_erp_fields_and_mutations_but_not_the_boards(sessions, make_token):
    a, _b, client, _ = sessions
    token = make_token(a, ["catalog:read", "catalog:write", "boards:read"])
    _set(a, modules=[])
    assert error_codes(gql(client, "{ items { totalCount } }", enterprise=a, token=token)) == ["NOT_IN_PLAN"]
    boards = gql(client, "{ boards { code } }", enterprise=a, token=token)
    assert "errors" not in boards and isinstance(boards["data"]["boards"], list)
    created = gql(client, ITEM_CREATE, {"input": HOOD}, enterprise=a, token=token)
    assert error_codes(created) == ["NOT_IN_PLAN"] and created["data"]["itemCreate"] is None
    with tenant_context(a):
        assert not Item.objects.filter(code="HOOD-901").exists()


def test_read_only_answers_mutations_with_read_only_and_keeps_reads(sessions):
    a, _b, client, _ = sessions
    _set(a, access="read_only")
    created = gql(client, ITEM_CREATE, {"input": HOOD}, enterprise=a)
    assert error_codes(created) == ["READ_ONLY"] and created["data"]["itemCreate"] is None
    assert "visible and can be exported" in created["errors"][0]["message"]
    assert created["errors"][0]["extensions"]["billingUrl"] == "/billing/"
    with tenant_context(a):
        assert not Item.objects.filter(code="HOOD-901").exists()
    read = gql(client, "{ items { edges { node { code } } } }", enterprise=a)
    assert "errors" not in read and read["data"]["items"]["edges"] == [{"node": {"code": "MOTOR-1"}}]


def test_turning_pdm_off_for_a_leaves_b_working(sessions):
    a, b, client_a, client_b = sessions
    _set(a, modules=["erp", "logistics"], access="read_only")
    assert error_codes(gql(client_a, "{ parts { totalCount } }", enterprise=a)) == ["NOT_IN_PLAN"]
    result_b = gql(client_b, "{ parts { totalCount } }", enterprise=b)
    assert "errors" not in result_b and result_b["data"]["parts"] == {"totalCount": 0}
    created_b = gql(client_b, ITEM_CREATE, {"input": HOOD}, enterprise=b)
    assert created_b["data"]["itemCreate"]["errors"] == [] and created_b["data"]["itemCreate"]["item"]["code"] == "HOOD-901"
    with tenant_context(a):
        assert not Item.objects.filter(code="HOOD-901").exists()


def test_the_public_host_is_not_concerned(sessions):
    a, _b, client, _ = sessions
    _set(a, modules=[], access="read_only")
    result = gql(client, "{ boards { code } me { email } }")
    assert "errors" not in result
