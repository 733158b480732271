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
