from django.urls import path

from api.govdata import views

app_name = "govdata"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("upload/", views.upload, name="upload"),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="enterprise_detail"),
    path("templates/<str:kind>.xlsx", views.template_download, name="template"),
]
