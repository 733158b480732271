"""Enterprise hosts (<slug>.BASE_DOMAIN): the enterprise's own workspace."""

from django.urls import include, path

from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("files/", include("erp_modules.files.urls")),
    path("", include("tenants.urls_tenant")),
]
