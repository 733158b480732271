from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from api.graphql.core.dataloaders import ByIdLoader, DataLoader, group_by
from erp_modules.catalog.models import BomLine, Item, ItemCategory, UnitOfMeasure
from erp_modules.catalog.selectors import bom_effective_map
from erp_modules.inventory.models import StockBalance


class UomByIdLoader(ByIdLoader[UnitOfMeasure]):
    model = UnitOfMeasure


class ItemCategoryByIdLoader(ByIdLoader[ItemCategory]):
    model = ItemCategory


class ItemByIdLoader(ByIdLoader[Item]):
    model = Item


class CurrentBomByItemIdLoader(DataLoader[int, object]):
    """The released BOM version in force today, per item."""

    def batch_load(self, keys):
        boms = bom_effective_map(item_ids=keys, on=timezone.localdate())
        return [boms.get(k) for k in keys]


class BomLinesByBomIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        lines = group_by(BomLine.objects.filter(bom_id__in=keys).order_by("bom_id", "sequence", "id"),
                         lambda line: line.bom_id)
        return [lines.get(k, []) for k in keys]


class StockOnHandByItemIdLoader(DataLoader[int, Decimal]):
    """On hand in every location, per item: `Item.stockOnHand`. Inventory's rows, loaded here because
    the catalog's Item type presents them and api/graphql/catalog imports no GraphQL package above it."""

    default = Decimal("0")

    def batch_load(self, keys):
        totals = dict(StockBalance.objects.filter(item_id__in=keys).values("item_id").annotate(q=Sum("on_hand"))
                      .values_list("item_id", "q"))
        return [totals.get(k) or Decimal("0") for k in keys]
