"""RFQs: quotations, closing after N quotations or at the deadline, acceptance."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from ecommerce import services
from ecommerce.models import Listing, Notification, Quotation
from ecommerce.tests.factories import owner_of, post

pytestmark = pytest.mark.django_db
D = Decimal


def quote(listing, supplier, price="100", **kw):
    return services.quotation_submit(listing=listing, enterprise=supplier, user=owner_of(supplier),
                                     unit_price=D(price), quantity=kw.pop("quantity", D("1000")),
                                     lead_time_days=kw.pop("lead_time_days", 15),
                                     valid_until=kw.pop("valid_until", timezone.localdate() + timedelta(days=30)), **kw)


@pytest.fixture
def rfq(make_enterprise):
    buyer = make_enterprise()
    return post(buyer, kind="demand", title="求购交流电机 220V", is_rfq=True, quantity=D("1000"), unit="个",
                rfq_max_quotations=3)


def test_rfq_closes_after_its_number_of_quotations(rfq, make_enterprise):
    # given
    s1, s2, s3, s4 = (make_enterprise() for _ in range(4))
    # when
    quote(rfq, s1, "110")
    quote(rfq, s2, "105")
    quote(rfq, s1, "99")  # a supplier revises: still one quotation each
    rfq.refresh_from_db()
    assert rfq.status == "published" and Quotation.objects.filter(listing=rfq).count() == 2
    quote(rfq, s3, "120")
    # then
    rfq.refresh_from_db()
    assert (rfq.status, rfq.closed_reason) == ("closed", "quota")
    assert Quotation.objects.get(listing=rfq, enterprise=s1).unit_price == D("99")
    with pytest.raises(ValidationError) as exc:
        quote(rfq, s4, "90")
    assert exc.value.code == "rfq_closed"
    assert Notification.objects.filter(user=rfq.created_by, kind="quotation").count() == 3
    assert Notification.objects.filter(user=rfq.created_by, kind="rfq_closed").count() == 1


def test_the_rfq_quota_never_exceeds_the_platform_setting(make_enterprise, settings):
    # given
    settings.BOARDS_RFQ_MAX_QUOTATIONS = 2
    buyer = make_enterprise()
    # when
    with pytest.raises(ValidationError) as exc:
        post(buyer, kind="demand", is_rfq=True, rfq_max_quotations=5)
    rfq = post(buyer, kind="demand", is_rfq=True)
    quote(rfq, make_enterprise())
    quote(rfq, make_enterprise())
    # then
    assert exc.value.error_dict["rfq_max_quotations"][0].code == "rfq_deadline"
    rfq.refresh_from_db()
    assert rfq.closed_reason == "quota"


def test_rfq_closes_at_its_deadline_by_the_beat_task(rfq, make_enterprise):
    # given
    s1 = make_enterprise()
    quote(rfq, s1)
    Listing.objects.filter(pk=rfq.pk).update(rfq_deadline=timezone.now() - timedelta(seconds=1))
    # when
    result = services.listings_expire_due()
    # then
    rfq.refresh_from_db()
    assert result == {"expired": 0, "rfqs_closed": 1}
    assert (rfq.status, rfq.closed_reason) == ("closed", "deadline")
    with pytest.raises(ValidationError) as exc:
        quote(rfq, make_enterprise())
    assert exc.value.code == "rfq_closed"
    # the buyer can still accept after the deadline
    services.quotation_accept(quotation=Quotation.objects.get(listing=rfq), user=rfq.created_by)
    rfq.refresh_from_db()
    assert rfq.closed_reason == "accepted"


def test_the_buyer_accepts_one_quotation_the_others_are_declined(rfq, make_enterprise):
    # given
    s1, s2 = make_enterprise(), make_enterprise()
    q1, q2 = quote(rfq, s1, "110"), quote(rfq, s2, "105")
    # when
    services.quotation_accept(quotation=q2, user=rfq.created_by)
    # then
    q1.refresh_from_db()
    q2.refresh_from_db()
    rfq.refresh_from_db()
    assert (q1.status, q2.status) == ("declined", "accepted")
    assert (rfq.status, rfq.closed_reason) == ("closed", "accepted")
    assert Notification.objects.get(user=owner_of(s2), kind="accepted").url == f"/boards/l/{rfq.pk}/"
    assert Notification.objects.filter(user=owner_of(s1), kind="declined").count() == 1
    with pytest.raises(ValidationError) as exc:
        services.quotation_accept(quotation=q1, user=rfq.created_by)
    assert exc.value.code == "already_accepted"


def test_quotation_rules(rfq, make_enterprise):
    # given
    supplier = make_enterprise()
    # when / then: own RFQ, bad values, expired quotation, a supply listing
    with pytest.raises(ValidationError) as exc:
        quote(rfq, rfq.enterprise)
    assert exc.value.code == "own_listing"
    with pytest.raises(ValidationError) as exc:
        quote(rfq, supplier, quantity=D("0"))
    assert exc.value.error_dict["quantity"][0].code == "invalid_quantity"
    with pytest.raises(ValidationError) as exc:
        quote(rfq, supplier, valid_until=timezone.localdate() - timedelta(days=1))
    assert exc.value.error_dict["valid_until"][0].code == "invalid_validity"
    supply = post(supplier, title="电机")
    with pytest.raises(ValidationError) as exc:
        quote(supply, make_enterprise())
    assert exc.value.code == "not_rfq"
    q = quote(rfq, supplier)
    Quotation.objects.filter(pk=q.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        services.quotation_accept(quotation=q, user=rfq.created_by)
    assert exc.value.code == "quotation_expired"


def test_the_database_allows_one_accepted_quotation_per_rfq(rfq, make_enterprise):
    # given
    q1, q2 = quote(rfq, make_enterprise()), quote(rfq, make_enterprise())
    Quotation.objects.filter(pk=q1.pk).update(status="accepted")
    # when / then
    with pytest.raises(IntegrityError):
        Quotation.objects.filter(pk=q2.pk).update(status="accepted")
