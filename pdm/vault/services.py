"""Writes of the document vault: documents and their versions, check-out / check-in, lock breaking, links to
part revisions, and the previews made in the background.

Storing. An upload is streamed once: hashed (SHA-256) and counted while it is copied into a temporary
file, refused past PDM_MAX_UPLOAD_MB (default 200). Its contents become a ``Blob``: the blob of that
SHA-256 if the enterprise stores it already (the same file uploaded twice is stored once), else a new one
saved by the tenant's storage. A new file whose row does not commit is deleted again (nothing
half-written).

Locks. ``document_check_out`` gives the document to one member; the row is locked (SELECT … FOR UPDATE)
while it is checked, so two members asking at once get one holder and one refusal naming the holder and
since when. Only the holder checks in (a new version with a comment, and the lock released); an
administrator may break the lock (audited, naming the holder). A document linked to a released part
revision is frozen: no check-out, no new version.

Previews. A stored file of a previewable type waits as "pending"; ``preview_request`` queues a
``PreviewJob`` (core.jobs: one per enterprise at a time) whose work makes the preview of every pending
file, one after the other, each in a child process with a time limit (pdm/vault/render.py): a PNG, an SVG,
or a GLB (the 3D view of a STEP model); a PDF also gets an image of each of its first 20 pages
(``PreviewPage``), stored with the file's preview in one transaction. A job asked
for while one is queued is not needed (the queued one will find the new file); the document page
offers to ask again when a file is still waiting and no job is active.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import field_error
from core.jobs import job_execute, job_request
from erp_modules.catalog.models import BomLine
from erp_modules.common.services import audit_record
from pdm.parts.models import PartRevision
from pdm.vault import selectors
from pdm.vault.error_codes import VaultErrorCode as Code
from pdm.vault.models import Blob, Document, DocumentLink, DocumentVersion, PreviewJob, PreviewPage

log = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = {
    ".dxf", ".dwg", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff",
    ".step", ".stp", ".igs", ".iges", ".stl", ".x_t", ".sldprt", ".sldasm", ".ipt", ".iam", ".prt",
    ".txt", ".csv", ".xlsx", ".xls", ".docx", ".doc", ".bin", ".hex", ".elf", ".s19", ".zip", ".7z",
}
PREVIEW_KINDS = {".dxf": "dxf", ".pdf": "pdf", ".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image",
                 ".webp": "image", ".bmp": "image", ".tif": "image", ".tiff": "image", ".step": "step", ".stp": "step"}
PREVIEW_EXTENSIONS = {"image/png": ".png", "image/svg+xml": ".svg", "model/gltf-binary": ".glb"}
NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
CHUNK = 1 << 20


def max_upload_bytes() -> int:
    return int(getattr(settings, "PDM_MAX_UPLOAD_MB", 200)) * 1024 * 1024


def preview_timeout_s() -> float:
    return float(getattr(settings, "PDM_PREVIEW_TIMEOUT_S", 60))


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def _who(user) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "email", "") or _("someone")) if user else _("someone")


def _since(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# ---- storing -----------------------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    name = unicodedata.normalize("NFC", os.path.basename(name or "")).strip().replace("\x00", "")
    return "".join(c for c in name if c not in '\\/:*?"<>|' and ord(c) >= 32)[:200]


def _checked_upload(file: UploadedFile | None, field: str = "file") -> tuple[str, str]:
    """(safe file name, lower-case extension) of an acceptable upload; a field error otherwise."""
    if file is None:
        raise field_error(field, _("Choose a file to upload."), Code.REQUIRED)
    name = _safe_name(file.name)
    ext = os.path.splitext(name)[1].lower()
    if not name or not os.path.splitext(name)[0] or ext not in ALLOWED_EXTENSIONS:
        raise field_error(field, _("Files of type %(ext)s are not accepted. Allowed: %(allowed)s")
                          % {"ext": ext or "?", "allowed": " ".join(sorted(ALLOWED_EXTENSIONS))},
                          Code.TYPE_NOT_ALLOWED)
    if file.size is not None and file.size > max_upload_bytes():
        raise _too_large(file.size, field)
    return name, ext


def _too_large(size: int, field: str = "file") -> ValidationError:
    return field_error(field, _("The file is %(size).1f MB; the limit is %(limit)d MB.")
                       % {"size": size / 1048576, "limit": max_upload_bytes() // 1048576}, Code.TOO_LARGE)


def _blob_store(*, chunks, ext: str, content_type: str, preview_status: str, field: str = "file") -> tuple[Blob, bool]:
    """The blob holding these contents: the existing one of the same SHA-256, or a new one (created=True).
    The contents are hashed and counted while they are copied into a temporary file, once."""
    digest, size, limit = hashlib.sha256(), 0, max_upload_bytes()
    with tempfile.TemporaryFile() as tmp:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise _too_large(size, field)
            digest.update(chunk)
            tmp.write(chunk)
        sha = digest.hexdigest()
        existing = Blob.objects.filter(sha256=sha).first()
        if existing is not None:
            return existing, False
        tmp.seek(0)
        blob = Blob(sha256=sha, size=size, extension=ext, content_type=content_type, preview_status=preview_status)
        blob.file.save(sha, File(tmp), save=False)
    try:
        blob.full_clean(validate_unique=False)
        with transaction.atomic():
            blob.save()
    except IntegrityError:  # the same contents were stored at the same moment by another request
        blob.file.delete(save=False)
        return Blob.objects.get(sha256=sha), False
    except Exception:
        blob.file.delete(save=False)
        raise
    return blob, True


def _store_upload(file: UploadedFile, ext: str, field: str = "file") -> tuple[Blob, bool]:
    if ext == ".dwg" or ext not in PREVIEW_KINDS:
        status = Blob.PreviewStatus.NONE
    else:
        status = Blob.PreviewStatus.PENDING
    blob, created = _blob_store(chunks=file.chunks(CHUNK), ext=ext, field=field, preview_status=status,
                                content_type=mimetypes.guess_type(f"x{ext}")[0] or "application/octet-stream")
    if created and status == Blob.PreviewStatus.NONE:
        note = Blob.PreviewNote.DWG if ext == ".dwg" else Blob.PreviewNote.UNSUPPORTED
        Blob.objects.filter(pk=blob.pk).update(preview_note=note)
        blob.preview_note = note
    return blob, created


def _upload_stored(file: UploadedFile | None, comment: str, problems: dict[str, ValidationError]
                   ) -> tuple[str, Blob, bool]:
    """Adds the comment's length and the upload's problems to the caller's ``problems`` and raises them all
    at once; with none, stores the upload: (file name, blob, created)."""
    if "comment" not in problems and len(comment) > 500:
        problems["comment"] = ValidationError(_("A comment has at most 500 characters."), code=str(Code.INVALID))
    try:
        name, ext = _checked_upload(file)
    except ValidationError as exc:
        problems.update({k: v[0] for k, v in exc.error_dict.items()})
    if problems:
        raise ValidationError(problems)
    blob, created = _store_upload(file, ext)
    return name, blob, created


def _version_add(*, document: Document, blob: Blob, file_name: str, comment: str, user) -> DocumentVersion:
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(document=document, number=number, blob=blob, file_name=file_name,
                              comment=comment, created_by=_user(user))
    version.full_clean()
    version.save()
    return version


@contextmanager
def _blob_used(blob: Blob, created: bool, user):
    """The body writes the rows that use ``blob``. If it fails, a file this upload created is removed again;
    if it succeeds, a new blob waiting for its preview gets one requested."""
    try:
        yield
        if created and blob.preview_status == Blob.PreviewStatus.PENDING:
            preview_request(user=user, quiet=True)
    except Exception:
        if created:
            blob.file.delete(save=False)
        raise


# ---- documents -----------------------------------------------------------------------------------------


@transaction.atomic
def document_create(*, number: str, title: str, kind: str, file: UploadedFile | None, comment: str = "",
                    user=None) -> Document:
    """A document and its version 1 from an upload. Every field's problem is reported at once."""
    number, title, comment = (number or "").strip(), (title or "").strip(), (comment or "").strip()
    problems: dict[str, ValidationError] = {}
    if not number:
        problems["number"] = ValidationError(_("Give the document a number."), code=str(Code.REQUIRED))
    elif len(number) > 40 or not NUMBER_RE.match(number):
        problems["number"] = ValidationError(
            _("A document number has at most 40 letters, digits and . _ / - characters."), code=str(Code.INVALID))
    elif Document.objects.filter(number__iexact=number).exists():
        problems["number"] = ValidationError(_("Document %(number)s exists already.") % {"number": number},
                                             code=str(Code.NUMBER_TAKEN))
    if not title:
        problems["title"] = ValidationError(_("Give the document a title."), code=str(Code.REQUIRED))
    elif len(title) > 200:
        problems["title"] = ValidationError(_("A title has at most 200 characters."), code=str(Code.INVALID))
    if kind not in Document.Kind.values:
        problems["kind"] = ValidationError(_("Choose the kind of document."), code=str(Code.INVALID))
    name, blob, created = _upload_stored(file, comment, problems)
    with _blob_used(blob, created, user):
        document = Document(number=number, title=title, kind=kind, created_by=_user(user))
        document.full_clean(validate_constraints=False)  # the number's case-blind uniqueness: checked above
        try:
            with transaction.atomic():  # a savepoint: a number taken since the check is refused, not a 500
                document.save()
        except IntegrityError as exc:
            diag = getattr(exc.__cause__, "diag", None)
            if getattr(diag, "table_name", None) != Document._meta.db_table or "number" not in (
                    getattr(diag, "constraint_name", None) or ""):
                raise
            raise field_error("number", _("Document %(number)s exists already.") % {"number": number},
                              Code.NUMBER_TAKEN) from None
        _version_add(document=document, blob=blob, file_name=name, comment=comment, user=user)
        audit_record(obj=document, action="create", user=user)
    return document


def _locked(document: Document) -> Document:
    locked = (Document.objects.select_for_update(of=("self",)).select_related("checked_out_by")
              .filter(pk=document.pk).first())
    if locked is None:
        raise ValidationError(_("Document not found."), code=str(Code.NOT_FOUND))
    return locked


def _refuse_frozen(document: Document) -> None:
    revision = selectors.document_frozen_by(document=document)
    if revision is not None:
        raise ValidationError(
            _("%(document)s is frozen: it belongs to %(revision)s, which is %(state)s.")
            % {"document": document.number, "revision": str(revision), "state": revision.get_state_display()},
            code=str(Code.FROZEN))


@transaction.atomic
def document_check_out(*, document: Document, user) -> Document:
    """Give the document to `user`. Refused (checked_out) while someone else holds it, naming who and since
    when; checking out a document one holds already changes nothing."""
    document = _locked(document)
    if document.checked_out_by_id is not None:
        if document.checked_out_by_id == getattr(user, "pk", None):
            return document
        raise ValidationError(_("%(document)s is checked out by %(holder)s since %(since)s.")
                              % {"document": document.number, "holder": _who(document.checked_out_by),
                                 "since": _since(document.checked_out_at)}, code=str(Code.CHECKED_OUT))
    _refuse_frozen(document)
    document.checked_out_by, document.checked_out_at = _user(user), timezone.now()
    if document.checked_out_by is None:
        raise ValidationError(_("Log in to check out a document."), code=str(Code.NOT_HOLDER))
    document.save(update_fields=["checked_out_by", "checked_out_at"])
    audit_record(obj=document, action="status", user=user, message=gettext_noop("Checked out"), message_params={})
    return document


@transaction.atomic
def document_check_in(*, document: Document, user, file: UploadedFile | None, comment: str) -> DocumentVersion:
    """A new version from the holder's upload, with a comment; the lock is released."""
    document = _locked(document)
    if document.checked_out_by_id is None:
        raise ValidationError(_("%(document)s is not checked out: check it out first.")
                              % {"document": document.number}, code=str(Code.NOT_CHECKED_OUT))
    if document.checked_out_by_id != getattr(user, "pk", None):
        raise ValidationError(_("Only %(holder)s, who checked %(document)s out, can check it in.")
                              % {"holder": _who(document.checked_out_by), "document": document.number},
                              code=str(Code.NOT_HOLDER))
    _refuse_frozen(document)
    comment = (comment or "").strip()
    problems: dict[str, ValidationError] = {}
    if not comment:
        problems["comment"] = ValidationError(_("Say what changed in this version."), code=str(Code.REQUIRED))
    name, blob, created = _upload_stored(file, comment, problems)
    with _blob_used(blob, created, user):
        version = _version_add(document=document, blob=blob, file_name=name, comment=comment, user=user)
        document.checked_out_by, document.checked_out_at = None, None
        document.save(update_fields=["checked_out_by", "checked_out_at"])
        audit_record(obj=document, action="update", user=user,
                     message=gettext_noop("Checked in version %(n)d: %(comment)s"),
                     message_params={"n": version.number, "comment": comment})
    return version


@transaction.atomic
def document_check_out_undo(*, document: Document, user) -> Document:
    """The holder gives the document back without a new version."""
    document = _locked(document)
    if document.checked_out_by_id is None:
        raise ValidationError(_("%(document)s is not checked out.") % {"document": document.number},
                              code=str(Code.NOT_CHECKED_OUT))
    if document.checked_out_by_id != getattr(user, "pk", None):
        raise ValidationError(_("Only %(holder)s, who checked %(document)s out, can undo the check-out.")
                              % {"holder": _who(document.checked_out_by), "document": document.number},
                              code=str(Code.NOT_HOLDER))
    document.checked_out_by, document.checked_out_at = None, None
    document.save(update_fields=["checked_out_by", "checked_out_at"])
    audit_record(obj=document, action="status", user=user, message=gettext_noop("Check-out undone"),
                 message_params={})
    return document


@transaction.atomic
def document_lock_break(*, document: Document, user) -> Document:
    """Release someone's check-out without a new version (administrators; the view checks the role).
    Audited, naming the holder and since when."""
    document = _locked(document)
    if document.checked_out_by_id is None:
        raise ValidationError(_("%(document)s is not checked out.") % {"document": document.number},
                              code=str(Code.NOT_CHECKED_OUT))
    holder, since = document.checked_out_by, document.checked_out_at
    document.checked_out_by, document.checked_out_at = None, None
    document.save(update_fields=["checked_out_by", "checked_out_at"])
    audit_record(obj=document, action="status", user=user,
                 message=gettext_noop("Lock broken: it was held by %(holder)s since %(since)s."),
                 message_params={"holder": _who(holder), "since": _since(since)})
    return document


@transaction.atomic
def document_link(*, document: Document, revision: PartRevision | None, bom_line: BomLine | None = None,
                  user=None) -> DocumentLink:
    """Link a document to a part revision (and optionally one line of its BOM). Refused when the revision
    is frozen (released, superseded, obsolete)."""
    if revision is None:
        raise field_error("revision", _("Choose a part revision."), Code.REQUIRED)
    revision = PartRevision.objects.select_for_update().select_related("part").get(pk=revision.pk)
    if revision.is_frozen:
        raise field_error("revision", _("%(revision)s is %(state)s: its documents can no longer change.")
                          % {"revision": str(revision), "state": revision.get_state_display()}, Code.REVISION_FROZEN)
    if bom_line is not None and (revision.bom_id is None or bom_line.bom_id != revision.bom_id):
        raise field_error("bom_line", _("That BOM line is not in the BOM of %(revision)s.")
                          % {"revision": str(revision)}, Code.BOM_LINE_MISMATCH)
    if DocumentLink.objects.filter(document=document, revision=revision, bom_line=bom_line).exists():
        raise field_error("revision", _("The document is linked to %(revision)s already.")
                          % {"revision": str(revision)}, Code.ALREADY_LINKED)
    link = DocumentLink(document=document, revision=revision, bom_line=bom_line, created_by=_user(user))
    link.full_clean(validate_constraints=False)
    link.save()
    audit_record(obj=document, action="update", user=user, message=gettext_noop("Linked to %(revision)s"),
                 message_params={"revision": str(revision)})
    return link


@transaction.atomic
def document_unlink(*, link: DocumentLink, user=None) -> None:
    revision = PartRevision.objects.select_for_update().select_related("part").get(pk=link.revision_id)
    if revision.freezes_documents:
        raise ValidationError(_("%(revision)s is %(state)s: its documents can no longer change.")
                              % {"revision": str(revision), "state": revision.get_state_display()},
                              code=str(Code.REVISION_FROZEN))
    document = link.document
    link.delete()
    audit_record(obj=document, action="update", user=user, message=gettext_noop("Unlinked from %(revision)s"),
                 message_params={"revision": str(revision)})


# ---- previews (a core.jobs background job) -------------------------------------------------------------


def preview_request(*, user=None, quiet: bool = False) -> PreviewJob | None:
    """Queue a preview job (sent to the worker when the caller's transaction commits). With quiet=True a job
    that is already queued or running is enough (None is returned); otherwise it is refused (preview_busy)."""

    def busy(active: PreviewJob | None) -> ValidationError:
        return ValidationError(_("Previews are being made already; wait for them to finish."),
                               code=str(Code.PREVIEW_BUSY))

    try:
        return job_request(PreviewJob, user=user, enqueue=lambda _job_id: preview_task.delay(), busy_error=busy)
    except ValidationError:
        if quiet:
            return None
        raise


def preview_execute(*, job_id: int | None = None) -> PreviewJob | None:
    """Run a preview job: the given one, or (job_id None) the enterprise's active one."""
    if job_id is None:
        active = PreviewJob.objects.filter(status__in=PreviewJob.ACTIVE_STATUSES).order_by("pk").first()
        if active is None:
            return None
        job_id = active.pk
    return job_execute(PreviewJob, job_id=job_id, work=_previews_make)


@shared_task(name="pdm.vault.previews")
def preview_task() -> str | None:
    """The active preview job of the enterprise whose schema the task was queued in (tenant-schemas-celery).
    It takes no id, so no id of one enterprise can name a job of another."""
    job = preview_execute()
    return job.status if job else None


def _previews_make(job: PreviewJob, publish) -> dict:
    done = 0
    while True:
        blob = selectors.blobs_waiting_for_preview().first()
        if blob is None:
            return {"processed": done}
        publish(min(99, 1 + done), "previews")
        try:
            with transaction.atomic():  # a savepoint: one file's failure leaves the others' work intact
                blob_preview_make(blob=blob)
        except Exception:  # one file must not stop the job (it would be picked again by every later job)
            log.exception("preview of blob %s failed", blob.pk)
            Blob.objects.filter(pk=blob.pk).update(preview_status=Blob.PreviewStatus.NONE,
                                                   preview_note=Blob.PreviewNote.BROKEN, preview=None)
        done += 1


def _render(kind: str, source: str, target: str) -> dict:
    """Run pdm/vault/render.py in a child process with the time limit; its one-line JSON answer."""
    try:
        out = subprocess.run([sys.executable, "-m", "pdm.vault.render", kind, source, target,
                              str(preview_timeout_s())],  # the child caps its own memory and CPU time
                             capture_output=True, text=True, timeout=preview_timeout_s(),
                             cwd=settings.BASE_DIR).stdout
    except subprocess.TimeoutExpired:
        return {"ok": False, "reason": "timeout"}
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"ok": False, "reason": "broken", "detail": "no answer"}


def _preview_store(path: Path, content_type: str, stored: list[Blob]) -> Blob:
    """The blob of one preview file (the same preview made twice is stored once); a new one is added to
    ``stored`` so that its file can be removed if the caller's transaction fails."""
    with path.open("rb") as fh:
        preview, created = _blob_store(chunks=iter(lambda: fh.read(CHUNK), b""), content_type=content_type,
                                       ext=PREVIEW_EXTENSIONS[content_type], preview_status=Blob.PreviewStatus.NONE)
    if created:
        stored.append(preview)
    return preview


def blob_preview_make(*, blob: Blob) -> Blob:
    """Make the preview of one stored file, store it as a blob, and record the outcome (or the reason there
    is none) on the file. A file that cannot be read gets "no preview" with its reason, never an error.
    A PDF's page images are stored with its preview, all or none."""
    kind = PREVIEW_KINDS.get(blob.extension)
    if kind is None:
        Blob.objects.filter(pk=blob.pk).update(
            preview_status=Blob.PreviewStatus.NONE,
            preview_note=Blob.PreviewNote.DWG if blob.extension == ".dwg" else Blob.PreviewNote.UNSUPPORTED)
        blob.refresh_from_db()
        return blob
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "preview"
        result = _render(kind, blob.file.path, str(target))
        if not result.get("ok") or not target.exists() or result.get("content_type") not in PREVIEW_EXTENSIONS:
            log.info("no preview for blob %s: %s", blob.pk, result.get("detail", result.get("reason")))
            note = {"timeout": Blob.PreviewNote.TIMEOUT, "too_large": Blob.PreviewNote.TOO_LARGE,
                    "model_too_large": Blob.PreviewNote.MODEL_TOO_LARGE}.get(
                result.get("reason"), Blob.PreviewNote.BROKEN)
            with transaction.atomic():
                PreviewPage.objects.filter(blob=blob).delete()
                Blob.objects.filter(pk=blob.pk).update(preview_status=Blob.PreviewStatus.NONE, preview_note=note,
                                                       preview=None, page_count=None)
            blob.refresh_from_db()
            return blob
        stored: list[Blob] = []
        try:
            with transaction.atomic():
                preview = _preview_store(target, result["content_type"], stored)
                PreviewPage.objects.filter(blob=blob).delete()
                pages = [name for name in result.get("pages", []) if re.fullmatch(r"page-\d+\.png", name)]
                for number, name in enumerate(pages, start=1):
                    PreviewPage.objects.create(blob=blob, number=number,
                                               image=_preview_store(Path(folder) / name, "image/png", stored))
                notes = [n for n in result.get("notes", []) if n in Blob.PreviewNote.values]
                Blob.objects.filter(pk=blob.pk).update(preview=preview, preview_status=Blob.PreviewStatus.READY,
                                                       preview_note=notes[0] if notes else "",
                                                       page_count=result.get("page_count") if pages else None)
        except Exception:
            for created in stored:  # their rows were rolled back: the new preview files must not stay behind
                created.file.delete(save=False)
            raise
    blob.refresh_from_db()
    return blob
