"""Hostile input gets a typed error and writes nothing (issue 11 §1): decimals that are not finite
numbers, impossible dates, NUL characters and lone surrogates, cursors we never made."""

import json

import pytest
from django_tenants.utils import tenant_context
from graphql_relay import offset_to_cursor

from api.graphql.tests.conftest import error_codes, gql
from erp_modules.catalog.models import Item

CREATE = """mutation($input: ItemCreateInput!) { itemCreate(input: $input) { item { code } errors { field code } } }"""


@pytest.fixture
def writer(two_enterprises, make_token):
    a = two_enterprises[0]
    return a, make_token(a, ["catalog:read", "catalog:write"])


@pytest.mark.parametrize("cost", ["NaN", "-Infinity", "1e309", "9" * 40, "１２", "²", "1,5", "", True])
def test_decimals_that_are_not_numbers_are_refused_and_nothing_is_written(client, writer, cost):
    a, token = writer
    result = gql(client, CREATE, {"input": {"code": "X-1", "name": "物料", "uom": "pcs", "standardCost": cost}},
                 enterprise=a, token=token, status=400)
    assert error_codes(result) == ["BAD_USER_INPUT"] and "standardCost" in result["errors"][0]["message"]
    literal = gql(client, '{ bomExplosion(item: "SXRlbTox", quantity: %s) { level } }' % json.dumps(cost),
                  enterprise=a, token=token, status=400)
    assert error_codes(literal) == ["GRAPHQL_VALIDATION_FAILED"]
    with tenant_context(a):
        assert not Item.objects.filter(code="X-1").exists()


def test_plain_decimals_still_work(client, writer):
    a, token = writer
    for n, cost in enumerate(["12.5", 7, 0.25, "1.2e3", " 3 "]):
        result = gql(client, CREATE, {"input": {"code": f"OK-{n}", "name": "物料", "uom": "pcs", "standardCost": cost}},
                     enterprise=a, token=token)
        assert result["data"]["itemCreate"]["errors"] == [], cost
    with tenant_context(a):
        assert sorted(str(c) for c in Item.objects.filter(code__startswith="OK-").values_list("standard_cost", flat=True)) \
            == ["0.2500", "12.5000", "1200.0000", "3.0000", "7.0000"]


@pytest.mark.parametrize("date", ["2026-02-30", "0000-00-00", "2026-13-01", "tomorrow", ""])
def test_impossible_dates_are_refused(client, two_enterprises, make_token, date):
    a = two_enterprises[0]
    token = make_token(a, ["orders:write", "orders:read"])
    query = """mutation($d: Date) { salesOrderCreate(input: {customer: "C1", orderDate: $d, lines: []}) {
                 errors { code } } }"""
    result = gql(client, query, {"d": date}, enterprise=a, token=token, status=400)
    assert error_codes(result) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_nul_and_lone_surrogates_are_refused_in_variables_and_literals(client, writer, text):
    a, token = writer
    response = client.post("/graphql/", json.dumps({"query": "query($q: String) { items(search: $q) { totalCount } }",
                                                    "variables": {"q": text}}),
                           content_type="application/json", HTTP_HOST="alpha.localhost",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400  # the view's BAD_USER_INPUT, or core.input_guard's page for a NUL
    if response["Content-Type"].startswith("application/json"):
        assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    escaped = json.dumps(text)  # "\u0000" inside the GraphQL string literal
    as_literal = gql(client, "{ items(search: %s) { totalCount } }" % escaped, enterprise=a, token=token, status=400)
    assert error_codes(as_literal)[0] in ("GRAPHQL_PARSE_FAILED", "BAD_USER_INPUT")


def test_a_cursor_we_never_made_is_refused(client, writer):
    a, token = writer
    for cursor in (offset_to_cursor(10 ** 20), offset_to_cursor(-5), "YXJyYXljb25uZWN0aW9uOmFiYw=="):
        result = gql(client, "query($c: String) { items(first: 5, after: $c) { totalCount } }", {"c": cursor},
                     enterprise=a, token=token)
        assert error_codes(result) == ["INVALID_CURSOR"], cursor


def test_requests_that_are_not_graphql_get_400(client, writer):
    a, token = writer
    headers = {"HTTP_HOST": "alpha.localhost", "HTTP_AUTHORIZATION": f"Bearer {token}"}
    for body in ({"query": 12}, {"query": "{ ping }", "variables": [1]}, {"query": "{ ping }", "operationName": [1]}):
        response = client.post("/graphql/", json.dumps(body), content_type="application/json", **headers)
        assert response.status_code == 400, body
    broken = client.post("/graphql/", "{not json", content_type="application/json", **headers)
    assert broken.status_code == 400
    syntax = gql(client, "{ ping ", enterprise=a, token=token, status=400)
    assert error_codes(syntax) == ["GRAPHQL_PARSE_FAILED"]
    unknown = gql(client, "{ nope }", enterprise=a, token=token, status=400)
    assert error_codes(unknown) == ["GRAPHQL_VALIDATION_FAILED"]
