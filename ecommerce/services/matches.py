"""The stored matches of a listing (demand ⇄ supply), scored by ecommerce.matching.

The Celery task that refreshes them is defined here, next to the function it runs, so that the
services that queue it (publishing, renewing, a supplier's credit change) do not import ecommerce.tasks.
"""

from __future__ import annotations

from decimal import Decimal

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecommerce.conf import setting
from ecommerce.matching import matches_compute
from ecommerce.models import Listing, Match, Notification
from ecommerce.services.notifications import notification_create
from ecommerce.services.permissions import listing_poster


@transaction.atomic
def listing_matches_refresh(*, listing: Listing, notify: bool = True) -> list[Match]:
    """Store the listing's best matches; tell both posters about each new match above the threshold."""
    listing = Listing.objects.select_related("category", "enterprise", "created_by").get(pk=listing.pk)
    if not listing.is_visible:
        return []
    threshold = Decimal(str(setting("BOARDS_MATCH_NOTIFY_THRESHOLD")))
    is_demand = listing.kind == Listing.Kind.DEMAND
    stored, fresh = [], []
    for other, score in matches_compute(listing=listing):
        demand, supply = (listing, other) if is_demand else (other, listing)
        match, created = Match.objects.get_or_create(demand=demand, supply=supply,
                                                     defaults={"score": score.total, "details": score.as_dict()})
        if not created and match.score != score.total:
            match.score, match.details = score.total, score.as_dict()
            match.save(update_fields=["score", "details"])
        stored.append(match)
        if notify and match.notified_at is None and score.total >= threshold:
            fresh.append((other, match))
    if not fresh:
        return stored
    now = timezone.now()
    Match.objects.filter(pk__in=[m.pk for _other, m in fresh]).update(notified_at=now)
    poster = listing_poster(listing)
    if poster is not None:
        titles = "\n".join(f"· {other.title} — {other.enterprise} ({int(m.score * 100)}%)" for other, m in fresh)
        notification_create(
            user=poster, enterprise_id=listing.enterprise_id, kind=Notification.Kind.MATCH,
            url=f"/boards/l/{listing.pk}/#matches",
            title=lambda: (_("%(n)d supply listing(s) match your demand “%(title)s”") if is_demand else
                           _("%(n)d demand(s) match your supply “%(title)s”")) % {"n": len(fresh),
                                                                                 "title": listing.title},
            body=titles)
    for other, match in fresh:
        other_poster = listing_poster(other)
        if other_poster is None:
            continue
        notification_create(
            user=other_poster, enterprise_id=other.enterprise_id, kind=Notification.Kind.MATCH,
            url=f"/boards/l/{other.pk}/#matches",
            title=lambda: (_("A new supply matches your demand “%(title)s”") if not is_demand else
                           _("A new demand matches your supply “%(title)s”")) % {"title": other.title},
            body=f"{listing.title} — {listing.enterprise} ({int(match.score * 100)}%)")
    return stored


@shared_task(name="ecommerce.listing_matches_refresh")
def listing_matches_refresh_task(listing_id: int, notify: bool = True) -> int:
    """Store the listing's best matches; ``notify=False`` refreshes the scores without telling anyone
    (the credit flag changed, see services.enterprise_cards_credit_set)."""
    listing = Listing.objects.filter(pk=listing_id).first()
    if listing is None:
        return 0
    return len(listing_matches_refresh(listing=listing, notify=notify))
