"""Writes on the boards, one module per entity: listings (with their search index), images and files,
moderation, RFQs and quotations, inquiries, enterprise cards and their credit flag, stored matches,
notifications.

Who may do what is checked here as well as in the views (a service called from a task, the shell
or GraphQL gets the same answer): only members (clerk or above) of the posting enterprise change
its listings; only the office moderates (permissions.py).

The modules import each other in one direction only:

    permissions, notifications, search_index, _common      (no other service)
    matches       → permissions, notifications
    credit        → matches, search_index
    cards         → credit, permissions
    listings      → cards, matches, notifications, search_index, permissions, _common
    files, moderation, rfq, inquiries → permissions, notifications, _common

The Celery tasks that a service queues are defined next to the function they run
(``notification_email_task`` in notifications.py, ``listing_matches_refresh_task`` in matches.py), so no
service imports ecommerce.tasks; that module imports the services (and gathers the tasks for Celery).
"""

from ecommerce.services.cards import enterprise_card_credit_set, enterprise_card_get, enterprise_card_update
from ecommerce.services.credit import boards_credit_refresh, enterprise_cards_credit_set
from ecommerce.services.files import (listing_attachment_add, listing_image_add, listing_image_delete,
                                      listing_images_add)
from ecommerce.services.inquiries import inquiry_mark_read, inquiry_reply, inquiry_send
from ecommerce.services.listings import (EDITABLE_FIELDS, listing_close, listing_create, listing_publish,
                                         listing_renew, listing_update, listings_expire_due)
from ecommerce.services.matches import listing_matches_refresh
from ecommerce.services.moderation import listing_feature, listing_hide, listing_unhide
from ecommerce.services.notifications import notification_create, notification_email_send, notifications_mark_read
from ecommerce.services.permissions import (BOARDS_WRITE_SCOPE, BoardsPermissionDenied, enterprise_contact_user,
                                            listing_poster, member_require, office_require)
from ecommerce.services.rfq import quotation_accept, quotation_submit, quotation_withdraw, rfq_quota
from ecommerce.services.search_index import enterprise_listings_reindex, listing_search_index

__all__ = [
    # permissions
    "BOARDS_WRITE_SCOPE", "BoardsPermissionDenied", "member_require", "office_require", "listing_poster",
    "enterprise_contact_user",
    # enterprise cards and their credit flag
    "enterprise_card_get", "enterprise_card_update", "enterprise_card_credit_set", "enterprise_cards_credit_set",
    "boards_credit_refresh",
    # listings
    "EDITABLE_FIELDS", "listing_create", "listing_update", "listing_publish", "listing_close", "listing_renew",
    "listings_expire_due", "listing_search_index", "enterprise_listings_reindex",
    # images and files
    "listing_image_add", "listing_images_add", "listing_image_delete", "listing_attachment_add",
    # moderation
    "listing_hide", "listing_unhide", "listing_feature",
    # matches
    "listing_matches_refresh",
    # RFQs and quotations
    "rfq_quota", "quotation_submit", "quotation_accept", "quotation_withdraw",
    # inquiries
    "inquiry_send", "inquiry_reply", "inquiry_mark_read",
    # notifications
    "notification_create", "notification_email_send", "notifications_mark_read",
]
