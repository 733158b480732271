from __future__ import annotations

import graphene
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from api.graphql.core.errors import ApiError, NotFound
from api.graphql.core.mutations import pk_from_global_id
from api.graphql.core.pagination import connection_field, paginate
from api.graphql.core.permissions import Scope, permission_required
from api.graphql.core.types import enum_value
from api.graphql.ecommerce.actor import readable_enterprise_ids, viewable_listing
from api.graphql.ecommerce.types import (BoardNode, InquiryThreadConnection, ListingConnection, ListingKindEnum,
                                         ListingNode, ListingStatusEnum, QuotationConnection, QuotationStatusEnum)
from core.uscc import normalize_uscc
from ecommerce.models import Board, Category, InquiryThread, Listing, Quotation
from ecommerce.selectors import SORTS, SearchFilters, listing_search_ranked
from tenants.models import Enterprise

ListingSortEnum = graphene.Enum("ListingSortEnum", [("RELEVANCE", "relevance"), ("NEWEST", "newest"),
                                                   ("PRICE", "price"), ("PRICE_DESC", "-price")])
assert {v.value for v in ListingSortEnum} == set(SORTS)


class RankedListings:
    """The search window's ids in their order, sliced like a queryset (one query per page)."""

    def __init__(self, ids: list[int]):
        self.ids = ids

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[Listing]:
        ids = self.ids[index]
        rows = Listing.objects.select_related("enterprise", "board", "category").in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


def _listing_pk(value: str, field: str = "id") -> int | None:
    try:
        return pk_from_global_id(value, "Listing", field)
    except ValidationError:
        return None


def _filters(*, search, board, category, kind, price_min, price_max, town, credit_verified, sort) -> SearchFilters:
    board_obj = None
    if board:
        board_obj = Board.objects.filter(code=board).first()
        if board_obj is None:
            raise ApiError(_("There is no board “%(code)s”.") % {"code": board}, code="NOT_FOUND")
    category_obj = None
    if category:
        category_obj = Category.objects.filter(code=category).first()
        if category_obj is None:
            raise ApiError(_("There is no category “%(code)s”.") % {"code": category}, code="NOT_FOUND")
    if price_min is not None and price_max is not None and price_min > price_max:
        raise ApiError(_("“priceMin” is above “priceMax”."), code="BAD_REQUEST")
    return SearchFilters(q=search or "", board=board_obj, category=category_obj, kind=enum_value(kind) or "",
                         price_min=price_min, price_max=price_max, town=town or "",
                         credit_verified=bool(credit_verified), sort=enum_value(sort) or "relevance")


class BoardQueries(graphene.ObjectType):
    boards = graphene.List(graphene.NonNull(BoardNode), required=True, description="The industry boards.")
    board = graphene.Field(BoardNode, code=graphene.String(required=True))
    listings = connection_field(
        ListingConnection,
        "Visible listings: full-text search (Chinese words segmented as on the web pages) and filters. With "
        "words the newest 200 matches are ranked by relevance × recency; without, newest first.",
        search=graphene.String(description="Words, e.g. “抽油烟机 电机”."),
        board=graphene.String(description="Board code."), category=graphene.String(description="Category code "
                                                                                               "(its children too)."),
        kind=ListingKindEnum(), price_min=graphene.Decimal(), price_max=graphene.Decimal(),
        town=graphene.String(), credit_verified=graphene.Boolean(description="Only enterprises whose credit the "
                                                                             "government data verifies."),
        enterprise=graphene.String(description="Only this enterprise's (credit code)."),
        sort=ListingSortEnum(default_value="relevance"))
    listing = graphene.Field(ListingNode, id=graphene.ID(required=True),
                             description="A visible listing, or one of the caller's own enterprise in any status.")
    my_listings = connection_field(ListingConnection, "The listings of the caller's enterprise(s), every status, "
                                                      "newest first.", status=ListingStatusEnum())
    my_quotations = connection_field(QuotationConnection, "The quotations the caller's enterprise(s) gave on RFQs, "
                                                          "newest first.", status=QuotationStatusEnum())
    inquiry_threads = connection_field(InquiryThreadConnection, "Conversations of the caller's enterprise(s), "
                                                                "latest message first.")

    @staticmethod
    def resolve_boards(root, info):
        boards = list(Board.objects.all())
        BoardNode.prepare(info.context, boards)
        return boards

    @staticmethod
    def resolve_board(root, info, code):
        board = Board.objects.filter(code=code).first()
        if board is not None:
            BoardNode.prepare(info.context, [board])
        return board

    @staticmethod
    def resolve_listings(root, info, search=None, board=None, category=None, kind=None, price_min=None,
                         price_max=None, town=None, credit_verified=None, enterprise=None, sort="relevance", **page):
        filters = _filters(search=search, board=board, category=category, kind=kind, price_min=price_min,
                           price_max=price_max, town=town, credit_verified=credit_verified, sort=sort)
        if enterprise:
            filters.enterprise = Enterprise.objects.filter(uscc=normalize_uscc(enterprise)).first()
            if filters.enterprise is None:
                return paginate(RankedListings([]), ListingConnection, info, **page)
        ids, _capped = listing_search_ranked(filters=filters)
        return paginate(RankedListings(ids), ListingConnection, info, **page)

    @staticmethod
    def resolve_listing(root, info, id):
        pk = _listing_pk(id)
        listing = viewable_listing(info, pk) if pk else None
        if listing is None:
            raise NotFound(_("No listing has this ID."))
        ListingNode.prepare(info.context, [listing])
        return listing

    @staticmethod
    @permission_required(Scope.BOARDS_READ)
    def resolve_my_listings(root, info, status=None, **page):
        qs = Listing.objects.filter(enterprise_id__in=readable_enterprise_ids(info))
        if status:
            qs = qs.filter(status=enum_value(status))
        return paginate(qs.select_related("enterprise", "board", "category").order_by("-created_at", "-id"),
                        ListingConnection, info, **page)

    @staticmethod
    @permission_required(Scope.BOARDS_READ)
    def resolve_inquiry_threads(root, info, **page):
        ids = readable_enterprise_ids(info)
        info.context._boards_acting_ids = frozenset(ids)
        qs = InquiryThread.objects.filter(Q(asker_id__in=ids) | Q(owner_id__in=ids)).order_by("-last_message_at", "-id")
        return paginate(qs, InquiryThreadConnection, info, **page)

    @staticmethod
    @permission_required(Scope.BOARDS_READ)
    def resolve_my_quotations(root, info, status=None, **page):
        qs = Quotation.objects.filter(enterprise_id__in=readable_enterprise_ids(info))
        if status:
            qs = qs.filter(status=enum_value(status))
        return paginate(qs.order_by("-created_at", "-id"), QuotationConnection, info, **page)
