from django.urls import path

from pdm.changes import views

urlpatterns = [
    path("", views.eco_list, name="eco_list"),
    path("new/", views.eco_new, name="eco_new"),
    path("types/", views.eco_types, name="eco_types"),
    path("<int:eco_id>/", views.eco_detail, name="eco_detail"),
    path("<int:eco_id>/start/", views.eco_start, name="eco_start"),
    path("<int:eco_id>/decide/", views.eco_decide, name="eco_decide"),
    path("<int:eco_id>/advance/", views.eco_advance, name="eco_advance"),
    path("<int:eco_id>/apply/", views.eco_apply, name="eco_apply"),
    path("<int:eco_id>/cancel/", views.eco_cancel, name="eco_cancel"),
    path("<int:eco_id>/rebase/", views.eco_rebase, name="eco_rebase"),
    path("<int:eco_id>/edit/", views.eco_edit, name="eco_edit"),
    path("<int:eco_id>/disposition/", views.eco_disposition, name="eco_disposition"),
    path("<int:eco_id>/effective-date/", views.eco_effective_date, name="eco_effective_date"),
]
