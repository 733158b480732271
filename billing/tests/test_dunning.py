"""Dunning e-mails (billing.dunning): day 1, 7 and 13 of being past due, once each, to the enterprise's
owners (locmem mail); reminders by hand from the platform administrator."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from billing.dunning import dunning_remind, dunning_send, step_due
from billing.models import DunningNotice, Invoice, Plan, Subscription
from billing.services.invoices import bank_transfer_record
from billing.services.plans import plans_default_ensure
from billing.services.subscriptions import subscription_start
from core.errors import error_codes_by_field
from core.testing import run_together
from tenants.models import Membership, Role, User

TZ = ZoneInfo("Asia/Shanghai")
SINCE = datetime(2026, 3, 30, 2, 0, tzinfo=TZ)


@pytest.fixture
def plans(db):
    plans_default_ensure()
    return {p.code: p for p in Plan.objects.all()}


@pytest.fixture
def admin(make_user):
    return make_user(platform_role="platform_admin")


def _owner(enterprise) -> User:
    return Membership.objects.get(enterprise=enterprise, role=Role.OWNER).user


def _past_due(enterprise, plan, since=SINCE) -> Subscription:
    """A bank-transfer subscription whose first invoice went unpaid past its due date."""
    owner = _owner(enterprise)
    User.objects.filter(pk=owner.pk).update(language="en")
    subscription = subscription_start(enterprise=enterprise, plan=plan, actor=owner, payment_method="bank_transfer",
                                      trial=False, now=since - timedelta(days=14))
    Subscription.objects.filter(pk=subscription.pk).update(status="past_due", past_due_since=since)
    subscription.refresh_from_db()
    return subscription


def _run(at: datetime, capture) -> list[DunningNotice]:
    with capture(execute=True):
        return dunning_send(now=at)


def test_day_1_7_and_13_each_once(make_enterprise, plans, django_capture_on_commit_callbacks):
    enterprise = make_enterprise(name="慈溪催款测试有限公司")
    owner = _owner(enterprise)
    subscription = _past_due(enterprise, plans["erp"])
    sent_at = {}
    # the task runs every few hours for three weeks
    for hours in range(0, 21 * 24, 6):
        now = SINCE + timedelta(hours=hours)
        for notice in _run(now, django_capture_on_commit_callbacks):
            sent_at[notice.step] = now - SINCE
    # then: three e-mails, on day 1, 7 and 13, to the owner
    assert sent_at == {1: timedelta(days=1), 7: timedelta(days=7), 13: timedelta(days=13)}
    assert [m.to for m in mail.outbox] == [[owner.email]] * 3
    assert list(DunningNotice.objects.filter(subscription=subscription).order_by("step")
                .values_list("step", "recipients", "sent_by")) == [(1, owner.email, None), (7, owner.email, None),
                                                                   (13, owner.email, None)]
    first, _, last = mail.outbox
    assert first.subject == "Payment reminder: the subscription of 慈溪催款测试有限公司 is past due"
    assert "past due for 1 day." in first.body and "read-only in 13 days" in first.body
    invoice = Invoice.objects.get(subscription=subscription)
    assert invoice.number in first.body and "¥299.00" in first.body
    assert f"http://{enterprise.slug}.localhost" in first.body and "/billing/" in first.body
    assert last.subject == "Final reminder: 慈溪催款测试有限公司 becomes read-only tomorrow"
    assert "becomes read-only tomorrow" in last.body


def test_a_missed_day_sends_only_the_latest_step(make_enterprise, plans, django_capture_on_commit_callbacks):
    subscription = _past_due(make_enterprise(), plans["erp"])
    # the worker was down until day 8: only day 7's reminder goes, once
    notices = _run(SINCE + timedelta(days=8), django_capture_on_commit_callbacks)
    assert [n.step for n in notices] == [7]
    assert _run(SINCE + timedelta(days=9), django_capture_on_commit_callbacks) == []
    assert len(mail.outbox) == 1
    assert [n.step for n in _run(SINCE + timedelta(days=13), django_capture_on_commit_callbacks)] == [13]
    assert DunningNotice.objects.filter(subscription=subscription).count() == 2


def test_paying_ends_the_episode_and_a_new_one_starts_over(make_enterprise, plans, admin,
                                                         django_capture_on_commit_callbacks):
    enterprise = make_enterprise()
    subscription = _past_due(enterprise, plans["erp"])
    assert [n.step for n in _run(SINCE + timedelta(days=1), django_capture_on_commit_callbacks)] == [1]
    # when: paid (the owner helper's service: active again, no longer past due)
    invoice = Invoice.objects.get(subscription=subscription)
    with django_capture_on_commit_callbacks(execute=True):
        bank_transfer_record(invoice=invoice, amount=invoice.amount_due, received_on=SINCE.date(),
                             bank_reference="DUN-1", actor=admin)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.past_due_since) == ("active", None)
    assert _run(SINCE + timedelta(days=7), django_capture_on_commit_callbacks) == []
    # when: past due again a month later: a new episode with its own day 1
    again = SINCE + timedelta(days=30)
    Subscription.objects.filter(pk=subscription.pk).update(status="past_due", past_due_since=again)
    assert [n.step for n in _run(again + timedelta(days=1, hours=1), django_capture_on_commit_callbacks)] == [1]
    assert len(mail.outbox) == 2
    assert DunningNotice.objects.filter(subscription=subscription, step=1).count() == 2


def test_only_past_due_subscriptions_of_the_day_are_reminded(make_enterprise, plans,
                                                            django_capture_on_commit_callbacks):
    late = _past_due(make_enterprise(), plans["erp"])
    fresh = _past_due(make_enterprise(), plans["erp-pdm"], since=SINCE + timedelta(days=6, hours=12))
    on_time = make_enterprise()
    subscription_start(enterprise=on_time, plan=plans["erp"], actor=_owner(on_time), payment_method="bank_transfer",
                       trial=False)
    notices = _run(SINCE + timedelta(days=7, hours=1), django_capture_on_commit_callbacks)
    # then: the late one's day 7, nothing for the one past due for half a day, nothing for the paying one
    assert [(n.subscription_id, n.step) for n in notices] == [(late.pk, 7)]
    assert step_due(fresh, now=SINCE + timedelta(days=7, hours=1)) is None
    assert [m.to for m in mail.outbox] == [[_owner(late.enterprise).email]]


def test_a_reminder_by_hand(make_enterprise, make_user, plans, admin, django_capture_on_commit_callbacks):
    enterprise = make_enterprise()
    subscription = _past_due(enterprise, plans["erp"])
    with django_capture_on_commit_callbacks(execute=True):
        dunning_remind(subscription=subscription, actor=admin, now=SINCE + timedelta(hours=3))
        dunning_remind(subscription=subscription, actor=admin, now=SINCE + timedelta(hours=4))
    # as many as the administrator likes, recorded as step 0; the automatic day 1 still goes
    assert len(mail.outbox) == 2
    assert [n.step for n in _run(SINCE + timedelta(days=1), django_capture_on_commit_callbacks)] == [1]
    # refused: anyone but a platform administrator, and a subscription that is not past due
    with pytest.raises(ValidationError) as exc:
        dunning_remind(subscription=subscription, actor=_owner(enterprise))
    assert error_codes_by_field(exc.value) == {"actor": ["forbidden"]}
    Subscription.objects.filter(pk=subscription.pk).update(status="active", past_due_since=None)
    with pytest.raises(ValidationError) as exc:
        dunning_remind(subscription=subscription, actor=admin)
    assert error_codes_by_field(exc.value) == {"subscription": ["not_past_due"]}
    assert DunningNotice.objects.filter(subscription=subscription).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_step_once(clean_schemas, make_enterprise, plans):
    # given: a subscription on its day 7, and two beat runs racing (separate threads, separate connections)
    subscription = _past_due(make_enterprise(), plans["erp"])
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append([n.step for n in dunning_send(now=SINCE + timedelta(days=7, hours=2))])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    run_together([threading.Thread(target=worker) for _ in range(2)])
    # then: one of them sent day 7's e-mail, the other nothing
    assert errors == []
    assert sorted(results) == [[], [7]]
    assert len(mail.outbox) == 1
    assert DunningNotice.objects.filter(subscription=subscription).count() == 1
