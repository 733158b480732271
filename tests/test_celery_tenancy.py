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


# ---- every task of the app (issue 19) ---------------------------------------------------------------

# Tasks that take the id of a tenant object: queued from A with B's ids on the real worker below.
TENANT_ID_TASKS = ("sales.availability_check", "mrp.run", "erp_common.import_run", "files.attachment_checksum")
# Every other task of the app, and why it cannot carry one enterprise's id into another's schema.
OTHER_TASKS = {
    "ecommerce.trade_order_sales": "public schema: a TradeOrder id is global; the task switches into the supplier named "
                                   "on that row (never an id from a request)",
    "ecommerce.capacity_listings_refresh": "no id: recomputes the capacity listings of the enterprise whose schema it runs in",
    "ecommerce.capacity_listings_refresh_all": "beat: queues one capacity_listings_refresh per enterprise with capacity "
                                               "listings, each in its own schema",
    "inventory.month_end_close": "no id: closes the month of the schema it was queued from (tested below)",
    "inventory.month_end_close_all": "beat: queues one close per enterprise, each in its own schema",
    "core.schema_probe": "no id: reports the schema it runs in (tested above)",
    "ecommerce.listings_expire": "public schema, no id: expires due listings of every enterprise",
    "ecommerce.listing_matches_refresh": "public schema: a listing id is global; queued by the board services "
                                         "for the listing just saved",
    "ecommerce.notification_email": "public schema: a notification id is global; sent to its own user",
    "govdata.sync_nightly": "public schema (government data), no enterprise's private data",
    "govdata.sync_run_execute": "public schema (government data): a run id is global",
    "programs.adoption_snapshot_all": "beat: queues one snapshot per enterprise, each in its own schema",
    "programs.adoption_snapshot_enterprise": "no id: counts the schema it was queued from",
    "pdm.vault.previews": "no id: runs the active preview job of the schema it was queued from",
    "programs.monthly_report": "public schema: the office's city-wide report",
    "programs.monthly_report_build": "public schema: a report id is global (office only)",
    "programs.programme_reevaluate": "public schema: a programme id is global (office only)",
    "logistics.tracking_subscribe": "parcel ids, read only in the schema it was queued from (the shipments' "
                                    "booking hook queues it inside that enterprise, after the commit); a push for "
                                    "another schema's parcel is refused by its token (logistics/tracking/tests)",
    "logistics.tracking_poll_due": "no id: polls the due subscriptions of the schema it was queued from",
    "logistics.tracking_poll_due_all": "beat: queues one poll per enterprise, each in its own schema",
    "logistics.tracking_no_news_check": "no id: opens no-news tasks in the schema it was queued from",
    "logistics.tracking_no_news_all": "beat: queues one check per enterprise, each in its own schema",
    "tenants.spare_pool_top_up": "provisioning: makes empty schemas",
    "tenants.login_handoff_purge": "public schema: deletes expired log-in hand-off tickets",
    "billing.past_due_read_only": "beat, public schema, no id: makes read-only each enterprise whose grace period "
                                  "ended (billing.entitlements.entitlements_apply)",
    "billing.bank_transfer_periods": "beat, public schema, no id: advances every bank-transfer subscription",
    "billing.dunning_send": "beat, public schema, no id: e-mails the owners of past-due subscriptions",
    "billing.provider_event_process": "public schema: a provider event id is global; the event's object is re-read "
                                      "from the provider and matched to its subscription by the provider's id",
    "billing.subsidy_statements_monthly": "beat, public schema: builds the programmes' monthly statements",
    "logistics.tracking_pushes_ingest": "no id: ingests the stored pushes of the schema it was queued from (each "
                                        "push was matched to that schema by its callback token)",
}


@pytest.mark.django_db
def test_every_task_of_the_app_is_classified():
    """A new task fails here until it is classified (and, taking a tenant id, walked below)."""
    from config.celery_app import app

    app.loader.import_default_modules()
    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert ours == set(TENANT_ID_TASKS) | set(OTHER_TASKS), sorted(ours ^ (set(TENANT_ID_TASKS) | set(OTHER_TASKS)))


def _queued_rows(text: str, status: str = "queued") -> dict:
    """In the current schema: an availability check, an MRP run and an import job (queued unless told),
    and an attachment without its checksum — rows only, nothing queued — so that the same ids exist in
    both schemas."""
    from django.utils import timezone

    from erp_modules.common.models import ImportJob
    from erp_modules.mrp.models import MrpRun
    from erp_modules.sales.models import AvailabilityCheck

    job = ImportJob(kind="items", original_name="items.csv", status=status)
    job.file.save("items.csv", SimpleUploadedFile("items.csv", f"code,name\n{text}-X,{text}\n".encode()), save=False)
    job.save()
    attachment = Attachment(title=text, original_name="x.pdf", size=len(text), created_at=timezone.now())
    attachment.file.save("x.pdf", SimpleUploadedFile("x.pdf", text.encode()), save=False)
    attachment.save()
    return {"sales.availability_check": AvailabilityCheck.objects.create(status=status).pk,
            "mrp.run": MrpRun.objects.create(status=status).pk,
            "erp_common.import_run": job.pk, "files.attachment_checksum": attachment.pk}


def _rows(enterprise) -> dict:
    from erp_modules.common.models import ImportJob
    from erp_modules.inventory.models import SnapshotPeriod
    from erp_modules.mrp.models import MrpRun
    from erp_modules.sales.models import AvailabilityCheck

    with tenant_context(enterprise):
        rows = {"sales.availability_check": list(AvailabilityCheck.objects.order_by("pk").values()),
                "mrp.run": list(MrpRun.objects.order_by("pk").values()),
                "erp_common.import_run": list(ImportJob.objects.order_by("pk").values()),
                "files.attachment_checksum": list(Attachment.objects.order_by("pk").values()),
                "snapshots": list(SnapshotPeriod.objects.order_by("pk").values())}
    connection.set_schema_to_public()
    return rows


def test_tasks_queued_in_a_with_b_ids_never_touch_b(clean_schemas, celery_worker_process, make_enterprise):
    """Each task taking a tenant id, queued from A with the id of B's object: A's object of that id is the
    one worked on (or, for an id A does not have, nothing), and not one of B's rows changes."""
    from config.celery_app import app
    from erp_modules.inventory.tasks import month_end_close

    a = make_enterprise(slug="celery-iso-a")
    b = make_enterprise(slug="celery-iso-b")
    with tenant_context(b):
        b_ids = _queued_rows("B secret")
        b_only = _queued_rows("B secret 2", status="done")  # ids A does not have (one active check at a time)
    with tenant_context(a):
        a_ids = _queued_rows("A")
    connection.set_schema_to_public()
    assert a_ids == b_ids  # the same ids in both schemas
    b_before = _rows(b)
    results = {}
    with tenant_context(a):
        for name in TENANT_ID_TASKS:
            task = app.tasks[name]
            results[name] = task.delay(b_ids[name]).get(timeout=60)
            try:
                results[f"{name} (id only in B)"] = task.delay(b_only[name]).get(timeout=60)
            except Exception as exc:  # a task that reads its row with .get() fails: nothing was read
                results[f"{name} (id only in B)"] = type(exc).__name__
        results["inventory.month_end_close"] = month_end_close.delay().get(timeout=60)
    connection.set_schema_to_public()
    assert _rows(b) == b_before, "a task queued in A changed B's rows"
    a_after = _rows(a)
    assert len(a_after["snapshots"]) == 1 and b_before["snapshots"] == []
    for name in TENANT_ID_TASKS:
        row = next(r for r in a_after[name] if r["id"] == a_ids[name])
        assert row.get("status", "worked") != "queued" and row.get("sha256", "worked") != "", (name, row)
        assert results[f"{name} (id only in B)"] in (None, "DoesNotExist"), (name, results)
    import hashlib

    assert results["files.attachment_checksum"] == hashlib.sha256(b"A").hexdigest()  # A's file was read, not B's
    print(f"\nTask isolation: {len(TENANT_ID_TASKS)} tasks taking tenant ids (+ month-end close) queued from A "
          f"with B's ids: {results}")
