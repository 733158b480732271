from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from api.graphql.core.dataloaders import DataLoader
from erp_modules.inventory.models import StockBalance


class StockOnHandByItemIdLoader(DataLoader[int, Decimal]):
    default = Decimal("0")

    def batch_load(self, keys):
        totals = dict(StockBalance.objects.filter(item_id__in=keys).values("item_id").annotate(q=Sum("on_hand"))
                      .values_list("item_id", "q"))
        return [totals.get(k) or Decimal("0") for k in keys]
