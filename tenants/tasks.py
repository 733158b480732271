"""Celery tasks of the control plane. ``spare_pool_top_up_task`` is defined in services.py, next to the
function that queues it (so that services need not import this module); it is imported here so that
Celery's autodiscovery finds it in ``tenants.tasks``."""

from celery import shared_task

from tenants import services
from tenants.services import spare_pool_top_up_task

__all__ = ["login_handoff_purge", "spare_pool_top_up_task"]


@shared_task(name="tenants.login_handoff_purge", ignore_result=True)
def login_handoff_purge() -> int:
    return services.login_handoff_purge()
