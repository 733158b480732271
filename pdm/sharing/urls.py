from django.urls import path

from pdm.sharing import views

urlpatterns = [
    path("shares/", views.share_list, name="pdm_share_list"),
    path("shares/new/", views.share_new, name="pdm_share_new"),
    path("shares/<int:share_id>/revoke/", views.share_revoke, name="pdm_share_revoke"),
    path("shared/", views.shared_list, name="pdm_shared_list"),
    path("shared/<int:share_id>/", views.shared_detail, name="pdm_shared_detail"),
    path("shared/<int:share_id>/upload/", views.shared_upload, name="pdm_shared_upload"),
    path("shared/<int:share_id>/documents/<int:document_id>/", views.shared_document, name="pdm_shared_document"),
    path("shared/<int:share_id>/versions/<int:version_id>/download/", views.shared_version_download,
         name="pdm_shared_version_download"),
    path("shared/<int:share_id>/versions/<int:version_id>/preview/", views.shared_version_preview,
         name="pdm_shared_version_preview"),
]
