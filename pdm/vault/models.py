"""TENANT schema: the document vault — documents with versions, their stored contents, links to part
revisions and BOM lines, and the background job that makes previews.

Contents are ``Blob`` rows: one per distinct SHA-256 in the enterprise, the file kept by django-tenants'
TenantFileSystemStorage under MEDIA_ROOT/<schema>/pdm/blobs/ and served only through views that check the
member's role (never a public URL). The same file uploaded twice is stored once. A preview is a blob too
(a PNG, an SVG, or a GLB for the 3D view of a STEP model), made in the background by ``PreviewJob``
(core.jobs); a PDF also has one ``PreviewPage`` image per page (the first 20).

A document has no lifecycle of its own: it follows the part revisions it is linked to, and is frozen
(no check-out, no new version) once one of them is released (or superseded, or obsolete)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.jobs import BackgroundJob, LockKey, one_active_constraint


def blob_path(instance, filename: str) -> str:
    return f"pdm/blobs/{instance.sha256[:2]}/{instance.sha256}"


class Blob(models.Model):
    class PreviewStatus(models.TextChoices):
        PENDING = "pending", _("preview being made")
        READY = "ready", _("preview ready")
        NONE = "none", _("no preview")

    class PreviewNote(models.TextChoices):
        DWG = "dwg", _("DWG files get no preview: please also upload the drawing as DXF or PDF.")
        UNSUPPORTED = "unsupported", _("No preview is made for files of this type.")
        BROKEN = "broken", _("No preview: the file could not be read (it may be damaged or not what its name says).")
        TIMEOUT = "timeout", _("No preview: making it took too long.")
        TOO_LARGE = "too_large", _("No preview: the image is too large.")
        NO_CJK_FONT = "no_cjk_font", _("Chinese text may be missing from this preview: no Chinese font is installed on the server.")
        MODEL_TOO_LARGE = "model_too_large", _("No 3D view: the model is too large to show in the browser.")

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    file = models.FileField(_("file"), upload_to=blob_path, max_length=200)
    extension = models.CharField(_("extension"), max_length=10, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    preview = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("preview"))
    preview_status = models.CharField(_("preview"), max_length=10, choices=PreviewStatus.choices,
                                      default=PreviewStatus.PENDING)
    preview_note = models.CharField(_("preview note"), max_length=20, choices=PreviewNote.choices, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)  # of a PDF, when previewed
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        indexes = [models.Index(fields=["preview_status"], name="pdm_blob_preview_status_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                                              name="pdm_blob_sha256_hex")]

    def __str__(self):
        return self.sha256[:12]


class Document(models.Model):
    class Kind(models.TextChoices):
        DRAWING = "drawing", _("drawing")
        MODEL_3D = "model_3d", _("3D model")
        SPECIFICATION = "specification", _("specification")
        TEST_REPORT = "test_report", _("test report")
        FIRMWARE = "firmware", _("firmware image")
        OTHER = "other", _("other")

    number = models.CharField(_("document number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DRAWING)
    checked_out_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", db_constraint=False, verbose_name=_("checked out by"))
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [models.CheckConstraint(
            condition=models.Q(checked_out_by__isnull=True, checked_out_at__isnull=True)
            | models.Q(checked_out_by__isnull=False, checked_out_at__isnull=False),
            name="pdm_document_checkout_complete"),
            # numbers are unique whatever their case (document_create checks first, the database decides a race)
            models.UniqueConstraint(Lower("number"), name="pdm_document_number_ci_unique")]

    def __str__(self):
        return f"{self.number} {self.title}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions",
                                 verbose_name=_("document"))
    number = models.PositiveIntegerField(_("version"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    file_name = models.CharField(_("file name"), max_length=200)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="versions", verbose_name=_("stored file"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="pdm_docversion_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="pdm_docversion_number_positive"),
        ]

    def __str__(self):
        return f"{self.document.number} v{self.number}"


class DocumentLink(models.Model):
    """A document belongs to a part revision, optionally to one of the lines of that revision's BOM."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links", verbose_name=_("document"))
    revision = models.ForeignKey("pdm_parts.PartRevision", on_delete=models.PROTECT, related_name="document_links",
                                 verbose_name=_("part revision"))
    bom_line = models.ForeignKey("catalog.BomLine", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("BOM line"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("linked by"))
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        ordering = ["document", "revision", "pk"]
        verbose_name = _("document link")
        verbose_name_plural = _("document links")
        constraints = [
            models.UniqueConstraint(fields=["document", "revision"], condition=models.Q(bom_line__isnull=True),
                                    name="pdm_doclink_revision_unique"),
            models.UniqueConstraint(fields=["document", "revision", "bom_line"],
                                    condition=models.Q(bom_line__isnull=False), name="pdm_doclink_line_unique"),
        ]

    def __str__(self):
        return f"{self.document.number} → {self.revision_id}"


class PreviewPage(models.Model):
    """The image of one page of a previewed file (a PDF): the first pages, up to render.PDF_MAX_PAGES;
    ``Blob.page_count`` says how many the file has."""

    blob = models.ForeignKey(Blob, on_delete=models.CASCADE, related_name="preview_pages",
                             verbose_name=_("stored file"))
    number = models.PositiveIntegerField(_("page"))
    image = models.ForeignKey(Blob, on_delete=models.CASCADE, related_name="+", verbose_name=_("page image"))

    class Meta:
        ordering = ["blob", "number"]
        verbose_name = _("page preview")
        verbose_name_plural = _("page previews")
        constraints = [
            models.UniqueConstraint(fields=["blob", "number"], name="pdm_previewpage_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="pdm_previewpage_number_positive"),
        ]

    def __str__(self):
        return f"{self.blob} p{self.number}"


class PreviewJob(BackgroundJob):
    """Makes the previews of every stored file still waiting for one (one job at a time per enterprise)."""

    lock_key = LockKey.PDM_PREVIEW
    processed = models.PositiveIntegerField(_("previews made"), default=0)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("preview job")
        verbose_name_plural = _("preview jobs")
        constraints = [one_active_constraint("pdm_previewjob_one_active")]
