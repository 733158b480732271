"""PUBLIC schema: what an enterprise shares with a design partner (another enterprise of the platform).

A ``Share`` names one object in the owner's schema — a part revision or a document — by its id, as a plain
number (a public row never points at a tenant row with a foreign key), with a snapshot ``label`` (part
number and revision, or document number and title) so that listing shares reads the public schema only.
The partner reads the object inside the owner's schema (``tenant_context``), by that id only, and only
while the share is active (not revoked). One active share per owner, partner, kind and object (a partial
unique index); a revoked share stays as a record of who shared what, when, and who took it back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Share(models.Model):
    class Kind(models.TextChoices):
        REVISION = "revision", _("part revision")
        DOCUMENT = "document", _("document")

    class Mode(models.TextChoices):
        READ = "read", _("read only")
        UPLOAD = "upload", _("may upload new versions for review")

    owner = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("shared by"))
    partner = models.ForeignKey("tenants.Enterprise", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("partner"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    label = models.CharField(_("what"), max_length=300)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.READ)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("shared by"))
    created_at = models.DateTimeField(_("shared at"), auto_now_add=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("revoked by"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("share with a design partner")
        verbose_name_plural = _("shares with design partners")
        constraints = [
            models.UniqueConstraint(fields=["owner", "partner", "kind", "object_id"],
                                    condition=models.Q(revoked_at__isnull=True), name="pdm_share_one_active"),
            models.CheckConstraint(condition=~models.Q(owner=models.F("partner")), name="pdm_share_not_self"),
            models.CheckConstraint(condition=models.Q(kind__in=["revision", "document"]), name="pdm_share_kind"),
            models.CheckConstraint(condition=models.Q(mode="read") | models.Q(mode="upload", kind="document"),
                                   name="pdm_share_upload_documents_only"),
        ]
        indexes = [models.Index(fields=["partner", "revoked_at"], name="pdm_share_partner_idx"),
                   models.Index(fields=["owner", "kind", "object_id"], name="pdm_share_object_idx")]

    def __str__(self):
        return f"{self.label} → {self.partner_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
