"""Reads of inquiries: a user's threads (one entry per side they belong to), unread counts, a thread
with the side the user acts for."""

from __future__ import annotations

import copy

from django.db.models import Count, Q, QuerySet

from ecommerce.models import InquiryMessage, InquiryThread, Listing
from ecommerce.selectors.members import memberships_by_enterprise
from tenants.models import Enterprise, Membership, Role, User


def inquiry_side_pick(*, thread: InquiryThread, memberships: dict[int, Membership],
                      enterprise_id: int | None = None) -> Enterprise | None:
    """The party of ``thread`` (asker or owner) a user acts for, from the user's memberships by enterprise id.

    As everywhere on the public host, the user acts for an enterprise of theirs: given (``enterprise_id``,
    the page's ``?as=`` or the reply form), it must be one of the two parties and one of the user's (else
    None). Not given: the one party the user belongs to; of both, the one where they can write (clerk or
    above). A user who can write for both (or for neither) must choose: None — nothing is marked read,
    and a reply is refused until the side is chosen."""
    parties = [e for e in (thread.asker, thread.owner) if e.pk in memberships]
    if enterprise_id is not None:
        return next((e for e in parties if e.pk == enterprise_id), None)
    if len(parties) == 1:
        return parties[0]
    writers = [e for e in parties if memberships[e.pk].has_role(Role.CLERK)]
    return writers[0] if len(writers) == 1 else None


def inquiry_threads(*, user: User) -> list[InquiryThread]:
    """The threads of the user's enterprises, newest activity first: one entry per side the user belongs
    to (a member of both enterprises of a thread sees it twice, once for each), each with ``.side`` (the
    user's enterprise in it), ``.other`` and ``.unread`` (messages from the other side since that side last
    read)."""
    memberships = memberships_by_enterprise(user)
    enterprise_ids = list(memberships)
    threads = list(InquiryThread.objects.filter(Q(asker__in=enterprise_ids) | Q(owner__in=enterprise_ids))
                   .select_related("listing", "asker", "owner").order_by("-last_message_at")[:500])
    entries = []
    for thread in threads:
        for n, side in enumerate(e for e in (thread.asker, thread.owner) if e.pk in memberships):
            entry = thread if n == 0 else copy.copy(thread)
            entry.side, entry.other = side, thread.other_party(side.pk)
            entries.append(entry)
    unread = _unread_by_side(entries)
    for entry in entries:
        entry.unread = unread.get((entry.pk, entry.side.pk), 0)
    return entries


def _unread_by_side(entries: list[InquiryThread]) -> dict[tuple[int, int], int]:
    """{(thread id, side id): messages from the other side since the side last read}."""
    if not entries:
        return {}
    conditions = Q()
    for entry in entries:
        read_at = entry.asker_read_at if entry.side.pk == entry.asker_id else entry.owner_read_at
        cond = Q(thread=entry.pk) & ~Q(sender=entry.side.pk)
        if read_at is not None:
            cond &= Q(created_at__gt=read_at)
        conditions |= cond
    # a thread has two parties: a message matched a condition of the side that did not send it
    parties = {entry.pk: (entry.asker_id, entry.owner_id) for entry in entries}
    rows = (InquiryMessage.objects.filter(conditions).values("thread", "sender").annotate(n=Count("id"))
            .values_list("thread", "sender", "n"))
    return {(thread_id, parties[thread_id][1] if sender_id == parties[thread_id][0] else parties[thread_id][0]): n
            for thread_id, sender_id, n in rows}


def inquiry_unread_total(*, user: User) -> int:
    return sum(t.unread for t in inquiry_threads(user=user))


def inquiry_thread_for_user(*, thread_id: int, user: User, enterprise_id: int | None = None) -> InquiryThread | None:
    """The thread, if one of the user's enterprises is in it (else None: not found either way), with
    ``.sides`` (the parties the user belongs to), ``.side`` (the one the user acts for, see
    `inquiry_side_pick`; None while a member of both has not chosen) and ``.other``."""
    memberships = memberships_by_enterprise(user)
    thread = (InquiryThread.objects.select_related("listing", "listing__enterprise", "asker", "owner")
              .filter(pk=thread_id).filter(Q(asker__in=list(memberships)) | Q(owner__in=list(memberships))).first())
    if thread is not None:
        thread.sides = [e for e in (thread.asker, thread.owner) if e.pk in memberships]
        thread.side = inquiry_side_pick(thread=thread, memberships=memberships, enterprise_id=enterprise_id)
        thread.other = thread.other_party(thread.side.pk) if thread.side is not None else None
    return thread


def inquiry_thread_for_listing(*, listing: Listing, user: User) -> InquiryThread | None:
    enterprise_ids = Membership.objects.filter(user=user).values("enterprise_id")
    return InquiryThread.objects.filter(listing=listing, asker__in=enterprise_ids).first()


def inquiry_messages(*, thread: InquiryThread) -> QuerySet[InquiryMessage]:
    return thread.messages.select_related("sender", "sent_by")
