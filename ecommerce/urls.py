"""Mounted at /boards/ on the public host (config/urls_public.py)."""

from django.urls import path, re_path

from ecommerce import views

app_name = "boards"

urlpatterns = [
    path("", views.index, name="index"),
    path("b/<slug:code>/", views.board_home, name="board"),
    path("search/", views.search, name="search"),
    path("new/", views.listing_new, name="listing_new"),
    path("l/<int:listing_id>/", views.listing_detail, name="listing_detail"),
    path("l/<int:listing_id>/edit/", views.listing_edit, name="listing_edit"),
    re_path(r"^l/(?P<listing_id>[0-9]+)/(?P<action>publish|close|renew)/$", views.listing_action,
            name="listing_action"),
    path("l/<int:listing_id>/images/", views.image_upload, name="image_upload"),
    path("l/<int:listing_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("l/<int:listing_id>/quote/", views.quotation_submit, name="quotation_submit"),
    path("l/<int:listing_id>/inquire/", views.inquiry_start, name="inquiry_start"),
    path("l/<int:listing_id>/moderate/", views.moderate, name="moderate"),
    path("images/<int:image_id>/", views.image_serve, name="image"),
    path("images/<int:image_id>/thumb/", views.image_serve, {"thumb": True}, name="image_thumb"),
    path("images/<int:image_id>/delete/", views.image_delete, name="image_delete"),
    path("files/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("quotations/<int:quotation_id>/accept/", views.quotation_accept, name="quotation_accept"),
    path("quotations/<int:quotation_id>/withdraw/", views.quotation_withdraw, name="quotation_withdraw"),
    path("quotations/<int:quotation_id>/file/", views.quotation_attachment, name="quotation_attachment"),
    path("mine/", views.my_listings, name="my_listings"),
    path("rfqs/", views.my_rfqs, name="my_rfqs"),
    path("inquiries/", views.inquiries, name="inquiries"),
    path("inquiries/<int:thread_id>/", views.inquiry_thread, name="inquiry_thread"),
    path("notifications/", views.notifications, name="notifications"),
    path("enterprise/<slug:slug>/", views.enterprise_profile, name="enterprise"),
    path("enterprise/<slug:slug>/card/", views.card_edit, name="card_edit"),
    path("office/", views.office, name="office"),
]
