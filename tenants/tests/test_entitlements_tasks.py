"""Celery tasks of a module that is off are skipped (a log line, not a failure), on a real worker process and
the real broker: core.tasks.TenantTask asks tenants.entitlements.task_plan_gate in the task's schema."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from erp_modules.files.tasks import attachment_checksum
from erp_modules.inventory.models import SnapshotPeriod
from erp_modules.inventory.tasks import month_end_close, month_end_close_all
from logistics.tracking.tasks import tracking_poll_due
from pdm.vault.services import preview_task
from tenants.entitlements import module_for_package
from tenants.models import Enterprise


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _worker_log() -> str:
    return (Path(settings.DATA_DIR) / f"test-worker-{os.getpid()}.log").read_text(errors="replace")


def test_each_task_belongs_to_the_module_of_its_code():
    assert module_for_package(month_end_close.__module__) == "erp"
    assert module_for_package(preview_task.__module__) == "pdm"
    assert module_for_package(tracking_poll_due.__module__) == "logistics"
    assert module_for_package(attachment_checksum.__module__) is None  # the document library: every plan
    assert module_for_package("tenants.services") is None and module_for_package("core.tasks") is None


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_module_that_is_off_is_skipped_and_b_runs_it(clean_schemas, celery_worker_process,
                                                                  make_enterprise):
    a = make_enterprise(slug="task-plan-a")
    b = make_enterprise(slug="task-plan-b")
    Enterprise.objects.filter(pk=a.pk).update(modules=["erp", "logistics"])  # PDM off for A only
    with tenant_context(a):
        skipped = preview_task.delay()
    with tenant_context(b):
        assert preview_task.delay().get(timeout=30) is None  # ran: B has no preview job waiting
    # the solo worker takes the queue in order: A's task came first and was skipped, not failed
    assert _wait_for(lambda: "skipped in schema %s" % a.schema_name in _worker_log())
    log = _worker_log()
    assert f"pdm.vault.previews[{skipped.id}] skipped in schema {a.schema_name}: module 'pdm' is not in the plan " \
           f"of enterprise task-plan-a" in log
    assert skipped.state == "PENDING"  # ignored: no result, no failure, no retry
    assert "Traceback" not in log


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_month_end_close_fan_out_closes_only_where_erp_is_on(clean_schemas, celery_worker_process,
                                                                  make_enterprise):
    a = make_enterprise(slug="task-erp-a")
    b = make_enterprise(slug="task-erp-b")
    Enterprise.objects.filter(pk=a.pk).update(modules=[])  # the boards-only plan
    month_end_close_all.delay()  # the beat task: runs in the public schema, queues one close per enterprise
    with tenant_context(b):
        assert _wait_for(lambda: SnapshotPeriod.objects.exists())
    assert _wait_for(lambda: "inventory.month_end_close" in _worker_log()
                     and f"skipped in schema {a.schema_name}" in _worker_log())
    with tenant_context(a):
        assert not SnapshotPeriod.objects.exists()
