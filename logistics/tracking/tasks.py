"""Celery tasks of tracking. They run inside one enterprise's schema (tenant-schemas-celery stamps the schema
a task is queued in); the beat tasks ``*_all`` fan out one task per active enterprise, as
office.tasks.adoption_snapshot_all does. The work is done by logistics.tracking.connectors.subscriptions.

    tracking_subscribe(parcel_ids)     queued on commit when parcels are booked (logistics.shipments.hooks)
    tracking_pushes_ingest()           TRACKING_PUSH_MODE=worker: the pushes the callback queued, in batches
                                       (queued by pushes_ingest_soon, at most one waiting per enterprise)
    tracking_poll_due()                polled subscriptions that are due (backoff, rate limit); aborted pushes
                                       subscribed again; queued pushes left over ingested
    tracking_no_news_check()           parcels with no news for TRACKING_NO_NEWS_DAYS -> an ExceptionTask;
                                       tasks whose e-mail failed are announced again
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import get_public_schema_name, tenant_context

from logistics.tracking import services
from logistics.tracking.connectors import subscriptions
from tenants.models import Enterprise

__all__ = ["parcels_booked", "pushes_ingest_soon", "tracking_no_news_all", "tracking_no_news_check",
           "tracking_poll_due", "tracking_poll_due_all", "tracking_pushes_ingest", "tracking_subscribe"]

INGEST_KEY = "tracking-pushes-ingest-queued"  # the cache adds the schema to every key (django-tenants)


def _in_tenant(task_name: str) -> None:
    if connection.schema_name == get_public_schema_name():
        raise RuntimeError(f"{task_name}: queue this task inside tenant_context(enterprise)")


@shared_task(name="logistics.tracking_subscribe", ignore_result=True)
def tracking_subscribe(parcel_ids: list[int]) -> dict:
    """Subscribe booked parcels; each failed one is queued again on its own with a growing countdown
    (its subscription shows FAILED and the provider's message meanwhile)."""
    _in_tenant("logistics.tracking_subscribe")
    counts = {"active": 0, "failed": 0, "missing": 0}
    for parcel_id in parcel_ids:
        outcome = subscriptions.subscription_start(parcel_id=int(parcel_id))
        if outcome is None:
            counts["missing"] += 1
            continue
        if outcome.subscription.state == outcome.subscription.State.FAILED:
            counts["failed"] += 1
            if outcome.retry:
                tracking_subscribe.apply_async(
                    args=[[outcome.subscription.parcel_id]],
                    countdown=subscriptions.subscribe_retry_countdown(outcome.subscription.attempts))
        else:
            counts["active"] += 1
    return counts


def parcels_booked(parcel_ids: list[int]) -> None:
    """The shipments hook (run on commit of a booking, in the enterprise's schema): subscribe in the worker."""
    if parcel_ids:
        tracking_subscribe.delay([int(pk) for pk in parcel_ids])


def pushes_ingest_soon() -> None:
    """After the callback queued a push (on commit): one tracking_pushes_ingest in a moment
    (TRACKING_PUSH_BATCH_DELAY seconds, so the pushes arriving meanwhile make one batch), unless one is
    already waiting for this enterprise."""
    delay = float(getattr(settings, "TRACKING_PUSH_BATCH_DELAY", 1.0))
    if cache.add(INGEST_KEY, 1, timeout=int(delay) + 60):
        tracking_pushes_ingest.apply_async(countdown=delay)


@shared_task(name="logistics.tracking_pushes_ingest", ignore_result=True)
def tracking_pushes_ingest() -> int:
    """Every queued push of this enterprise through pushes_ingest, in batches. The flag is cleared first: a
    push queued while this runs queues the next run."""
    _in_tenant("logistics.tracking_pushes_ingest")
    cache.delete(INGEST_KEY)
    return services.pushes_pending_ingest(batch=int(getattr(settings, "TRACKING_PUSH_BATCH", 1000)))


@shared_task(name="logistics.tracking_poll_due", ignore_result=True)
def tracking_poll_due() -> dict:
    _in_tenant("logistics.tracking_poll_due")
    leftover = services.pushes_pending_ingest()  # a queued push whose task was lost (a broker restart)
    run = subscriptions.subscriptions_poll_due()
    return {"polled": run.polled, "news": run.news, "errors": run.errors, "limited": run.limited,
            "resubscribed": run.resubscribed, "gave_up": run.gave_up, "pushes": leftover}


@shared_task(name="logistics.tracking_no_news_check", ignore_result=True)
def tracking_no_news_check() -> int:
    _in_tenant("logistics.tracking_no_news_check")
    opened = subscriptions.exceptions_no_news_open()
    services.exception_tasks_notify()  # open tasks not announced yet (an e-mail that failed)
    return opened


def _fan_out(task) -> int:
    count = 0
    for enterprise in Enterprise.objects.filter(status=Enterprise.Status.ACTIVE).order_by("pk"):
        with tenant_context(enterprise):
            task.delay()
        count += 1
    return count


@shared_task(name="logistics.tracking_poll_due_all", ignore_result=True)
def tracking_poll_due_all() -> int:
    """Beat: one tracking_poll_due per active enterprise."""
    return _fan_out(tracking_poll_due)


@shared_task(name="logistics.tracking_no_news_all", ignore_result=True)
def tracking_no_news_all() -> int:
    """Beat: one tracking_no_news_check per active enterprise."""
    return _fan_out(tracking_no_news_check)
