from celery import shared_task

from erp_modules.sales.services import availability_check_execute


@shared_task(name="sales.availability_check")
def availability_check_task(check_id: int) -> str | None:
    """"Check availability" for all open orders of the enterprise whose schema the task was queued
    in (tenant-schemas-celery)."""
    check = availability_check_execute(check_id=check_id)
    return check.status if check else None
