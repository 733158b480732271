from django.urls import path

from erp_modules.mrp import views

app_name = "mrp"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("run/", views.run_start, name="run_start"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<int:run_id>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:run_id>/convert/", views.convert, name="convert"),
    path("runs/<int:run_id>/compare/", views.compare, name="compare"),
    path("runs/<int:run_id>/exceptions/", views.exception_list, name="exceptions"),
    path("runs/<int:run_id>/items/<int:item_id>/", views.item_plan, name="item_plan"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("schedule/", views.schedule, name="schedule"),
    path("kits/", views.kits, name="kits"),
]
