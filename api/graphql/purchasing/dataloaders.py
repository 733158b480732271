from __future__ import annotations

from api.graphql.core.dataloaders import DataLoader, group_by
from erp_modules.purchasing.models import PurchaseOrderLine


class PurchaseOrderLinesByOrderIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        lines = group_by(PurchaseOrderLine.objects.filter(order_id__in=keys).order_by("order_id", "line_no", "id"),
                         lambda line: line.order_id)
        return [lines.get(k, []) for k in keys]
