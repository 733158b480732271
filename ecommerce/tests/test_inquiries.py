"""Inquiries: threads between two enterprises, unread counts, replies, notifications."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from ecommerce import selectors, services
from ecommerce.models import Notification
from ecommerce.services import BoardsPermissionDenied
from ecommerce.tests.factories import member, owner_of, post

pytestmark = pytest.mark.django_db


def test_inquiry_thread_with_unread_counts_on_each_side(make_enterprise, make_user):
    # given
    seller, buyer = make_enterprise(), make_enterprise()
    listing = post(seller, title="深沟球轴承 6202", category_code="brg-rolling-deepgroove")
    asker = member(make_user, buyer)
    # when
    thread = services.inquiry_send(listing=listing, enterprise=buyer, user=asker, body="年用量二十万套，可否寄样？")
    again = services.inquiry_send(listing=listing, enterprise=buyer, user=asker, body="另需 6204。")
    # then: one thread per asking enterprise and listing
    assert again.pk == thread.pk
    seller_user, asker_threads = owner_of(seller), selectors.inquiry_threads(user=asker)
    assert [(t.pk, t.unread) for t in selectors.inquiry_threads(user=seller_user)] == [(thread.pk, 2)]
    assert [(t.pk, t.unread) for t in asker_threads] == [(thread.pk, 0)]
    assert Notification.objects.filter(user=listing.created_by, kind="inquiry").count() == 2
    # when the seller reads and replies
    services.inquiry_mark_read(thread=thread, enterprise=seller)
    assert selectors.inquiry_unread_total(user=seller_user) == 0
    services.inquiry_reply(thread=thread, enterprise=seller, user=seller_user, body="可以，明天寄出。")
    # then
    assert selectors.inquiry_unread_total(user=asker) == 1
    assert selectors.inquiry_unread_total(user=seller_user) == 0
    assert Notification.objects.get(user=asker, kind="inquiry").body == "可以，明天寄出。"
    assert [m.body for m in selectors.inquiry_messages(thread=thread)] == [
        "年用量二十万套，可否寄样？", "另需 6204。", "可以，明天寄出。"]


def test_inquiry_rules(make_enterprise, make_user):
    # given
    seller, buyer, stranger = make_enterprise(), make_enterprise(), make_enterprise()
    listing = post(seller)
    thread = services.inquiry_send(listing=listing, enterprise=buyer, user=owner_of(buyer), body="你好")
    # when / then
    with pytest.raises(ValidationError) as exc:
        services.inquiry_send(listing=listing, enterprise=seller, user=owner_of(seller), body="自问自答")
    assert exc.value.code == "own_listing"
    with pytest.raises(ValidationError) as exc:
        services.inquiry_send(listing=listing, enterprise=buyer, user=owner_of(buyer), body="   ")
    assert exc.value.error_dict["body"][0].code == "empty_message"
    with pytest.raises(BoardsPermissionDenied) as exc:
        services.inquiry_reply(thread=thread, enterprise=stranger, user=owner_of(stranger), body="插话")
    assert exc.value.code == "not_member"
    assert selectors.inquiry_thread_for_user(thread_id=thread.pk, user=owner_of(stranger)) is None


def test_inquiry_pages(client, make_enterprise):
    # given
    seller, buyer = make_enterprise(), make_enterprise()
    listing = post(seller, title="交流电机")
    client.force_login(owner_of(buyer))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    response = client.post(f"/boards/l/{listing.pk}/inquire/", {"enterprise": buyer.pk, "body": "<b>报价？</b>"})
    thread = selectors.inquiry_threads(user=owner_of(buyer))[0]
    # then
    assert response.status_code == 302 and response["Location"] == f"/boards/inquiries/{thread.pk}/"
    client.force_login(owner_of(seller))
    inbox = client.get("/boards/inquiries/").content.decode()
    assert 'class="badge text-bg-danger unread"' in inbox and "1 unread" in inbox
    page = client.get(f"/boards/inquiries/{thread.pk}/").content.decode()
    assert "&lt;b&gt;报价？&lt;/b&gt;" in page
    assert "1 unread" not in client.get("/boards/inquiries/").content.decode()
    client.post(f"/boards/inquiries/{thread.pk}/", {"body": "每个 118 元"})
    client.force_login(owner_of(make_enterprise()))
    assert client.get(f"/boards/inquiries/{thread.pk}/").status_code == 404
