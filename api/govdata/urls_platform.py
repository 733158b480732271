"""The platform administrators' page of government data, mounted on the public host by
config/urls_public.py as path("platform/govdata/", include("api.govdata.urls_platform"))."""

from django.urls import path

from api.govdata import views_platform as views

app_name = "govdata_platform"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sync/", views.sync_now, name="sync_now"),
]
