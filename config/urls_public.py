"""Public host: platform home, sign-up, log-in, platform admin (boards and office come later)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from api.graphql.views import graphql_view
from core.views import healthz

admin.site.site_header = "数码桥 Digital Bridge"
admin.site.site_title = "Digital Bridge admin"
# The platform admin runs on the public schema only: a model of an enterprise (tenant) app has no table
# there, so its admin pages could only fail. Whatever an app's admin.py registers, those are left out.
for _model in [m for m in admin.site._registry if m._meta.app_config.name not in settings.SHARED_APPS]:
    admin.site.unregister(_model)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("graphql/", graphql_view, name="graphql"),
    path("boards/", include("ecommerce.urls")),
    path("platform/billing/", include("billing.urls_admin")),  # plans, subscriptions, MRR, transfers, fapiao
    path("platform/govdata/", include("api.govdata.urls_platform")),  # connectors, exchange folder, sync runs
    path("office/billing/", include("billing.urls_office")),  # subsidised plans: billing's pages for the office
    path("billing/webhooks/", include("billing.urls_webhooks")),  # Stripe's signed events (billing/webhooks.py)
    path("office/", include("office.urls")),
    path("govdata/", include("api.govdata.urls")),
    path("", include("tenants.urls_public")),
]
