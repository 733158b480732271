"""The monthly report: queued by the office or by beat, built by a task (office/reports.py draws it). The
task is defined here, next to the service it runs, so that the request queues it without importing
office.tasks; office.tasks imports it for Celery's autodiscovery.

Not a core.jobs job on purpose: a report is one row per month, kept for ever and queued again in place,
and the reports of different months may build at once; core.jobs keeps one active job per kind, a new
row per request, and prunes old rows."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error, job_error_text
from office.error_codes import OfficeErrorCode as Code
from office.models import MonthlyReport
from office.reports import report_data, report_pdf, report_workbook
from office.services.base import office_require
from tenants.models import User


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(today: date | None = None) -> date:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return (first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1))


@transaction.atomic
def monthly_report_request(*, month: date, actor: User | None) -> MonthlyReport:
    """Queue (again) the report of a month; the task builds the PDF and the workbook."""
    if actor is not None:
        office_require(actor)
    month = month_start(month)
    if month > timezone.localdate():
        raise field_error("month", _("That month has not started yet."), Code.DATES_INVALID)
    report, _created = MonthlyReport.objects.select_for_update().get_or_create(month=month)
    report.status, report.error, report.finished_at = MonthlyReport.Status.QUEUED, "", None
    report.requested_by = actor
    report.save()
    transaction.on_commit(lambda: monthly_report_build.delay(report.pk))
    return report


def monthly_report_run(*, report_id: int) -> MonthlyReport:
    MonthlyReport.objects.filter(pk=report_id).update(status=MonthlyReport.Status.RUNNING)
    report = MonthlyReport.objects.get(pk=report_id)
    try:
        data = report_data(month=report.month)
        pdf, xlsx = report_pdf(data), report_workbook(data)
    except Exception as exc:  # the office sees that it failed; the details (SQL, paths) stay in the worker's log
        MonthlyReport.objects.filter(pk=report_id).update(status=MonthlyReport.Status.FAILED, error=job_error_text(exc),
                                                          finished_at=timezone.now())
        raise
    MonthlyReport.objects.filter(pk=report_id).update(status=MonthlyReport.Status.DONE, pdf=pdf, xlsx=xlsx,
                                                      finished_at=timezone.now(), error="")
    report.refresh_from_db()
    return report


@shared_task(name="programs.monthly_report_build")
def monthly_report_build(report_id: int) -> str:
    return monthly_report_run(report_id=report_id).status
