from django.urls import path

from logistics.freight import views

app_name = "logistics_freight"

urlpatterns = [
    path("", views.freight_request_list, name="request_list"),
    path("post/", views.freight_request_post, name="request_post"),
]
