"""The page that changes a draft's consignee, address, pickup time, value and carrier; booked ones are frozen;
enterprise A cannot reach B's shipment by its id."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from erp_modules.common.models import AuditEntry
from logistics.carriers.tests.factories import rate_card
from logistics.shipments.models import Shipment
from logistics.shipments.services import shipment_create
from logistics.shipments.tests.factories import carrier
from logistics.shipments.tests.walk_objects import make_shipments_walk_objects
from tenants.models import Membership, Role

pytestmark = pytest.mark.django_db
D = Decimal


def _draft(owner, **fields) -> Shipment:
    values = {"direction": "standalone", "consignee_name": "宁波美厨 李经理", "consignee_phone": "0574-87650000",
              "address": "浙江省宁波市江北区长兴路 8 号", "goods_value": D("2000"), "user": owner}
    return shipment_create(**{**values, **fields})


def _form(shipment: Shipment, **changes) -> dict:
    data = {"consignee_name": shipment.consignee_name, "consignee_phone": shipment.consignee_phone,
            "address": shipment.address, "pickup_at": "", "goods_value": str(shipment.goods_value),
            "carrier": shipment.carrier_id or "", "contract": shipment.contract_id or "", "note": shipment.note}
    return {**data, **changes}


def test_a_clerk_edits_a_draft_and_the_address_is_read_again(erp, web, owner):
    # given a draft to 宁波江北, and a contract of SF
    shipment = _draft(owner)
    assert (shipment.province_code, shipment.city_code, shipment.district_code) == ("330000", "330200", "330205")
    contract = rate_card("SF")
    detail = web.get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    assert f'href="/logistics/shipments/{shipment.pk}/edit/"' in detail
    url = f"/logistics/shipments/{shipment.pk}/edit/"
    page = web.get(url)
    assert page.status_code == 200 and "宁波美厨 李经理" in page.content.decode()
    # when the clerk moves it to 杭州西湖区, changes the consignee, pickup time, value and carrier
    response = web.post(url, _form(shipment, consignee_name="杭州老板电器 王工", consignee_phone="0571-88880000",
                                     address="浙江省杭州市西湖区文三路 90 号", pickup_at="2026-12-08T15:30",
                                     goods_value="3500.50", carrier=contract.carrier_id, contract=contract.pk,
                                     note="周二下午揽收"))
    # then it is saved, the region codes are those of the new address, and the change is audited
    assert response.status_code == 302 and response["Location"] == f"/logistics/shipments/{shipment.pk}/"
    shipment.refresh_from_db()
    assert (shipment.consignee_name, shipment.consignee_phone) == ("杭州老板电器 王工", "0571-88880000")
    assert (shipment.province_code, shipment.city_code, shipment.district_code) == ("330000", "330100", "330106")
    assert shipment.region_name == "浙江省 杭州市 西湖区"
    assert shipment.goods_value == D("3500.50") and shipment.note == "周二下午揽收"
    assert (shipment.carrier_id, shipment.contract_id) == (contract.carrier_id, contract.pk)
    assert shipment.pickup_at.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None) == datetime(2026, 12, 8, 15, 30)
    assert AuditEntry.objects.filter(object_type="logistics_shipments.shipment", object_id=shipment.pk,
                                     action="update").count() == 1
    # the form shows the saved values again, the pickup time in the page's local time
    page = web.get(url).content.decode()
    assert 'value="2026-12-08T15:30"' in page and "浙江省 杭州市 西湖区" in page


def test_bad_input_names_the_field_and_changes_nothing(erp, web, owner):
    shipment = _draft(owner)
    sf, other = rate_card("SF"), carrier("ZTO", "中通快递")
    url = f"/logistics/shipments/{shipment.pk}/edit/"
    cases = [
        ({"address": "火星基地 1 号"}, "address", "No province or city was found"),
        ({"address": "浙江省文三路 90 号"}, "address", "No city of 浙江省 was found"),
        ({"address": ""}, "address", "This field is required"),
        ({"consignee_name": "   "}, "consignee_name", "This field is required"),
        ({"goods_value": "-1"}, "goods_value", ""),
        ({"goods_value": "NaN"}, "goods_value", ""),
        ({"goods_value": "1e309"}, "goods_value", ""),
        ({"pickup_at": "tomorrow"}, "pickup_at", ""),
        ({"carrier": "999999"}, "carrier", ""),
        ({"carrier": other.pk, "contract": sf.pk}, "contract", "The contract is not with this carrier"),
    ]
    for changes, field, text in cases:
        response = web.post(url, _form(shipment, **changes))
        page = response.content.decode()
        assert response.status_code == 400, changes
        assert f'id="error-{field}"' in page, (changes, field)
        assert text in page, (changes, text)
    after = Shipment.objects.get(pk=shipment.pk)
    assert (after.address, after.district_code, after.goods_value, after.carrier_id, after.contract_id) == (
        shipment.address, "330205", D("2000.00"), None, None)


def test_a_booked_shipment_is_frozen(erp, web, owner):
    ids = make_shipments_walk_objects("a", owner)
    shipment = Shipment.objects.get(pk=ids["logistics_shipment"])
    assert shipment.status == "booked"
    detail = web.get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    assert f"/logistics/shipments/{shipment.pk}/edit/" not in detail
    url = f"/logistics/shipments/{shipment.pk}/edit/"
    for response in (web.get(url, follow=True), web.post(url, _form(shipment, consignee_name="改名"), follow=True)):
        assert response.redirect_chain[-1][0] == f"/logistics/shipments/{shipment.pk}/"
        assert f"{shipment.number} is booked; only a draft shipment can be edited." in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.consignee_name == "走查收货人 a"


def test_a_viewer_cannot_edit(erp, web, owner, make_user):
    shipment = _draft(owner)
    viewer = make_user()
    Membership.objects.create(user=viewer, enterprise=erp, role=Role.VIEWER)
    client = web
    client.force_login(viewer)
    url = f"/logistics/shipments/{shipment.pk}/edit/"
    assert client.get(url).status_code == 403
    assert client.post(url, _form(shipment, consignee_name="改名")).status_code == 403
    assert f'href="{url}"' not in client.get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    shipment.refresh_from_db()
    assert shipment.consignee_name == "宁波美厨 李经理"


def test_enterprise_a_cannot_edit_b_s_shipment_by_its_id(client, enterprise_pair):
    a, b, alice, bob = enterprise_pair("ship-edit-a", "ship-edit-b")
    with tenant_context(a):
        mine = _draft(alice, consignee_name="A 的收货人")
    with tenant_context(b):
        _draft(bob, consignee_name="B 的第一个")
        theirs = _draft(bob, consignee_name="B 的收货人")
    assert theirs.pk != mine.pk  # A has no shipment with B's id
    connection.set_schema_to_public()
    client.force_login(alice)
    url = f"/logistics/shipments/{theirs.pk}/edit/"
    for host in (f"{a.slug}.localhost", f"{b.slug}.localhost"):
        assert client.get(url, HTTP_HOST=host).status_code == 404, host
        assert client.post(url, _form(theirs, consignee_name="被改了"), HTTP_HOST=host).status_code == 404, host
    # on B's host even A's own id is not found (alice is no member there)
    own = f"/logistics/shipments/{mine.pk}/edit/"
    assert client.post(own, _form(mine, consignee_name="被改了"), HTTP_HOST=f"{b.slug}.localhost").status_code == 404
    with tenant_context(b):
        assert sorted(Shipment.objects.values_list("consignee_name", flat=True)) == ["B 的收货人", "B 的第一个"]
    with tenant_context(a):
        assert Shipment.objects.get().consignee_name == "A 的收货人"
