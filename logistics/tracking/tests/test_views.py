"""The pages and the push callback as they are used: the aggregator's POSTs, the clerk, the manager, the
driver, and another enterprise."""

import json
from io import BytesIO
from urllib.parse import urlencode

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from logistics.carriers.models import Carrier
from logistics.shipments.models import ParcelStatus as S
from logistics.tracking.models import ExceptionTask, PushLog, TrackingEvent
from logistics.tracking.tests.factories import TRACK, make_carrier, make_parcel, push_param, signed
from tenants.models import Role

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


def _post(host, token, body, content_type=FORM):
    return Client().post(f"/logistics/push/{token}/", data=body, content_type=content_type, HTTP_HOST=host)


def test_the_callback_answers_the_aggregators_json_and_never_a_500(erp):
    host = f"{erp.slug}.localhost"
    parcel = make_parcel()
    push = signed(parcel, push_param(waybill=parcel.waybill_number, nodes=TRACK[:2]))
    token = push["callback_token"]
    response = _post(host, token, urlencode({"param": push["param"], "sign": push["sign"]}))
    assert (response.status_code, response.json()) == (200, {"result": True, "returnCode": "200", "message": "成功"})
    # the same keys in a JSON body; the same push: nothing new
    response = _post(host, token, json.dumps({"param": push["param"], "sign": push["sign"]}), "application/json")
    assert response.status_code == 200 and PushLog.objects.order_by("-id").first().outcome == "duplicate"
    assert Client().get(f"/logistics/push/{token}/", HTTP_HOST=host).status_code == 405
    hostile = [
        (urlencode({"param": push["param"], "sign": "forged"}), FORM, 403),
        (urlencode({"param": "{", "sign": "x"}), FORM, 403),  # not signed: refused before it is read
        (urlencode({"sign": "x"}), FORM, 400),
        ("param=%ff%fe&sign=1", FORM, 400),  # not UTF-8 (the input guard)
        ("param=a%00b&sign=1", FORM, 400),  # NUL (the input guard)
        ("{not json", "application/json", 400),
        (json.dumps({"param": 5, "sign": []}), "application/json", 400),
        (json.dumps(["param"]), "application/json", 400),
        ("x" * (1024 * 1024 + 10), FORM, 413),
    ]
    for body, content_type, status in hostile:
        response = _post(host, token, body, content_type)
        assert response.status_code == status, (body[:40], response.content[:200])
        assert response["Content-Type"].startswith("application/json") or status == 400
    assert _post(host, "no-such-token", urlencode({"param": "{}", "sign": "x"})).status_code == 404
    assert TrackingEvent.objects.count() == 2


def test_the_clerk_resolves_a_task_and_the_manager_exports_the_pushes(erp, web):
    parcel = make_parcel()
    nodes = TRACK[:2] + [("2026-12-02 10:00:00", "疑难件：地址不详", "2")]
    Client().post(f"/logistics/push/{parcel.subscription.callback_token}/", HTTP_HOST=f"{erp.slug}.localhost",
                  data=signed(parcel, push_param(waybill=parcel.waybill_number, nodes=nodes)) | {})
    task = ExceptionTask.objects.get()
    viewer = web(Role.VIEWER)
    page = viewer.get("/logistics/tracking/").content.decode()
    assert "疑难件：地址不详" in page and 'id="open-tasks"' not in page
    assert viewer.post(f"/logistics/tracking/tasks/{task.pk}/resolve/", {"resolution": "x"}).status_code == 403
    assert viewer.get("/logistics/tracking/pushes/").status_code == 403
    clerk = web(Role.CLERK)
    assert f'data-task="{task.pk}"' in clerk.get("/logistics/tracking/").content.decode()
    assert clerk.post(f"/logistics/tracking/tasks/{task.pk}/resolve/", {"resolution": "已改地址重派"}).status_code == 302
    task.refresh_from_db()
    assert (task.resolution, task.resolved_at is not None) == ("已改地址重派", True)
    page = clerk.get(f"/logistics/tracking/parcels/{parcel.pk}/").content.decode()
    assert 'data-status="problem"' in page and page.count("data-event-status") == 3
    manager = web(Role.MANAGER)
    assert manager.get("/logistics/tracking/pushes/?outcome=accepted").status_code == 200
    rows = list(load_workbook(BytesIO(manager.get("/logistics/tracking/pushes/?export=xlsx").content)).active.values)
    assert len(rows) == 2 and rows[1][1] == "accepted" and rows[1][2] == parcel.waybill_number


def test_the_driver_updates_an_own_truck_parcel(erp, web):
    truck = make_carrier("OWN", Carrier.Kind.OWN_FLEET)
    parcel = make_parcel(carrier=truck, subscribe=False)
    express = make_parcel(carrier=make_carrier("SF"), subscribe=False)
    clerk = web(Role.CLERK)
    page = clerk.get("/logistics/tracking/driver/").content.decode()
    assert f'value="{parcel.pk}"' in page and f'value="{express.pk}"' not in page
    response = clerk.post("/logistics/tracking/driver/", {"parcel": parcel.pk, "status": "out_for_delivery",
                                                         "location": "慈溪 观海卫", "note": "已装车"})
    assert response.status_code == 302
    event = TrackingEvent.objects.get(parcel=parcel)
    parcel.refresh_from_db()
    assert (event.source, event.area_name, event.context, parcel.status) == ("driver", "慈溪 观海卫", "已装车",
                                                                            S.OUT_FOR_DELIVERY)
    for bad in ({"parcel": express.pk, "status": "delivered"}, {"parcel": "1e309", "status": "delivered"},
                {"parcel": parcel.pk, "status": "lost"}, {"parcel": parcel.pk}, {"parcel": "٣", "note": "x"}):
        assert clerk.post("/logistics/tracking/driver/", bad).status_code == 400
    clerk.post("/logistics/tracking/driver/", {"parcel": parcel.pk, "status": "delivered"})
    parcel.refresh_from_db()
    assert parcel.status == S.DELIVERED and f'value="{parcel.pk}"' not in clerk.get(
        "/logistics/tracking/driver/").content.decode()
    assert web(Role.VIEWER).get("/logistics/tracking/driver/").status_code == 403


def test_another_enterprise_never_reaches_these_objects(enterprise_pair, client):
    a, b, alice, bob = enterprise_pair("trk-a", "trk-b")
    with tenant_context(b):
        b_parcel = make_parcel()
        b_push = signed(b_parcel, push_param(waybill=b_parcel.waybill_number, nodes=TRACK[:3] + [
            ("2026-12-02 10:00:00", "疑难件", "2")]))
        from logistics.tracking.services import push_receive
        push_receive(**b_push)
        b_task = ExceptionTask.objects.get()
    host_a = f"{a.slug}.localhost"
    client.force_login(alice)
    # B's ids on A's host: not found
    assert client.get(f"/logistics/tracking/parcels/{b_parcel.pk}/", HTTP_HOST=host_a).status_code == 404
    assert client.post(f"/logistics/tracking/tasks/{b_task.pk}/resolve/", {"resolution": "x"},
                       HTTP_HOST=host_a).status_code == 404
    with tenant_context(a):
        a_parcel = make_parcel()
    # B's callback token on A's host is unknown there, and writes nothing in A
    response = Client().post(f"/logistics/push/{b_push['callback_token']}/", HTTP_HOST=host_a,
                             data={"param": b_push["param"], "sign": b_push["sign"]})
    assert (response.status_code, response.json()["result"]) == (404, False)
    with tenant_context(a):
        assert (TrackingEvent.objects.count(), ExceptionTask.objects.count()) == (0, 0)
        assert PushLog.objects.get().outcome == "unknown"
        a_parcel.refresh_from_db()
        assert a_parcel.status == S.CREATED
    with tenant_context(b):
        b_task.refresh_from_db()
        assert b_task.resolved_at is None and TrackingEvent.objects.count() == 4
