"""The shortage list across orders (缺货清单) and "Check availability for all": list contents and
figures, filters, Excel export, query count, priority, one failing order, the background check
(on the real worker), roles and tenant isolation. Real PostgreSQL, real services."""

import io
import threading
import time
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from core import jobs
from core.testing import run_together
from erp_modules.catalog.models import Item
from erp_modules.common.selectors import audit_history
from erp_modules.inventory.models import Location, Reservation
from erp_modules.inventory.selectors import stock_available
from erp_modules.sales.models import AvailabilityCheck, SalesOrder
from erp_modules.sales.selectors import sales_order_lines, sales_shortage_list
from erp_modules.sales.services import (availability_check_execute, availability_check_request, delivery_create,
                                        sales_order_cancel, sales_order_confirm, sales_order_create,
                                        sales_order_reserve_available, sales_orders_reserve_available)
from erp_modules.sales.tests.factories import (D, main_location, make_customer, make_filter, make_hood, make_install,
                                               make_item, make_kit, order_for, receive)
from tenants.models import Membership, Role

HOOD = "Line 1 (HOOD-900 油烟机 CXW-900)"


def day(n: int):
    return timezone.localdate() + timedelta(days=n)


def short_order(customer, *lines, due: int | None = None, confirm: bool = True) -> SalesOrder:
    """An order with (item, quantity) lines and a requested delivery date `due` days from today,
    confirmed to order (reserving what is in stock now)."""
    order = sales_order_create(customer=customer, delivery_date=day(due) if due is not None else None,
                               lines=[{"item": item, "quantity": D(q), "unit_price": D(100)} for item, q in lines])
    return sales_order_confirm(order=order, allow_shortage=True) if confirm else order


def rows(qs=None) -> list[tuple]:
    """(order, customer, item, ordered, delivered, reserved, short, available, can reserve, limiting component)."""
    qs = sales_shortage_list() if qs is None else qs
    return [(line.order.number, line.order.customer.name, line.item.code, line.quantity, line.delivered_qty,
             line.reserved_quantity, line.short_quantity, line.available_quantity, line.can_reserve,
             line.limiting_component) for line in qs]


def reserved(order) -> Decimal:
    """Open quantity reserved for an order, all items."""
    return sum((r.quantity - r.consumed for r in Reservation.objects.filter(
        reference_type="sales_order", reference_id=order.pk, status="active")), D(0))


@pytest.fixture
def shop(erp):
    """Two customers; SO-00001 (美厨, due in 10 days): 10 hoods (4 reserved), 3 motors (none), 5 filters
    (reserved); SO-00002 (老板, due in 5 days): 3 kits of 1 hood + 2 filters (filters reserved, no
    hood left); SO-00003 draft, SO-00004 fully reserved, SO-00005 cancelled; then 2 hoods received."""
    meichu, laoban = make_customer("宁波美厨电器销售有限公司"), make_customer("杭州老板厨具经销部")
    hood = make_hood("HOOD-900", stock=4)
    motor = make_item("MOT-01", name="电机")
    filter_item = make_filter(stock=20)
    install = make_install()
    kit = make_kit((hood, 1), (filter_item, 2), (install, 1))
    first = short_order(meichu, (hood, 10), (motor, 3), (filter_item, 5), (install, 1), due=10)
    second = short_order(laoban, (kit, 3), due=5)
    short_order(meichu, (motor, 7), due=1, confirm=False)
    short_order(laoban, (filter_item, 2), due=1)
    sales_order_cancel(order=short_order(laoban, (motor, 9), due=1))
    receive(hood, 2)
    return {"first": first, "second": second, "hood": hood, "motor": motor, "filter": filter_item, "kit": kit,
            "meichu": meichu, "laoban": laoban}


# ---- the list --------------------------------------------------------------------------------


def test_the_list_shows_every_short_line_of_open_orders_by_priority_with_the_figures_of_the_order_page(shop):
    # then the kit order, due first, comes first: no complete kit reserved, 2 hoods free make 2 more
    # kits, the hood limits; then the hoods and motors of SO-00001 (its filters are reserved, the
    # installation is a service); drafts, fully reserved and cancelled orders are not there
    assert rows() == [
        ("SO-00002", "杭州老板厨具经销部", "KIT-900", D(3), D(0), D(0), D(3), D(2), True, "HOOD-900 油烟机 CXW-900"),
        ("SO-00001", "宁波美厨电器销售有限公司", "HOOD-900", D(10), D(0), D(4), D(6), D(2), True, None),
        ("SO-00001", "宁波美厨电器销售有限公司", "MOT-01", D(3), D(0), D(0), D(3), D(0), False, None),
    ]
    # and reserved / short are exactly what the order pages show
    for line in sales_shortage_list():
        view = next(v for v in sales_order_lines(order=line.order) if v.line.pk == line.pk)
        assert (line.reserved_quantity, line.short_quantity) == (view.reserved, view.short)


def test_after_a_partial_delivery_the_backorder_still_short_stays_on_the_list(shop):
    # given the 4 reserved hoods of SO-00001 delivered
    first, hood = shop["first"], shop["hood"]
    delivery_create(order=first, lines=[{"order_line": first.lines.get(item=hood), "quantity": D(4)}])
    first.refresh_from_db()
    assert first.status == SalesOrder.Status.PARTIALLY_DELIVERED
    # then its hood line is listed with 4 delivered, none reserved and 6 short
    hood_rows = [r for r in rows() if r[0] == "SO-00001" and r[2] == "HOOD-900"]
    assert hood_rows == [("SO-00001", "宁波美厨电器销售有限公司", "HOOD-900", D(10), D(4), D(0), D(6), D(2), True, None)]


def test_a_kit_shows_the_component_that_limits_even_after_a_check_and_complete_kits_only(erp):
    # given kits (套, whole) of 1 hood + 2 filters: 2 of 3 kits' hoods reserved, 3 filters reserved
    hood = make_hood("HOOD-900", stock=2)
    filter_item = make_filter(stock=3)
    kit = make_kit((hood, 1), (filter_item, 2))
    short_order(make_customer("宁波美厨电器销售有限公司"), (kit, 3), due=3)
    # then 1 complete kit is reserved (2 hoods, 3 filters), 2 are short, nothing is free: the filters limit
    assert rows() == [("SO-00001", "宁波美厨电器销售有限公司", "KIT-900", D(3), D(0), D(1), D(2), D(0), False,
                       "FLT-01 油网")]
    # when 2 filters arrive, then a check would make 1 more kit (2 hoods, 5 filters): now the hoods limit
    receive(filter_item, 2)
    assert rows()[0][5:] == (D(1), D(2), D(1), True, "HOOD-900 油烟机 CXW-900")
    # when 5 hoods and 10 filters arrive, then a check would reserve everything: the component
    # that limits is the one least covered now
    receive(hood, 5)
    receive(filter_item, 10)
    assert rows()[0][5:] == (D(1), D(2), D(2), True, "FLT-01 油网")


def test_filters_customer_item_incl_kit_components_delivery_dates_and_can_be_reserved_now(shop):
    def listed(**filters):
        return [(r[0], r[2]) for r in rows(sales_shortage_list(**filters))]

    assert listed(customer=shop["meichu"]) == [("SO-00001", "HOOD-900"), ("SO-00001", "MOT-01")]
    assert listed(customer=shop["laoban"]) == [("SO-00002", "KIT-900")]
    assert listed(item=shop["hood"]) == [("SO-00002", "KIT-900"), ("SO-00001", "HOOD-900")]  # the kit needs hoods
    assert listed(item=shop["motor"]) == [("SO-00001", "MOT-01")]
    assert listed(delivery_from=day(6)) == [("SO-00001", "HOOD-900"), ("SO-00001", "MOT-01")]
    assert listed(delivery_to=day(5)) == [("SO-00002", "KIT-900")]
    assert listed(delivery_from=day(6), delivery_to=day(9)) == []
    assert listed(reservable=True) == [("SO-00002", "KIT-900"), ("SO-00001", "HOOD-900")]
    assert listed(reservable=False) == [("SO-00001", "MOT-01")]
    assert listed(search="电机") == [("SO-00001", "MOT-01")]


def test_the_page_filters_sorts_and_exports_the_filtered_rows_to_excel(shop, web):
    hood = shop["hood"]
    page = web.get("/sales/shortages/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Shortage list" in html and "杭州老板厨具经销部" in html and "HOOD-900 油烟机 CXW-900" in html
    assert f'href="/sales/orders/{shop["second"].pk}/">SO-00002</a>' in html
    assert 'id="check-all"' in html  # the owner may check
    # the export has every filtered row, numbers as numbers
    export = web.get("/sales/shortages/?export=xlsx")
    assert export["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = [tuple(v.date() if hasattr(v, "date") else v for v in row)
             for row in openpyxl.load_workbook(io.BytesIO(export.content)).active.values]
    assert sheet[0] == ("Sales order", "Customer", "Delivery date", "Item", "Item name", "Ordered", "Delivered",
                        "Reserved", "Short", "Unit", "Available", "Limited by", "Ship from")
    assert [row[:4] + row[5:12] for row in sheet[1:]] == [
        ("SO-00002", "杭州老板厨具经销部", day(5), "KIT-900", 3, 0, 0, 3, "套", 2, "HOOD-900 油烟机 CXW-900"),
        ("SO-00001", "宁波美厨电器销售有限公司", day(10), "HOOD-900", 10, 0, 4, 6, "个", 2, None),
        ("SO-00001", "宁波美厨电器销售有限公司", day(10), "MOT-01", 3, 0, 0, 3, "个", 0, None),
    ]
    assert {row[12] for row in sheet[1:]} == {"WH/STOCK"}

    def exported(query: str) -> list[tuple]:
        response = web.get(f"/sales/shortages/?{query}&export=xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return [(row[0], row[3]) for row in list(sheet.values)[1:]]

    assert exported(f"customer={shop['meichu'].pk}") == [("SO-00001", "HOOD-900"), ("SO-00001", "MOT-01")]
    assert exported(f"item={hood.pk}") == [("SO-00002", "KIT-900"), ("SO-00001", "HOOD-900")]
    assert exported(f"delivery_from={day(6).isoformat()}&delivery_to={day(10).isoformat()}") == [
        ("SO-00001", "HOOD-900"), ("SO-00001", "MOT-01")]
    assert exported("reservable=true") == [("SO-00002", "KIT-900"), ("SO-00001", "HOOD-900")]
    assert exported("reservable=false&q=MOT") == [("SO-00001", "MOT-01")]
    assert exported("sort=-order__delivery_date") == [("SO-00001", "HOOD-900"), ("SO-00001", "MOT-01"),
                                                      ("SO-00002", "KIT-900")]
    assert exported("sort=-short_quantity")[0] == ("SO-00001", "HOOD-900")
    assert exported("delivery_from=not-a-date&customer=999999") == exported("")  # unknown values: no filter
    # the filter widgets offer the customers, items and requested dates of open orders
    assert f'<option value="{day(5).isoformat()}"' in html and f'<option value="{hood.pk}"' in html
    assert f'value="{shop["laoban"].pk}"' in html


def test_the_page_costs_the_same_number_of_queries_for_one_row_and_for_a_full_page(erp, web):
    customer = make_customer()
    hood = make_hood("HOOD-900", stock=1)
    filter_item = make_filter()
    kit = make_kit((hood, 1), (filter_item, 2))
    short_order(customer, (hood, 3), due=1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = web.get("/sales/shortages/")
        assert response.status_code == 200
        return len(captured.captured_queries)

    web.get("/sales/")  # the first request of a session also notes when the member was last seen
    one = queries()
    assert len(rows()) == 1
    for n in range(15):
        other = make_customer(f"客户 {n}")
        short_order(other, (hood, 2), (kit, 1), (make_item(f"PART-{n}"), 5), due=n + 2)
    receive(hood, 3)
    assert len(rows()) == 46
    assert queries() == one


# ---- check availability for all ----------------------------------------------------------------


def test_the_earlier_requested_delivery_date_gets_scarce_stock_first(erp):
    # given three orders for 5 hoods each, confirmed with none in stock: SO-00001 due in 20 days,
    # SO-00002 due in 3 days, SO-00003 without a date
    customer = make_customer()
    hood = make_hood("HOOD-900")
    late, early, undated = (short_order(customer, (hood, 5), due=20), short_order(customer, (hood, 5), due=3),
                            short_order(customer, (hood, 5)))
    # when 6 hoods arrive and availability is checked for all
    receive(hood, 6)
    report = sales_orders_reserve_available()
    # then the earliest date gets 5, the later one the last 1, the undated one nothing
    assert (reserved(early), reserved(late), reserved(undated)) == (D(5), D(1), D(0))
    assert [(o.number, o.reserved, o.still_short, o.error) for o in report.orders] == [
        ("SO-00002", [f"{HOOD}: 5 个"], [], ""),
        ("SO-00001", [f"{HOOD}: 1 个"], [f"{HOOD}: 4 个"], ""),
        ("SO-00003", [], [f"{HOOD}: 5 个"], ""),
    ]
    assert (report.orders_checked, report.lines_reserved, report.lines_short, report.orders_failed) == (3, 2, 2, 0)
    assert stock_available(item=hood, location=main_location()) == D(0)
    assert audit_history(obj=late).first().message == (f"Availability checked, reserved {HOOD}: 1 个; "
                                                       f"still short: {HOOD}: 4 个")
    # when it runs again with nothing new, then nothing changes and nothing is written
    history = audit_history(obj=late).count()
    again = sales_orders_reserve_available()
    assert [o.number for o in again.orders] == ["SO-00001", "SO-00003"]  # the short ones only
    assert (again.lines_reserved, again.lines_short) == (0, 2)
    assert (reserved(early), reserved(late), reserved(undated)) == (D(5), D(1), D(0))
    assert audit_history(obj=late).count() == history


def test_same_date_then_order_date_then_number_decide(erp):
    customer = make_customer()
    hood = make_hood("HOOD-900")
    newer = sales_order_create(customer=customer, order_date=day(0), delivery_date=day(4),
                               lines=[{"item": hood, "quantity": D(2), "unit_price": D(1)}])
    older = sales_order_create(customer=customer, order_date=day(-2), delivery_date=day(4),
                               lines=[{"item": hood, "quantity": D(2), "unit_price": D(1)}])
    twin = sales_order_create(customer=customer, order_date=day(0), delivery_date=day(4),
                              lines=[{"item": hood, "quantity": D(2), "unit_price": D(1)}])
    for order in (twin, older, newer):
        sales_order_confirm(order=order, allow_shortage=True)
    receive(hood, 3)
    report = sales_orders_reserve_available(orders=[twin, newer.pk, older])
    assert [o.number for o in report.orders] == [older.number, newer.number, twin.number]
    assert (reserved(older), reserved(newer), reserved(twin)) == (D(2), D(1), D(0))


def test_one_failing_order_keeps_nothing_and_does_not_undo_the_others(erp):
    # given SO-00001 (due first) for 2 hoods; SO-00002 for a kit of 1 hood + 1 pack; SO-00003 for
    # 1 hood; nothing in stock; then packs arrive and the pack becomes a service item (so reserving
    # it fails after the kit's hood was reserved) and 4 hoods arrive
    customer = make_customer()
    hood = make_hood("HOOD-900")
    pack = make_item("PACK-01", name="包装箱")
    kit = make_kit((hood, 1), (pack, 1))
    first, broken, last = (short_order(customer, (hood, 2), due=1), short_order(customer, (kit, 1), due=2),
                           short_order(customer, (hood, 1), due=3))
    receive(pack, 5)
    Item.objects.filter(pk=pack.pk).update(item_type=Item.Type.SERVICE)
    receive(hood, 4)
    history = audit_history(obj=broken).count()
    # when availability is checked for all
    report = sales_orders_reserve_available()
    # then the broken order is reported and keeps nothing (not even its hood); the others keep theirs
    assert [(o.number, o.reserved, o.error) for o in report.orders] == [
        ("SO-00001", [f"{HOOD}: 2 个"], ""),
        ("SO-00002", [], "service items are not kept in stock."),
        ("SO-00003", [f"{HOOD}: 1 个"], ""),
    ]
    assert (reserved(first), reserved(broken), reserved(last)) == (D(2), D(0), D(1))
    assert stock_available(item=hood, location=main_location()) == D(1)
    assert audit_history(obj=broken).count() == history
    assert (report.orders_checked, report.lines_reserved, report.lines_short, report.orders_failed) == (3, 2, 0, 1)


@pytest.mark.django_db(transaction=True)
def test_two_checks_for_all_at_the_same_moment_never_reserve_more_than_is_in_stock(clean_schemas, make_enterprise):
    # given two orders for 10 hoods each, confirmed with none in stock, then 12 hoods received
    enterprise = make_enterprise()
    with tenant_context(enterprise):
        customer = make_customer()
        hood = make_hood("HOOD-900")
        late, early = short_order(customer, (hood, 10), due=9), short_order(customer, (hood, 10), due=2)
        receive(hood, 12)
    barrier = threading.Barrier(2)
    errors = []

    def check_all():
        try:
            with tenant_context(enterprise):
                barrier.wait(timeout=10)
                sales_orders_reserve_available()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when two clerks' checks for all run at once
    threads = [threading.Thread(target=check_all) for _ in range(2)]
    run_together(threads)
    # then the 12 hoods are reserved once, by priority
    assert errors == []
    with tenant_context(enterprise):
        assert (reserved(early), reserved(late)) == (D(10), D(2))
        assert stock_available(item=hood, location=main_location()) == D(0)


def test_given_orders_that_are_not_open_or_do_not_exist_are_reported_not_checked(erp):
    customer = make_customer()
    hood = make_hood("HOOD-900")
    draft = short_order(customer, (hood, 1), confirm=False)
    report = sales_orders_reserve_available(orders=[draft, 999999])
    assert [(o.order_id, o.number, o.error) for o in report.orders] == [
        (draft.pk, "SO-00001", "SO-00001 is draft; it cannot be checked for availability."),
        (999999, "", "There is no sales order 999999.")]
    assert Reservation.objects.count() == 0


def test_the_background_check_runs_by_priority_records_its_summary_and_one_at_a_time(shop):
    # given the shop: 2 hoods free, wanted by the kit order (due in 5 days) and SO-00001 (10 days)
    check = availability_check_request()
    assert check.status == "queued"
    with pytest.raises(ValidationError) as exc:
        availability_check_request()
    assert [e.code for e in exc.value.error_list] == ["check_in_progress"]
    # when the worker runs it (the task body)
    check = availability_check_execute(check_id=check.pk)
    # then the kit order got the 2 hoods (2 complete kits), SO-00001 nothing more; the summary says so
    assert check.status == "done" and check.started_at and check.finished_at
    assert (check.orders_total, check.orders_done, check.lines_reserved, check.lines_short, check.orders_failed) == (
        2, 2, 1, 3, 0)
    assert check.summary == "2 orders checked, 1 line reserved, 3 lines still short"
    assert [(r["number"], r["reserved"], r["still_short"], r["error"]) for r in check.results] == [
        ("SO-00002", "Line 1 (KIT-900 油烟机套装), component HOOD-900: 2 个",
         "Line 1 (KIT-900 油烟机套装), component HOOD-900: 1 个", ""),
        ("SO-00001", "", f"{HOOD}: 6 个; Line 2 (MOT-01 电机): 3 个", ""),
    ]
    assert rows()[0][2:8] == ("KIT-900", D(3), D(0), D(2), D(1), D(0))
    # and running the finished check again does nothing; a new one may start
    assert availability_check_execute(check_id=check.pk).results == check.results
    assert availability_check_request().status == "queued"


def test_a_check_left_running_by_a_dead_worker_does_not_block_the_next_one(erp):
    stale = AvailabilityCheck.objects.create(status="running")  # nobody holds the lock
    fresh = availability_check_request()
    stale.refresh_from_db()
    assert (stale.status, stale.error) == ("failed", "The background worker stopped before finishing this check.")
    assert fresh.status == "queued"


# ---- pages and roles ---------------------------------------------------------------------------


def test_a_clerk_starts_the_check_from_the_list_sees_progress_then_the_summary_and_a_viewer_cannot(
        shop, client, make_user):
    erp = Membership.objects.filter(role=Role.OWNER).first().enterprise
    viewer, clerk = make_user(), make_user()
    Membership.objects.create(user=viewer, enterprise=erp, role=Role.VIEWER)
    Membership.objects.create(user=clerk, enterprise=erp, role=Role.CLERK)
    host = {"HTTP_HOST": f"{erp.slug}.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
    # a viewer reads the list but may not check
    client.force_login(viewer)
    page = client.get("/sales/shortages/", **host)
    assert page.status_code == 200 and 'id="check-all"' not in page.content.decode()
    assert client.post("/sales/shortages/check/", **host).status_code == 403
    assert AvailabilityCheck.objects.count() == 0 and reserved(shop["second"]) == D(6)
    # a clerk starts it: the list shows the progress, polled
    client.force_login(clerk)
    response = client.post("/sales/shortages/check/", follow=True, **host)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="availability-progress"' in html and 'hx-trigger="every 1s"' in html
    check = AvailabilityCheck.objects.get()
    progress = client.get(f"/sales/shortages/checks/{check.pk}/progress/", **host)
    assert progress.status_code == 200 and "HX-Refresh" not in progress
    again = client.post("/sales/shortages/check/", follow=True, **host).content.decode()
    assert "An availability check is already queued; wait for it to finish." in again
    # when the worker has run it, the progress asks for a refresh and the list shows the summary
    availability_check_execute(check_id=check.pk)
    assert client.get(f"/sales/shortages/checks/{check.pk}/progress/", **host)["HX-Refresh"] == "true"
    html = client.get("/sales/shortages/", **host).content.decode()
    assert "2 orders checked, 1 line reserved, 3 lines still short" in html
    detail = client.get(f"/sales/shortages/checks/{check.pk}/", **host).content.decode()
    assert "SO-00002" in detail and "component HOOD-900: 2 个" in detail
    assert AvailabilityCheck.objects.get().created_by == clerk
    assert audit_history(obj=shop["second"]).first().user_id == clerk.pk


def test_links_to_the_list_from_the_order_list_the_short_order_and_the_sales_navigation(shop, web):
    orders = web.get("/sales/orders/").content.decode()
    assert 'href="/sales/shortages/" id="shortage-link"' in orders
    assert 'href="/sales/shortages/">Shortages</a>' in orders  # the sales tabs
    short = web.get(f"/sales/orders/{shop['first'].pk}/").content.decode()
    assert 'href="/sales/shortages/?order=SO-00001" id="shortage-link"' in short
    # the link shows that order's lines only (a search for SO-00001 would also find SO-000010 …)
    listed = web.get("/sales/shortages/?order=SO-00001").content.decode()
    assert "SO-00001" in listed and "SO-00002" not in listed.split("<tbody")[1]
    full = order_for(shop["meichu"], (shop["filter"], 1, "12"), confirm=True)
    assert 'id="shortage-link"' not in web.get(f"/sales/orders/{full.pk}/").content.decode()


# ---- tenant isolation --------------------------------------------------------------------------


@pytest.fixture
def a_and_b(two_enterprises):
    """A and B each have an order short of hoods with hoods free; B's customer and order are secret."""
    a, b, alice, _bob = two_enterprises("short")
    with tenant_context(a):
        hood = make_hood("HOOD-900")
        a_order = short_order(make_customer("甲方自己的客户"), (hood, 5), due=2)
        receive(hood, 2)
    with tenant_context(b):
        hood = make_hood("HOOD-900")
        short_order(make_customer("乙方的秘密客户"), (hood, 1), due=1)
        b_order = short_order(make_customer("乙方的秘密客户"), (hood, 7), due=1)
        receive(hood, 3)
        b_check = availability_check_request()
        b_reservations = list(Reservation.objects.order_by("pk").values_list("pk", "quantity", "status"))
    connection.set_schema_to_public()
    return a, b, alice, a_order, b_order, b_check, b_reservations


def test_as_list_and_export_never_show_bs_lines(client, a_and_b):
    a, _b, alice, _a_order, _b_order, b_check, _res = a_and_b
    client.force_login(alice)
    host = {"HTTP_HOST": f"{a.slug}.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
    for url in ["/sales/shortages/", "/sales/shortages/?export=xlsx"]:
        response = client.get(url, **host)
        assert response.status_code == 200, url
        assert "乙方的秘密客户".encode() not in response.content and b"SO-00002" not in response.content, url
    assert "甲方自己的客户" in client.get("/sales/shortages/", **host).content.decode()
    assert "Nothing found." in client.get("/sales/shortages/?q=秘密", **host).content.decode()
    for url in [f"/sales/shortages/checks/{b_check.pk}/", f"/sales/shortages/checks/{b_check.pk}/progress/"]:
        assert client.get(url, **host).status_code == 404, url
        assert client.get(url, HTTP_HOST=f"{_b.slug}.localhost").status_code == 404, url  # not her enterprise
    assert client.post("/sales/shortages/check/", HTTP_HOST=f"{_b.slug}.localhost").status_code == 404


def test_as_check_for_all_never_touches_b(a_and_b):
    a, b, _alice, a_order, b_order, b_check, b_reservations = a_and_b
    with tenant_context(a):
        report = sales_orders_reserve_available(orders=None)
        assert [o.number for o in report.orders] == ["SO-00001"] and reserved(a_order) == D(2)
        # B's order id given in A is A's own order of that id, if any, never B's
        checked = sales_orders_reserve_available(orders=[b_order.pk]).orders[0]
        if not SalesOrder.objects.filter(pk=b_order.pk).exists():
            assert checked.error == f"There is no sales order {b_order.pk}."
        assert AvailabilityCheck.objects.count() == 0
    with tenant_context(b):
        assert list(Reservation.objects.order_by("pk").values_list("pk", "quantity", "status")) == b_reservations
        assert AvailabilityCheck.objects.get().status == "queued"


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_check_runs_on_the_worker_in_its_own_enterprise_only(clean_schemas, celery_worker_process,
                                                                  make_enterprise):
    a, b = make_enterprise(), make_enterprise()
    with tenant_context(b):  # B has the same item code, a short order and free stock
        hood = make_hood("HOOD-900")
        b_order = short_order(make_customer("乙方的秘密客户"), (hood, 5), due=1)
        receive(hood, 5)
    with tenant_context(a):
        hood = make_hood("HOOD-900")
        customer = make_customer()
        late, early = short_order(customer, (hood, 4), due=9), short_order(customer, (hood, 4), due=2)
        receive(hood, 6)
        check = availability_check_request()  # queued to the worker when this commits
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with tenant_context(a):
            check.refresh_from_db()
        if check.status in ("done", "failed"):
            break
        time.sleep(0.2)
    assert check.status == "done", check.error
    with tenant_context(a):
        assert check.summary == "2 orders checked, 2 lines reserved, 1 line still short"
        assert (reserved(early), reserved(late)) == (D(4), D(2))
    with tenant_context(b):
        assert reserved(b_order) == D(0) and AvailabilityCheck.objects.count() == 0


def test_the_report_is_written_in_the_language_of_the_clerk_who_asked(shop, make_user):
    # given a clerk who reads English, on a site whose default is zh-Hans
    clerk = make_user(language="en")
    with translation.override("zh-hans"):  # as on the worker
        check = availability_check_request(user=clerk)
        # when
        check = availability_check_execute(check_id=check.pk)
    # then the per-order texts are in English, as the clerk will read them
    assert check.results[0]["reserved"].startswith("Line 1 (KIT-900 油烟机套装), component HOOD-900")
    history = [entry.message for entry in audit_history(obj=SalesOrder.objects.get(number="SO-00002"))]
    assert any(message.startswith("Availability checked, reserved Line 1") for message in history)


def _other_worker_first(monkeypatch, between=None):
    """The task delivered twice: this worker has read the check (queued); the other one runs it to the
    end (then `between` happens) before this one takes the lock."""
    original = jobs.schema_advisory_lock
    state = {"first": True}

    def lock(*args):
        if state["first"]:
            state["first"] = False
            monkeypatch.setattr(jobs, "schema_advisory_lock", original)
            availability_check_execute(check_id=AvailabilityCheck.objects.order_by("id").first().pk)
            if between:
                between()
        return original(*args)

    monkeypatch.setattr(jobs, "schema_advisory_lock", lock)


def test_a_second_delivery_of_the_task_after_the_first_finished_does_nothing(erp, monkeypatch):
    # given 10 hoods short, 3 in stock, a check queued
    customer = make_customer()
    hood = make_hood("HOOD-900")
    order = short_order(customer, (hood, 10), due=1)
    receive(hood, 3)
    check = availability_check_request()
    # when the task is delivered twice: the other delivery runs it to the end, 4 more hoods come in and a
    # new check is queued before this one takes the lock
    _other_worker_first(monkeypatch, between=lambda: (receive(hood, 4), availability_check_request()))
    availability_check_execute(check_id=check.pk)
    # then the finished check is not run again, and the new one is still waiting for its own task
    assert reserved(order) == D(3)
    assert list(AvailabilityCheck.objects.order_by("id").values_list("status", flat=True)) == ["done", "queued"]


def test_in_a_location_that_may_go_negative_the_whole_shortage_is_available(erp):
    order = short_order(make_customer(), (make_hood("HOOD-900"), 4), due=1)
    Location.objects.filter(pk=main_location().pk).update(allow_negative=True)
    line = sales_shortage_list().get()
    assert (line.short_quantity, line.can_reserve, line.available_quantity) == (D(4), True, D(4))
    sales_order_reserve_available(order=order)  # and that is what the check reserves
    assert not sales_shortage_list().exists()
