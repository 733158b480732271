"""Spare capacity and outsourced processing on the enterprise host, mounted at /erp/capacity/
(config/urls_tenants.py); the views are ecommerce/capacity_views.py."""

from django.urls import path

from ecommerce import capacity_views

app_name = "erp_capacity"

urlpatterns = [
    path("", capacity_views.capacity_page, name="page"),
    path("work-centers/<int:work_center_id>/post/", capacity_views.capacity_post, name="capacity_post"),
    path("listings/<int:listing_id>/refresh/", capacity_views.capacity_refresh, name="capacity_refresh"),
    path("operations/<int:operation_id>/post/", capacity_views.processing_post, name="processing_post"),
]
