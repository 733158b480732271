"""Writes of the sales flow: quotation → sales order → delivery → invoice.

Every service runs in one transaction and is all-or-nothing (but "check availability" for all
orders: one transaction per order). Actions on an order lock the
order row first (SELECT … FOR UPDATE) and re-read its status, so two clerks cannot confirm,
deliver or invoice the same order twice. Stock goes through erp_modules.inventory only:
`reservation_create` on confirmation (all or nothing, or what is available when confirmed with
a shortage, i.e. made to order) and on "check availability" (`sales_order_reserve_available`; for
every short order by priority `sales_orders_reserve_available`, which the Celery task of
`availability_check_request` runs), `stock_moves_post(move_type=DELIVERY)` on delivery, which takes
reserved stock only.

Line input (`lines=[{...}]`) for quotations and orders:
    item (catalog Item, required), quantity (required, > 0),
    unit_price (excl. VAT; None → the customer's sales price list, else the default list),
    discount_pct (0), vat_rate (None → ErpSettings.vat_rate), description (""),
    location (orders only; None → the item's default location; services have none),
    revision ("" → none; else a usable revision of the part, erp_modules/catalog/revision_source.py: an
    item that is not a part, an unknown, obsolete or unreleased revision is refused naming the line).

One module per entity: quotations, orders, kits, reservations ("check availability"), availability
(the same for all orders, as a background job), deliveries, invoices; lines (line input and
amounts) and _common (errors, labels, status changes) are what they share.
"""

from erp_modules.sales.services.availability import availability_check_execute, availability_check_request
from erp_modules.sales.services.deliveries import delivery_create
from erp_modules.sales.services.invoices import invoice_cancel, invoice_create, invoice_mark_paid
from erp_modules.sales.services.kits import kit_components
from erp_modules.sales.services.lines import line_amounts
from erp_modules.sales.services.orders import (sales_order_cancel, sales_order_confirm, sales_order_create,
                                               sales_order_update)
from erp_modules.sales.services.quotations import (quotation_cancel, quotation_convert, quotation_create,
                                                   quotation_mark_sent, quotation_update)
from erp_modules.sales.services.reservations import (AvailabilityReport, OrderCheck, sales_order_reserve_available,
                                                     sales_orders_reserve_available)

__all__ = [
    "AvailabilityReport",
    "OrderCheck",
    "availability_check_execute",
    "availability_check_request",
    "delivery_create",
    "invoice_cancel",
    "invoice_create",
    "invoice_mark_paid",
    "kit_components",
    "line_amounts",
    "quotation_cancel",
    "quotation_convert",
    "quotation_create",
    "quotation_mark_sent",
    "quotation_update",
    "sales_order_cancel",
    "sales_order_confirm",
    "sales_order_create",
    "sales_order_reserve_available",
    "sales_order_update",
    "sales_orders_reserve_available",
]
