"""TENANT schema: purchase orders, goods receipts and supplier invoices (the 3-way match).

Amounts are stored on each line (net = quantity × unit price, VAT = net × rate, both rounded to
the fen as on a Chinese VAT invoice) and summed on the document, so lists sort and total in SQL.
Received and invoiced quantities on a PO line are kept up to date by the services that post
receipts and invoices; only services write these tables.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from erp_modules.common.models import CURRENCY_DEFAULT, MONEY, QTY

ZERO = Decimal("0")
CENT = Decimal("0.01")
VAT_RATE = {"max_digits": 5, "decimal_places": 2}


def money_round(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def line_amounts(quantity: Decimal, unit_price: Decimal, vat_rate: Decimal) -> tuple[Decimal, Decimal]:
    """(net, VAT) of a line, each rounded to the fen."""
    net = money_round(Decimal(quantity) * Decimal(unit_price))
    return net, money_round(net * Decimal(vat_rate) / Decimal("100"))


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        PARTIALLY_RECEIVED = "partially_received", _("partially received")
        RECEIVED = "received", _("received")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class Kind(models.TextChoices):
        STANDARD = "standard", _("purchase")
        SUBCONTRACT = "subcontract", _("subcontracting (外协)")

    OPEN_STATUSES = (Status.APPROVED, Status.PARTIALLY_RECEIVED)
    RECEIVABLE_STATUSES = (Status.APPROVED, Status.PARTIALLY_RECEIVED, Status.RECEIVED)
    INVOICEABLE_STATUSES = (Status.APPROVED, Status.PARTIALLY_RECEIVED, Status.RECEIVED, Status.CLOSED)

    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="purchase_orders",
                                 verbose_name=_("supplier"))
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("receive into"))
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY_DEFAULT)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("note"), blank=True)
    amount_net = models.DecimalField(_("amount excl. VAT"), default=ZERO, **MONEY)
    amount_vat = models.DecimalField(_("VAT"), default=ZERO, **MONEY)
    amount_total = models.DecimalField(_("total incl. VAT"), default=ZERO, **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False, verbose_name=_("created by"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", db_constraint=False, verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.STANDARD)
    # a subcontracting order: the components go to this location (stock held at the subcontractor) and
    # the processed item comes back by receipt; the work order operation it does, as a plain id
    subcontract_location = models.ForeignKey("inventory.Location", null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+", verbose_name=_("stock at the subcontractor"))
    source_operation_id = models.BigIntegerField(null=True, blank=True)
    # made from an accepted quotation on the boards (public rows, kept as plain ids; one order per quotation)
    board_listing_id = models.BigIntegerField(null=True, blank=True)
    board_quotation_id = models.BigIntegerField(null=True, blank=True)
    credit_override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+", db_constraint=False,
                                           verbose_name=_("credit warning overridden by"))
    credit_override_reason = models.CharField(_("reason for overriding the credit warning"), max_length=300,
                                              blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        indexes = [
            models.Index(fields=["status", "expected_date"], name="po_status_expected_idx"),
            models.Index(fields=["supplier", "-order_date"], name="po_supplier_date_idx"),
            models.Index(fields=["-order_date"], name="po_order_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["board_quotation_id"], condition=models.Q(board_quotation_id__isnull=False),
                                    name="po_one_per_board_quotation"),
            models.CheckConstraint(condition=models.Q(kind="subcontract") | models.Q(subcontract_location__isnull=True),
                                   name="po_subcontract_location_only_subcontract"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def can_receive(self) -> bool:
        return self.status in self.RECEIVABLE_STATUSES

    @property
    def can_invoice(self) -> bool:
        return self.status in self.INVOICEABLE_STATUSES

    @property
    def can_close(self) -> bool:
        return self.status in (self.Status.PARTIALLY_RECEIVED, self.Status.RECEIVED)

    @property
    def can_cancel(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.APPROVED)


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    revision = models.CharField(_("revision"), max_length=8, blank=True,
                                help_text=_("The part's engineering revision to supply (e.g. B); empty: any."))
    quantity = models.DecimalField(_("quantity"), **QTY)
    uom = models.ForeignKey("catalog.UnitOfMeasure", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("unit"))
    unit_price = models.DecimalField(_("unit price excl. VAT"), **MONEY)
    vat_rate = models.DecimalField(_("VAT rate %"), **VAT_RATE)
    net_amount = models.DecimalField(_("amount excl. VAT"), **MONEY)
    vat_amount = models.DecimalField(_("VAT"), **MONEY)
    received_quantity = models.DecimalField(_("received"), default=ZERO, **QTY)
    invoiced_quantity = models.DecimalField(_("invoiced"), default=ZERO, **QTY)
    expected_date = models.DateField(_("expected date"), null=True, blank=True)

    class Meta:
        ordering = ["order", "line_no"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="poline_order_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="poline_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="poline_price_nonnegative"),
            models.CheckConstraint(condition=models.Q(vat_rate__gte=0, vat_rate__lte=100), name="poline_vat_range"),
            models.CheckConstraint(condition=models.Q(received_quantity__gte=0, invoiced_quantity__gte=0),
                                   name="poline_progress_nonnegative"),
        ]
        indexes = [models.Index(fields=["item"], name="poline_item_idx")]

    def __str__(self):
        return f"{self.order.number}/{self.line_no}"

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.received_quantity, ZERO)

    @property
    def gross_amount(self) -> Decimal:
        return self.net_amount + self.vat_amount


class Receipt(models.Model):
    """A goods receipt (入库单) against one purchase order; its stocked lines are ledger rows."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts",
                              verbose_name=_("purchase order"))
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("received into"))
    posted_at = models.DateTimeField(_("posted at"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False, verbose_name=_("received by"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")

    def __str__(self):
        return self.number


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit_cost = models.DecimalField(_("unit cost"), **MONEY)
    lot = models.ForeignKey("inventory.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("lot"))
    serial_numbers = models.TextField(_("serial numbers"), blank=True)
    stocked = models.BooleanField(_("posted to stock"), default=True)

    class Meta:
        ordering = ["receipt", "order_line__line_no"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="receiptline_quantity_positive")]


class SupplierInvoice(models.Model):
    """The supplier's VAT invoice (进项发票) for (part of) a purchase order."""

    number = models.CharField(_("our number"), max_length=30, unique=True)
    invoice_number = models.CharField(_("supplier's invoice number"), max_length=60)
    invoice_date = models.DateField(_("invoice date"))
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="invoices",
                              verbose_name=_("purchase order"))
    supplier = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("supplier"))
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY_DEFAULT)
    amount_net = models.DecimalField(_("amount excl. VAT"), default=ZERO, **MONEY)
    amount_vat = models.DecimalField(_("VAT"), default=ZERO, **MONEY)
    amount_total = models.DecimalField(_("total incl. VAT"), default=ZERO, **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-invoice_date", "-id"]
        verbose_name = _("supplier invoice")
        verbose_name_plural = _("supplier invoices")
        constraints = [models.UniqueConstraint(fields=["supplier", "invoice_number"],
                                               name="supplierinvoice_number_unique")]

    def __str__(self):
        return f"{self.number} ({self.invoice_number})"


class SupplierInvoiceLine(models.Model):
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="invoice_lines")
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit_price = models.DecimalField(_("unit price excl. VAT"), **MONEY)
    vat_rate = models.DecimalField(_("VAT rate %"), **VAT_RATE)
    net_amount = models.DecimalField(_("amount excl. VAT"), **MONEY)
    vat_amount = models.DecimalField(_("VAT"), **MONEY)

    class Meta:
        ordering = ["invoice", "order_line__line_no"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="invoiceline_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="invoiceline_price_nonnegative"),
            models.CheckConstraint(condition=models.Q(vat_rate__gte=0, vat_rate__lte=100),
                                   name="invoiceline_vat_range"),
        ]
