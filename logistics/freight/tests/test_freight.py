"""The freight board end to end: a clerk posts a shipment, a logistics company quotes on the public board, the
buyer accepts, and the shipment in the buyer's schema gets its carrier and price; and what others cannot do."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.forms.models import model_to_dict
from django.test import Client
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.testing import codes
from ecommerce.models import Listing, Quotation
from logistics.carriers.models import Carrier
from logistics.freight.models import FreightRequest
from logistics.freight.services import freight_request_post
from logistics.freight.tests.factories import CONSIGNEE, shipment_with_parcels
from logistics.shipments.models import Shipment
from tenants.models import Membership, Role

pytestmark = pytest.mark.django_db
D = Decimal
ADDRESS = "浙江省宁波市慈溪市古塘街道开发大道1号"


def _host_client(enterprise, user) -> Client:
    client = Client(HTTP_HOST=f"{enterprise.slug}.localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _public_client(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def _clerk(make_user, enterprise):
    user = make_user()
    Membership.objects.create(user=user, enterprise=enterprise, role=Role.CLERK)
    return user


def _owner(enterprise):
    return Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user


def _public_text(listing: Listing) -> str:
    """Every value of the listing the public can see (and the search vector's words)."""
    values = model_to_dict(listing)
    values["search_vector"] = Listing.objects.filter(pk=listing.pk).values_list("search_vector", flat=True).get()
    return " ".join(str(v) for v in values.values())


@pytest.fixture
def buyer(make_enterprise):
    return make_enterprise(name="慈溪市瑞丰厨电有限公司", address=ADDRESS)


def test_a_clerk_posts_a_shipment_as_an_rfq_showing_the_lane_and_no_consignee_data(buyer, make_user):
    # given a draft shipment to Shanghai in two parcels (12.5 + 20 kg, 0.06 m³ each)
    clerk = _clerk(make_user, buyer)
    with tenant_context(buyer):
        shipment = shipment_with_parcels()
    client = _host_client(buyer, clerk)
    # when the clerk posts it from the shipment page
    response = client.post("/logistics/freight/post/", {"shipment": shipment.pk})
    # then an RFQ is published on the freight board, prefilled, with the lane at city level only
    assert (response.status_code, response["Location"]) == (302, "/logistics/freight/")
    listing = Listing.objects.select_related("board", "category").get(enterprise=buyer)
    assert (listing.title, listing.board.code, listing.category.code) == ("宁波市 → 上海市 32.5 kg", "freight", "frt-ltl")
    assert (listing.kind, listing.is_rfq, listing.status, listing.quantity) == ("demand", True, "published", D("1"))
    attributes = dict(listing.attributes)
    assert (attributes["Origin"], attributes["Destination"], attributes["Total weight"], attributes["Total volume"],
            attributes["Parcels"], attributes["Needed by"]) == (
        "宁波市", "上海市", "32.5 kg", "0.12 m³", "2", shipment.promised_date.isoformat())
    assert attributes["Pickup date"] == timezone.localtime(shipment.pickup_at).date().isoformat()
    public = _public_text(listing)
    for secret in (*CONSIGNEE.values(), "世纪大道", "1088", "浦东"):
        assert secret not in public, secret
    with tenant_context(buyer):
        request = FreightRequest.objects.get()
    assert (request.shipment_id, request.listing_id, request.status, request.created_by_id) == (
        shipment.pk, listing.pk, "posted", clerk.pk)
    # and the list shows it with the link to the listing and its quotations on the public host
    page = client.get("/logistics/freight/").content.decode()
    assert f"/boards/l/{listing.pk}/#rfq" in page and "宁波市 → 上海市 32.5 kg" in page
    assert f"/logistics/shipments/{shipment.pk}/" in page
    # when posted again (a double click), nothing new: the reason is shown on the shipment page
    again = client.post("/logistics/freight/post/", {"shipment": shipment.pk}, follow=False)
    assert again["Location"] == f"/logistics/shipments/{shipment.pk}/"
    assert Listing.objects.filter(enterprise=buyer).count() == 1
    # a viewer may not post; hostile ids are not found
    viewer = make_user()
    Membership.objects.create(user=viewer, enterprise=buyer, role=Role.VIEWER)
    assert _host_client(buyer, viewer).post("/logistics/freight/post/", {"shipment": shipment.pk}).status_code == 403
    for hostile in ("1e309", "NaN", "٣", "1\x00", "", "99999999999999999999"):  # never a 500
        assert client.post("/logistics/freight/post/", {"shipment": hostile}).status_code in (400, 404)


def test_a_shipment_with_nothing_to_show_is_refused_with_a_reason(buyer):
    with tenant_context(buyer):
        unweighed = shipment_with_parcels(weights=("0",))
        nowhere = shipment_with_parcels(region_name="", province_code="", district_code="")
        booked = shipment_with_parcels(status=Shipment.Status.BOOKED)
        for shipment, code in ((unweighed, "no_weight"), (nowhere, "no_destination"), (booked, "wrong_status")):
            with pytest.raises(ValidationError) as exc:
                freight_request_post(shipment=shipment, enterprise=buyer, user=_owner(buyer))
            assert codes(exc.value) == [code]
        assert not FreightRequest.objects.exists()
    assert not Listing.objects.filter(enterprise=buyer).exists()


def test_a_logistics_company_quotes_and_the_buyers_acceptance_fills_the_shipment(
        buyer, make_enterprise, make_user, tasks_run_here, django_capture_on_commit_callbacks):
    # given A's shipment on the board, and B holding a (forged) request for the same listing id
    other = make_enterprise()
    with tenant_context(buyer):
        shipment = shipment_with_parcels()
        request = freight_request_post(shipment=shipment, enterprise=buyer, user=_owner(buyer))
    with tenant_context(other):
        b_shipment = shipment_with_parcels()
        FreightRequest.objects.create(shipment=b_shipment, listing_id=request.listing_id, title="forged")
    carrier_co = make_enterprise(name="宁波市顺达物流有限公司")
    # when the logistics company quotes through the public board
    quoting = _public_client(_clerk(make_user, carrier_co))
    valid = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = quoting.post(f"/boards/l/{request.listing_id}/quote/", {
        "enterprise": carrier_co.pk, "unit_price": "850", "quantity": "1", "lead_time_days": "2",
        "valid_until": valid})
    assert response.status_code == 302
    quotation = Quotation.objects.get(listing_id=request.listing_id)
    # and the buyer (on the public host) accepts it
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _public_client(_owner(buyer)).post(f"/boards/quotations/{quotation.pk}/accept/")
    assert accepted.status_code == 302
    # then in the buyer's schema the shipment has the company as its carrier and the price as quoted freight
    with tenant_context(buyer):
        shipment.refresh_from_db()
        request.refresh_from_db()
        carrier = Carrier.objects.get()
        assert (carrier.code, carrier.name, carrier.kind) == (carrier_co.uscc, "宁波市顺达物流有限公司", "freight")
        assert (shipment.carrier_id, shipment.quoted_freight, shipment.status) == (carrier.pk, D("850.00"), "draft")
        assert (request.status, request.quotation_id, request.price, request.carrier_id) == (
            "accepted", quotation.pk, D("850.00"), carrier.pk)
    # and nothing was written in B's schema
    with tenant_context(other):
        b_shipment.refresh_from_db()
        assert (b_shipment.carrier_id, b_shipment.quoted_freight) == (None, None)
        assert FreightRequest.objects.get().status == "posted" and not Carrier.objects.exists()
    # the hook running again (a retry) changes nothing
    from logistics.freight.services import freight_quotation_accepted

    assert freight_quotation_accepted(quotation_id=quotation.pk).status == "accepted"
    with tenant_context(buyer):
        assert Carrier.objects.count() == 1


def test_an_accepted_quotation_leaves_a_booked_shipment_alone_and_a_deleted_one_does_not_break_the_accept(
        buyer, make_enterprise, tasks_run_here, django_capture_on_commit_callbacks, caplog):
    from ecommerce import services as boards

    carrier_co = make_enterprise(name="慈溪市快运有限公司")
    with tenant_context(buyer):
        booked = shipment_with_parcels()
        booked_request = freight_request_post(shipment=booked, enterprise=buyer, user=_owner(buyer))
        gone = shipment_with_parcels()
        gone_request = freight_request_post(shipment=gone, enterprise=buyer, user=_owner(buyer))
        Shipment.objects.filter(pk=booked.pk).update(status=Shipment.Status.BOOKED)
        gone.delete()  # its freight request goes with it
    quotations = [boards.quotation_submit(
        listing=Listing.objects.get(pk=r.listing_id), enterprise=carrier_co, user=_owner(carrier_co),
        unit_price="600", quantity="1", lead_time_days=1, valid_until=timezone.localdate() + timedelta(days=3))
        for r in (booked_request, gone_request)]
    caplog.set_level(logging.INFO, logger="logistics.freight.services")
    # when the buyer accepts both
    for quotation in quotations:
        with django_capture_on_commit_callbacks(execute=True):
            boards.quotation_accept(quotation=quotation, user=_owner(buyer))
    # then both acceptances stand
    assert set(Quotation.objects.filter(pk__in=[q.pk for q in quotations]).values_list("status", flat=True)) == {
        "accepted"}
    # the booked shipment is unchanged and its request says why
    with tenant_context(buyer):
        booked.refresh_from_db()
        booked_request.refresh_from_db()
        assert (booked.carrier_id, booked.quoted_freight) == (None, None)
        assert (booked_request.status, booked_request.price) == ("not_applied", D("600.00"))
        assert "booked" in booked_request.outcome
        assert not Carrier.objects.exists()
    # the deleted shipment's acceptance is only logged
    assert f"no freight request for listing {gone_request.listing_id}" in caplog.text


def test_enterprises_cannot_post_or_see_each_others_freight(buyer, make_enterprise):
    # given B with two shipments (ids 1 and 2 in its schema), one on the board; A with one (id 1 in A's)
    other = make_enterprise()
    with tenant_context(other):
        shipment_with_parcels(number="B-ONLY-0")
        theirs = shipment_with_parcels(number="B-ONLY-1")
        freight_request_post(shipment=theirs, enterprise=other, user=_owner(other))
    with tenant_context(buyer):
        mine = shipment_with_parcels(number="A-ONLY-1")
        freight_request_post(shipment=mine, enterprise=buyer, user=_owner(buyer))
        assert not Shipment.objects.filter(pk=theirs.pk).exists()
    a_client = _host_client(buyer, _owner(buyer))
    before = Listing.objects.count()
    # when A posts B's shipment id: not found, nothing written
    assert a_client.post("/logistics/freight/post/", {"shipment": theirs.pk}).status_code == 404
    assert Listing.objects.count() == before
    with tenant_context(other):
        assert FreightRequest.objects.count() == 1
    # A's list shows only A's requests; B's host does not admit A's owner
    page = a_client.get("/logistics/freight/").content.decode()
    assert "A-ONLY-1" in page and "B-ONLY-1" not in page
    stranger = _host_client(other, _owner(buyer))
    assert stranger.get("/logistics/freight/").status_code == 404
    assert stranger.post("/logistics/freight/post/", {"shipment": theirs.pk}).status_code == 404
