"""Where the catalog reads an item's stock, without importing inventory.

Inventory sits above the catalog in the ERP layers (docs/architecture.md): it registers its source here
in its AppConfig.ready(), and the catalog's pages and services ask the source. A source answers:

- ``on_hand()``: an expression of an item's on-hand quantity over all locations, to annotate a queryset
  of items with (the item list's "On hand" column, sortable);
- ``levels(item)``: the item's stock per location (× lot), each row with ``location``, ``lot``,
  ``on_hand``, ``reserved`` and ``available`` (the item page's "Stock" table);
- ``moves(item)``: the item's stock moves, newest first, each with ``posted_at``, ``get_move_type_display``,
  ``location``, ``quantity`` and ``reference`` (the item page's "Recent stock moves", sliced there);
- ``has_stock(item)``: whether any location holds some of it (an item with stock cannot become a kit
  or a service: ``item_update`` refuses with ``has_stock``).

Without a source (inventory not installed) no item has stock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Expression, Value


@dataclass(frozen=True)
class StockSource:
    on_hand: Callable[[], Expression]
    levels: Callable[[object], Iterable]
    moves: Callable[[object], Iterable]
    has_stock: Callable[[object], bool]


NO_SOURCE = StockSource(
    on_hand=lambda: Value(Decimal("0"), output_field=DecimalField(max_digits=18, decimal_places=4)),
    levels=lambda item: [], moves=lambda item: [], has_stock=lambda item: False)
_source = NO_SOURCE


def stock_source_register(source: StockSource) -> None:
    """Called once at start-up by the app that keeps the stock (erp_modules.inventory)."""
    global _source
    _source = source


def stock_source() -> StockSource:
    return _source
