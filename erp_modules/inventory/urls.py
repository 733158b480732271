from django.urls import path

from erp_modules.inventory import views

urlpatterns = [
    path("stock/", views.stock_list, name="stock_list"),
    path("moves/", views.move_list, name="move_list"),
    path("valuation/", views.valuation, name="valuation"),
    path("close/", views.snapshot_close, name="snapshot_close"),
    path("adjust/", views.adjust, name="stock_adjust"),
    path("transfer/", views.transfer, name="stock_transfer"),
    path("warehouses/", views.warehouse_list, name="warehouse_list"),
    path("counts/", views.count_list, name="count_list"),
    path("counts/<int:count_id>/", views.count_detail, name="count_detail"),
]
