"""Celery tasks of MRP. The task a service queues is defined next to the function it runs (``mrp_run_task``
in services.py), so that the service queues it without importing this module; it is imported here so that
Celery's autodiscovery finds it in ``erp_modules.mrp.tasks``."""

from erp_modules.mrp.services import mrp_run_task

__all__ = ["mrp_run_task"]
