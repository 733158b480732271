"""TENANT schema: the enterprise's document library (drawings, certificates, contracts ...).

Files are stored under MEDIA_ROOT/<schema>/ by django-tenants' TenantFileSystemStorage and are
only ever served through a view that checks the membership of the requesting user."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def attachment_path(instance, filename: str) -> str:
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, blank=True, help_text="filled in by a background task")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", db_constraint=False)
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at"], name="attachment_created_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(size__gte=0), name="attachment_size_nonnegative")]

    def __str__(self):
        return self.title
