from celery import shared_task

from erp_modules.mrp.services import mrp_run_execute


@shared_task(name="mrp.run")
def mrp_run_task(run_id: int) -> str | None:
    """One MRP run of the enterprise whose schema the task was queued in (tenant-schemas-celery)."""
    run = mrp_run_execute(run_id=run_id)
    return run.status if run else None
