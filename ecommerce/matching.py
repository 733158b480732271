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

Spare capacity and outsourced processing (外协) are matched with each other only: a processing demand
(trade_type=processing) with the capacity listings (trade_type=capacity) of the same process, on any board,
and the reverse. Such a pair scores, again from 0 to 1:

=============  ======  =====================================================================
process        0.40    the same process (a candidate always has it: the process is the filter)
capacity       0.30    × the share of the demand's hours the supplier has free in the demand's
                       weeks (capacity_weeks), up to 1; 0.15 when either side gives no hours
distance       0.20    full within 10 km, falling linearly to 0 at 150 km (haversine on the
                       listings' latitude/longitude); 0.10 when either position is unknown
credit         0.10    the supplier's credit is verified (government data)
=============  ======  =====================================================================

and explains itself with the figures it used (need_hours, free_hours, distance_km) in the stored details.

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
from ecommerce.geo import haversine_km
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
                                   hidden_at__isnull=True, expires_at__gt=timezone.now(),
                                   trade_type=Listing.TradeType.GOODS)
            .exclude(enterprise=listing.enterprise_id)
            .select_related("category", "enterprise", "created_by").order_by("-published_at")[:CANDIDATES])


def matches_compute(*, listing: Listing) -> list[tuple[Listing, MatchScore]]:
    """The best counterparts of a listing with their scores, best first (nothing is written)."""
    if listing.trade_type in (Listing.TradeType.CAPACITY, Listing.TradeType.PROCESSING):
        return processing_matches_compute(listing=listing)
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


# ---- spare capacity ⇄ outsourced processing -----------------------------------------------------------

PROCESSING_WEIGHTS = {"process": Decimal("0.40"), "capacity": Decimal("0.30"), "distance": Decimal("0.20"),
                      "credit": Decimal("0.10")}
NEAR_KM, FAR_KM = 10.0, 150.0


@dataclass(frozen=True)
class ProcessingMatchScore:
    """The parts of a processing/capacity pair's score, and the figures they were computed from (kept in the
    stored details so that the score explains itself; None when unknown)."""

    process: Decimal
    capacity: Decimal
    distance: Decimal
    credit: Decimal
    need_hours: Decimal | None = None
    free_hours: Decimal | None = None
    distance_km: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return (self.process + self.capacity + self.distance + self.credit).quantize(Decimal("0.0001"))

    def as_dict(self) -> dict:
        return {k: (None if v is None else str(v)) for k, v in asdict(self).items()}


def _weeks_hours(weeks, key: str) -> dict[str, Decimal]:
    hours: dict[str, Decimal] = {}
    for row in weeks or []:
        try:
            hours[str(row["week"])] = hours.get(str(row["week"]), Decimal("0")) + Decimal(str(row[key]))
        except (KeyError, TypeError, ArithmeticError, ValueError):
            continue
    return hours


def _capacity_part(demand: Listing, supply: Listing) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """(part, hours the demand needs, hours the supplier has free in the demand's weeks)."""
    need = _weeks_hours(demand.capacity_weeks, "need_hours")
    free = _weeks_hours(supply.capacity_weeks, "free_hours")
    need_total = sum(need.values(), Decimal("0"))
    if not free or need_total <= 0:
        return PROCESSING_WEIGHTS["capacity"] / 2, (need_total or None), None
    available = sum((free.get(week, Decimal("0")) for week in need), Decimal("0"))
    share = min(Decimal("1"), available / need_total)
    return (PROCESSING_WEIGHTS["capacity"] * share).quantize(Decimal("0.0001")), need_total, available


def _distance_part(demand: Listing, supply: Listing) -> tuple[Decimal, Decimal | None]:
    if None in (demand.latitude, demand.longitude, supply.latitude, supply.longitude):
        return PROCESSING_WEIGHTS["distance"] / 2, None
    km = haversine_km((demand.latitude, demand.longitude), (supply.latitude, supply.longitude))
    share = 1.0 if km <= NEAR_KM else max(0.0, (FAR_KM - km) / (FAR_KM - NEAR_KM))
    part = (PROCESSING_WEIGHTS["distance"] * Decimal(str(round(share, 4)))).quantize(Decimal("0.0001"))
    return part, Decimal(str(round(km, 1)))


def processing_match_score(*, demand: Listing, supply: Listing, supplier_credit_verified: bool) -> ProcessingMatchScore:
    """The score of a processing demand and a capacity listing (see the module doc for the parts)."""
    same = bool(demand.process) and demand.process == supply.process
    capacity, need_hours, free_hours = _capacity_part(demand, supply)
    distance, km = _distance_part(demand, supply)
    return ProcessingMatchScore(process=PROCESSING_WEIGHTS["process"] if same else Decimal("0"), capacity=capacity,
                                distance=distance,
                                credit=PROCESSING_WEIGHTS["credit"] if supplier_credit_verified else Decimal("0"),
                                need_hours=need_hours, free_hours=free_hours, distance_km=km)


def processing_matches_compute(*, listing: Listing) -> list[tuple[Listing, ProcessingMatchScore]]:
    """The best capacity listings for a processing demand (or demands for a capacity listing): the same
    process, visible, of other enterprises, on any board; best first (nothing is written)."""
    if not listing.process:
        return []
    is_demand = listing.trade_type == Listing.TradeType.PROCESSING
    other = Listing.TradeType.CAPACITY if is_demand else Listing.TradeType.PROCESSING
    candidates = list(Listing.objects.filter(trade_type=other, process=listing.process,
                                             status=Listing.Status.PUBLISHED, hidden_at__isnull=True,
                                             expires_at__gt=timezone.now())
                      .exclude(enterprise=listing.enterprise_id)
                      .select_related("category", "enterprise", "created_by").order_by("-published_at")[:CANDIDATES])
    verified = set(EnterpriseCard.objects.filter(enterprise_id__in={c.enterprise_id for c in candidates}
                                                 | {listing.enterprise_id}, credit_verified=True)
                   .values_list("enterprise_id", flat=True))
    scored = []
    for candidate in candidates:
        demand, supply = (listing, candidate) if is_demand else (candidate, listing)
        score = processing_match_score(demand=demand, supply=supply,
                                       supplier_credit_verified=supply.enterprise_id in verified)
        if score.total >= MIN_STORED_SCORE:
            scored.append((candidate, score))
    scored.sort(key=lambda pair: (pair[1].total, pair[0].published_at), reverse=True)
    return scored[:setting("BOARDS_MATCHES_KEPT")]
