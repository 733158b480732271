from django.urls import path

from logistics.reports import views

app_name = "logistics_reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
