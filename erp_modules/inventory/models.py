"""TENANT schema: warehouses, locations, lots, serials, and the stock ledger.

The ledger (StockMove) is append-only: rows are never updated or deleted (a database trigger
refuses it); a correction is a new row that points at the one it corrects. StockBalance holds
the current on-hand per item × location × lot and ItemValuation the quantity and value per item
(moving average), both written in the same transaction as each move, so current figures never
scan the ledger. StockSnapshot holds period-end figures for reports as of a past date.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp_modules.common.models import MONEY, QTY


class Warehouse(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self):
        return f"{self.code} {self.name}"


class Location(models.Model):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="locations")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100, blank=True)
    is_default = models.BooleanField(_("default location of the warehouse"), default=False)
    allow_negative = models.BooleanField(_("allow negative stock"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse__code", "code"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="location_code_unique"),
            models.UniqueConstraint(fields=["warehouse"], condition=models.Q(is_default=True),
                                    name="location_one_default_per_warehouse"),
        ]

    def __str__(self):
        return f"{self.warehouse.code}/{self.code}"


class Lot(models.Model):
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="lots")
    code = models.CharField(_("lot"), max_length=50)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    supplier_lot = models.CharField(_("supplier lot"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "code"]
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="lot_item_code_unique")]

    def __str__(self):
        return self.code


class SerialNumber(models.Model):
    """A serialised unit; `lot` of a finished serial and the ledger rows of its work order give
    the traceability back to component lots."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="serials")
    serial = models.CharField(_("serial number"), max_length=60)
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="serials")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    produced_by_ref = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "serial"], name="serial_item_unique")]

    def __str__(self):
        return self.serial


class ReasonCode(models.Model):
    """Why stock was adjusted or scrapped (cycle count difference, damage, sample …)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class MoveType(models.TextChoices):
    RECEIPT = "receipt", _("receipt")
    ISSUE = "issue", _("issue")
    TRANSFER_OUT = "transfer_out", _("transfer out")
    TRANSFER_IN = "transfer_in", _("transfer in")
    ADJUSTMENT = "adjustment", _("adjustment")
    PRODUCTION_CONSUME = "consume", _("production consumption")
    PRODUCTION_OUTPUT = "produce", _("production output")
    SCRAP = "scrap", _("scrap")
    DELIVERY = "delivery", _("delivery")
    OPENING = "opening", _("opening balance")
    CORRECTION = "correction", _("correction")
    LANDED_COST = "landed_cost", _("landed cost")  # value only (quantity 0): freight added to the stock value


class StockMove(models.Model):
    """One signed quantity change of item × location × lot. Immutable."""

    group = models.UUIDField(db_index=True)  # the rows posted together (both legs of a transfer …)
    posted_at = models.DateTimeField(_("posted at"))
    move_type = models.CharField(_("type"), max_length=14, choices=MoveType.choices)
    # (item_id, posted_at) index below serves item look-ups; no separate foreign-key index.
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", db_index=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    serial = models.ForeignKey(SerialNumber, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QTY)  # + in, − out
    unit_cost = models.DecimalField(_("unit cost"), **MONEY)
    value = models.DecimalField(_("value"), **MONEY)  # signed, quantity × unit cost
    reference = models.CharField(_("reference"), max_length=60, blank=True)  # "PO-00012", "WO-00003" …
    reference_type = models.CharField(max_length=30, blank=True)
    reference_id = models.BigIntegerField(null=True, blank=True)
    reference_line_id = models.BigIntegerField(null=True, blank=True)
    reason = models.ForeignKey(ReasonCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    note = models.CharField(_("note"), max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False)

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes = [
            # Covering: on-hand as of a date reads the moves after the last snapshot from the index alone.
            models.Index(fields=["item", "posted_at"], include=["location", "quantity"],
                         name="stockmove_item_posted_idx"),
            # Covering: the valuation report's tail (all items, moves after the snapshot).
            models.Index(fields=["posted_at"], include=["item", "quantity", "value"], name="stockmove_posted_idx"),
            models.Index(fields=["reference_type", "reference_id"], name="stockmove_reference_idx"),
        ]
        constraints = [
            # only a value adjustment (landed cost) moves no quantity
            models.CheckConstraint(condition=~models.Q(quantity=0) | models.Q(move_type="landed_cost"),
                                   name="stockmove_quantity_nonzero"),
        ]


class StockBalance(models.Model):
    """Current on-hand per item × location × lot, maintained with every move."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on_hand = models.DecimalField(default=Decimal("0"), **QTY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "location", "lot"], nulls_distinct=False,
                                               name="stockbalance_unique")]
        indexes = [models.Index(fields=["location", "item"], name="stockbalance_location_idx")]


class ItemValuation(models.Model):
    """Quantity and value on hand per item (all locations), moving-average valuation."""

    item = models.OneToOneField("catalog.Item", on_delete=models.PROTECT, related_name="valuation")
    quantity = models.DecimalField(default=Decimal("0"), **QTY)
    value = models.DecimalField(default=Decimal("0"), **MONEY)
    updated_at = models.DateTimeField(auto_now=True)


class Reservation(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        CONSUMED = "consumed", _("consumed")
        RELEASED = "released", _("released")

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    consumed = models.DecimalField(default=Decimal("0"), **QTY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    reference = models.CharField(max_length=60, blank=True)
    reference_type = models.CharField(max_length=30)
    reference_id = models.BigIntegerField()
    reference_line_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["item", "location"], condition=models.Q(status="active"), name="reservation_active_idx"),
            models.Index(fields=["reference_type", "reference_id"], name="reservation_reference_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="reservation_quantity_positive"),
            models.CheckConstraint(condition=models.Q(consumed__gte=0, consumed__lte=models.F("quantity")),
                                   name="reservation_consumed_range"),
        ]

    @property
    def open_quantity(self):
        return self.quantity - self.consumed


class StockSnapshot(models.Model):
    """On-hand and value per item × location × lot at the end of a period (day)."""

    period_end = models.DateTimeField(db_index=True)
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    value = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period_end", "item", "location", "lot"], nulls_distinct=False,
                                               name="stocksnapshot_unique")]
        indexes = [models.Index(fields=["item", "period_end"], name="stocksnapshot_item_idx")]


class SnapshotPeriod(models.Model):
    """The periods for which a complete snapshot exists (a period is written in one transaction)."""

    period_end = models.DateTimeField(unique=True)
    last_move_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end"]


class ItemValuationSnapshot(models.Model):
    period_end = models.DateTimeField()
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QTY)
    value = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period_end", "item"], name="itemvaluationsnapshot_unique")]


class StockCount(models.Model):
    """A cycle count: counted quantities per item × location become adjustment moves with a reason."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        POSTED = "posted", _("posted")

    number = models.CharField(_("number"), max_length=30, unique=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    reason = models.ForeignKey(ReasonCode, on_delete=models.PROTECT, related_name="+", verbose_name=_("reason"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.number


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expected = models.DecimalField(**QTY)
    counted = models.DecimalField(**QTY)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(counted__gte=0), name="countline_counted_nonnegative")]
