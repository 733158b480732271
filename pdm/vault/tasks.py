"""Celery tasks of the document vault. The task a service queues is defined next to the function it runs
(``preview_task`` in services.py); it is imported here so that Celery's autodiscovery finds it."""

from pdm.vault.services import preview_task

__all__ = ["preview_task"]
