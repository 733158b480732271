from django.urls import path

from erp_modules.sales import views

app_name = "sales"

urlpatterns = [
    path("", views.index, name="index"),
    path("quotations/", views.quotation_list, name="quotation_list"),
    path("quotations/new/", views.quotation_new, name="quotation_new"),
    path("quotations/<int:quotation_id>/", views.quotation_detail, name="quotation_detail"),
    path("quotations/<int:quotation_id>/edit/", views.quotation_edit, name="quotation_edit"),
    path("quotations/<int:quotation_id>/send/", views.quotation_send, name="quotation_send"),
    path("quotations/<int:quotation_id>/convert/", views.quotation_convert, name="quotation_convert"),
    path("quotations/<int:quotation_id>/cancel/", views.quotation_cancel, name="quotation_cancel"),
    path("quotations/<int:quotation_id>/pdf/", views.quotation_pdf, name="quotation_pdf"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:order_id>/confirm/", views.order_confirm, name="order_confirm"),
    path("orders/<int:order_id>/check-availability/", views.order_check_availability, name="order_check_availability"),
    path("orders/<int:order_id>/deliver/", views.order_deliver, name="order_deliver"),
    path("orders/<int:order_id>/invoice/", views.order_invoice, name="order_invoice"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/pdf/", views.order_pdf, name="order_pdf"),
    path("backorders/", views.backorder_list, name="backorder_list"),
    path("shortages/", views.shortage_list, name="shortage_list"),
    path("shortages/check/", views.shortage_check, name="shortage_check"),
    path("shortages/checks/<int:check_id>/", views.availability_check_detail, name="availability_check_detail"),
    path("shortages/checks/<int:check_id>/progress/", views.availability_check_progress,
         name="availability_check_progress"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:delivery_id>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:delivery_id>/pdf/", views.delivery_pdf, name="delivery_pdf"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:invoice_id>/paid/", views.invoice_paid, name="invoice_paid"),
    path("invoices/<int:invoice_id>/cancel/", views.invoice_cancel, name="invoice_cancel"),
    path("invoices/<int:invoice_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
]
