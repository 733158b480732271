"""The enterprise host's URLs with this app's page mounted as the lead is asked to mount it."""

from django.urls import include, path

from config.urls_tenants import urlpatterns as enterprise_urlpatterns

urlpatterns = [path("programmes/", include("office.urls_tenant")), *enterprise_urlpatterns]
