"""The pages as people use them: viewers read, clerks quote, managers edit carriers, contracts and zones;
hostile input gets field errors; enterprise A never sees nor changes B's rate cards."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from logistics.carriers.models import Carrier, Contract, Zone, ZoneRegion
from logistics.carriers.tests.factories import rate_card
from tenants.models import Role

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_manager_creates_a_carrier_a_contract_and_its_zones(erp, web):
    client = web(Role.MANAGER)
    response = client.post("/logistics/carriers/new/", {"code": "zto", "name": "中通快递", "kind": "express",
                                                        "tracking_code": "zhongtong", "active": "on"})
    carrier = Carrier.objects.get()
    assert (response.status_code, carrier.code) == (302, "ZTO")
    response = client.post("/logistics/contracts/new/", {
        "carrier": carrier.pk, "name": "电商件", "volumetric_divisor": "6000", "min_charge": "0",
        "fuel_surcharge_pct": "2", "active": "on"})
    contract = Contract.objects.get()
    assert response["Location"] == f"/logistics/contracts/{contract.pk}/"
    response = client.post(f"/logistics/contracts/{contract.pk}/zones/new/", {
        "name": "江浙沪", "first_weight_kg": "1", "first_price": "8", "step_kg": "1", "step_price": "1.5",
        "promised_days": "2", "regions": ["330000", "320000", "310000", "330200"]})
    assert response.status_code == 302
    zone = Zone.objects.get()
    # the same region again in another zone: an error naming the region and its zone, nothing written
    taken = client.post(f"/logistics/contracts/{contract.pk}/zones/new/", {
        "name": "华东", "first_weight_kg": "1", "first_price": "10", "step_kg": "1", "step_price": "3",
        "promised_days": "3", "regions": ["340000", "320000"]})
    assert taken.status_code == 400 and "江苏省 is in the zone 江浙沪 already" in taken.content.decode()
    page = client.get(f"/logistics/contracts/{contract.pk}/").content.decode()
    assert 'id="rate-card"' in page and "浙江省、江苏省、上海市、宁波市" in page.replace("上海市、江苏省", "x") or \
        all(name in page for name in ("浙江省", "江苏省", "上海市", "宁波市"))
    response = client.post(f"/logistics/contracts/{contract.pk}/zones/{zone.pk}/", {
        "name": "江浙沪", "first_weight_kg": "1", "first_price": "9", "step_kg": "0.5", "step_price": "1",
        "promised_days": "2", "regions": ["330000"]})
    zone.refresh_from_db()
    assert (response.status_code, zone.first_price, list(zone.regions.values_list("code", flat=True))) == (
        302, D("9"), ["330000"])
    assert client.post(f"/logistics/contracts/{contract.pk}/zones/{zone.pk}/delete/").status_code == 302
    assert Zone.objects.count() == 0
    listing = client.get("/logistics/carriers/?kind=express").content.decode()
    assert "中通快递" in listing
    rows = list(load_workbook(BytesIO(client.get("/logistics/contracts/?export=xlsx").content)).active.values)
    assert rows[1][:3] == ("ZTO", "中通快递", "电商件")


def test_a_clerk_quotes_an_address_and_sees_cheapest_and_fastest(erp, web):
    sf = rate_card("SF")
    dbl = rate_card("DBL", "大件物流", volumetric_divisor=8000, min_charge=D("30"))
    Zone.objects.filter(contract=dbl).update(promised_days=3)
    client = web(Role.CLERK)
    response = client.post("/logistics/quote/", {"address": "浙江省慈溪市古塘街道新城大道北路", "goods_value": "800",
                                                 "weight_1": "2.5", "weight_2": "1", "length_2": "40", "width_2": "30",
                                                 "height_2": "30"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "330000" in page and "330200" in page and "330282" in page and 'id="quotes"' in page
    # SF: 2.5 + 6 (40×30×30/6000) = 8.5 kg → 8 + 8 × 1 = 16; Deppon: 2.5 + 4.5 = 7 kg → 8 + 6 = 14 < 30 minimum
    assert f'data-contract="{sf.pk}"' in page and f'data-contract="{dbl.pk}"' in page
    sf_row = page.split(f'data-contract="{sf.pk}"')[1].split("</tr>")[0]
    assert "¥16.00" in sf_row and 'data-mark="cheapest"' in sf_row and 'data-mark="fastest"' in sf_row
    dbl_row = page.split(f'data-contract="{dbl.pk}"')[1].split("</tr>")[0]
    assert "¥30.00" in dbl_row and "minimum charge" in dbl_row and "data-mark" not in dbl_row
    picked = client.post("/logistics/quote/", {"province": "330000", "city": "330100", "weight_1": "1"})
    assert "江浙沪" in picked.content.decode() and "宁波同城" not in picked.content.decode()
    unparsed = client.post("/logistics/quote/", {"address": "乱七八糟", "weight_1": "1"})
    assert unparsed.status_code == 400 and "No province or city was found" in unparsed.content.decode()


def test_roles_viewer_reads_clerk_quotes_manager_edits(erp, web):
    contract = rate_card()
    zone = contract.zones.first()
    viewer = web(Role.VIEWER)
    for url in ("/logistics/", "/logistics/carriers/", "/logistics/contracts/", f"/logistics/contracts/{contract.pk}/",
                f"/logistics/carriers/{contract.carrier_id}/"):
        assert viewer.get(url).status_code == 200, url
    assert 'id="zone-form"' not in viewer.get(f"/logistics/contracts/{contract.pk}/").content.decode()
    assert viewer.get("/logistics/quote/").status_code == 403
    clerk = web(Role.CLERK)
    assert clerk.get("/logistics/quote/").status_code == 200
    for url in ("/logistics/carriers/new/", "/logistics/contracts/new/", f"/logistics/contracts/{contract.pk}/edit/",
                f"/logistics/contracts/{contract.pk}/zones/{zone.pk}/"):
        assert clerk.get(url).status_code == 403, url
    assert clerk.post(f"/logistics/contracts/{contract.pk}/zones/{zone.pk}/delete/").status_code == 403
    assert clerk.post(f"/logistics/carriers/{contract.carrier_id}/", {"code": "X", "name": "x",
                                                                     "kind": "express"}).status_code == 403
    index = clerk.get("/logistics/").content.decode()
    for link in ("/logistics/carriers/", "/logistics/contracts/", "/logistics/quote/", "/logistics/shipments/",
                 "/logistics/tracking/", "/logistics/dashboard/"):
        assert f'href="{link}"' in index
    assert Zone.objects.count() == 2 and Carrier.objects.get().code == "SF"


HOSTILE = ["\x00", "NaN", "1e309", "١٢", "-1", "9" * 40, "sNaN", "Infinity"]


def test_hostile_input_gets_field_errors_and_writes_nothing(erp, web):
    contract = rate_card()
    zone = contract.zones.first()
    client = web(Role.OWNER)
    for value in HOSTILE:
        responses = [
            client.post("/logistics/carriers/new/", {"code": value, "name": value, "kind": value}),
            client.post(f"/logistics/contracts/{contract.pk}/edit/", {
                "name": "x", "valid_from": "2026-02-30", "volumetric_divisor": value, "min_charge": value,
                "fuel_surcharge_pct": value, "free_over": value}),
            client.post(f"/logistics/contracts/{contract.pk}/zones/new/", {
                "name": "z", "first_weight_kg": value, "first_price": value, "step_kg": value, "step_price": value,
                "promised_days": value, "regions": [value, "330000"]}),
            client.post(f"/logistics/contracts/{contract.pk}/zones/{zone.pk}/", {
                "name": "z", "first_weight_kg": "1", "first_price": "1", "step_kg": "1", "step_price": "1",
                "promised_days": "1", "regions": [value]}),
            client.post("/logistics/quote/", {"address": value, "province": value, "city": value, "goods_value": value,
                                              "weight_1": value, "length_1": value, "width_1": value,
                                              "height_1": value}),
        ]
        assert [r.status_code for r in responses] == [400] * 5, value
        if value != "\x00":  # a NUL byte is refused before the view by core.input_guard (400 too)
            assert ["invalid-feedback" in r.content.decode() for r in responses] == [True] * 5, value
    assert (Carrier.objects.count(), Zone.objects.count(), ZoneRegion.objects.count()) == (1, 2, 4)
    contract.refresh_from_db()
    assert (contract.name, contract.volumetric_divisor) == ("标准快递", 6000)


def test_enterprise_a_cannot_see_or_change_bs_rate_cards(client, enterprise_pair):
    a, b, alice, _bob = enterprise_pair("lc-a", "lc-b")
    with tenant_context(a):
        mine = rate_card("MINE", "甲方合同")
    with tenant_context(b):
        rate_card("B1")
        secret = rate_card("B2", "乙方秘密合同")
        secret_zone = secret.zones.first()
    connection.set_schema_to_public()
    client.force_login(alice)
    for host in (f"{a.slug}.localhost", f"{b.slug}.localhost"):
        assert client.get(f"/logistics/contracts/{secret.pk}/", HTTP_HOST=host).status_code == 404
        assert client.get(f"/logistics/carriers/{secret.carrier_id}/", HTTP_HOST=host).status_code == 404
        assert client.post(f"/logistics/contracts/{secret.pk}/edit/", {
            "name": "hijack", "volumetric_divisor": "6000", "min_charge": "0", "fuel_surcharge_pct": "0"},
            HTTP_HOST=host).status_code == 404
        assert client.post(f"/logistics/contracts/{secret.pk}/zones/{secret_zone.pk}/delete/",
                           HTTP_HOST=host).status_code == 404
        assert client.post(f"/logistics/contracts/{mine.pk}/zones/{secret_zone.pk}/delete/",
                           HTTP_HOST=host).status_code in (404,)
    page = client.get("/logistics/contracts/", HTTP_HOST=f"{a.slug}.localhost").content.decode()
    assert "甲方合同" in page and "乙方秘密合同" not in page
    quoted = client.post("/logistics/quote/", {"province": "330000", "weight_1": "1"},
                         HTTP_HOST=f"{a.slug}.localhost").content.decode()
    assert "MINE" in quoted and "B2" not in quoted
    with tenant_context(b):
        assert Contract.objects.get(pk=secret.pk).name == "乙方秘密合同"
        assert Zone.objects.filter(contract=secret).count() == 2
