"""Celery tasks of government data (public schema). They call services; no logic here."""

from celery import shared_task
from django.db import connection

from api.govdata import services


@shared_task(name="govdata.sync_nightly", ignore_result=True)
def sync_nightly() -> int:
    """Beat: every night, the exchange folder then the centre's API."""
    connection.set_schema_to_public()
    return services.sync_nightly().pk


@shared_task(name="govdata.sync_run_execute", ignore_result=True)
def sync_run_execute(run_id: int) -> None:
    """A run the office queued from its pages."""
    connection.set_schema_to_public()
    services.sync_run_execute(run_id=run_id)
