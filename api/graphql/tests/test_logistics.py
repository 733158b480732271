"""Logistics over GraphQL (issue 14): shipments with parcels and tracking events, carriers and contracts, the rate
quote and shipmentFreightRecord. Scopes logistics:read / logistics:write, lists at a constant query count,
enterprise A never reaching B's rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from graphql_relay import to_global_id

from api.graphql.tests.conftest import error_codes, gql
from logistics.carriers.models import Carrier, Contract, Zone, ZoneRegion
from logistics.shipments.models import Parcel, Shipment
from logistics.tracking.models import TrackingEvent
from tests.isolation_world import TENANT_ID_OFFSET, sequences_start_at

D = Decimal
N = 30


def _fill(prefix: str, n: int) -> dict:
    """A carrier with a contract (Zhejiang 12 + 2/kg, 2 days; elsewhere 20 + 8/kg), n shipments of two parcels
    each with two tracking events. Written in bulk: the tests measure reads."""
    carrier = Carrier.objects.create(code=f"{prefix}SF", name=f"{prefix} 顺丰", tracking_code="shunfeng")
    contract = Contract.objects.create(carrier=carrier, name=f"{prefix} 月结", fuel_surcharge_pct=D("10"),
                                       min_charge=D("15"))
    near = Zone.objects.create(contract=contract, name="省内", first_price=D("12"), step_price=D("2"),
                               promised_days=2)
    ZoneRegion.objects.create(zone=near, code="330000", name="浙江省")
    far = Zone.objects.create(contract=contract, name="远程", first_price=D("20"), step_price=D("8"), promised_days=4)
    ZoneRegion.objects.create(zone=far, code="650000", name="新疆维吾尔自治区")
    now = timezone.now()
    shipments = Shipment.objects.bulk_create([
        Shipment(number=f"{prefix}-SH-{i:04d}", carrier=carrier, contract=contract, consignee_name=f"{prefix} 收货人",
                 province_code="330000", city_code="330200", status=Shipment.Status.IN_TRANSIT,
                 direction=Shipment.Direction.OUTBOUND if i % 2 else Shipment.Direction.INBOUND,
                 quoted_freight=D("18.70"))
        for i in range(n)])
    parcels = Parcel.objects.bulk_create([
        Parcel(shipment=s, seq=k, waybill_number=f"{prefix}W{i:04d}{k}", carrier=carrier, weight_kg=D("1.5"),
               status="in_transit") for i, s in enumerate(shipments) for k in (1, 2)])
    TrackingEvent.objects.bulk_create([
        TrackingEvent(parcel=p, time=now - timedelta(hours=h), context=f"{prefix} 到达 {h}", status="in_transit",
                      fingerprint=f"{p.pk}-{h}") for p in parcels for h in (1, 2)])
    return {"carrier": carrier, "contract": contract, "shipments": shipments, "parcels": parcels}


@pytest.fixture
def world(make_enterprise, make_user, make_token):
    alice, bob = make_user(email="alice@lg-a.test"), make_user(email="bob@lg-b.test")
    a = make_enterprise(slug="lg-alpha", owner=alice)
    b = make_enterprise(slug="lg-bravo", owner=bob)
    with tenant_context(a):
        rows_a = _fill("A", N)
    with tenant_context(b):
        sequences_start_at(b.schema_name, TENANT_ID_OFFSET)  # no id of B's schema names a row of A's
        rows_b = _fill("B", 3)
    connection.set_schema_to_public()
    return {"a": a, "b": b, "rows_a": rows_a, "rows_b": rows_b,
            "read": make_token(a, ["logistics:read"]), "write": make_token(a, ["logistics:write"], name="freight"),
            "other": make_token(a, ["catalog:read", "orders:read"], name="erp")}


SHIPMENTS = ("totalCount edges { node { id number direction status consigneeName quotedFreight "
             "carrier { code name kind } contract { name carrier { code } } "
             "parcels { id seq waybillNumber weightKg status carrier { code } shipment { number } "
             "events { time description status source } } } }")


def _count(client, world, size: int) -> tuple[dict, int]:
    query = "{ shipments(first: %d) { %s } }" % (size, SHIPMENTS)
    gql(client, query, enterprise=world["a"], token=world["read"])  # warm up (last-used stamps)
    with CaptureQueriesContext(connection) as captured:
        result = gql(client, query, enterprise=world["a"], token=world["read"])
    assert "errors" not in result, result["errors"]
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
    return result["data"]["shipments"], len(statements)


def test_shipments_cost_the_same_for_3_and_30_and_show_their_parcels_and_events(client, world):
    (small, small_count), (large, large_count) = _count(client, world, 3), _count(client, world, N)
    assert (len(small["edges"]), len(large["edges"]), large["totalCount"]) == (3, N, N)
    assert small_count == large_count, (small_count, large_count)
    node = large["edges"][0]["node"]
    assert node["carrier"] == {"code": "ASF", "name": "A 顺丰", "kind": "EXPRESS"}
    assert node["contract"] == {"name": "A 月结", "carrier": {"code": "ASF"}}
    assert [p["seq"] for p in node["parcels"]] == [1, 2]
    assert node["parcels"][0]["shipment"]["number"] == node["number"]
    assert [e["description"] for e in node["parcels"][0]["events"]] == ["A 到达 1", "A 到达 2"]  # newest first
    assert node["parcels"][0]["events"][0]["status"] == "IN_TRANSIT"
    _filters_and_single_objects(client, world)


def _filters_and_single_objects(client, world):
    result = gql(client, "{ shipments(direction: INBOUND, status: IN_TRANSIT, first: 100) { totalCount } "
                         "none: shipments(status: DELIVERED) { totalCount } }", enterprise=world["a"],
                 token=world["read"])
    assert result["data"] == {"shipments": {"totalCount": N // 2}, "none": {"totalCount": 0}}
    shipment, parcel = world["rows_a"]["shipments"][0], world["rows_a"]["parcels"][1]
    result = gql(client, "query($s: ID!, $p: ID!) { shipment(id: $s) { number parcels { seq } } "
                         "parcel(id: $p) { seq waybillNumber shipment { number } events { description } } }",
                 {"s": to_global_id("Shipment", shipment.pk), "p": to_global_id("Parcel", parcel.pk)},
                 enterprise=world["a"], token=world["read"])
    assert result["data"]["shipment"] == {"number": "A-SH-0000", "parcels": [{"seq": 1}, {"seq": 2}]}
    assert result["data"]["parcel"]["waybillNumber"] == "AW00002"
    assert result["data"]["parcel"]["shipment"] == {"number": "A-SH-0000"}


def test_a_token_without_logistics_scope_gets_the_typed_error(client, world):
    result = gql(client, "{ shipments { totalCount } }", enterprise=world["a"], token=world["other"])
    assert error_codes(result) == ["PERMISSION_DENIED"]
    query = "query($id: ID!) { shipment(id: $id) { number } }"
    result = gql(client, query, {"id": to_global_id("Shipment", world["rows_a"]["shipments"][0].pk)},
                 enterprise=world["a"], token=world["other"])
    assert error_codes(result) == ["PERMISSION_DENIED"]
    result = gql(client, '{ rateQuote(provinceCode: "330000", parcels: [{weightKg: "1"}]) { price } }',
                 enterprise=world["a"], token=world["other"])
    assert error_codes(result) == ["PERMISSION_DENIED"]
    assert "logistics:read" in result["errors"][0]["message"] and result["data"] is None
    # public host: the enterprise's fields are refused
    result = gql(client, "{ shipments { totalCount } }", token=None)
    assert error_codes(result) == ["ENTERPRISE_HOST_REQUIRED"]


def test_rate_quote_compares_the_contracts(client, world):
    with tenant_context(world["a"]):
        cheap = Carrier.objects.create(code="AZTO", name="A 中通")
        contract = Contract.objects.create(carrier=cheap, name="A 中通 标准")
        zone = Zone.objects.create(contract=contract, name="宁波", first_price=D("8"), step_price=D("1.5"),
                                   promised_days=3)
        ZoneRegion.objects.create(zone=zone, code="330200", name="宁波市")
    connection.set_schema_to_public()
    query = ('query($p: [RateQuoteParcelInput!]!) { rateQuote(provinceCode: "330000", cityCode: "330200", '
             'parcels: $p, goodsValue: "500") { carrier { code } contract { name } zone chargeableWeightKg base fuel '
             'price promisedDays free } }')
    parcels = [{"weightKg": "2.2"}, {"weightKg": "1", "lengthCm": "40", "widthCm": "30", "heightCm": "30"}]
    result = gql(client, query, {"p": parcels}, enterprise=world["a"], token=world["read"])
    assert "errors" not in result, result["errors"]
    # chargeable 2.2 + max(1, 36000/6000 = 6) = 8.2 kg → 7.2 kg above the first kg → 8 steps
    assert result["data"]["rateQuote"] == [
        {"carrier": {"code": "AZTO"}, "contract": {"name": "A 中通 标准"}, "zone": "宁波", "chargeableWeightKg": "8.200",
         "base": "20.00", "fuel": "0.00", "price": "20.00", "promisedDays": 3, "free": False},
        {"carrier": {"code": "ASF"}, "contract": {"name": "A 月结"}, "zone": "省内", "chargeableWeightKg": "8.200",
         "base": "28.00", "fuel": "2.80", "price": "30.80", "promisedDays": 2, "free": False},
    ]
    for bad in ({"province": "33", "parcels": parcels}, {"province": "330000", "parcels": []},
                {"province": "３３００００", "parcels": parcels},
                {"province": "330000", "parcels": [{"weightKg": "-1"}]}):
        result = gql(client, 'query($c: String!, $p: [RateQuoteParcelInput!]!) { rateQuote(provinceCode: $c, '
                             'parcels: $p) { price } }', {"c": bad["province"], "p": bad["parcels"]},
                     enterprise=world["a"], token=world["read"])
        assert error_codes(result) == ["BAD_USER_INPUT"], (bad, result)
    result = gql(client, 'query($p: [RateQuoteParcelInput!]!) { rateQuote(provinceCode: "110000", parcels: $p) '
                         '{ price } }', {"p": parcels}, enterprise=world["a"], token=world["read"])
    assert result["data"] == {"rateQuote": []}  # no contract serves Beijing


FREIGHT = ("mutation($id: ID!, $f: Decimal!) { shipmentFreightRecord(id: $id, actualFreight: $f) "
           "{ errors { field code } shipment { number actualFreight quotedFreight } } }")


def _shipment_freight_record(client, world):
    shipment = world["rows_a"]["shipments"][0]
    gid = to_global_id("Shipment", shipment.pk)
    result = gql(client, FREIGHT, {"id": gid, "f": "21.50"}, enterprise=world["a"], token=world["read"])
    assert error_codes(result) == ["PERMISSION_DENIED"]
    result = gql(client, FREIGHT, {"id": gid, "f": "21.50"}, enterprise=world["a"], token=world["write"])
    assert result["data"]["shipmentFreightRecord"] == {
        "errors": [], "shipment": {"number": "A-SH-0000", "actualFreight": "21.50", "quotedFreight": "18.70"}}
    result = gql(client, FREIGHT, {"id": gid, "f": "-3"}, enterprise=world["a"], token=world["write"])
    payload = result["data"]["shipmentFreightRecord"]
    assert payload["shipment"] is None and payload["errors"] == [{"field": "actualFreight", "code": "invalid_value"}]
    with tenant_context(world["a"]):
        assert Shipment.objects.get(pk=shipment.pk).actual_freight == D("21.50")


def test_freight_record_and_enterprise_a_never_reaching_b(client, world):
    _shipment_freight_record(client, world)
    b_shipment, b_parcel = world["rows_b"]["shipments"][-1], world["rows_b"]["parcels"][-1]
    with tenant_context(world["a"]):
        assert not Shipment.objects.filter(pk=b_shipment.pk).exists()
        assert not Parcel.objects.filter(pk=b_parcel.pk).exists()
    connection.set_schema_to_public()
    for field, type_name, pk in (("shipment", "Shipment", b_shipment.pk), ("parcel", "Parcel", b_parcel.pk)):
        result = gql(client, "query($id: ID!) { %s(id: $id) { id } }" % field, {"id": to_global_id(type_name, pk)},
                     enterprise=world["a"], token=world["read"])
        assert error_codes(result) == ["NOT_FOUND"] and result["data"] == {field: None}
    # lists: A's rows only
    result = gql(client, "{ shipments(first: 50) { edges { node { number consigneeName parcels { waybillNumber "
                         "events { description } } carrier { code } } } } }",
                 enterprise=world["a"], token=world["read"])
    text = str(result["data"])
    assert len(result["data"]["shipments"]["edges"]) == N and "B-SH" not in text and "B " not in text
    assert "BSF" not in text and "BW" not in text
    result = gql(client, '{ rateQuote(provinceCode: "330000", parcels: [{weightKg: "1"}]) { carrier { code } } }',
                 enterprise=world["a"], token=world["read"])
    assert result["data"]["rateQuote"] == [{"carrier": {"code": "ASF"}}]
    # the mutation: B's shipment is not found, and stays as it was
    result = gql(client, FREIGHT, {"id": to_global_id("Shipment", b_shipment.pk), "f": "99"},
                 enterprise=world["a"], token=world["write"])
    assert result["data"]["shipmentFreightRecord"]["errors"] == [{"field": "id", "code": "not_found"}]
    with tenant_context(world["b"]):
        assert Shipment.objects.get(pk=b_shipment.pk).actual_freight is None
    # A's token on B's host: an unknown caller
    result = gql(client, "{ shipments { totalCount } }", enterprise=world["b"], token=world["read"], status=401)
