"""What several board services share: a listing locked for a change, its page's address, closing it,
and reading a number the services are given."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import field_error
from core.parsing import parse_decimal
from ecommerce.error_codes import BoardsErrorCode as Code
from ecommerce.models import Listing


def listing_locked(listing: Listing) -> Listing:
    """The listing read again under a row lock (the lock order of every service: listing, then quotation)."""
    return (Listing.objects.select_for_update(of=("self",)).select_related("enterprise", "board", "category")
            .get(pk=listing.pk))


def listing_close_for(listing: Listing, reason: str) -> None:
    listing.status = Listing.Status.CLOSED
    listing.closed_reason = reason
    listing.save(update_fields=["status", "closed_reason", "updated_at"])


def listing_url(listing: Listing) -> str:
    return f"/boards/l/{listing.pk}/"


def decimal_or_none(value, field: str) -> Decimal | None:
    """A quantity or price of zero or more, or None when not given. Read with core.parsing (ASCII digits,
    no exponents, NaN or Infinity): text that is not a plain number is refused on ``field`` with the
    parsing error's code; the model field's digits are checked by ``full_clean``."""
    number = parse_decimal(value, field=field, thousands=False)
    if number is not None and number < 0:
        raise field_error(field, _("Enter a number of zero or more."), Code.QUANTITY)
    return number
