"""Enterprise A's people can neither see nor touch enterprise B's MRP, and a run in A reads only A."""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from erp_modules.catalog.models import Item
from erp_modules.mrp import services
from erp_modules.mrp.models import MasterScheduleEntry, MrpRun, PlannedOrder
from erp_modules.mrp.tests.factories import hood_family, make_bom, make_item, week


@pytest.fixture
def two_enterprises(enterprise_pair):
    a, b, alice, bob = enterprise_pair("mrpalpha", "mrpbravo")
    with tenant_context(a):
        fg = make_item("A-ONLY", item_type=Item.Type.FINISHED, lead_time_days=1)
        make_bom(fg, [(make_item("A-PART", item_type=Item.Type.RAW, lead_time_days=1), 1)])
        MasterScheduleEntry.objects.create(item=fg, week_start=week(2), quantity=Decimal(1))
        services.mrp_run_execute(run_id=services.mrp_run_request().pk)
    with tenant_context(b):
        fg, *_ = hood_family()
        MasterScheduleEntry.objects.create(item=fg, week_start=week(2), quantity=Decimal(50))
        services.mrp_run_execute(run_id=services.mrp_run_request().pk)
        b_run = services.mrp_run_execute(run_id=services.mrp_run_request().pk)
        b_order = PlannedOrder.objects.filter(run=b_run).order_by("-pk").first()
    connection.set_schema_to_public()
    return a, b, alice, b_run, b_order


def test_other_enterprises_runs_and_orders_are_404(client, two_enterprises):
    a, b, alice, b_run, b_order = two_enterprises
    client.force_login(alice)
    b_urls = [f"/mrp/runs/{b_run.pk}/", f"/mrp/runs/{b_run.pk}/progress/", f"/mrp/runs/{b_run.pk}/compare/",
              f"/mrp/runs/{b_run.pk}/exceptions/", f"/mrp/orders/{b_order.pk}/",
              f"/mrp/runs/{b_run.pk}/items/{b_order.item_id}/", "/mrp/", "/mrp/schedule/"]
    for url in b_urls:  # on B's host she is nobody
        assert client.get(url, HTTP_HOST="mrpbravo.localhost").status_code == 404, url
    assert client.post(f"/mrp/runs/{b_run.pk}/convert/", {"order": [b_order.pk]},
                       HTTP_HOST="mrpbravo.localhost").status_code == 404
    assert client.post("/mrp/run/", HTTP_HOST="mrpbravo.localhost").status_code == 404
    # on her own host, B's ids do not exist (A has one run and two planned orders)
    host = {"HTTP_HOST": "mrpalpha.localhost"}
    for url in [f"/mrp/runs/{b_run.pk}/", f"/mrp/runs/{b_run.pk}/progress/", f"/mrp/orders/{b_order.pk}/",
                f"/mrp/runs/{b_run.pk}/compare/"]:
        assert client.get(url, **host).status_code == 404, url
    assert client.post(f"/mrp/runs/{b_run.pk}/convert/", {"order": [b_order.pk]}, **host).status_code == 404
    page = client.get("/mrp/", **host).content.decode()
    assert "A-ONLY" in page and "FG-900" not in page and "RM-STEEL" not in page
    with tenant_context(b):
        assert not PlannedOrder.objects.exclude(converted_ref="").exists()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_run_on_the_worker_plans_its_own_enterprise_only(clean_schemas, celery_worker_process, make_enterprise):
    a, b = make_enterprise(), make_enterprise()
    with tenant_context(b):  # B has lots of demand, and an item code A also uses
        fg_b = make_item("SHARED-CODE", item_type=Item.Type.FINISHED, lead_time_days=1)
        MasterScheduleEntry.objects.create(item=fg_b, week_start=week(2), quantity=Decimal(999))
    with tenant_context(a):
        fg, sa, rm, _supplier = hood_family()
        shared = make_item("SHARED-CODE", item_type=Item.Type.FINISHED, lead_time_days=1)
        make_bom(shared, [(rm, 1)])
        MasterScheduleEntry.objects.create(item=fg, week_start=week(3), quantity=Decimal(5))
        run = services.mrp_run_request()  # queued to the worker when this commits
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with tenant_context(a):
            run.refresh_from_db()
        if run.status in ("done", "failed"):
            break
        time.sleep(0.2)
    assert run.status == "done", run.error
    with tenant_context(a):
        planned = dict(PlannedOrder.objects.filter(run=run).values_list("item__code", "quantity"))
        assert planned == {"FG-900": Decimal(5), "SA-FAN": Decimal(6), "RM-STEEL": Decimal(18)}
    with tenant_context(b):
        assert MrpRun.objects.count() == 0 and PlannedOrder.objects.count() == 0
