"""Running imports: a core.jobs background job (queued → running: checking rows, then writing → imported |
rejected). Every row is validated first; the rows are written all together in one transaction, or not at all.

The worker writes inside that transaction, so the live figures of the page (rows written so far) go
through the cache, keyed by the job (and, being the cache, by the enterprise's schema).

What can be imported is registered by the ERP area that owns the rows, in its AppConfig.ready(), so that
this module (at the bottom of the ERP layers) imports none of them::

    import_kind_register(importer=BomLineImporter, order=20)   # erp_modules.catalog

The import centre lists the kinds in ``order``; a kind is the importer's ``kind`` (stored on the job)."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import field_error
from core.imports import MAX_ERRORS_KEPT, Importer, import_validate, problems_workbook, read_table
from core.jobs import JobStatus, Progress, job_execute, job_request
from erp_modules.common.models import ImportJob

MAX_UPLOAD_BYTES = 30 * 1024 * 1024

_KINDS: dict[str, tuple[int, type[Importer]]] = {}  # kind -> (order, importer); filled at start-up only


def import_kind_register(*, importer: type[Importer], order: int) -> None:
    """Offer an import in the import centre (called by the owning area's AppConfig.ready())."""
    _KINDS[importer.kind] = (order, importer)


def _kinds() -> list[str]:
    return sorted(_KINDS, key=lambda kind: (_KINDS[kind][0], kind))


def importer_get(kind: str) -> Importer:
    if kind not in _KINDS:
        raise field_error("kind", _("Unknown import."), "unknown_kind")
    return _KINDS[kind][1]()


def importer_choices() -> list[tuple[str, str]]:
    return [(kind, str(importer_get(kind).title)) for kind in _kinds()]


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def _publish(job_id: int, stage: str, processed: int, total: int) -> None:
    cache.set(_progress_key(job_id), {"status": stage, "processed": processed, "total": total}, 3600)


def import_progress(*, job: ImportJob) -> dict:
    """Live figures (from the cache while the worker writes inside its transaction)."""
    live = cache.get(_progress_key(job.pk)) or {}
    return {"processed": live.get("processed", job.processed_rows), "total": live.get("total", job.total_rows),
            "status": live.get("status", job.status)}


def _busy(active: ImportJob | None) -> ValidationError:
    if active is None:  # another upload won the race (importjob_one_active)
        return field_error("file", _("Another import has just started; wait for it to finish."), "import_in_progress")
    return field_error("file", _("The import of %(name)s is not finished yet; wait for it before you upload the next "
                                 "file.") % {"name": active.original_name}, "import_in_progress")


def import_job_create(*, kind: str, file: UploadedFile | None, user) -> ImportJob:
    """Queue the import of an uploaded file (the Celery task is sent when this commits). Refused with code
    import_in_progress while another import of the enterprise is queued or running."""
    importer_get(kind)
    if file is None:
        raise field_error("file", _("Choose a file."), "required")
    if not file.name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        raise field_error("file", _("Upload an .xlsx or .csv file."), "file_type")
    if file.size > MAX_UPLOAD_BYTES:
        raise field_error("file", _("The file is larger than 30 MB."), "too_large")
    return job_request(ImportJob, user=user, enqueue=import_run.delay, busy_error=_busy, kind=kind, file=file,
                       original_name=file.name[:255])


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Validate every row; write all of them in one transaction only if none is bad (what the Celery task
    does; core.jobs leaves alone a job that is no longer queued or that another worker runs)."""
    return job_execute(ImportJob, job_id=job_id, work=_import_work)


@shared_task(name="erp_common.import_run")
def import_run(job_id: int) -> str | None:
    """One import of the enterprise whose schema the task was queued in (tenant-schemas-celery)."""
    job = import_job_run(job_id=job_id)
    return job.status if job else None


def _import_work(job: ImportJob, progress: Progress) -> dict | None:
    importer = importer_get(job.kind)
    try:
        try:
            with job.file.open("rb") as fh:
                frame = read_table(fh.read(), job.original_name)
        except ValueError as exc:  # unreadable file: read_table says why, for people
            return _rejected(job, message=str(exc)[:500])
        total = len(frame)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
        progress(5, ImportJob.Stage.VALIDATING)
        _publish(job.pk, ImportJob.Stage.VALIDATING, 0, total)
        rows, errors = import_validate(importer, frame)
        if errors:
            rows_to_fix = len({e.row for e in errors})
            return _rejected(job, processed_rows=total, error_count=len(errors),
                             errors=[e.report() for e in errors[:MAX_ERRORS_KEPT]],
                             message=_("%(n)d problems in %(rows)d rows; nothing was imported. Correct them all "
                                       "and upload the whole file again.") % {"n": len(errors), "rows": rows_to_fix})
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=total)
        progress(50, ImportJob.Stage.WRITING)
        _publish(job.pk, ImportJob.Stage.WRITING, 0, len(rows))
        with transaction.atomic():
            written = importer.write(rows, user=job.created_by,
                                     progress=lambda done: _publish(job.pk, ImportJob.Stage.WRITING, done, len(rows)))
        return {"written_rows": written, "message": _("%(n)d rows imported.") % {"n": written}}
    finally:
        cache.delete(_progress_key(job.pk))


def import_problems_file(*, job: ImportJob) -> bytes | None:
    """The rejected file given back to be corrected (core.imports.problems_workbook): every row of the upload —
    nothing of it was written, so all of it must come back — with its problems in a first column and the faulty
    cells marked. None when the job has no row to fix or its file cannot be read any more."""
    if job.status != JobStatus.FAILED or not any(int(e.get("row", 0)) > 1 for e in job.errors or []):
        return None
    try:
        with job.file.open("rb") as fh:
            frame = read_table(fh.read(), job.original_name)
    except (OSError, ValueError):
        return None
    return problems_workbook(frame, job.errors)


def import_problem_rows(*, job: ImportJob) -> list[dict]:
    """The job's problems for the page, also those stored before they named the header, value and fix."""
    return [{"row": e.get("row"), "header": e.get("header") or e.get("column", ""), "value": e.get("value", ""),
             "message": e.get("message", ""), "fix": e.get("fix", "")} for e in job.errors or []]


def _rejected(job: ImportJob, **fields) -> None:
    """A file that cannot be imported as it is: the job ends failed with what to fix (nothing was written)."""
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(), **fields)
