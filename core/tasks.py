"""Celery tasks of core, and the base class of every task of the app.

`TenantTask` (config/celery_app.py: `CeleryApp(..., task_cls="core.tasks:TenantTask")`) is
tenant-schemas-celery's task (the worker switches to the schema the task was queued in) plus gates: before
a task runs, each gate registered with `task_gate_register` may say why it must not run here (the
enterprise's plan lacks the task's module: tenants.entitlements.task_plan_gate, registered by the tenants
app). Such a task is skipped, not failed: a log line, state IGNORED, no retry, no error mail. core knows
no domain: the gates are given to it by the layers above."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task
from celery.exceptions import Ignore
from django.db import connection
from tenant_schemas_celery.task import TenantTask as _SchemaTask

log = logging.getLogger(__name__)

_GATES: list[Callable[[object], str | None]] = []


def task_gate_register(gate: Callable[[object], str | None]) -> None:
    """Add a gate: gate(task) -> None (run) or the reason to skip it (logged). Idempotent."""
    if gate not in _GATES:
        _GATES.append(gate)


class TenantTask(_SchemaTask):
    abstract = True

    def before_start(self, task_id, args, kwargs):
        # Runs after tenant-schemas-celery's task_prerun switched the schema, inside Celery's trace, where
        # Ignore marks the task IGNORED (raised from a task_prerun receiver it would count as a failure).
        for gate in _GATES:
            reason = gate(self)
            if reason:
                log.info("task %s[%s] skipped in schema %s: %s", self.name, task_id, connection.schema_name, reason)
                raise Ignore(reason)
        return super().before_start(task_id, args, kwargs)


@shared_task(name="core.schema_probe")
def schema_probe() -> dict:
    """Diagnostics: which schema a task queued from a request or shell actually ran in."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        current = cursor.fetchone()[0]
    return {"schema_name": connection.schema_name, "current_schema": current}
