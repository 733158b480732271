from django.urls import path

from erp_modules.partners import views

urlpatterns = [
    path("", views.partner_list, name="partner_list"),
    path("new/", views.partner_edit, name="partner_new"),
    path("<int:partner_id>/", views.partner_detail, name="partner_detail"),
    path("<int:partner_id>/edit/", views.partner_edit, name="partner_edit"),
]
