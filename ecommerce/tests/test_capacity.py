"""Spare capacity and outsourced processing (外协) on the boards: capacity listings computed from the
supplier's work-order load (posted, recomputed on demand and by the nightly task in the supplier's schema),
processing RFQs from outsourced operations, matching by process, free hours and distance, and isolation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from ecommerce.matching import ProcessingMatchScore, processing_match_score, processing_matches_compute
from ecommerce.models import Listing, Match
from ecommerce.services import listing_matches_refresh
from ecommerce.services.capacity import (capacity_listing_post, capacity_listing_refresh,
                                         capacity_listings_refresh_task, processing_demand_post)
from ecommerce.services.permissions import BoardsPermissionDenied
from ecommerce.tests.factories import category, owner_of, post
from erp_modules.catalog.models import Item, Process
from erp_modules.production.selectors import week_monday
from erp_modules.production.services import work_order_create
from erp_modules.production.tests.factories import routing, work_center
from erp_modules.workspace.testing import make_bom, make_item, receive

pytestmark = pytest.mark.django_db
D = Decimal


def _press(process=Process.STAMPING, hours="40"):
    press = work_center("PRESS")
    press.process, press.hours_per_week = process, D(hours)
    press.save()
    return press


def _part_with_routing(press, *, outsourced: bool = False):
    part = make_item("BRACKET", item_type=Item.Type.SUBASSEMBLY, name="支架")
    sheet = make_item("SHEET")
    make_bom(part, [(sheet, 1)])
    receive(sheet, 1000, "2")
    steps = routing(part, [("冲压", press, "6", "0")])  # 6 min a piece
    if outsourced:
        steps.operations.update(outsourced=True)
    return part, steps


def _load(part, steps, quantity):
    """A work order due today: all its hours are load of this week."""
    today = timezone.localdate()
    return work_order_create(item=part, quantity=quantity, routing=steps, planned_start=today, planned_end=today,
                             note="机密订单 SECRET-WO")


def _weeks(*free):
    monday = week_monday(timezone.localdate())
    return [{"week": (monday + timedelta(days=7 * n)).isoformat(), "free_hours": f} for n, f in enumerate(free)]


def test_a_capacity_listing_shows_free_hours_from_the_load_and_where_the_supplier_is(make_enterprise):
    supplier = make_enterprise(town="观海卫镇")
    with tenant_context(supplier):
        press = _press()
        part, steps = _part_with_routing(press)
        wo = _load(part, steps, 100)  # 100 × 6 min = 10 h this week
    connection.set_schema_to_public()
    cat = category("appl-parts-metal")

    listing = capacity_listing_post(enterprise=supplier, user=owner_of(supplier), work_center_id=press.pk,
                                    board=cat.board, category=cat, weeks=2)

    listing.refresh_from_db()
    assert (listing.kind, listing.trade_type, listing.erp_source, listing.erp_source_id, listing.process) == (
        "supply", "capacity", "work_center", press.pk, "stamping")
    assert listing.capacity_weeks == _weeks("30", "40")
    assert (listing.quantity, listing.unit, listing.status) == (D(70), "h", "published")
    assert (listing.latitude, listing.longitude) == (30.15, 121.40)
    assert listing.capacity_computed_at is not None
    # only the weekly sums leave the supplier's schema: nothing of its work orders is on the listing
    text = f"{listing.title} {listing.description} {listing.attributes} {listing.capacity_weeks}"
    for secret in (wo.number, "SECRET-WO", "BRACKET", "支架", str(wo.pk) + " "):
        assert secret not in text
    # posting the same work center again recomputes its listing rather than posting another
    again = capacity_listing_post(enterprise=supplier, user=owner_of(supplier), work_center_id=press.pk,
                                  board=cat.board, category=cat, weeks=2)
    assert again.pk == listing.pk and Listing.objects.filter(trade_type="capacity").count() == 1


def test_refresh_on_demand_and_by_the_task_in_the_suppliers_schema(make_enterprise):
    supplier, other = make_enterprise(town="周巷镇"), make_enterprise()
    with tenant_context(supplier):
        press = _press()
        part, steps = _part_with_routing(press)
    connection.set_schema_to_public()
    cat = category("appl-parts-metal")
    listing = capacity_listing_post(enterprise=supplier, user=owner_of(supplier), work_center_id=press.pk,
                                    board=cat.board, category=cat, weeks=1)
    assert listing.capacity_weeks == _weeks("40")
    with tenant_context(supplier):
        _load(part, steps, 100)
    connection.set_schema_to_public()
    assert capacity_listing_refresh(listing=listing).capacity_weeks == _weeks("30")

    with tenant_context(supplier):
        _load(part, steps, 150)  # 15 h more
    # the task queued in another enterprise's schema recomputes that enterprise's listings only
    with tenant_context(other):
        assert capacity_listings_refresh_task() == 0
    listing.refresh_from_db()
    assert listing.capacity_weeks == _weeks("30")
    with tenant_context(supplier):
        assert capacity_listings_refresh_task() == 1
    connection.set_schema_to_public()
    listing.refresh_from_db()
    assert listing.capacity_weeks == _weeks("15")


def test_a_processing_rfq_is_posted_from_an_outsourced_operation(make_enterprise):
    buyer = make_enterprise(town="周巷镇")
    with tenant_context(buyer):
        press = _press(process=Process.ELECTROPLATING)
        part, steps = _part_with_routing(press, outsourced=True)
        today = timezone.localdate()
        wo = work_order_create(item=part, quantity=200, routing=steps, planned_start=today,
                               planned_end=today + timedelta(days=20))
        op = wo.operations.get()
    connection.set_schema_to_public()
    cat = category("appl-parts-metal")

    listing = processing_demand_post(enterprise=buyer, user=owner_of(buyer), operation_id=op.pk, board=cat.board,
                                     category=cat)

    listing.refresh_from_db()
    assert (listing.kind, listing.trade_type, listing.is_rfq, listing.process, listing.quantity, listing.unit) == (
        "demand", "processing", True, "plating", D(200), "pcs")
    assert (listing.erp_source, listing.erp_source_id, listing.need_item_id, listing.need_date) == (
        "operation", op.pk, part.pk, today + timedelta(days=20))
    assert (listing.latitude, listing.longitude) == (30.17, 121.14)
    need = sum(D(w["need_hours"]) for w in listing.capacity_weeks)  # 200 × 6 min = 20 h over its weeks
    assert abs(need - D(20)) <= D("0.1") * len(listing.capacity_weeks)
    assert listing.capacity_weeks[0]["week"] == week_monday(today).isoformat()
    assert listing.rfq_deadline > timezone.now()
    with pytest.raises(ValidationError) as exc:
        processing_demand_post(enterprise=buyer, user=owner_of(buyer), operation_id=op.pk, board=cat.board,
                               category=cat)
    assert exc.value.code == "capacity_already_posted"


def _as(listing, **fields):
    Listing.objects.filter(pk=listing.pk).update(**fields)
    listing.refresh_from_db()
    return listing


def test_matching_ranks_capacity_by_process_free_hours_and_distance(make_enterprise):
    buyer = make_enterprise(town="周巷镇")
    near_small, near_full, far_full, wrong = (make_enterprise(town="周巷镇"), make_enterprise(town="观海卫镇"),
                                              make_enterprise(town="象山县"), make_enterprise(town="周巷镇"))
    week = week_monday(timezone.localdate()).isoformat()
    demand = _as(post(buyer, kind="demand", title="外协冲压 支架", is_rfq=True), trade_type="processing",
                 process="stamping", capacity_weeks=[{"week": week, "need_hours": "20"}], latitude=30.17,
                 longitude=121.14)

    def capacity(enterprise, free, position, process="stamping"):
        return _as(post(enterprise, title="冲压富余产能"), trade_type="capacity", process=process,
                   capacity_weeks=[{"week": week, "free_hours": free}], latitude=position[0], longitude=position[1])

    small = capacity(near_small, "10", (30.17, 121.14))
    full = capacity(near_full, "60", (30.15, 121.40))
    far = capacity(far_full, "60", (29.48, 121.87))
    capacity(wrong, "60", (30.17, 121.14), process="spraying")
    post(near_small, title="外协冲压 支架 现货")  # goods never match a processing demand

    assert processing_match_score(demand=demand, supply=small, supplier_credit_verified=False) == ProcessingMatchScore(
        process=D("0.40"), capacity=D("0.15"), distance=D("0.20"), credit=D("0"), need_hours=D(20),
        free_hours=D(10), distance_km=D("0.0"))
    ranked = [(listing.pk, score) for listing, score in processing_matches_compute(listing=demand)]
    assert [pk for pk, _s in ranked] == [full.pk, far.pk, small.pk]
    full_score = dict(ranked)[full.pk]
    assert (full_score.capacity, full_score.free_hours) == (D("0.30"), D(60))
    assert D(20) < full_score.distance_km < D(30) and D(95) < dict(ranked)[far.pk].distance_km < D(115)

    listing_matches_refresh(listing=demand, notify=False)
    stored = Match.objects.get(demand=demand, supply=small)
    assert stored.details == {"process": "0.40", "capacity": "0.1500", "distance": "0.2000", "credit": "0",
                              "need_hours": "20", "free_hours": "10", "distance_km": "0.0"}
    assert stored.score == D("0.75")
    # and from the capacity side, the demand is found
    assert [listing.pk for listing, _s in processing_matches_compute(listing=full)] == [demand.pk]


def test_an_enterprise_cannot_post_another_enterprises_work_center_or_operation(enterprise_pair, settings):
    a, b, alice, bob = enterprise_pair("capa-alpha", "capa-bravo")
    with tenant_context(b):
        press = _press()
        part, steps = _part_with_routing(press, outsourced=True)
        op = _load(part, steps, 10).operations.get()
    connection.set_schema_to_public()
    cat = category("appl-parts-metal")
    # A has no such rows in its schema
    with pytest.raises(ValidationError) as exc:
        capacity_listing_post(enterprise=a, user=alice, work_center_id=press.pk, board=cat.board, category=cat)
    assert exc.value.error_dict["work_center"][0].code == "capacity_no_work_center"
    with pytest.raises(ValidationError) as exc:
        processing_demand_post(enterprise=a, user=alice, operation_id=op.pk, board=cat.board, category=cat)
    assert exc.value.error_dict["operation"][0].code == "capacity_no_operation"
    # nor may A's people act for B
    with pytest.raises(BoardsPermissionDenied):
        capacity_listing_post(enterprise=b, user=alice, work_center_id=press.pk, board=cat.board, category=cat)
    assert not Listing.objects.exists()

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)
    b_listing = capacity_listing_post(enterprise=b, user=bob, work_center_id=press.pk, board=cat.board, category=cat)
    for host in (f"{a.slug}.localhost", f"{b.slug}.localhost"):
        for url in (f"/erp/capacity/work-centers/{press.pk}/post/", f"/erp/capacity/operations/{op.pk}/post/",
                    f"/erp/capacity/listings/{b_listing.pk}/refresh/"):
            assert client.post(url, {"category": cat.pk, "weeks": 6}, HTTP_HOST=host).status_code == 404, (host, url)
    assert client.get("/erp/capacity/", HTTP_HOST=f"{b.slug}.localhost").status_code == 404
    page = client.get("/erp/capacity/", HTTP_HOST=f"{a.slug}.localhost").content.decode()
    assert "PRESS" not in page and "SECRET" not in page
    assert Listing.objects.count() == 1


def test_the_capacity_page_posts_capacity_and_processing_rfqs(make_enterprise, settings):
    enterprise = make_enterprise(town="坎墩街道")
    with tenant_context(enterprise):
        press = _press()
        part, steps = _part_with_routing(press, outsourced=True)
        op = _load(part, steps, 100).operations.get()
    connection.set_schema_to_public()
    cat = category("appl-parts-metal")
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST=f"{enterprise.slug}.localhost")
    client.force_login(owner_of(enterprise))

    page = client.get("/erp/capacity/").content.decode()
    assert 'id="wc-PRESS"' in page and f'id="op-{op.pk}"' in page and "Post capacity" in page
    assert client.post(f"/erp/capacity/work-centers/{press.pk}/post/", {"category": cat.pk, "weeks": 6}).status_code == 302
    assert client.post(f"/erp/capacity/operations/{op.pk}/post/", {"category": cat.pk}).status_code == 302
    capacity = Listing.objects.get(trade_type="capacity")
    assert len(capacity.capacity_weeks) == 6 and capacity.capacity_weeks[0]["free_hours"] == "30"
    assert Listing.objects.get(trade_type="processing").erp_source_id == op.pk
    assert client.post(f"/erp/capacity/listings/{capacity.pk}/refresh/").status_code == 302
    page = client.get("/erp/capacity/").content.decode()
    assert "Recompute now" in page and f"/boards/l/{capacity.pk}/" in page
