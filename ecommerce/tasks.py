"""Celery tasks of the boards. They run in the public schema (queued from it) and call services.

The tasks that services queue are defined next to the function they run, in the service's module
(``listing_matches_refresh_task`` in services/matches.py, ``notification_email_task`` in
services/notifications.py), so that a service queues a task without importing this module; they are
imported here so that Celery's autodiscovery finds every task of the boards in ``ecommerce.tasks``.
"""

from celery import shared_task

from ecommerce.services import listings_expire_due
from ecommerce.services.capacity import capacity_listings_refresh_all, capacity_listings_refresh_task
from ecommerce.services.matches import listing_matches_refresh_task
from ecommerce.services.notifications import notification_email_task
from ecommerce.services.trade_orders import trade_order_sales_task

__all__ = ["listings_expire_task", "listing_matches_refresh_task", "notification_email_task",
           "capacity_listings_refresh_task", "capacity_listings_refresh_all", "trade_order_sales_task"]


@shared_task(name="ecommerce.listings_expire")
def listings_expire_task() -> dict:
    """Beat: expire listings past their validity and close RFQs past their deadline."""
    return listings_expire_due()
