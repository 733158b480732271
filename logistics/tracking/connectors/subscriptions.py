"""Services behind the tracking tasks: subscribing booked parcels, polling due subscriptions, and opening
"no news" tasks. They run in the current enterprise's schema (the tasks run inside it).

The provider is called outside any transaction (a slow provider never holds a row lock); the outcome is
written afterwards in a short transaction on the row locked again.

Aborted pushes: the aggregator gives up on a waybill with an "abort" push (3天查询无记录 / 60天无变化); the push
marks the subscription ABORTED, due TRACKING_RESUBSCRIBE_MINUTES (30) later. The beat run (tracking_poll_due)
then subscribes it again (``subscription_resubscribe``), TRACKING_RESUBSCRIBE_MAX_TIMES (3) times since the last
news at most; after that the subscription is FAILED and a NO_NEWS exception task asks the clerk.

Backoff: a poll that brings nothing new waits TRACKING_POLL_MINUTES × 2^(attempts-1), at most
TRACKING_POLL_MAX_HOURS; news resets it. A failed subscription is retried by the task with the same
doubling (in seconds), TRACKING_SUBSCRIBE_MAX_ATTEMPTS times, then stays FAILED with its message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.shipments.models import Parcel, Shipment
from logistics.tracking.codes import TERMINAL
from logistics.tracking.connectors import ratelimit, registry
from logistics.tracking.connectors.base import ConnectorError
from logistics.tracking.models import ExceptionTask, Subscription, TrackingEvent
from logistics.tracking.services import events_merge, exception_tasks_open
from tenants.selectors import enterprise_base_url

S = Subscription


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def poll_interval(attempts: int) -> timedelta:
    base = timedelta(minutes=_setting("TRACKING_POLL_MINUTES", 30))
    return min(base * (2 ** max(0, attempts - 1)), timedelta(hours=_setting("TRACKING_POLL_MAX_HOURS", 24)))


def subscribe_retry_countdown(attempts: int) -> int:
    return min(60 * (2 ** max(0, attempts - 1)), 3600)


def callback_url(subscription: Subscription) -> str:
    """Where the provider pushes: this enterprise's host, /logistics/push/<token>/ (logistics.tracking.urls_push)."""
    return f"{enterprise_base_url(slug=connection.tenant.slug)}/logistics/push/{subscription.callback_token}/"


@dataclass(frozen=True)
class SubscribeOutcome:
    subscription: Subscription
    retry: bool  # failed, and worth another attempt later


def subscription_start(*, parcel_id: int) -> SubscribeOutcome | None:
    """Follow a booked parcel: create its Subscription (mode by carrier: push, poll, or the driver's), and
    subscribe it at the provider when pushed. None when the parcel is not in this schema."""
    with transaction.atomic():
        parcel = (Parcel.objects.select_related("carrier", "shipment__carrier").select_for_update(of=("self",))
                  .filter(pk=parcel_id).first())
        if parcel is None:
            return None
        provider = registry.provider_for(parcel.carrier or parcel.shipment.carrier)
        subscription = Subscription.objects.filter(parcel=parcel).first()
        if subscription is None:
            subscription = Subscription(parcel=parcel)
        if provider is None:
            subscription.mode, subscription.provider, subscription.state = S.Mode.DRIVER, "driver", S.State.ACTIVE
        elif provider == registry.PollingConnector.name:
            subscription.mode, subscription.provider, subscription.state = S.Mode.POLL, provider, S.State.ACTIVE
            subscription.next_poll_at = subscription.next_poll_at or timezone.now()
        else:
            subscription.mode, subscription.provider = S.Mode.PUSH, provider
        subscription.full_clean()
        subscription.save()
        if subscription.mode != S.Mode.PUSH or subscription.state in (S.State.ACTIVE, S.State.SHUTDOWN):
            return SubscribeOutcome(subscription, retry=False)
    connector = registry.connector_named(subscription.provider)
    error, permanent = "", False
    try:
        connector.subscribe(subscription, callback_url(subscription))
    except ConnectorError as exc:
        error, permanent = exc.message, exc.code == ConnectorError.INCOMPLETE  # no waybill: retrying won't help
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        subscription.attempts += 1
        if error:
            subscription.state, subscription.last_error = S.State.FAILED, error[:300]
        else:
            subscription.state, subscription.last_error, subscription.attempts = S.State.ACTIVE, "", 0
            subscription.next_poll_at = None
        subscription.save(update_fields=["state", "last_error", "attempts", "next_poll_at"])
    limit = _setting("TRACKING_SUBSCRIBE_MAX_ATTEMPTS", 5)
    return SubscribeOutcome(subscription, retry=bool(error) and not permanent and subscription.attempts < limit)


def subscriptions_due(*, now: datetime | None = None):
    """Polled subscriptions whose time has come, and pushed ones the provider gave up on (aborted)."""
    now = now or timezone.now()
    return (Subscription.objects
            .filter(Q(mode=S.Mode.POLL, state=S.State.ACTIVE) | Q(mode=S.Mode.PUSH, state=S.State.ABORTED))
            .filter(Q(next_poll_at__lte=now) | Q(next_poll_at__isnull=True))
            .exclude(parcel__status__in=TERMINAL)
            .select_related("parcel__carrier", "parcel__shipment__carrier")
            .order_by(Coalesce("next_poll_at", "created_at"), "pk"))


def subscription_poll(*, subscription: Subscription) -> str:
    """Query the provider for one subscription's parcel and merge what it has; "news", "nothing", "done" or
    "error". Reschedules the subscription (backoff)."""
    connector = registry.connector_named(subscription.provider) or registry.connector_named("polling")
    now = timezone.now()
    try:
        result = connector.query(subscription.parcel)
    except ConnectorError as exc:
        with transaction.atomic():
            sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
            sub.attempts += 1
            sub.last_error = exc.message[:300]
            sub.next_poll_at = now + poll_interval(sub.attempts)
            sub.save(update_fields=["attempts", "last_error", "next_poll_at"])
        return "error"
    with transaction.atomic():
        merged = events_merge(parcel=subscription.parcel, events=result.events, source=TrackingEvent.Source.POLL) \
            if result.events else None
        news = int(getattr(merged, "new_events", 0) or 0) > 0
        sub = Subscription.objects.select_for_update().select_related("parcel").get(pk=subscription.pk)
        sub.last_error = ""
        if result.checked or sub.parcel.status in TERMINAL:
            sub.state, sub.next_poll_at, outcome = S.State.SHUTDOWN, None, "done"
        elif news:
            sub.attempts, sub.next_poll_at, outcome = 0, now + poll_interval(1), "news"
        else:
            sub.attempts += 1
            sub.next_poll_at, outcome = now + poll_interval(sub.attempts), "nothing"
        sub.save(update_fields=["state", "attempts", "last_error", "next_poll_at"])
    return outcome


def resubscribe_minutes() -> int:
    return _setting("TRACKING_RESUBSCRIBE_MINUTES", 30)


def subscription_resubscribe(*, subscription: Subscription, now: datetime | None = None) -> str:
    """Subscribe an ABORTED push subscription again: "resubscribed", "error" (tried again in
    TRACKING_RESUBSCRIBE_MINUTES) or "gave_up" (TRACKING_RESUBSCRIBE_MAX_TIMES reached since the last news: the
    subscription is FAILED and a NO_NEWS task is opened for the clerk, announced once)."""
    now = now or timezone.now()
    if subscription.resubscriptions >= _setting("TRACKING_RESUBSCRIBE_MAX_TIMES", 3):
        with transaction.atomic():
            sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
            if sub.state != S.State.ABORTED:
                return "nothing"
            reason = sub.last_error or "abort"
            sub.state, sub.next_poll_at = S.State.FAILED, None
            sub.last_error = (_("The tracking provider gave up (%(reason)s) after %(count)d resubscriptions.")
                              % {"reason": reason, "count": sub.resubscriptions})[:300]
            sub.save(update_fields=["state", "next_poll_at", "last_error"])
            exception_tasks_open(tasks=[(sub.parcel_id, ExceptionTask.Kind.NO_NEWS, sub.last_error)])
        return "gave_up"
    connector = registry.connector_named(subscription.provider) or registry.connector_named("aggregator")
    error = ""
    try:
        connector.subscribe(subscription, callback_url(subscription))
    except ConnectorError as exc:
        error = exc.message
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if sub.state != S.State.ABORTED:  # a push came meanwhile
            return "nothing"
        if error:
            sub.last_error, sub.next_poll_at = error[:300], now + timedelta(minutes=resubscribe_minutes())
        else:
            sub.state, sub.last_error, sub.next_poll_at = S.State.ACTIVE, "", None
            sub.resubscriptions += 1
        sub.save(update_fields=["state", "last_error", "next_poll_at", "resubscriptions"])
    return "error" if error else "resubscribed"


@dataclass
class PollRun:
    polled: int = 0
    news: int = 0
    errors: int = 0
    limited: int = 0  # left for a later run: their carrier's allowance was used up
    resubscribed: int = 0
    gave_up: int = 0


def subscriptions_poll_due(*, limit: int = 500, now: datetime | None = None) -> PollRun:
    """Poll what is due in this schema and subscribe the aborted pushes again, each provider call taking a token
    of its carrier's bucket; a carrier whose bucket is empty is skipped for the rest of the run (its
    subscriptions stay due)."""
    run, exhausted = PollRun(), set()
    for subscription in subscriptions_due(now=now)[:limit]:
        parcel = subscription.parcel
        carrier = parcel.carrier or parcel.shipment.carrier
        code = (carrier.tracking_code or carrier.code) if carrier else ""
        aborted = subscription.mode == S.Mode.PUSH and subscription.state == S.State.ABORTED
        if aborted and subscription.resubscriptions >= _setting("TRACKING_RESUBSCRIBE_MAX_TIMES", 3):
            run.gave_up += subscription_resubscribe(subscription=subscription, now=now) == "gave_up"
            continue
        if code in exhausted or not ratelimit.token_take(code):
            exhausted.add(code)
            run.limited += 1
            continue
        if aborted:
            outcome = subscription_resubscribe(subscription=subscription, now=now)
            run.resubscribed += outcome == "resubscribed"
            run.errors += outcome == "error"
            continue
        outcome = subscription_poll(subscription=subscription)
        run.polled += 1
        run.news += outcome in ("news", "done")
        run.errors += outcome == "error"
    return run


def exceptions_no_news_open(*, days: int | None = None, now: datetime | None = None) -> int:
    """Open a NO_NEWS task (one open per parcel) for each followed parcel, not finished, whose last event
    (or, without any, its subscription) is older than ``days`` (TRACKING_NO_NEWS_DAYS, 3)."""
    days = days if days is not None else _setting("TRACKING_NO_NEWS_DAYS", 3)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    parcels = (Parcel.objects.filter(subscription__isnull=False)
               .exclude(status__in=TERMINAL)
               .exclude(shipment__status__in=[Shipment.Status.DRAFT, Shipment.Status.CANCELLED])
               .annotate(last_news=Coalesce("last_event_at", "subscription__created_at"))
               .filter(last_news__lt=cutoff)
               .exclude(exception_tasks__kind=ExceptionTask.Kind.NO_NEWS, exception_tasks__resolved_at__isnull=True)
               .values_list("pk", "last_news"))
    tasks = [(pk, ExceptionTask.Kind.NO_NEWS, _("No tracking news since %(time)s.")
              % {"time": timezone.localtime(last).strftime("%Y-%m-%d %H:%M")}) for pk, last in parcels]
    with transaction.atomic():
        created = exception_tasks_open(tasks=tasks)
    return len(created)
