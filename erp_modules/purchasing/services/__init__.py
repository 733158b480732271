"""Writes of purchasing: purchase orders, goods receipts and supplier invoices.

Rules (the ones a clerk meets):
- Suppliers are active partners with `is_supplier`. Kits are never purchased (buy their components);
  services are purchased and "received" (the receipt confirms the work) without a stock move.
- Orders are changed only as drafts; a manager approves them (the view checks the role).
- Receipts may be partial. A line may receive more than ordered only within the enterprise's
  `over_receipt_tolerance_pct` (0 by default: never more than ordered).
- A supplier invoice may bill, per PO line and over all its invoices, at most the quantity received
  so far: goods are paid for once they are in. Over-deliveries accepted within the receipt tolerance
  are therefore billable; nothing is billable before it is received. The invoice price may differ
  from the order price (it defaults to it); the 3-way match shows the difference.
- Cancel only while nothing has been received; close (short) an order that received part or all.
Every write is all-or-nothing, re-reads the order under a row lock, and leaves an audit entry.

One module per document: orders, receipts, supplier_invoices; _common is what they share (the error
collector, parsing, the order's lock and status changes).
"""

from erp_modules.purchasing.services._common import fmt_qty
from erp_modules.purchasing.services.orders import (HEADER_FIELDS, purchase_order_approve, purchase_order_cancel,
                                                    purchase_order_close, purchase_order_create, purchase_order_update)
from erp_modules.purchasing.services.receipts import RECEIPT_REFERENCE_TYPE, purchase_order_receive
from erp_modules.purchasing.services.supplier_invoices import supplier_invoice_create

__all__ = [
    "HEADER_FIELDS",
    "RECEIPT_REFERENCE_TYPE",
    "fmt_qty",
    "purchase_order_approve",
    "purchase_order_cancel",
    "purchase_order_close",
    "purchase_order_create",
    "purchase_order_receive",
    "purchase_order_update",
    "supplier_invoice_create",
]
