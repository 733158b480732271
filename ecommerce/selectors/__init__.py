"""Reads on the boards, one module per subject: listings (board pages, a listing's page, live stock, a
member's and the office's lists), their search, RFQs and quotations, inquiries, notifications, and the
enterprises a user acts for."""

from ecommerce.selectors.inquiries import (inquiry_messages, inquiry_side_pick, inquiry_thread_for_listing,
                                           inquiry_thread_for_user, inquiry_threads, inquiry_unread_total)
from ecommerce.selectors.listing_search import (SORTS, SearchFilters, SearchPage, listing_search,
                                                listing_search_icontains, listing_search_ranked)
from ecommerce.selectors.listings import (board_featured, board_get, board_list, board_newest, category_choices,
                                          category_tree, credit_badges_on_page, enterprise_listings, listing_can_view,
                                          listing_get, listing_image_of_member, listing_matches, listing_stock,
                                          my_listings, office_listings, town_choices, visible_listings)
from ecommerce.selectors.members import acting_memberships, user_is_member_anywhere
from ecommerce.selectors.notifications import notifications_for, notifications_unread_count
from ecommerce.selectors.rfq import (my_quotations, my_rfqs, quotation_get, quotation_received_get, rfq_quotations,
                                     rfq_quotations_of)

__all__ = [
    # listings and board pages
    "visible_listings", "board_list", "board_get", "category_tree", "category_choices", "board_newest",
    "board_featured", "listing_get", "listing_can_view", "listing_matches", "listing_stock",
    "listing_image_of_member", "my_listings", "office_listings", "town_choices", "enterprise_listings",
    "credit_badges_on_page",
    # search
    "SORTS", "SearchFilters", "SearchPage", "listing_search", "listing_search_ranked", "listing_search_icontains",
    # the enterprises a user acts for
    "user_is_member_anywhere", "acting_memberships",
    # RFQs and quotations
    "rfq_quotations", "rfq_quotations_of", "quotation_get", "quotation_received_get", "my_rfqs", "my_quotations",
    # inquiries
    "inquiry_side_pick", "inquiry_threads", "inquiry_unread_total", "inquiry_thread_for_user",
    "inquiry_thread_for_listing", "inquiry_messages",
    # notifications
    "notifications_for", "notifications_unread_count",
]
