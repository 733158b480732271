"""Government data in GraphQL: the office sees it; an enterprise's own token (govdata:read) sees its
own; everyone else gets PERMISSION_DENIED for those fields and only the public credit badge."""

import pytest

from api.govdata.services import file_import
from api.govdata.tests.conftest import csv_bytes
from api.graphql.tests.conftest import error_codes, gql

QUERY = """query($uscc: String!) { enterprise(uscc: $uscc) { name creditBadge { level label activeNegativeKinds }
  registry { name status statusRaw termIndefinite provenance { channel version } }
  credit { ratings { scheme grade year } events { kind active } } } }"""


@pytest.fixture
def linked(two_enterprises):
    a, b, alice, bob = two_enterprises
    file_import(content=csv_bytes([["uniscid", "entname", "regstate", "opto"],
                                   [a.uscc, a.name, "存续", "9999-09-09"], [b.uscc, b.name, "吊销，未注销", ""]]),
                filename="registry.csv")
    file_import(content=csv_bytes([["uniscid", "eventtype", "listdate"], [b.uscc, "失信被执行人", "2024-05-01"]]),
                filename="events.csv")
    file_import(content=csv_bytes([["uniscid", "scheme", "year", "grade"], [a.uscc, "纳税信用等级", "2024", "A"]]),
                filename="ratings.csv")
    return two_enterprises


def test_office_sees_registry_and_credit(client, linked, make_user):
    _a, b, _alice, _bob = linked
    client.force_login(make_user(platform_role="office"))
    result = gql(client, QUERY, {"uscc": b.uscc})
    assert "errors" not in result
    node = result["data"]["enterprise"]
    assert node["registry"] == {"name": b.name, "status": "REVOKED", "statusRaw": "吊销，未注销", "termIndefinite": False,
                                "provenance": {"channel": "FILE", "version": 1}}
    assert node["credit"] == {"ratings": [], "events": [{"kind": "DISHONEST_DEBTOR", "active": True}]}
    assert node["creditBadge"]["level"] == "ALERT" and node["creditBadge"]["activeNegativeKinds"] == ["DISHONEST_DEBTOR"]


def test_own_token_sees_own_government_data_only(client, linked, make_token):
    a, b, _alice, _bob = linked
    token = make_token(a, ["govdata:read"])
    own = gql(client, QUERY, {"uscc": a.uscc}, token=token)
    assert "errors" not in own
    assert own["data"]["enterprise"]["credit"]["ratings"] == [{"scheme": "TAX_CREDIT", "grade": "A", "year": 2024}]
    other = gql(client, QUERY, {"uscc": b.uscc}, token=token)
    assert other["data"]["enterprise"]["registry"] is None and other["data"]["enterprise"]["credit"] is None
    assert error_codes(other) == ["PERMISSION_DENIED", "PERMISSION_DENIED"]
    assert other["data"]["enterprise"]["creditBadge"]["level"] == "ALERT"  # the badge the boards show anyway


@pytest.mark.parametrize("who", ["anonymous", "plain user", "token without govdata:read"])
def test_others_get_only_the_badge(client, linked, make_user, make_token, who):
    a, _b, _alice, _bob = linked
    token = None
    if who == "plain user":
        client.force_login(make_user())
    elif who != "anonymous":
        token = make_token(a, ["catalog:read"])
    result = gql(client, QUERY, {"uscc": a.uscc}, token=token)
    assert error_codes(result) == ["PERMISSION_DENIED", "PERMISSION_DENIED"]
    assert result["data"]["enterprise"]["registry"] is None
    assert result["data"]["enterprise"]["creditBadge"] == {"level": "GOOD", "label": result["data"]["enterprise"][
        "creditBadge"]["label"], "activeNegativeKinds": []}


def test_gov_record_of_any_code_for_the_office(client, linked, make_user):
    client.force_login(make_user(platform_role="office"))
    file_import(content=csv_bytes([["uniscid", "entname", "regstate"], ["91330100716105852F", "某供应商", "存续"]]),
                filename="r.csv")
    result = gql(client, '{ govRecord(uscc: "91330100716105852f") { uscc registry { name } } }')
    assert result["data"]["govRecord"] == {"uscc": "91330100716105852F", "registry": {"name": "某供应商"}}
    bad = gql(client, '{ govRecord(uscc: "91330100716105852G") { uscc } }')
    assert error_codes(bad) == ["INVALID_USCC"]
