"""Reads of listings: the board pages, a listing's page (who may see it, its matches, its live stock),
a member's and the office's lists, and the credit badges of a page."""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django_tenants.utils import tenant_context

from ecommerce.conf import setting
from ecommerce.credit_source import credit_source
from ecommerce.models import Board, Category, EnterpriseCard, Listing, ListingImage, Match, Quotation
from erp_modules.catalog.models import Item
from erp_modules.inventory.selectors import stock_available, stock_level_list
from tenants.models import Enterprise, Membership, User


def visible_listings() -> QuerySet[Listing]:
    return Listing.objects.filter(status=Listing.Status.PUBLISHED, hidden_at__isnull=True,
                                  expires_at__gt=timezone.now())


def board_list() -> list[Board]:
    boards = list(Board.objects.all())
    counts = dict(visible_listings().values("board").annotate(n=Count("id")).values_list("board", "n"))
    for board in boards:
        board.listing_count = counts.get(board.pk, 0)
    return boards


def board_get(*, code: str) -> Board | None:
    return Board.objects.filter(code=code).first()


def category_tree(*, board: Board) -> list[Category]:
    """Top-level categories of a board, each with ``.subs`` (its children)."""
    nodes = list(Category.objects.filter(board=board).order_by("sort_order", "code"))
    tops = [c for c in nodes if c.parent_id is None]
    for top in tops:
        top.subs = [c for c in nodes if c.parent_id == top.pk]
    return tops


# a child category's indent in a drop-down: an ideographic space, which the browser does not collapse
CATEGORY_INDENT = "\u3000"


def _tree_ordered(nodes: list[Category]) -> list[tuple[Category, int]]:
    """The categories of one board as the tree reads: each parent, then its children (by their own
    order), each with its depth."""
    children: dict[int | None, list[Category]] = {}
    for node in sorted(nodes, key=lambda c: (c.sort_order, c.code)):
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[tuple[Category, int]] = []

    def walk(parent_id, depth):
        for node in children.get(parent_id, []):
            ordered.append((node, depth))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return ordered


def category_choices_by_board(*, board: Board | None = None) -> list[tuple[Board, list[tuple[int, str]]]]:
    """[(board, [(category id, label), …]), …]: every board's categories as its tree, children indented
    under their parent. One query."""
    qs = Category.objects.select_related("board").order_by("board__sort_order", "board__code", "sort_order", "code")
    if board is not None:
        qs = qs.filter(board=board)
    boards: dict[int, tuple[Board, list[Category]]] = {}
    for category in qs:
        boards.setdefault(category.board_id, (category.board, []))[1].append(category)
    return [(b, [(c.pk, CATEGORY_INDENT * depth + c.name) for c, depth in _tree_ordered(nodes)])
            for b, nodes in boards.values()]


def category_choices(*, board: Board | None = None) -> list[tuple]:
    """The categories for a flat drop-down (the search filter), in tree order, children indented."""
    return [choice for _board, choices in category_choices_by_board(board=board) for choice in choices]


def with_cards(qs: QuerySet[Listing]) -> QuerySet[Listing]:
    """Listings as the lists show them: the enterprise and its card, board, category, and the images
    (``.list_images``, first one is the thumbnail) in one more query for the whole list."""
    images = ListingImage.objects.only("pk", "listing_id", "sort_order").order_by("sort_order", "id")
    return (qs.select_related("enterprise", "enterprise__board_card", "board", "category")
            .prefetch_related(Prefetch("images", queryset=images, to_attr="list_images")))


def board_newest(*, board: Board | None = None, kind: str = "", limit: int = 12) -> list[Listing]:
    qs = visible_listings()
    if board is not None:
        qs = qs.filter(board=board)
    if kind:
        qs = qs.filter(kind=kind)
    return list(with_cards(qs).order_by("-published_at", "-id")[:limit])


def board_featured(*, board: Board | None = None, limit: int = 6) -> list[Listing]:
    qs = visible_listings().filter(featured=True)
    if board is not None:
        qs = qs.filter(board=board)
    return list(with_cards(qs).order_by("-published_at", "-id")[:limit])


def listing_get(*, listing_id: int) -> Listing | None:
    return (Listing.objects.select_related("enterprise", "enterprise__board_card", "board", "category",
                                           "category__parent", "created_by", "hidden_by")
            .filter(pk=listing_id).first())


def listing_can_view(*, listing: Listing, user: User) -> bool:
    """Visible listings are public; drafts, expired, closed or hidden ones only to their enterprise's
    members and the office (closed RFQs also to the suppliers who quoted)."""
    if listing.is_visible:
        return True
    if not user.is_authenticated:
        return False
    if user.is_office or user.is_platform_admin:
        return True
    if Membership.objects.filter(user=user, enterprise_id=listing.enterprise_id).exists():
        return True
    if listing.status == Listing.Status.CLOSED and listing.hidden_at is None and listing.is_rfq:
        return Quotation.objects.filter(listing=listing, enterprise__memberships__user=user).exists()
    return False


def listing_matches(*, listing: Listing, limit: int = 6) -> list[tuple[Listing, Decimal]]:
    """The stored matches of a listing that are still visible, best first."""
    if listing.kind == Listing.Kind.DEMAND:
        rows = Match.objects.filter(demand=listing).select_related("supply")
        pairs = [(m.supply, m.score) for m in rows]
    else:
        rows = Match.objects.filter(supply=listing).select_related("demand")
        pairs = [(m.demand, m.score) for m in rows]
    ids = [other.pk for other, _s in pairs]
    visible = {lst.pk: lst for lst in with_cards(visible_listings().filter(pk__in=ids))}
    return [(visible[o.pk], s) for o, s in pairs if o.pk in visible][:limit]


def listing_stock(*, listing: Listing) -> Decimal | None:
    """"In stock: N" of a supply listing linked to an ERP item, when the listing and its enterprise allow it.

    Read in the posting enterprise's own schema (one lookup, via the inventory selectors: available =
    on hand − reserved, over the item's locations) and cached for BOARDS_STOCK_CACHE_SECONDS."""
    if listing.kind != Listing.Kind.SUPPLY or not listing.erp_item_id or not listing.show_stock:
        return None
    if not EnterpriseCard.objects.filter(enterprise_id=listing.enterprise_id, share_stock=True).exists():
        return None
    key = f"boards:stock:{listing.pk}:{listing.erp_item_id}"
    cached = cache.get(key)  # read and written from the public schema: the key carries "public"
    if cached is not None:
        return None if cached == "" else Decimal(cached)
    value = _stock_available_in_schema(enterprise=listing.enterprise, item_id=listing.erp_item_id)
    cache.set(key, "" if value is None else str(value), setting("BOARDS_STOCK_CACHE_SECONDS"))
    return value


def _stock_available_in_schema(*, enterprise: Enterprise, item_id: int) -> Decimal | None:
    with tenant_context(enterprise):
        item = Item.objects.filter(pk=item_id, active=True).first()
        if item is None:
            return None
        locations = {balance.location_id: balance.location for balance in stock_level_list(item=item)}
        total = sum((stock_available(item=item, location=loc) for loc in locations.values()), Decimal("0"))
    return max(total, Decimal("0"))


def listing_image_of_member(*, image_id: int, user: User) -> ListingImage | None:
    """An image of a listing of one of the user's enterprises (any role: the service tells a viewer
    why not), for changing it; None, as for a missing id, when it is another enterprise's."""
    if not user.is_authenticated:
        return None
    return (ListingImage.objects.select_related("listing", "listing__enterprise")
            .filter(pk=image_id, listing__enterprise__in=Membership.objects.filter(user=user)
                    .values("enterprise_id")).first())


def my_listings(*, user: User) -> QuerySet[Listing]:
    enterprise_ids = Membership.objects.filter(user=user).values("enterprise_id")
    quotes = Quotation.objects.filter(listing=OuterRef("pk")).exclude(status=Quotation.Status.WITHDRAWN)
    return (Listing.objects.filter(enterprise__in=enterprise_ids)
            .select_related("enterprise", "board", "category")
            .annotate(quotation_count=Subquery(quotes.values("listing").annotate(n=Count("id")).values("n")[:1]))
            .order_by("-created_at", "-id"))


def office_listings() -> QuerySet[Listing]:
    return (Listing.objects.exclude(status=Listing.Status.DRAFT)
            .select_related("enterprise", "board", "category", "hidden_by").order_by("-created_at", "-id"))


def town_choices() -> list[str]:
    return list(Enterprise.objects.filter(status=Enterprise.Status.ACTIVE).exclude(town="")
                .values_list("town", flat=True).distinct().order_by("town"))


def enterprise_listings(*, enterprise: Enterprise, limit: int = 20) -> list[Listing]:
    return list(with_cards(visible_listings().filter(enterprise=enterprise)).order_by("-published_at")[:limit])


def credit_badges_on_page(*, enterprises) -> dict:
    """The government credit badges of the enterprises shown on a page, by credit code (3 queries)."""
    return credit_source().badges_for({e.uscc for e in enterprises if e is not None and e.uscc}, None)
