"""Dunning: e-mails to an enterprise's owner(s) while its subscription is past due.

- Automatic, by a daily beat task (``dunning_send``): on day 1, 7 and 13 of being past due, once each. Day N
  is N full days after ``Subscription.past_due_since``; day 13 is the day before the grace period
  (settings.BILLING_GRACE_DAYS, 14) turns the enterprise read-only, and the e-mail says so. When the task
  missed a day (the worker was down), only the latest step due is sent, never a backlog of stale ones.
- By hand: the platform administrator's "send reminder now" on the past-due page (``dunning_remind``).

Each e-mail is recorded as a ``billing.DunningNotice`` of the episode (``past_due_since``): the row is
written first, unique per (subscription, episode, step), and the mail leaves on commit. A second run of the
task, or two workers racing, finds the row and sends nothing. Paying ends the episode (past_due_since goes
back to None); being past due again later starts a new one, with its own day 1, 7 and 13.

Registered in the worker and in beat by config/settings/base.py (CELERY_IMPORTS "billing.dunning",
CELERY_BEAT_SCHEDULE "billing-dunning")."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.error_codes import BillingErrorCode as Code
from billing.models import DunningNotice, Invoice, Subscription
from billing.selectors import plan_name
from core.errors import field_error
from tenants.models import Role, User
from tenants.selectors import enterprise_base_url

log = logging.getLogger(__name__)

STEPS = (1, 7, 13)
PAST_DUE_STATUSES = (Subscription.Status.PAST_DUE, Subscription.Status.UNPAID, Subscription.Status.INCOMPLETE)


def days_past_due(subscription: Subscription, *, now: datetime | None = None) -> int | None:
    if subscription.past_due_since is None:
        return None
    return max(0, ((now or timezone.now()) - subscription.past_due_since).days)


def step_due(subscription: Subscription, *, now: datetime | None = None) -> int | None:
    """The latest automatic step due by now (1, 7 or 13), None before day 1."""
    days = days_past_due(subscription, now=now)
    if days is None:
        return None
    due = [step for step in STEPS if step <= days]
    return due[-1] if due else None


def owners(subscription: Subscription) -> list[User]:
    return list(User.objects.filter(memberships__enterprise_id=subscription.enterprise_id,
                                    memberships__role=Role.OWNER, is_active=True).order_by("pk"))


def _message(subscription: Subscription, *, user: User, step: int, now: datetime) -> tuple[str, str]:
    """The e-mail's subject and body, in the owner's language."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        enterprise = subscription.enterprise
        grace_days = settings.BILLING_GRACE_DAYS
        days = days_past_due(subscription, now=now) or 0
        invoices = list(Invoice.objects.filter(subscription=subscription, status=Invoice.Status.OPEN)
                        .order_by("issued_at"))
        context = {
            "enterprise": enterprise, "user": user, "plan": plan_name(subscription.plan), "step": step,
            "days": days, "grace_days": grace_days, "days_left": max(0, grace_days - days),
            "invoices": invoices, "outstanding": sum((i.outstanding for i in invoices), start=0),
            "billing_url": _billing_url(enterprise),
            "by_card": subscription.payment_method == Subscription.PaymentMethod.CARD,
        }
        subject = (_("Final reminder: %(enterprise)s becomes read-only tomorrow") if step == 13 else
                   _("Payment reminder: the subscription of %(enterprise)s is past due")) % {
            "enterprise": enterprise.display_name}
        return subject, render_to_string("billing/admin/email/dunning.txt", context)


def _billing_url(enterprise) -> str:
    return f"{enterprise_base_url(slug=enterprise.slug)}/billing/"


def _send_on_commit(subscription: Subscription, *, users: list[User], step: int, now: datetime) -> None:
    messages = [(_message(subscription, user=u, step=step, now=now), u.email) for u in users]

    def send():
        for (subject, body), email in messages:
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[email])

    transaction.on_commit(send)


def _notice(subscription: Subscription, *, step: int, now: datetime, actor: User | None) -> DunningNotice | None:
    """Write the notice of ``step`` for the subscription's current episode and queue its e-mails; None when
    that step was already sent (the unique constraint) or no owner can receive it."""
    users = owners(subscription)
    if not users:
        log.warning("billing dunning: %s has no owner to remind", subscription.enterprise.slug)
        return None
    try:
        with transaction.atomic():
            notice = DunningNotice.objects.create(
                subscription=subscription, past_due_since=subscription.past_due_since, step=step,
                recipients=", ".join(u.email for u in users)[:500], sent_by=actor)
            _send_on_commit(subscription, users=users, step=step, now=now)
    except IntegrityError:  # sent already (another run got there first): its mail is dropped with the savepoint
        return None
    return notice


def dunning_send(*, now: datetime | None = None) -> list[DunningNotice]:
    """Send the day 1, 7 and 13 reminders due now (each once per episode); returns the notices written.
    One transaction per notice: a subscription that fails does not hold back the others' e-mails. A notice
    is committed before its e-mail leaves, so a mail server that refuses it loses that e-mail rather than
    sending it twice (at most once; the administrator's "send reminder now" is the way to repeat one)."""
    now = now or timezone.now()
    sent = []
    candidates = (Subscription.objects.select_related("enterprise", "plan")
                  .filter(status__in=PAST_DUE_STATUSES, past_due_since__isnull=False, past_due_since__lte=now)
                  .order_by("past_due_since", "pk"))
    for subscription in candidates:
        step = step_due(subscription, now=now)
        if step is None:
            continue
        if DunningNotice.objects.filter(subscription=subscription, past_due_since=subscription.past_due_since,
                                        step__gte=step).exists():
            continue  # this step (or a later one) was sent in this episode
        notice = _notice(subscription, step=step, now=now, actor=None)
        if notice is not None:
            log.info("billing dunning: day %s reminder to %s (%s)", step, subscription.enterprise.slug,
                     notice.recipients)
            sent.append(notice)
    return sent


@transaction.atomic
def dunning_remind(*, subscription: Subscription, actor: User, now: datetime | None = None) -> DunningNotice:
    """The platform administrator's "send reminder now" (a reminder by hand, recorded as step 0)."""
    if not actor.is_platform_admin:
        raise field_error("actor", _("Only a platform administrator sends reminders."), Code.FORBIDDEN)
    now = now or timezone.now()
    subscription = Subscription.objects.select_for_update().select_related("enterprise", "plan").get(
        pk=subscription.pk)
    if subscription.status not in PAST_DUE_STATUSES or subscription.past_due_since is None:
        raise field_error("subscription", _("This subscription is not past due."), Code.NOT_PAST_DUE)
    if not owners(subscription):
        raise field_error("subscription", _("%(enterprise)s has no owner to remind.") % {
            "enterprise": subscription.enterprise.display_name}, Code.NO_OWNER)
    notice = _notice(subscription, step=0, now=now, actor=actor)
    assert notice is not None  # step 0 is not unique
    return notice


@shared_task(name="billing.dunning_send", ignore_result=True)
def dunning_send_task() -> int:
    """Beat (daily, in the morning): the dunning e-mails due today."""
    return len(dunning_send())
