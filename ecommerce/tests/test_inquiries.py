"""Inquiries: threads between two enterprises, unread counts, replies, notifications."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from ecommerce import selectors, services
from ecommerce.models import Notification
from ecommerce.services import BoardsPermissionDenied
from ecommerce.tests.factories import member, owner_of, post
from tenants.models import Membership, Role

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
    services.inquiry_mark_read(thread=thread, enterprise=seller, user=seller_user)
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
    assert response.status_code == 302 and response["Location"] == f"/boards/inquiries/{thread.pk}/?as={buyer.pk}"
    client.force_login(owner_of(seller))
    inbox = client.get("/boards/inquiries/").content.decode()
    assert 'class="badge text-bg-danger unread"' in inbox and "1 unread" in inbox
    page = client.get(f"/boards/inquiries/{thread.pk}/").content.decode()
    assert "&lt;b&gt;报价？&lt;/b&gt;" in page
    assert "1 unread" not in client.get("/boards/inquiries/").content.decode()
    client.post(f"/boards/inquiries/{thread.pk}/", {"body": "每个 118 元"})
    client.force_login(owner_of(make_enterprise()))
    assert client.get(f"/boards/inquiries/{thread.pk}/").status_code == 404


def _both(make_enterprise, make_user, *, asker_role=Role.VIEWER, owner_role=Role.OWNER):
    """A thread between a seller and a buyer, and a user who is a member of both (by default a viewer at
    the asking enterprise and the owner of the listing's)."""
    seller, buyer = make_enterprise(), make_enterprise()
    listing = post(seller, title="不锈钢拉伸件")
    thread = services.inquiry_send(listing=listing, enterprise=buyer, user=owner_of(buyer), body="最小起订量？")
    user = make_user()
    Membership.objects.create(user=user, enterprise=buyer, role=asker_role)
    Membership.objects.create(user=user, enterprise=seller, role=owner_role)
    thread.refresh_from_db()
    return seller, buyer, thread, user


def test_a_member_of_both_enterprises_replies_and_reads_for_the_side_they_act_for(client, make_enterprise,
                                                                                   make_user):
    # given: a viewer at the asking enterprise, the owner at the listing's
    seller, buyer, thread, user = _both(make_enterprise, make_user)
    client.force_login(user)
    # when: the thread's page, as reached from the inbox or a notification (no side named)
    page = client.get(f"/boards/inquiries/{thread.pk}/")
    # then: the user acts for the seller (the side they can write for); the seller's side is read,
    # the buyer's is not touched
    asked_at = thread.asker_read_at  # the asker's side read its own message when it sent it
    assert page.status_code == 200 and page.context["thread"].side == seller and page.context["can_reply"]
    thread.refresh_from_db()
    assert thread.owner_read_at is not None and thread.asker_read_at == asked_at
    # when: the user replies
    response = client.post(f"/boards/inquiries/{thread.pk}/", {"body": "500 件起订。"})
    # then: as the seller, not refused
    assert response.status_code == 302 and response["Location"] == f"/boards/inquiries/{thread.pk}/?as={seller.pk}"
    assert [(m.sender, m.body) for m in selectors.inquiry_messages(thread=thread)][-1] == (seller, "500 件起订。")


def test_the_inbox_lists_the_thread_once_for_each_side_with_its_own_unread_count(client, make_enterprise,
                                                                                 make_user):
    seller, buyer, thread, user = _both(make_enterprise, make_user)
    entries = selectors.inquiry_threads(user=user)
    assert sorted((t.pk, t.side.pk, t.unread) for t in entries) == sorted(
        [(thread.pk, buyer.pk, 0), (thread.pk, seller.pk, 1)])
    client.force_login(user)
    inbox = client.get("/boards/inquiries/").content.decode()
    assert f'?as={seller.pk}"' in inbox and f'?as={buyer.pk}"' in inbox
    # reading for the buyer (a viewer there) marks only the buyer's side and offers no reply
    asked_at = thread.asker_read_at
    page = client.get(f"/boards/inquiries/{thread.pk}/", {"as": buyer.pk})
    assert page.context["thread"].side == buyer and not page.context["can_reply"]
    thread.refresh_from_db()
    assert thread.asker_read_at > asked_at and thread.owner_read_at is None
    assert selectors.inquiry_unread_total(user=user) == 1  # the seller's side still has the question unread
    # a reply posted for the buyer's side is refused by the role there, nothing written
    refused = client.post(f"/boards/inquiries/{thread.pk}/?as={buyer.pk}", {"body": "插话"})
    assert refused.status_code == 403 and thread.messages.count() == 1


def test_a_writer_at_both_enterprises_must_choose_the_side(client, make_enterprise, make_user):
    seller, buyer, thread, user = _both(make_enterprise, make_user, asker_role=Role.CLERK, owner_role=Role.CLERK)
    client.force_login(user)
    # no side named: nothing is marked read, the page offers both sides, a reply is refused until chosen
    asked_at = thread.asker_read_at
    page = client.get(f"/boards/inquiries/{thread.pk}/")
    assert page.status_code == 200 and page.context["thread"].side is None and not page.context["can_reply"]
    assert f'href="?as={seller.pk}"' in page.content.decode() and f'href="?as={buyer.pk}"' in page.content.decode()
    thread.refresh_from_db()
    assert thread.asker_read_at == asked_at and thread.owner_read_at is None
    blind = client.post(f"/boards/inquiries/{thread.pk}/", {"body": "无主回复"})
    assert blind.status_code == 200 and thread.messages.count() == 1
    # chosen: the reply is the seller's
    client.post(f"/boards/inquiries/{thread.pk}/?as={seller.pk}", {"body": "有现货。"})
    assert thread.messages.order_by("-id").first().sender == seller
    # a side the user does not belong to, or no id at all, is not found
    stranger = make_enterprise()
    assert client.get(f"/boards/inquiries/{thread.pk}/", {"as": stranger.pk}).status_code == 404
    assert client.get(f"/boards/inquiries/{thread.pk}/", {"as": "²"}).status_code == 404


def test_marking_read_needs_a_party_and_a_member(make_enterprise, make_user):
    seller, buyer, thread, user = _both(make_enterprise, make_user)
    asked_at = thread.asker_read_at
    stranger = make_enterprise()
    with pytest.raises(BoardsPermissionDenied) as exc:
        services.inquiry_mark_read(thread=thread, enterprise=stranger, user=owner_of(stranger))
    assert exc.value.code == "not_member"
    with pytest.raises(BoardsPermissionDenied) as exc:
        services.inquiry_mark_read(thread=thread, enterprise=buyer, user=thread.listing.created_by)
    assert exc.value.code == "not_member"
    thread.refresh_from_db()
    assert thread.asker_read_at == asked_at and thread.owner_read_at is None


def test_the_notification_links_the_side_of_its_recipient(make_enterprise, make_user):
    seller, buyer, thread, user = _both(make_enterprise, make_user)
    note = Notification.objects.get(user=thread.listing.created_by, kind="inquiry")
    assert note.url == f"/boards/inquiries/{thread.pk}/?as={seller.pk}"
