"""An accepted quotation becomes orders on both sides: the buyer's draft purchase order (in the acceptance's
transaction, in the buyer's schema) and the supplier's draft sales order (a task in the supplier's schema)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from ecommerce import services
from ecommerce.models import Listing, TradeOrder
from ecommerce.services.trade_orders import trade_order_purchase_create, trade_order_sales_create
from ecommerce.tests.factories import member, owner_of, post
from erp_modules.partners.models import Partner
from erp_modules.purchasing.models import PurchaseOrder
from erp_modules.sales.models import SalesOrder
from erp_modules.workspace.testing import make_item
from tenants.models import Enterprise, Role

pytestmark = pytest.mark.django_db
D = Decimal


def _item(enterprise, code):
    with tenant_context(enterprise):
        pk = make_item(code, name=f"交流电机 {code}").pk
    connection.set_schema_to_public()
    return pk


def _quote(listing, supplier, **kw):
    return services.quotation_submit(
        listing=listing, enterprise=supplier, user=owner_of(supplier), unit_price=kw.pop("unit_price", D("113")),
        quantity=kw.pop("quantity", D("500")), lead_time_days=kw.pop("lead_time_days", 10),
        valid_until=timezone.localdate() + timedelta(days=30), **kw)


@pytest.fixture
def trade(make_enterprise):
    """A buyer's RFQ for its item MOT-1 (needed in 30 days), quoted by a supplier that sells its SUP-9."""
    buyer, supplier = make_enterprise(slug="buyer-co"), make_enterprise(slug="seller-co")
    buyer_item, supplier_item = _item(buyer, "MOT-1"), _item(supplier, "SUP-9")
    rfq = post(buyer, kind="demand", title="求购交流电机 220V", is_rfq=True, quantity=D("500"), unit="个")
    need = timezone.localdate() + timedelta(days=30)
    Listing.objects.filter(pk=rfq.pk).update(need_item_id=buyer_item, need_date=need)
    rfq.refresh_from_db()
    quotation = _quote(rfq, supplier, supplier_item_id=supplier_item, price_includes_vat=True, vat_rate=D("13"),
                       payment_terms="net60")
    return {"buyer": buyer, "supplier": supplier, "rfq": rfq, "quotation": quotation, "need": need,
            "buyer_item": buyer_item, "supplier_item": supplier_item}


def test_accepting_makes_a_draft_purchase_order_in_the_buyers_schema(trade):
    # when
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    # then
    order = TradeOrder.objects.get(quotation=trade["quotation"])
    assert (order.buyer, order.supplier, order.listing, order.board_id) == (
        trade["buyer"], trade["supplier"], trade["rfq"], trade["rfq"].board_id)
    assert order.amount == D("56500.00")  # 113 incl. VAT × 500
    assert order.purchase_error == "" and order.purchase_order_number.startswith("PO-")
    assert order.sales_state == "pending"
    with tenant_context(trade["buyer"]):
        po = PurchaseOrder.objects.get(pk=order.purchase_order_id)
        line = po.lines.get()
        partner = po.supplier
        assert (po.status, po.number, po.board_listing_id, po.board_quotation_id, po.kind) == (
            "draft", order.purchase_order_number, trade["rfq"].pk, trade["quotation"].pk, "standard")
        assert (line.item_id, line.quantity, line.unit_price, line.vat_rate) == (
            trade["buyer_item"], D("500"), D("100.0000"), D("13"))
        assert po.amount_total == D("56500.00")
        assert po.expected_date == trade["need"]  # later than today + 10 days
        assert "求购交流电机 220V" in po.note
        assert (partner.uscc, partner.name, partner.is_supplier, partner.payment_terms_days) == (
            trade["supplier"].uscc, trade["supplier"].name, True, 60)
    with tenant_context(trade["supplier"]):
        assert not PurchaseOrder.objects.exists() and not SalesOrder.objects.exists()


def test_an_existing_partner_with_the_credit_code_is_used_and_made_a_supplier(trade):
    # given: the buyer already has the supplier as a customer
    with tenant_context(trade["buyer"]):
        from erp_modules.partners.services import partner_create

        existing = partner_create(code="C-OLD", name="老客户", uscc=trade["supplier"].uscc, is_customer=True)
    connection.set_schema_to_public()
    # when
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    # then
    with tenant_context(trade["buyer"]):
        partner = PurchaseOrder.objects.get().supplier
        assert (partner.pk, partner.is_customer, partner.is_supplier) == (existing.pk, True, True)
        assert Partner.objects.count() == 1


def test_an_rfq_without_an_item_records_why_and_the_buyer_picks_one_later(trade, make_user):
    # given
    Listing.objects.filter(pk=trade["rfq"].pk).update(need_item_id=None)
    trade["quotation"].listing.refresh_from_db()
    # when
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    # then: accepted all the same, no order, the reason
    order = TradeOrder.objects.get(quotation=trade["quotation"])
    trade["quotation"].refresh_from_db()
    assert trade["quotation"].status == "accepted"
    assert order.purchase_order_id is None and "not linked to an item" in order.purchase_error
    with tenant_context(trade["buyer"]):
        assert not PurchaseOrder.objects.exists()
    connection.set_schema_to_public()
    # a stranger cannot make it
    stranger = make_user()
    with pytest.raises(Exception) as exc:
        trade_order_purchase_create(trade_order=order, item_id=trade["buyer_item"], user=stranger)
    assert getattr(exc.value, "code", None) == "not_member"
    # the buyer picks its item: made once
    order = trade_order_purchase_create(trade_order=order, item_id=trade["buyer_item"], user=owner_of(trade["buyer"]))
    assert order.purchase_order_number.startswith("PO-") and order.purchase_error == ""
    with pytest.raises(ValidationError) as again:
        trade_order_purchase_create(trade_order=order, item_id=trade["buyer_item"], user=owner_of(trade["buyer"]))
    assert again.value.code == "trade_already_ordered"
    with tenant_context(trade["buyer"]):
        assert PurchaseOrder.objects.get().board_quotation_id == trade["quotation"].pk


def test_the_task_makes_the_sales_order_in_the_suppliers_schema_once(trade):
    # given
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    order = TradeOrder.objects.get(quotation=trade["quotation"])
    # when
    first = trade_order_sales_create(trade_order_id=order.pk)
    second = trade_order_sales_create(trade_order_id=order.pk)
    # then
    assert (first.sales_state, first.sales_error) == ("created", "")
    assert second.sales_order_id == first.sales_order_id and first.sales_order_number.startswith("SO-")
    with tenant_context(trade["supplier"]):
        so = SalesOrder.objects.get()
        line = so.lines.get()
        assert (so.pk, so.status, so.board_listing_id, so.board_quotation_id) == (
            first.sales_order_id, "draft", trade["rfq"].pk, trade["quotation"].pk)
        assert (so.customer.uscc, so.customer.is_customer) == (trade["buyer"].uscc, True)
        assert so.customer_reference == order.purchase_order_number
        assert (line.item_id, line.quantity, line.unit_price, line.vat_rate) == (
            trade["supplier_item"], D("500"), D("100.0000"), D("13"))
        assert so.amount_incl_vat == D("56500.00") and so.delivery_date == trade["need"]
    with tenant_context(trade["buyer"]):
        assert not SalesOrder.objects.exists()


def test_the_sales_order_is_refused_when_the_supplier_has_no_erp(trade):
    # given
    Enterprise.objects.filter(pk=trade["supplier"].pk).update(modules=["logistics"])
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    # when
    order = trade_order_sales_create(trade_order_id=TradeOrder.objects.get(quotation=trade["quotation"]).pk)
    # then
    assert order.sales_state == "no_erp" and "does not run its ERP" in order.sales_error
    assert order.sales_order_id is None
    with tenant_context(trade["supplier"]):
        assert not SalesOrder.objects.exists()


def test_the_sales_order_fails_cleanly_without_a_supplier_item(trade):
    # given
    trade["quotation"].__class__.objects.filter(pk=trade["quotation"].pk).update(supplier_item_id=None)
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    # when
    order = trade_order_sales_create(trade_order_id=TradeOrder.objects.get(quotation=trade["quotation"]).pk)
    # then
    assert order.sales_state == "failed" and "names no item" in order.sales_error
    with tenant_context(trade["supplier"]):
        assert not SalesOrder.objects.exists()


def test_an_ex_works_excl_vat_quotation_is_converted(make_enterprise):
    # given
    buyer, supplier = make_enterprise(), make_enterprise()
    item = _item(buyer, "BOLT")
    rfq = post(buyer, kind="demand", title="求购螺栓", is_rfq=True, quantity=D("1000"), unit="个")
    Listing.objects.filter(pk=rfq.pk).update(need_item_id=item)
    quotation = _quote(rfq, supplier, unit_price=D("1.55"), quantity=D("1000"), lead_time_days=7,
                       price_includes_vat=False, vat_rate=D("13"), delivery_terms="ex_works", freight=D("200"))
    # when
    services.quotation_accept(quotation=quotation, user=owner_of(buyer))
    # then
    order = TradeOrder.objects.get(quotation=quotation)
    assert order.amount == D("1951.50")  # 1.55 × 1.13 × 1000 + 200 freight
    with tenant_context(buyer):
        po = PurchaseOrder.objects.get()
        assert po.lines.get().unit_price == D("1.5500") and po.amount_total == D("1751.50")
        assert po.expected_date == timezone.localdate() + timedelta(days=7)
        assert "200" in po.note


def test_pages_show_each_side_only_its_own_order(trade, make_enterprise, make_user):
    # given: accepted, both orders made
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    order = trade_order_sales_create(trade_order_id=TradeOrder.objects.get(quotation=trade["quotation"]).pk)
    po_number, so_number = order.purchase_order_number, order.sales_order_number
    third = make_enterprise()
    buyer_viewer = member(make_user, trade["buyer"], role=Role.VIEWER)
    clients = {}
    for name, user in {"buyer": owner_of(trade["buyer"]), "supplier": owner_of(trade["supplier"]),
                       "third": owner_of(third), "viewer": buyer_viewer}.items():
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        clients[name] = client
    detail = f"/boards/l/{trade['rfq'].pk}/"
    # when
    pages = {name: c.get(detail).content.decode() for name, c in clients.items()}
    mine = {name: c.get("/boards/rfqs/").content.decode() for name, c in clients.items()}
    # then
    assert po_number in pages["buyer"] and so_number not in pages["buyer"]
    assert so_number in pages["supplier"] and po_number not in pages["supplier"]
    assert po_number not in pages["third"] and so_number not in pages["third"]
    assert so_number in mine["supplier"] and po_number not in mine["supplier"]
    assert so_number not in mine["third"] and po_number not in mine["third"]
    # the purchase-order page of the trade order is the buyer's (a clerk's) only
    url = f"/boards/trade-orders/{order.pk}/purchase/"
    assert clients["supplier"].get(url).status_code == 404
    assert clients["third"].get(url).status_code == 404
    assert clients["buyer"].get(url).status_code == 200


def test_the_erp_pages_link_back_to_the_rfq(trade, client):
    # given
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    order = trade_order_sales_create(trade_order_id=TradeOrder.objects.get(quotation=trade["quotation"]).pk)
    link = f"/boards/l/{trade['rfq'].pk}/"
    # when
    client.force_login(owner_of(trade["buyer"]))
    po_page = client.get(f"/purchasing/orders/{order.purchase_order_id}/", HTTP_HOST="buyer-co.localhost",
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.force_login(owner_of(trade["supplier"]))
    so_page = client.get(f"/sales/orders/{order.sales_order_id}/", HTTP_HOST="seller-co.localhost",
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert link in po_page and "求购交流电机 220V" in po_page
    assert link in so_page and "求购交流电机 220V" in so_page


ORDER = """query($id: ID!) { listing(id: $id) { quotations { status
    order { purchaseOrderNumber salesOrderNumber salesState } } }
  myQuotations { edges { node { status order { purchaseOrderNumber salesOrderNumber salesState } } } } }"""


def test_graphql_shows_the_orders_to_the_buyer_and_the_supplier_only(trade, make_enterprise):
    import json

    from graphql_relay import to_global_id

    # given
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    order = trade_order_sales_create(trade_order_id=TradeOrder.objects.get(quotation=trade["quotation"]).pk)
    third = make_enterprise()
    listing_id = to_global_id("Listing", trade["rfq"].pk)

    def ask(enterprise):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(owner_of(enterprise))
        response = client.post("/graphql/", json.dumps({"query": ORDER, "variables": {"id": listing_id}}),
                               content_type="application/json", HTTP_HOST=f"{enterprise.slug}.localhost")
        assert response.status_code == 200, response.content[:500]
        return response.json()

    # when
    buyer, supplier, other = ask(trade["buyer"]), ask(trade["supplier"]), ask(third)
    # then
    expected = {"purchaseOrderNumber": order.purchase_order_number, "salesOrderNumber": order.sales_order_number,
                "salesState": "CREATED"}
    assert buyer["data"]["listing"]["quotations"] == [{"status": "ACCEPTED", "order": expected}]
    assert buyer["data"]["myQuotations"]["edges"] == []
    assert supplier["data"]["myQuotations"]["edges"] == [{"node": {"status": "ACCEPTED", "order": expected}}]
    assert supplier["data"]["listing"] is None  # the closed RFQ is the buyer's
    assert other["data"]["listing"] is None and other["data"]["myQuotations"]["edges"] == []


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_makes_the_sales_order_after_the_acceptance_commits(clean_schemas, celery_worker_process,
                                                                           make_enterprise):
    import time

    from ecommerce.seed import boards_ensure

    # given
    boards_ensure()
    buyer, supplier = make_enterprise(slug="celery-buyer"), make_enterprise(slug="celery-seller")
    buyer_item, supplier_item = _item(buyer, "MOT-1"), _item(supplier, "SUP-9")
    rfq = post(buyer, kind="demand", title="求购交流电机", is_rfq=True, quantity=D("500"), unit="个")
    Listing.objects.filter(pk=rfq.pk).update(need_item_id=buyer_item)
    quotation = _quote(rfq, supplier, supplier_item_id=supplier_item)
    # when: the acceptance commits, its on_commit queues the task from the public schema
    services.quotation_accept(quotation=quotation, user=owner_of(buyer))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        order = TradeOrder.objects.get(quotation=quotation)
        if order.sales_state != "pending":
            break
        time.sleep(0.2)
    # then
    assert (order.sales_state, order.sales_error) == ("created", ""), order.sales_error
    with tenant_context(supplier):
        so = SalesOrder.objects.get()
        assert (so.number, so.board_quotation_id, so.lines.get().item_id) == (
            order.sales_order_number, quotation.pk, supplier_item)
    with tenant_context(buyer):
        assert PurchaseOrder.objects.get().number == order.purchase_order_number
        assert not SalesOrder.objects.exists()
    connection.set_schema_to_public()


def test_a_processing_rfq_makes_a_subcontracting_order_with_the_operations_components(make_enterprise):
    from erp_modules.production.services.work_orders import work_order_create
    from erp_modules.production.tests.factories import range_hood

    # given: a work order of 10 range hoods whose stamping is outsourced, posted as a processing RFQ for 4
    buyer, supplier = make_enterprise(), make_enterprise()
    with tenant_context(buyer):
        parts = range_hood()
        work_order = work_order_create(item=parts["hood"], quantity=D("10"), routing=parts["routing"])
        operation_id = work_order.operations.order_by("sequence").first().pk
        hood_id = parts["hood"].pk
    connection.set_schema_to_public()
    rfq = post(buyer, kind="demand", title="冲压外协 油烟机外壳", is_rfq=True, quantity=D("4"), unit="台")
    Listing.objects.filter(pk=rfq.pk).update(trade_type="processing", need_item_id=hood_id, erp_source="operation",
                                             erp_source_id=operation_id)
    quotation = _quote(rfq, supplier, unit_price=D("15"), quantity=D("4"), price_includes_vat=False)
    # when
    services.quotation_accept(quotation=quotation, user=owner_of(buyer))
    # then
    order = TradeOrder.objects.get(quotation=quotation)
    assert order.purchase_error == ""
    with tenant_context(buyer):
        from erp_modules.inventory.models import Reservation

        po = PurchaseOrder.objects.get(pk=order.purchase_order_id)
        assert (po.kind, po.source_operation_id, po.board_quotation_id) == ("subcontract", operation_id, quotation.pk)
        assert po.subcontract_location is not None and "冲压外协" in po.note
        assert (po.lines.get().item_id, po.lines.get().unit_price) == (hood_id, D("15.0000"))
        promised = {r.item.code: r.quantity for r in Reservation.objects.filter(reference_id=po.pk,
                                                                                  reference_type="subcontract_order")}
        assert promised == {"MOTOR": D("4"), "SCREW": D("32"), "STEEL": D("10.4")}  # 2.5 kg × 1.04 × 10 × 4/10


def test_a_processing_rfq_without_an_operation_makes_a_subcontracting_order_without_components(trade):
    # given
    Listing.objects.filter(pk=trade["rfq"].pk).update(trade_type="processing")
    trade["quotation"].listing.refresh_from_db()
    # when
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    # then
    with tenant_context(trade["buyer"]):
        po = PurchaseOrder.objects.get()
        assert (po.kind, po.source_operation_id) == ("subcontract", None)
        assert po.subcontract_location is not None and "send them by hand" in po.note


def test_the_buyer_picks_the_item_on_the_page_and_nobody_else_can(trade, make_enterprise):
    # given: accepted without an item
    Listing.objects.filter(pk=trade["rfq"].pk).update(need_item_id=None)
    trade["quotation"].listing.refresh_from_db()
    services.quotation_accept(quotation=trade["quotation"], user=owner_of(trade["buyer"]))
    order = TradeOrder.objects.get(quotation=trade["quotation"])
    url = f"/boards/trade-orders/{order.pk}/purchase/"
    supplier, buyer = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    supplier.force_login(owner_of(trade["supplier"]))
    buyer.force_login(owner_of(trade["buyer"]))
    # the supplier posts the buyer's item: not found, nothing made
    assert supplier.post(url, {"item": trade["buyer_item"]}).status_code == 404
    with tenant_context(trade["buyer"]):
        assert not PurchaseOrder.objects.exists()
    connection.set_schema_to_public()
    # the rfq page offers the buyer the page; the page lists the buyer's items, not the supplier's
    assert url in buyer.get(f"/boards/l/{trade['rfq'].pk}/").content.decode()
    page = buyer.get(url).content.decode()
    assert "MOT-1" in page and "SUP-9" not in page
    # when
    response = buyer.post(url, {"item": trade["buyer_item"]})
    # then
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.purchase_order_number.startswith("PO-") and order.purchase_error == ""
    with tenant_context(trade["buyer"]):
        assert PurchaseOrder.objects.get().lines.get().item_id == trade["buyer_item"]
    connection.set_schema_to_public()
    assert order.purchase_order_number in buyer.get(f"/boards/l/{trade['rfq'].pk}/").content.decode()


def test_the_freight_board_makes_no_orders(make_enterprise):
    # given: a shipment's freight RFQ, quoted by a carrier
    shipper, carrier = make_enterprise(), make_enterprise()
    rfq = post(shipper, kind="demand", category_code="frt-ltl", title="宁波市 → 上海市 32.5 kg", is_rfq=True,
               quantity=D("1"), unit="票")
    quotation = _quote(rfq, carrier, unit_price=D("850"), quantity=D("1"))
    # when
    services.quotation_accept(quotation=quotation, user=owner_of(shipper))
    # then: the carrier goes onto the shipment (logistics.freight), no purchase or sales order
    assert not TradeOrder.objects.exists()
    with tenant_context(shipper):
        assert not PurchaseOrder.objects.exists()
