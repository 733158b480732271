"""salesOrderCreate may name a part's revision per line, and order lines show it (issue 13); a refused revision
comes back as a typed error on `lines` and nothing is written."""

from django_tenants.utils import tenant_context

from api.graphql.tests.conftest import gql
from erp_modules.sales.models import SalesOrder

ORDER_CREATE = """mutation($input: SalesOrderCreateInput!) { salesOrderCreate(input: $input) {
    salesOrder { number lines { item { code } revision } } errors { field message code } } }"""


def _trade(enterprise):
    from erp_modules.sales.tests.factories import make_customer, part_with_revisions

    with tenant_context(enterprise):
        make_customer(code="C-MEICHU")
        part_with_revisions()


def _input(revision: str) -> dict:
    return {"customer": "C-MEICHU", "lines": [{"item": "CXW-200-A1", "quantity": "2", "unitPrice": "1299",
                                               "revision": revision}]}


def test_an_order_line_on_revision_b(client, two_enterprises, make_token):
    ent = two_enterprises[0]
    _trade(ent)
    result = gql(client, ORDER_CREATE, {"input": _input("B")}, enterprise=ent,
                 token=make_token(ent, ["orders:write"]))["data"]["salesOrderCreate"]
    assert result["errors"] == []
    assert result["salesOrder"]["lines"] == [{"item": {"code": "CXW-200-A1"}, "revision": "B"}]


def test_an_obsolete_revision_is_a_typed_error_and_nothing_is_written(client, two_enterprises, make_token):
    ent = two_enterprises[0]
    _trade(ent)
    result = gql(client, ORDER_CREATE, {"input": _input("D")}, enterprise=ent,
                 token=make_token(ent, ["orders:write"]))["data"]["salesOrderCreate"]
    assert result["salesOrder"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("lines", "revision_obsolete")]
    assert "CXW-200-A1" in result["errors"][0]["message"] and "“D”" in result["errors"][0]["message"]  # the line
    with tenant_context(ent):
        assert not SalesOrder.objects.exists()
