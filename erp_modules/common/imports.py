"""Running imports: the job lifecycle (queued → checking rows → writing → imported | rejected)."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.errors import field_error
from core.imports import MAX_ERRORS_KEPT, Importer, import_validate, read_table
from erp_modules.common.models import ImportJob

log = logging.getLogger(__name__)

IMPORTERS = {
    "items": "erp_modules.catalog.importers.ItemImporter",
    "bom_lines": "erp_modules.catalog.importers.BomLineImporter",
    "opening_stock": "erp_modules.inventory.importers.OpeningStockImporter",
    "partners": "erp_modules.partners.importers.PartnerImporter",
}
MAX_UPLOAD_BYTES = 30 * 1024 * 1024


def importer_get(kind: str) -> Importer:
    if kind not in IMPORTERS:
        raise field_error("kind", _("Unknown import."), "unknown_kind")
    return import_string(IMPORTERS[kind])()


def importer_choices() -> list[tuple[str, str]]:
    return [(kind, str(importer_get(kind).title)) for kind in IMPORTERS]


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def import_progress(*, job: ImportJob) -> dict:
    """Live figures (from the cache while the worker writes inside its transaction)."""
    live = cache.get(_progress_key(job.pk)) or {}
    return {"processed": live.get("processed", job.processed_rows), "total": live.get("total", job.total_rows),
            "status": live.get("status", job.status)}


@transaction.atomic
def import_job_create(*, kind: str, file: UploadedFile | None, user) -> ImportJob:
    importer_get(kind)
    if file is None:
        raise field_error("file", _("Choose a file."), "required")
    if not file.name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        raise field_error("file", _("Upload an .xlsx or .csv file."), "file_type")
    if file.size > MAX_UPLOAD_BYTES:
        raise field_error("file", _("The file is larger than 30 MB."), "too_large")
    job = ImportJob(kind=kind, original_name=file.name[:255], created_by=user if user.is_authenticated else None)
    job.file.save(file.name, file, save=False)
    job.save()
    from erp_modules.common.tasks import import_run

    job_id = job.pk
    transaction.on_commit(lambda: import_run.delay(job_id))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Validate every row; write all of them in one transaction only if none is bad."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (ImportJob.Status.QUEUED,):
        return job
    importer = importer_get(job.kind)
    key = _progress_key(job.pk)

    def publish(status: str, processed: int, total: int) -> None:
        cache.set(key, {"status": status, "processed": processed, "total": total}, 3600)

    try:
        with job.file.open("rb") as fh:
            frame = read_table(fh.read(), job.original_name)
        job.status, job.total_rows = ImportJob.Status.VALIDATING, len(frame)
        job.save(update_fields=["status", "total_rows"])
        publish(job.status, 0, job.total_rows)
        rows, errors = import_validate(importer, frame)
        job.processed_rows = job.total_rows
        if errors:
            job.status = ImportJob.Status.FAILED
            job.error_count = len(errors)
            job.errors = [e.as_dict() for e in errors[:MAX_ERRORS_KEPT]]
            job.message = _("%(n)d problems found; nothing was imported.") % {"n": len(errors)}
        else:
            job.status = ImportJob.Status.WRITING
            job.save(update_fields=["status", "processed_rows"])
            publish(job.status, 0, len(rows))

            def progress(done: int) -> None:
                publish(ImportJob.Status.WRITING, done, len(rows))

            with transaction.atomic():
                written = importer.write(rows, user=job.created_by, progress=progress)
            job.status, job.written_rows = ImportJob.Status.DONE, written
            job.message = _("%(n)d rows imported.") % {"n": written}
    except ValueError as exc:  # unreadable file
        job.status, job.message = ImportJob.Status.FAILED, str(exc)[:500]
    except Exception as exc:
        log.exception("import %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.message = (_("The import stopped: %(error)s; nothing was imported.") % {"error": exc})[:500]
        if hasattr(exc, "messages"):
            job.message = ("; ".join(exc.messages))[:500]
    job.finished_at = timezone.now()
    job.save()
    cache.delete(key)
    return job
