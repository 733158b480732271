"""RFQs: quotations, closing after N quotations or at the deadline, acceptance, withdrawal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from api.tokens.services import api_token_create
from core.testing import codes_by_field
from ecommerce import selectors, services
from ecommerce.models import Listing, Notification, Quotation
from ecommerce.tests.factories import member, owner_of, post
from tenants.models import Role

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


def test_a_quotations_numbers_are_read_with_ascii_digits_only(rfq, make_enterprise):
    # given
    supplier = make_enterprise()
    # when / then
    for field, value in (("unit_price", "١٠"), ("quantity", "٥")):
        with pytest.raises(ValidationError) as exc:
            services.quotation_submit(listing=rfq, enterprise=supplier, user=owner_of(supplier), lead_time_days=3,
                                      valid_until=timezone.localdate(), **{"unit_price": "10", "quantity": "5",
                                                                           field: value})
        assert codes_by_field(exc) == {field: ["invalid_number"]}
    assert not Quotation.objects.filter(listing=rfq).exists()


def test_the_database_allows_one_accepted_quotation_per_rfq(rfq, make_enterprise):
    # given
    q1, q2 = quote(rfq, make_enterprise()), quote(rfq, make_enterprise())
    Quotation.objects.filter(pk=q1.pk).update(status="accepted")
    # when / then
    with pytest.raises(IntegrityError):
        Quotation.objects.filter(pk=q2.pk).update(status="accepted")


# ---- withdrawing a quotation ---------------------------------------------------------------------


def withdraw(quotation, user=None, **kw):
    return services.quotation_withdraw(quotation=quotation, user=user or owner_of(quotation.enterprise), **kw)


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_a_supplier_withdraws_its_quotation_and_the_buyer_is_told(rfq, make_enterprise):
    # given
    s1, s2 = make_enterprise(name="慈溪市一号电机厂"), make_enterprise()
    english(rfq.created_by)
    q1, q2 = quote(rfq, s1, "99"), quote(rfq, s2, "105")
    # when
    withdrawn = withdraw(q1, reason="  交期排不开  ")
    # then
    q1.refresh_from_db()
    assert (withdrawn.pk, q1.status) == (q1.pk, "withdrawn") and q1.decided_at is not None
    assert [q.pk for q in selectors.rfq_quotations(listing=rfq)] == [q2.pk]
    assert selectors.my_rfqs(user=rfq.created_by).get().quotation_count == 1
    told = Notification.objects.filter(user=rfq.created_by, kind="quotation").order_by("-id").first()
    assert (told.title, told.url) == ("Quotation withdrawn: 求购交流电机 220V", f"/boards/l/{rfq.pk}/")
    assert told.body == "慈溪市一号电机厂 withdrew its quotation (99 CNY per 个).\nReason: 交期排不开"
    assert not Notification.objects.filter(user=owner_of(s1), kind="quotation").exists()
    rfq.refresh_from_db()
    assert (rfq.status, rfq.closed_reason) == ("published", "")


def test_an_accepted_or_declined_quotation_cannot_be_withdrawn_nor_one_twice(rfq, make_enterprise):
    # given
    s1, s2, s3 = make_enterprise(), make_enterprise(), make_enterprise()
    q1, q2, q3 = quote(rfq, s1, "110"), quote(rfq, s2, "105"), quote(rfq, s3, "120")
    withdraw(q3)
    services.quotation_accept(quotation=q2, user=rfq.created_by)
    # when / then
    for quotation, code in ((q2, "already_accepted"), (q1, "already_accepted"), (q3, "already_withdrawn")):
        with pytest.raises(ValidationError) as exc:
            withdraw(quotation)
        assert exc.value.code == code
    assert dict(Quotation.objects.filter(listing=rfq).values_list("enterprise", "status")) == {
        s1.pk: "declined", s2.pk: "accepted", s3.pk: "withdrawn"}


def test_only_clerks_of_the_quoting_enterprise_or_its_token_can_withdraw(rfq, make_enterprise, make_user):
    # given
    supplier, other = make_enterprise(), make_enterprise()
    q = quote(rfq, supplier)
    viewer = member(make_user, supplier, role=Role.VIEWER)
    clerk = member(make_user, supplier, role=Role.CLERK)
    own_token = api_token_create(enterprise=supplier, name="ERP", scopes=["boards:write"]).api_token
    read_only = api_token_create(enterprise=supplier, name="BI", scopes=["boards:read"]).api_token
    other_token = api_token_create(enterprise=other, name="ERP", scopes=["boards:write"]).api_token
    # when / then: the buyer, another enterprise's owner or token, a viewer, a token without the scope
    refusals = [(rfq.created_by, None, "not_member"), (owner_of(other), None, "not_member"),
                (None, other_token, "not_member"), (viewer, None, "role_too_low"), (None, read_only, "token_scope")]
    for user, token, code in refusals:
        with pytest.raises(PermissionDenied) as exc:
            services.quotation_withdraw(quotation=q, user=user, api_token=token)
        assert exc.value.code == code
    assert Quotation.objects.get(pk=q.pk).status == "submitted"
    # a clerk of the supplier can; and so can its own token (no member acts: the buyer is told all the same)
    withdraw(q, user=clerk)
    quote(rfq, supplier)
    services.quotation_withdraw(quotation=q, user=None, api_token=own_token)
    assert Quotation.objects.get(pk=q.pk).status == "withdrawn"
    assert Notification.objects.filter(user=rfq.created_by, kind="quotation").count() == 4  # 2 quoted, 2 withdrawn


def test_a_withdrawn_quotation_can_be_sent_again_as_a_new_one(rfq, make_enterprise):
    # given
    supplier = make_enterprise()
    q = quote(rfq, supplier, "110", attachment=SimpleUploadedFile("报价单.pdf", b"%PDF-1.4 offer"))
    withdraw(q)
    # when
    again = quote(rfq, supplier, "108")
    # then: the same row, submitted again, without the withdrawn quotation's file; the buyer is told again
    assert (again.pk, again.status, again.unit_price, again.decided_at) == (q.pk, "submitted", D("108"), None)
    assert (again.attachment.name, again.attachment_name) == ("", "")
    assert Quotation.objects.filter(listing=rfq).count() == 1
    assert [q.pk for q in selectors.rfq_quotations(listing=rfq)] == [q.pk]
    assert Notification.objects.filter(user=rfq.created_by, kind="quotation").count() == 3  # new, withdrawn, new


def test_a_quota_closed_rfq_reopens_when_a_quotation_is_withdrawn(rfq, make_enterprise):
    # given: the RFQ closed on its third quotation (its quota)
    english(rfq.created_by)
    s1, s2, s3, s4 = (make_enterprise() for _ in range(4))
    q1 = quote(rfq, s1)
    quote(rfq, s2)
    quote(rfq, s3)
    rfq.refresh_from_db()
    assert (rfq.status, rfq.closed_reason) == ("closed", "quota")
    # when
    withdraw(q1)
    # then: open again until its deadline; a fourth supplier takes the free place and it closes again
    rfq.refresh_from_db()
    assert (rfq.status, rfq.closed_reason, rfq.rfq_open) == ("published", "", True)
    told = Notification.objects.filter(user=rfq.created_by, kind="quotation").order_by("-id").first()
    deadline = timezone.localtime(rfq.rfq_deadline).strftime("%Y-%m-%d %H:%M")
    assert told.body.endswith(f"\nThe RFQ is open for quotations again until {deadline}.")
    quote(rfq, s4)
    rfq.refresh_from_db()
    assert (rfq.status, rfq.closed_reason) == ("closed", "quota")
    with pytest.raises(ValidationError) as exc:
        quote(rfq, s1)
    assert exc.value.code == "rfq_closed"


def test_an_rfq_closed_for_another_reason_or_past_its_deadline_stays_closed(make_enterprise):
    # given: one RFQ closed on its quota whose deadline has passed, one closed by its poster
    buyer, s1, s2 = make_enterprise(), make_enterprise(), make_enterprise()
    past_deadline = post(buyer, kind="demand", title="求购电机", is_rfq=True, rfq_max_quotations=1)
    by_poster = post(buyer, kind="demand", title="求购轴承", is_rfq=True)
    late = quote(past_deadline, s1)
    Listing.objects.filter(pk=past_deadline.pk).update(rfq_deadline=timezone.now() - timedelta(minutes=1))
    early = quote(by_poster, s2)
    services.listing_close(listing=by_poster, user=by_poster.created_by)
    # when: both suppliers withdraw (the buyer has not decided)
    withdraw(late)
    withdraw(early)
    # then
    assert dict(Listing.objects.filter(pk__in=[past_deadline.pk, by_poster.pk]).values_list("pk", "closed_reason")) \
        == {past_deadline.pk: "quota", by_poster.pk: "owner"}
    assert set(Quotation.objects.values_list("status", flat=True)) == {"withdrawn"}
