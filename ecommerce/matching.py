"""Matching demands with supplies.

A pair gets a score from 0 to 1, the sum of five parts:

=============  ======  =====================================================================
category       0.30    same category 0.30; one is the other's parent or they share a parent 0.15
text           0.35    × Dice similarity of the title and specification words (jieba, search mode)
quantity       0.15    the demand's quantity reaches the supply's minimum order quantity;
                       0.075 when either is not given, 0 when the demand is below the MOQ
price          0.10    the price ranges overlap (supply's lowest ≤ demand's highest); 0.05 when
                       either side gives no price; 0 when the supply is dearer than the budget
credit         0.10    the supplier's credit is verified (government data)
=============  ======  =====================================================================

Candidates for a listing are the visible listings of the other kind on the same board, from other
enterprises, that share its category or any of its title/specification words (found with the
search index), newest first (200 at most).

This module only scores (it writes nothing); ``services.listing_matches_refresh`` (services/matches.py) stores
the best ``BOARDS_MATCHES_KEPT`` and sends a new pair at or above ``BOARDS_MATCH_NOTIFY_THRESHOLD`` to
both posters. When a supplier's credit flag changes, its visible supply listings are matched again
without notifications (services.enterprise_cards_credit_set), so the stored scores carry the new credit
part.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery
from django.db.models import Q
from django.utils import timezone

from ecommerce import search
from ecommerce.conf import setting
from ecommerce.models import EnterpriseCard, Listing

WEIGHTS = {"category": Decimal("0.30"), "text": Decimal("0.35"), "quantity": Decimal("0.15"),
           "price": Decimal("0.10"), "credit": Decimal("0.10")}
# Boilerplate of listing titles that says nothing about the goods.
IGNORED_WORDS = frozenset("供应 求购 采购 批发 厂家 直销 现货 长期 大量 优质 出售 收购 需要 寻找 定制 加工 供货 价格 优惠".split())
MIN_STORED_SCORE = Decimal("0.20")
CANDIDATES = 200


@dataclass(frozen=True)
class MatchScore:
    category: Decimal
    text: Decimal
    quantity: Decimal
    price: Decimal
    credit: Decimal

    @property
    def total(self) -> Decimal:
        return (self.category + self.text + self.quantity + self.price + self.credit).quantize(Decimal("0.0001"))

    def as_dict(self) -> dict:
        return {k: str(v) for k, v in asdict(self).items()}


def listing_words(listing: Listing) -> set[str]:
    """Title and specification words of a listing (the words that describe the goods)."""
    title, attrs, _body = search.document_texts(title=listing.title, attributes=listing.attributes)
    return {w for w in (title + " " + attrs).split() if w not in IGNORED_WORDS and not (len(w) == 1 and w.isalpha()
                                                                                        and not w.isascii())}


def _category_part(demand: Listing, supply: Listing) -> Decimal:
    if demand.category_id == supply.category_id:
        return WEIGHTS["category"]
    d, s = demand.category, supply.category
    if d.parent_id == s.pk or s.parent_id == d.pk or (d.parent_id and d.parent_id == s.parent_id):
        return WEIGHTS["category"] / 2
    return Decimal("0")


def _text_part(demand_words: set[str], supply_words: set[str]) -> Decimal:
    if not demand_words or not supply_words:
        return Decimal("0")
    dice = Decimal(2 * len(demand_words & supply_words)) / Decimal(len(demand_words) + len(supply_words))
    return (WEIGHTS["text"] * dice).quantize(Decimal("0.0001"))


def _quantity_part(demand: Listing, supply: Listing) -> Decimal:
    if demand.quantity is None or supply.moq is None:
        return WEIGHTS["quantity"] / 2
    return WEIGHTS["quantity"] if demand.quantity >= supply.moq else Decimal("0")


def _price_part(demand: Listing, supply: Listing) -> Decimal:
    if demand.price_max is None or supply.price_min is None:
        return WEIGHTS["price"] / 2
    return WEIGHTS["price"] if supply.price_min <= demand.price_max else Decimal("0")


def match_score(*, demand: Listing, supply: Listing, supplier_credit_verified: bool,
                demand_words: set[str] | None = None, supply_words: set[str] | None = None) -> MatchScore:
    """The score of a demand/supply pair (see the module doc for the parts)."""
    demand_words = listing_words(demand) if demand_words is None else demand_words
    supply_words = listing_words(supply) if supply_words is None else supply_words
    return MatchScore(category=_category_part(demand, supply), text=_text_part(demand_words, supply_words),
                      quantity=_quantity_part(demand, supply), price=_price_part(demand, supply),
                      credit=WEIGHTS["credit"] if supplier_credit_verified else Decimal("0"))


def _candidates(listing: Listing, words: set[str]):
    other_kind = Listing.Kind.SUPPLY if listing.kind == Listing.Kind.DEMAND else Listing.Kind.DEMAND
    condition = Q(category=listing.category_id)
    if listing.category.parent_id:
        condition |= Q(category=listing.category.parent_id) | Q(category__parent=listing.category.parent_id)
    else:
        condition |= Q(category__parent=listing.category_id)
    query = search.tsquery_or(sorted(words, key=len, reverse=True))
    if query:
        condition |= Q(search_vector=SearchQuery(query, search_type="raw", config="simple"))
    return (Listing.objects.filter(condition, kind=other_kind, board=listing.board_id, status=Listing.Status.PUBLISHED,
                                   hidden_at__isnull=True, expires_at__gt=timezone.now())
            .exclude(enterprise=listing.enterprise_id)
            .select_related("category", "enterprise", "created_by").order_by("-published_at")[:CANDIDATES])


def matches_compute(*, listing: Listing) -> list[tuple[Listing, MatchScore]]:
    """The best counterparts of a listing with their scores, best first (nothing is written)."""
    words = listing_words(listing)
    candidates = list(_candidates(listing, words))
    enterprise_ids = {c.enterprise_id for c in candidates} | {listing.enterprise_id}
    verified = set(EnterpriseCard.objects.filter(enterprise_id__in=enterprise_ids, credit_verified=True)
                   .values_list("enterprise_id", flat=True))
    scored = []
    for other in candidates:
        demand, supply = (listing, other) if listing.kind == Listing.Kind.DEMAND else (other, listing)
        score = match_score(demand=demand, supply=supply, supplier_credit_verified=supply.enterprise_id in verified,
                            demand_words=words if demand is listing else listing_words(demand),
                            supply_words=words if supply is listing else listing_words(supply))
        if score.total >= MIN_STORED_SCORE:
            scored.append((other, score))
    scored.sort(key=lambda pair: (pair[1].total, pair[0].published_at), reverse=True)
    return scored[:setting("BOARDS_MATCHES_KEPT")]
