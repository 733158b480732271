from __future__ import annotations

from django.db.models import Count, Q

from api.graphql.core.dataloaders import ByIdLoader, DataLoader, group_by
from api.graphql.enterprises.dataloaders import EnterpriseByIdLoader
from ecommerce.models import Board, Category, InquiryMessage, Listing, Match, Quotation
from ecommerce.selectors import visible_listings


class BoardByIdLoader(ByIdLoader[Board]):
    model = Board


class CategoryByIdLoader(ByIdLoader[Category]):
    model = Category


class CategoriesByBoardIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        rows = group_by(Category.objects.filter(board_id__in=keys).order_by("sort_order", "code"), lambda c: c.board_id)
        return [rows.get(k, []) for k in keys]


class ListingCountByBoardIdLoader(DataLoader[int, int]):
    default = 0

    def batch_load(self, keys):
        counts = dict(visible_listings().filter(board_id__in=keys).values("board").annotate(n=Count("id"))
                      .values_list("board", "n"))
        return [counts.get(k, 0) for k in keys]


class ListingByIdLoader(ByIdLoader[Listing]):
    model = Listing


class MatchesByListingIdLoader(DataLoader[int, list]):
    """The stored matches of each listing whose other side is still visible, best first (at most 20):
    (other listing, score) pairs; the other listings are the rows its node type prepares."""

    default = []
    limit = 20

    def batch_load(self, keys):
        visible = visible_listings().values("pk")
        rows = (Match.objects.filter(Q(demand_id__in=keys, supply__in=visible) | Q(supply_id__in=keys, demand__in=visible))
                .select_related("demand", "supply").order_by("-score", "-id"))
        found: dict[int, list] = {}
        wanted = set(keys)
        for match in rows:
            for mine, other in ((match.demand, match.supply), (match.supply, match.demand)):
                if mine.pk in wanted and len(found.setdefault(mine.pk, [])) < self.limit:
                    found[mine.pk].append((other, match.score))
        return [found.get(k, []) for k in keys]

    def rows_of(self, values):
        return [other for pairs in values for other, _score in pairs]


class MessagesByThreadIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        rows = group_by(InquiryMessage.objects.filter(thread_id__in=keys).order_by("created_at", "id"),
                        lambda m: m.thread_id)
        return [rows.get(k, []) for k in keys]

    def after_batch(self, values):
        EnterpriseByIdLoader(self.context).want(m.sender_id for messages in values for m in messages)


class QuotationsByListingIdLoader(DataLoader[int, list]):
    """The quotations of RFQs (withdrawn ones left out), cheapest first; the type decides who sees which."""

    default = []

    def batch_load(self, keys):
        rows = group_by(Quotation.objects.filter(listing_id__in=keys).exclude(status=Quotation.Status.WITHDRAWN)
                        .order_by("unit_price", "created_at", "id"), lambda q: q.listing_id)
        return [rows.get(k, []) for k in keys]

    def after_batch(self, values):
        EnterpriseByIdLoader(self.context).want(q.enterprise_id for quotations in values for q in quotations)


def unread_by_thread(threads, acting_ids) -> dict[int, int]:
    """{thread id: messages from the other side since the caller's side last read}, in one query. The
    caller's side of a thread is the acting enterprise in it (the asker's when it acts for both)."""
    if not threads or not acting_ids:
        return {}
    conditions = Q()
    for thread in threads:
        side = thread.asker_id if thread.asker_id in acting_ids else thread.owner_id
        read_at = thread.asker_read_at if side == thread.asker_id else thread.owner_read_at
        condition = Q(thread=thread.pk) & ~Q(sender=side)
        if read_at is not None:
            condition &= Q(created_at__gt=read_at)
        conditions |= condition
    return dict(InquiryMessage.objects.filter(conditions).values("thread").annotate(n=Count("id"))
                .values_list("thread", "n"))
