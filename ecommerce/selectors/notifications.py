"""Reads of a user's notifications."""

from __future__ import annotations

from ecommerce.models import Notification
from tenants.models import User


def notifications_for(*, user: User, limit: int = 100) -> list[Notification]:
    return list(Notification.objects.filter(user=user)[:limit])


def notifications_unread_count(*, user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
