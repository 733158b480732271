from __future__ import annotations

import hashlib
import mimetypes
import os
import unicodedata

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp_modules.files.error_codes import FilesErrorCode
from erp_modules.files.models import Attachment

ALLOWED_EXTENSIONS = {
    ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".txt", ".csv", ".xlsx", ".xls", ".docx", ".doc",
    ".pptx", ".dwg", ".dxf", ".step", ".stp", ".igs", ".iges", ".stl", ".zip", ".7z",
}


def _safe_name(name: str) -> str:
    name = unicodedata.normalize("NFC", os.path.basename(name or "")).strip().replace("\x00", "")
    name = "".join(c for c in name if c not in '\\/:*?"<>|' and ord(c) >= 32)
    return name[:200] or "file"


@transaction.atomic
def attachment_upload(*, file: UploadedFile | None, title: str = "", uploaded_by=None) -> Attachment:
    if file is None:
        raise ValidationError({"file": ValidationError(_("Choose a file to upload."), code=FilesErrorCode.REQUIRED)})
    name = _safe_name(file.name)
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError({"file": ValidationError(
            _("Files of type %(ext)s are not accepted. Allowed: %(allowed)s")
            % {"ext": ext or "?", "allowed": " ".join(sorted(ALLOWED_EXTENSIONS))}, code=FilesErrorCode.TYPE_NOT_ALLOWED)})
    if file.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": file.size / 1048576, "limit": settings.ATTACHMENT_MAX_BYTES / 1048576},
            code=FilesErrorCode.TOO_LARGE)})
    attachment = Attachment(
        title=(title or "").strip() or os.path.splitext(name)[0], original_name=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream", size=file.size,
        uploaded_by=uploaded_by, created_at=timezone.now(),
    )
    attachment.file.save(name, file, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)  # nothing half-written: no orphan file without its row
        raise
    attachment_id = attachment.pk
    # Queued from this enterprise's schema: tenant-schemas-celery runs it in the same schema.
    transaction.on_commit(lambda: attachment_checksum.delay(attachment_id))
    return attachment


def attachment_compute_checksum(*, attachment_id: int) -> Attachment | None:
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return None
    digest = hashlib.sha256()
    with attachment.file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    Attachment.objects.filter(pk=attachment_id).update(sha256=digest.hexdigest())
    attachment.sha256 = digest.hexdigest()
    return attachment


@shared_task(name="files.attachment_checksum")
def attachment_checksum(attachment_id: int) -> str | None:
    """The checksum of an uploaded file, computed after the upload commits (in its enterprise's schema)."""
    attachment = attachment_compute_checksum(attachment_id=attachment_id)
    return attachment.sha256 if attachment else None


@transaction.atomic
def attachment_delete(*, attachment_id: int) -> None:
    attachment = Attachment.objects.select_for_update().filter(pk=attachment_id).first()
    if attachment is None:
        raise ValidationError(_("File not found."), code=FilesErrorCode.NOT_FOUND)
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(path))
