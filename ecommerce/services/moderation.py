"""The office's moderation of the boards: hide a listing (the poster is told why), show it again,
feature it on the board pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from ecommerce.error_codes import BoardsErrorCode as Code
from ecommerce.models import Listing, Notification
from ecommerce.services._common import listing_locked, listing_url
from ecommerce.services.notifications import notification_create
from ecommerce.services.permissions import listing_poster, office_require
from tenants.models import User


@transaction.atomic
def listing_hide(*, listing: Listing, user: User, reason: str) -> Listing:
    office_require(user=user)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the listing is hidden; the poster sees it."), Code.REASON_REQUIRED)
    listing = listing_locked(listing)
    listing.hidden_at, listing.hidden_reason, listing.hidden_by = timezone.now(), reason[:255], user
    listing.featured = False
    listing.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "featured", "updated_at"])
    poster = listing_poster(listing)
    if poster is not None:
        notification_create(
            user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.MODERATED,
            url=listing_url(listing),
            title=lambda: _("Listing hidden by the office: %(title)s") % {"title": listing.title},
            body=lambda: _("Reason: %(reason)s") % {"reason": reason})
    return listing


@transaction.atomic
def listing_unhide(*, listing: Listing, user: User) -> Listing:
    office_require(user=user)
    listing = listing_locked(listing)
    listing.hidden_at, listing.hidden_reason, listing.hidden_by = None, "", None
    listing.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])
    return listing


@transaction.atomic
def listing_feature(*, listing: Listing, user: User, featured: bool) -> Listing:
    office_require(user=user)
    listing = listing_locked(listing)
    if featured and listing.hidden_at is not None:
        raise ValidationError(_("A hidden listing cannot be featured."), code=Code.HIDDEN)
    listing.featured = featured
    listing.save(update_fields=["featured", "updated_at"])
    return listing
