"""An enterprise's own figures and programme applications on its own host, mounted by
config/urls_tenants.py as: path("programmes/", include("tenants.programs.urls_tenant"))."""

from django.urls import path

from tenants.programs import views

app_name = "programs_tenant"

urlpatterns = [
    path("", views.own_figures, name="figures"),
    path("apply/", views.own_apply, name="apply"),
]
