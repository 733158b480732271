from celery import shared_task

from erp_modules.common.imports import import_job_run


@shared_task(name="erp_common.import_run")
def import_run(job_id: int) -> str:
    return import_job_run(job_id=job_id).status
