"""Browsing the boards: the boards' home, one board's page, and the search page."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from ecommerce import selectors
from ecommerce.forms import SearchForm
from ecommerce.models import Category, Listing
from ecommerce.views._common import badges, nav_context


def index(request):
    featured = selectors.board_featured(limit=6)
    newest_supply = selectors.board_newest(kind=Listing.Kind.SUPPLY, limit=8)
    newest_demand = selectors.board_newest(kind=Listing.Kind.DEMAND, limit=8)
    return render(request, "ecommerce/index.html", {
        **nav_context(request), "boards": selectors.board_list(), "featured": featured,
        "newest_supply": newest_supply, "newest_demand": newest_demand,
        "credit_badges": badges(featured, newest_supply, newest_demand)})


def board_home(request, code: str):
    board = selectors.board_get(code=code)
    if board is None:
        raise Http404
    featured = selectors.board_featured(board=board)
    newest_supply = selectors.board_newest(board=board, kind=Listing.Kind.SUPPLY)
    newest_demand = selectors.board_newest(board=board, kind=Listing.Kind.DEMAND)
    return render(request, "ecommerce/board.html", {
        **nav_context(request), "board": board, "boards": selectors.board_list(),
        "tree": selectors.category_tree(board=board), "featured": featured, "newest_supply": newest_supply,
        "newest_demand": newest_demand, "credit_badges": badges(featured, newest_supply, newest_demand)})


def search(request):
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    board = selectors.board_get(code=data.get("board") or "") if data.get("board") else None
    category = Category.objects.filter(pk=data.get("category")).first() if data.get("category") else None
    filters = selectors.SearchFilters(
        q=data.get("q") or "", board=board, category=category, kind=data.get("kind") or "",
        price_min=data.get("price_min"), price_max=data.get("price_max"), town=data.get("town") or "",
        credit_verified=bool(data.get("credit")), sort=data.get("sort") or "relevance")
    page = selectors.listing_search(filters=filters, page=data.get("page") or 1)
    params = request.GET.copy()
    params.pop("page", None)
    context = {**nav_context(request), "page": page, "filters": filters, "query_string": params.urlencode(),
               "credit_badges": badges(page.results),
               "boards": selectors.board_list(), "towns": selectors.town_choices(),
               "categories": selectors.category_choices(board=board), "form_errors": form.errors if form.is_bound
               else {}}
    template = "ecommerce/_results.html" if request.htmx and not request.htmx.boosted else "ecommerce/search.html"
    return render(request, template, context)
