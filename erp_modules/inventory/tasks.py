"""Month-end stock close: a snapshot per enterprise so that reports on a long ledger stay fast."""

from datetime import datetime, time, timedelta

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp_modules.inventory.services import stock_snapshot_create
from tenants.models import Enterprise


def previous_month_end(today=None):
    today = today or timezone.localdate()
    last_day = today.replace(day=1) - timedelta(days=1)
    return timezone.make_aware(datetime.combine(last_day, time.max))


@shared_task(name="inventory.month_end_close")
def month_end_close() -> str:
    """Runs in the schema it was queued from (tenant-schemas-celery)."""
    period = stock_snapshot_create(period_end=previous_month_end())
    return period.period_end.isoformat()


@shared_task(name="inventory.month_end_close_all", ignore_result=True)
def month_end_close_all() -> int:
    """Beat, on the 1st of each month: one close task per active enterprise, in its own schema."""
    count = 0
    for enterprise in Enterprise.objects.filter(status=Enterprise.Status.ACTIVE):
        with tenant_context(enterprise):
            month_end_close.delay()
        count += 1
    return count
