"""The boards on the enterprise host, mounted at /erp/rfq/ (config/urls_tenants.py): "Post an RFQ" from the
ERP and the quotations fragment of the ERP pages (ecommerce/erp_views.py)."""

from django.urls import path

from ecommerce import erp_views

app_name = "erp_rfq"

urlpatterns = [
    path("planned/<int:order_id>/new/", erp_views.rfq_from_planned_order, name="from_planned_order"),
    path("shortages/<int:line_id>/new/", erp_views.rfq_from_shortage, name="from_shortage"),
    path("items/<int:item_id>/new/", erp_views.rfq_from_item, name="from_item"),
    path("planned/<int:order_id>/quotations/", erp_views.planned_order_quotations, name="planned_order_quotations"),
    path("items/<int:item_id>/quotations/", erp_views.item_quotations, name="item_quotations"),
]
