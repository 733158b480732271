"""The pages as a clerk uses them, the PDFs, the buyer's public page, and isolation between enterprises."""

import io
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from logistics.shipments.models import Parcel, ProofOfDelivery, Shipment
from logistics.shipments.tests.factories import carrier, make_delivery, png, truncated_jpeg
from logistics.shipments.tests.walk_objects import make_shipments_walk_objects

pytestmark = pytest.mark.django_db
D = Decimal


def _text(content: bytes) -> str:
    pdf = pdfium.PdfDocument(content)
    try:
        return "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_a_clerk_ships_a_delivery_in_two_parcels_prints_labels_and_books(erp, web, owner):
    # given a delivery and the carrier SF
    delivery = make_delivery()
    sf = carrier("SF")
    # the "ship a delivery" page offers it
    page = web.get("/logistics/shipments/from-delivery/").content.decode()
    assert delivery.number in page
    response = web.post("/logistics/shipments/from-delivery/", {"delivery": delivery.pk, "address": ""})
    shipment = Shipment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/logistics/shipments/{shipment.pk}/"
    # two parcels; the carrier of the first is guessed from its number
    url = f"/logistics/shipments/{shipment.pk}/"
    assert web.post(f"{url}parcels/add/", {"weight_kg": "12.5", "length_cm": "60", "width_cm": "40",
                                            "height_cm": "30", "waybill_number": "SF1402583917266"}).status_code == 302
    assert web.post(f"{url}parcels/add/", {"weight_kg": "3", "waybill_number": "SF1402583917273",
                                            "carrier": sf.pk}).status_code == 302
    # hostile input is a field error, and the same number twice names the parcel
    for hostile in ("NaN", "1e309", "-1", "\x00", "abc"):
        bad = web.post(f"{url}parcels/add/", {"weight_kg": hostile})
        assert bad.status_code == 400, hostile
    taken = web.post(f"{url}parcels/add/", {"weight_kg": "1", "waybill_number": "SF1402583917266"})
    assert taken.status_code == 400 and "already on parcel 1 of SH-00001" in taken.content.decode()
    first, second = Parcel.objects.order_by("seq")
    assert (first.carrier, second.carrier) == (sf, sf)
    # the detail lists both parcels with their waybill numbers
    page = web.get(url).content.decode()
    assert "SF1402583917266" in page and "SF1402583917273" in page and shipment.region_name in page
    # labels and the packing list
    label = web.get(f"{url}parcels/{first.pk}/label.pdf")
    assert label["Content-Type"] == "application/pdf"
    pdf = pdfium.PdfDocument(label.content)
    width, height = pdf[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (100, 150)
    pdf.close()
    text = _text(label.content)
    assert "SF1402583917266" in text and "1/2" in text and shipment.consignee_name.split()[0] in text
    packing = _text(web.get(f"{url}packing-list.pdf").content)
    assert "SF1402583917266" in packing and "SF1402583917273" in packing and delivery.lines.get().item.code in packing
    # book; the list filters and exports
    assert web.post(f"{url}book/").status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.BOOKED
    listing = web.get("/logistics/shipments/?status=booked").content.decode()
    assert "SH-00001" in listing
    assert "SH-00001" not in web.get("/logistics/shipments/?status=delivered").content.decode()
    rows = list(load_workbook(io.BytesIO(web.get("/logistics/shipments/?export=xlsx").content)).active.values)
    assert rows[1][0] == "SH-00001" and rows[1][6] == 2
    # the actual freight
    assert web.post(f"{url}freight/", {"actual_freight": "1e309"}).status_code == 400
    assert web.post(f"{url}freight/", {"actual_freight": "45.50"}).status_code == 302
    shipment.refresh_from_db()
    assert shipment.actual_freight == D("45.50")


def test_proof_of_delivery_from_the_phone_page(erp, web, owner):
    ids = make_shipments_walk_objects("a", owner)
    url = f"/logistics/shipments/{ids['logistics_shipment']}/proof/"
    page = web.get(url).content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    damaged = web.post(url, {"kind": "photo", "file": truncated_jpeg()})
    assert damaged.status_code == 400 and "damaged or incomplete" in damaged.content.decode()
    assert ProofOfDelivery.objects.count() == 1
    assert web.post(url, {"kind": "signed_receipt", "file": png("签回单.png")}).status_code == 302
    proof = ProofOfDelivery.objects.get(kind="signed_receipt")
    assert proof.original_name == "签回单.png"
    download = web.get(f"/logistics/shipments/{ids['logistics_shipment']}/proofs/{proof.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_the_public_tracking_page_by_token(client, enterprise_pair):
    a, b, alice, bob = enterprise_pair("ship-pub-a", "ship-pub-b")
    with tenant_context(a):
        ids_a = make_shipments_walk_objects("a", alice)
        Shipment.objects.filter(pk=ids_a["logistics_shipment"]).update(note="内部备注：不给买家看", quoted_freight=D("987.65"))
    with tenant_context(b):
        ids_b = make_shipments_walk_objects("b", bob)
    connection.set_schema_to_public()
    # no login: the token is the key
    response = client.get(f"/logistics/t/{ids_a['logistics_tracking_token']}/", HTTP_HOST=f"{a.slug}.localhost")
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    page = response.content.decode()
    assert 'lang="zh-Hans"' in page and "SH-00001" in page
    with tenant_context(a):
        number = Parcel.objects.get().waybill_number
    assert number in page
    assert "内部备注" not in page and "987.65" not in page and "walker a" not in page
    # a wrong token, and B's token on A's host, are not found
    for token in ("x" * 32, ids_b["logistics_tracking_token"], ids_a["logistics_tracking_token"][:-1]):
        assert client.get(f"/logistics/t/{token}/", HTTP_HOST=f"{a.slug}.localhost").status_code == 404, token


def test_a_member_of_a_reaches_nothing_of_b(client, enterprise_pair):
    a, b, alice, bob = enterprise_pair("ship-iso-a", "ship-iso-b")
    with tenant_context(a):
        make_delivery()  # so that A has a delivery to ship, with its own ids
    with tenant_context(b):
        ids = make_shipments_walk_objects("b", bob)
        secret = Shipment.objects.get().consignee_name
    connection.set_schema_to_public()
    client.force_login(alice)
    s, p, f = ids["logistics_shipment"], ids["logistics_parcel"], ids["logistics_proof"]
    gets = [f"/logistics/shipments/{s}/", f"/logistics/shipments/{s}/parcels/{p}/",
            f"/logistics/shipments/{s}/parcels/{p}/label.pdf", f"/logistics/shipments/{s}/packing-list.pdf",
            f"/logistics/shipments/{s}/proof/", f"/logistics/shipments/{s}/proofs/{f}/"]
    posts = [f"/logistics/shipments/{s}/parcels/add/", f"/logistics/shipments/{s}/parcels/{p}/remove/",
             f"/logistics/shipments/{s}/quote/", f"/logistics/shipments/{s}/book/", f"/logistics/shipments/{s}/cancel/",
             f"/logistics/shipments/{s}/freight/"]
    for host in (f"{a.slug}.localhost", f"{b.slug}.localhost"):
        for url in gets:
            assert client.get(url, HTTP_HOST=host).status_code == 404, (host, url)
        for url in posts:
            assert client.post(url, {"weight_kg": "1", "actual_freight": "1"}, HTTP_HOST=host).status_code == 404, url
    for url in ["/logistics/shipments/", "/logistics/shipments/?export=xlsx", "/logistics/shipments/from-delivery/",
                "/logistics/shipments/for-receipt/", "/logistics/shipments/new/"]:
        response = client.get(url, HTTP_HOST=f"{a.slug}.localhost")
        assert response.status_code == 200, url
        assert secret.encode() not in response.content and b"SH-00001" not in response.content, url
    with tenant_context(b):
        shipment = Shipment.objects.get()
        assert (shipment.status, shipment.actual_freight, shipment.parcels.count()) == ("booked", None, 1)
