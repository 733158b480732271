"""Celery tasks of the ERP's shared area. The task a service queues is defined next to the function it
runs (``import_run`` in imports.py), so that the service queues it without importing this module; it is
imported here so that Celery's autodiscovery finds it in ``erp_modules.common.tasks``."""

from erp_modules.common.imports import import_run

__all__ = ["import_run"]
