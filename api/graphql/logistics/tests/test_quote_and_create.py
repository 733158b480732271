"""Logistics over GraphQL, the parts api/graphql/tests/test_logistics.py leaves: rateQuote at a constant number of
queries whatever the number of contracts, and shipmentCreate (logistics:write; the address read into GB/T 2260
codes or refused on `address`; another enterprise's carrier not found; the new draft in the caller's schema only)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from graphql_relay import to_global_id

from api.graphql.tests.conftest import error_codes, gql
from logistics.carriers.models import Carrier, Contract, Zone, ZoneRegion
from logistics.shipments.models import Shipment
from tests.isolation_world import TENANT_ID_OFFSET, sequences_start_at

pytestmark = pytest.mark.django_db
D = Decimal


def _contracts(prefix: str, n: int) -> list[Contract]:
    """n carriers, each with a contract whose one zone covers Zhejiang (n different prices)."""
    contracts = []
    for i in range(n):
        carrier = Carrier.objects.create(code=f"{prefix}{i:02d}", name=f"{prefix} 快递 {i}")
        contract = Contract.objects.create(carrier=carrier, name=f"{prefix} 合同 {i}")
        zone = Zone.objects.create(contract=contract, name="浙江", first_price=D("10") + i, step_price=D("2"),
                                   promised_days=1 + i % 3)
        ZoneRegion.objects.create(zone=zone, code="330000", name="浙江省")
        contracts.append(contract)
    return contracts


@pytest.fixture
def world(make_enterprise, make_user, make_token):
    alice, bob = make_user(email="alice@lgq-a.test"), make_user(email="bob@lgq-b.test")
    a = make_enterprise(slug="lgq-alpha", owner=alice)
    b = make_enterprise(slug="lgq-bravo", owner=bob)
    with tenant_context(b):
        sequences_start_at(b.schema_name, TENANT_ID_OFFSET)  # no id of B's schema names a row of A's
        b_carrier = _contracts("B", 1)[0].carrier
    connection.set_schema_to_public()
    return {"a": a, "b": b, "b_carrier": b_carrier,
            "read": make_token(a, ["logistics:read"]), "write": make_token(a, ["logistics:write"], name="ship")}


QUOTE = ('{ rateQuote(provinceCode: "330000", parcels: [{weightKg: "3"}]) '
         '{ price zone promisedDays carrier { code name kind } contract { name carrier { code } } } }')


def _quote(client, world) -> tuple[list, int]:
    gql(client, QUOTE, enterprise=world["a"], token=world["read"])  # warm up (last-used stamps)
    with CaptureQueriesContext(connection) as captured:
        result = gql(client, QUOTE, enterprise=world["a"], token=world["read"])
    assert "errors" not in result, result["errors"]
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
    return result["data"]["rateQuote"], len(statements)


def test_rate_quote_costs_the_same_for_2_and_12_contracts(client, world):
    with tenant_context(world["a"]):
        _contracts("A", 2)
    connection.set_schema_to_public()
    small, small_count = _quote(client, world)
    with tenant_context(world["a"]):
        _contracts("C", 10)
    connection.set_schema_to_public()
    large, large_count = _quote(client, world)
    assert (len(small), len(large)) == (2, 12)
    assert small_count == large_count, (small_count, large_count)
    # cheapest first: 10 + 2 steps of 2 = 14.00 for the first of each prefix
    assert large[0]["price"] == "14.00" and {large[0]["carrier"]["code"], large[1]["carrier"]["code"]} == {"A00", "C00"}
    assert all(q["contract"]["carrier"]["code"] == q["carrier"]["code"] for q in large)
    assert not any(q["carrier"]["code"].startswith("B") for q in large)


CREATE = ("mutation($name: String!, $address: String!, $value: Decimal!, $carrier: ID, $pickup: DateTime) "
          "{ shipmentCreate(consigneeName: $name, address: $address, goodsValue: $value, carrier: $carrier, "
          "consigneePhone: \"0571-88880000\", pickupAt: $pickup, note: \"API\") "
          "{ errors { field code message } shipment { number status direction consigneeName provinceCode cityCode "
          "districtCode regionName goodsValue pickupAt carrier { code } parcels { seq } } } }")


def test_shipment_create_makes_a_draft_with_the_address_read(client, world):
    with tenant_context(world["a"]):
        sf = Carrier.objects.create(code="SF", name="顺丰速运")
    connection.set_schema_to_public()
    args = {"name": "杭州老板电器 王工", "address": "浙江省杭州市西湖区文三路 90 号", "value": "3500.50",
            "carrier": to_global_id("Carrier", sf.pk), "pickup": "2026-12-08T07:30:00+00:00"}
    # a read token cannot write
    result = gql(client, CREATE, args, enterprise=world["a"], token=world["read"])
    assert error_codes(result) == ["PERMISSION_DENIED"]
    result = gql(client, CREATE, args, enterprise=world["a"], token=world["write"])
    payload = result["data"]["shipmentCreate"]
    assert payload["errors"] == []
    assert payload["shipment"] == {
        "number": "SH-00001", "status": "DRAFT", "direction": "STANDALONE", "consigneeName": "杭州老板电器 王工",
        "provinceCode": "330000", "cityCode": "330100", "districtCode": "330106", "regionName": "浙江省 杭州市 西湖区",
        "goodsValue": "3500.50", "pickupAt": "2026-12-08T07:30:00+00:00", "carrier": {"code": "SF"}, "parcels": []}
    # bad input names the field, and nothing is written
    for changes, field, code in (({"address": "火星基地 1 号"}, "address", "address_unparsed"),
                                 ({"name": "  "}, "consigneeName", "consignee_required"),
                                 ({"value": "-1"}, "goodsValue", "invalid_value"),
                                 ({"carrier": "not-an-id"}, "carrier", "not_found"),
                                 ({"carrier": to_global_id("Carrier", world["b_carrier"].pk)}, "carrier", "not_found")):
        result = gql(client, CREATE, {**args, **changes}, enterprise=world["a"], token=world["write"])
        payload = result["data"]["shipmentCreate"]
        assert payload["shipment"] is None, changes
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)], (changes, payload)
    with tenant_context(world["a"]):
        assert list(Shipment.objects.values_list("number", flat=True)) == ["SH-00001"]
    with tenant_context(world["b"]):
        assert not Shipment.objects.exists()
