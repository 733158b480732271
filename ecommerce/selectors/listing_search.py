"""Search and filters of the visible listings (the search page and the API's `listings`); see
`listing_search` for how the newest matches are found, and ecommerce.search for the words."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ecommerce import search
from ecommerce.conf import setting
from ecommerce.models import Board, Category, EnterpriseCard, Listing
from ecommerce.selectors.listings import visible_listings, with_cards
from tenants.models import Enterprise

SORTS = ("relevance", "newest", "price", "-price")


@dataclass
class SearchFilters:
    q: str = ""
    board: Board | None = None
    category: Category | None = None
    kind: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    town: str = ""
    credit_verified: bool = False
    sort: str = "relevance"
    enterprise: Enterprise | None = None  # one poster's listings (the API's filter)


@dataclass
class SearchPage:
    results: list[Listing]
    total: int  # capped at the window: ``capped`` tells
    capped: bool
    page: int
    page_size: int
    tsquery: str = ""
    scores: dict = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def _filtered(filters: SearchFilters) -> QuerySet[Listing]:
    qs = visible_listings()
    if filters.board is not None:
        qs = qs.filter(board=filters.board)
    if filters.category is not None:
        qs = qs.filter(Q(category=filters.category) | Q(category__parent=filters.category))
    if filters.kind in Listing.Kind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.price_min is not None:
        qs = qs.filter(price_max__gte=filters.price_min)
    if filters.price_max is not None:
        qs = qs.filter(price_min__lte=filters.price_max)
    if filters.town:
        qs = qs.filter(enterprise__in=Enterprise.objects.filter(town=filters.town).values("pk"))
    if filters.enterprise is not None:
        qs = qs.filter(enterprise=filters.enterprise)
    if filters.credit_verified:
        qs = qs.filter(enterprise__in=EnterpriseCard.objects.filter(credit_verified=True).values("enterprise_id"))
    return qs


def listing_search(*, filters: SearchFilters, page: int = 1, page_size: int = 20) -> SearchPage:
    """Search and filter the visible listings.

    With words: the listings whose search vector matches the jieba tsquery (GIN index); of those, the
    newest BOARDS_SEARCH_WINDOW are ranked by ts_rank (title A=1.0, specifications B=0.4, description
    C=0.2) × a recency factor that is 2 for a listing published now and tends to 1 as it ages (half-way
    after a week), and paged; past the window the count reads "more than N". Ranking the newest matches
    keeps a common word ("轴承" on a million listings) as fast as a rare one.

    How the newest matches are found without reading every match: the search vector also holds facet
    lexemes (board, category, kind, town, verified credit, and the day, week and month of publication;
    see search.FACETS_SQL), so the GIN index alone narrows a search to today and yesterday, then the rest
    of this and last week, the rest of this and last month, the four months before, and finally all older
    listings (see _time_steps). The steps run as one UNION ALL statement that stops as soon as the window
    is full, so the table is read only for the matches of the stretches needed; the planner is kept to
    bitmap scans of the GIN index meanwhile (a walk down the date index looks cheap to it but reads a
    whole board when a word is missing from that board). The steps give exactly the answer of one query
    over the whole table: they are consecutive stretches of time, newest first.
    Without words, or sorted by date or price: the same window, in that order.
    """
    rows, tsquery = _search_rows(filters)
    result = _page(rows, sort=filters.sort, page=page, page_size=page_size)
    result.tsquery = tsquery
    return result


def listing_search_ranked(*, filters: SearchFilters) -> tuple[list[int], bool]:
    """The ids of the whole window of ``listing_search`` in its order (for the API's cursor paging),
    and whether there were more matches than the window holds."""
    rows, _tsquery = _search_rows(filters)
    window = setting("BOARDS_SEARCH_WINDOW")
    return [r[0] for r in _ordered(rows[:window], filters.sort)], len(rows) > window


def _search_rows(filters: SearchFilters) -> tuple[list[tuple], str]:
    """(id, published_at, price_min, score) of the newest window+1 matches, newest first; the tsquery."""
    tsquery = search.build_tsquery(filters.q) if filters.q.strip() else ""
    if filters.q.strip() and not tsquery:
        return [], ""
    qs = _filtered(filters)
    if not tsquery:
        return _candidates(qs, tsquery=""), ""
    category_ids = []
    if filters.category is not None:
        category_ids = [filters.category.pk, *Category.objects.filter(parent=filters.category)
                        .values_list("pk", flat=True)]
    facets = {"board_id": filters.board.pk if filters.board else None, "kind": filters.kind,
              "category_ids": category_ids, "town": filters.town, "credit_verified": filters.credit_verified}
    steps = []
    plan, cutoff = _time_steps(timezone.localdate())
    for lexemes in plan:
        steps.append(qs.filter(_matches(tsquery, search.facet_query(**facets, **lexemes))))
    rest = qs.filter(_matches(tsquery, search.facet_query(**facets)))
    steps.append(rest.filter(published_at__lt=timezone.make_aware(datetime.combine(cutoff, time.min))))
    with _bitmap_scans_only():
        return _candidates_in_steps(steps, tsquery=tsquery), tsquery


def _time_steps(today) -> tuple[list[dict], object]:
    """Consecutive stretches of time, newest first, each named by a few time lexemes (a wide OR of day
    lexemes would cost the GIN scan one step per lexeme and match): today and yesterday; the rest of
    this and last ISO week; the rest of this and last month; the four months before; and the day
    before which everything older is the last step."""
    week_start = today - timedelta(days=today.weekday() + 7)  # Monday of last week
    month_start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # 1st of last month
    months = [month_start]
    for _ in range(4):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    two_days = [search.day_lexeme(today), search.day_lexeme(today - timedelta(days=1))]
    two_weeks = [search.week_lexeme(today), search.week_lexeme(week_start)]
    two_months = [search.month_lexeme(today), search.month_lexeme(month_start)]
    plan = [{"any_of": two_days},
            {"any_of": two_weeks, "none_of": two_days},
            {"any_of": two_months, "none_of": two_weeks},
            {"any_of": [search.month_lexeme(m) for m in months[1:]]}]
    assert week_start <= today - timedelta(days=1) and month_start <= week_start
    return plan, months[-1]


def _candidates_in_steps(steps: list[QuerySet[Listing]], *, tsquery: str) -> list[tuple]:
    """The newest window+1 rows of the union of ``steps`` (consecutive slices of time, newest first), in
    one statement: each step is a LIMITed sub-select and PostgreSQL's Append runs them in order and stops
    pulling as soon as the outer LIMIT is met, so a step after the window is full is never executed
    (parallel plans, which could interleave them, are off while this runs)."""
    window = setting("BOARDS_SEARCH_WINDOW")
    parts, params = [], []
    for step in steps:
        inner = step.order_by("-published_at", "-id").values("id", "published_at", "price_min",
                                                             "search_vector")[:window + 1]
        sql, step_params = inner.query.get_compiler(connection=connection).as_sql()
        parts.append(f"({sql})")
        params += step_params
    score_sql = ("ts_rank('{0.1, 0.2, 0.4, 1.0}', c.search_vector, to_tsquery('simple', %s)) * "
                 "(1.0 + 1.0 / (1.0 + GREATEST(EXTRACT(EPOCH FROM (now() - c.published_at)), 0) / 604800.0))")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_CANDIDATE_COLUMNS}, {score_sql} FROM ({' UNION ALL '.join(parts)}) c LIMIT %s",
                       [tsquery, *params, window + 1])
        rows = cursor.fetchall()
    return sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)


def _matches(tsquery: str, facets: str) -> RawSQL:
    """search_vector @@ (the words' tsquery AND the facets' tsquery)."""
    if facets:
        return RawSQL("ecommerce_listing.search_vector @@ (to_tsquery('simple', %s) && %s::tsquery)",
                      [tsquery, facets], output_field=BooleanField())
    return RawSQL("ecommerce_listing.search_vector @@ to_tsquery('simple', %s)", [tsquery],
                  output_field=BooleanField())


@contextmanager
def _bitmap_scans_only():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
                       "current_setting('max_parallel_workers_per_gather'), "
                       "set_config('enable_seqscan', 'off', false), "
                       "set_config('enable_indexscan', 'off', false), "
                       "set_config('max_parallel_workers_per_gather', '0', false)")
        seqscan, indexscan, workers = cursor.fetchone()[:3]
    try:
        yield
    finally:  # SET is transactional: if the transaction fails, its rollback restores them as well
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_seqscan', %s, false), set_config('enable_indexscan', %s, false), "
                           "set_config('max_parallel_workers_per_gather', %s, false)", [seqscan, indexscan, workers])


def listing_search_icontains(*, filters: SearchFilters, page: int = 1, page_size: int = 20) -> SearchPage:
    """The naive search (what core.tables does): each word must appear in the title or the description
    (ILIKE), same filters, newest first in the same window. The benchmark's baseline."""
    qs = _filtered(filters)
    for word in filters.q.split():
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return _page(_candidates(qs, tsquery=""), sort="newest", page=page, page_size=page_size)


# id, publication time (epoch seconds) and lowest price as plain numbers: cheap to load and to sort in Python
_CANDIDATE_COLUMNS = "c.id, EXTRACT(EPOCH FROM c.published_at)::float8, c.price_min::float8"


def _candidates(qs: QuerySet[Listing], *, tsquery: str) -> list[tuple]:
    """(id, published_at, price_min, score) of the newest window+1 rows of ``qs`` (the extra row tells
    whether there are more), scored by the words when there are any."""
    window = setting("BOARDS_SEARCH_WINDOW")
    fields = ["id", "published_at", "price_min"] + (["search_vector"] if tsquery else [])
    inner = qs.order_by("-published_at", "-id").values(*fields)[:window + 1]
    inner_sql, inner_params = inner.query.get_compiler(connection=connection).as_sql()
    if tsquery:
        score_sql = ("ts_rank('{0.1, 0.2, 0.4, 1.0}', c.search_vector, to_tsquery('simple', %s)) * "
                     "(1.0 + 1.0 / (1.0 + GREATEST(EXTRACT(EPOCH FROM (now() - c.published_at)), 0) / 604800.0))")
        score_params = [tsquery]
    else:
        score_sql, score_params = "0.0", []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_CANDIDATE_COLUMNS}, {score_sql} FROM ({inner_sql}) c", [*score_params, *inner_params])
        return cursor.fetchall()


def _page(rows: list[tuple], *, sort: str, page, page_size: int) -> SearchPage:
    """The window (newest first), put in the asked order and cut to the page, with its listings."""
    window = setting("BOARDS_SEARCH_WINDOW")
    total = len(rows)
    rows = _ordered(rows[:window], sort)
    num_pages = max(1, -(-len(rows) // page_size))
    try:
        page = min(max(1, int(page or 1)), num_pages)
    except (TypeError, ValueError):
        page = 1
    chunk = rows[(page - 1) * page_size:page * page_size]
    by_id = {listing.pk: listing for listing in with_cards(Listing.objects.filter(pk__in=[r[0] for r in chunk]))}
    return SearchPage(results=[by_id[r[0]] for r in chunk if r[0] in by_id], total=min(total, window),
                      capped=total > window, page=page, page_size=page_size,
                      scores={r[0]: r[3] for r in chunk})


def _ordered(rows: list[tuple], sort: str) -> list[tuple]:
    if sort == "price":
        return sorted(rows, key=lambda r: (r[2] is None, r[2] or 0, -r[1], -r[0]))
    if sort == "-price":
        return sorted(rows, key=lambda r: (r[2] is None, -(r[2] or 0), -r[1], -r[0]))
    if sort != "newest":
        return sorted(rows, key=lambda r: (-r[3], -r[1], -r[0]))
    return rows
