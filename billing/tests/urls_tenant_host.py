"""The enterprise host's URLs with the owner's billing pages mounted as the lead is asked to mount them."""

from django.urls import include, path

from config.urls_tenants import urlpatterns as enterprise_urlpatterns

urlpatterns = [path("billing/", include("billing.urls_tenant")), *enterprise_urlpatterns]
