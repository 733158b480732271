"""Celery tasks. Beat runs `programs.adoption_snapshot_all` every night (for the day before) and
`programs.monthly_report` on the 1st of the month (for the month before); see README.md here.

The two tasks a service queues are defined next to the service they run (``monthly_report_build`` in
services/monthly_reports.py, ``programme_reevaluate_task`` in services/snapshots.py), so that the
services queue them without importing this module; they are imported here for Celery's autodiscovery."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from office import metrics, services
from office.error_codes import OfficeErrorCode
from office.services.monthly_reports import monthly_report_build
from office.services.snapshots import programme_reevaluate_task
from tenants.models import Enterprise

__all__ = ["adoption_snapshot_all", "adoption_snapshot_enterprise", "monthly_report", "monthly_report_build",
           "programme_reevaluate_task"]


def _day(day: str | None) -> date:
    return date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)


@shared_task(name="programs.adoption_snapshot_all", ignore_result=True)
def adoption_snapshot_all(day: str | None = None) -> int:
    """Fan out: one `adoption_snapshot_enterprise` per active enterprise, queued inside that
    enterprise's schema (tenant-schemas-celery stamps the schema on the message). The day is fixed
    here, so every enterprise counts the same day even if the queue drains after midnight."""
    day = _day(day).isoformat()
    count = 0
    for enterprise in Enterprise.objects.filter(status=Enterprise.Status.ACTIVE).order_by("pk"):
        with tenant_context(enterprise):
            adoption_snapshot_enterprise.delay(day)
        count += 1
    return count


@shared_task(name="programs.adoption_snapshot_enterprise")
def adoption_snapshot_enterprise(day: str | None = None) -> dict:
    """Runs in ONE enterprise's schema: counts there, then writes the snapshot in the public schema.

    The enterprise is the schema the task runs in (never an id from the message), so a task
    cannot count one enterprise's data under another's name."""
    enterprise = connection.tenant
    if connection.schema_name == get_public_schema_name() or not getattr(enterprise, "pk", None):
        raise RuntimeError(f"{OfficeErrorCode.WRONG_SCHEMA}: queue this task inside tenant_context(enterprise)")
    as_of = _day(day)
    activity = metrics.tenant_activity_count(day=as_of)
    with schema_context(get_public_schema_name()):
        snapshot = services.adoption_snapshot_record(enterprise=enterprise, activity=activity)
    return {"enterprise": enterprise.pk, "day": as_of.isoformat(), "documents_30d": snapshot.documents_30d_total,
            "active_users_30d": snapshot.active_users_30d}


@shared_task(name="programs.monthly_report", ignore_result=True)
def monthly_report(month: str | None = None) -> int:
    """Beat, on the 1st: the previous month's city report."""
    month_day = date.fromisoformat(month) if month else services.previous_month()
    return services.monthly_report_request(month=month_day, actor=None).pk
