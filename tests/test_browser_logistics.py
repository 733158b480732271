"""Issue 14's logistics path in a real browser (Debian's chromium, Playwright), in zh-Hans: a clerk ships a sales
delivery in two parcels (from the delivery page's "Ship with tracking"), chooses the contract's quote, adds the
parcels with their weights and waybill numbers (the first parcel's carrier guessed from its number), opens the
labels (PDFs with each parcel's waybill number) and books; the real Celery worker subscribes both waybills at
the local tracking server (logistics.tracking.devserver, its own process), which sends signed pushes over real
HTTP to the live server; the shipment page shows each parcel's own status (one delivered, the other 疑难); the
buyer's public tracking page, opened without login in a fresh browser (English-speaking, still answered in
zh-Hans), shows the track; the proof of delivery is uploaded from a phone-sized browser and the shipment lists
it. A screenshot per step (screenshots_dir()/logistics-NN-*.png, with the page's text beside it); no page
answers 500, no console error, no script error."""

from __future__ import annotations

import base64
import io
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext
from django_tenants.utils import tenant_context
from PIL import Image
from playwright.sync_api import expect

from core.testing import browser_login, browser_page, live_site, screenshots_dir
from logistics.carriers.models import Carrier
from logistics.carriers.services import carriers_seed_standard, contract_create, zone_create
from logistics.shipments.models import ParcelStatus, ProofOfDelivery, Shipment
from logistics.shipments.tests.factories import make_delivery
from logistics.tracking.models import ExceptionTask, Subscription
from logistics.tracking.tests.test_devserver import Devserver
from tenants.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]
PASSWORD = "Shipping-Clerk-2026!"
SLUG = "ship-browser"
D = Decimal
# the devserver plays a track by the waybill's last digit: 0 ends delivered (签收), 6 ends 疑难 (address unclear)
WAYBILL_1, WAYBILL_2 = "SF1402583917260", "SF1402583917276"


def zh(message: str, context: str | None = None) -> str:
    with translation.override("zh-hans"):
        return pgettext(context, message) if context else gettext(message)


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def fetched(page, path: str) -> tuple[int, str, bytes]:
    """GET ``path`` from inside the page (its cookies, its host: Playwright's own request client cannot resolve
    *.localhost): the status, the content type and the body."""
    status, content_type, body = page.evaluate(
        """async path => { const r = await fetch(path); const bytes = new Uint8Array(await r.arrayBuffer());
        let text = ''; for (const b of bytes) text += String.fromCharCode(b);
        return [r.status, r.headers.get('content-type'), btoa(text)]; }""", path)
    return status, content_type, base64.b64decode(body)


def photo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def watched(page, problems: list[str]):
    """Record every answer ≥ 500, console error and script error of the page into ``problems``."""
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} ({m.location.get('url')}) @ {page.url}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e} @ {page.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    return page


def wait_for(predicate, timeout_s: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def tracking_server(tmp_path, live_server, settings, monkeypatch):
    """The local tracking server as its own process; the platform (here and in the Celery worker, which reads
    the environment: ask for this fixture before celery_worker_process) pointed at it, and the live server's
    port as the public port, so the callback URLs are http://<slug>.localhost:<port>/logistics/push/<token>/."""
    server = Devserver(tmp_path / "tracking-state.json", key="browser-key", customer="BROWSERCUSTOMER")
    port = str(urlsplit(live_server.url).port)
    values = {"TRACKING_AGGREGATOR_URL": server.url, "TRACKING_AGGREGATOR_KEY": server.key,
              "TRACKING_AGGREGATOR_CUSTOMER": server.customer, "PUBLIC_PORT": port}
    for name, value in values.items():
        setattr(settings, name, value)
        monkeypatch.setenv(name, value)
    yield server
    server.stop()


def test_ship_a_delivery_in_two_parcels_label_pushes_public_page_and_proof(
        live_server, clean_schemas, media, tracking_server, celery_worker_process, chromium,
        make_enterprise, make_user):
    # given: an enterprise, its clerk; the standard carriers and SF's contract (宁波同城 zone); a confirmed sales
    # order of 2 hoods delivered to a customer in 宁波市江北区
    owner = make_user(email="owner@ship.test")
    enterprise = make_enterprise(slug=SLUG, owner=owner)
    clerk = make_user(email="clerk@ship.test", password=PASSWORD, full_name="张发货")
    Membership.objects.create(user=clerk, enterprise=enterprise, role=Role.CLERK)
    with tenant_context(enterprise):
        carriers_seed_standard()
        sf = Carrier.objects.get(code="SF")
        contract = contract_create(carrier=sf, name="标准快递")
        zone_create(contract=contract, name="宁波同城", regions=["330200"], first_price=D("8"), step_price=D("1"),
                    promised_days=1)
        delivery = make_delivery(quantity=2, price="1000", address="浙江省宁波市江北区长兴路 8 号")
    site, host = live_site(live_server), live_site(live_server, SLUG)
    SHOTS = screenshots_dir()
    problems: list[str] = []
    page = watched(browser_page(chromium, locale="zh-CN", timeout_ms=30_000), problems)
    started = [time.monotonic()]

    def shot(name: str, on=None) -> None:
        """A full-page screenshot and the page's text beside it (this machine's chromium may have no Chinese
        font: the text is what a reviewer reads); prints how long the step took (never asserted)."""
        on = on or page
        on.screenshot(path=str(SHOTS / f"logistics-{name}.png"), full_page=True)
        (SHOTS / f"logistics-{name}.txt").write_text(on.locator("body").inner_text(), encoding="utf-8")
        now = time.monotonic()
        print(f"step logistics-{name}: {now - started[0]:.1f} s")
        started[0] = now

    browser_login(page, site, clerk.email, PASSWORD, then=f"{host}/**")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # 1. the delivery page: "Ship with tracking" opens the form with this delivery chosen; create the shipment
    page.goto(f"{host}/sales/deliveries/{delivery.pk}/")
    expect(page.locator("#ship-link")).to_have_text(zh("Ship with tracking"))
    page.locator("#ship-link").click()
    form = page.locator("#shipment-form")
    expect(form.locator("[name=delivery]")).to_have_value(str(delivery.pk))
    shot("01-ship-a-delivery")
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("SH-00001")
    with tenant_context(enterprise):
        shipment = Shipment.objects.get()
    assert (shipment.delivery_id, shipment.status) == (delivery.pk, Shipment.Status.DRAFT)
    expect(page).to_have_url(f"{host}/logistics/shipments/{shipment.pk}/")
    expect(page.locator("#shipment-status")).to_have_attribute("data-status", "draft")
    expect(page.locator("#region")).to_contain_text("宁波市")
    shot("02-shipment-created")

    # 2. two parcels: the first with dimensions, its carrier guessed from the number; the second with SF chosen
    parcel_form = page.locator("#parcel-form")
    for weight, dims, waybill, carrier, contents in (
            ("12.5", ("60", "40", "30"), WAYBILL_1, None, "油烟机 1/2"),
            ("3.2", None, WAYBILL_2, sf, "油烟机 2/2 及配件")):
        parcel_form.locator("[name=weight_kg]").fill(weight)
        if dims:
            for name, value in zip(("length_cm", "width_cm", "height_cm"), dims, strict=True):
                parcel_form.locator(f"[name={name}]").fill(value)
        parcel_form.locator("[name=waybill_number]").fill(waybill)
        if carrier:
            parcel_form.locator("[name=carrier]").select_option(str(carrier.pk))
        parcel_form.locator("[name=description]").fill(contents)
        parcel_form.locator("button[type=submit]").click()
        expect(page.locator("#parcels")).to_contain_text(waybill)
    rows = page.locator("#parcels tbody tr[data-parcel]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(sf.name)  # guessed
    expect(rows.nth(1)).to_contain_text(sf.name)
    expect(rows.nth(0)).to_contain_text(zh("created", "parcel status"))
    shot("03-two-parcels")

    # 3. the quote of SF's contract (宁波同城): chosen; it fills the carrier, the quoted freight, the promised date
    quote = page.locator(f"#quotes tr[data-contract='{contract.pk}']")
    expect(quote).to_contain_text("宁波同城")
    quote.locator("button").click()
    expect(page.locator("#quoted-freight")).not_to_have_text("—")
    with tenant_context(enterprise):
        shipment.refresh_from_db()
        parcels = list(shipment.parcels.order_by("seq"))
    assert (shipment.carrier_id, shipment.contract_id) == (sf.pk, contract.pk)
    assert shipment.quoted_freight > 0 and shipment.promised_date is not None
    assert [(p.waybill_number, p.carrier_id, p.weight_kg) for p in parcels] == [
        (WAYBILL_1, sf.pk, D("12.5")), (WAYBILL_2, sf.pk, D("3.2"))]
    shot("04-quote-chosen")

    # 4. the labels: each a PDF (100 × 150 mm) with its parcel's waybill number and "n/2"; the packing list both
    for parcel, waybill in zip(parcels, (WAYBILL_1, WAYBILL_2), strict=True):
        link = page.locator(f"#parcels tr[data-parcel='{parcel.pk}'] a[href$='label.pdf']")
        expect(link).to_have_text(zh("Label"))
        status, content_type, body = fetched(page, link.get_attribute("href"))
        assert (status, content_type) == (200, "application/pdf")
        assert body.startswith(b"%PDF-") and len(body) > 2000
        text = pdf_text(body)
        assert waybill in text and f"{parcel.seq}/2" in text, text
    status, content_type, body = fetched(page, f"/logistics/shipments/{shipment.pk}/packing-list.pdf")
    assert (status, content_type) == (200, "application/pdf")
    assert WAYBILL_1 in pdf_text(body) and WAYBILL_2 in pdf_text(body)

    # 5. book: the real Celery worker subscribes both waybills at the tracking server (push, with a callback to
    # this enterprise's host)
    expect(page.locator("#book")).to_have_text(zh("Book"))
    page.locator("#book").click()
    expect(page.locator("#shipment-status")).to_have_attribute("data-status", "booked")
    expect(page.locator(".messages .alert-success")).to_contain_text("SH-00001")
    shot("05-booked")
    with tenant_context(enterprise):
        wait_for(lambda: Subscription.objects.filter(parcel__shipment=shipment,
                                                     state=Subscription.State.ACTIVE).count() == 2,
                 60, "the worker to subscribe both parcels")
        assert set(Subscription.objects.values_list("mode", "provider")) == {("push", "aggregator")}

    # 6. the tracking server moves both parcels three steps (揽收, 在途, 在途) and pushes, signed, to the platform
    pushes = tracking_server.advance(3)
    assert sorted((p["number"], p["status"], p["ok"]) for p in pushes) == [
        (WAYBILL_1, "polling", True), (WAYBILL_2, "polling", True)], pushes
    page.reload()
    for row in (rows.nth(0), rows.nth(1)):
        expect(row).to_contain_text(zh("in transit", "parcel status"))
    expect(page.locator("#shipment-status")).to_have_attribute("data-status", "in_transit")
    expect(page.locator("#parcels ol.events").first).to_contain_text("已揽收")
    shot("06-in-transit")

    # ... and on to the end: parcel 1 delivered (签收, the push ends with "shutdown"), parcel 2 stuck (疑难)
    pushes = tracking_server.advance(10)
    assert sorted((p["number"], p["status"], p["ok"]) for p in pushes) == [
        (WAYBILL_1, "shutdown", True), (WAYBILL_2, "polling", True)], pushes
    page.reload()
    expect(rows.nth(0)).to_contain_text(zh("delivered", "parcel status"))
    expect(rows.nth(1)).to_contain_text(zh("problem", "parcel status"))
    events = page.locator("#parcels ol.events")
    expect(events.nth(0)).to_contain_text("快件已签收")
    expect(events.nth(1)).to_contain_text("收件地址不详")
    expect(page.locator("#shipment-status")).to_have_attribute("data-status", "exception")
    shot("07-each-parcel-its-status")
    with tenant_context(enterprise):
        assert [p.status for p in shipment.parcels.order_by("seq")] == [ParcelStatus.DELIVERED, ParcelStatus.PROBLEM]
        assert list(ExceptionTask.objects.values_list("parcel__waybill_number", flat=True)) == [WAYBILL_2]
        assert Subscription.objects.get(parcel=parcels[0]).state == Subscription.State.SHUTDOWN

    # 7. the buyer's public page: the unguessable link from the shipment page, in a fresh (English-speaking,
    # logged-out) browser; answered in zh-Hans, both parcels with their track, no price, not indexed
    tracking_url = page.locator("#tracking-link").get_attribute("href")
    assert tracking_url == f"{host}/logistics/t/{shipment.tracking_token}/" and len(shipment.tracking_token) >= 32
    buyer = watched(browser_page(chromium, locale="en-US", viewport=(390, 844), timeout_ms=30_000), problems)
    answer = buyer.goto(tracking_url)
    assert answer.status == 200 and "noindex" in answer.headers["x-robots-tag"]
    expect(buyer.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(buyer.locator("h1")).to_contain_text(zh("Track your shipment"))
    first, second = buyer.locator("section[data-parcel='1']"), buyer.locator("section[data-parcel='2']")
    expect(first.locator(".card-header")).to_contain_text(WAYBILL_1)
    expect(first.locator(".card-header .badge")).to_have_text(zh("delivered", "parcel status"))
    expect(first.locator("li")).to_have_count(6)
    expect(first.locator("li").first).to_contain_text("快件已签收")
    expect(first.locator("li").last).to_contain_text("已揽收")
    expect(second.locator(".card-header")).to_contain_text(WAYBILL_2)
    expect(second.locator(".card-header .badge")).to_have_text(zh("problem", "parcel status"))
    expect(second.locator("li").first).to_contain_text("收件地址不详")
    public_text = buyer.locator("body").inner_text()
    assert shipment.goods_value > 0
    for hidden in (str(shipment.quoted_freight), str(shipment.goods_value), f"{shipment.goods_value:,.2f}", "¥",
                   shipment.consignee_phone, "长兴路"):  # no freight, no goods value, no phone or street
        assert hidden not in public_text, hidden
    shot("08-public-tracking", buyer)
    buyer.context.close()

    # 8. the proof of delivery of parcel 1, a photo taken on a phone (390 × 844), logged in there as the clerk
    phone = watched(browser_page(chromium, locale="zh-CN", viewport=(390, 844), timeout_ms=30_000), problems)
    browser_login(phone, site, clerk.email, PASSWORD, then=f"{host}/**")
    phone.goto(f"{host}/logistics/shipments/{shipment.pk}/proof/")
    proof_form = phone.locator("#proof-form")
    expect(proof_form.locator("input[type=file]")).to_have_attribute("capture", "environment")
    proof_form.locator("[name=kind]").select_option(ProofOfDelivery.Kind.PHOTO)
    proof_form.locator("[name=parcel]").select_option(str(parcels[0].pk))
    proof_form.locator("input[type=file]").set_input_files(files=[{
        "name": "签收照片.png", "mimeType": "image/png", "buffer": photo_png()}])
    proof_form.locator("[name=note]").fill("本人签收，外包装完好")
    button = proof_form.locator("button[type=submit]")
    box = button.bounding_box()
    assert box is not None and box["width"] > 300  # a full-width button on the phone
    shot("09-proof-form-phone", phone)
    button.click()
    expect(phone.locator(".messages .alert-success")).to_contain_text(zh("Proof of delivery uploaded."))
    expect(phone.locator("#proofs")).to_contain_text("签收照片.png")
    shot("10-proof-uploaded-phone", phone)
    phone.context.close()

    # the shipment (the clerk's desk browser) lists it, for parcel 1; its link gives the photo back
    page.reload()
    proof_item = page.locator("#proofs li", has_text="签收照片.png")
    expect(proof_item).to_contain_text(zh("photo"))
    expect(proof_item).to_contain_text(f"{zh('Parcel')} 1")
    with tenant_context(enterprise):
        proof = ProofOfDelivery.objects.get()
    assert (proof.shipment_id, proof.parcel_id, proof.content_type) == (shipment.pk, parcels[0].pk, "image/png")
    assert fetched(page, proof_item.locator("a").get_attribute("href")) == (200, "image/png", photo_png())
    shot("11-shipment-with-proof")
    page.context.close()
    assert problems == []
