from django.urls import path

from logistics.shipments import views

app_name = "logistics_public"

urlpatterns = [
    path("<str:token>/", views.public_tracking, name="tracking"),
]
