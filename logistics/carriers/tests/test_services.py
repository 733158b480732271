"""Carriers, contracts and zones through the services; the rate cards loaded for quoting; the demo."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import error_codes_by_field
from logistics.carriers.demo import seed_carriers_demo
from logistics.carriers.models import Carrier, Contract, Zone, ZoneRegion
from logistics.carriers.quotes import QuoteRequest, quote, quote_many
from logistics.carriers.selectors import contracts_for_quoting
from logistics.carriers.services import (carrier_create, carrier_update, carriers_seed_standard, contract_create,
                                         contract_update, zone_create, zone_delete, zone_update)

pytestmark = pytest.mark.django_db
D = Decimal


def codes(exc):
    return error_codes_by_field(exc.value)


def test_carriers_have_unique_codes_and_the_standard_ones_are_seeded_once(erp):
    carriers_seed_standard()
    carriers_seed_standard()
    sf = Carrier.objects.get(code="SF")
    assert (Carrier.objects.count(), sf.name, sf.tracking_code) == (10, "顺丰速运", "shunfeng")
    assert Carrier.objects.get(code="DBL").kind == "freight" and Carrier.objects.get(code="OWN").kind == "own_fleet"
    with pytest.raises(ValidationError) as exc:
        carrier_create(code="sf", name="又一个顺丰")
    assert codes(exc) == {"code": ["code_taken"]}
    with pytest.raises(ValidationError) as exc:
        carrier_create(code="S F", name="x")
    assert codes(exc) == {"code": ["code_invalid"]}
    with pytest.raises(ValidationError) as exc:
        carrier_update(carrier=sf, code="ZTO")
    assert codes(exc) == {"code": ["code_taken"]}
    assert carrier_update(carrier=sf, phone="95338").phone == "95338"


def test_contract_terms_are_checked(erp):
    sf = carrier_create(code="SF", name="顺丰")
    with pytest.raises(ValidationError) as exc:
        contract_create(carrier=sf, name="x", valid_from=date(2026, 5, 1), valid_to=date(2026, 4, 1),
                        volumetric_divisor=10, fuel_surcharge_pct=D("101"))
    assert codes(exc) == {"valid_to": ["dates_reversed"], "volumetric_divisor": ["value_invalid"],
                          "fuel_surcharge_pct": ["value_invalid"]}
    contract = contract_create(carrier=sf, name="标准快递")
    assert contract_update(contract=contract, min_charge=D("20")).min_charge == D("20")
    carrier_update(carrier=sf, active=False)
    with pytest.raises(ValidationError) as exc:
        contract_create(carrier=sf, name="y")
    assert codes(exc) == {"carrier": ["carrier_inactive"]}
    assert Contract.objects.count() == 1


def test_zone_regions_must_be_provinces_or_cities_each_in_one_zone_of_a_contract(erp):
    contract = contract_create(carrier=carrier_create(code="SF", name="顺丰"), name="标准快递")
    jzh = zone_create(contract=contract, name="江浙沪", regions=["330000", "320000", "310000"],
                      first_price=D("12"), step_price=D("2"))
    # a city of a province in another zone is fine (more specific)
    city = zone_create(contract=contract, name="宁波同城", regions=["330200"], first_price=D("8"), step_price=D("1"))
    for bad, code in [(["339999"], "region_unknown"), (["330282"], "region_unknown"), (["x" * 50], "region_unknown"),
                      ([], "region_required")]:
        with pytest.raises(ValidationError) as exc:
            zone_create(contract=contract, name="坏", regions=bad, first_price=D("1"), step_price=D("1"))
        assert codes(exc) == {"regions": [code]}
    with pytest.raises(ValidationError) as exc:
        zone_create(contract=contract, name="华东", regions=["340000", "320000"], first_price=D("1"), step_price=D("1"))
    assert codes(exc) == {"regions": ["region_taken"]}
    assert "江苏省 is in the zone 江浙沪 already" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        zone_update(zone=city, regions=["330200", "310000"])
    assert "上海市 is in the zone 江浙沪 already" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        zone_create(contract=contract, name="江浙沪", regions=["340000"], first_price=D("1"), step_price=D("1"))
    assert codes(exc) == {"name": ["zone_name_taken"]}
    # a zone keeps its own regions on update; names are stored
    zone_update(zone=jzh, regions=["330000", "320000"], first_price=D("11"))
    assert sorted(ZoneRegion.objects.filter(zone=jzh).values_list("code", "name")) == [
        ("320000", "江苏省"), ("330000", "浙江省")]
    # another contract may use the same regions
    other = contract_create(carrier=Carrier.objects.get(code="SF"), name="特快")
    zone_create(contract=other, name="江浙沪", regions=["330000"], first_price=D("20"), step_price=D("5"))
    zone_delete(zone=city)
    assert Zone.objects.filter(contract=contract).count() == 1


def test_contracts_for_quoting_loads_valid_active_cards_in_three_queries(erp):
    sf = carrier_create(code="SF", name="顺丰")
    today = timezone.localdate()
    cards_made = []
    for n, terms in enumerate([{}, {"valid_to": today - timedelta(days=1)}, {"valid_from": today + timedelta(days=1)},
                               {"active": False}, {"valid_from": today - timedelta(days=9), "valid_to": today}]):
        c = contract_create(carrier=sf, name=f"c{n}", **terms)
        zone_create(contract=c, name="浙江", regions=["330000"], first_price=D("12"), step_price=D("2"))
        zone_create(contract=c, name="宁波", regions=["330200", "330100"], first_price=D("8"), step_price=D("1"))
        cards_made.append(c)
    with CaptureQueriesContext(connection) as captured:
        cards = contracts_for_quoting(on=today)
    done = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(done) == 3, done  # contracts with their carriers, zones, regions
    assert [c.contract_name for c in cards] == ["c0", "c4"]
    quotes = quote(QuoteRequest("330000", "330200", [(D("1.2"), None, None, None)]), cards)
    assert [(q.contract_name, q.zone_name, q.price) for q in quotes] == [("c0", "宁波", D("9.00")),
                                                                         ("c4", "宁波", D("9.00"))]
    assert [c.contract_name for c in contracts_for_quoting(on=today + timedelta(days=1))] == ["c0", "c2"]


def test_the_demo_makes_two_rate_cards_once_and_they_quote(erp):
    assert seed_carriers_demo() is True
    assert seed_carriers_demo() is False
    cards = contracts_for_quoting()
    assert sorted(c.carrier_code for c in cards) == ["DBL", "SF"]
    cixi, urumqi, guangzhou = (QuoteRequest("330000", "330200", [(D("3"), None, None, None)]),
                               QuoteRequest("650000", "650100", [(D("3"), None, None, None)]),
                               QuoteRequest("440000", "440100", [(D("30"), D("80"), D("60"), D("50"))]))
    near, far, big = quote_many([cixi, urumqi, guangzhou], cards)
    assert [(q.carrier_code, q.zone_name, q.price) for q in near] == [
        ("SF", "宁波同城", D("12.36")), ("DBL", "江浙沪", D("50.00"))]
    assert {q.carrier_code: q.zone_name for q in far} == {"SF": "偏远", "DBL": "偏远"}
    # 80×60×50: 40 kg at 6000 (SF), 30 kg at 8000 (Deppon) — the freight line is far cheaper for the big box
    by_code = {q.carrier_code: q for q in big}
    assert (by_code["SF"].chargeable_kg, by_code["DBL"].chargeable_kg) == (D("40.000"), D("30.000"))
    assert by_code["DBL"].price == D("110.00") and by_code["SF"].price > D("300")
