"""PostgreSQL advisory locks for one-at-a-time background jobs of an enterprise (MRP runs, the
availability check of sales orders).

A job's worker holds a session advisory lock keyed by (the job's lock class, hashtext(schema)) while it
works. A row marked "running" whose lock nobody holds belongs to a worker that died; a "queued" row
older than `queued_stale_after` was never picked up. Either may be marked failed so that the next
request is not refused for ever. The key carries the schema, so enterprises never wait for each other
(and the lock lives on the node that holds the schema when schemas are sharded).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from django.db import connection
from django.utils import timezone


@contextmanager
def schema_advisory_lock(lock_class: int):
    """Try to take the current enterprise's lock of this class for the database session; yields
    whether it did (and releases it afterwards)."""
    schema = getattr(connection, "schema_name", "public")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [lock_class, schema])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [lock_class, schema])


def job_is_stale(job, *, lock_class: int, running: str, queued_stale_after: timedelta) -> bool:
    """Whether an active job row can be given up: running without its worker's lock, or queued too long."""
    if job.status == running:
        with schema_advisory_lock(lock_class) as free:  # nobody holds it: the worker is gone
            return free
    return job.created_at < timezone.now() - queued_stale_after
