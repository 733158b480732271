from django.urls import path
from django.views.generic import RedirectView

from erp_modules.purchasing import views, views_subcontract

app_name = "purchasing"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="purchasing:order_list"), name="index"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/line-row/", views.order_line_row, name="order_line_row"),
    path("items/revisions/", views.item_revision_options, name="item_revision_options"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:order_id>/approve/", views.order_approve, name="order_approve"),
    path("orders/<int:order_id>/receive/", views.order_receive, name="order_receive"),
    path("orders/<int:order_id>/invoice/", views.order_invoice, name="order_invoice"),
    path("orders/<int:order_id>/close/", views.order_close, name="order_close"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/subcontract/issue/", views_subcontract.order_subcontract_issue,
         name="order_subcontract_issue"),
    path("orders/<int:order_id>/subcontract/receive/", views_subcontract.order_subcontract_receive,
         name="order_subcontract_receive"),
    path("receipts/", views.receipt_list, name="receipt_list"),
    path("match/", views.match_list, name="match_list"),
]
