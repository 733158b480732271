"""An enterprise's own figures and programme applications on its own host, mounted by
config/urls_tenants.py as: path("programmes/", include("office.urls_tenant"))."""

from django.urls import path

from office.views import own

app_name = "office_tenant"

urlpatterns = [
    path("", own.own_figures, name="figures"),
    path("apply/", own.own_apply, name="apply"),
]
