"""Mounted at /boards/ on the public host (config/urls_public.py)."""

from django.urls import path, re_path

from ecommerce.views import browse, enterprises, files, inquiries, listings, notifications, office, rfq, trade_orders

app_name = "boards"

urlpatterns = [
    path("", browse.index, name="index"),
    path("b/<slug:code>/", browse.board_home, name="board"),
    path("search/", browse.search, name="search"),
    path("new/", listings.listing_new, name="listing_new"),
    path("l/<int:listing_id>/", listings.listing_detail, name="listing_detail"),
    path("l/<int:listing_id>/edit/", listings.listing_edit, name="listing_edit"),
    re_path(r"^l/(?P<listing_id>[0-9]+)/(?P<action>publish|close|renew)/$", listings.listing_action,
            name="listing_action"),
    path("l/<int:listing_id>/images/", files.image_upload, name="image_upload"),
    path("l/<int:listing_id>/attachments/", files.attachment_upload, name="attachment_upload"),
    path("l/<int:listing_id>/quote/", rfq.quotation_submit, name="quotation_submit"),
    path("l/<int:listing_id>/inquire/", inquiries.inquiry_start, name="inquiry_start"),
    path("l/<int:listing_id>/moderate/", office.moderate, name="moderate"),
    path("images/<int:image_id>/", files.image_serve, name="image"),
    path("images/<int:image_id>/thumb/", files.image_serve, {"thumb": True}, name="image_thumb"),
    path("images/<int:image_id>/delete/", files.image_delete, name="image_delete"),
    path("files/<int:attachment_id>/", files.attachment_download, name="attachment"),
    path("quotations/<int:quotation_id>/accept/", rfq.quotation_accept, name="quotation_accept"),
    path("quotations/<int:quotation_id>/withdraw/", rfq.quotation_withdraw, name="quotation_withdraw"),
    path("quotations/<int:quotation_id>/file/", rfq.quotation_attachment, name="quotation_attachment"),
    path("trade-orders/<int:trade_order_id>/purchase/", trade_orders.trade_order_purchase,
         name="trade_order_purchase"),
    path("mine/", listings.my_listings, name="my_listings"),
    path("rfqs/", rfq.my_rfqs, name="my_rfqs"),
    path("inquiries/", inquiries.inquiries, name="inquiries"),
    path("inquiries/unread/", inquiries.inquiries_unread, name="inquiries_unread"),
    path("inquiries/<int:thread_id>/", inquiries.inquiry_thread, name="inquiry_thread"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("enterprise/<slug:slug>/", enterprises.enterprise_profile, name="enterprise"),
    path("enterprise/<slug:slug>/card/", enterprises.card_edit, name="card_edit"),
    path("office/", office.office, name="office"),
]
