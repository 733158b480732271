from django.urls import path

from erp_modules.catalog import views

urlpatterns = [
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_edit, name="item_new"),
    path("items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("boms/", views.bom_list, name="bom_list"),
    path("boms/new/", views.bom_new, name="bom_new"),
    path("boms/<int:bom_id>/", views.bom_detail, name="bom_detail"),
    path("boms/<int:bom_id>/lines/<int:line_id>/remove/", views.bom_line_remove, name="bom_line_remove"),
    path("boms/<int:bom_id>/<str:action>/", views.bom_action, name="bom_action"),
    path("routings/", views.routing_list, name="routing_list"),
    path("routings/new/", views.routing_new, name="routing_new"),
    path("work-centers/new/", views.work_center_create, name="work_center_create"),
]
