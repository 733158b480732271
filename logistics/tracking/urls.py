from django.urls import path

from logistics.tracking import views

app_name = "logistics_tracking"

urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("tasks/<int:task_id>/resolve/", views.task_resolve, name="task_resolve"),
    path("pushes/", views.push_list, name="push_list"),
    path("parcels/<int:parcel_id>/", views.parcel_track, name="parcel_track"),
    path("driver/", views.driver, name="driver"),
]
