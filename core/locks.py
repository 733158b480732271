"""PostgreSQL advisory locks for one-at-a-time background jobs of an enterprise (core.jobs: MRP runs,
the availability check of sales orders, …).

A job's worker holds a session advisory lock keyed by (the job's lock class, hashtext(schema)) while it
works; a row marked "running" whose lock nobody holds belongs to a worker that died (core.jobs gives it
up). The key carries the schema, so enterprises never wait for each other (and the lock lives on the
node that holds the schema when schemas are sharded).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


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
