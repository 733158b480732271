"""Enterprise hosts (<slug>.BASE_DOMAIN): the enterprise's own workspace."""

from django.urls import include, path

from api.graphql.views import graphql_view
from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("graphql/", graphql_view, name="graphql"),
    path("files/", include("erp_modules.files.urls")),
    path("erp/rfq/", include("ecommerce.urls_erp")),  # 发布询价 from the ERP, and its quotations (boards)
    path("erp/capacity/", include("ecommerce.urls_capacity")),  # spare capacity and 外协 on the boards
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
    path("logistics/t/", include("logistics.shipments.urls_public")),  # the buyer's tracking page: the link is the key
    path("logistics/push/", include("logistics.tracking.urls_push")),  # the aggregator's signed pushes
    path("logistics/tracking/", include("logistics.tracking.urls")),
    path("logistics/dashboard/", include("logistics.reports.urls")),
    path("logistics/freight/", include("logistics.freight.urls")),
    path("logistics/shipments/", include("logistics.shipments.urls")),
    path("logistics/", include("logistics.carriers.urls")),  # carriers, contracts, rate cards, quotes
    path("programmes/", include("office.urls_tenant")),
    path("settings/api-tokens/", include("api.tokens.urls")),
    path("billing/", include("billing.urls_tenant")),  # the owner's plan, invoices, fapiao (owner only)
    path("", include("tenants.urls_tenant")),
]
