"""TENANT schema: what every ERP area shares — document numbering, change history, settings, imports."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.jobs import BackgroundJob, JobStatus, LockKey, one_active_constraint

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
    # the seller's bank on the enterprise's VAT invoices (开户行及账号)
    bank_name = models.CharField(_("bank (开户行)"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("ERP settings")
        constraints = [models.CheckConstraint(condition=models.Q(singleton=True), name="erpsettings_singleton")]

    def __str__(self):
        return str(_("ERP settings"))


class ImportJob(BackgroundJob):
    """An Excel/CSV import: a background job of the enterprise (core.jobs: one queued or running at a time,
    the worker's advisory lock, a safe error text). The worker checks every row first (stage "validating")
    and writes all of them in one transaction only if none is bad (stage "writing"); `message` tells people
    the outcome, `errors` lists the rows to fix (the first 1000: {row, column, message}) and `error` is
    core.jobs' text for a job that stopped on a failure. Imports are the enterprise's record of what was
    loaded, so they are not pruned (`kept`)."""

    lock_key = LockKey.IMPORT
    kept = 1_000_000

    class Stage(models.TextChoices):
        VALIDATING = "validating", _("checking rows")
        WRITING = "writing", _("writing")

    STATUS_LABELS = {JobStatus.QUEUED: _("queued"), JobStatus.DONE: _("imported"), JobStatus.FAILED: _("rejected")}

    kind = models.CharField(_("import of"), max_length=30)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    written_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            one_active_constraint("importjob_one_active"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="importjob_progress_range"),
        ]

    @property
    def status_label(self) -> str:
        """What the pages show: the stage while it runs (checking rows, writing), else queued / imported / rejected."""
        if self.status == JobStatus.RUNNING:
            return str(self.Stage(self.stage).label if self.stage in self.Stage.values else self.get_status_display())
        return str(self.STATUS_LABELS.get(self.status, self.get_status_display()))
