"""In-site notifications of the boards, and the email that follows each one.

The email is sent by the Celery task defined here, next to the function it runs, so that
`notification_create` queues it without importing ecommerce.tasks (which imports the services).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from ecommerce.models import Notification
from tenants.models import User
from tenants.selectors import site_base_url


def notification_create(*, user: User, kind: str, title, body="", url: str = "", enterprise_id: int | None = None,
                        email: bool = True) -> Notification:
    """An in-site notification, and an email to the user after the transaction commits (via Celery).
    ``title``/``body`` may be callables: they are then rendered in the recipient's language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        title_text = str(title() if callable(title) else title)
        body_text = str(body() if callable(body) else body)
    notification = Notification.objects.create(user=user, enterprise_id=enterprise_id, kind=kind,
                                               title=title_text[:200], body=body_text, url=url)
    if email and user.email and user.is_active:
        notification_id = notification.pk
        transaction.on_commit(lambda: notification_email_task.delay(notification_id), robust=True)
    return notification


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification by email (Django's mail backend); each is sent at most once."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    link = f"{site_base_url()}{notification.url}" if notification.url else ""
    body = "\n\n".join(part for part in (notification.body, link) if part)
    try:
        send_mail(subject=f"[数码桥] {notification.title}", message=body, from_email=None,
                  recipient_list=[notification.user.email])
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)  # retried by Celery
        raise
    return True


@shared_task(name="ecommerce.notification_email", autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def notification_email_task(notification_id: int) -> bool:
    return notification_email_send(notification_id=notification_id)


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
