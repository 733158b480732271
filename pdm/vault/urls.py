from django.urls import path

from pdm.vault import links, views

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("new/", views.document_create, name="document_create"),
    path("<int:document_id>/", views.document_detail, name="document_detail"),
    path("<int:document_id>/check-out/", views.document_check_out, name="document_check_out"),
    path("<int:document_id>/undo-check-out/", views.document_check_out_undo, name="document_check_out_undo"),
    path("<int:document_id>/check-in/", views.document_check_in, name="document_check_in"),
    path("<int:document_id>/break-lock/", views.document_lock_break, name="document_lock_break"),
    path("<int:document_id>/links/", views.document_links, name="document_links"),
    path("<int:document_id>/previews/", views.document_previews, name="document_previews"),
    path("versions/<int:version_id>/download/", views.version_download, name="document_version_download"),
    path("versions/<int:version_id>/preview/", views.version_preview, name="document_version_preview"),
    path("links/<str:token>/", links.version_link_download, name="document_version_link"),
]
