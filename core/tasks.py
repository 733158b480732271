from celery import shared_task
from django.db import connection


@shared_task(name="core.schema_probe")
def schema_probe() -> dict:
    """Diagnostics: which schema a task queued from a request or shell actually ran in."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        current = cursor.fetchone()[0]
    return {"schema_name": connection.schema_name, "current_schema": current}
