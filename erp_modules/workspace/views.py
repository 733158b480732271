"""The factory overview (/erp/): figures of sales, purchasing, production and inventory on one page."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import role_required
from erp_modules.inventory.selectors import items_below_safety_stock, stock_valuation_report
from erp_modules.production.selectors import work_orders_in_progress
from erp_modules.purchasing.selectors import purchase_order_open_count, purchase_orders_late, purchase_spend_by_month
from erp_modules.sales.selectors import deliveries_due, sales_by_month, sales_orders_open, sales_orders_open_count
from tenants.models import Role


@role_required(Role.VIEWER)
def factory_overview(request):
    """The factory manager's page: open orders, late purchase orders, low stock, work in progress."""
    today = timezone.localdate()
    sales = sales_by_month(months=6, today=today)
    spend = dict(purchase_spend_by_month(months=6, today=today))
    months = [m for m, _amount in sales]
    low = items_below_safety_stock()
    context = {
        "open_sales": sales_orders_open_count(),
        "open_purchases": purchase_order_open_count(),
        "open_work_orders": work_orders_in_progress().count(),
        "stock_value": sum((r["value"] for r in stock_valuation_report()), 0),
        "late_purchases": list(purchase_orders_late(today=today)[:10]),
        "due_deliveries": list(deliveries_due(today=today, within_days=7)[:10]),
        "open_orders": list(sales_orders_open()[:10]),
        "wip": list(work_orders_in_progress()[:10]),
        "low_stock": low[:12],
        "low_stock_count": len(low),
        "trend_chart": {"type": "bar", "labels": months, "series": [
            {"name": str(_("Sales invoiced (incl. VAT)")), "values": [float(a) for _m, a in sales]},
            {"name": str(_("Purchases (incl. VAT)")), "values": [float(spend.get(m, 0)) for m in months],
             "type": "line"}]},
        "low_chart": {"type": "bar", "labels": [i.code for i in low[:10]], "series": [
            {"name": str(_("On hand")), "values": [float(i.on_hand) for i in low[:10]]},
            {"name": str(_("Safety stock")), "values": [float(i.safety_stock) for i in low[:10]], "type": "line"}]},
    }
    return render(request, "workspace/factory_overview.html", context)
