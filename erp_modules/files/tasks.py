"""Celery tasks of the files area. The task a service queues is defined next to the function it runs
(``attachment_checksum`` in services.py), so that the service queues it without importing this module; it
is imported here so that Celery's autodiscovery finds it in ``erp_modules.files.tasks``."""

from erp_modules.files.services import attachment_checksum

__all__ = ["attachment_checksum"]
