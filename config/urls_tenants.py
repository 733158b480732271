"""Enterprise hosts (<slug>.BASE_DOMAIN): the enterprise's own workspace."""

from django.urls import include, path

from api.graphql.views import graphql_view
from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("graphql/", graphql_view, name="graphql"),
    path("files/", include("erp_modules.files.urls")),
    path("erp/", include("erp_modules.workspace.urls")),
    path("erp/", include("erp_modules.common.urls")),
    path("catalog/", include("erp_modules.catalog.urls")),
    path("inventory/", include("erp_modules.inventory.urls")),
    path("partners/", include("erp_modules.partners.urls")),
    path("purchasing/", include("erp_modules.purchasing.urls")),
    path("sales/", include("erp_modules.sales.urls")),
    path("production/", include("erp_modules.production.urls")),
    path("mrp/", include("erp_modules.mrp.urls")),
    path("pdm/ecos/", include("pdm.changes.urls")),
    path("pdm/documents/", include("pdm.vault.urls")),
    path("pdm/", include("pdm.sharing.urls")),  # /pdm/shares/ (owner side), /pdm/shared/ (partner side)
    path("pdm/", include("pdm.parts.urls")),
    path("programmes/", include("office.urls_tenant")),
    path("settings/api-tokens/", include("api.tokens.urls")),
    path("", include("tenants.urls_tenant")),
]
