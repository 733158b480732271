"""Operational endpoints, answered on every host."""

from __future__ import annotations

import time

from celery import current_app
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # report, never raise: this is the health page
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_redis() -> str | None:
    try:
        client = caches["default"]._cache.get_client(write=True)
        client.ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_celery() -> str | None:
    # the project's Celery app (config.celery_app) is the current app once Django has loaded config/
    try:
        replies = current_app.control.ping(timeout=settings.HEALTHZ_CELERY_TIMEOUT, limit=1)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    if not replies:
        return "no Celery worker answered"
    return None


def healthz(request):
    started = time.monotonic()
    checks = {"database": _check_database(), "redis": _check_redis()}
    # Without Redis the broker is down too; do not wait for a ping that cannot come.
    checks["celery"] = _check_celery() if checks["redis"] is None else "broker (Redis) unreachable"
    body = {
        "status": "ok" if not any(checks.values()) else "fail",
        "checks": {name: ({"ok": True} if error is None else {"ok": False, "error": error})
                   for name, error in checks.items()},
        "failing": [name for name, error in checks.items() if error],
        "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
