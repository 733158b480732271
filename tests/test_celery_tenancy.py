"""Tasks queued inside an enterprise run in that enterprise's schema, on a real worker process
and the real broker (no eager mode)."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context

from core.tasks import schema_probe
from erp_modules.files.models import Attachment
from erp_modules.files.services import attachment_upload
from erp_modules.files.tasks import attachment_checksum

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_task_runs_in_the_schema_it_was_queued_from(clean_schemas, celery_worker_process, make_enterprise):
    a = make_enterprise(slug="celery-a")
    b = make_enterprise(slug="celery-b")
    with tenant_context(a):
        seen_a = schema_probe.delay().get(timeout=30)
    with tenant_context(b):
        seen_b = schema_probe.delay().get(timeout=30)
    seen_public = schema_probe.delay().get(timeout=30)
    assert seen_a == {"schema_name": a.schema_name, "current_schema": a.schema_name}
    assert seen_b == {"schema_name": b.schema_name, "current_schema": b.schema_name}
    assert seen_public["schema_name"] == "public"


def test_a_task_queued_in_a_cannot_read_b(clean_schemas, celery_worker_process, make_enterprise):
    a = make_enterprise(slug="celery-c")
    b = make_enterprise(slug="celery-d")
    with tenant_context(b):
        b_file = attachment_upload(file=SimpleUploadedFile("b.pdf", b"only B may read this"), title="B")
    # The upload queued its own checksum task in B's schema; wait for the worker to fill it in.
    with tenant_context(b):
        assert _wait_for(lambda: Attachment.objects.get(pk=b_file.pk).sha256 != "")
        b_digest = Attachment.objects.get(pk=b_file.pk).sha256
    # Queued from A with B's id: A has no such row, so the task finds nothing and touches nothing.
    with tenant_context(a):
        assert attachment_checksum.delay(b_file.pk).get(timeout=30) is None
    with tenant_context(a):
        a_file = attachment_upload(file=SimpleUploadedFile("a.pdf", b"A's own drawing"), title="A")
        assert _wait_for(lambda: Attachment.objects.get(pk=a_file.pk).sha256 != "")
        a_digest = Attachment.objects.get(pk=a_file.pk).sha256
    import hashlib

    assert a_digest == hashlib.sha256(b"A's own drawing").hexdigest()
    assert b_digest == hashlib.sha256(b"only B may read this").hexdigest()
    assert a_file.pk == b_file.pk  # same id, different schemas, different results
    connection.set_schema_to_public()
