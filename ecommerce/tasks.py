"""Celery tasks of the boards. They run in the public schema (queued from it) and call services."""

from celery import shared_task


@shared_task(name="ecommerce.listings_expire")
def listings_expire_task() -> dict:
    """Beat: expire listings past their validity and close RFQs past their deadline."""
    from ecommerce.services import listings_expire_due

    return listings_expire_due()


@shared_task(name="ecommerce.listing_matches_refresh")
def listing_matches_refresh_task(listing_id: int, notify: bool = True) -> int:
    """Store the listing's best matches; ``notify=False`` refreshes the scores without telling anyone
    (the credit flag changed, see services.enterprise_cards_credit_set)."""
    from ecommerce.matching import listing_matches_refresh
    from ecommerce.models import Listing

    listing = Listing.objects.filter(pk=listing_id).first()
    if listing is None:
        return 0
    return len(listing_matches_refresh(listing=listing, notify=notify))


@shared_task(name="ecommerce.notification_email", autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def notification_email_task(notification_id: int) -> bool:
    from ecommerce.services import notification_email_send

    return notification_email_send(notification_id=notification_id)
