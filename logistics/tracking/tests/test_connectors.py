"""Tracking connectors against the local tracking server as a real process (no mocks): subscribe through the
push adapter and see the signed pushes land through the real callback view on a live server; the polling
adapter with its backoff and per-carrier rate limit; a dead provider; the no-news check; isolation."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.utils import timezone
from django_tenants.utils import tenant_context

from logistics.carriers.models import Carrier
from logistics.shipments.hooks import parcels_booked_hooks
from logistics.shipments.models import Parcel, ParcelStatus, Shipment
from logistics.tracking import tasks
from logistics.tracking.connectors import ratelimit, registry, subscriptions
from logistics.tracking.connectors.base import ConnectorError
from logistics.tracking.connectors.polling import PollingConnector
from logistics.tracking.models import ExceptionTask, Subscription, TrackingEvent
from logistics.tracking.tests.test_devserver import Devserver

_numbers = itertools.count(1)


@pytest.fixture
def devserver(tmp_path, settings):
    """A devserver process; the connectors pointed at it with its key and customer."""
    customer = f"T{uuid.uuid4().hex[:10]}"  # a fresh rate-limit bucket per test
    server = Devserver(tmp_path / "tracking-state.json", key="k3y", customer=customer)
    settings.TRACKING_AGGREGATOR_URL = server.url
    settings.TRACKING_AGGREGATOR_KEY = "k3y"
    settings.TRACKING_AGGREGATOR_CUSTOMER = customer
    yield server
    server.stop()


def _carrier(code: str = "SF", tracking_code: str = "shunfeng", kind: str = Carrier.Kind.EXPRESS) -> Carrier:
    return Carrier.objects.get_or_create(code=code, defaults={"name": code, "tracking_code": tracking_code,
                                                              "kind": kind})[0]


def _parcel(carrier: Carrier, waybill: str) -> Parcel:
    shipment = Shipment.objects.create(number=f"SH{next(_numbers):06d}", status=Shipment.Status.BOOKED,
                                       carrier=carrier, consignee_name="张三", consignee_phone="13800001234")
    return Parcel.objects.create(shipment=shipment, seq=1, waybill_number=waybill, carrier=carrier)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


@pytest.fixture
def worker_env(devserver, live_server, monkeypatch, settings):
    """What the test's Celery worker must know (it reads the environment): the devserver, the live server's port."""
    port = str(urlsplit(live_server.url).port)
    settings.PUBLIC_PORT = port
    for name, value in (("TRACKING_AGGREGATOR_URL", devserver.url), ("TRACKING_AGGREGATOR_KEY", devserver.key),
                        ("TRACKING_AGGREGATOR_CUSTOMER", devserver.customer), ("PUBLIC_PORT", port)):
        monkeypatch.setenv(name, value)
    return int(port)


def _wait_for(predicate, timeout: float = 40.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_booked_parcel_is_subscribed_by_the_worker_and_pushes_land_through_the_view_b_never_touched(
        devserver, worker_env, clean_schemas, celery_worker_process, enterprise_pair):
    a, b, _alice, _bob = enterprise_pair("trk-a", "trk-b")
    port = worker_env
    with tenant_context(b):  # the same waybill at B, followed there
        b_parcel = _parcel(_carrier(), "SF1000000000010")
        Subscription.objects.create(parcel=b_parcel, state=Subscription.State.ACTIVE)
    with tenant_context(a):
        parcel = _parcel(_carrier(), "SF1000000000010")
        tasks.parcels_booked([parcel.pk])  # what shipment_book's on-commit hook calls: queued in A's schema
        assert _wait_for(lambda: Subscription.objects.filter(parcel=parcel, state="active").exists()), \
            list(Subscription.objects.values("state", "last_error"))
        sub = Subscription.objects.get(parcel=parcel)
        assert (sub.mode, sub.provider, sub.last_error, sub.attempts) == ("push", "aggregator", "", 0)
        assert subscriptions.callback_url(sub) == f"http://trk-a.localhost:{port}/logistics/push/{sub.callback_token}/"

    pushes = devserver.advance(3)
    assert [(p["status"], p["ok"]) for p in pushes] == [("polling", True)], pushes
    with tenant_context(a):
        parcel.refresh_from_db()
        assert parcel.status == ParcelStatus.IN_TRANSIT
        assert parcel.events.count() == 3

    pushes = devserver.advance(10)
    assert [(p["status"], p["ok"]) for p in pushes] == [("shutdown", True)], pushes
    with tenant_context(a):
        parcel.refresh_from_db()
        assert parcel.status == ParcelStatus.DELIVERED
        assert list(parcel.events.values_list("status", flat=True)) == [
            "delivered", "out_for_delivery", "in_transit", "in_transit", "in_transit", "picked_up"]
        assert set(parcel.events.values_list("source", flat=True)) == {TrackingEvent.Source.PUSH}
        assert Subscription.objects.get(pk=sub.pk).state == Subscription.State.SHUTDOWN
        salt, token = sub.salt, sub.callback_token

    # A's push (signed with A's salt) sent to B's host: B has no such subscription; nothing changes there
    param = json.dumps({"status": "polling", "message": "", "lastResult": {
        "nu": "SF1000000000010", "com": "shunfeng", "state": "14", "ischeck": "0",
        "data": [{"time": "2026-01-02 10:00:00", "context": "收件人拒收", "status": "拒签"}]}}, ensure_ascii=False)
    response = requests.post(f"http://127.0.0.1:{port}/logistics/push/{token}/",
                             data={"param": param, "sign": _md5(param + salt)},
                             headers={"Host": f"trk-b.localhost:{port}"}, timeout=10)
    assert response.status_code < 500 and response.json()["result"] is False
    with tenant_context(b):
        b_parcel.refresh_from_db()
        assert b_parcel.status == ParcelStatus.CREATED and not b_parcel.events.exists()
        assert Subscription.objects.get(parcel=b_parcel).state == Subscription.State.ACTIVE


def test_polling_adapter_with_backoff_and_the_track_it_merges(devserver, erp, settings):
    settings.TRACKING_POLL_MINUTES = 30
    parcel = _parcel(_carrier("DBL", "debangwuliu", Carrier.Kind.FREIGHT), "DPK100000000018")  # 8: 拒签
    sub = subscriptions.subscription_start(parcel_id=parcel.pk).subscription
    assert (sub.mode, sub.provider, sub.state) == ("poll", "polling", "active")

    run = subscriptions.subscriptions_poll_due()  # the provider has nothing yet: back off
    assert (run.polled, run.news, run.errors, run.limited) == (1, 0, 0, 0)
    sub.refresh_from_db()
    assert sub.attempts == 1 and sub.next_poll_at > timezone.now() + timedelta(minutes=29)
    assert subscriptions.subscriptions_poll_due().polled == 0  # not due yet

    Subscription.objects.filter(pk=sub.pk).update(next_poll_at=timezone.now() - timedelta(seconds=1))
    assert subscriptions.subscription_poll(subscription=Subscription.objects.get(pk=sub.pk)) == "nothing"
    sub.refresh_from_db()
    assert sub.attempts == 2 and sub.next_poll_at > timezone.now() + timedelta(minutes=59)

    devserver.advance(10)
    Subscription.objects.filter(pk=sub.pk).update(next_poll_at=timezone.now() - timedelta(seconds=1))
    run = subscriptions.subscriptions_poll_due()
    assert (run.polled, run.news) == (1, 1)
    parcel.refresh_from_db()
    sub.refresh_from_db()
    assert parcel.status == ParcelStatus.REFUSED
    assert parcel.events.count() == 6 and set(parcel.events.values_list("source", flat=True)) == {"poll"}
    assert sub.attempts == 0 and sub.next_poll_at > timezone.now() + timedelta(minutes=29)
    assert ExceptionTask.objects.filter(parcel=parcel, kind=ExceptionTask.Kind.REFUSED).count() == 1

    result = PollingConnector().query(parcel)  # the same track again: merged, nothing new
    assert result.state == ParcelStatus.REFUSED and len(result.events) == 6 and not result.checked
    assert result.events[0].time > result.events[-1].time

    assert [subscriptions.poll_interval(n) for n in (1, 2, 3, 20)] == [
        timedelta(minutes=30), timedelta(minutes=60), timedelta(minutes=120), timedelta(hours=24)]


def test_rate_limit_per_carrier_leaves_the_rest_due(devserver, erp, settings):
    settings.TRACKING_POLL_PER_MINUTE = 2
    limited = _carrier("L1", f"rl{uuid.uuid4().hex[:8]}", Carrier.Kind.FREIGHT)
    other = _carrier("L2", f"rl{uuid.uuid4().hex[:8]}", Carrier.Kind.FREIGHT)
    parcels = [_parcel(limited, f"DPK20000000001{n}") for n in range(3)] + [_parcel(other, "DPK300000000010")]
    for parcel in parcels:
        subscriptions.subscription_start(parcel_id=parcel.pk)

    run = subscriptions.subscriptions_poll_due()
    assert (run.polled, run.limited) == (3, 1)  # two of the first carrier, one of the other
    still_due = subscriptions.subscriptions_due()
    assert [s.parcel.carrier_id for s in still_due] == [limited.pk]
    assert not ratelimit.token_take(limited.tracking_code)
    assert ratelimit.token_take(f"fresh{uuid.uuid4().hex[:8]}")


def test_dead_provider_fails_the_subscription_with_a_message(erp, tmp_path, settings):
    dead = Devserver(tmp_path / "dead.json")
    dead.stop()
    settings.TRACKING_AGGREGATOR_URL = dead.url
    parcel = _parcel(_carrier(), "SF1000000000027")

    outcome = subscriptions.subscription_start(parcel_id=parcel.pk)
    sub = outcome.subscription
    assert sub.state == Subscription.State.FAILED and outcome.retry and sub.attempts == 1
    assert f"127.0.0.1:{dead.port}" in sub.last_error  # the message names the provider it could not reach
    assert subscriptions.subscribe_retry_countdown(1) == 60 and subscriptions.subscribe_retry_countdown(3) == 240

    with pytest.raises(ConnectorError) as exc:
        PollingConnector().query(parcel)
    assert exc.value.code == "unreachable"
    Subscription.objects.filter(pk=sub.pk).update(state=Subscription.State.ABORTED, next_poll_at=None)
    assert subscriptions.subscription_poll(subscription=Subscription.objects.get(pk=sub.pk)) == "error"
    sub.refresh_from_db()
    assert sub.attempts == 2 and f"127.0.0.1:{dead.port}" in sub.last_error and sub.next_poll_at > timezone.now()

    settings.TRACKING_SUBSCRIBE_MAX_ATTEMPTS = 3
    Subscription.objects.filter(pk=sub.pk).update(state=Subscription.State.FAILED)
    assert subscriptions.subscription_start(parcel_id=parcel.pk).retry is False  # third attempt: the last


def test_registry_no_news_and_the_booking_hook(devserver, erp, settings):
    assert tasks.parcels_booked in parcels_booked_hooks()
    truck = _parcel(_carrier("OWN", "", Carrier.Kind.OWN_FLEET), "")
    assert registry.connector_for(truck) is None
    sub = subscriptions.subscription_start(parcel_id=truck.pk).subscription
    assert (sub.mode, sub.state) == ("driver", "active")
    express = _parcel(_carrier(), "SF1000000000035")
    assert registry.connector_for(express).name == "aggregator"
    settings.TRACKING_CARRIER_PROVIDERS = {"SF": "polling"}
    assert registry.connector_for(express).name == "polling"
    assert subscriptions.subscription_start(parcel_id=999_999) is None
    settings.TRACKING_CARRIER_PROVIDERS = {}
    blank = _parcel(_carrier(), "")  # nothing to subscribe: FAILED with a message, not retried
    outcome = subscriptions.subscription_start(parcel_id=blank.pk)
    assert (outcome.subscription.state, outcome.retry) == ("failed", False) and outcome.subscription.last_error

    settings.TRACKING_NO_NEWS_DAYS = 3
    Subscription.objects.filter(pk=sub.pk).update(created_at=timezone.now() - timedelta(days=4))
    fresh = _parcel(_carrier(), "SF1000000000043")
    Subscription.objects.create(parcel=fresh, state=Subscription.State.ACTIVE)
    assert subscriptions.exceptions_no_news_open() == 1
    assert subscriptions.exceptions_no_news_open() == 0  # one open task per parcel
    task = ExceptionTask.objects.get(kind=ExceptionTask.Kind.NO_NEWS)
    assert task.parcel_id == truck.pk and task.resolved_at is None
