"""Posting, validation, the rate limit, expiry and renewal, moderation, notifications by email."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.testing import codes_by_field
from ecommerce import services
from ecommerce.board_data import BOARDS
from ecommerce.models import Board, Category, Listing, Notification
from ecommerce.tasks import listings_expire_task
from ecommerce.tests.factories import category, member, owner_of, post
from tenants.industries import INDUSTRY_NAMES

pytestmark = pytest.mark.django_db
D = Decimal


def test_five_boards_are_seeded_with_category_trees_mapped_to_gbt4754():
    # then
    assert list(Board.objects.values_list("code", flat=True)) == ["appliances", "textiles", "bearings", "vehicles",
                                                                  "freight"]
    assert Category.objects.count() == sum(len(cats) + sum(len(c[4]) for c in cats) for *_x, cats in BOARDS)
    for c in Category.objects.all():
        assert c.industry_codes and all(code in INDUSTRY_NAMES for code in c.industry_codes), c.code
        assert c.parent is None or c.parent.board_id == c.board_id
    assert category("appl-kitchen-hood").industry_codes == ["3854"]
    assert category("brg-plain-bush").industry_codes == ["3452"]


def test_a_clerk_posts_for_the_enterprise_with_defaults(make_enterprise, make_user):
    # given
    e = make_enterprise(contact_phone="0574-1234567")
    clerk = member(make_user, e, full_name="李娜")
    # when
    listing = post(e, user=clerk, title="  交流电机 220V  ", price_min=D("118"), quantity=D("500"), unit="个")
    # then
    listing.refresh_from_db()
    assert (listing.status, listing.title, listing.enterprise_id, listing.created_by_id) == (
        "published", "交流电机 220V", e.pk, clerk.pk)
    assert (listing.price_min, listing.price_max) == (D("118"), D("118"))  # a single price
    assert (listing.contact_name, listing.contact_phone) == ("李娜", "0574-1234567")
    assert abs((listing.expires_at - timezone.now()) - timedelta(days=30)) < timedelta(minutes=1)
    assert listing.search_vector is not None


def test_invalid_listings_are_refused_with_field_codes(make_enterprise):
    # given
    e = make_enterprise()
    # when / then
    with pytest.raises(ValidationError) as exc:
        post(e, price_min=D("20"), price_max=D("10"))
    assert codes_by_field(exc) == {"price_max": ["price_range"]}
    with pytest.raises(ValidationError) as exc:
        cat = category("brg-rolling-taper")
        services.listing_create(enterprise=e, user=owner_of(e), kind="supply", board=Board.objects.get(
            code="appliances"), category=cat, title="x")
    assert codes_by_field(exc) == {"category": ["category_not_in_board"]}
    with pytest.raises(ValidationError) as exc:
        post(e, kind="supply", is_rfq=True)
    assert codes_by_field(exc) == {"is_rfq": ["rfq_demand_only"]}
    with pytest.raises(ValidationError) as exc:
        post(e, kind="demand", is_rfq=True, rfq_deadline=timezone.now() - timedelta(hours=1))
    assert codes_by_field(exc) == {"rfq_deadline": ["rfq_deadline"]}
    with pytest.raises(ValidationError) as exc:
        post(e, attributes=[["型号", ""]])
    assert codes_by_field(exc) == {"attributes": ["invalid_attributes"]}
    with pytest.raises(ValidationError) as exc:
        post(e, validity_days=400)
    assert codes_by_field(exc) == {"validity_days": ["invalid_validity"]}
    assert Listing.objects.count() == 0


def test_numbers_given_to_the_services_are_read_with_ascii_digits_only(make_enterprise):
    # given
    e = make_enterprise()
    # when / then: Unicode digits, exponents, NaN and Infinity are refused on the field that has them
    for field, value in (("quantity", "١٢"), ("moq", "1e3"), ("price_min", "NaN"), ("price_max", "Infinity")):
        with pytest.raises(ValidationError) as exc:
            post(e, **{field: value})
        assert codes_by_field(exc) == {field: ["invalid_number"]}
    with pytest.raises(ValidationError) as exc:
        post(e, quantity="-1")
    assert codes_by_field(exc) == {"quantity": ["invalid_quantity"]}
    assert not Listing.objects.filter(enterprise=e).exists()
    # full-width digits (typed with a Chinese input method) are read as their ASCII forms
    listing = post(e, quantity="１２", price_min="９．５")
    assert (listing.quantity, listing.price_min, listing.price_max) == (D("12"), D("9.5"), D("9.5"))


def test_posting_is_rate_limited_per_enterprise_by_counting_in_the_database(make_enterprise, settings):
    # given
    settings.BOARDS_POSTING_LIMIT = 3
    a, b = make_enterprise(), make_enterprise()
    for n in range(3):
        post(a, title=f"电机 {n}")
    # when
    with pytest.raises(ValidationError) as exc:
        post(a, title="电机 3")
    # then
    assert exc.value.code == "rate_limited"
    assert post(b, title="电机 b").pk  # another enterprise is not affected
    Listing.objects.filter(enterprise=a).update(created_at=timezone.now() - timedelta(minutes=61))
    assert post(a, title="电机 later").pk  # the window has passed


def test_expiry_task_expires_listings_tells_the_poster_and_the_owner_renews(make_enterprise):
    # given
    e = make_enterprise()
    old = post(e, title="旧电机")
    fresh = post(e, title="新电机")
    Listing.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # when
    result = listings_expire_task()
    # then
    assert result == {"expired": 1, "rfqs_closed": 0}
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == ("expired", "published")
    note = Notification.objects.get(user=old.created_by, kind="expired")
    assert "旧电机" in note.title and note.url == f"/boards/l/{old.pk}/"
    assert listings_expire_task() == {"expired": 0, "rfqs_closed": 0}  # nothing twice
    # when the owner renews
    services.listing_renew(listing=old, user=old.created_by, days=15)
    old.refresh_from_db()
    assert old.status == "published"
    assert abs((old.expires_at - timezone.now()) - timedelta(days=15)) < timedelta(minutes=1)


def test_a_draft_is_published_later_and_a_closed_listing_cannot_be_edited(make_enterprise):
    # given
    e = make_enterprise()
    draft = post(e, title="草稿电机", publish=False)
    assert (draft.status, draft.published_at) == ("draft", None)
    # when
    services.listing_publish(listing=draft, user=draft.created_by)
    services.listing_close(listing=draft, user=draft.created_by)
    # then
    draft.refresh_from_db()
    assert (draft.status, draft.closed_reason) == ("closed", "owner")
    with pytest.raises(ValidationError) as exc:
        services.listing_update(listing=draft, user=draft.created_by, title="新标题")
    assert exc.value.code == "wrong_status"


def test_the_office_hides_a_listing_with_a_reason_the_poster_is_told(make_enterprise, make_user):
    # given
    e = make_enterprise()
    listing = post(e, title="低价甩卖")
    office = make_user(platform_role="office")
    # when
    with pytest.raises(ValidationError) as exc:
        services.listing_hide(listing=listing, user=office, reason=" ")
    assert codes_by_field(exc) == {"reason": ["reason_required"]}
    services.listing_hide(listing=listing, user=office, reason="价格信息不实")
    # then
    listing.refresh_from_db()
    assert listing.hidden_reason == "价格信息不实" and listing.hidden_by == office and not listing.is_visible
    assert Notification.objects.get(kind="moderated", user=listing.created_by).body.endswith("价格信息不实")
    services.listing_unhide(listing=listing, user=office)
    listing.refresh_from_db()
    assert listing.is_visible


def test_notification_email_is_sent_once_in_the_recipients_language(make_enterprise, make_user):
    # given
    e = make_enterprise()
    listing = post(e, title="电机")
    listing.created_by.language = "en"
    listing.created_by.save()
    office = make_user(platform_role="office")
    services.listing_hide(listing=listing, user=office, reason="duplicate")
    note = Notification.objects.get(kind="moderated")
    # when
    sent = services.notification_email_send(notification_id=note.pk)
    again = services.notification_email_send(notification_id=note.pk)
    # then
    assert (sent, again) == (True, False)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [listing.created_by.email]
    assert mail.outbox[0].subject == "[数码桥] Listing hidden by the office: 电机"
    assert f"/boards/l/{listing.pk}/" in mail.outbox[0].body and "duplicate" in mail.outbox[0].body
