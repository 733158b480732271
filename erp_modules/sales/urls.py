from django.urls import path

from erp_modules.sales.views import deliveries, documents, invoices, orders, quotations, shortages

app_name = "sales"

urlpatterns = [
    path("", orders.index, name="index"),
    path("items/revisions/", documents.item_revision_options, name="item_revision_options"),
    path("quotations/", quotations.quotation_list, name="quotation_list"),
    path("quotations/new/", quotations.quotation_new, name="quotation_new"),
    path("quotations/<int:quotation_id>/", quotations.quotation_detail, name="quotation_detail"),
    path("quotations/<int:quotation_id>/edit/", quotations.quotation_edit, name="quotation_edit"),
    path("quotations/<int:quotation_id>/send/", quotations.quotation_send, name="quotation_send"),
    path("quotations/<int:quotation_id>/convert/", quotations.quotation_convert, name="quotation_convert"),
    path("quotations/<int:quotation_id>/cancel/", quotations.quotation_cancel, name="quotation_cancel"),
    path("quotations/<int:quotation_id>/pdf/", quotations.quotation_pdf, name="quotation_pdf"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", orders.order_new, name="order_new"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/edit/", orders.order_edit, name="order_edit"),
    path("orders/<int:order_id>/confirm/", orders.order_confirm, name="order_confirm"),
    path("orders/<int:order_id>/check-availability/", orders.order_check_availability, name="order_check_availability"),
    path("orders/<int:order_id>/deliver/", orders.order_deliver, name="order_deliver"),
    path("orders/<int:order_id>/invoice/", orders.order_invoice, name="order_invoice"),
    path("orders/<int:order_id>/cancel/", orders.order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/pdf/", orders.order_pdf, name="order_pdf"),
    path("backorders/", orders.backorder_list, name="backorder_list"),
    path("shortages/", shortages.shortage_list, name="shortage_list"),
    path("shortages/check/", shortages.shortage_check, name="shortage_check"),
    path("shortages/checks/<int:check_id>/", shortages.availability_check_detail, name="availability_check_detail"),
    path("shortages/checks/<int:check_id>/progress/", shortages.availability_check_progress,
         name="availability_check_progress"),
    path("deliveries/", deliveries.delivery_list, name="delivery_list"),
    path("deliveries/<int:delivery_id>/", deliveries.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:delivery_id>/pdf/", deliveries.delivery_pdf, name="delivery_pdf"),
    path("invoices/", invoices.invoice_list, name="invoice_list"),
    path("invoices/<int:invoice_id>/", invoices.invoice_detail, name="invoice_detail"),
    path("invoices/<int:invoice_id>/paid/", invoices.invoice_paid, name="invoice_paid"),
    path("invoices/<int:invoice_id>/cancel/", invoices.invoice_cancel, name="invoice_cancel"),
    path("invoices/<int:invoice_id>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
]
