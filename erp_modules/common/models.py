"""TENANT schema: what every ERP area shares — document numbering, change history, settings."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

QTY = {"max_digits": 18, "decimal_places": 4}
MONEY = {"max_digits": 18, "decimal_places": 4}
CURRENCY_DEFAULT = "CNY"


class DocumentSequence(models.Model):
    """Gap-free numbering per document type (PO-00001 …); advanced under a row lock."""

    code = models.CharField(max_length=30, unique=True)
    prefix = models.CharField(max_length=10)
    next_number = models.PositiveIntegerField(default=1)
    padding = models.PositiveSmallIntegerField(default=5)

    def __str__(self):
        return f"{self.prefix}{self.next_number:0{self.padding}d}"


class AuditEntry(models.Model):
    """Who changed what, when: written by services next to every change of a business document."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        STATUS = "status", _("status changed")
        POST = "post", _("posted")

    object_type = models.CharField(max_length=60)  # "<app_label>.<model>"
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False)
    user_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx")]


class ErpSettings(models.Model):
    """One row per enterprise (its schema): the switches the ERP areas read."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY_DEFAULT)
    vat_rate = models.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2, default=Decimal("13.00"))
    over_receipt_tolerance_pct = models.DecimalField(
        _("over-receipt tolerance %"), max_digits=5, decimal_places=2, default=Decimal("0"),
        help_text=_("0 refuses any receipt above the ordered quantity."))
    allow_partial_delivery = models.BooleanField(_("allow partial deliveries"), default=True)

    class Meta:
        verbose_name = _("ERP settings")
        constraints = [models.CheckConstraint(condition=models.Q(singleton=True), name="erpsettings_singleton")]

    def __str__(self):
        return str(_("ERP settings"))


class ImportJob(models.Model):
    """An Excel/CSV import run by a Celery task; every row is validated before anything is written."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        VALIDATING = "validating", _("checking rows")
        WRITING = "writing", _("writing")
        FAILED = "failed", _("rejected")
        DONE = "done", _("imported")

    kind = models.CharField(_("import of"), max_length=30)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    written_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first 1000: {row, column, message}
    message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))
