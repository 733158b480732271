"""Inquiries: conversations between an enterprise that asks about a listing and the listing's
enterprise (one thread per listing and asker). Each side reads and writes for its own enterprise."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from ecommerce.conf import setting
from ecommerce.error_codes import BoardsErrorCode as Code
from ecommerce.models import InquiryMessage, InquiryThread, Listing, Notification
from ecommerce.services.notifications import notification_create
from ecommerce.services.permissions import BoardsPermissionDenied, enterprise_contact_user, member_require
from tenants.models import Enterprise, Role, User


def _message_rate_check(*, enterprise: Enterprise) -> None:
    window = timezone.now() - timedelta(minutes=setting("BOARDS_POSTING_WINDOW_MINUTES"))
    if InquiryMessage.objects.filter(sender=enterprise, created_at__gte=window).count() >= setting(
            "BOARDS_MESSAGE_LIMIT"):
        raise ValidationError(_("Too many messages from %(enterprise)s in a short time. Please try again later.")
                              % {"enterprise": enterprise}, code=Code.RATE_LIMITED)


def _message_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise field_error("body", _("Write a message."), Code.EMPTY_MESSAGE)
    if len(body) > 4000:
        raise field_error("body", _("At most 4,000 characters."), Code.EMPTY_MESSAGE)
    return body


@transaction.atomic
def inquiry_send(*, listing: Listing, enterprise: Enterprise, user: User | None, body: str,
                 api_token=None) -> InquiryThread:
    """A member of ``enterprise`` asks the listing's enterprise (the thread is created on the first message)."""
    member_require(user=user, enterprise=enterprise, minimum=Role.CLERK, api_token=api_token)
    if listing.enterprise_id == enterprise.pk:
        raise ValidationError(_("This is your own enterprise's listing."), code=Code.OWN_LISTING)
    if not listing.is_visible:
        raise ValidationError(_("This listing is no longer open for inquiries."), code=Code.WRONG_STATUS)
    body = _message_body(body)
    _message_rate_check(enterprise=enterprise)
    thread, _created = InquiryThread.objects.get_or_create(
        listing=listing, asker=enterprise, defaults={"owner_id": listing.enterprise_id, "started_by": user})
    _message_add(thread=thread, enterprise=enterprise, user=user, body=body)
    return thread


def _party_require(*, thread: InquiryThread, enterprise: Enterprise) -> None:
    if enterprise.pk not in (thread.asker_id, thread.owner_id):
        raise BoardsPermissionDenied(_("%(enterprise)s is not part of this conversation.") % {"enterprise": enterprise},
                                     Code.NOT_MEMBER)


@transaction.atomic
def inquiry_reply(*, thread: InquiryThread, enterprise: Enterprise, user: User | None, body: str,
                  api_token=None) -> InquiryMessage:
    """``enterprise`` is the side the reply is written for, chosen by the caller from the enterprise the
    user acts for (`selectors.inquiry_side_pick`), never guessed here: a member of both enterprises of a
    thread writes for the one they name, with their role there."""
    member_require(user=user, enterprise=enterprise, minimum=Role.CLERK, api_token=api_token)
    _party_require(thread=thread, enterprise=enterprise)
    body = _message_body(body)
    _message_rate_check(enterprise=enterprise)
    thread = InquiryThread.objects.select_for_update().get(pk=thread.pk)
    return _message_add(thread=thread, enterprise=enterprise, user=user, body=body)


def _message_add(*, thread: InquiryThread, enterprise: Enterprise, user: User, body: str) -> InquiryMessage:
    now = timezone.now()
    message = InquiryMessage.objects.create(thread=thread, sender=enterprise, sent_by=user, body=body, created_at=now)
    side = "asker_read_at" if enterprise.pk == thread.asker_id else "owner_read_at"
    InquiryThread.objects.filter(pk=thread.pk).update(last_message_at=now, **{side: now})
    listing = thread.listing
    if enterprise.pk == thread.asker_id:
        recipient = listing.created_by
        recipient_enterprise = thread.owner_id
    else:
        recipient = thread.started_by
        recipient_enterprise = thread.asker_id
    if recipient is None:  # posted or asked through the API: the enterprise's owner hears of it
        recipient = enterprise_contact_user(recipient_enterprise)
    if recipient is not None:
        notification_create(
            user=recipient, enterprise_id=recipient_enterprise, kind=Notification.Kind.INQUIRY,
            url=f"/boards/inquiries/{thread.pk}/?as={recipient_enterprise}",  # the side the recipient reads for
            title=lambda: _("Message from %(enterprise)s about %(title)s") % {"enterprise": enterprise,
                                                                           "title": listing.title},
            body=lambda: body[:500])
    return message


def inquiry_mark_read(*, thread: InquiryThread, enterprise: Enterprise, user: User) -> None:
    """``user`` has read the thread for ``enterprise`` (one of its two parties, and one of the user's — any
    role): that side's messages from the other side are read, the other side's state is untouched."""
    _party_require(thread=thread, enterprise=enterprise)
    member_require(user=user, enterprise=enterprise, minimum=Role.VIEWER)
    side = "asker_read_at" if enterprise.pk == thread.asker_id else "owner_read_at"
    InquiryThread.objects.filter(pk=thread.pk).update(**{side: timezone.now()})
