from django.urls import path

from erp_modules.workspace import views

# mounted at /erp/ next to erp_modules.common.urls (ERP settings, imports) by config/urls_tenants.py
urlpatterns = [
    path("", views.factory_overview, name="factory_overview"),
]
