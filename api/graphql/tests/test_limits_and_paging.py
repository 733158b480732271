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


# ---- honest cost: variables' values and defaults, coerced as execution coerces them -------------------

TEN = "query%s { %s }" % ("%s", " ".join(
    f"a{i}: items(first: %s) {{ edges {{ node {{ code name currentBom {{ lines {{ component {{ code }} }} }} }} }} }}"
    for i in range(10)))


def _ten(variables_decl: str, first: str) -> str:
    return TEN.replace("first: %s", f"first: {first}") % variables_decl


def test_variable_defaults_and_floats_cost_like_the_literal(client, five_items):
    a, token = five_items
    literal = gql(client, _ten("", "100"), enterprise=a, token=token, status=400)
    assert error_codes(literal) == ["QUERY_TOO_COSTLY"]
    cost = literal["errors"][0]["extensions"]["cost"]
    by_default = gql(client, _ten("($n: Int = 100)", "$n"), enterprise=a, token=token, status=400)
    as_float = gql(client, _ten("($n: Int)", "$n"), {"n": 100.0}, enterprise=a, token=token, status=400)
    non_null_default = gql(client, _ten("($n: Int! = 100)", "$n"), enterprise=a, token=token, status=400)
    assert [r["errors"][0]["extensions"] for r in (by_default, as_float, non_null_default)] == [
        {"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": 20000}] * 3
    cheap = gql(client, _ten("($n: Int = 100)", "$n"), {"n": 2}, enterprise=a, token=token)
    assert "errors" not in cheap and len(cheap["data"]["a9"]["edges"]) == 2


def test_variables_that_cannot_be_coerced_are_refused_before_anything_runs(client, five_items):
    a, token = five_items
    result = gql(client, _ten("($n: Int)", "$n"), {"n": 1.5}, enterprise=a, token=token, status=400)
    assert error_codes(result) == ["BAD_USER_INPUT"] and result.get("data") is None


def test_aliases_are_capped(client, five_items):
    a, token = five_items
    allowed = gql(client, "{ %s }" % " ".join(f"p{i}: ping" for i in range(30)), enterprise=a, token=token)
    assert "errors" not in allowed
    refused = gql(client, "{ %s }" % " ".join(f"p{i}: ping" for i in range(31)), enterprise=a, token=token,
                  status=400)
    assert error_codes(refused) == ["TOO_MANY_ALIASES"]
    assert refused["errors"][0]["extensions"] == {"code": "TOO_MANY_ALIASES", "count": 31, "limit": 30}
    schema_bomb = gql(client, "{ %s }" % " ".join(f"s{i}: __schema {{ types {{ name }} }}" for i in range(31)),
                      enterprise=a, token=token, status=400)
    assert error_codes(schema_bomb) == ["TOO_MANY_ALIASES"]  # introspection is not costed, but its aliases count


def test_mutations_are_capped_and_none_runs(client, five_items, make_token):
    from api.tokens.models import ApiToken

    a, token = five_items
    writer = make_token(a, ["catalog:write"])
    create = 'm%d: itemCreate(input: {code: "NEW-%d", name: "新物料", uom: "pcs"}) { errors { code } }'
    refused = gql(client, "mutation { %s }" % " ".join(create % (i, i) for i in range(11)), enterprise=a,
                  token=writer, status=400)
    assert error_codes(refused) == ["TOO_MANY_MUTATIONS"] and refused.get("data") is None
    with tenant_context(a):
        assert not Item.objects.filter(code__startswith="NEW-").exists()
    allowed = gql(client, "mutation { %s }" % " ".join(create % (i, i) for i in range(10)), enterprise=a,
                  token=writer)
    assert "errors" not in allowed
    with tenant_context(a):
        assert Item.objects.filter(code__startswith="NEW-").count() == 10
    assert ApiToken.objects.count() == 2


def test_an_unexpected_exception_is_logged_and_answered_without_its_text(caplog):
    from graphql import located_error

    from api.graphql.views import ApiGraphQLView

    try:
        raise ZeroDivisionError("secret detail")
    except ZeroDivisionError as exc:
        error = located_error(exc, None, ["items", 0, "code"])
    with caplog.at_level("ERROR", logger="api.graphql.views"):
        formatted = ApiGraphQLView.format_error(error)
    assert formatted == {"message": "Internal error.", "path": ["items", 0, "code"],
                         "extensions": {"code": "INTERNAL_ERROR"}}
    assert "ZeroDivisionError: secret detail" in caplog.text
