from django.urls import path

from logistics.tracking import views

app_name = "logistics_push"

urlpatterns = [
    path("<str:token>/", views.push_callback, name="push_callback"),
]
