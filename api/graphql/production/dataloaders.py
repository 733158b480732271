from __future__ import annotations

from api.graphql.core.dataloaders import DataLoader, group_by
from erp_modules.production.models import WorkOrderComponent


class WorkOrderComponentsByWorkOrderIdLoader(DataLoader[int, list]):
    default = []

    def batch_load(self, keys):
        rows = group_by(WorkOrderComponent.objects.filter(work_order_id__in=keys)
                        .order_by("work_order_id", "line_type", "sequence", "id"), lambda row: row.work_order_id)
        return [rows.get(k, []) for k in keys]
