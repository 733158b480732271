"""Writes of production: work orders from creation to completion.

    draft ──release──▶ released ──issue / report──▶ in_progress ──complete──▶ completed
      └──────────────────────┴──────────cancel (nothing issued yet)──────────▶ cancelled

Stock only moves through `erp_modules.inventory.services` (reservations at release, PRODUCTION_CONSUME
at issue, PRODUCTION_OUTPUT at completion), always with reference_type="work_order",
reference_id=<work order id> and, for components, reference_line_id=<component row id>.
Every write locks the work order row first, so two people reporting or issuing on the same order
are serialised.

One module per part of the work order's life: work_orders (create, release, cancel), component_issues,
operation_reports, completion; _common is what they share (parsing, the row lock, status changes).
"""

from erp_modules.production.services._common import fmt_qty
from erp_modules.production.services.completion import work_order_complete
from erp_modules.production.services.component_issues import (IssueLine, work_order_issue_components,
                                                              work_order_issue_remaining)
from erp_modules.production.services.operation_reports import work_order_report_operation, work_order_report_reverse
from erp_modules.production.services.work_orders import work_order_cancel, work_order_create, work_order_release
from erp_modules.production.services.workers import worker_for_member, worker_save

__all__ = [
    "IssueLine",
    "fmt_qty",
    "work_order_cancel",
    "work_order_complete",
    "work_order_create",
    "work_order_issue_components",
    "work_order_issue_remaining",
    "work_order_release",
    "work_order_report_operation",
    "work_order_report_reverse",
    "worker_for_member",
    "worker_save",
]
