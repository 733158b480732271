from django.urls import path

from erp_modules.common import views

urlpatterns = [
    path("settings/", views.erp_settings, name="erp_settings"),
    path("imports/", views.import_center, name="import_center"),
    path("imports/template/<str:kind>.xlsx", views.import_template, name="import_template"),
    path("imports/<int:job_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:job_id>/to-fix.xlsx", views.import_problems_download, name="import_problems_download"),
]
