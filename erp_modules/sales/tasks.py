"""Celery tasks of sales. The task a service queues is defined next to the function it runs
(``availability_check_task`` in services/availability.py, as MRP's), so that the service queues it without
importing this module; it is imported here so that Celery's autodiscovery finds it."""

from erp_modules.sales.services.availability import availability_check_task

__all__ = ["availability_check_task"]
