"""The sales pages through the Django test client, on the enterprise's host, logged in as its owner."""

import io

import openpyxl

from erp_modules.catalog.models import Item
from erp_modules.inventory.models import MoveType, Reservation, StockMove
from erp_modules.inventory.services import lot_get_or_create
from erp_modules.partners.models import PriceList, PriceListItem
from erp_modules.sales.models import Delivery, Invoice, Quotation, SalesOrder
from erp_modules.sales.services import delivery_create, invoice_create, quotation_create, sales_order_confirm
from erp_modules.sales.tests.factories import D, make_customer, make_hood, make_item, order_for, receive
from tenants.models import Membership, Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _flow(customer, hood):
    """QT-00001, SO-00001 (confirmed, 2 of 3 delivered in DN-00001, invoiced in INV-00001)."""
    quotation_create(customer=customer, lines=[{"item": hood, "quantity": D(3), "unit_price": D("1299")}])
    order = order_for(customer, (hood, 3, "1299"), confirm=True)
    delivery_create(order=order, lines=[{"order_line": order.lines.get(), "quantity": D(2)}])
    invoice_create(order=order)
    return order


def test_the_four_lists_show_the_documents_and_export_them_to_excel(erp, web):
    customer = make_customer("杭州老板厨具经销部")
    _flow(customer, make_hood(stock=10))
    for url, number in [("/sales/quotations/", "QT-00001"), ("/sales/orders/", "SO-00001"),
                        ("/sales/deliveries/", "DN-00001"), ("/sales/invoices/", "INV-00001"),
                        ("/sales/backorders/", "SO-00001")]:
        response = web.get(url)
        assert response.status_code == 200, url
        assert number in response.content.decode() and "杭州老板厨具经销部" in response.content.decode(), url
    export = web.get("/sales/invoices/?export=xlsx")
    assert export["Content-Type"] == XLSX
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[1][0] == "INV-00001" and rows[1][2] == "杭州老板厨具经销部"
    assert rows[1][6:] == (2598.0, 337.74, 2935.74)
    assert web.get("/sales/orders/?status=draft").content.decode().count("SO-00001") == 0
    assert "SO-00001" in web.get("/sales/orders/?q=老板").content.decode()


def test_a_quotation_is_created_from_the_form_with_list_prices_and_turned_into_an_order(erp, web):
    # given a customer and a hood on the default sales price list
    customer = make_customer()
    hood = make_hood()
    price_list = PriceList.objects.create(name="标准价", kind="sales")
    PriceListItem.objects.create(price_list=price_list, item=hood, unit_price=D("1299"))
    # when the form is posted with one line without price (and empty spare rows)
    response = web.post("/sales/quotations/new/", {
        "customer": customer.pk, "customer_reference": "询价 2025-18", "valid_until": "2099-12-31",
        "item": ["hood-900", ""], "quantity": ["3", ""], "unit_price": ["", ""], "description": ["", ""],
        "discount_pct": ["", ""], "vat_rate": ["", ""]})
    # then the quotation exists with the list price and 13 % VAT
    quotation = Quotation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sales/quotations/{quotation.pk}/"
    assert (quotation.amount_excl_vat, quotation.vat_amount, quotation.amount_incl_vat) == (
        D("3897.00"), D("506.61"), D("4403.61"))
    page = web.get(response["Location"]).content.decode()
    assert "QT-00001" in page and "4,403.61" in page
    # when it is turned into an order
    response = web.post(f"/sales/quotations/{quotation.pk}/convert/")
    order = SalesOrder.objects.get()
    assert response["Location"] == f"/sales/orders/{order.pk}/"
    assert (order.quotation, order.status, order.amount_incl_vat) == (quotation, SalesOrder.Status.DRAFT,
                                                                      D("4403.61"))


def test_a_bad_line_comes_back_with_a_message_naming_the_line(erp, web):
    customer = make_customer()
    make_hood()
    response = web.post("/sales/orders/new/", {
        "customer": customer.pk, "item": ["HOOD-900", "NOPE-1"], "quantity": ["1", "2"], "unit_price": ["10", "5"]})
    assert response.status_code == 400
    assert "Line 2: there is no item with code “NOPE-1”." in response.content.decode()
    response = web.post("/sales/orders/new/", {"customer": customer.pk, "item": ["HOOD-900"], "quantity": ["-1"],
                                               "unit_price": ["10"]})
    assert "Line 1 (HOOD-900 油烟机 CXW-900): the quantity must be greater than zero." in response.content.decode()
    assert SalesOrder.objects.count() == 0


def test_an_order_is_created_confirmed_delivered_in_two_steps_and_invoiced_through_the_pages(erp, web):
    # given 10 hoods and 20 lot-tracked filters in stock
    customer = make_customer()
    make_hood(stock=10)
    filter_item = make_item("FLT-01", name="油网", tracking=Item.Tracking.LOT)
    receive(filter_item, 20, lot=lot_get_or_create(item=filter_item, code="L2501"))
    # when an order is posted and confirmed
    response = web.post("/sales/orders/new/", {
        "customer": customer.pk, "delivery_date": "2099-01-31", "item": ["HOOD-900", "FLT-01", ""],
        "quantity": ["5", "4", ""], "unit_price": ["1299", "12.5", ""], "vat_rate": ["", "", ""]})
    order = SalesOrder.objects.get()
    assert response["Location"] == f"/sales/orders/{order.pk}/"
    hood_line, filter_line = order.lines.all()
    web.post(f"/sales/orders/{order.pk}/confirm/")
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.CONFIRMED
    assert sorted(Reservation.objects.values_list("item__code", "quantity")) == [("FLT-01", D(4)), ("HOOD-900", D(5))]
    # when 2 hoods and 4 filters are delivered, the filters without their lot first
    response = web.post(f"/sales/orders/{order.pk}/deliver/", {f"deliver-{hood_line.pk}": "2",
                                                               f"deliver-{filter_line.pk}": "4"}, follow=True)
    assert "Line 2 (FLT-01 油网): this item is tracked by lot; give the lot number." in response.content.decode()
    response = web.post(f"/sales/orders/{order.pk}/deliver/", {f"deliver-{hood_line.pk}": "2",
                                                               f"deliver-{filter_line.pk}": "4",
                                                               f"lot-{filter_line.pk}": "L2501"})
    delivery = Delivery.objects.get()
    assert response["Location"] == f"/sales/deliveries/{delivery.pk}/"
    # then the order shows the backorder of 3 hoods
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.PARTIALLY_DELIVERED
    page = web.get(f"/sales/orders/{order.pk}/")
    assert [(v.reserved, v.line.delivered_qty, v.backorder) for v in page.context["lines"]] == [
        (D(3), D(2), D(3)), (D(0), D(4), D(0))]
    assert "Backorder: 3 still to deliver" in page.content.decode()
    assert sorted(StockMove.objects.filter(move_type=MoveType.DELIVERY).values_list("item__code", "quantity")) == [
        ("FLT-01", D(-4)), ("HOOD-900", D(-2))]
    # when more is invoiced than delivered, then it is refused; the delivered quantities are invoiced
    response = web.post(f"/sales/orders/{order.pk}/invoice/", {f"invoice-{hood_line.pk}": "3"}, follow=True)
    assert "3 to invoice but only 2 个 delivered and not yet invoiced" in response.content.decode()
    response = web.post(f"/sales/orders/{order.pk}/invoice/", {f"invoice-{hood_line.pk}": "2",
                                                               f"invoice-{filter_line.pk}": "4"})
    invoice = Invoice.objects.get()
    assert response["Location"] == f"/sales/invoices/{invoice.pk}/"
    # 2 × 1299 = 2598.00 + 337.74; 4 × 12.50 = 50.00 + 6.50
    assert (invoice.amount_excl_vat, invoice.vat_amount, invoice.amount_incl_vat) == (
        D("2648.00"), D("344.24"), D("2992.24"))
    # when the rest is delivered
    web.post(f"/sales/orders/{order.pk}/deliver/", {f"deliver-{hood_line.pk}": "3"})
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.DELIVERED
    assert "DN-00002" in web.get(f"/sales/deliveries/{Delivery.objects.order_by('-pk').first().pk}/").content.decode()


def test_the_pdfs_are_pdf_files_with_the_document_number(erp, web):
    customer = make_customer()
    order = _flow(customer, make_hood(stock=10))
    for url, number in [(f"/sales/quotations/{Quotation.objects.get().pk}/pdf/", b"QT-00001"),
                        (f"/sales/orders/{order.pk}/pdf/", b"SO-00001"),
                        (f"/sales/deliveries/{Delivery.objects.get().pk}/pdf/", b"DN-00001"),
                        (f"/sales/invoices/{Invoice.objects.get().pk}/pdf/", b"INV-00001")]:
        response = web.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url
        assert response.content.startswith(b"%PDF-")
        assert b"(" + number + b") Tj" in response.content, url  # drawn on the page, not only in the metadata


def test_roles_viewers_read_clerks_work_managers_cancel(erp, client, make_user):
    customer = make_customer()
    order = order_for(customer, (make_hood(stock=10), 1, "1299"))
    viewer, clerk = make_user(), make_user()
    Membership.objects.create(user=viewer, enterprise=erp, role=Role.VIEWER)
    Membership.objects.create(user=clerk, enterprise=erp, role=Role.CLERK)
    host = {"HTTP_HOST": f"{erp.slug}.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
    client.force_login(viewer)
    assert client.get(f"/sales/orders/{order.pk}/", **host).status_code == 200
    assert client.get("/sales/orders/new/", **host).status_code == 403
    assert client.post(f"/sales/orders/{order.pk}/confirm/", **host).status_code == 403
    client.force_login(clerk)
    assert client.post(f"/sales/orders/{order.pk}/confirm/", **host).status_code == 302
    assert client.post(f"/sales/orders/{order.pk}/cancel/", **host).status_code == 403
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.CONFIRMED
    assert client.get("/sales/orders/new/", **host).status_code == 200


def test_a_draft_order_is_changed_through_its_form_and_a_confirmed_one_no_longer(erp, web):
    customer = make_customer()
    hood = make_hood(stock=10)
    receive(make_item("FLT-01", name="油网"), 10)
    order = order_for(customer, (hood, 1, "1299"))
    page = web.get(f"/sales/orders/{order.pk}/edit/")
    assert page.status_code == 200 and 'value="HOOD-900"' in page.content.decode()
    more = web.post(f"/sales/orders/{order.pk}/edit/", {"customer": customer.pk, "item": ["HOOD-900"],
                                                        "quantity": ["1"], "add_rows": "1"})
    assert more.status_code == 200 and more.content.decode().count('name="item"') == 1 + 3 + 5
    response = web.post(f"/sales/orders/{order.pk}/edit/", {
        "customer": customer.pk, "customer_reference": "PO-7788", "item": ["HOOD-900", "FLT-01"],
        "quantity": ["2", "10"], "unit_price": ["1199", "12.345"], "discount_pct": ["5", ""]})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.customer_reference == "PO-7788"
    assert [(line.sequence, line.item.code, line.quantity, line.amount_excl_vat) for line in order.lines.all()] == [
        (1, "HOOD-900", D(2), D("2278.10")), (2, "FLT-01", D(10), D("123.45"))]
    assert web.post(f"/sales/orders/{order.pk}/confirm/").status_code == 302
    response = web.get(f"/sales/orders/{order.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/sales/orders/{order.pk}/"


def test_too_many_decimals_are_refused_on_the_line(erp, web):
    customer = make_customer()
    make_hood()
    response = web.post("/sales/quotations/new/", {"customer": customer.pk, "item": ["HOOD-900"],
                                                   "quantity": ["1"], "unit_price": ["12.34567"]})
    assert response.status_code == 400
    assert ("Line 1 (HOOD-900 油烟机 CXW-900): use at most 4 decimals for the unit price."
            in response.content.decode())
    assert Quotation.objects.count() == 0


def test_a_short_order_offers_confirm_anyway_and_then_check_availability(erp, web):
    # given an order for 10 hoods with 4 in stock
    customer = make_customer()
    hood = make_hood(stock=4)
    order = order_for(customer, (hood, 10, "1299"))
    page = web.get(f"/sales/orders/{order.pk}/").content.decode()
    assert 'id="confirm-order"' in page and 'id="confirm-order-shortage"' not in page
    # when it is confirmed, then the stock error comes back with a second button, "Confirm anyway"
    response = web.post(f"/sales/orders/{order.pk}/confirm/")
    assert response.status_code == 302 and response["Location"] == f"/sales/orders/{order.pk}/?shortage=1"
    page = web.get(response["Location"]).content.decode()
    assert "Line 1 (HOOD-900 油烟机 CXW-900) cannot be reserved: Only 4 个" in page
    assert 'id="confirm-order-shortage"' in page and "Confirm anyway (make to order)" in page
    assert 'name="allow_shortage" value="1"' in page and 'id="shortage-help"' in page
    # when "Confirm anyway" is posted, then the order is confirmed with 4 reserved and 6 short (highlighted)
    response = web.post(f"/sales/orders/{order.pk}/confirm/", {"allow_shortage": "1"}, follow=True)
    page = response.content.decode()
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.CONFIRMED
    assert "SO-00001 confirmed to order: 1 line is short. Make or buy it, then use “Check availability”." in page
    assert [(v.reserved, v.short, v.deliverable) for v in response.context["lines"]] == [(D(4), D(6), D(4))]
    assert '<td class="text-end text-danger fw-semibold table-danger" data-col="short">6</td>' in page
    assert 'id="check-availability"' in page and 'id="confirm-order-shortage"' not in page
    assert f'name="deliver-{order.lines.get().pk}" value="4"' in page
    # when 6 hoods arrive and "Check availability" is posted, then everything is reserved
    receive(hood, 6)
    response = web.post(f"/sales/orders/{order.pk}/check-availability/", follow=True)
    page = response.content.decode()
    assert "SO-00001: everything still to deliver is reserved." in page
    assert [(v.reserved, v.short) for v in response.context["lines"]] == [(D(10), D(0))]
    assert '<td class="text-end" data-col="short">0</td>' in page


def test_check_availability_is_for_clerks_and_open_orders(erp, client, make_user):
    customer = make_customer()
    hood = make_hood(stock=1)
    order = sales_order_confirm(order=order_for(customer, (hood, 3, "1299")), allow_shortage=True)
    draft = order_for(customer, (hood, 1, "1299"))
    viewer, clerk = make_user(), make_user()
    Membership.objects.create(user=viewer, enterprise=erp, role=Role.VIEWER)
    Membership.objects.create(user=clerk, enterprise=erp, role=Role.CLERK)
    host = {"HTTP_HOST": f"{erp.slug}.localhost", "HTTP_ACCEPT_LANGUAGE": "en"}
    client.force_login(viewer)
    page = client.get(f"/sales/orders/{order.pk}/", **host).content.decode()
    assert 'id="check-availability"' not in page and "data-col=\"short\">2</td>" in page
    assert client.post(f"/sales/orders/{order.pk}/check-availability/", **host).status_code == 403
    assert client.post(f"/sales/orders/{draft.pk}/confirm/", {"allow_shortage": "1"}, **host).status_code == 403
    client.force_login(clerk)
    assert client.get(f"/sales/orders/{order.pk}/check-availability/", **host).status_code == 405
    response = client.post(f"/sales/orders/{order.pk}/check-availability/", follow=True, **host)
    assert "SO-00001: reserved what is in stock; 1 line is still short." in response.content.decode()
    response = client.post(f"/sales/orders/{draft.pk}/check-availability/", follow=True, **host)
    assert "SO-00002 is draft; it cannot be checked for availability." in response.content.decode()
    assert 'id="check-availability"' not in response.content.decode()
