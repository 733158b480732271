"""Public host: platform home, sign-up, log-in, platform admin (boards and office come later)."""

from django.contrib import admin
from django.urls import include, path

from api.graphql.views import graphql_view
from core.views import healthz

admin.site.site_header = "数码桥 Digital Bridge"
admin.site.site_title = "Digital Bridge admin"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("graphql/", graphql_view, name="graphql"),
    path("boards/", include("ecommerce.urls")),
    path("office/", include("tenants.programs.urls")),
    path("govdata/", include("api.govdata.urls")),
    path("", include("tenants.urls_public")),
]
