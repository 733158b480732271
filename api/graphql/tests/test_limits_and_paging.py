"""Relay cursor pagination with a maximum page size; depth and cost limits with a clear error."""

import pytest
from django_tenants.utils import tenant_context
from graphql import get_introspection_query

from api.graphql.tests.conftest import error_codes, gql
from erp_modules.catalog.models import Item, UnitOfMeasure

PAGE = """query($first: Int, $after: String, $last: Int, $before: String) {
  items(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { code } } } }"""


@pytest.fixture
def five_items(two_enterprises, make_token):
    a = two_enterprises[0]
    with tenant_context(a):
        pcs = UnitOfMeasure.objects.get(code="pcs")
        Item.objects.bulk_create([Item(code=f"I{n}", name=f"物料 {n}", uom=pcs) for n in range(5)])
    return a, make_token(a, ["catalog:read"])


def codes(result):
    return [e["node"]["code"] for e in result["data"]["items"]["edges"]]


def test_forward_and_backward_pages(client, five_items):
    a, token = five_items
    first = gql(client, PAGE, {"first": 2}, enterprise=a, token=token)
    assert codes(first) == ["I0", "I1"]
    info = first["data"]["items"]["pageInfo"]
    assert (info["hasNextPage"], info["hasPreviousPage"], first["data"]["items"]["totalCount"]) == (True, False, 5)
    second = gql(client, PAGE, {"first": 2, "after": info["endCursor"]}, enterprise=a, token=token)
    assert codes(second) == ["I2", "I3"]
    last = gql(client, PAGE, {"first": 2, "after": second["data"]["items"]["pageInfo"]["endCursor"]}, enterprise=a,
               token=token)
    assert codes(last) == ["I4"] and last["data"]["items"]["pageInfo"]["hasNextPage"] is False
    tail = gql(client, PAGE, {"last": 2}, enterprise=a, token=token)
    assert codes(tail) == ["I3", "I4"] and tail["data"]["items"]["pageInfo"]["hasPreviousPage"] is True
    before = gql(client, PAGE, {"last": 2, "before": tail["data"]["items"]["pageInfo"]["startCursor"]}, enterprise=a,
                 token=token)
    assert codes(before) == ["I1", "I2"]


@pytest.mark.parametrize("variables, code", [({"first": 101}, "PAGE_SIZE_EXCEEDED"), ({"last": 500}, "PAGE_SIZE_EXCEEDED"),
                                             ({"first": -1}, "INVALID_PAGE_SIZE"),
                                             ({"first": 1, "last": 1}, "INVALID_PAGE_SIZE"),
                                             ({"first": 1, "after": "not-a-cursor"}, "INVALID_CURSOR")])
def test_page_size_and_cursor_errors(client, five_items, variables, code):
    a, token = five_items
    result = gql(client, PAGE, variables, enterprise=a, token=token)
    assert error_codes(result) == [code]


def test_default_page_size(client, five_items):
    a, token = five_items
    assert len(codes(gql(client, PAGE, {}, enterprise=a, token=token))) == 5  # default page: 20


def test_too_deep(client, five_items):
    a, token = five_items
    nested = "code " + "currentBom { lines { component { " * 4 + "code" + " } } }" * 4
    result = gql(client, "{ items(first: 1) { edges { node { %s } } } }" % nested, enterprise=a, token=token,
                 status=400)
    assert error_codes(result)[0] == "QUERY_TOO_DEEP"  # (four nested lists are also too costly)
    assert result["errors"][0]["extensions"]["limit"] == 12 and result["errors"][0]["extensions"]["depth"] == 16
    assert result.get("data") is None  # nothing ran
    assert "levels deep" in result["errors"][0]["message"] or "层" in result["errors"][0]["message"]


def test_too_costly_counts_page_sizes_from_variables(client, five_items):
    a, token = five_items
    selection = "edges { node { code name currentBom { lines { quantity component { code name uom { code } } } } } }"
    query = "query($n: Int) { %s }" % " ".join(f"a{i}: items(first: $n) {{ {selection} }}" for i in range(3))
    cheap = gql(client, query, {"n": 5}, enterprise=a, token=token)
    assert "errors" not in cheap
    costly = gql(client, query, {"n": 100}, enterprise=a, token=token, status=400)
    assert error_codes(costly) == ["QUERY_TOO_COSTLY"]
    assert costly["errors"][0]["extensions"]["cost"] > costly["errors"][0]["extensions"]["limit"] == 20000


def test_fragments_are_counted(client, five_items):
    a, token = five_items
    query = """{ items(first: 100) { ...Page } b: items(first: 100) { ...Page } c: items(first: 100) { ...Page } }
      fragment Page on ItemConnection { edges { node { ...Deep } } }
      fragment Deep on Item { code currentBom { lines { component { code name uom { code name } } } } }"""
    assert error_codes(gql(client, query, enterprise=a, token=token, status=400)) == ["QUERY_TOO_COSTLY"]


def test_introspection_is_not_limited(client, five_items):
    a, token = five_items
    result = gql(client, get_introspection_query(descriptions=True), enterprise=a, token=token)
    assert "errors" not in result and result["data"]["__schema"]["queryType"]["name"] == "Query"
