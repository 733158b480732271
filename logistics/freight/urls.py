from django.urls import path

from logistics.freight import views

app_name = "logistics_freight"

urlpatterns = [
    path("", views.freight_request_list, name="request_list"),
    path("post/", views.freight_request_post, name="request_post"),
    path("bills/", views.freight_bill_list, name="bill_list"),
    path("bills/template.xlsx", views.freight_bill_template, name="bill_template"),
    path("bills/<int:bill_id>/", views.freight_bill_detail, name="bill_detail"),
    path("bills/<int:bill_id>/apply/", views.freight_bill_apply, name="bill_apply"),
    path("landed-cost/", views.landed_cost_list, name="landed_cost_list"),
]
