from django.urls import path

from logistics.carriers import views

app_name = "logistics_carriers"

urlpatterns = [
    path("", views.index, name="index"),
    path("carriers/", views.carrier_list, name="carrier_list"),
    path("carriers/new/", views.carrier_new, name="carrier_new"),
    path("carriers/<int:carrier_id>/", views.carrier_detail, name="carrier_detail"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_new, name="contract_new"),
    path("contracts/<int:contract_id>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:contract_id>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:contract_id>/zones/new/", views.zone_new, name="zone_new"),
    path("contracts/<int:contract_id>/zones/<int:zone_id>/", views.zone_edit, name="zone_edit"),
    path("contracts/<int:contract_id>/zones/<int:zone_id>/delete/", views.zone_delete, name="zone_delete"),
    path("quote/", views.quote_page, name="quote"),
]
