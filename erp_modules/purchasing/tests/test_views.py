"""The purchasing pages through the test client, on the enterprise's own host, logged in as its owner."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from openpyxl import load_workbook

from erp_modules.catalog.models import Item
from erp_modules.inventory.selectors import stock_on_hand
from erp_modules.purchasing.models import PurchaseOrder, Receipt, SupplierInvoice
from erp_modules.purchasing.services import purchase_order_receive
from erp_modules.purchasing.tests.factories import make_po, make_supplier
from erp_modules.workspace.testing import main_location, make_item
from tenants.models import Membership, Role

D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def web(client, erp):
    """A client logged in as the enterprise's owner, talking to the enterprise host in English."""
    owner = Membership.objects.get(enterprise=erp, role=Role.OWNER).user
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.defaults["HTTP_HOST"] = f"{erp.slug}.localhost"
    return client


def member(client, erp, make_user, role):
    user = make_user()
    Membership.objects.create(user=user, enterprise=erp, role=role)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.defaults["HTTP_HOST"] = f"{erp.slug}.localhost"
    return client


def test_order_list_search_filter_and_excel_export(web):
    # given
    a, b = make_supplier("甲五金"), make_supplier("乙塑料")
    bolt = make_item("BOLT-M6")
    make_po(a, [(bolt, 100, "2.5")])
    make_po(b, [(bolt, 10, "1")], approve=False)
    # when / then
    page = web.get("/purchasing/orders/")
    assert page.status_code == 200
    assert "PO-00001" in page.content.decode() and "PO-00002" in page.content.decode()
    assert "¥282.50" in page.content.decode()
    searched = web.get("/purchasing/orders/", {"q": "乙"}).content.decode()
    assert "PO-00002" in searched and "PO-00001" not in searched
    filtered = web.get("/purchasing/orders/", {"status": "approved"}).content.decode()
    assert "PO-00001" in filtered and "PO-00002" not in filtered
    export = web.get("/purchasing/orders/", {"export": "xlsx", "status": "approved"})
    assert export["Content-Type"] == XLSX
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Number", "Supplier")
    assert [(r[0], r[6]) for r in rows[1:]] == [("PO-00001", 282.5)]


def test_create_order_by_post(web):
    # given
    supplier = make_supplier()
    make_item("BOLT-M6", standard_cost=D("2.5"))
    nut = make_item("NUT-M6")
    # when (the second row is empty and ignored; the item code is typed in lower case)
    response = web.post("/purchasing/orders/new/", {
        "supplier": supplier.pk, "order_date": "2025-03-01", "expected_date": "2025-03-10",
        "location": main_location().pk, "currency": "", "note": "急",
        "line-0-item": "bolt-m6", "line-0-quantity": "100", "line-0-unit_price": "", "line-0-vat_rate": "",
        "line-1-item": "", "line-1-quantity": "",
        "line-2-item": "NUT-M6", "line-2-quantity": "50", "line-2-unit_price": "0.1", "line-2-vat_rate": "13",
        "line-2-expected_date": "2025-03-15"})
    # then
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/purchasing/orders/{order.pk}/"
    lines = list(order.lines.order_by("line_no").values_list("line_no", "item__code", "quantity", "unit_price",
                                                             "expected_date"))
    assert [(n, c, q, p, str(d)) for n, c, q, p, d in lines] == [
        (1, "BOLT-M6", D("100"), D("2.5"), "2025-03-10"), (2, "NUT-M6", D("50"), D("0.1"), "2025-03-15")]
    assert (order.status, order.note, order.amount_total, nut.pk > 0) == ("draft", "急", D("288.15"), True)


def test_create_order_errors_name_the_line_and_write_nothing(web):
    supplier = make_supplier()
    make_item("BOLT-M6")
    make_item("KIT-A", item_type=Item.Type.KIT)
    response = web.post("/purchasing/orders/new/", {
        "supplier": supplier.pk, "order_date": "2025-03-01", "location": main_location().pk,
        "line-0-item": "BOLT-M6", "line-0-quantity": "1", "line-1-item": "KIT-A", "line-1-quantity": "2",
        "line-2-item": "NOPE", "line-2-quantity": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Item code: No item with code NOPE." in html
    assert PurchaseOrder.objects.count() == 0
    # once the unknown code is gone, the service names the kit line
    response = web.post("/purchasing/orders/new/", {
        "supplier": supplier.pk, "order_date": "2025-03-01", "location": main_location().pk,
        "line-0-item": "BOLT-M6", "line-0-quantity": "1", "line-1-item": "KIT-A", "line-1-quantity": "2"})
    assert "Line 2 (KIT-A): kits are not purchased; order their components instead." in response.content.decode()
    assert PurchaseOrder.objects.count() == 0
    # an empty form names the supplier and asks for a line
    html = web.post("/purchasing/orders/new/", {"order_date": "2025-03-01", "line-0-item": ""}).content.decode()
    assert 'id="error-supplier"' in html and "Add at least one line." in html


def test_add_line_with_and_without_javascript(web):
    supplier = make_supplier()
    page = web.post("/purchasing/orders/new/", {"supplier": supplier.pk, "line-0-item": "X", "line-0-quantity": "1",
                                                "add_line": "1"}).content.decode()
    assert 'name="line-0-item"' in page and 'name="line-1-item"' in page and 'name="line-2-item"' not in page
    row = web.get("/purchasing/orders/line-row/", {"index": "7"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="line-7-item"' in row and 'hx-swap-oob="true"' in row and "index=8" in row


def test_detail_approve_receive_and_invoice_through_the_pages(web):
    # given a draft
    supplier = make_supplier()
    bolt = make_item("BOLT-M6", tracking=Item.Tracking.LOT)
    order = make_po(supplier, [(bolt, 100, "2.5")], approve=False)
    line = order.lines.get()
    detail = web.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert "¥250.00" in detail and "¥32.50" in detail and "¥282.50" in detail and 'id="approve"' in detail
    # when approved, then received in part (the lot is required)
    assert web.post(f"/purchasing/orders/{order.pk}/approve/").status_code == 302
    assert web.get(f"/purchasing/orders/{order.pk}/receive/").status_code == 200
    refused = web.post(f"/purchasing/orders/{order.pk}/receive/", {"location": main_location().pk,
                                                                   f"qty-{line.pk}": "40"})
    assert "Line 1 (BOLT-M6): this item is tracked by lot; give the lot number." in refused.content.decode()
    response = web.post(f"/purchasing/orders/{order.pk}/receive/", {
        "location": main_location().pk, f"qty-{line.pk}": "40", f"lot-{line.pk}": "L1", "note": "送货单 8812"})
    # then
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, stock_on_hand(item=bolt)) == ("partially_received", D("40"))
    assert Receipt.objects.get().note == "送货单 8812"
    # when 41 are invoiced, refused; 40 accepted
    refused = web.post(f"/purchasing/orders/{order.pk}/invoice/", {"invoice_number": "0441", f"qty-{line.pk}": "41"})
    assert "Line 1 (BOLT-M6): invoicing 41 个 would bring the invoiced quantity to 41" in refused.content.decode()
    response = web.post(f"/purchasing/orders/{order.pk}/invoice/", {
        "invoice_number": "0441", "invoice_date": "2025-03-20", f"qty-{line.pk}": "40",
        f"price-{line.pk}": "2.5", f"vat-{line.pk}": "13"})
    assert response.status_code == 302
    assert SupplierInvoice.objects.get().amount_total == D("113.00")
    detail = web.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert "GR-00001" in detail and "Lot L1" in detail and "0441" in detail and "History" in detail
    # and closed by the owner
    assert web.post(f"/purchasing/orders/{order.pk}/close/").status_code == 302
    order.refresh_from_db()
    assert order.status == "closed"


def test_over_receipt_through_the_page_posts_nothing(web):
    supplier = make_supplier()
    order = make_po(supplier, [(make_item("BOLT-M6"), 10, "1")])
    line = order.lines.get()
    response = web.post(f"/purchasing/orders/{order.pk}/receive/", {f"qty-{line.pk}": "11"})
    assert response.status_code == 200
    assert "Line 1 (BOLT-M6): receiving 11 个 would bring the received quantity to 11 of 10 ordered" in \
        response.content.decode()
    assert Receipt.objects.count() == 0


def test_match_and_receipt_lists_with_export(web):
    supplier = make_supplier()
    order = make_po(supplier, [(make_item("BOLT-M6"), 10, "2")])
    purchase_order_receive(order=order, lines=[{"line": order.lines.get(), "quantity": "10"}])
    match = web.get("/purchasing/match/", {"match": "short"})
    assert match.status_code == 200 and "PO-00001" in match.content.decode()
    assert "PO-00001" not in web.get("/purchasing/match/", {"match": "ok"}).content.decode()
    export = web.get("/purchasing/match/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("PO-00001", str(supplier), 1, "BOLT-M6 物料 BOLT-M6", 10, 10, 0, -10, 20, 0, -20, "short")
    receipts = web.get("/purchasing/receipts/").content.decode()
    assert "GR-00001" in receipts and "¥20.00" in receipts
    assert web.get("/purchasing/receipts/", {"export": "xlsx"})["Content-Type"] == XLSX


def test_roles_clerk_receives_but_cannot_approve_viewer_only_reads(client, erp, make_user):
    supplier = make_supplier()
    draft = make_po(supplier, [(make_item(), 10, "1")], approve=False)
    clerk = member(client, erp, make_user, Role.CLERK)
    assert clerk.get("/purchasing/orders/new/").status_code == 200
    assert clerk.post(f"/purchasing/orders/{draft.pk}/approve/").status_code == 403
    assert 'id="approve"' not in clerk.get(f"/purchasing/orders/{draft.pk}/").content.decode()
    viewer = member(client, erp, make_user, Role.VIEWER)
    assert viewer.get("/purchasing/orders/").status_code == 200
    assert viewer.get(f"/purchasing/orders/{draft.pk}/").status_code == 200
    assert viewer.get("/purchasing/orders/new/").status_code == 403
    assert viewer.post(f"/purchasing/orders/{draft.pk}/receive/", {}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_missing_order_is_404(web):
    assert web.get("/purchasing/orders/987654321/").status_code == 404
    assert web.post("/purchasing/orders/987654321/receive/", {}).status_code == 404


def test_edit_a_draft_and_not_an_approved_order(web):
    supplier = make_supplier()
    bolt = make_item("BOLT-M6")
    order = make_po(supplier, [(bolt, 10, "1")], approve=False)
    form = web.get(f"/purchasing/orders/{order.pk}/edit/").content.decode()
    assert 'name="line-0-item" value="BOLT-M6"' in form and 'name="line-0-quantity" value="10"' in form
    response = web.post(f"/purchasing/orders/{order.pk}/edit/", {
        "supplier": supplier.pk, "order_date": "2025-03-01", "location": main_location().pk, "currency": "CNY",
        "line-0-item": "BOLT-M6", "line-0-quantity": "12", "line-0-unit_price": "1", "line-0-vat_rate": "13"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.lines.get().quantity, order.amount_total) == (D("12"), D("13.56"))
    web.post(f"/purchasing/orders/{order.pk}/approve/")
    response = web.get(f"/purchasing/orders/{order.pk}/edit/", follow=True)
    assert "Only draft orders can be changed." in response.content.decode()


def test_invoice_page_offers_what_is_received_and_not_yet_invoiced(web):
    supplier = make_supplier()
    order = make_po(supplier, [(make_item("BOLT-M6"), 10, "2")])
    assert 'id="invoice"' not in web.get(f"/purchasing/orders/{order.pk}/").content.decode()
    line = order.lines.get()
    purchase_order_receive(order=order, lines=[{"line": line, "quantity": "7"}])
    assert 'id="invoice"' in web.get(f"/purchasing/orders/{order.pk}/").content.decode()
    page = web.get(f"/purchasing/orders/{order.pk}/invoice/").content.decode()
    assert f'name="qty-{line.pk}" value="7"' in page and f'name="price-{line.pk}" value="2"' in page
