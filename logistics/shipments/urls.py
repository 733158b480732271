from django.urls import path

from logistics.shipments import views

app_name = "logistics_shipments"

urlpatterns = [
    path("", views.shipment_list, name="list"),
    path("new/", views.shipment_new, name="new"),
    path("from-delivery/", views.shipment_from_delivery, name="from_delivery"),
    path("for-receipt/", views.shipment_for_receipt, name="for_receipt"),
    path("<int:shipment_id>/", views.shipment_detail, name="detail"),
    path("<int:shipment_id>/edit/", views.shipment_edit, name="edit"),
    path("<int:shipment_id>/parcels/add/", views.parcel_add, name="parcel_add"),
    path("<int:shipment_id>/parcels/<int:parcel_id>/", views.parcel_edit, name="parcel_edit"),
    path("<int:shipment_id>/parcels/<int:parcel_id>/remove/", views.parcel_remove, name="parcel_remove"),
    path("<int:shipment_id>/parcels/<int:parcel_id>/label.pdf", views.parcel_label, name="parcel_label"),
    path("<int:shipment_id>/packing-list.pdf", views.packing_list, name="packing_list"),
    path("<int:shipment_id>/quote/", views.shipment_quote_choose, name="quote_choose"),
    path("<int:shipment_id>/book/", views.shipment_book, name="book"),
    path("<int:shipment_id>/cancel/", views.shipment_cancel, name="cancel"),
    path("<int:shipment_id>/freight/", views.shipment_freight, name="freight"),
    path("<int:shipment_id>/proof/", views.proof_upload, name="proof_upload"),
    path("<int:shipment_id>/proofs/<int:proof_id>/", views.proof_download, name="proof_download"),
]
