"""Aborted pushes resubscribed after 30 minutes (then a task for the clerk), the worker hand-off of pushes, and
the notification of exception tasks (e-mail once per task, the menu badge): against the local tracking server
as a real process, the real callback view on a live server and a real Celery worker."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from django_tenants.utils import tenant_context

from logistics.shipments.models import ParcelStatus
from logistics.tracking import services
from logistics.tracking.connectors import subscriptions
from logistics.tracking.models import ExceptionTask, PushLog, Subscription
from logistics.tracking.services import push_enqueue, push_receive, pushes_pending_ingest
from logistics.tracking.tests.factories import TRACK, make_parcel, push_param, signed
from logistics.tracking.tests.test_connectors import _carrier, _md5, _parcel, _wait_for, devserver, worker_env  # noqa: F401
from tenants.models import Membership, Role

SILENT = "SF1000000000019"  # last digit 9: the devserver never has news for it, then pushes "abort"


@pytest.mark.django_db(transaction=True)
def test_abort_resubscribes_after_30_minutes_a_limited_number_of_times_then_a_task_and_one_mail(
        devserver, worker_env, clean_schemas, enterprise_pair, settings):
    settings.TRACKING_RESUBSCRIBE_MAX_TIMES = 2
    a, b, alice, _bob = enterprise_pair("abo-a", "abo-b")
    with tenant_context(b):  # the same waybill followed at B: never touched by A's aborts
        b_parcel = _parcel(_carrier(), SILENT)
        b_sub = Subscription.objects.create(parcel=b_parcel, state=Subscription.State.ACTIVE)
    with tenant_context(a):
        parcel = _parcel(_carrier(), SILENT)
        sub = subscriptions.subscription_start(parcel_id=parcel.pk).subscription
        assert sub.state == Subscription.State.ACTIVE

    for round_ in (1, 2, 3):
        pushes = devserver.advance(2)  # --abort-after 2: two steps without news, then the abort push
        assert [(p["status"], p["ok"]) for p in pushes] == [("abort", True)], pushes
        with tenant_context(a):
            sub.refresh_from_db()
            assert (sub.state, sub.last_error) == (Subscription.State.ABORTED, "3天查询无记录")
            assert timedelta(minutes=29) < sub.next_poll_at - timezone.now() <= timedelta(minutes=30)
            assert subscriptions.subscriptions_poll_due().resubscribed == 0  # not before 30 minutes
            later = timezone.now() + timedelta(minutes=31)
            run = subscriptions.subscriptions_poll_due(now=later)
            sub.refresh_from_db()
            if round_ < 3:
                assert (run.resubscribed, run.gave_up) == (1, 0)
                assert (sub.state, sub.resubscriptions, sub.next_poll_at) == ("active", round_, None)
                state = json.loads(devserver.state.read_text())["parcels"][SILENT]
                assert state["aborted"] is False and "abo-a.localhost" in state["callbackurl"]
                assert not ExceptionTask.objects.exists() and not mail.outbox
            else:  # the third abort: no more resubscribing, a task for the clerk, announced once
                assert (run.resubscribed, run.gave_up) == (0, 1)
                assert sub.state == Subscription.State.FAILED and "3天查询无记录" in sub.last_error
                task = ExceptionTask.objects.get()
                assert (task.parcel_id, task.kind, task.resolved_at) == (parcel.pk, "no_news", None)
                assert task.notified_at is not None
                assert [m.to for m in mail.outbox] == [[alice.email]]
                assert SILENT in mail.outbox[0].body and "/logistics/tracking/" in mail.outbox[0].body
                assert subscriptions.subscriptions_poll_due(now=later + timedelta(hours=1)).gave_up == 0
                assert services.exception_tasks_notify() == 0 and len(mail.outbox) == 1
    with tenant_context(b):
        b_sub.refresh_from_db()
        assert (b_sub.state, b_sub.resubscriptions) == (Subscription.State.ACTIVE, 0)
        assert not ExceptionTask.objects.exists() and not PushLog.objects.exists()


def test_news_after_an_abort_resets_the_count_and_the_subscription(erp):
    parcel = make_parcel()
    sub = parcel.subscription
    Subscription.objects.filter(pk=sub.pk).update(resubscriptions=2)
    push_receive(**signed(parcel, push_param(waybill=parcel.waybill_number, nodes=[], push_status="abort",
                                             message="60天无变化")))
    sub.refresh_from_db()
    assert (sub.state, sub.last_error, sub.resubscriptions) == ("aborted", "60天无变化", 2)
    push_receive(**signed(parcel, push_param(waybill=parcel.waybill_number, nodes=TRACK[:2])))
    sub.refresh_from_db()
    assert (sub.state, sub.resubscriptions) == ("aborted", 0)  # news: the next abort counts afresh


def test_exception_tasks_are_mailed_once_to_the_clerks_on_commit_and_badged_in_the_menu(
        erp, make_user, django_capture_on_commit_callbacks):
    owner = Membership.objects.get(enterprise=erp).user
    clerk, viewer = make_user(email="clerk@exc.test"), make_user(email="viewer@exc.test")
    Membership.objects.create(user=clerk, enterprise=erp, role=Role.CLERK)
    Membership.objects.create(user=viewer, enterprise=erp, role=Role.VIEWER)
    parcel, other = make_parcel(), make_parcel()
    problem = push_param(waybill=parcel.waybill_number, nodes=[*TRACK[:3], ("2026-12-02 10:00:00", "疑难件：电话无人接听", "2")])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        push_receive(**signed(parcel, problem))
        assert not mail.outbox  # not before the commit
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, clerk.email])  # not the viewer
    # each in the recipient's language (the platform's, zh-Hans, when a user has chosen none)
    assert parcel.waybill_number in mail.outbox[0].body and "1 个新的物流异常" in mail.outbox[0].subject
    task = ExceptionTask.objects.get()
    assert task.kind == "problem" and task.notified_at is not None

    with django_capture_on_commit_callbacks(execute=True):  # the same problem again: no task, no mail
        push_receive(**signed(parcel, problem))
        push_receive(**signed(other, push_param(waybill=other.waybill_number, nodes=TRACK[:2])))
    assert len(mail.outbox) == 2 and ExceptionTask.objects.count() == 1
    assert services.exception_tasks_notify(task_ids=[task.pk]) == 0 and services.exception_tasks_notify() == 0

    request = RequestFactory().get("/")
    request.membership = Membership.objects.get(user=clerk, enterprise=erp)
    html = Template('{% load tracking_tags %}{% tracking_exception_badge "menu" %}').render(Context({"request": request}))
    assert 'id="tracking-exception-badge-menu"' in html and ">1</span>" in html
    ExceptionTask.objects.update(resolved_at=timezone.now())
    request = RequestFactory().get("/")
    request.membership = Membership.objects.get(user=clerk, enterprise=erp)
    assert Template("{% load tracking_tags %}{% tracking_exception_badge %}").render(
        Context({"request": request})).strip() == ""


def test_queued_pushes_ingested_in_batches_match_one_by_one(erp):
    """The worker hand-off's two halves in process: push_enqueue checks and stores, pushes_pending_ingest
    merges in batches; the result is push_receive's for each push in turn (duplicates, out of order)."""
    fast, slow = make_parcel(), make_parcel()
    order = [TRACK[:2], TRACK[:4], TRACK[:3], TRACK[:4], TRACK]  # a late older track, a duplicate
    for nodes in order:
        reply = push_enqueue(**signed(fast, push_param(waybill=fast.waybill_number, nodes=nodes)))
        assert (reply.outcome, reply.body["result"]) == ("pending", True)
        push_receive(**signed(slow, push_param(waybill=slow.waybill_number, nodes=nodes)))
    forged = signed(fast, push_param(waybill=fast.waybill_number, nodes=TRACK))
    forged["sign"] = "0" * 32
    assert (push_enqueue(**forged).http_status, PushLog.objects.filter(outcome="forged").count()) == (403, 1)
    fast.refresh_from_db()
    assert fast.status == ParcelStatus.CREATED and PushLog.objects.filter(outcome="pending").count() == 5

    assert pushes_pending_ingest(batch=2) == 5
    assert pushes_pending_ingest(batch=2) == 0
    fast.refresh_from_db(), slow.refresh_from_db()
    assert (fast.status, fast.status_at, fast.last_event_at, fast.events.count()) == (
        slow.status, slow.status_at, slow.last_event_at, slow.events.count())
    fast_logs = list(PushLog.objects.filter(subscription=fast.subscription).exclude(outcome="forged")
                     .order_by("pk").values_list("outcome", "new_events", "param"))
    slow_logs = list(PushLog.objects.filter(subscription=slow.subscription).order_by("pk")
                     .values_list("outcome", "new_events", "param"))
    assert fast_logs == slow_logs and [o for o, _n, _p in fast_logs] == [
        "accepted", "accepted", "duplicate", "duplicate", "accepted"]


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_worker_hand_off_the_view_queues_the_push_and_the_worker_merges_it(
        devserver, worker_env, clean_schemas, celery_worker_process, enterprise_pair, settings):
    settings.TRACKING_PUSH_MODE = "worker"
    settings.TRACKING_PUSH_BATCH_DELAY = 0.2
    port = worker_env
    a, b, _alice, _bob = enterprise_pair("hof-a", "hof-b")
    with tenant_context(b):
        b_parcel = _parcel(_carrier(), "SF1000000000010")
        Subscription.objects.create(parcel=b_parcel, state=Subscription.State.ACTIVE)
    with tenant_context(a):
        parcel = _parcel(_carrier(), "SF1000000000010")
        sub = subscriptions.subscription_start(parcel_id=parcel.pk).subscription
        assert sub.state == Subscription.State.ACTIVE

    pushes = devserver.advance(3)  # the view answers 成功 at once: the push is queued, not merged yet
    assert [(p["status"], p["ok"]) for p in pushes] == [("polling", True)], pushes
    with tenant_context(a):
        assert _wait_for(lambda: PushLog.objects.filter(outcome="accepted").exists()), \
            list(PushLog.objects.values("outcome", "detail"))
        parcel.refresh_from_db()
        assert (parcel.status, parcel.events.count()) == (ParcelStatus.IN_TRANSIT, 3)
        log = PushLog.objects.get()
        assert (log.new_events, log.param, log.waybill_number) == (3, "", "SF1000000000010")

    assert devserver.advance(10)[0]["ok"]
    with tenant_context(a):
        assert _wait_for(lambda: Subscription.objects.filter(pk=sub.pk, state="shutdown").exists())
        parcel.refresh_from_db()
        assert parcel.status == ParcelStatus.DELIVERED and parcel.events.count() == 6

    # a forged push is refused by the view itself, never queued
    param = json.dumps({"status": "polling", "lastResult": {"nu": "SF1000000000010", "data": []}})
    response = requests.post(f"http://127.0.0.1:{port}/logistics/push/{sub.callback_token}/",
                             data={"param": param, "sign": _md5(param + "wrong")},
                             headers={"Host": f"hof-a.localhost:{port}"}, timeout=10)
    assert response.status_code == 403 and response.json()["result"] is False
    with tenant_context(a):
        assert PushLog.objects.filter(outcome="forged").count() == 1
        assert not PushLog.objects.filter(outcome="pending").exists()
    with tenant_context(b):
        b_parcel.refresh_from_db()
        assert b_parcel.status == ParcelStatus.CREATED and not PushLog.objects.exists()
