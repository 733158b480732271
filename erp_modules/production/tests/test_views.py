"""Production pages through the test client on the enterprise's own host."""

import io
import re
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from erp_modules.production.models import OperationReport, WorkOrder, Worker
from erp_modules.production.services import (IssueLine, work_order_complete, work_order_create,
                                             work_order_issue_components, work_order_release,
                                             work_order_report_operation)
from erp_modules.production.tests.factories import D, range_hood, stock_range_hood_parts
from tenants.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def factory(make_enterprise, make_user):
    """An enterprise with range-hood parts in stock; the owner (English UI) is logged in."""
    owner = make_user(email="owner@factory.test", language="en")
    enterprise = make_enterprise(slug="cixi-hoods", owner=owner)
    with tenant_context(enterprise):
        parts = range_hood()
        stock_range_hood_parts(parts)
        yield enterprise, owner, parts


def _host(enterprise):
    return {"HTTP_HOST": f"{enterprise.slug}.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}


def _member(make_user, enterprise, role):
    user = make_user(language="en")
    Membership.objects.create(user=user, enterprise=enterprise, role=role)
    return user


def test_create_release_issue_report_complete_through_the_pages(client, factory):
    enterprise, owner, parts = factory
    client.force_login(owner)
    host = _host(enterprise)

    # the item choice reloads the form with that item's BOM versions and its only routing preselected
    form = client.get(f"/production/work-orders/new/?item={parts['hood'].pk}", **host)
    assert form.status_code == 200
    assert f'<option value="{parts["routing"].pk}" selected>' in form.content.decode()

    created = client.post("/production/work-orders/new/", {
        "item": parts["hood"].pk, "quantity": "10", "routing": parts["routing"].pk,
        "planned_start": "2030-05-06", "planned_end": "2030-05-08", "note": "客户 A 订单"}, **host)
    wo = WorkOrder.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/production/work-orders/{wo.pk}/"
    assert (wo.number, wo.quantity, wo.planned_start, wo.created_by_id) == ("WO-00001", D(10), date(2030, 5, 6),
                                                                           owner.pk)

    assert client.post(f"/production/work-orders/{wo.pk}/release/", **host).status_code == 302
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.RELEASED

    rows = {c.item.code: c for c in wo.components.select_related("item")}
    issued = client.post(f"/production/work-orders/{wo.pk}/issue/", {
        f"qty_{rows['MOTOR'].pk}": "10", f"lot_{rows['MOTOR'].pk}": "M-A",
        f"qty_{rows['STEEL'].pk}": "26", f"qty_{rows['SCREW'].pk}": ""}, **host)
    assert issued.status_code == 302
    rows = {c.item.code: c for c in wo.components.select_related("item")}
    assert (rows["MOTOR"].quantity_issued, rows["STEEL"].quantity_issued, rows["SCREW"].quantity_issued) == (10, 26, 0)

    stamping, assembly = wo.operations.order_by("sequence")
    zhang = Worker.objects.create(code="W01", name="张三")
    form = client.get(f"/production/work-orders/{wo.pk}/", **host).content.decode()
    # the operator is chosen: the enterprise's workers, then its members without a worker row yet
    assert f'<option value="w{zhang.pk}">W01 张三</option>' in form and f'value="m{owner.pk}"' in form
    for op, good, operator in ((stamping, "10", f"w{zhang.pk}"), (assembly, "10", f"m{owner.pk}")):
        reported = client.post(f"/production/work-orders/{wo.pk}/report/", {
            "operation": op.pk, "worker": operator, "quantity_good": good, "quantity_scrap": "0",
            "minutes": "30", "work_date": "2030-05-06"}, **host)
        assert reported.status_code == 302
    assert OperationReport.objects.count() == 2
    member_worker = Worker.objects.get(user_id=owner.pk)  # made for the member when first chosen
    assert sorted(OperationReport.objects.values_list("worker_id", "operator_name")) == sorted(
        [(zhang.pk, "张三"), (member_worker.pk, member_worker.name)])

    completed = client.post(f"/production/work-orders/{wo.pk}/complete/", {}, **host)
    assert completed.status_code == 302
    wo.refresh_from_db()
    assert (wo.status, wo.quantity_produced) == (WorkOrder.Status.COMPLETED, D(10))

    detail = client.get(f"/production/work-orders/{wo.pk}/", **host)
    html = detail.content.decode()
    assert detail.status_code == 200
    assert 'data-status="completed"' in html
    assert "M-A" in html and "WO-00001" in html  # traceability: component lot and output lot
    # (motors 10 × 110 + steel 26 × 9 + stamping 30 min at 60/h + assembly 30 min at 36/h
    #  + pay 10 × 1.5 + 10 × 3.2) / 10
    assert wo.unit_cost == D("142.9") and 'id="unit-cost">¥142.90<' in html


def test_detail_shows_field_errors_and_keeps_posted_values(client, factory):
    enterprise, owner, parts = factory
    client.force_login(owner)
    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=10, routing=parts["routing"]))
    rows = {c.item.code: c for c in wo.components.select_related("item")}
    stamping = wo.operations.order_by("sequence").first()

    issue = client.post(f"/production/work-orders/{wo.pk}/issue/", {
        f"qty_{rows['MOTOR'].pk}": "2", f"qty_{rows['SCREW'].pk}": "81"}, **_host(enterprise))
    report = client.post(f"/production/work-orders/{wo.pk}/report/", {
        "operation": stamping.pk, "worker": "", "quantity_good": "3", "work_date": "2030-05-06"},
        **_host(enterprise))

    assert issue.status_code == 400
    assert "Line 1 (MOTOR 电机): this component is tracked by lot; say which lot is issued." in issue.content.decode()
    assert f'name="qty_{rows["SCREW"].pk}" inputmode="decimal" value="81"' in issue.content.decode()
    assert report.status_code == 400
    assert 'id="error-worker"' in report.content.decode()
    assert "Choose who did the work (the piece-rate pay goes to them)." in report.content.decode()
    assert not wo.components.filter(quantity_issued__gt=0).exists()


def test_release_error_names_the_short_component(client, factory):
    enterprise, owner, parts = factory
    client.force_login(owner)
    wo = work_order_create(item=parts["hood"], quantity=30)  # 30 motors needed, 20 in stock

    response = client.post(f"/production/work-orders/{wo.pk}/release/", follow=True, **_host(enterprise))

    assert "MOTOR 电机: 30 个 needed, 20 available (10 short)" in response.content.decode()
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.DRAFT


def test_list_search_filter_sort_and_excel_export(client, factory):
    enterprise, owner, parts = factory
    client.force_login(owner)
    first = work_order_create(item=parts["hood"], quantity=10, note="急单")
    second = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=5))

    page = client.get("/production/work-orders/", **_host(enterprise)).content.decode()
    released = client.get("/production/work-orders/?status=released", **_host(enterprise)).content.decode()
    searched = client.get("/production/work-orders/?q=急单", **_host(enterprise)).content.decode()
    export = client.get("/production/work-orders/?export=xlsx&sort=number", **_host(enterprise))

    assert page.index(second.number) < page.index(first.number)  # newest number first
    assert second.number in released and first.number not in released
    assert first.number in searched and second.number not in searched
    assert export["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Number", "Item code", "Item", "Quantity")
    assert [(r[0], r[1], r[3], r[6]) for r in rows[1:]] == [("WO-00001", "RH-01", 10, "draft"),
                                                           ("WO-00002", "RH-01", 5, "released")]


def test_piece_rate_page_totals_per_operator_and_exports(client, factory):
    enterprise, owner, parts = factory
    client.force_login(owner)
    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=10, routing=parts["routing"]))
    stamping, assembly = wo.operations.order_by("sequence")
    work_order_report_operation(work_order=wo, operation=stamping, quantity_good=6, operator_name="张三",
                                work_date=date(2030, 5, 6))
    work_order_report_operation(work_order=wo, operation=stamping, quantity_good=4, operator_name="张三",
                                work_date=date(2030, 5, 7))
    work_order_report_operation(work_order=wo, operation=assembly, quantity_good=5, operator_name="李四",
                                work_date=date(2030, 5, 7))
    work_order_report_operation(work_order=wo, operation=assembly, quantity_good=5, operator_name="李四",
                                work_date=date(2030, 6, 1))  # outside the period

    period = "date_from=2030-05-01&date_to=2030-05-31"
    page = client.get(f"/production/piece-rates/?{period}", **_host(enterprise))
    export = client.get(f"/production/piece-rates/?{period}&export=xlsx", **_host(enterprise))
    lines = client.get(f"/production/piece-rates/?{period}&worker=张三&export=xlsx", **_host(enterprise))
    worker_page = client.get(f"/production/piece-rates/?{period}&worker=张三", **_host(enterprise))

    assert page.status_code == 200 and 'id="total-pay">¥31.00<' in page.content.decode()
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("Operator", "Reports", "Good", "Scrap", "Pieces", "Minutes", "Pay")
    assert sorted(rows[1:]) == [("张三", 2, 10, 0, 10, 0, 15), ("李四", 1, 5, 0, 5, 0, 16)]
    assert 'id="total-pay">¥15.00<' in worker_page.content.decode()
    line_rows = list(load_workbook(io.BytesIO(lines.content)).active.iter_rows(values_only=True))
    assert [(r[1], r[4], r[9]) for r in line_rows[1:]] == [("WO-00001", 4, 6), ("WO-00001", 6, 9)]


def test_trace_page_goes_back_from_a_finished_lot(client, factory):
    enterprise, owner, parts = factory
    client.force_login(owner)
    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=2))
    rows = {c.item.code: c for c in wo.components.select_related("item")}
    work_order_issue_components(work_order=wo, lines=[IssueLine(rows["MOTOR"], 2, lot="M-B")])
    work_order_complete(work_order=wo, quantity=2)

    page = client.get("/production/trace/?item=RH-01&lot=WO-00001", **_host(enterprise)).content.decode()
    unknown = client.get("/production/trace/?item=NOPE&lot=X", **_host(enterprise)).content.decode()

    back = page[page.index('id="trace-back"'):page.index('id="trace-forward"')]
    assert "WO-00001" in back and "M-B" in back
    assert 'id="error-item"' in unknown


def test_roles_viewer_reads_clerk_reports_manager_releases(client, factory, make_user):
    enterprise, _owner, parts = factory
    wo = work_order_create(item=parts["hood"], quantity=10, routing=parts["routing"])
    viewer = _member(make_user, enterprise, Role.VIEWER)
    clerk = _member(make_user, enterprise, Role.CLERK)

    client.force_login(viewer)
    assert client.get(f"/production/work-orders/{wo.pk}/", **_host(enterprise)).status_code == 200
    assert client.get("/production/work-orders/new/", **_host(enterprise)).status_code == 403
    assert client.post(f"/production/work-orders/{wo.pk}/release/", **_host(enterprise)).status_code == 403
    client.force_login(clerk)
    assert client.post(f"/production/work-orders/{wo.pk}/release/", **_host(enterprise)).status_code == 403
    assert client.post(f"/production/work-orders/{wo.pk}/cancel/", **_host(enterprise)).status_code == 403
    detail = client.get(f"/production/work-orders/{wo.pk}/", **_host(enterprise)).content.decode()
    assert 'id="release-button"' not in detail

    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.DRAFT
    assert client.get(f"/production/work-orders/{wo.pk + 100}/", **_host(enterprise)).status_code == 404


def test_clerk_issues_everything_still_needed_with_one_button(client, factory, make_user):
    enterprise, _owner, parts = factory
    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=4))
    clerk = _member(make_user, enterprise, Role.CLERK)
    client.force_login(clerk)

    page = client.get(f"/production/work-orders/{wo.pk}/", **_host(enterprise)).content.decode()
    response = client.post(f"/production/work-orders/{wo.pk}/issue-remaining/", **_host(enterprise))

    assert 'id="issue-remaining-button"' in page
    assert response.status_code == 302
    assert {c.item.code: c.quantity_issued for c in wo.components.select_related("item")} == {
        "MOTOR": D(4), "STEEL": D("10.4"), "SCREW": D(32)}
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.IN_PROGRESS


def test_issue_remaining_through_the_page_posts_what_is_left_then_shows_the_page_again_with_the_refusal(client,
                                                                                                       factory):
    # given a released work order for 10 hoods, its parts in stock
    enterprise, owner, parts = factory
    client.force_login(owner)
    host = _host(enterprise)
    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=10))

    # when "issue the rest" is posted, then every component is issued, one line each, back on the work order
    issued = client.post(f"/production/work-orders/{wo.pk}/issue-remaining/", **host)
    assert issued.status_code == 302 and issued["Location"] == f"/production/work-orders/{wo.pk}/"
    assert [str(m) for m in get_messages(issued.wsgi_request)] == ["3 issue lines posted."]
    assert {c.item.code: c.quantity_remaining for c in wo.components.select_related("item")} == {
        "MOTOR": 0, "STEEL": 0, "SCREW": 0}

    # ... and once more, with nothing left: the page again, 400, with the refusal
    again = client.post(f"/production/work-orders/{wo.pk}/issue-remaining/", **host)
    assert again.status_code == 400
    assert again.context["issue_errors"] == ["Every component has been issued in full."]


def test_the_history_shows_field_labels_status_labels_and_names_and_no_change_of_nothing(client, factory, make_user):
    # given a work order without routing, created and released by a manager with a name
    enterprise, owner, parts = factory
    manager = make_user(language="en", full_name="王经理")
    Membership.objects.create(user=manager, enterprise=enterprise, role=Role.MANAGER)
    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=10, user=manager), user=manager)
    client.force_login(manager)
    # when the page is read
    page = client.get(f"/production/work-orders/{wo.pk}/", **_host(enterprise)).content.decode()
    # then the changes are labelled, the status by its label, quantities plain, the routing (none) not at all
    history = page[page.index("<h2 class=\"h6\">History</h2>"):]
    assert f"BOM version: — → {wo.bom}" in history and "quantity: — → 10<" in history
    assert "status: draft → released" in history and "routing:" not in history and "bom:" not in history
    assert "王经理" in history and manager.email not in history


def test_costs_are_money_with_the_symbol_and_unit_costs_keep_their_decimals(client, factory):
    # given a released work order of 10 hoods (planned cost known from the BOM and the routing)
    enterprise, owner, parts = factory
    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=10, routing=parts["routing"]))
    client.force_login(owner)
    # when its page is read
    html = client.get(f"/production/work-orders/{wo.pk}/", **_host(enterprise)).content.decode()
    table = html[html.index('id="cost-table"'):html.index("</table>", html.index('id="cost-table"'))]
    # then every amount of the cost table is money with ¥ and 2 decimals (a unit cost up to 4 when not zeros)
    amounts = re.findall(r'<td class="text-end"[^>]*>([^<]*)</td>', table)
    assert amounts and all(re.fullmatch(r"¥-?[\d,]+\.\d{2}(\d{1,2})?", a) for a in amounts), amounts


def test_the_money_filter_of_production_pages():
    from erp_modules.production.templatetags.production_tags import money
    assert [money(D("18")), money(D("1480.8")), money(D("1.8"), 4), money(D("0.12345"), 4), money(None)] == [
        "¥18.00", "¥1,480.80", "¥1.80", "¥0.1235", "—"]


def test_workers_are_kept_by_a_manager_and_chosen_only_from_the_own_enterprise(client, factory, make_enterprise,
                                                                                make_user):
    """A manager adds and deactivates workers (numbers unique); an inactive worker and another enterprise's
    worker id are refused on the report form; a clerk cannot edit workers."""
    enterprise, owner, parts = factory
    host = _host(enterprise)
    client.force_login(owner)
    created = client.post("/production/workers/new/", {"code": "w07", "name": " 王  五 ", "active": "on"}, **host)
    assert created.status_code == 302
    wang = Worker.objects.get(code="W07")
    assert wang.name == "王 五" and wang.active
    taken = client.post("/production/workers/new/", {"code": "W07", "name": "重复"}, **host)
    assert taken.status_code == 400 and "Worker number W07 is already taken." in taken.content.decode()
    listing = client.get("/production/workers/?q=W07", **host).content.decode()
    assert "王 五" in listing
    assert client.get("/production/workers/?export=xlsx", **host).status_code == 200
    assert client.post(f"/production/workers/{wang.pk}/edit/", {"code": "W07", "name": "王五"}, **host).status_code == 302
    wang.refresh_from_db()
    assert (wang.name, wang.active) == ("王五", False)

    wo = work_order_release(work_order=work_order_create(item=parts["hood"], quantity=10, routing=parts["routing"]))
    stamping = wo.operations.order_by("sequence").first()
    inactive = client.post(f"/production/work-orders/{wo.pk}/report/", {
        "operation": stamping.pk, "worker": f"w{wang.pk}", "quantity_good": "1", "work_date": "2030-05-06"}, **host)
    assert inactive.status_code == 400 and not OperationReport.objects.exists()

    other = make_enterprise(slug="other-hoods")
    with tenant_context(other):  # ids past every worker of this enterprise
        foreign = [Worker.objects.create(code=f"X{n:02d}", name="外厂工人") for n in range(5)][-1]
    with tenant_context(enterprise):
        assert not Worker.objects.filter(pk=foreign.pk).exists()
        assert client.get(f"/production/workers/{foreign.pk}/edit/", **host).status_code == 404
        refused = client.post(f"/production/work-orders/{wo.pk}/report/", {
            "operation": stamping.pk, "worker": f"w{foreign.pk}", "quantity_good": "1", "work_date": "2030-05-06"},
            **host)
        assert refused.status_code == 400 and not OperationReport.objects.exists()
    clerk = _member(make_user, enterprise, Role.CLERK)
    client.force_login(clerk)
    assert client.post("/production/workers/new/", {"code": "W08", "name": "赵六"}, **host).status_code == 403
