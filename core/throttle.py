"""Throttling: who is asking (the client's address behind our proxies), how often (a counter per
fixed window, in PostgreSQL), and the glue that lets django-axes lock log-ins per account *or* per
address.

Log-in failures (the public and admin log-in forms, the hand-off between hosts) are counted by
django-axes in its AccessAttempt table, which the platform admin sees and clears. Actions that are not
a failed log-in but must not be repeated without limit (asking for a password-reset mail) count their
hits here with ``throttle_hit``. Both live in the public schema; both identify the client with
``client_ip``.

Counters are rows rather than cache keys on purpose: they roll back with a test's transaction and
survive a Redis restart, and an admin can see and delete them (core.admin).
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from core.models import RateCounter

# ---- who is asking ----------------------------------------------------------------------------


def _valid_ip(value: str) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies (each appending to
    X-Forwarded-For) it is the entry the outermost trusted proxy wrote; entries further left are the
    client's own claims and are never trusted. Without proxies (the default) it is REMOTE_ADDR."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return _valid_ip(forwarded[0]) if forwarded else remote
    return _valid_ip(forwarded[-count]) or remote


# ---- django-axes glue (AXES_USERNAME_CALLABLE, AXES_LOCKOUT_PARAMETERS) ------------------------


def login_username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The account a log-in attempt names, normalised (stripped, lower case) so that ``LI@x`` and
    ``li@x`` count as one account. Our log-in form passes ``email``; the admin's AuthenticationForm
    passes ``username`` (it holds the email too). A hand-off names no account: None."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username")
    if value is None and request is not None and request.method == "POST":
        value = request.POST.get("email") or request.POST.get("username")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()[:255]


def login_lockout_parameters(request_or_attempt, credentials: dict | None = None) -> list:
    """Lock per account OR per address. An attempt without an account (a bad hand-off ticket) counts
    for its address only: counting it under an empty account would lock every such attempt at once."""
    if isinstance(request_or_attempt, HttpRequest):
        username = login_username(request_or_attempt, credentials)
    else:
        username = getattr(request_or_attempt, "username", None)
    return ["username", "ip_address"] if username else ["ip_address"]


# ---- rate counters ----------------------------------------------------------------------------


def _window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=dt_timezone.utc)


def throttle_hit(*, scope: str, key: str, limit: int, window: timedelta) -> bool:
    """Count one hit of ``key`` (an address, an account) in ``scope`` and return whether it is still
    within ``limit`` hits in the current fixed window. One statement (an upsert), so concurrent hits
    are all counted. Windows are aligned for every key: the first hit of a new window deletes the
    scope's ended windows, so the table holds little more than the current window's clients."""
    key = (key or "-")[:255]
    now = timezone.now()
    start = _window_start(now, window)
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, key, window_start, hits) VALUES (%s, %s, %s, 1)"
            f" ON CONFLICT (scope, key, window_start) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
            [scope, key, start],
        )
        hits = cursor.fetchone()[0]
        if hits == 1:
            cursor.execute(f"DELETE FROM {table} WHERE scope = %s AND window_start < %s", [scope, start])
    return hits <= limit
