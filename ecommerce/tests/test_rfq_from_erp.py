"""From a shortage to an RFQ (发布询价) on the enterprise host: from an MRP purchase proposal, a shortage-list
line and an item page, the form is prefilled from the ERP and publishes a linked RFQ; bad input is refused
on its fields; the planner sees the RFQ's quotations on the proposal and the item (htmx fragment); the
"Supply and demand platform" menu counts unread inquiries and quotations. And enterprise A never sees or
uses B's rows: B's ids are not found on A's host, B's RFQ for an item id equal to A's never shows on A's pages,
B's unread never counts in A's badge."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from ecommerce.models import Category, Listing, Notification, Quotation
from ecommerce.selectors.erp_rfq import boards_unread
from ecommerce.services import inquiry_mark_read, inquiry_reply, inquiry_send, quotation_submit
from ecommerce.services.erp_rfq import rfq_from_erp_create
from erp_modules.catalog.models import Item
from erp_modules.mrp import services as mrp_services
from erp_modules.mrp.models import MasterScheduleEntry, PlannedOrder
from erp_modules.mrp.tests.factories import make_bom, make_item, week
from erp_modules.sales.selectors import sales_shortage_list
from erp_modules.sales.services import sales_order_confirm, sales_order_create
from erp_modules.sales.tests.factories import make_customer
from tenants.models import Membership, Role

pytestmark = pytest.mark.django_db
D = Decimal
ADDRESS_A = "浙江省宁波市慈溪市古塘街道开发大道1号"
ADDRESS_B = "浙江省宁波市慈溪市观海卫镇工业园区2号"


def _host(enterprise, user) -> Client:
    client = Client(HTTP_HOST=f"{enterprise.slug}.localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _member(make_user, enterprise, role=Role.CLERK):
    user = make_user()
    Membership.objects.create(user=user, enterprise=enterprise, role=role)
    return user


def _owner(enterprise):
    return Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user


def _erp(extra_runs: int = 0) -> dict:
    """A motor (MOT-01 电机, bought, 5 days) in a finished hood (2 per hood), 5 hoods planned in week 2: MRP
    proposes to buy 10 motors; a confirmed order for 3 motors with nothing in stock: a shortage line."""
    motor = make_item("MOT-01", item_type=Item.Type.RAW, name="电机", lead_time_days=5, drawing_ref="DWG-MOT-7")
    hood = make_item("FG-900", item_type=Item.Type.FINISHED, name="油烟机 900", lead_time_days=2)
    make_bom(hood, [(motor, 2)])
    MasterScheduleEntry.objects.create(item=hood, week_start=week(2), quantity=D(5))
    for _ in range(1 + extra_runs):
        run = mrp_services.mrp_run_execute(run_id=mrp_services.mrp_run_request().pk)
    proposal = PlannedOrder.objects.get(run=run, item=motor, order_type=PlannedOrder.Type.BUY)
    order = sales_order_create(customer=make_customer(), delivery_date=timezone.localdate() + timedelta(days=20),
                               lines=[{"item": motor, "quantity": D(3), "unit_price": D(100)}])
    sales_order_confirm(order=order, allow_shortage=True)
    line = sales_shortage_list().get(item=motor)
    return {"motor": motor, "hood": hood, "proposal": proposal, "line": line}


@pytest.fixture
def world(enterprise_pair):
    """A (kitchen appliances, 3854) with its proposal, shortage and items; B the same, so the same ids, and
    more of them (B ran MRP twice and has one more item): B's newest ids do not exist in A."""
    a, b, alice, bob = enterprise_pair("rfqerpa", "rfqerpb")
    for enterprise, address in ((a, ADDRESS_A), (b, ADDRESS_B)):
        enterprise.address = address
        enterprise.save(update_fields=["address"])
    with tenant_context(a):
        erp_a = _erp()
    with tenant_context(b):
        erp_b = _erp(extra_runs=1)
        erp_b["extra_item"] = make_item("B-ONLY", name="B 的物料")
        erp_b["extra_line"] = _extra_shortage(erp_b["extra_item"])
    connection.set_schema_to_public()
    return {"a": a, "b": b, "alice": alice, "bob": bob, "A": erp_a, "B": erp_b}


def _extra_shortage(item):
    order = sales_order_create(customer=make_customer(), delivery_date=timezone.localdate() + timedelta(days=9),
                               lines=[{"item": item, "quantity": D(4), "unit_price": D(50)}])
    sales_order_confirm(order=order, allow_shortage=True)
    return sales_shortage_list().get(item=item)


def _post_data(form) -> dict:
    """The form as the browser sends it back unchanged (its initial values)."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            value = ""
        elif name == "rfq_deadline":
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, date):
            value = value.isoformat()
        data[name] = str(value)
    return data


def _rfq(enterprise) -> Listing:
    return Listing.objects.select_related("board", "category").get(enterprise=enterprise, is_rfq=True)


# ---- the three entry points -----------------------------------------------------------------------


def test_from_an_mrp_purchase_proposal_the_form_is_prefilled_and_publishes_an_rfq_linked_to_it(world, make_user):
    a, proposal, motor = world["a"], world["A"]["proposal"], world["A"]["motor"]
    clerk = _member(make_user, a)
    client = _host(a, clerk)
    # the proposal's page offers it, and loads the quotations fragment
    page = client.get(f"/mrp/orders/{proposal.pk}/").content.decode()
    assert f'href="/erp/rfq/planned/{proposal.pk}/new/"' in page
    assert f'hx-get="/erp/rfq/planned/{proposal.pk}/quotations/"' in page
    # when the clerk opens the form
    response = client.get(f"/erp/rfq/planned/{proposal.pk}/new/")
    assert response.status_code == 200
    form = response.context["form"]
    initial = form.initial
    # then it holds the item, its specification, the proposal's quantity and due date, A's address, and the
    # category of A's industry board that names the item (家电 › 家电配件 › 电机)
    assert (initial["title"], initial["quantity"], initial["unit"], initial["need_date"]) == (
        "电机", D("10"), "个", proposal.due_date)
    assert initial["attributes"] == "Item code: MOT-01\nDrawing / part reference: DWG-MOT-7"
    assert initial["delivery_place"] == ADDRESS_A
    assert Category.objects.get(pk=initial["category"]).code == "appl-parts-motor"
    deadline = timezone.localtime(initial["rfq_deadline"])
    assert timezone.now() < deadline and deadline.date() <= proposal.due_date
    # when it is sent as it is
    response = client.post(f"/erp/rfq/planned/{proposal.pk}/new/", _post_data(form))
    # then a published RFQ links back to the proposal, and the planner is back on the proposal
    assert response.status_code == 302, response.context["form"].errors
    assert (response.status_code, response["Location"]) == (302, f"/mrp/orders/{proposal.pk}/")
    rfq = _rfq(a)
    assert (rfq.kind, rfq.is_rfq, rfq.status, rfq.trade_type, rfq.created_by) == (
        "demand", True, "published", "goods", clerk)
    assert (rfq.erp_source, rfq.erp_source_id, rfq.need_item_id, rfq.need_date) == (
        "planned_order", proposal.pk, motor.pk, proposal.due_date)
    assert (rfq.board.code, rfq.category.code, rfq.quantity, rfq.unit, rfq.title) == (
        "appliances", "appl-parts-motor", D("10"), "个", "电机")
    assert rfq.attributes == [["Item code", "MOT-01"], ["Drawing / part reference", "DWG-MOT-7"]]
    assert (rfq.delivery_terms, rfq.delivery_place) == ("delivered", ADDRESS_A)
    assert rfq.rfq_deadline == timezone.localtime(initial["rfq_deadline"]).replace(second=0, microsecond=0)
    assert rfq.expires_at.date() >= proposal.due_date
    # suppliers read the need date on the boards
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/boards/l/{rfq.pk}/").content.decode()
    assert f'id="need-date">{proposal.due_date.isoformat()}<' in page


def test_from_a_shortage_line_the_shortage_and_the_requested_date_are_prefilled(world, make_user):
    a, line, motor = world["a"], world["A"]["line"], world["A"]["motor"]
    client = _host(a, _member(make_user, a))
    # the shortage list links every line to the form (the export does not)
    page = client.get("/sales/shortages/").content.decode()
    assert f'href="/erp/rfq/shortages/{line.pk}/new/"' in page
    response = client.get(f"/erp/rfq/shortages/{line.pk}/new/")
    form = response.context["form"]
    assert (form.initial["quantity"], form.initial["need_date"]) == (D("3"), line.order.delivery_date)
    response = client.post(f"/erp/rfq/shortages/{line.pk}/new/", _post_data(form))
    assert (response.status_code, response["Location"]) == (302, "/sales/shortages/")
    rfq = _rfq(a)
    assert (rfq.erp_source, rfq.erp_source_id, rfq.need_item_id, rfq.need_date, rfq.quantity) == (
        "shortage", line.pk, motor.pk, line.order.delivery_date, D("3"))


def test_from_an_item_page_the_item_is_prefilled_and_the_user_sets_quantity_and_date(world, make_user):
    a, motor = world["a"], world["A"]["motor"]
    client = _host(a, _member(make_user, a))
    page = client.get(f"/catalog/items/{motor.pk}/").content.decode()
    assert f'href="/erp/rfq/items/{motor.pk}/new/"' in page
    assert f'hx-get="/erp/rfq/items/{motor.pk}/quotations/"' in page
    form = client.get(f"/erp/rfq/items/{motor.pk}/new/").context["form"]
    assert (form.initial["quantity"], form.initial["need_date"]) == (D("1"), timezone.localdate() + timedelta(days=14))
    data = {**_post_data(form), "quantity": "250", "need_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "title": "求购 直流电机 24V", "attributes": "电压: 24V\n功率: 60W"}
    response = client.post(f"/erp/rfq/items/{motor.pk}/new/", data)
    assert (response.status_code, response["Location"]) == (302, f"/catalog/items/{motor.pk}/")
    rfq = _rfq(a)
    assert (rfq.erp_source, rfq.erp_source_id, rfq.need_item_id, rfq.quantity, rfq.title, rfq.attributes) == (
        "item", motor.pk, motor.pk, D("250"), "求购 直流电机 24V", [["电压", "24V"], ["功率", "60W"]])
    assert rfq.need_date == timezone.localdate() + timedelta(days=30)


def test_bad_input_is_refused_on_its_fields_and_nothing_is_posted(world, make_user):
    a, proposal = world["a"], world["A"]["proposal"]
    client = _host(a, _member(make_user, a))
    url = f"/erp/rfq/planned/{proposal.pk}/new/"
    good = _post_data(client.get(url).context["form"])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    cases = [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"title": "  "}, "title"),
        ({"category": ""}, "category"),
        ({"category": "999999"}, "category"),
        ({"need_date": yesterday}, "need_date"),
        ({"need_date": "2026-02-30"}, "need_date"),
        ({"rfq_deadline": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}, "rfq_deadline"),
        ({"rfq_deadline": f"{proposal.due_date + timedelta(days=3)}T12:00"}, "rfq_deadline"),
        ({"rfq_max_quotations": "0"}, "rfq_max_quotations"),
        ({"attributes": "no colon here"}, "attributes"),
    ]
    for change, field in cases:
        response = client.post(url, {**good, **change})
        assert response.status_code == 200, change
        assert list(response.context["form"].errors) == [field], (change, response.context["form"].errors)
    assert not Listing.objects.filter(enterprise=a).exists()


def test_the_service_refuses_a_source_that_is_not_the_items_or_not_the_enterprises(world):
    a, erp_a, erp_b = world["a"], world["A"], world["B"]
    category = _category("appl-parts-motor")
    deadline = timezone.now() + timedelta(days=3)
    common = {"enterprise": a, "user": world["alice"], "category": category, "title": "电机", "quantity": "5",
              "need_date": timezone.localdate() + timedelta(days=20), "rfq_deadline": deadline}
    for source, source_id, item_id in (
            ("planned_order", erp_a["proposal"].pk, erp_a["hood"].pk),  # the proposal buys the motor, not the hood
            ("planned_order", erp_b["proposal"].pk, erp_a["motor"].pk),  # B's newest proposal: not in A
            ("shortage", erp_b["extra_line"].pk, erp_b["extra_item"].pk),  # B's line and item
            ("item", erp_b["extra_item"].pk, erp_b["extra_item"].pk),
            ("operation", erp_a["motor"].pk, erp_a["motor"].pk)):
        with pytest.raises(Exception) as caught:
            rfq_from_erp_create(erp_source=source, erp_source_id=source_id, need_item_id=item_id, **common)
        assert getattr(caught.value, "code", None) == "erp_source_not_found", (source, caught.value)
    assert not Listing.objects.filter(enterprise=a).exists()


def test_a_viewer_sees_the_quotations_but_cannot_post(world, make_user):
    a, proposal = world["a"], world["A"]["proposal"]
    client = _host(a, _member(make_user, a, role=Role.VIEWER))
    assert client.get(f"/erp/rfq/planned/{proposal.pk}/new/").status_code == 403
    assert client.post(f"/erp/rfq/items/{proposal.item_id}/new/", {}).status_code == 403
    assert client.get(f"/erp/rfq/planned/{proposal.pk}/quotations/").status_code == 200
    page = client.get(f"/mrp/orders/{proposal.pk}/").content.decode()
    assert 'id="post-rfq"' not in page
    assert "/erp/rfq/shortages/" not in client.get("/sales/shortages/").content.decode()


# ---- the quotations on the proposal ------------------------------------------------------------------


def _category(code):
    return Category.objects.select_related("board").get(code=code)


def _post_rfq(world, side: str, *, source: str, source_id: int, item_id: int, title: str) -> Listing:
    enterprise = world["a"] if side == "a" else world["b"]
    user = world["alice"] if side == "a" else world["bob"]
    return rfq_from_erp_create(
        enterprise=enterprise, user=user, erp_source=source, erp_source_id=source_id, need_item_id=item_id,
        category=_category("appl-parts-motor"), title=title, quantity="10", unit="个",
        need_date=timezone.localdate() + timedelta(days=20), rfq_deadline=timezone.now() + timedelta(days=5))


def test_the_proposal_and_the_item_show_the_rfqs_quotations_with_their_terms_and_the_link(world):
    a, b, proposal, motor = world["a"], world["b"], world["A"]["proposal"], world["A"]["motor"]
    rfq = _post_rfq(world, "a", source="planned_order", source_id=proposal.pk, item_id=motor.pk, title="电机 询价")
    older = _post_rfq(world, "a", source="item", source_id=motor.pk, item_id=motor.pk, title="电机 旧询价")
    # B quotes 1.55 excl. VAT ex works with freight, paid 60 days after invoice
    quotation = quotation_submit(listing=rfq, enterprise=b, user=world["bob"], unit_price=D("1.55"),
                                 quantity=D("10"), lead_time_days=12,
                                 valid_until=timezone.localdate() + timedelta(days=30))
    Quotation.objects.filter(pk=quotation.pk).update(price_includes_vat=False, vat_rate=D("13"),
                                                     delivery_terms="ex_works", freight=D("80"),
                                                     payment_terms="net60")
    client = _host(a, world["alice"])
    fragment = client.get(f"/erp/rfq/planned/{proposal.pk}/quotations/").content.decode()
    assert f'href="http://localhost/boards/l/{rfq.pk}/#rfq"' in fragment  # the public host's page of the RFQ
    assert f'data-listing="{rfq.pk}"' in fragment and f'data-listing="{older.pk}"' in fragment
    assert "from this proposal" in fragment
    assert fragment.count("from this proposal") == 1
    row = fragment[fragment.index(f'data-quotation="{quotation.pk}"'):]
    row = row[:row.index("</tr>")]
    for text in (b.display_name, "¥1.55", "excl. VAT 13%", "freight ¥80.00", "60 days after invoice",
                 "12 days", "Submitted"):
        assert text in row, text
    item_fragment = client.get(f"/erp/rfq/items/{motor.pk}/quotations/").content.decode()
    assert f'data-listing="{rfq.pk}"' in item_fragment and "from this proposal" not in item_fragment
    assert f'data-quotation="{quotation.pk}"' in item_fragment


def test_no_rfq_yet_says_so(world):
    client = _host(world["a"], world["alice"])
    fragment = client.get(f"/erp/rfq/items/{world['A']['motor'].pk}/quotations/").content.decode()
    assert 'id="no-rfqs"' in fragment


# ---- isolation -------------------------------------------------------------------------------------


def test_bs_ids_are_not_found_on_as_host_for_the_form_and_the_fragment(world):
    a, erp_a, erp_b = world["a"], world["A"], world["B"]
    with tenant_context(a):
        assert not PlannedOrder.objects.filter(pk=erp_b["proposal"].pk).exists()
        assert not Item.objects.filter(pk=erp_b["extra_item"].pk).exists()
    client = _host(a, world["alice"])
    for url in (f"/erp/rfq/planned/{erp_b['proposal'].pk}/new/", f"/erp/rfq/shortages/{erp_b['extra_line'].pk}/new/",
                f"/erp/rfq/items/{erp_b['extra_item'].pk}/new/",
                f"/erp/rfq/planned/{erp_b['proposal'].pk}/quotations/",
                f"/erp/rfq/items/{erp_b['extra_item'].pk}/quotations/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    # a make proposal is not bought: not found either
    with tenant_context(a):
        make = PlannedOrder.objects.filter(order_type="make").first()
    assert client.get(f"/erp/rfq/planned/{make.pk}/new/").status_code == 404
    # and on B's host Alice is nobody
    for url in (f"/erp/rfq/planned/{erp_a['proposal'].pk}/new/",
                f"/erp/rfq/items/{erp_a['motor'].pk}/quotations/"):
        assert client.get(url, HTTP_HOST=f"{world['b'].slug}.localhost").status_code == 404
    assert not Listing.objects.exists()


def test_bs_rfq_for_an_item_id_equal_to_as_never_shows_on_as_pages(world):
    erp_a, erp_b = world["A"], world["B"]
    assert erp_a["motor"].pk == erp_b["motor"].pk  # the same ids in both schemas
    b_rfq = _post_rfq(world, "b", source="item", source_id=erp_b["motor"].pk, item_id=erp_b["motor"].pk,
                      title="B 的电机询价")
    a_rfq = _post_rfq(world, "a", source="item", source_id=erp_a["motor"].pk, item_id=erp_a["motor"].pk,
                      title="A 的电机询价")
    client = _host(world["a"], world["alice"])
    for url in (f"/erp/rfq/items/{erp_a['motor'].pk}/quotations/",
                f"/erp/rfq/planned/{erp_a['proposal'].pk}/quotations/"):
        fragment = client.get(url).content.decode()
        assert f'data-listing="{a_rfq.pk}"' in fragment
        assert f'data-listing="{b_rfq.pk}"' not in fragment and "B 的电机询价" not in fragment


# ---- the menu and its badge ----------------------------------------------------------------------------


def test_every_enterprise_page_links_to_the_boards_and_counts_unread_inquiries_and_quotations(world, make_user):
    a, b, alice, bob = world["a"], world["b"], world["alice"], world["bob"]
    client = _host(a, alice)
    page = client.get("/members/").content.decode()
    assert 'id="nav-boards-menu"' in page and "/boards/" in page and 'id="boards-unread-badge"' not in page
    rfq = _post_rfq(world, "a", source="planned_order", source_id=world["A"]["proposal"].pk,
                    item_id=world["A"]["motor"].pk, title="电机 询价")
    # B asks twice about A's RFQ and quotes on it: 2 unread messages, 1 quotation notification for Alice
    thread = inquiry_send(listing=rfq, enterprise=b, user=bob, body="含税吗？")
    inquiry_reply(thread=thread, enterprise=b, user=bob, body="交期可以再商量")
    quotation_submit(listing=rfq, enterprise=b, user=bob, unit_price=D("1.62"), quantity=D("10"), lead_time_days=7,
                     valid_until=timezone.localdate() + timedelta(days=30))
    assert boards_unread(user=alice, enterprise=a) == {"inquiries": 2, "quotations": 1, "total": 3}
    for path in ("/settings/", f"/mrp/orders/{world['A']['proposal'].pk}/", "/members/"):
        page = client.get(path).content.decode()
        assert 'id="boards-unread-badge"' in page, path
        badge = page[page.index('id="boards-unread-badge"'):]
        assert badge[badge.index(">") + 1:badge.index("<")] == "3", path
    # one query for the counts, whatever they are (django-tenants' SET search_path aside)
    with CaptureQueriesContext(connection) as queries:
        boards_unread(user=alice, enterprise=a)
    assert len([q for q in queries if not q["sql"].startswith("SET search_path")]) == 1
    # Alice reads the thread for A and her notifications: nothing unread
    inquiry_mark_read(thread=thread, enterprise=a, user=alice)
    assert boards_unread(user=alice, enterprise=a)["inquiries"] == 0
    Notification.objects.filter(user=alice).update(read_at=timezone.now())
    assert 'id="boards-unread-badge"' not in client.get("/members/").content.decode()
    # A's answer is unread on B's side, for B only
    inquiry_reply(thread=thread, enterprise=a, user=alice, body="含税 13%")
    assert boards_unread(user=bob, enterprise=b)["inquiries"] == 1
    assert boards_unread(user=alice, enterprise=a)["total"] == 0


def test_the_badge_counts_the_host_enterprises_unread_only(world, make_user):
    """A member of both A and B: on A's host only A's unread, on B's only B's; a member of A only never sees B's."""
    a, b, alice, bob = world["a"], world["b"], world["alice"], world["bob"]
    both = _member(make_user, a)
    Membership.objects.create(user=both, enterprise=b, role=Role.CLERK)
    b_rfq = _post_rfq(world, "b", source="item", source_id=world["B"]["motor"].pk, item_id=world["B"]["motor"].pk,
                      title="B 的电机询价")
    # A asks about B's RFQ and quotes: unread for B
    inquiry_send(listing=b_rfq, enterprise=a, user=alice, body="请问数量可以增加吗？")
    quotation_submit(listing=b_rfq, enterprise=a, user=alice, unit_price=D("2"), quantity=D("10"), lead_time_days=5,
                     valid_until=timezone.localdate() + timedelta(days=30))
    Notification.objects.filter(user=bob).update(user=both)  # the quotation's notice went to B's poster; now `both`
    assert boards_unread(user=both, enterprise=b) == {"inquiries": 1, "quotations": 1, "total": 2}
    assert boards_unread(user=both, enterprise=a) == {"inquiries": 0, "quotations": 0, "total": 0}
    on_a = _host(a, both).get("/members/").content.decode()
    assert 'id="boards-unread-badge"' not in on_a
    on_b = _host(b, both).get("/members/").content.decode()
    assert 'id="boards-unread-badge"' in on_b
    assert 'id="boards-unread-badge"' not in _host(a, alice).get("/members/").content.decode()
    # the public host has no enterprise: no menu, no count
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    public.force_login(both)
    assert 'id="nav-boards-menu"' not in public.get("/boards/").content.decode()
