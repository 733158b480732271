from django.urls import path

from erp_modules.files import views

urlpatterns = [
    path("", views.attachment_list, name="attachment_list"),
    path("<int:attachment_id>/download/", views.attachment_download, name="attachment_download"),
    path("<int:attachment_id>/delete/", views.attachment_delete, name="attachment_delete"),
]
