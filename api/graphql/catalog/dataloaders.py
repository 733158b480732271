from __future__ import annotations

from django.utils import timezone

from api.graphql.core.dataloaders import ByIdLoader, DataLoader, group_by
from erp_modules.catalog.models import BomLine, Item, ItemCategory, UnitOfMeasure
from erp_modules.catalog.selectors import bom_effective_map


class UomByIdLoader(ByIdLoader[UnitOfMeasure]):
    model = UnitOfMeasure


class ItemCategoryByIdLoader(ByIdLoader[ItemCategory]):
    model = ItemCategory


class ItemByIdLoader(ByIdLoader[Item]):
    model = Item

    def after_batch(self, values):
        from api.graphql.catalog.types import ItemNode

        ItemNode.prepare(self.context, [v for v in values if v is not None])


class CurrentBomByItemIdLoader(DataLoader[int, object]):
    """The released BOM version in force today, per item."""

    def batch_load(self, keys):
        boms = bom_effective_map(item_ids=keys, on=timezone.localdate())
        return [boms.get(k) for k in keys]

    def after_batch(self, values):
        from api.graphql.catalog.types import BomNode

        BomNode.prepare(self.context, [v for v in values if v is not None])


class BomLinesByBomIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        lines = group_by(BomLine.objects.filter(bom_id__in=keys).order_by("bom_id", "sequence", "id"),
                         lambda line: line.bom_id)
        return [lines.get(k, []) for k in keys]

    def after_batch(self, values):
        from api.graphql.catalog.types import BomLineType

        BomLineType.prepare(self.context, [line for group in values for line in group])
