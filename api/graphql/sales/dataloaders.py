from __future__ import annotations

from api.graphql.core.dataloaders import ByIdLoader, DataLoader, group_by
from erp_modules.partners.models import Partner
from erp_modules.sales.models import SalesOrderLine


class PartnerByIdLoader(ByIdLoader[Partner]):
    model = Partner


class SalesOrderLinesByOrderIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        lines = group_by(SalesOrderLine.objects.filter(order_id__in=keys).order_by("order_id", "sequence", "id"),
                         lambda line: line.order_id)
        return [lines.get(k, []) for k in keys]

    def after_batch(self, values):
        from api.graphql.sales.types import SalesOrderLineType

        SalesOrderLineType.prepare(self.context, [line for group in values for line in group])
