"""The MRP pages: workbench with progress, filters, export, pegging, chart, comparison, conversion,
master schedule, kits, and who may do what."""

import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from erp_modules.mrp import services
from erp_modules.mrp.models import MasterScheduleEntry, MrpRun, PlannedOrder
from erp_modules.mrp.tests.factories import hood_family, week
from erp_modules.purchasing.models import PurchaseOrder
from tenants.models import Membership, Role


@pytest.fixture
def site(make_enterprise, make_user):
    """An enterprise with the hood family, a master schedule, and one user per role."""
    owner = make_user(email="boss@mrp.test")
    enterprise = make_enterprise(slug="mrpview", owner=owner)
    users = {"owner": owner}
    for role in (Role.VIEWER, Role.CLERK, Role.MANAGER):
        users[role] = make_user(email=f"{role}@mrp.test")
        Membership.objects.create(user=users[role], enterprise=enterprise, role=role)
    with tenant_context(enterprise):
        fg, sa, rm, supplier = hood_family()
        MasterScheduleEntry.objects.create(item=fg, week_start=week(3), quantity=Decimal(5))
    connection.set_schema_to_public()
    return enterprise, users, {"fg": fg, "sa": sa, "rm": rm}


HOST = {"HTTP_HOST": "mrpview.localhost"}


def _run(enterprise) -> MrpRun:
    """What the worker does after the page queued a run."""
    with tenant_context(enterprise):
        run = MrpRun.objects.get(status="queued")
        return services.mrp_run_execute(run_id=run.pk)


def test_a_clerk_runs_mrp_from_the_workbench_and_sees_the_result(client, site):
    enterprise, users, items = site
    client.force_login(users[Role.CLERK])
    empty = client.get("/mrp/", **HOST)
    assert empty.status_code == 200 and 'id="no-run"' in empty.content.decode()

    response = client.post("/mrp/run/", {"bucket": "week"}, **HOST)
    assert response.status_code == 302
    page = client.get("/mrp/", **HOST).content.decode()
    assert 'id="mrp-progress"' in page and 'hx-trigger="every 1s"' in page  # queued: polled
    with tenant_context(enterprise):
        run_id = MrpRun.objects.get().pk
    progress = client.get(f"/mrp/runs/{run_id}/progress/", **HOST)
    assert progress.status_code == 200 and "HX-Refresh" not in progress
    assert client.post("/mrp/run/", {"bucket": "week"}, follow=True, **HOST).status_code == 200  # refused, politely
    run = _run(enterprise)
    assert run.status == "done"
    progress = client.get(f"/mrp/runs/{run_id}/progress/", **HOST)
    assert progress["HX-Refresh"] == "true"

    page = client.get("/mrp/", **HOST).content.decode()
    assert 'id="planned-orders"' in page and "FG-900" in page and "RM-STEEL" in page
    assert 'name="order"' not in page  # a clerk does not convert
    assert re.search(r'id="count-buy">\s*1<', page) and re.search(r'id="count-make">\s*2<', page)


def test_filters_search_and_export(client, site):
    enterprise, users, items = site
    with tenant_context(enterprise):
        run = services.mrp_run_execute(run_id=services.mrp_run_request().pk)
    client.force_login(users[Role.VIEWER])
    buy = client.get("/mrp/?order_type=buy", **HOST).content.decode()
    assert ">RM-STEEL</a>" in buy and ">SA-FAN</a>" not in buy  # (reasons name the parents)
    found = client.get("/mrp/?q=SA-F", **HOST).content.decode()
    assert ">SA-FAN</a>" in found and ">RM-STEEL</a>" not in found
    none = client.get("/mrp/?exception=missing_bom", **HOST).content.decode()
    assert 'id="planned-orders"' in none and "<a href=\"/mrp/orders/" not in none
    with tenant_context(enterprise):
        supplier_id = PlannedOrder.objects.get(run=run, item=items["rm"]).supplier_id
    by_supplier = client.get(f"/mrp/?supplier={supplier_id}", **HOST).content.decode()
    assert ">RM-STEEL</a>" in by_supplier and ">FG-900</a>" not in by_supplier
    export = client.get("/mrp/?export=xlsx&order_type=make", **HOST)
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and {r[0] for r in rows[1:]} == {"FG-900", "SA-FAN"}
    assert rows[1][3] in (5, 6)  # quantities stay numbers


def test_pegging_drill_down_and_time_phased_chart(client, site):
    enterprise, users, items = site
    with tenant_context(enterprise):
        run = services.mrp_run_execute(run_id=services.mrp_run_request().pk)
        rm_order = PlannedOrder.objects.get(run=run, item=items["rm"])
        sa_order = PlannedOrder.objects.get(run=run, item=items["sa"])
    client.force_login(users[Role.VIEWER])
    page = client.get(f"/mrp/orders/{rm_order.pk}/", **HOST).content.decode()
    assert 'id="pegging-tree"' in page and f'/mrp/orders/{sa_order.pk}/' in page
    assert ">FG-900 油烟机 900</a>" in page  # through SA-FAN up to FG-900
    assert rm_order.reason_zh in page or rm_order.reason_en in page
    sa_page = client.get(f"/mrp/orders/{sa_order.pk}/", **HOST).content.decode()
    assert f"/mrp/orders/{rm_order.pk}/" in sa_page  # the component order it needs
    chart_page = client.get(f"/mrp/runs/{run.pk}/items/{items['sa'].pk}/", **HOST).content.decode()
    assert "vendor/echarts-5.6/echarts.min.js" in chart_page
    spec = json.loads(re.search(r"data-chart='([^']+)'", chart_page).group(1).replace("&#39;", "'"))
    assert [s["type"] for s in spec["series"]] == ["bar", "bar", "line"]
    assert spec["series"][2]["values"][:3] == [4.0, 4.0, 0.0]
    assert len(spec["labels"]) == len(spec["series"][0]["values"])


def test_comparison_exceptions_runs_schedule_and_kits_pages(client, site):
    enterprise, users, items = site
    with tenant_context(enterprise):
        services.mrp_run_execute(run_id=services.mrp_run_request().pk)
        MasterScheduleEntry.objects.update(quantity=Decimal(7))
        run = services.mrp_run_execute(run_id=services.mrp_run_request().pk)
    client.force_login(users[Role.CLERK])
    compare = client.get(f"/mrp/runs/{run.pk}/compare/", **HOST).content.decode()
    assert 'id="compare-info"' in compare and "FG-900" in compare
    only_qty = client.get(f"/mrp/runs/{run.pk}/compare/?change=date", **HOST).content.decode()
    assert "FG-900" not in only_qty
    assert client.get(f"/mrp/runs/{run.pk}/compare/?export=xlsx", **HOST).status_code == 200
    assert client.get(f"/mrp/runs/{run.pk}/exceptions/", **HOST).status_code == 200
    assert client.get(f"/mrp/runs/{run.pk}/exceptions/?export=xlsx", **HOST).status_code == 200
    assert client.get(f"/mrp/runs/{run.pk}/", **HOST).status_code == 200
    assert client.get("/mrp/runs/", **HOST).status_code == 200
    assert client.get("/mrp/kits/", **HOST).status_code == 200
    saved = client.post("/mrp/schedule/", {"item": "fg-900", "week": week(5).isoformat(), "quantity": "9"}, **HOST)
    assert saved.status_code == 302
    bad = client.post("/mrp/schedule/", {"item": "NOPE", "week": "", "quantity": "x"}, **HOST)
    assert bad.status_code == 200 and bad.content.decode().count("is-invalid") == 1  # the item, named first
    with tenant_context(enterprise):
        assert MasterScheduleEntry.objects.filter(week_start=week(5), quantity=9).exists()
    client.force_login(users[Role.VIEWER])
    assert client.post("/mrp/schedule/", {"item": "FG-900", "week": week(6).isoformat(), "quantity": "1"},
                       **HOST).status_code == 403
    assert client.post("/mrp/run/", {"bucket": "week"}, **HOST).status_code == 403


def test_a_manager_converts_selected_orders_and_a_clerk_cannot(client, site):
    enterprise, users, items = site
    with tenant_context(enterprise):
        run = services.mrp_run_execute(run_id=services.mrp_run_request().pk)
        rm_order = PlannedOrder.objects.get(run=run, item=items["rm"])
    client.force_login(users[Role.CLERK])
    assert client.post(f"/mrp/runs/{run.pk}/convert/", {"order": [rm_order.pk]}, **HOST).status_code == 403
    client.force_login(users[Role.MANAGER])
    page = client.get("/mrp/", **HOST).content.decode()
    assert 'id="convert-form"' in page and f'value="{rm_order.pk}"' in page
    response = client.post(f"/mrp/runs/{run.pk}/convert/", {"order": [rm_order.pk]}, follow=True, **HOST)
    assert response.status_code == 200 and "PO-00001" in response.content.decode()
    with tenant_context(enterprise):
        assert PurchaseOrder.objects.get().lines.get().item == items["rm"]
        rm_order.refresh_from_db()
        assert rm_order.converted_ref == "PO-00001"
    again = client.post(f"/mrp/runs/{run.pk}/convert/", {"order": [rm_order.pk]}, follow=True, **HOST)
    assert "PO-00001" in again.content.decode()  # "already converted into PO-00001"
    with tenant_context(enterprise):
        assert PurchaseOrder.objects.count() == 1


def test_an_in_house_subassembly_takes_its_routings_lead_time_and_exceptions_are_counted_by_kind(site):
    """SA-FAN has no lead time of its own but a routing (60 min setup + 2 min a unit for a minimum order of
    300: 660 min = 2 working days): planned with 2 days, not reported; FG-900 without either is; the
    exceptions page counts each kind and filters by it."""
    from django.test import Client

    from erp_modules.catalog.models import Item, Routing, RoutingOperation, WorkCenter

    enterprise, users, items = site
    with tenant_context(enterprise):
        Item.objects.filter(pk__in=[items["sa"].pk, items["fg"].pk]).update(lead_time_days=0)
        Item.objects.filter(pk=items["sa"].pk).update(min_order_qty=Decimal(300))
        routing = Routing.objects.create(item=items["sa"], name="装配")
        center = WorkCenter.objects.create(code="WC-FAN", name="风机线")
        RoutingOperation.objects.create(routing=routing, sequence=10, name="绕线", work_center=center,
                                        setup_minutes=Decimal(60), run_minutes_per_unit=Decimal(2))
        run = services.mrp_run_execute(run_id=services.mrp_run_request().pk)
        sa_orders = list(PlannedOrder.objects.filter(run=run, item=items["sa"]))
        assert sa_orders and all(o.lead_time_days == 2 and not o.missing_lead_time for o in sa_orders)
        missing = set(run.exceptions.filter(kind="missing_lead_time").values_list("item_id", flat=True))
        assert missing == {items["fg"].pk}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users[Role.CLERK])
    page = client.get(f"/mrp/runs/{run.pk}/exceptions/", **HOST).content.decode()
    count = re.search(r'data-kind="missing_lead_time">missing lead time <span class="badge[^"]*">(\d+)</span>', page)
    assert count and int(count.group(1)) == run.exceptions.filter(kind="missing_lead_time").count()
    only = client.get(f"/mrp/runs/{run.pk}/exceptions/?kind=missing_lead_time", **HOST).content.decode()
    assert "FG-900" in only and "SA-FAN" not in only
