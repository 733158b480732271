"""The logistics dashboard: its figures on a small known set of shipments, the page for a viewer with its Excel
exports, a constant number of queries, the enterprise home's card, and enterprise A never counting B's rows."""

from __future__ import annotations

import io
import itertools
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from logistics.carriers.models import Carrier
from logistics.reports import selectors
from logistics.shipments.models import Parcel, Shipment
from logistics.tracking.models import ExceptionTask
from tenants.models import Membership, Role

D = Decimal
_n = itertools.count(1)
pytestmark = pytest.mark.django_db


def _at(day, hour: int = 12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _shipment(*, days_ago: int, carrier=None, status="in_transit", promised=None, delivered=None, province="",
              actual=None, quoted=None, order=None, weights=(), prefix="A") -> Shipment:
    from erp_modules.sales.models import Delivery

    n = next(_n)
    delivery = None
    if order is not None:
        delivery = Delivery.objects.create(number=f"{prefix}-DN-{n}", order=order, customer=order.customer)
    shipment = Shipment.objects.create(number=f"{prefix}-SH-{n:04d}", carrier=carrier, status=status,
                                       promised_date=promised, delivered_at=delivered, province_code=province,
                                       actual_freight=actual, quoted_freight=quoted, delivery=delivery,
                                       consignee_name=f"{prefix} 收货人")
    Shipment.objects.filter(pk=shipment.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    for seq, kg in enumerate(weights, start=1):
        Parcel.objects.create(shipment=shipment, seq=seq, carrier=carrier, weight_kg=D(kg),
                              waybill_number=f"{prefix}W{n:05d}{seq}")
    return shipment


def _orders(prefix: str):
    from erp_modules.partners.models import Partner
    from erp_modules.sales.models import SalesOrder

    customer = Partner.objects.create(code=f"{prefix}-C", name=f"{prefix} 客户", is_customer=True)
    return [SalesOrder.objects.create(number=f"{prefix}-SO-{k}", customer=customer, status="confirmed")
            for k in (1, 2)]


def known_set(prefix: str = "A") -> dict:
    """SF: one delivered a day early, one two days late; ZTO: one delivered on the promised day, one in transit
    a day past its promise (with an open exception); a booked one from 200 days ago; a cancelled one."""
    today = timezone.localdate()
    sf = Carrier.objects.create(code=f"{prefix}SF", name=f"{prefix} 顺丰")
    zto = Carrier.objects.create(code=f"{prefix}ZTO", name=f"{prefix} 中通")
    so1, so2 = _orders(prefix)
    s1 = _shipment(days_ago=10, carrier=sf, status="delivered", promised=today - timedelta(days=5),
                   delivered=_at(today - timedelta(days=6)), province="330000", actual=D("20"), order=so1,
                   weights=("2", "3"), prefix=prefix)
    _shipment(days_ago=10, carrier=sf, status="delivered", promised=today - timedelta(days=5),
              delivered=_at(today - timedelta(days=3)), province="330000", quoted=D("10"), order=so1, weights=("5",),
              prefix=prefix)
    _shipment(days_ago=8, carrier=zto, status="delivered", promised=today - timedelta(days=2),
              delivered=_at(today - timedelta(days=2), 23), province="310000", actual=D("30"), order=so2,
              weights=("10",), prefix=prefix)
    s4 = _shipment(days_ago=4, carrier=zto, status="in_transit", promised=today - timedelta(days=1),
                   province="440000", weights=("1",), prefix=prefix)
    _shipment(days_ago=200, carrier=sf, status="booked", promised=today + timedelta(days=3), province="110000",
              actual=D("100"), weights=("7",), prefix=prefix)
    _shipment(days_ago=1, status="cancelled", promised=today - timedelta(days=10), province="330000", actual=D("5"),
              prefix=prefix)
    ExceptionTask.objects.create(parcel=s4.parcels.get(), kind="no_news", detail=f"{prefix} 三天无更新")
    ExceptionTask.objects.create(parcel=s1.parcels.first(), kind="problem", resolved_at=timezone.now())
    return {"s4": s4}


def test_the_figures_on_a_known_set(make_enterprise):
    enterprise = make_enterprise()
    with tenant_context(enterprise):
        rows = known_set()
        period = selectors.Period.last_days(90)
        assert [(r["status"], r["count"]) for r in selectors.status_counts(period=period)] == [
            ("in_transit", 1), ("delivered", 3), ("cancelled", 1)]
        assert [s.number for s in selectors.late_shipment_list()] == [rows["s4"].number]
        assert [t.detail for t in selectors.open_exception_list()] == ["A 三天无更新"]
        assert [(r["code"], r["delivered"], r["on_time"], r["late"], r["rate"])
                for r in selectors.on_time_by_carrier(period=period)] == [
            ("ASF", 2, 1, 1, D("50.0")), ("AZTO", 1, 1, 0, D("100.0"))]
        assert selectors.on_time_rate(period=period) == (3, 2, D("66.7"))
        # freight: actual, else quoted; the cancelled shipment and the one of 200 days ago are out
        assert selectors.freight_summary(period=period) == {
            "shipments": 4, "orders": 2, "freight": D("60.00"), "weight_kg": D("21.000"), "per_order": D("30.00"),
            "per_shipment": D("15.00"), "per_kg": D("2.86")}
        assert [(r["order"], r["shipments"], r["freight"], r["weight_kg"], r["per_kg"])
                for r in selectors.freight_by_order(period=period)] == [
            ("A-SO-1", 2, D("30.00"), D("10.000"), D("3.00")), ("A-SO-2", 1, D("30.00"), D("10.000"), D("3.00"))]
        from logistics.carriers.regions import region_name
        assert [(r["province"], r["shipments"], r["freight"], r["weight_kg"])
                for r in selectors.freight_by_province(period=period, name_of=region_name)] == [
            ("上海市", 1, D("30.00"), D("10.000")), ("浙江省", 2, D("30.00"), D("10.000")),
            ("广东省", 1, D("0.00"), D("1.000"))]
        # a period of the last 5 days: only the in-transit and the cancelled shipments were created in it; the
        # deliveries of the last 5 days (2 of 3: one on time, one late)
        recent = selectors.Period.last_days(5)
        assert [r["status"] for r in selectors.status_counts(period=recent)] == ["in_transit", "cancelled"]
        assert selectors.on_time_rate(period=recent) == (2, 1, D("50.0"))
        assert selectors.dashboard_card_figures() == {"in_transit": 1, "open_exceptions": 1, "delivered_30d": 3,
                                                      "on_time_rate": D("66.7")}
    connection.set_schema_to_public()


def _viewer_client(enterprise, make_user) -> Client:
    user = make_user()
    Membership.objects.create(user=user, enterprise=enterprise, role=Role.VIEWER)
    client = Client(HTTP_HOST=f"{enterprise.slug}.localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _sheet(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response.status_code
    return list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))


def _page(client, path="/logistics/dashboard/") -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len([q for q in captured.captured_queries
                                           if not q["sql"].startswith("SET search_path")])


def test_the_page_for_a_viewer_its_exports_and_enterprise_a_never_counting_b(make_enterprise, make_user):
    a, b = make_enterprise(), make_enterprise()
    with tenant_context(b):
        known_set("B")
        for _ in range(5):
            _shipment(days_ago=2, status="in_transit", province="330000", actual=D("999"), weights=("50",),
                      prefix="B")
    with tenant_context(a):
        known_set("A")
    connection.set_schema_to_public()
    client = _viewer_client(a, make_user)
    _page(client)  # warm up (the member's last-seen stamp)
    page, queries = _page(client)
    assert 'id="figure-shipments">4<' in page and 'id="figure-on-time">66.7%<' in page
    assert 'id="figure-late">1 / 1<' in page and "A 三天无更新" in page
    assert "data-chart=" in page and "echarts.min.js" in page and "<script>" not in page
    assert "B-SH" not in page and "B 顺丰" not in page and "B 收货人" not in page and "B 三天无更新" not in page
    rows = _sheet(client.get("/logistics/dashboard/?export=xlsx&table=freight-by-province"))
    assert rows == [("Province", "Code", "Shipments", "Weight (kg)", "Freight", "Freight per kg"),
                    ("上海市", "310000", 1, 10.0, 30.0, 3.0), ("浙江省", "330000", 2, 10.0, 30.0, 3.0),
                    ("广东省", "440000", 1, 1.0, 0.0, 0.0)]
    rows = _sheet(client.get("/logistics/dashboard/?export=xlsx&table=late-shipments"))
    assert len(rows) == 2 and rows[1][0].startswith("A-SH-") and rows[1][-1] == 1
    # a fixed number of queries: more shipments cost nothing more
    with tenant_context(a):
        for _ in range(10):
            _shipment(days_ago=3, status="delivered", promised=timezone.localdate(), delivered=timezone.now(),
                      province="330000", actual=D("1"), weights=("1", "2"))
    connection.set_schema_to_public()
    page, more = _page(client)
    assert more == queries and 'id="figure-shipments">14<' in page
    # the enterprise home's card
    home = client.get("/").content.decode()
    assert 'id="logistics-card-in-transit">1<' in home and "/logistics/dashboard/" in home
    # a period: bad input is a field error, not a 500
    page, _queries = _page(client, "/logistics/dashboard/?date_from=2026-02-30&date_to=%EF%BC%91")
    assert "invalid-feedback" in page
    page, _queries = _page(client, "/logistics/dashboard/?date_from=2026-12-01&date_to=2026-11-01")
    assert "The end is before the start." in page


def test_the_home_card_stays_away_without_shipments(make_enterprise, make_user):
    enterprise = make_enterprise()
    client = _viewer_client(enterprise, make_user)
    home = client.get("/").content.decode()
    assert 'id="logistics-card"' not in home
    assert client.get("/logistics/dashboard/").status_code == 200
    # a non-member gets the host's 404
    stranger = Client(HTTP_HOST=f"{enterprise.slug}.localhost")
    stranger.force_login(make_user())
    assert stranger.get("/logistics/dashboard/").status_code == 404
